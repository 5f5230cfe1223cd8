/* feat_glcm.c — grey level co-occurrence matrix features (IBSI 1, 3.6): 25 features for each
 * of the six aggregations (2D averaged, 2D slice-merged, 2.5D direction-merged, 2.5D merged,
 * 3D averaged, 3D merged).
 *
 * One pass per direction over the ROI: for every slice z the 13 directional matrices of the
 * pairs whose first voxel lies in z are counted (in-slice directions into per-slice matrices,
 * which are then added to the volume's directional matrices).  Every aggregation is a sum of
 * these, so the image is walked once.  Matrices are symmetric (each pair counted both ways);
 * the offset of direction d at distance delta is delta * d. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "texture.h"
#include "util.h"

enum { NF = 25 };
static const char *const names[NF] = {
    "joint_max",     "joint_avg",   "joint_var",     "joint_entr",        "diff_avg",
    "diff_var",      "diff_entr",   "sum_avg",       "sum_var",           "sum_entr",
    "energy",        "contrast",    "dissimilarity", "inv_diff",          "inv_diff_norm",
    "inv_diff_mom",  "inv_diff_mom_norm", "inv_var", "corr",              "auto_corr",
    "clust_tend",    "clust_shade", "clust_prom",    "info_corr1",        "info_corr2",
};

/* Scratch of size 4 * ng for the marginals. */
static void glcm_features(const double *P, int ng, double *tmp, double f[NF])
{
    double n = 0;
    for (int k = 0; k < ng * ng; k++) n += P[k];
    double *pi = tmp, *pd = tmp + ng, *ps = tmp + 2 * ng; /* ps: 2 * ng entries, i + j - 2 */
    memset(tmp, 0, 4 * (size_t)ng * sizeof *tmp);
    double jmax = 0, hxy = 0, energy = 0, contrast = 0, dis = 0, id = 0, idn = 0, idm = 0,
           idmn = 0, ac = 0;
    for (int i = 0; i < ng; i++)
        for (int j = 0; j < ng; j++) {
            double x = P[i * ng + j];
            if (x == 0) continue;
            double p = x / n;
            int d = abs(i - j);
            pi[i] += p, pd[d] += p, ps[i + j] += p;
            if (p > jmax) jmax = p;
            hxy -= p * log2(p);
            energy += p * p;
            contrast += (double)d * d * p;
            dis += d * p;
            id += p / (1.0 + d);
            idn += p / (1.0 + (double)d / ng);
            idm += p / (1.0 + (double)d * d);
            idmn += p / (1.0 + (double)d * d / ((double)ng * ng));
            ac += (double)(i + 1) * (j + 1) * p;
        }
    double mu = 0, var = 0, hx = 0;
    for (int i = 0; i < ng; i++) mu += (i + 1) * pi[i];
    for (int i = 0; i < ng; i++) {
        var += (i + 1 - mu) * (i + 1 - mu) * pi[i];
        if (pi[i] > 0) hx -= pi[i] * log2(pi[i]);
    }
    double dmu = 0, dvar = 0, dentr = 0, iv = 0;
    for (int k = 0; k < ng; k++) dmu += k * pd[k];
    for (int k = 0; k < ng; k++) {
        dvar += (k - dmu) * (k - dmu) * pd[k];
        if (pd[k] > 0) dentr -= pd[k] * log2(pd[k]);
        if (k > 0) iv += pd[k] / ((double)k * k);
    }
    double smu = 0, svar = 0, sentr = 0;
    for (int k = 0; k < 2 * ng - 1; k++) smu += (k + 2) * ps[k];
    for (int k = 0; k < 2 * ng - 1; k++) {
        svar += (k + 2 - smu) * (k + 2 - smu) * ps[k];
        if (ps[k] > 0) sentr -= ps[k] * log2(ps[k]);
    }
    double cov = 0, ct = 0, cs = 0, cp = 0, hxy1 = 0, hxy2 = 0;
    for (int i = 0; i < ng; i++) {
        if (pi[i] == 0) continue;
        for (int j = 0; j < ng; j++) {
            if (pi[j] == 0) continue;
            double p = P[i * ng + j] / n, q = pi[i] * pi[j], lq = log2(q);
            hxy2 -= q * lq;
            if (p == 0) continue;
            double a = i + 1 - mu, b = j + 1 - mu, c = a + b, c2 = c * c;
            cov += a * b * p;
            ct += c2 * p, cs += c2 * c * p, cp += c2 * c2 * p;
            hxy1 -= p * lq;
        }
    }
    double v[NF] = {jmax, mu,   var,      hxy,  dmu,  dvar,   dentr,       smu,
                    svar, sentr, energy,  contrast, dis, id,  idn,         idm,
                    idmn, iv,   var > 0 ? cov / var : NAN,  ac,   ct,     cs,  cp,
                    hx > 0 ? (hxy - hxy1) / hx : NAN,
                    sqrt(fmax(0.0, 1.0 - exp(-2.0 * (hxy2 - hxy))))};
    memcpy(f, v, sizeof v);
}

