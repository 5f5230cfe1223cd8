/* texture.c — the matrix features shared by GLRLM, GLSZM, GLDZM and NGLDM, and averaging. */
#include "texture.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void tex_zone_features(const double *m, int ng, int nj, const double *jv, double nv,
                       double f[TEX_ZONE_NF])
{
    double ns = 0;
    for (int k = 0; k < ng * nj; k++) ns += m[k];
    if (ns <= 0) {
        for (int k = 0; k < TEX_ZONE_NF; k++) f[k] = NAN;
        return;
    }
    double se = 0, le = 0, lg = 0, hg = 0, sl = 0, sh = 0, ll = 0, lh = 0;
    double glnu = 0, mu_i = 0, mu_j = 0, entr = 0, energy = 0;
    /* Column sums for the j non-uniformity: one pass over the columns. */
    double jnu = 0;
    for (int c = 0; c < nj; c++) {
        double s = 0;
        for (int i = 0; i < ng; i++) s += m[(size_t)i * (size_t)nj + (size_t)c];
        jnu += s * s;
    }
    for (int i = 0; i < ng; i++) {
        const double *row = m + (size_t)i * (size_t)nj;
        double gi = i + 1, gi2 = gi * gi, rs = 0;
        for (int c = 0; c < nj; c++) {
            double x = row[c];
            if (x == 0) continue;
            double j = jv[c], j2 = j * j, p = x / ns;
            rs += x;
            se += x / j2, le += x * j2;
            lg += x / gi2, hg += x * gi2;
            sl += x / (gi2 * j2), sh += x * gi2 / j2;
            ll += x * j2 / gi2, lh += x * gi2 * j2;
            mu_i += gi * p, mu_j += j * p;
            entr -= p * log2(p);
            energy += p * p;
        }
        glnu += rs * rs;
    }
    double var_i = 0, var_j = 0;
    for (int i = 0; i < ng; i++)
        for (int c = 0; c < nj; c++) {
            double x = m[(size_t)i * (size_t)nj + (size_t)c];
            if (x == 0) continue;
            double p = x / ns, di = i + 1 - mu_i, dj = jv[c] - mu_j;
            var_i += di * di * p, var_j += dj * dj * p;
        }
    double v[TEX_ZONE_NF] = {se / ns,   le / ns,          lg / ns,     hg / ns,    sl / ns,
                             sh / ns,   ll / ns,          lh / ns,     glnu / ns,  glnu / (ns * ns),
                             jnu / ns,  jnu / (ns * ns),  ns / nv,     var_i,      var_j,
                             entr,      energy};
    memcpy(f, v, sizeof v);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

rgx_err tex_zone_list_features(const int *gl, const int *j, size_t n, int ng, double nv,
                               double f[TEX_ZONE_NF])
{
    if (n == 0) {
        for (int k = 0; k < TEX_ZONE_NF; k++) f[k] = NAN;
        return RGX_OK;
    }
    int *js = NULL;
    double *jv = NULL, *m = NULL;
    rgx_err err = rgx_calloc(&js, n, sizeof *js);
    if (err) return err;
    memcpy(js, j, n * sizeof *js);
    qsort(js, n, sizeof *js, cmp_int);
    size_t nj = 0;
    for (size_t k = 0; k < n; k++)
        if (k == 0 || js[k] != js[nj - 1]) js[nj++] = js[k];
    if ((err = rgx_calloc(&jv, nj, sizeof *jv)) ||
        (err = rgx_calloc(&m, (size_t)ng * nj, sizeof *m)))
        goto out;
    for (size_t c = 0; c < nj; c++) jv[c] = js[c];
    for (size_t k = 0; k < n; k++) {
        const int *hit = bsearch(&j[k], js, nj, sizeof *js, cmp_int);
        m[(size_t)(gl[k] - 1) * nj + (size_t)(hit - js)] += 1;
    }
    tex_zone_features(m, ng, (int)nj, jv, nv, f);
out:
    free(js), free(jv), free(m);
    return err;
}

void tex_avg_add(tex_avg_t *a, const double *f, int nf)
{
    a->nf = nf;
    for (int k = 0; k < nf; k++) a->sum[k] += f[k];
    a->n++;
}

double tex_avg_get(const tex_avg_t *a, int k)
{
    return a->n ? a->sum[k] / a->n : NAN;
}

rgx_err tex_emit(featvec_t *out, const char *prefix, const char *const *name, int nf,
                 const double *f, const char *suffix)
{
    rgx_err err = RGX_OK;
    for (int k = 0; k < nf && !err; k++)
        err = featvec_add(out, f[k], "%s_%s%s", prefix, name[k], suffix);
    return err;
}
