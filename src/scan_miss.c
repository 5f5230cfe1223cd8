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
 * (zeros when nr = 0), with
 * g_k = row rows[k] - row0 of the tile Gt (SCAN_MISS_TILE doubles a row) and the weights w[k]
 * = row rows[k] of the covariates, zero-padded to qpad (a multiple of 6; one copy for every
 * group, small enough to stay in cache with the tile).  Four vectors of eight variants times
 * six weights and the squares are 28 accumulators, all in registers: per missing row, four
 * loads and six broadcasts feed 28 multiply-adds.  The caller walks the groups inside a tile
 * of variants, so the tile stays in cache for all of them.  Each sum runs over k in order
 * from zero.  Compiled for AVX-512, AVX2 + FMA and plain x86-64, chosen at run time. */
__attribute__((target_clones("avx512f", "arch=haswell", "default"))) static void
miss_tile(const size_t *rows, size_t nr, size_t row0, const double *w, size_t qpad, size_t q,
          const double *Gt, size_t jc, double *x)
{
    const v8d zero = {0};
    for (size_t a0 = 0; a0 < qpad; a0 += 6) {
        v8d s00 = zero, s01 = zero, s02 = zero, s03 = zero, s10 = zero, s11 = zero, s12 = zero,
            s13 = zero, s20 = zero, s21 = zero, s22 = zero, s23 = zero, s30 = zero, s31 = zero,
            s32 = zero, s33 = zero, s40 = zero, s41 = zero, s42 = zero, s43 = zero, s50 = zero,
            s51 = zero, s52 = zero, s53 = zero, q0 = zero, q1 = zero, q2 = zero, q3 = zero;
        for (size_t k = 0; k < nr; k++) {
            const double *r = Gt + (rows[k] - row0) * SCAN_MISS_TILE,
                         *wk = w + rows[k] * qpad + a0;
            if (k + 6 < nr) { /* the row six ahead, from L2 while these multiply */
                const double *pr = Gt + (rows[k + 6] - row0) * SCAN_MISS_TILE;
                __builtin_prefetch(pr), __builtin_prefetch(pr + 8), __builtin_prefetch(pr + 16),
                    __builtin_prefetch(pr + 24);
            }
            v8d g0, g1, g2, g3;
            memcpy(&g0, r, 64), memcpy(&g1, r + 8, 64), memcpy(&g2, r + 16, 64),
                memcpy(&g3, r + 24, 64);
            double w0 = wk[0], w1 = wk[1], w2 = wk[2], w3 = wk[3], w4 = wk[4], w5 = wk[5];
            s00 += w0 * g0, s01 += w0 * g1, s02 += w0 * g2, s03 += w0 * g3;
            s10 += w1 * g0, s11 += w1 * g1, s12 += w1 * g2, s13 += w1 * g3;
            s20 += w2 * g0, s21 += w2 * g1, s22 += w2 * g2, s23 += w2 * g3;
            s30 += w3 * g0, s31 += w3 * g1, s32 += w3 * g2, s33 += w3 * g3;
            s40 += w4 * g0, s41 += w4 * g1, s42 += w4 * g2, s43 += w4 * g3;
            s50 += w5 * g0, s51 += w5 * g1, s52 += w5 * g2, s53 += w5 * g3;
            if (a0 == 0) q0 += g0 * g0, q1 += g1 * g1, q2 += g2 * g2, q3 += g3 * g3;
        }
        PUT4(a0, q, s00, s01, s02, s03);
        PUT4(a0 + 1, q, s10, s11, s12, s13);
        PUT4(a0 + 2, q, s20, s21, s22, s23);
        PUT4(a0 + 3, q, s30, s31, s32, s33);
        PUT4(a0 + 4, q, s40, s41, s42, s43);
        PUT4(a0 + 5, q, s50, s51, s52, s53);
        if (a0 == 0) PUT4(q, q + 1, q0, q1, q2, q3); /* the squares: row q */
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
        double *Gt = scratch + j0 * nrows; /* this tile */
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
            miss_tile(k1 > k0 ? gr->miss + k0 : NULL, k1 - k0, row0, m->cpad, m->qpad, q, Gt, jc,
                      X + scan_x_at(m, gr->slot, j0));
        }
    }
}
