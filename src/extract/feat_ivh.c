/* feat_ivh.c — intensity-volume histogram (IBSI 1, 3.5), the discrete case.
 *
 * Each voxel of the intensity mask gets an IVH value u: its intensity (ivh method none; the
 * possible values are the integers of the range), its FBN bin (1..N), or its FBS bin centre
 * x0 + (bin - 0.5) w.  The range [u_min, u_max] is the re-segmentation range when it is
 * finite (none, FBS), else the ROI's.  nu(u) = fraction of voxels with value >= u;
 * gamma(u) = (u - u_min) / (u_max - u_min).  V_x = nu(smallest possible u with gamma >= x);
 * I_x = smallest possible u with nu(u) < x; AUC by the trapezoid rule over gamma. */
#include <math.h>
#include <stdlib.h>

#include "features.h"
#include "util.h"

/* Fraction of the sorted values that are >= u. */
static double nu_at(const double *v, size_t n, double u)
{
    size_t lo = 0, hi = n; /* first index with v >= u */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (double)(n - lo) / (double)n;
}

rgx_err feat_ivh(const roi_t *roi, const feat_settings_t *s, featvec_t *out)
{
    size_t nv = (size_t)roi->dim[0] * (size_t)roi->dim[1] * (size_t)roi->dim[2], n = 0;
    double *v;
    rgx_err err = rgx_calloc(&v, roi->n_mask ? roi->n_mask : 1, sizeof *v);
    if (err) return err;
    double xmin = INFINITY, xmax = -INFINITY;
    for (size_t i = 0; i < nv; i++)
        if (roi->mask[i]) {
            double x = roi->intensity[i];
            if (x < xmin) xmin = x;
            if (x > xmax) xmax = x;
        }
    double lo = isfinite(s->reseg_min) ? s->reseg_min : xmin;
    double hi = isfinite(s->reseg_max) ? s->reseg_max : xmax;
    double step = 1, u0, u1; /* the grid of possible values (below) */
    int nb = s->ivh_bins > 0 ? s->ivh_bins : 1;
    for (size_t i = 0; i < nv; i++) {
        if (!roi->mask[i]) continue;
        double x = roi->intensity[i], u = x;
        if (s->ivh_disc == DISC_FBN) {
            int b = xmax > xmin ? (int)floor(nb * (x - xmin) / (xmax - xmin)) + 1 : 1;
            u = b > nb ? nb : b;
        } else if (s->ivh_disc == DISC_FBS) {
            u = lo + (floor((x - lo) / s->ivh_bin_width) + 0.5) * s->ivh_bin_width;
        }
        v[n++] = u;
    }
    if (s->ivh_disc == DISC_FBN)
        u0 = 1, u1 = nb;
    else if (s->ivh_disc == DISC_FBS) {
        step = s->ivh_bin_width;
        u0 = lo + 0.5 * step;
        u1 = lo + (floor((hi - lo) / step) + 0.5) * step;
    } else {
        u0 = ceil(lo), u1 = floor(hi);
    }
    sort_doubles(v, n);
    double span = u1 - u0, res[7];
    size_t ng = span >= 0 ? (size_t)llround(span / step) + 1 : 0;
    double vx[2] = {NAN, NAN}, ix[2] = {NAN, NAN}, auc = 0, prev_g = 0, prev_nu = 1;
    const double xs[2] = {0.10, 0.90};
    for (size_t k = 0; k < ng && n; k++) {
        double u = u0 + (double)k * step, g = span > 0 ? (u - u0) / span : 0, nu = nu_at(v, n, u);
        for (int a = 0; a < 2; a++) {
            if (isnan(vx[a]) && g >= xs[a] - 1e-12) vx[a] = nu;
            if (isnan(ix[a]) && nu < xs[a]) ix[a] = u;
        }
        if (k) auc += 0.5 * (g - prev_g) * (nu + prev_nu);
        prev_g = g, prev_nu = nu;
    }
    free(v);
    res[0] = vx[0], res[1] = vx[1], res[2] = ix[0], res[3] = ix[1];
    res[4] = vx[0] - vx[1], res[5] = ix[0] - ix[1], res[6] = ng > 1 ? auc : NAN;
    static const char *tag[] = {"v10", "v90", "i10", "i90", "diff_v10_v90", "diff_i10_i90", "auc"};
    for (int k = 0; k < 7 && !err; k++) err = featvec_add(out, n ? res[k] : NAN, "ivh_%s", tag[k]);
    return err;
}