static double msum(const double *P, size_t n)
{
    double s = 0;
    for (size_t k = 0; k < n; k++) s += P[k];
    return s;
}

/* Adds the pairs of direction off whose first voxel lies in slice z to P. */
static void count_pairs(const roi_t *r, int z, const int off[3], int ng, double *P)
{
    const int *d = r->dim;
    int z2 = z + off[2];
    if (z2 < 0 || z2 >= d[2]) return;
    int x0 = off[0] < 0 ? -off[0] : 0, x1 = d[0] - (off[0] > 0 ? off[0] : 0);
    int y0 = off[1] < 0 ? -off[1] : 0, y1 = d[1] - (off[1] > 0 ? off[1] : 0);
    for (int y = y0; y < y1; y++) {
        const int *a = r->level + tex_idx(d, 0, y, z);
        const int *b = r->level + tex_idx(d, off[0], y + off[1], z2);
        for (int x = x0; x < x1; x++) {
            int p = a[x], q = b[x];
            if (!p || !q) continue;
            P[(p - 1) * ng + (q - 1)] += 1;
            P[(q - 1) * ng + (p - 1)] += 1;
        }
    }
}

rgx_err feat_glcm(const roi_t *r, const feat_settings_t *s, featvec_t *out)
{
    int ng = r->n_levels > 0 ? r->n_levels : 1, nd = (s->texture_dims & TEX_3D) ? 13 : 4;
    size_t m2 = (size_t)ng * (size_t)ng;
    int delta = s->glcm_distance > 0 ? s->glcm_distance : 1;
    double *dir = NULL, *sl = NULL, *acc = NULL, *tmp = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&dir, 13 * m2, sizeof *dir)) ||
        (err = rgx_calloc(&sl, 4 * m2, sizeof *sl)) || (err = rgx_calloc(&acc, m2, sizeof *acc)) ||
        (err = rgx_calloc(&tmp, 4 * (size_t)ng, sizeof *tmp)))
        goto out;
    tex_avg_t avg2 = {0}, comb2 = {0};
    double f[NF];
    for (int z = 0; z < r->dim[2]; z++) {
        memset(sl, 0, 4 * m2 * sizeof *sl);
        memset(acc, 0, m2 * sizeof *acc);
        for (int k = 0; k < nd; k++) {
            int off[3] = {delta * feat_dir[k][0], delta * feat_dir[k][1], delta * feat_dir[k][2]};
            count_pairs(r, z, off, ng, k < 4 ? sl + k * m2 : dir + k * m2);
        }
        for (int k = 0; k < 4; k++) {
            double *P = sl + k * m2;
            for (size_t c = 0; c < m2; c++) dir[k * m2 + c] += P[c], acc[c] += P[c];
            if ((s->texture_dims & TEX_2D) && msum(P, m2) > 0)
                glcm_features(P, ng, tmp, f), tex_avg_add(&avg2, f, NF);
        }
        if ((s->texture_dims & TEX_2D) && msum(acc, m2) > 0)
            glcm_features(acc, ng, tmp, f), tex_avg_add(&comb2, f, NF);
    }
    double fa[NF], fc[NF];
    if (s->texture_dims & TEX_2D) {
        for (int k = 0; k < NF; k++) fa[k] = tex_avg_get(&avg2, k), fc[k] = tex_avg_get(&comb2, k);
        if ((err = tex_emit(out, "cm", names, NF, fa, "_2D_avg")) ||
            (err = tex_emit(out, "cm", names, NF, fc, "_2D_comb")))
            goto out;
    }
    /* 2.5D: the 4 in-slice directions over all slices; 3D: all 13. */
    for (int pass = 0; pass < 2; pass++) {
        unsigned flag = pass ? TEX_3D : TEX_2_5D;
        if (!(s->texture_dims & flag)) continue;
        int n = pass ? 13 : 4;
        tex_avg_t avg = {0};
        memset(acc, 0, m2 * sizeof *acc);
        for (int k = 0; k < n; k++) {
            double *P = dir + k * m2;
            for (size_t c = 0; c < m2; c++) acc[c] += P[c];
            if (msum(P, m2) > 0) glcm_features(P, ng, tmp, f), tex_avg_add(&avg, f, NF);
        }
        for (int k = 0; k < NF; k++) fa[k] = tex_avg_get(&avg, k);
        if (msum(acc, m2) > 0)
            glcm_features(acc, ng, tmp, fc);
        else
            for (int k = 0; k < NF; k++) fc[k] = NAN;
        if ((err = tex_emit(out, "cm", names, NF, fa, pass ? "_3D_avg" : "_2_5D_avg")) ||
            (err = tex_emit(out, "cm", names, NF, fc, pass ? "_3D_comb" : "_2_5D_comb")))
            goto out;
    }
out:
    free(dir), free(sl), free(acc), free(tmp);
    return err;
}
