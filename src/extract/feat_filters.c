/* feat_filters.c — features of filter response maps (IBSI 2): each filter of the channel runs
 * on the ROI's crop (interpolated, not re-segmented: the filter sees every voxel around the
 * ROI), and the chosen families are computed from the response map over the ROI's
 * intensity mask (re-segmented on the image's own intensities), each feature named
 * "<filter tag>.<IBSI tag>".  Intensity histogram and texture families see the response
 * discretised by the filter's own settings. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "features.h"
#include "preprocess.h"
#include "util.h"

/* One filter: its response (unless names only), levels when needed, the families. */
static rgx_err one_filter(const roi_t *roi, const feat_settings_t *s, const feat_filter_t *ff,
                          double *resp, int *level, featvec_t *tmp)
{
    size_t nv = (size_t)roi->dim[0] * (size_t)roi->dim[1] * (size_t)roi->dim[2];
    roi_t r = *roi;
    rgx_err err = RGX_OK;
    int undefined = 0; /* a response that is not a number inside the ROI */
    if (!roi->names_only) {
        if ((err = filter_apply(&ff->f, roi->intensity, roi->dim, roi->spacing, resp))) return err;
        r.intensity = resp;
        for (size_t v = 0; v < nv && !undefined; v++)
            undefined = roi->mask[v] && !isfinite(resp[v]);
    }
    if ((ff->families & ~FAM_STAT) && !roi->names_only) {
        int ng = 1;
        if (undefined) {
            for (size_t v = 0; v < nv; v++) level[v] = roi->mask[v] ? 1 : 0;
        } else if ((err = preprocess_discretise(resp, roi->mask, nv, ff->disc, ff->n_bins,
                                                ff->bin_width, -INFINITY, level, &ng))) {
            return err;
        }
        r.level = level, r.n_levels = ng;
    }
    featvec_clear(tmp);
    if ((err = features_families(&r, s, ff->families, tmp))) return err;
    if (undefined) /* statistics carry the NaN themselves; the levels were made up */
        for (size_t k = 0; k < tmp->n; k++)
            if (strncmp(tmp->name[k], "stat_", 5)) tmp->value[k] = NAN;
    return RGX_OK;
}

rgx_err feat_filters(const roi_t *roi, const feat_settings_t *s, featvec_t *out)
{
    size_t nv = (size_t)roi->dim[0] * (size_t)roi->dim[1] * (size_t)roi->dim[2];
    double *resp = NULL;
    int *level = NULL;
    featvec_t tmp = {0};
    rgx_err err = RGX_OK;
    if (!roi->names_only && ((err = rgx_calloc(&resp, nv, sizeof *resp)) ||
                             (err = rgx_calloc(&level, nv, sizeof *level))))
        goto out;
    for (int i = 0; i < s->n_filters && !err; i++) {
        const feat_filter_t *ff = &s->filter[i];
        if ((err = one_filter(roi, s, ff, resp, level, &tmp))) {
            err = rgx_fail(err, "filter %s: %s", ff->tag, rgx_errmsg());
            break;
        }
        for (size_t k = 0; k < tmp.n && !err; k++)
            err = featvec_add(out, tmp.value[k], "%s.%s", ff->tag, tmp.name[k]);
    }
out:
    free(resp), free(level);
    featvec_free(&tmp);
    return err;
}
