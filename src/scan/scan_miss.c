/* scan_miss.c — the sparse missingness groups' sums (see scan.h).
 *
 * Compiled on its own with -ffp-contract=fast (Makefile): its multiply-adds become FMAs
 * where the CPU has them (the AVX-512 and Haswell clones), which halves the kernel's
 * instructions.  The bits then depend on the clone, that is on the CPU type, as OpenBLAS's
 * own kernels already make the GEMMs do; on one machine type every rank runs the same clone,
 * so results stay identical for any number of ranks (DESIGN: reproducibility). */
#include <string.h>

#include "scan.h"

typedef double v8d __attribute__((vector_size(64)));

/* Row `row` of a tile's sums (if row < rows): whole vectors straight from the registers, or
 * the jc values of a short tile.  A macro: vectors as function arguments change the ABI of
 * the clones. */
#define PUT4(row, rows, v0, v1, v2, v3)                                                       \
    do {                                                                                      \
        if ((row) < (rows)) {                                                                 \
            double *xr_ = x + (row) * SCAN_TILE, t_[SCAN_MISS_TILE];                          \
            double *d_ = jc == SCAN_MISS_TILE ? xr_ : t_;                                     \
            memcpy(d_, &(v0), 64), memcpy(d_ + 8, &(v1), 64), memcpy(d_ + 16, &(v2), 64),     \
                memcpy(d_ + 24, &(v3), 64);                                                   \
            if (d_ == t_) memcpy(xr_, t_, jc * sizeof *t_);                                   \
        }                                                                                     \
    } while (0)

/* The sums over a sparse group's missing rows k, for the jc <= 32 variants of a tile:
 * x[a * SCAN_TILE + j] = sum_k w[k][a] g_k[j] (a < q), x[q * SCAN_TILE + j] = sum_k g_k[j]^2
 * (zeros when nr = 0), with g_k = row rows[k] - row0 of the tile Gt (SCAN_MISS_TILE doubles a
 * row) and the weights w[k] = row rows[k] of the covariates (rows q apart; one copy for
 * every group, small enough to stay in cache with the tile).  This block: the weights
 * a0 .. a0 + NW - 1 (NW <= 6), and the squares if SQ.  Four vectors of eight variants times
 * NW weights, plus the squares, are at most 28 accumulators, all in registers: per missing
 * row, four loads and NW broadcasts feed them.  NW and SQ are constants wherever it is
 * inlined, so no multiply-add is spent on padding.  Each sum runs over k in order from zero. */
static inline __attribute__((always_inline)) void
miss_block(const size_t *rows, size_t nr, size_t row0, const double *w, size_t a0,
           const int NW, const int SQ, size_t q, const double *Gt, size_t jc, double *x)
{
    const v8d zero = {0};
    v8d s[6][4], sq[4];
#pragma GCC unroll 6
    for (int a = 0; a < NW; a++)
#pragma GCC unroll 4
        for (int v = 0; v < 4; v++) s[a][v] = zero;
#pragma GCC unroll 4
    for (int v = 0; v < 4; v++) sq[v] = zero;
    for (size_t k = 0; k < nr; k++) {
        const double *r = Gt + (rows[k] - row0) * SCAN_MISS_TILE, *wk = w + rows[k] * q + a0;
        if (k + 6 < nr) { /* the row six ahead, from L2 while these multiply */
            const double *pr = Gt + (rows[k + 6] - row0) * SCAN_MISS_TILE;
            __builtin_prefetch(pr), __builtin_prefetch(pr + 8), __builtin_prefetch(pr + 16),
                __builtin_prefetch(pr + 24);
        }
        v8d g[4];
        memcpy(&g[0], r, 64), memcpy(&g[1], r + 8, 64), memcpy(&g[2], r + 16, 64),
            memcpy(&g[3], r + 24, 64);
#pragma GCC unroll 6
        for (int a = 0; a < NW; a++) {
            double wa = wk[a];
#pragma GCC unroll 4
            for (int v = 0; v < 4; v++) s[a][v] += wa * g[v];
        }
        if (SQ) {
#pragma GCC unroll 4
            for (int v = 0; v < 4; v++) sq[v] += g[v] * g[v];
        }
    }
#pragma GCC unroll 6
    for (int a = 0; a < NW; a++) PUT4(a0 + (size_t)a, q, s[a][0], s[a][1], s[a][2], s[a][3]);
    if (SQ) PUT4(q, q + 1, sq[0], sq[1], sq[2], sq[3]);
}

/* A group's sums for a tile (x: its rows for the tile): six weights at a time, the squares
 * with the first six.  Compiled for AVX-512, AVX2 + FMA and plain x86-64, chosen at run
 * time. */
__attribute__((target_clones("avx512f", "arch=haswell", "default"))) static void
miss_tile(const size_t *rows, size_t nr, size_t row0, const double *w, size_t q,
          const double *Gt, size_t jc, double *x)
{
    for (size_t a0 = 0; a0 < q; a0 += 6) {
        int nw = q - a0 < 6 ? (int)(q - a0) : 6, sq = a0 == 0;
#define MB(n, s) \
    case 2 * (n) + (s): miss_block(rows, nr, row0, w, a0, n, s, q, Gt, jc, x); break
        switch (2 * nw + sq) {
            MB(1, 0); MB(2, 0); MB(3, 0); MB(4, 0); MB(5, 0); MB(6, 0);
            MB(1, 1); MB(2, 1); MB(3, 1); MB(4, 1); MB(5, 1); MB(6, 1);
        }
#undef MB
    }
}

/* G transposed tile by tile: a tile holds nrows rows of SCAN_MISS_TILE variants (zeros after
 * the last variant), 256 bytes a row, the tile contiguous.  A group's missing rows are
 * scattered; with G transposed whole (rows b doubles apart) each of them was on its own page,
 * and a tile's two thousand pages missed the TLB on every group. */
void scan_sparse_sums(const scan_model_t *m, const double *G, size_t b, size_t row0,
                      size_t nrows, double *scratch, double *X)
{
    size_t q = m->q;
    for (size_t j0 = 0; j0 < b; j0 += SCAN_MISS_TILE) {
        size_t jc = b - j0 < SCAN_MISS_TILE ? b - j0 : SCAN_MISS_TILE;
        double *Gt = scratch; /* this tile (consumed before the next) */
        for (size_t i0 = 0; i0 < nrows; i0 += SCAN_MISS_TILE) /* in cache-sized squares */
            for (size_t j = 0; j < SCAN_MISS_TILE; j++)
                for (size_t i = i0; i < i0 + SCAN_MISS_TILE && i < nrows; i++)
                    Gt[i * SCAN_MISS_TILE + j] = j < jc ? G[(j0 + j) * nrows + i] : 0;
        for (size_t g = 0; g < m->n_groups; g++) { /* every sparse group: X is not cleared */
            const scan_group_t *gr = &m->g[g];
            if (!gr->sparse) continue;
            size_t k0 = 0, k1 = gr->n_miss; /* its missing rows within this row range */
            while (k0 < k1 && gr->miss[k0] < row0) k0++;
            while (k1 > k0 && gr->miss[k1 - 1] >= row0 + nrows) k1--;
            miss_tile(k1 > k0 ? gr->miss + k0 : NULL, k1 - k0, row0, m->cov, q, Gt, jc,
                      X + scan_x_at(m, gr->slot, j0));
        }
    }
}
