/* feat_ngldm.c — neighbouring grey level dependence matrix features (IBSI 1, 3.11): each ROI
 * voxel of grey level i has dependence k = 1 + the number of ROI neighbours within Chebyshev
 * distance delta whose level differs by at most alpha (in-slice neighbours for 2D and 2.5D);
 * the matrix counts voxels by (i, k).  17 features for 2D (per slice, averaged), 2.5D (slices
 * summed) and 3D. */
#include <stdlib.h>
#include <string.h>

#include "texture.h"
#include "util.h"

enum { NF = 17 };
static const char *const names[NF] = {
    "lde",  "hde",       "lgce", "hgce",      "ldlge",   "ldhge",  "hdlge",  "hdhge",  "glnu",
    "glnu_norm", "dcnu", "dcnu_norm", "dc_perc", "gl_var", "dc_var", "dc_entr", "dc_energy"};

/* Adds the dependence counts of slice z (z >= 0, nb in-slice) or of the volume (z < 0) to M. */
static void ngldm_count(const roi_t *r, int z, const tex_nbhd_t *nb, int alpha, int nk, double *M)
{
    const int *d = r->dim;
    int z0 = z < 0 ? 0 : z, z1 = z < 0 ? d[2] : z + 1;
    for (int c = z0; c < z1; c++)
        for (int y = 0; y < d[1]; y++)
            for (int x = 0; x < d[0]; x++) {
                const int *v = r->level + tex_idx(d, x, y, c);
                int l = *v;
                if (!l) continue;
                int k = 1, in = tex_nbhd_inside(d, nb, x, y, c);
                for (int q = 0; q < nb->n; q++) {
                    if (!in && !tex_nbhd_has(d, nb, q, x, y, c)) continue;
                    int m = v[nb->off[q]];
                    if (m && abs(m - l) <= alpha) k++;
                }
                M[(size_t)(l - 1) * (size_t)nk + (size_t)(k - 1)] += 1;
            }
}

static void ngldm_features(const double *M, int ng, int nk, const double *jv, double f[NF])
{
    double nv = 0;
    for (int i = 0; i < ng * nk; i++) nv += M[i];
    tex_zone_features(M, ng, nk, jv, nv, f);
}

rgx_err feat_ngldm(const roi_t *r, const feat_settings_t *s, featvec_t *out)
{
    int ng = r->n_levels > 0 ? r->n_levels : 1;
    int delta = s->ngldm_distance > 0 ? s->ngldm_distance : 1, alpha = s->ngldm_alpha;
    int w = 2 * delta + 1, nk = w * w * w; /* the largest dependence: the full 3D neighbourhood */
    size_t m2 = (size_t)ng * (size_t)nk;
    double *M = NULL, *M25 = NULL, *jv = NULL, f[NF];
    tex_nbhd_t nb2 = {0}, nb3 = {0};
    rgx_err err;
    if ((err = tex_nbhd(r->dim, delta, 0, &nb2)) || (err = tex_nbhd(r->dim, delta, delta, &nb3)) ||
        (err = rgx_calloc(&M, m2, sizeof *M)) || (err = rgx_calloc(&M25, m2, sizeof *M25)) ||
        (err = rgx_calloc(&jv, (size_t)nk, sizeof *jv)))
        goto out;
    for (int k = 0; k < nk; k++) jv[k] = k + 1;
    if (s->texture_dims & (TEX_2D | TEX_2_5D)) {
        tex_avg_t avg = {0};
        for (int z = 0; z < r->dim[2]; z++) {
            memset(M, 0, m2 * sizeof *M);
            ngldm_count(r, z, &nb2, alpha, nk, M);
            double nz = 0;
            for (size_t c = 0; c < m2; c++) M25[c] += M[c], nz += M[c];
            if (nz > 0) ngldm_features(M, ng, nk, jv, f), tex_avg_add(&avg, f, NF);
        }
        if (s->texture_dims & TEX_2D) {
            for (int k = 0; k < NF; k++) f[k] = tex_avg_get(&avg, k);
            if ((err = tex_emit(out, "ngl", names, NF, f, "_2D"))) goto out;
        }
        if (s->texture_dims & TEX_2_5D) {
            ngldm_features(M25, ng, nk, jv, f);
            if ((err = tex_emit(out, "ngl", names, NF, f, "_2_5D"))) goto out;
        }
    }
    if (s->texture_dims & TEX_3D) {
        memset(M, 0, m2 * sizeof *M);
        ngldm_count(r, -1, &nb3, alpha, nk, M);
        ngldm_features(M, ng, nk, jv, f);
        if ((err = tex_emit(out, "ngl", names, NF, f, "_3D"))) goto out;
    }
out:
    free(M), free(M25), free(jv);
    tex_nbhd_free(&nb2), tex_nbhd_free(&nb3);
    return err;
}
