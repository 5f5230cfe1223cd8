/* preprocess.c — see preprocess.h. */
#include "preprocess.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "resample.h"
#include "util.h"

void preprocess_free(preproc_t *pp)
{
    free(pp->intensity), free(pp->morph), free(pp->mask), free(pp->level);
    memset(pp, 0, sizeof *pp);
}

/* The margin (voxels of the new grid) that the settings' filters read around the ROI, and
 * whether one of them wraps around the image (periodic padding: the crop is then the whole
 * axis, so that the wrap meets the image's far side). */
static void filter_margin(const feat_settings_t *s, const axis_map_t map[3], int m[3],
                          int whole[3])
{
    double sp[3] = {map[0].s, map[1].s, map[2].s};
    for (int a = 0; a < 3; a++) m[a] = 0, whole[a] = 0;
    for (int i = 0; i < s->n_filters; i++) {
        int r[3];
        filter_reach(&s->filter[i].f, sp, r);
        for (int a = 0; a < 3; a++) {
            if (r[a] > m[a]) m[a] = r[a];
            if (s->filter[i].f.pad == PAD_PERIODIC && (a < 2 || s->filter[i].f.dims == 3))
                whole[a] = 1;
        }
    }
}

/* The crop of the new grid for a ROI whose voxels span lo .. hi: its bounding box on the
 * (new) grid plus a margin that covers the 1 cm^3 local-intensity sphere (radius
 * 6.2035 mm) and what the filters read.  On a new grid, the box also takes the old voxels
 * next to the ROI, which the interpolated mask may reach. */
static void crop(const feat_settings_t *s, const axis_map_t map[3], const int lo[3],
                 const int hi[3], int o[3], int n[3])
{
    int fm[3], whole[3];
    filter_margin(s, map, fm, whole);
    for (int a = 0; a < 3; a++) {
        int m = (int)ceil(6.2035 / map[a].s);
        if (fm[a] > m) m = fm[a];
        int b0 = (int)floor((lo[a] - 1 - map[a].off) / map[a].r) - m,
            b1 = (int)ceil((hi[a] + 1 - map[a].off) / map[a].r) + m;
        if (map[a].r == 1 && map[a].off == 0) b0 = lo[a] - m, b1 = hi[a] + m;
        if (whole[a]) b0 = 0, b1 = map[a].n - 1;
        o[a] = b0 < 0 ? 0 : b0;
        int e = b1 >= map[a].n ? map[a].n - 1 : b1;
        n[a] = e - o[a] + 1;
    }
}

/* The label's crop o, n on the new grid map; *found 0 when the label has no voxel. */
static rgx_err label_crop(const image_t *img, const image_t *msk, int label,
                          const feat_settings_t *s, axis_map_t map[3], int o[3], int n[3],
                          int *found)
{
    int lo[3], hi[3];
    rgx_err err = image_box_of(msk, (float)label, lo, hi);
    *found = !err && hi[0] >= 0;
    if (!*found) return err;
    resample_grid(img, s, map);
    crop(s, map, lo, hi, o, n);
    return RGX_OK;
}

rgx_err preprocess_source(const image_t *img, const image_t *msk, int label,
                          const feat_settings_t *s, int lo[3], int hi[3])
{
    int o[3], n[3], found;
    axis_map_t map[3];
    rgx_err err = label_crop(img, msk, label, s, map, o, n, &found);
    if (err || !found) {
        for (int a = 0; a < 3; a++) lo[a] = 0, hi[a] = -1;
        return err;
    }
    if (s->interp != INTERP_NONE) return resample_source(img, s, map, o, n, lo, hi);
    for (int a = 0; a < 3; a++) lo[a] = o[a], hi[a] = o[a] + n[a] - 1;
    return RGX_OK;
}

rgx_err preprocess_discretise(const double *x, const uint8_t *mask, size_t nv, disc_t disc,
                              int n_bins, double bin_width, double fbs_min, int *level,
                              int *n_levels)
{
    double xmin = INFINITY, xmax = -INFINITY;
    for (size_t v = 0; v < nv; v++)
        if (mask[v]) {
            if (x[v] < xmin) xmin = x[v];
            if (x[v] > xmax) xmax = x[v];
        }
    int ng = 1;
    if (disc == DISC_FBN) {
        ng = n_bins;
        for (size_t v = 0; v < nv; v++) {
            if (!mask[v]) continue;
            int l = xmax > xmin ? (int)floor(ng * (x[v] - xmin) / (xmax - xmin)) + 1 : 1;
            level[v] = l > ng ? ng : l;
        }
    } else if (disc == DISC_FBS) {
        /* Bins start at the re-segmentation minimum when there is one; N_g runs up to the
         * bin of the ROI's largest intensity (as the IBSI reference values assume: any empty
         * bins above it would change the normalised features). */
        double base = isfinite(fbs_min) ? fbs_min : xmin;
        ng = (int)floor((xmax - base) / bin_width) + 1;
        for (size_t v = 0; v < nv; v++)
            if (mask[v]) level[v] = (int)floor((x[v] - base) / bin_width) + 1;
    } else { /* none: the intensities are the levels, and must be whole numbers >= 1 */
        for (size_t v = 0; v < nv; v++) {
            if (!mask[v]) continue;
            if (x[v] != floor(x[v]) || x[v] < 1 || x[v] > 1e6)
                return rgx_fail(RGX_ERR_CONFIG,
                                "discretisation 'none' needs whole-number intensities from 1 up, "
                                "found %g: use fbs or fbn",
                                x[v]);
            level[v] = (int)x[v];
            if ((int)x[v] > ng) ng = (int)x[v];
        }
    }
    *n_levels = ng;
    return RGX_OK;
}

