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
    qsort(js, n, sizeof *js, rgx_cmp_int);
    size_t nj = 0;
    for (size_t k = 0; k < n; k++)
        if (k == 0 || js[k] != js[nj - 1]) js[nj++] = js[k];
    if ((err = rgx_calloc(&jv, nj, sizeof *jv)) ||
        (err = rgx_calloc(&m, (size_t)ng * nj, sizeof *m)))
        goto out;
    for (size_t c = 0; c < nj; c++) jv[c] = js[c];
    for (size_t k = 0; k < n; k++) {
        const int *hit = bsearch(&j[k], js, nj, sizeof *js, rgx_cmp_int);
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

static rgx_err zones_push(tex_zones_t *zs, int gl, int size, int dist)
{
    if (zs->n == zs->cap) {
        size_t cap = zs->cap ? 2 * zs->cap : 256;
        int *a = realloc(zs->gl, cap * sizeof *a);
        if (!a) return rgx_fail(RGX_ERR_MEMORY, "out of memory for %zu zones", cap);
        zs->gl = a;
        if (!(a = realloc(zs->size, cap * sizeof *a)))
            return rgx_fail(RGX_ERR_MEMORY, "out of memory for %zu zones", cap);
        zs->size = a;
        if (!(a = realloc(zs->dist, cap * sizeof *a)))
            return rgx_fail(RGX_ERR_MEMORY, "out of memory for %zu zones", cap);
        zs->dist = a;
        zs->cap = cap;
    }
    zs->gl[zs->n] = gl, zs->size[zs->n] = size, zs->dist[zs->n] = dist;
    zs->n++;
    zs->voxels += (size_t)size;
    return RGX_OK;
}

rgx_err tex_nbhd(const int *d, int delta, int dz, tex_nbhd_t *nb)
{
    int w = 2 * delta + 1, most = w * w * (2 * dz + 1) - 1;
    nb->n = 0, nb->delta = delta, nb->dz = dz, nb->off = NULL, nb->step = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&nb->off, (size_t)most, sizeof *nb->off)) ||
        (err = rgx_calloc(&nb->step, (size_t)most, sizeof *nb->step))) {
        tex_nbhd_free(nb);
        return err;
    }
    for (int c = -dz; c <= dz; c++)
        for (int b = -delta; b <= delta; b++)
            for (int a = -delta; a <= delta; a++) {
                if (!a && !b && !c) continue;
                nb->off[nb->n] = a + (ptrdiff_t)d[0] * (b + (ptrdiff_t)d[1] * c);
                nb->step[nb->n][0] = a, nb->step[nb->n][1] = b, nb->step[nb->n++][2] = c;
            }
    return RGX_OK;
}

void tex_nbhd_free(tex_nbhd_t *nb)
{
    free(nb->off), free(nb->step);
    nb->off = NULL, nb->step = NULL, nb->n = 0;
}

rgx_err tex_padded(const int *d, const int *field, int z0, int nz, int pad_z, int **out)
{
    size_t np = ((size_t)d[0] + 2) * ((size_t)d[1] + 2) * ((size_t)nz + 2 * (size_t)pad_z);
    rgx_err err = rgx_calloc(out, np, sizeof **out);
    for (int k = 0; !err && k < nz; k++)
        for (int y = 0; y < d[1]; y++)
            memcpy(*out + tex_padded_idx(d, 0, y, k, pad_z), field + tex_idx(d, 0, y, z0 + k),
                   (size_t)d[0] * sizeof **out);
    return err;
}

rgx_err tex_find_zones(const roi_t *r, int z, const int *dmap, tex_zones_t *zs)
{
    const int *d = r->dim;
    int z0 = z < 0 ? 0 : z, nz = z < 0 ? d[2] : 1, dz = z < 0 ? 1 : 0;
    /* The levels (and distances) on a padded grid (in-plane only for a slice): a voxel's
     * neighbours are fixed offsets, and a voxel is taken by zeroing its level in the copy. */
    size_t px = (size_t)d[0] + 2, py = (size_t)d[1] + 2;
    size_t n = (size_t)d[0] * (size_t)d[1] * (size_t)nz;
    int *lev = NULL, *dist = NULL;
    size_t *stack = NULL;
    rgx_err err;
    if ((err = tex_padded(d, r->level, z0, nz, dz, &lev)) ||
        (dmap && (err = tex_padded(d, dmap, z0, nz, dz, &dist))) ||
        (err = rgx_calloc(&stack, n, sizeof *stack)))
        goto out;
    ptrdiff_t nb[26];
    int nn = 0;
    for (int c = -dz; c <= dz; c++)
        for (int b = -1; b <= 1; b++)
            for (int a = -1; a <= 1; a++)
                if (a || b || c) nb[nn++] = a + (ptrdiff_t)px * (b + (ptrdiff_t)py * c);
    for (int k = 0; k < nz; k++)
        for (int y = 0; y < d[1]; y++)
            for (int x = 0; x < d[0]; x++) {
                size_t s0 = tex_padded_idx(d, x, y, k, dz);
                int l = lev[s0];
                if (!l) continue;
                size_t top = 0;
                int size = 0, dmin = 0;
                stack[top++] = s0;
                lev[s0] = 0;
                while (top) {
                    size_t v = stack[--top];
                    size++;
                    if (dist && (dmin == 0 || dist[v] < dmin)) dmin = dist[v];
                    for (int q = 0; q < nn; q++) {
                        size_t w = v + (size_t)nb[q];
                        if (lev[w] != l) continue;
                        lev[w] = 0;
                        stack[top++] = w;
                    }
                }
                if ((err = zones_push(zs, l, size, dmin))) goto out;
            }
out:
    free(lev), free(dist), free(stack);
    return err;
}

