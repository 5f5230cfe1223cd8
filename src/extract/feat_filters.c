/* feat_filters.c — features of filter response maps (IBSI 2): each filter of the channel runs
 * on the ROI's crop (interpolated, not re-segmented: the filter sees every voxel around the
 * ROI), and the chosen families are computed from the response map over the ROI's
 * intensity mask (re-segmented on the image's own intensities), each feature named
 * "<filter tag>.<IBSI tag>".  Intensity histogram and texture families see the response
 * discretised by the filter's own settings. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "features.h"
#include "preprocess.h"
#include "util.h"

/* The response of one filter at the ROI's voxels: the filter runs on the box of the ROI's
 * intensity mask (lo .. hi) widened by what the filter reads, inside the crop (the whole crop
 * along axes where it wraps around).  Where that box meets the crop's edge, the crop meets
 * the image's (the crop's margin covers every filter's reach), so the padding is the image's
 * own: the response inside the ROI is the whole image's.  Other voxels of resp are left. */
static rgx_err response(const roi_t *roi, const filter_t *f, const int lo[3], const int hi[3],
                        double *resp)
{
    const int *d = roi->dim;
    int reach[3], b0[3], n[3], whole = 1;
    filter_reach(f, roi->spacing, reach);
    for (int a = 0; a < 3; a++) {
        int wrap = f->pad == PAD_PERIODIC && (a < 2 || f->dims == 3);
        b0[a] = wrap || lo[a] - reach[a] < 0 ? 0 : lo[a] - reach[a];
        int e = wrap || hi[a] + reach[a] >= d[a] ? d[a] - 1 : hi[a] + reach[a];
        n[a] = e - b0[a] + 1;
        whole &= n[a] == d[a];
    }
    if (whole) return filter_apply(f, roi->intensity, d, roi->spacing, resp);
    size_t nb = (size_t)n[0] * (size_t)n[1] * (size_t)n[2];
    double *in = NULL, *out = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&in, nb, sizeof *in)) || (err = rgx_calloc(&out, nb, sizeof *out)))
        goto out;
    for (int pass = 0; pass < 2; pass++) { /* copy the box in, filter, copy it out */
        for (int k = 0; k < n[2]; k++)
            for (int j = 0; j < n[1]; j++) {
                size_t at = (size_t)b0[0] + (size_t)d[0] * ((size_t)(b0[1] + j) +
                                                            (size_t)d[1] * (size_t)(b0[2] + k));
                size_t bt = (size_t)n[0] * ((size_t)j + (size_t)n[1] * (size_t)k);
                if (pass)
                    memcpy(resp + at, out + bt, (size_t)n[0] * sizeof *out);
                else
                    memcpy(in + bt, roi->intensity + at, (size_t)n[0] * sizeof *in);
            }
        if (!pass && (err = filter_apply(f, in, n, roi->spacing, out))) break;
    }
out:
    free(in), free(out);
    return err;
}

/* One filter: its response (unless names only), levels when needed, the families. */
static rgx_err one_filter(const roi_t *roi, const feat_settings_t *s, const feat_filter_t *ff,
                          const int lo[3], const int hi[3], double *resp, int *level,
                          featvec_t *tmp)
{
    size_t nv = (size_t)roi->dim[0] * (size_t)roi->dim[1] * (size_t)roi->dim[2];
    roi_t r = *roi;
    rgx_err err = RGX_OK;
    int undefined = 0; /* a response that is not a number inside the ROI */
    if (!roi->names_only) {
        if ((err = response(roi, &ff->f, lo, hi, resp))) return err;
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
    /* the box of the intensity mask: the only voxels whose response is read */
    int lo[3] = {INT_MAX, INT_MAX, INT_MAX}, hi[3] = {-1, -1, -1};
    for (int k = 0; k < roi->dim[2]; k++)
        for (int j = 0; j < roi->dim[1]; j++)
            for (int i = 0; i < roi->dim[0]; i++) {
                size_t v = (size_t)i + (size_t)roi->dim[0] * ((size_t)j + (size_t)roi->dim[1] * k);
                if (!roi->mask[v]) continue;
                int c[3] = {i, j, k};
                for (int a = 0; a < 3; a++) {
                    if (c[a] < lo[a]) lo[a] = c[a];
                    if (c[a] > hi[a]) hi[a] = c[a];
                }
            }
    for (int i = 0; i < s->n_filters && !err; i++) {
        const feat_filter_t *ff = &s->filter[i];
        if ((err = one_filter(roi, s, ff, lo, hi, resp, level, &tmp))) {
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
