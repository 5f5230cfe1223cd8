/* feat_local.c — local intensity features (IBSI 1, 3.2): the mean intensity in the 1 cm^3
 * sphere (radius 6.2035 mm) around a voxel centre, over every image voxel whose centre lies in
 * the sphere (not only ROI voxels: the crop's margin holds them).
 *   loc_peak_loc:  that mean around the intensity mask's brightest voxel (among several, the
 *                  largest mean);
 *   loc_peak_glob: the largest such mean over every voxel of the intensity mask. */
#include <math.h>
#include <stdlib.h>

#include "features.h"
#include "util.h"

rgx_err feat_local(const roi_t *roi, const feat_settings_t *s, featvec_t *out)
{
    (void)s;
    const double r = 6.2035; /* mm: a sphere of 1 cm^3 */
    const int *d = roi->dim;
    int reach[3];
    for (int a = 0; a < 3; a++) reach[a] = (int)floor(r / roi->spacing[a]);
    size_t cap =
        (size_t)(2 * reach[0] + 1) * (size_t)(2 * reach[1] + 1) * (size_t)(2 * reach[2] + 1);
    int(*off)[3] = NULL;
    rgx_err err = rgx_calloc(&off, cap, sizeof *off);
    if (err) return err;
    size_t k = 0;
    for (int dz = -reach[2]; dz <= reach[2]; dz++)
        for (int dy = -reach[1]; dy <= reach[1]; dy++)
            for (int dx = -reach[0]; dx <= reach[0]; dx++) {
                double x = dx * roi->spacing[0], y = dy * roi->spacing[1], z = dz * roi->spacing[2];
                if (x * x + y * y + z * z <= r * r * (1 + 1e-12)) {
                    off[k][0] = dx, off[k][1] = dy, off[k][2] = dz;
                    k++;
                }
            }
    double peak_max = -INFINITY, peak_loc = -INFINITY, glob = -INFINITY;
    for (int z = 0; z < d[2]; z++)
        for (int y = 0; y < d[1]; y++)
            for (int x = 0; x < d[0]; x++) {
                size_t v = (size_t)x + (size_t)d[0] * ((size_t)y + (size_t)d[1] * (size_t)z);
                if (!roi->mask[v]) continue;
                double sum = 0;
                size_t m = 0;
                for (size_t o = 0; o < k; o++) {
                    int a = x + off[o][0], b = y + off[o][1], c = z + off[o][2];
                    if (a < 0 || b < 0 || c < 0 || a >= d[0] || b >= d[1] || c >= d[2]) continue;
                    double val =
                        roi->intensity[(size_t)a +
                                       (size_t)d[0] * ((size_t)b + (size_t)d[1] * (size_t)c)];
                    if (!isnan(val)) sum += val, m++;
                }
                double mean = m ? sum / (double)m : NAN;
                if (mean > glob) glob = mean;
                double iv = roi->intensity[v];
                if (iv > peak_max)
                    peak_max = iv, peak_loc = mean;
                else if (iv == peak_max && mean > peak_loc)
                    peak_loc = mean;
            }
    free(off);
    int any = roi->n_mask > 0;
    if (!(err = featvec_add(out, any ? peak_loc : NAN, "loc_peak_loc")))
        err = featvec_add(out, any ? glob : NAN, "loc_peak_glob");
    return err;
}
