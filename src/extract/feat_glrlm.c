/* feat_glrlm.c — grey level run length matrix features (IBSI 1, 3.7): 16 features for each of
 * the six aggregations, like GLCM.
 *
 * A run starts at an ROI voxel whose predecessor along the direction is outside the grid, the
 * ROI or at another grey level; it is followed to its end, so every voxel is visited once per
 * direction.  Runs along in-slice directions stay in their slice and feed the per-slice
 * matrices; every aggregation is a sum of per-slice and per-direction matrices.  The run
 * percentage divides by the voxels the matrix covers (sum of run lengths), which for merged
 * matrices is the ROI's voxel count times the number of merged directions, as IBSI defines. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "texture.h"
#include "util.h"

enum { NF = 16 };
static const char *const names[NF] = {"sre",       "lre",  "lgre",      "hgre",   "srlge",
                                      "srhge",     "lrlge", "lrhge",    "glnu",   "glnu_norm",
                                      "rlnu",      "rlnu_norm", "r_perc", "gl_var", "rl_var",
                                      "rl_entr"};

typedef struct {
    int ng, nj;
    double *jv; /* 1..nj */
} rl_t;

static void rl_features(const rl_t *t, const double *m, double f[TEX_ZONE_NF])
{
    double nv = 0;
    for (int i = 0; i < t->ng; i++)
        for (int c = 0; c < t->nj; c++) nv += m[(size_t)i * (size_t)t->nj + (size_t)c] * t->jv[c];
    tex_zone_features(m, t->ng, t->nj, t->jv, nv, f);
}

static int empty(const double *m, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (m[k] != 0) return 0;
    return 1;
}

/* Adds the runs along off that start in slice z to M; lev: the levels padded on every side
 * (tex_padded), so that a run ends at the padding and a predecessor is always in the array. */
static void count_runs(const roi_t *r, const int *lev, int z, const int off[3], int nj, double *M)
{
    const int *d = r->dim;
    ptrdiff_t px = d[0] + 2, py = d[1] + 2, o = off[0] + px * (off[1] + py * off[2]);
    for (int y = 0; y < d[1]; y++) {
        const int *row = lev + tex_padded_idx(d, 0, y, z, 1);
        for (int x = 0; x < d[0]; x++) {
            const int *v = row + x;
            int l = *v;
            if (!l || v[-o] == l) continue; /* outside the ROI, or not the start of a run */
            int n = 1;
            for (const int *w = v + o; *w == l; w += o) n++;
            M[(size_t)(l - 1) * (size_t)nj + (size_t)(n - 1)] += 1;
        }
    }
}

rgx_err feat_glrlm(const roi_t *r, const feat_settings_t *s, featvec_t *out)
{
    rl_t t = {.ng = r->n_levels > 0 ? r->n_levels : 1};
    t.nj = r->dim[0];
    if (r->dim[1] > t.nj) t.nj = r->dim[1];
    if (r->dim[2] > t.nj) t.nj = r->dim[2];
    size_t m2 = (size_t)t.ng * (size_t)t.nj;
    int nd = (s->texture_dims & TEX_3D) ? 13 : 4;
    double *dir = NULL, *sl = NULL, *acc = NULL;
    int *lev = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&t.jv, (size_t)t.nj, sizeof *t.jv)) ||
        (err = rgx_calloc(&dir, 13 * m2, sizeof *dir)) ||
        (err = rgx_calloc(&sl, 4 * m2, sizeof *sl)) || (err = rgx_calloc(&acc, m2, sizeof *acc)))
        goto out;
    if ((err = tex_padded(r->dim, r->level, 0, r->dim[2], 1, &lev))) goto out;
    for (int c = 0; c < t.nj; c++) t.jv[c] = c + 1;
    tex_avg_t avg2 = {0}, comb2 = {0};
    double f[TEX_ZONE_NF], fa[TEX_ZONE_NF], fc[TEX_ZONE_NF];
    for (int z = 0; z < r->dim[2]; z++) {
        memset(sl, 0, 4 * m2 * sizeof *sl);
        memset(acc, 0, m2 * sizeof *acc);
        for (int k = 0; k < nd; k++)
            count_runs(r, lev, z, feat_dir[k], t.nj, k < 4 ? sl + k * m2 : dir + k * m2);
        for (int k = 0; k < 4; k++) {
            double *M = sl + k * m2;
            for (size_t c = 0; c < m2; c++) dir[k * m2 + c] += M[c], acc[c] += M[c];
            if ((s->texture_dims & TEX_2D) && !empty(M, m2))
                rl_features(&t, M, f), tex_avg_add(&avg2, f, NF);
        }
        if ((s->texture_dims & TEX_2D) && !empty(acc, m2))
            rl_features(&t, acc, f), tex_avg_add(&comb2, f, NF);
    }
    if (s->texture_dims & TEX_2D) {
        for (int k = 0; k < NF; k++) fa[k] = tex_avg_get(&avg2, k), fc[k] = tex_avg_get(&comb2, k);
        if ((err = tex_emit(out, "rlm", names, NF, fa, "_2D_avg")) ||
            (err = tex_emit(out, "rlm", names, NF, fc, "_2D_comb")))
            goto out;
    }
    for (int pass = 0; pass < 2; pass++) {
        unsigned flag = pass ? TEX_3D : TEX_2_5D;
        if (!(s->texture_dims & flag)) continue;
        int n = pass ? 13 : 4;
        tex_avg_t avg = {0};
        memset(acc, 0, m2 * sizeof *acc);
        for (int k = 0; k < n; k++) {
            double *M = dir + k * m2;
            for (size_t c = 0; c < m2; c++) acc[c] += M[c];
            if (!empty(M, m2)) rl_features(&t, M, f), tex_avg_add(&avg, f, NF);
        }
        for (int k = 0; k < NF; k++) fa[k] = tex_avg_get(&avg, k);
        rl_features(&t, acc, fc); /* NaN when empty */
        if ((err = tex_emit(out, "rlm", names, NF, fa, pass ? "_3D_avg" : "_2_5D_avg")) ||
            (err = tex_emit(out, "rlm", names, NF, fc, pass ? "_3D_comb" : "_2_5D_comb")))
            goto out;
    }
out:
    free(t.jv), free(dir), free(sl), free(acc), free(lev);
    return err;
}
