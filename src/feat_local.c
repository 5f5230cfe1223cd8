/* feat_local.c — local intensity features (IBSI 1, 3.2): the mean intensity in the 1 cm^3
 * sphere (radius 6.2035 mm) around a voxel centre, over every image voxel whose centre lies in
 * the sphere (not only ROI voxels: the crop's margin holds them).
 *   loc_peak_loc:  that mean around the intensity mask's brightest voxel (among several, the
 *                  largest mean);
 *   loc_peak_glob: the largest such mean over every voxel of the intensity mask. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "features.h"
#include "util.h"

/* The sphere as rows along x: for each (dy, dz) whose row meets the sphere, the half-width
 * w of its run dx = -w .. w.  The sphere mean is then a sum over rows of prefix-sum
 * differences: about pi r^2 rows instead of 4/3 pi r^3 voxels per ROI voxel. */
typedef struct {
    int dy, dz, w;
} sphere_row_t;

rgx_err feat_local(const roi_t *roi, const feat_settings_t *s, featvec_t *out)
{
    (void)s;
    const double r2 = 6.2035 * 6.2035 * (1 + 1e-12); /* mm^2: a sphere of 1 cm^3 */
    const int *d = roi->dim;
    const double *sp = roi->spacing;
    int reach[3];
    for (int a = 0; a < 3; a++) reach[a] = (int)floor(sqrt(r2) / sp[a]);
    sphere_row_t *row = NULL;
    double *psum = NULL;
    int32_t *pcnt = NULL;
    size_t nrow = 0, stride = (size_t)d[0] + 1, nlines = (size_t)d[1] * (size_t)d[2];
    rgx_err err;
    if ((err = rgx_calloc(&row, (size_t)(2 * reach[1] + 1) * (size_t)(2 * reach[2] + 1), sizeof *row)) ||
        (err = rgx_calloc(&psum, stride * nlines, sizeof *psum)) ||
        (err = rgx_calloc(&pcnt, stride * nlines, sizeof *pcnt)))
        goto out;
    for (int dz = -reach[2]; dz <= reach[2]; dz++)
        for (int dy = -reach[1]; dy <= reach[1]; dy++) {
            double yz = (dy * sp[1]) * (dy * sp[1]) + (dz * sp[2]) * (dz * sp[2]);
            if (yz > r2) continue;
            int w = 0;
            while (((w + 1) * sp[0]) * ((w + 1) * sp[0]) + yz <= r2) w++;
            row[nrow++] = (sphere_row_t){dy, dz, w};
        }
    /* Prefix sums along x of the intensities and of the non-NaN counts, per (y, z) line. */
    for (size_t l = 0; l < nlines; l++) {
        const double *src = roi->intensity + l * (size_t)d[0];
        double *ps = psum + l * stride;
        int32_t *pc = pcnt + l * stride;
        for (int x = 0; x < d[0]; x++) {
            int ok = !isnan(src[x]);
            ps[x + 1] = ps[x] + (ok ? src[x] : 0);
            pc[x + 1] = pc[x] + ok;
        }
    }
    double peak_max = -INFINITY, peak_loc = -INFINITY, glob = -INFINITY;
    for (int z = 0; z < d[2]; z++)
        for (int y = 0; y < d[1]; y++)
            for (int x = 0; x < d[0]; x++) {
                size_t v = (size_t)x + (size_t)d[0] * ((size_t)y + (size_t)d[1] * (size_t)z);
                if (!roi->mask[v]) continue;
                double sum = 0;
                long m = 0;
                for (size_t q = 0; q < nrow; q++) {
                    int b = y + row[q].dy, c = z + row[q].dz;
                    if (b < 0 || c < 0 || b >= d[1] || c >= d[2]) continue;
                    int lo = x - row[q].w < 0 ? 0 : x - row[q].w;
                    int hi = x + row[q].w >= d[0] ? d[0] - 1 : x + row[q].w;
                    size_t l = ((size_t)b + (size_t)d[1] * (size_t)c) * stride;
                    sum += psum[l + (size_t)hi + 1] - psum[l + (size_t)lo];
                    m += pcnt[l + (size_t)hi + 1] - pcnt[l + (size_t)lo];
                }
                double mean = m ? sum / (double)m : NAN;
                if (mean > glob) glob = mean;
                double iv = roi->intensity[v];
                if (iv > peak_max)
                    peak_max = iv, peak_loc = mean;
                else if (iv == peak_max && mean > peak_loc)
                    peak_loc = mean;
            }
    int any = roi->n_mask > 0;
    if (!(err = featvec_add(out, any ? peak_loc : NAN, "loc_peak_loc")))
        err = featvec_add(out, any ? glob : NAN, "loc_peak_glob");
out:
    free(row), free(psum), free(pcnt);
    return err;
}
