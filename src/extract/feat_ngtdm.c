/* feat_ngtdm.c — neighbourhood grey tone difference matrix features (IBSI 1, 3.10): for each
 * ROI voxel of grey level i, |i - mean level of its ROI neighbours within Chebyshev distance
 * delta| is added to s_i (in-slice neighbours for 2D and 2.5D); voxels without an ROI
 * neighbour do not count.  5 features for 2D (per slice, averaged), 2.5D (slices summed), 3D. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "texture.h"
#include "util.h"

enum { NF = 5 };
static const char *const names[NF] = {"coarseness", "contrast", "busyness", "complexity",
                                      "strength"};

/* s[i], n[i] for grey levels 1..ng of slice z (in_slice) or the volume (z < 0), added. */
static void ngtdm_count(const roi_t *r, int z, const tex_nbhd_t *nb, double *s, double *n)
{
    const int *d = r->dim;
    int z0 = z < 0 ? 0 : z, z1 = z < 0 ? d[2] : z + 1;
    for (int c = z0; c < z1; c++)
        for (int y = 0; y < d[1]; y++)
            for (int x = 0; x < d[0]; x++) {
                const int *v = r->level + tex_idx(d, x, y, c);
                int l = *v;
                if (!l) continue;
                double sum = 0;
                int w = 0, in = tex_nbhd_inside(d, nb, x, y, c);
                for (int q = 0; q < nb->n; q++) {
                    if (!in && !tex_nbhd_has(d, nb, q, x, y, c)) continue;
                    int m = v[nb->off[q]];
                    if (m) sum += m, w++;
                }
                if (!w) continue;
                s[l - 1] += fabs(l - sum / w);
                n[l - 1] += 1;
            }
}

static void ngtdm_features(const double *s, const double *n, int ng, double f[NF])
{
    double nvc = 0, ssum = 0, ps = 0;
    int ngp = 0;
    for (int i = 0; i < ng; i++) nvc += n[i], ssum += s[i], ngp += n[i] > 0;
    if (nvc == 0) {
        for (int k = 0; k < NF; k++) f[k] = NAN;
        return;
    }
    for (int i = 0; i < ng; i++) ps += n[i] / nvc * s[i];
    double con = 0, bden = 0, cpx = 0, str = 0;
    for (int i = 0; i < ng; i++) {
        if (n[i] == 0) continue;
        double pi = n[i] / nvc;
        for (int j = 0; j < ng; j++) {
            if (n[j] == 0) continue;
            double pj = n[j] / nvc, dij = i - j;
            con += pi * pj * dij * dij;
            bden += fabs((i + 1) * pi - (j + 1) * pj);
            cpx += fabs(dij) * (pi * s[i] + pj * s[j]) / (pi + pj);
            str += (pi + pj) * dij * dij;
        }
    }
    f[0] = ps > 0 ? 1.0 / ps : 1e6; /* IBSI's value for a uniform ROI */
    f[1] = ngp > 1 ? con / ((double)ngp * (ngp - 1)) * ssum / nvc : 0;
    f[2] = bden > 0 ? ps / bden : 0;
    f[3] = cpx / nvc;
    f[4] = ssum > 0 ? str / ssum : 0;
}

rgx_err feat_ngtdm(const roi_t *r, const feat_settings_t *st, featvec_t *out)
{
    int ng = r->n_levels > 0 ? r->n_levels : 1;
    int delta = st->ngtdm_distance > 0 ? st->ngtdm_distance : 1;
    double *s = NULL, *n = NULL, *s25 = NULL, *n25 = NULL, f[NF];
    tex_nbhd_t nb2 = {0}, nb3 = {0};
    rgx_err err;
    if ((err = tex_nbhd(r->dim, delta, 0, &nb2)) || (err = tex_nbhd(r->dim, delta, delta, &nb3)) ||
        (err = rgx_calloc(&s, (size_t)ng, sizeof *s)) ||
        (err = rgx_calloc(&n, (size_t)ng, sizeof *n)) ||
        (err = rgx_calloc(&s25, (size_t)ng, sizeof *s)) ||
        (err = rgx_calloc(&n25, (size_t)ng, sizeof *n)))
        goto out;
    if (st->texture_dims & (TEX_2D | TEX_2_5D)) {
        tex_avg_t avg = {0};
        for (int z = 0; z < r->dim[2]; z++) {
            memset(s, 0, (size_t)ng * sizeof *s), memset(n, 0, (size_t)ng * sizeof *n);
            ngtdm_count(r, z, &nb2, s, n);
            double nz = 0;
            for (int i = 0; i < ng; i++) s25[i] += s[i], n25[i] += n[i], nz += n[i];
            if (nz > 0) ngtdm_features(s, n, ng, f), tex_avg_add(&avg, f, NF);
        }
        if (st->texture_dims & TEX_2D) {
            for (int k = 0; k < NF; k++) f[k] = tex_avg_get(&avg, k);
            if ((err = tex_emit(out, "ngt", names, NF, f, "_2D"))) goto out;
        }
        if (st->texture_dims & TEX_2_5D) {
            ngtdm_features(s25, n25, ng, f);
            if ((err = tex_emit(out, "ngt", names, NF, f, "_2_5D"))) goto out;
        }
    }
    if (st->texture_dims & TEX_3D) {
        memset(s, 0, (size_t)ng * sizeof *s), memset(n, 0, (size_t)ng * sizeof *n);
        ngtdm_count(r, -1, &nb3, s, n);
        ngtdm_features(s, n, ng, f);
        if ((err = tex_emit(out, "ngt", names, NF, f, "_3D"))) goto out;
    }
out:
    free(s), free(n), free(s25), free(n25);
    tex_nbhd_free(&nb2), tex_nbhd_free(&nb3);
    return err;
}
