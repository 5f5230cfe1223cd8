/* feat_ih.c — intensity histogram features (IBSI 1, 3.4): first-order statistics of the
 * discretised grey levels (1..N_g) of the intensity mask, plus mode, entropy, uniformity and
 * the histogram gradient, 23 features. */
#include <math.h>
#include <stdlib.h>

#include "features.h"
#include "stats1d.h"
#include "util.h"

rgx_err feat_ih(const roi_t *roi, const feat_settings_t *s, featvec_t *out)
{
    (void)s;
    size_t nv = (size_t)roi->dim[0] * (size_t)roi->dim[1] * (size_t)roi->dim[2], n = 0;
    int ng = roi->n_levels;
    double *x = NULL, *h = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&x, roi->n_mask ? roi->n_mask : 1, sizeof *x)) ||
        (err = rgx_calloc(&h, (size_t)ng + 2, sizeof *h))) {
        free(x);
        return err;
    }
    for (size_t v = 0; v < nv; v++)
        if (roi->mask[v]) {
            x[n++] = roi->level[v];
            h[roi->level[v]]++;
        }
    stats1d_t t;
    stats1d(x, n, &t);
    /* Mode: the most frequent level; among equals, the one closest to the mean. */
    int mode = 1;
    for (int g = 1; g <= ng; g++)
        if (h[g] > h[mode] || (h[g] == h[mode] && fabs(g - t.mean) < fabs(mode - t.mean))) mode = g;
    double ent = 0, uni = 0;
    for (int g = 1; g <= ng; g++) {
        double p = n ? h[g] / (double)n : 0;
        if (p > 0) ent -= p * log2(p);
        uni += p * p;
    }
    /* Gradient of the histogram over levels 1..N_g: one-sided at the ends. */
    double gmax = -INFINITY, gmin = INFINITY;
    int gmax_at = 1, gmin_at = 1;
    for (int g = 1; g <= ng; g++) {
        double d = ng == 1   ? 0
                   : g == 1  ? h[2] - h[1]
                   : g == ng ? h[ng] - h[ng - 1]
                             : 0.5 * (h[g + 1] - h[g - 1]);
        if (d > gmax) gmax = d, gmax_at = g;
        if (d < gmin) gmin = d, gmin_at = g;
    }
    free(x), free(h);
    const struct {
        const char *tag;
        double v;
    } f[] = {
        {"mean", t.mean},        {"var", t.var},     {"skew", t.skew},       {"kurt", t.kurt},
        {"median", t.median},    {"min", t.min},     {"p10", t.p10},         {"p90", t.p90},
        {"max", t.max},          {"mode", mode},     {"iqr", t.iqr},         {"range", t.range},
        {"mad", t.mad},          {"rmad", t.rmad},   {"medad", t.medad},     {"cov", t.cov},
        {"qcod", t.qcod},        {"entropy", ent},   {"uniformity", uni},    {"max_grad", gmax},
        {"max_grad_g", gmax_at}, {"min_grad", gmin}, {"min_grad_g", gmin_at}};
    for (size_t i = 0; i < sizeof f / sizeof f[0] && !err; i++)
        err = featvec_add(out, n ? f[i].v : NAN, "ih_%s", f[i].tag);
    return err;
}
