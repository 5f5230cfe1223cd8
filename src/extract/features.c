/* features.c — the feature vector and the family dispatch. */
#include "features.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const int feat_dir[13][3] = {
    {1, 0, 0},  {0, 1, 0},  {1, 1, 0},  {1, -1, 0}, /* in-slice */
    {0, 0, 1},  {1, 0, 1},  {-1, 0, 1}, {0, 1, 1},  {0, -1, 1},
    {1, 1, 1},  {1, -1, 1}, {-1, 1, 1}, {-1, -1, 1},
};

rgx_err featvec_add(featvec_t *v, double value, const char *fmt, ...)
{
    rgx_err err;
    if (v->n == v->m) {
        size_t m = v->m ? 2 * v->m : 256;
        if ((err = rgx_realloc(&v->name, m, sizeof *v->name))) return err;
        if ((err = rgx_realloc(&v->value, m, sizeof *v->value))) return err;
        memset(v->name + v->m, 0, (m - v->m) * sizeof *v->name);
        v->m = m;
    }
    char buf[256]; /* a filter's tag (< 96) and an IBSI tag */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* Names are kept across featvec_clear(): the same slot usually gets the same name. */
    if (!v->name[v->n] || strcmp(v->name[v->n], buf) != 0) {
        free(v->name[v->n]);
        if ((err = rgx_strdup(&v->name[v->n], buf))) return err;
    }
    v->value[v->n++] = value;
    return RGX_OK;
}

void featvec_clear(featvec_t *v)
{
    v->n = 0;
}

void featvec_free(featvec_t *v)
{
    for (size_t i = 0; i < v->m; i++) free(v->name[i]);
    free(v->name);
    free(v->value);
    memset(v, 0, sizeof *v);
}

void feat_family_of(const char *tag, char *buf, size_t n)
{
    const char *dot = strrchr(tag, '.');
    if (dot) tag = dot + 1;
    size_t k = strcspn(tag, "_");
    if (k >= n) k = n - 1;
    memcpy(buf, tag, k);
    buf[k] = '\0';
}

rgx_err features_families(const roi_t *roi, const feat_settings_t *s, unsigned families,
                          featvec_t *out)
{
    static const struct {
        unsigned flag;
        rgx_err (*fn)(const roi_t *, const feat_settings_t *, featvec_t *);
    } fam[] = {
        {FAM_MORPH, feat_morph}, {FAM_LOCAL, feat_local}, {FAM_STAT, feat_stat},
        {FAM_IH, feat_ih},       {FAM_IVH, feat_ivh},     {FAM_GLCM, feat_glcm},
        {FAM_GLRLM, feat_glrlm}, {FAM_GLSZM, feat_glszm}, {FAM_GLDZM, feat_gldzm},
        {FAM_NGTDM, feat_ngtdm}, {FAM_NGLDM, feat_ngldm},
    };
    for (size_t i = 0; i < sizeof fam / sizeof fam[0]; i++) {
        if (!(families & fam[i].flag)) continue;
        rgx_err err = fam[i].fn(roi, s, out);
        if (err) return err;
    }
    return RGX_OK;
}

rgx_err features_compute(const roi_t *roi, const feat_settings_t *s, featvec_t *out)
{
    rgx_err err = features_families(roi, s, s->families, out);
    return err || !s->n_filters ? err : feat_filters(roi, s, out);
}
