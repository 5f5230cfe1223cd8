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
 * differences: about pi r^2 rows instead of 4/3 pi r^3 voxels per ROI voxel.  The prefix
 * sums are padded by the sphere's reach on every side (zero sums, zero counts), so that no
 * row needs a bounds check: a padded row adds exactly 0. */
/* The sphere sums and counts around voxels x0 .. x1 - 1 of one line (ps, pc: its prefix sums
 * at x = 0), row after row of the sphere: neighbouring voxels are neighbouring lanes, and each
 * voxel adds its rows in the same order as one at a time would (same bits). */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void
sphere_sums(const double *ps, const int32_t *pc, const ptrdiff_t *off, const int *w, size_t nrow,
            int x0, int x1, double *sum, int32_t *cnt)
{
    for (int x = x0; x < x1; x++) sum[x] = 0, cnt[x] = 0;
    for (size_t q = 0; q < nrow; q++) {
        const double *hi = ps + off[q] + w[q] + 1, *lo = ps + off[q] - w[q];
        const int32_t *chi = pc + off[q] + w[q] + 1, *clo = pc + off[q] - w[q];
#pragma omp simd
        for (int x = x0; x < x1; x++) {
            sum[x] += hi[x] - lo[x];
            cnt[x] += chi[x] - clo[x];
        }
    }
}

rgx_err feat_local(const roi_t *roi, const feat_settings_t *s, featvec_t *out)
{
    (void)s;
    const double r2 = 6.2035 * 6.2035 * (1 + 1e-12); /* mm^2: a sphere of 1 cm^3 */
    const int *d = roi->dim;
    const double *sp = roi->spacing;
    int reach[3];
    for (int a = 0; a < 3; a++) reach[a] = (int)floor(sqrt(r2) / sp[a]);
    /* The padded grid: line (y, z) holds the prefix sums of x = -reach .. d + reach - 1. */
    size_t px = (size_t)d[0] + 2 * (size_t)reach[0], stride = px + 1,
           py = (size_t)d[1] + 2 * (size_t)reach[1], pz = (size_t)d[2] + 2 * (size_t)reach[2];
    ptrdiff_t *off = NULL; /* each row's offset from its centre line, and half-width */
    int *w = NULL;
    double *psum = NULL, *lsum = NULL;
    int32_t *pcnt = NULL, *lcnt = NULL;
    size_t nrow = 0, nmax = (size_t)(2 * reach[1] + 1) * (size_t)(2 * reach[2] + 1);
    rgx_err err;
    if ((err = rgx_calloc(&off, nmax, sizeof *off)) || (err = rgx_calloc(&w, nmax, sizeof *w)) ||
        (err = rgx_calloc(&psum, stride * py * pz, sizeof *psum)) ||
        (err = rgx_calloc(&pcnt, stride * py * pz, sizeof *pcnt)) ||
        (err = rgx_calloc(&lsum, (size_t)d[0], sizeof *lsum)) ||
        (err = rgx_calloc(&lcnt, (size_t)d[0], sizeof *lcnt)))
        goto out;
    for (int dz = -reach[2]; dz <= reach[2]; dz++)
        for (int dy = -reach[1]; dy <= reach[1]; dy++) {
            double yz = (dy * sp[1]) * (dy * sp[1]) + (dz * sp[2]) * (dz * sp[2]);
            if (yz > r2) continue;
            int h = 0;
            while (((h + 1) * sp[0]) * ((h + 1) * sp[0]) + yz <= r2) h++;
            off[nrow] = ((ptrdiff_t)dy + (ptrdiff_t)py * dz) * (ptrdiff_t)stride;
            w[nrow++] = h;
        }
    /* Prefix sums along x of the intensities and of the non-NaN counts, per (y, z) line. */
    for (int z = 0; z < d[2]; z++)
        for (int y = 0; y < d[1]; y++) {
            size_t v0 = (size_t)d[0] * ((size_t)y + (size_t)d[1] * (size_t)z);
            size_t l = ((size_t)(y + reach[1]) + py * (size_t)(z + reach[2])) * stride;
            const double *src = roi->intensity + v0;
            double *ps = psum + l + (size_t)reach[0];
            int32_t *pc = pcnt + l + (size_t)reach[0];
            for (int x = 0; x < d[0]; x++) {
                int ok = !isnan(src[x]);
                ps[x + 1] = ps[x] + (ok ? src[x] : 0);
                pc[x + 1] = pc[x] + ok;
            }
            for (size_t x = (size_t)d[0] + 1; x + (size_t)reach[0] < stride; x++)
                ps[x] = ps[d[0]], pc[x] = pc[d[0]];
        }
    double peak_max = -INFINITY, peak_loc = -INFINITY, glob = -INFINITY;
    for (int z = 0; z < d[2]; z++)
        for (int y = 0; y < d[1]; y++) {
            size_t v0 = (size_t)d[0] * ((size_t)y + (size_t)d[1] * (size_t)z);
            const uint8_t *mk = roi->mask + v0;
            int x0 = 0, x1 = d[0];
            while (x0 < x1 && !mk[x0]) x0++;
            while (x1 > x0 && !mk[x1 - 1]) x1--;
            if (x0 == x1) continue;
            size_t l = ((size_t)(y + reach[1]) + py * (size_t)(z + reach[2])) * stride;
            sphere_sums(psum + l + (size_t)reach[0], pcnt + l + (size_t)reach[0], off, w, nrow,
                        x0, x1, lsum, lcnt);
            for (int x = x0; x < x1; x++) {
                if (!mk[x]) continue;
                double mean = lcnt[x] ? lsum[x] / (double)lcnt[x] : NAN;
                if (mean > glob) glob = mean;
                double iv = roi->intensity[v0 + (size_t)x];
                if (iv > peak_max)
                    peak_max = iv, peak_loc = mean;
                else if (iv == peak_max && mean > peak_loc)
                    peak_loc = mean;
            }
        }
    int any = roi->n_mask > 0;
    if (!(err = featvec_add(out, any ? peak_loc : NAN, "loc_peak_loc")))
        err = featvec_add(out, any ? glob : NAN, "loc_peak_glob");
out:
    free(off), free(w), free(psum), free(pcnt), free(lsum), free(lcnt);
    return err;
}