rgx_err preprocess_roi(const image_t *img, const image_t *msk, int label, const feat_settings_t *s,
                       preproc_t *pp)
{
    memset(pp, 0, sizeof *pp);
    const int *d = img->dim;
    float want = (float)label;
    int o[3], n[3], found;
    axis_map_t map[3];
    rgx_err err = label_crop(img, msk, label, s, map, o, n, &found);
    if (err) return err;
    if (!found) return rgx_fail(RGX_ERR_INPUT, "label %d has no voxel in the mask", label);
    size_t nv = (size_t)n[0] * (size_t)n[1] * (size_t)n[2];
    if ((err = rgx_calloc(&pp->intensity, nv, sizeof *pp->intensity)) ||
        (err = rgx_calloc(&pp->morph, nv, 1)) || (err = rgx_calloc(&pp->mask, nv, 1)) ||
        (err = rgx_calloc(&pp->level, nv, sizeof *pp->level)))
        goto fail;
    if (s->interp != INTERP_NONE) {
        if ((err = resample_box(img, msk, want, s, map, o, n, pp->intensity, pp->morph))) goto fail;
    } else { /* the box itself, row by row */
        float *x = NULL, *m = NULL;
        if ((err = rgx_calloc(&x, (size_t)n[0], sizeof *x)) ||
            (err = rgx_calloc(&m, (size_t)n[0], sizeof *m))) {
            free(x);
            goto fail;
        }
        for (int k = 0; k < n[2]; k++)
            for (int j = 0; j < n[1]; j++) {
                size_t src = (size_t)o[0] + (size_t)d[0] * ((size_t)(o[1] + j) +
                                                            (size_t)d[1] * (size_t)(o[2] + k));
                image_values(img, src, (size_t)n[0], x);
                image_values(msk, src, (size_t)n[0], m);
                size_t v = (size_t)n[0] * ((size_t)j + (size_t)n[1] * (size_t)k);
                for (int i = 0; i < n[0]; i++) {
                    pp->intensity[v + (size_t)i] = s->round_intensities ? nearbyint(x[i]) : x[i];
                    pp->morph[v + (size_t)i] = m[i] == want;
                }
            }
        free(x), free(m);
    }
    size_t n_morph = 0, n_nan = 0, n_inf = 0;
    for (size_t v = 0; v < nv; v++)
        if (pp->morph[v])
            n_morph++, n_nan += isnan(pp->intensity[v]), n_inf += isinf(pp->intensity[v]);
    if (n_morph == 0) {
        err = rgx_fail(RGX_ERR_INPUT, "label %d: no voxel left in the interpolated mask", label);
        goto fail;
    }
    if (n_nan == n_morph) {
        err = rgx_fail(RGX_ERR_INPUT, "label %d: every ROI intensity is NaN", label);
        goto fail;
    }
    /* An infinite intensity has no place in any statistic (a re-segmentation range open at
     * that end would keep it): the ROI fails rather than give infinite features. */
    if (n_inf) {
        err = rgx_fail(RGX_ERR_INPUT, "label %d: %zu of the %zu ROI intensities are infinite",
                       label, n_inf, n_morph);
        goto fail;
    }
    pp->n_nan = n_nan, pp->n_morph = n_morph;
    /* Re-segmentation: the intensity mask keeps the morphological mask's voxels in range. */
    size_t n_mask = 0;
    for (size_t v = 0; v < nv; v++) {
        double x = pp->intensity[v];
        pp->mask[v] = pp->morph[v] && !isnan(x) && x >= s->reseg_min && x <= s->reseg_max;
        n_mask += pp->mask[v];
    }
    if (s->outlier_sigma > 0 && n_mask) { /* mean +- sigma SD of the morphological ROI */
        double mean = 0, var = 0;
        size_t m = 0;
        for (size_t v = 0; v < nv; v++)
            if (pp->morph[v] && !isnan(pp->intensity[v])) mean += pp->intensity[v], m++;
        mean /= (double)m;
        for (size_t v = 0; v < nv; v++)
            if (pp->morph[v] && !isnan(pp->intensity[v]))
                var += (pp->intensity[v] - mean) * (pp->intensity[v] - mean);
        double sd = sqrt(var / (double)m), a = mean - s->outlier_sigma * sd,
               b = mean + s->outlier_sigma * sd;
        n_mask = 0;
        for (size_t v = 0; v < nv; v++) {
            if (pp->mask[v] && (pp->intensity[v] < a || pp->intensity[v] > b)) pp->mask[v] = 0;
            n_mask += pp->mask[v];
        }
    }
    if (n_mask == 0) {
        err = rgx_fail(RGX_ERR_INPUT, "label %d: no voxel left after re-segmentation to [%g, %g]",
                       label, s->reseg_min, s->reseg_max);
        goto fail;
    }
    /* Discretisation into grey levels 1..N_g. */
    int ng;
    if ((err = preprocess_discretise(pp->intensity, pp->mask, nv, s->disc, s->n_bins,
                                     s->bin_width, s->reseg_min, pp->level, &ng))) {
        err = rgx_fail(err, "label %d: %s", label, rgx_errmsg());
        goto fail;
    }
    roi_t *r = &pp->roi;
    for (int a = 0; a < 3; a++) r->dim[a] = n[a], r->spacing[a] = map[a].s;
    r->intensity = pp->intensity, r->morph = pp->morph, r->mask = pp->mask, r->level = pp->level;
    r->n_levels = ng, r->n_morph = n_morph, r->n_mask = n_mask;
    return RGX_OK;
fail:
    preprocess_free(pp);
    return err;
}
