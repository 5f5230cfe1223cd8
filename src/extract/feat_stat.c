/* feat_stat.c — intensity statistics (IBSI 1, 3.3): the intensities of the voxels of the
 * intensity mask, 18 features. */
#include <stdlib.h>

#include "features.h"
#include "stats1d.h"
#include "util.h"

rgx_err feat_stat(const roi_t *roi, const feat_settings_t *s, featvec_t *out)
{
    (void)s;
    size_t nv = (size_t)roi->dim[0] * (size_t)roi->dim[1] * (size_t)roi->dim[2], n = 0;
    double *x;
    rgx_err err = rgx_calloc(&x, roi->n_mask ? roi->n_mask : 1, sizeof *x);
    if (err) return err;
    for (size_t v = 0; v < nv; v++)
        if (roi->mask[v]) x[n++] = roi->intensity[v];
    stats1d_t t;
    stats1d(x, n, &t);
    free(x);
    const struct {
        const char *tag;
        double v;
    } f[] = {{"mean", t.mean},     {"var", t.var},     {"skew", t.skew},   {"kurt", t.kurt},
             {"median", t.median}, {"min", t.min},     {"p10", t.p10},     {"p90", t.p90},
             {"max", t.max},       {"iqr", t.iqr},     {"range", t.range}, {"mad", t.mad},
             {"rmad", t.rmad},     {"medad", t.medad}, {"cov", t.cov},     {"qcod", t.qcod},
             {"energy", t.energy}, {"rms", t.rms}};
    for (size_t i = 0; i < sizeof f / sizeof f[0] && !err; i++)
        err = featvec_add(out, f[i].v, "stat_%s", f[i].tag);
    return err;
}