void tex_zones_free(tex_zones_t *zs)
{
    free(zs->gl), free(zs->size), free(zs->dist);
    memset(zs, 0, sizeof *zs);
}

void tex_border_distance(const roi_t *r, int in_slice, int *dmap)
{
    const int *d = r->dim;
    size_t sx = 1, sy = (size_t)d[0], sz = (size_t)d[0] * (size_t)d[1];
    /* Two raster passes give the exact city-block distance for 4/6-neighbourhoods. */
    for (int z = 0; z < d[2]; z++)
        for (int y = 0; y < d[1]; y++)
            for (int x = 0; x < d[0]; x++) {
                size_t v = tex_idx(d, x, y, z);
                if (!r->morph[v]) {
                    dmap[v] = 0;
                    continue;
                }
                int m = x > 0 ? dmap[v - sx] : 0;
                if (y == 0 || dmap[v - sy] < m) m = y > 0 ? dmap[v - sy] : 0;
                if (!in_slice && (z == 0 || dmap[v - sz] < m)) m = z > 0 ? dmap[v - sz] : 0;
                dmap[v] = m + 1;
            }
    for (int z = d[2] - 1; z >= 0; z--)
        for (int y = d[1] - 1; y >= 0; y--)
            for (int x = d[0] - 1; x >= 0; x--) {
                size_t v = tex_idx(d, x, y, z);
                if (!dmap[v]) continue;
                int m = x < d[0] - 1 ? dmap[v + sx] : 0;
                if (y == d[1] - 1 || dmap[v + sy] < m) m = y < d[1] - 1 ? dmap[v + sy] : 0;
                if (!in_slice && (z == d[2] - 1 || dmap[v + sz] < m))
                    m = z < d[2] - 1 ? dmap[v + sz] : 0;
                if (m + 1 < dmap[v]) dmap[v] = m + 1;
            }
}

rgx_err tex_zone_family(const roi_t *r, const feat_settings_t *s, int by_distance,
                        const char *prefix, const char *const *names, featvec_t *out)
{
    enum { NF = 16 };
    size_t nv = (size_t)r->dim[0] * (size_t)r->dim[1] * (size_t)r->dim[2];
    int ng = r->n_levels > 0 ? r->n_levels : 1;
    int *dmap = NULL;
    tex_zones_t zs = {0};
    double f[TEX_ZONE_NF];
    rgx_err err = RGX_OK;
    if (by_distance && (err = rgx_calloc(&dmap, nv, sizeof *dmap))) return err;
    if (s->texture_dims & (TEX_2D | TEX_2_5D)) {
        if (dmap) tex_border_distance(r, 1, dmap);
        tex_avg_t avg = {0};
        for (int z = 0; z < r->dim[2]; z++) {
            size_t first = zs.n, v0 = zs.voxels;
            if ((err = tex_find_zones(r, z, dmap, &zs))) goto out;
            if (zs.n == first) continue;
            err = tex_zone_list_features(zs.gl + first, (by_distance ? zs.dist : zs.size) + first,
                                         zs.n - first, ng, (double)(zs.voxels - v0), f);
            if (err) goto out;
            tex_avg_add(&avg, f, NF);
        }
        if (s->texture_dims & TEX_2D) {
            for (int k = 0; k < NF; k++) f[k] = tex_avg_get(&avg, k);
            if ((err = tex_emit(out, prefix, names, NF, f, "_2D"))) goto out;
        }
        if (s->texture_dims & TEX_2_5D) {
            if ((err = tex_zone_list_features(zs.gl, by_distance ? zs.dist : zs.size, zs.n, ng,
                                              (double)zs.voxels, f)) ||
                (err = tex_emit(out, prefix, names, NF, f, "_2_5D")))
                goto out;
        }
    }
    if (s->texture_dims & TEX_3D) {
        tex_zones_free(&zs);
        if (dmap) tex_border_distance(r, 0, dmap);
        if ((err = tex_find_zones(r, -1, dmap, &zs)) ||
            (err = tex_zone_list_features(zs.gl, by_distance ? zs.dist : zs.size, zs.n, ng,
                                          (double)zs.voxels, f)) ||
            (err = tex_emit(out, prefix, names, NF, f, "_3D")))
            goto out;
    }
out:
    tex_zones_free(&zs);
    free(dmap);
    return err;
}
