/* pca_king.c — see pca_king.h. */
#include "pca_king.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Per sample, three bit planes over the variants: heterozygous, hom REF, hom ALT. */
enum { PLANES = 3 };

static rgx_err build_planes(const pca_geno_t *G, const size_t *sel, size_t ms, const pca_tiles_t *T,
                            size_t W, uint64_t *mine)
{
    uint8_t *c = NULL;
    rgx_err err = rgx_calloc(&c, PCA_TILE, 1);
    for (size_t mt = 0; mt < T->n_mine && !err; mt++) {
        size_t k = T->mine[mt], r0 = T->row_of_tile[k], n = T->tile[k].n;
        for (size_t v = 0; v < ms; v++) {
            pca_geno_calls(G, mt, sel[v], c);
            uint64_t bit = (uint64_t)1 << (v % 64);
            for (size_t i = 0; i < n; i++) {
                static const int plane[4] = {1, 0, 2, -1}; /* REF hom, het, ALT hom, missing */
                int p = plane[c[i]];
                if (p >= 0) mine[((r0 + i) * PLANES + (size_t)p) * W + v / 64] |= bit;
            }
        }
    }
    free(c);
    return err;
}

static king_pair_t pair_of(const uint64_t *a, const uint64_t *b, size_t W, size_t i, size_t j)
{
    long hh = 0, i0 = 0, h1 = 0, h2 = 0, nm = 0;
    const uint64_t *ha = a, *ra = a + W, *aa = a + 2 * W, *hb = b, *rb = b + W, *ab = b + 2 * W;
    for (size_t w = 0; w < W; w++) {
        uint64_t oa = ha[w] | ra[w] | aa[w], ob = hb[w] | rb[w] | ab[w], both = oa & ob;
        nm += __builtin_popcountll(both);
        hh += __builtin_popcountll(ha[w] & hb[w]);
        i0 += __builtin_popcountll((ra[w] & ab[w]) | (aa[w] & rb[w]));
        h1 += __builtin_popcountll(ha[w] & ob);
        h2 += __builtin_popcountll(hb[w] & oa);
    }
    long mn = h1 < h2 ? h1 : h2;
    double kin = mn > 0 ? (double)(hh - 2 * i0) / (2.0 * (double)mn) + 0.5 -
                              (double)(h1 + h2) / (4.0 * (double)mn)
                        : 0;
    return (king_pair_t){
        i, j, (double)nm, nm ? (double)hh / (double)nm : 0, nm ? (double)i0 / (double)nm : 0, kin};
}

static int by_pair(const void *x, const void *y)
{
    const king_pair_t *a = x, *b = y;
    if (a->i != b->i) return a->i < b->i ? -1 : 1;
    return (a->j > b->j) - (a->j < b->j);
}

/* Every rank gets every rank's pairs, sorted. */
static rgx_err gather(const pca_tiles_t *T, king_pair_t *mine, size_t nmine, king_pair_t **all,
                      size_t *nall)
{
    int P = T->size, my = (int)(nmine * sizeof *mine), *len = NULL, *dsp = NULL;
    rgx_err err = rgx_calloc(&len, (size_t)P, sizeof *len);
    if (!err) err = rgx_calloc(&dsp, (size_t)P, sizeof *dsp);
    if (err) goto out;
    MPI_Allgather(&my, 1, MPI_INT, len, 1, MPI_INT, T->comm);
    size_t tot = 0;
    for (int r = 0; r < P; r++) dsp[r] = (int)tot, tot += (size_t)len[r];
    *nall = tot / sizeof **all;
    if ((err = rgx_calloc(all, *nall ? *nall : 1, sizeof **all))) goto out;
    MPI_Allgatherv(mine, my, MPI_BYTE, *all, len, dsp, MPI_BYTE, T->comm);
    qsort(*all, *nall, sizeof **all, by_pair);
out:
    free(len), free(dsp);
    return err;
}

rgx_err pca_king(const pca_geno_t *G, const size_t *sel, size_t ms, const pca_tiles_t *T,
                 double filter, king_pair_t **pairs, size_t *np, size_t *n_all)
{
    size_t W = (ms + 63) / 64, per = PLANES * W, n = T->n, cap = 0, nmine = 0;
    uint64_t *own = NULL, *all = NULL;
    king_pair_t *mine = NULL;
    int one_file = T->n_sites == 1;
    rgx_err err = rgx_calloc(&own, (T->n_rows ? T->n_rows : 1) * per, sizeof *own);
    if (!err) err = build_planes(G, sel, ms, T, W, own);
    /* One file: every rank gets every sample's planes (rows are contiguous by rank). */
    if (!err && one_file) {
        int P = T->size, *cnt = NULL, *dsp = NULL;
        if (!(err = rgx_calloc(&all, (n ? n : 1) * per, sizeof *all)) &&
            !(err = rgx_calloc(&cnt, (size_t)P, sizeof *cnt)) &&
            !(err = rgx_calloc(&dsp, (size_t)P, sizeof *dsp))) {
            for (size_t k = 0; k < T->nt; k++) cnt[T->tile[k].owner] += (int)(T->tile[k].n * per);
            for (int r = 1; r < P; r++) dsp[r] = dsp[r - 1] + cnt[r - 1];
            MPI_Allgatherv(own, (int)(T->n_rows * per), MPI_UINT64_T, all, cnt, dsp, MPI_UINT64_T,
                           T->comm);
        }
        free(cnt), free(dsp);
    }
    *n_all = 0;
    for (size_t s = 0; s < T->n_sites && !err; s++) {
        size_t a = T->site_row[s], b = T->site_row[s + 1];
        *n_all += (b - a) * (b - a - (b > a)) / 2;
        if (!one_file && pca_tiles_site_owner(T, s) != T->rank) continue;
        /* Sites: the site's rows are this rank's, from the site's first tile on. */
        const uint64_t *base = all;
        size_t off = 0;
        if (!one_file) {
            size_t k = 0;
            while (T->tile[k].site != s) k++;
            base = own, off = T->row_of_tile[k] - a;
        }
        for (size_t i = a; i < b && !err; i++) {
            if (one_file && (int)(i % (size_t)T->size) != T->rank) continue;
            for (size_t j = i + 1; j < b && !err; j++) {
                king_pair_t p = pair_of(base + (i + off) * per, base + (j + off) * per, W, i, j);
                if (!(p.kinship > filter)) continue;
                if (!(err = rgx_reserve(&mine, &cap, nmine + 1, sizeof *mine))) mine[nmine++] = p;
            }
        }
    }
    int bad = err != RGX_OK;
    MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, T->comm);
    if (!bad)
        err = gather(T, mine, nmine, pairs, np);
    else if (!err)
        err = rgx_fail(RGX_ERR_MEMORY, "another rank ran out of memory in KING");
    free(own), free(all), free(mine);
    return err;
}

size_t pca_king_unrelated(const king_pair_t *pairs, size_t np, double threshold, size_t n,
                          char *drop)
{
    size_t *deg = calloc(n ? n : 1, sizeof *deg), removed = 0;
    if (!deg) return 0;
    memset(drop, 0, n);
    for (;;) {
        memset(deg, 0, n * sizeof *deg);
        for (size_t k = 0; k < np; k++)
            if (pairs[k].kinship > threshold && !drop[pairs[k].i] && !drop[pairs[k].j])
                deg[pairs[k].i]++, deg[pairs[k].j]++;
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (deg[i] && (best == n || deg[i] >= deg[best])) best = i;
        if (best == n) break;
        drop[best] = 1, removed++;
    }
    free(deg);
    return removed;
}
