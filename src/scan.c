/* scan.c — see scan.h. */
#include "scan.h"

#include <gsl/gsl_cblas.h> /* the CBLAS API; linked to OpenBLAS (make check-blas) */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tdist.h"
#include "util.h"

/* ---- the model ---- */

enum { JT = 128 }; /* variants per tile of scan_block_finish */

/* Doubles of scan_block_finish's scratch: g~'g~ of a tile for every group, then gtg_tile's. */
static size_t fin_len(size_t n_groups, size_t q)
{
    return JT * n_groups + (2 * q + 4) * JT;
}

/* FNV-1a of a column's missingness bits: groups are found by hash, then confirmed. */
static uint64_t pattern_hash(const uint64_t *bits, size_t w)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < w; i++) h = (h ^ bits[i]) * 1099511628211u;
    return h;
}

/* A group is sparse when its missing rows cost less as corrections (a few flops each, outside
 * the GEMM) than its q masked columns cost inside the GEMM. */
static int is_sparse(size_t n_miss, size_t n)
{
    return n_miss * 6 <= n;
}

rgx_err scan_model_init(scan_model_t *m, const double *Y, size_t n, size_t p, const int *keep,
                        const double *C, size_t q)
{
    memset(m, 0, sizeof *m);
    m->n = n, m->q = q;
    rgx_err err = RGX_OK;
    size_t *cols = NULL, *rep = NULL; /* kept columns of Y; each group's first kept column */
    uint64_t *rep_hash = NULL, *bits = NULL;
    if ((err = rgx_calloc(&cols, p ? p : 1, sizeof *cols))) return err;
    for (size_t j = 0; j < p; j++)
        if (keep[j]) cols[m->p++] = j;
    size_t P = m->p ? m->p : 1;
    if ((err = rgx_calloc(&m->ytil, n * P, sizeof *m->ytil)) ||
        (err = rgx_calloc(&m->yty, P, sizeof *m->yty)) ||
        (err = rgx_calloc(&m->group, P, sizeof *m->group)) ||
        (err = rgx_calloc(&m->n_obs, P, sizeof *m->n_obs)) ||
        (err = rgx_calloc(&m->g, P, sizeof *m->g)) || (err = rgx_calloc(&rep, P, sizeof *rep)) ||
        (err = rgx_calloc(&rep_hash, P, sizeof *rep_hash)))
        goto out;
    /* Each kept column's missingness as bits, built row by row (Y is row-major: walking a
     * column strides across all of it). */
    size_t W = (n + 63) / 64;
    if ((err = rgx_calloc(&bits, P * (W ? W : 1), sizeof *bits))) goto out;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < m->p; k++)
            if (isnan(Y[i * p + cols[k]])) bits[k * W + i / 64] |= (uint64_t)1 << (i % 64);
    /* Groups of identical missingness, in the order of their first phenotype. */
    for (size_t k = 0; k < m->p; k++) {
        uint64_t hk = pattern_hash(bits + k * W, W);
        size_t g;
        for (g = 0; g < m->n_groups; g++)
            if (rep_hash[g] == hk && !memcmp(bits + rep[g] * W, bits + k * W, W * sizeof *bits))
                break;
        if (g == m->n_groups) rep_hash[g] = hk, rep[m->n_groups++] = k;
        m->group[k] = (int)g;
    }
    size_t G = m->n_groups;
    for (size_t g = 0; g < G; g++) {
        size_t obs = n;
        for (size_t w = 0; w < W; w++) obs -= (size_t)__builtin_popcountll(bits[rep[g] * W + w]);
        scan_group_t *gr = &m->g[g];
        gr->sparse = is_sparse(n - obs, n);
        gr->slot = gr->sparse ? m->n_sparse++ : m->n_dense++;
    }
    m->rhs_cols = m->p + q + m->n_dense * q;
    m->qpad = (q + 5) / 6 * 6;
    m->mask_cols = 1 + m->n_dense;
    if ((err = rgx_calloc(&m->rhs, n * m->rhs_cols, sizeof *m->rhs)) ||
        (err = rgx_calloc(&m->masks, n * m->mask_cols, sizeof *m->masks)) ||
        (err = rgx_calloc(&m->tails, G ? G : 1, sizeof *m->tails)) ||
        (err = rgx_calloc(&m->cpad, n * m->qpad, sizeof *m->cpad)))
        goto out;
    for (size_t i = 0; i < n; i++) {
        memcpy(m->cpad + i * m->qpad, C + i * q, q * sizeof *C);
        m->masks[i * m->mask_cols] = 1;
        for (size_t a = 0; a < q; a++) m->rhs[i * m->rhs_cols + m->p + a] = C[i * q + a];
    }
    gsl_matrix *A = gsl_matrix_alloc(q, q), *inv = gsl_matrix_alloc(q, q);
    gsl_permutation *perm = gsl_permutation_alloc(q);
    for (size_t g = 0; g < G && !err; g++) {
        scan_group_t *gr = &m->g[g];
        if ((err = rgx_calloc(&gr->mask, n, sizeof *gr->mask)) ||
            (err = rgx_calloc(&gr->ctc_inv, q * q, sizeof *gr->ctc_inv)) ||
            (gr->sparse && (err = rgx_calloc(&gr->miss, n, sizeof *gr->miss))))
            break;
        const uint64_t *gb = bits + rep[g] * W; /* the group's first phenotype's bits */
        for (size_t i = 0; i < n; i++)
            if (!(gb[i / 64] >> (i % 64) & 1)) {
                gr->mask[i] = 1;
                gr->n_rows++;
            } else if (gr->sparse) {
                gr->miss[gr->n_miss++] = i;
            }
        if (gr->sparse && gr->n_miss) m->any_miss = 1;
        /* C'C over the group's rows (row by row, each entry summed in row order), inverted by
         * LU (q is small). */
        double *ctc = gr->ctc_inv; /* C'C summed here first (a plain array: no call per term) */
        for (size_t i = 0; i < n; i++)
            if (gr->mask[i])
                for (size_t a = 0; a < q; a++)
                    for (size_t b = 0; b < q; b++) ctc[a * q + b] += C[i * q + a] * C[i * q + b];
        for (size_t a = 0; a < q; a++)
            for (size_t b = 0; b < q; b++) gsl_matrix_set(A, a, b, ctc[a * q + b]);
        int sign;
        gsl_set_error_handler_off();
        if (gsl_linalg_LU_decomp(A, perm, &sign) || fabs(gsl_linalg_LU_det(A, sign)) < 1e-300 ||
            gsl_linalg_LU_invert(A, perm, inv)) {
            err = rgx_fail(RGX_ERR_NUMERIC,
                           "the covariates are collinear on the %zu samples of "
                           "phenotype group %zu",
                           gr->n_rows, g + 1);
            break;
        }
        for (size_t a = 0; a < q; a++)
            for (size_t b = 0; b < q; b++) gr->ctc_inv[a * q + b] = gsl_matrix_get(inv, a, b);
        if (!gr->sparse)
            for (size_t i = 0; i < n; i++) {
                m->masks[i * m->mask_cols + 1 + gr->slot] = gr->mask[i];
                for (size_t a = 0; a < q; a++)
                    m->rhs[i * m->rhs_cols + m->p + q + gr->slot * q + a] = gr->mask[i] ? C[i * q + a] : 0;
            }
        /* One t-tail table per distinct df (groups of equal size share it). */
        double df = (double)gr->n_rows - (double)q - 1;
        size_t t;
        for (t = 0; t < m->n_tails; t++)
            if (m->tails[t].df == df) break;
        if (t == m->n_tails) tdist_table_init(&m->tails[m->n_tails++], df);
        gr->tail = t;
    }
    /* Residualise each phenotype on its group's covariates, all at once: with y0 = y with zeros
     * where missing, C_g'y = C'y0 (one GEMM for every phenotype), alpha = (C_g'C_g)^-1 C'y0,
     * and the residual y - C alpha on the group's rows (a second GEMM). */
    double *y0 = NULL, *cty_all = NULL, *al = NULL, *fit = NULL;
    if (!err && m->p &&
        !(err = rgx_calloc(&y0, n * m->p, sizeof *y0)) &&
        !(err = rgx_calloc(&cty_all, q * m->p, sizeof *cty_all)) &&
        !(err = rgx_calloc(&al, q * m->p, sizeof *al)) &&
        !(err = rgx_calloc(&fit, n * m->p, sizeof *fit))) {
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < m->p; k++) {
                double y = Y[i * p + cols[k]];
                y0[i * m->p + k] = isnan(y) ? 0 : y;
            }
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)q, (int)m->p, (int)n, 1.0, C,
                    (int)q, y0, (int)m->p, 0.0, cty_all, (int)m->p);
        for (size_t k = 0; k < m->p; k++) {
            const double *ci = m->g[m->group[k]].ctc_inv;
            for (size_t a = 0; a < q; a++) {
                double s = 0;
                for (size_t b = 0; b < q; b++) s += ci[a * q + b] * cty_all[b * m->p + k];
                al[a * m->p + k] = s;
            }
        }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)m->p, (int)q, 1.0, C,
                    (int)q, al, (int)m->p, 0.0, fit, (int)m->p);
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < m->p; k++) {
                double r = m->g[m->group[k]].mask[i] ? y0[i * m->p + k] - fit[i * m->p + k] : 0;
                m->ytil[i * m->p + k] = r;
                m->rhs[i * m->rhs_cols + k] = r;
                m->yty[k] += r * r;
            }
        for (size_t k = 0; k < m->p; k++) m->n_obs[k] = m->g[m->group[k]].n_rows;
    }
    free(y0), free(cty_all), free(al), free(fit);
    if (!err) err = rgx_calloc(&m->fin, fin_len(m->n_groups, q), sizeof *m->fin);
    if (!err && !(err = rgx_calloc(&m->ktail, P, sizeof *m->ktail)))
        for (size_t k = 0; k < m->p; k++) m->ktail[k] = &m->tails[m->g[m->group[k]].tail];
    gsl_matrix_free(A), gsl_matrix_free(inv), gsl_permutation_free(perm);
out:
    free(cols), free(rep), free(rep_hash), free(bits);
    if (err) scan_model_free(m);
    return err;
}

void scan_model_free(scan_model_t *m)
{
    for (size_t g = 0; m->g && g < m->n_groups; g++) {
        free(m->g[g].mask), free(m->g[g].ctc_inv), free(m->g[g].miss);
    }
    free(m->g), free(m->ytil), free(m->yty), free(m->group), free(m->n_obs), free(m->rhs),
        free(m->masks), free(m->tails), free(m->ktail), free(m->fin), free(m->cpad);
    memset(m, 0, sizeof *m);
}

/* ---- the block kernel ---- */

size_t scan_sums_len(const scan_model_t *m, size_t b)
{
    return b * (m->rhs_cols + m->mask_cols + m->n_sparse * (m->q + 1));
}

/* G transposed for the sparse groups' sums is nrows rows of b variants, a row apart by one
 * cache line more than b: with a stride of a power of two (b = 1,024: 8 KB) the rows of a
 * tile of variants fall into a sixteenth of the cache's sets and evict one another. */
static size_t gt_stride(size_t b)
{
    return b + 8;
}

size_t scan_scratch_len(size_t b, size_t n)
{
    return gt_stride(b) * n;
}

/* The sums over a sparse group's missing rows k, for the variants j0 .. j0 + jc - 1 (jc <= 32):
 * x[a * b + j] = sum_k w[k][a] g_k[j] (a < q) and x[q * b + j] = sum_k g_k[j]^2, with
 * g_k = row rows[k] - row0 of Gt (rows ldt apart) and the weights w[k] = row rows[k] of the
 * covariates, zero-padded to qpad (a multiple of 6; one copy for every group, small enough to
 * stay in cache with the tile).  Four vectors of eight variants times six weights and the
 * squares are 28 accumulators, all in registers: per missing row, four loads and six
 * broadcasts feed 28 multiply-adds.  The caller walks the groups inside a tile of variants,
 * so the tile's part of Gt stays in cache for all of them.  Each sum runs over k in order
 * from zero, as one at a time would (the clones give the same bits: no contraction).
 * Compiled for AVX-512, AVX2 and plain x86-64, chosen at run time. */
typedef double v8d __attribute__((vector_size(64)));
enum { MISS_TILE = 32 }; /* variants per tile: four vectors */

__attribute__((target_clones("avx512f", "avx2", "default"))) static void
miss_tile(const size_t *rows, size_t nr, size_t row0, const double *w, size_t qpad, size_t q,
          const double *Gt, size_t ldt, size_t b, size_t j0, size_t jc, double *x)
{
    const v8d zero = {0};
    for (size_t a0 = 0; a0 < qpad; a0 += 6) {
        v8d s00 = zero, s01 = zero, s02 = zero, s03 = zero, s10 = zero, s11 = zero, s12 = zero,
            s13 = zero, s20 = zero, s21 = zero, s22 = zero, s23 = zero, s30 = zero, s31 = zero,
            s32 = zero, s33 = zero, s40 = zero, s41 = zero, s42 = zero, s43 = zero, s50 = zero,
            s51 = zero, s52 = zero, s53 = zero, q0 = zero, q1 = zero, q2 = zero, q3 = zero;
        for (size_t k = 0; k < nr; k++) {
            const double *r = Gt + (rows[k] - row0) * ldt + j0, *wk = w + rows[k] * qpad + a0;
            v8d g0 = zero, g1 = zero, g2 = zero, g3 = zero;
            if (jc == MISS_TILE) {
                memcpy(&g0, r, 64), memcpy(&g1, r + 8, 64), memcpy(&g2, r + 16, 64),
                    memcpy(&g3, r + 24, 64);
            } else { /* the last, short tile: zeros after its end */
                double tail[MISS_TILE] = {0};
                memcpy(tail, r, jc * sizeof *r);
                memcpy(&g0, tail, 64), memcpy(&g1, tail + 8, 64), memcpy(&g2, tail + 16, 64),
                    memcpy(&g3, tail + 24, 64);
            }
            double w0 = wk[0], w1 = wk[1], w2 = wk[2], w3 = wk[3], w4 = wk[4], w5 = wk[5];
            s00 += w0 * g0, s01 += w0 * g1, s02 += w0 * g2, s03 += w0 * g3;
            s10 += w1 * g0, s11 += w1 * g1, s12 += w1 * g2, s13 += w1 * g3;
            s20 += w2 * g0, s21 += w2 * g1, s22 += w2 * g2, s23 += w2 * g3;
            s30 += w3 * g0, s31 += w3 * g1, s32 += w3 * g2, s33 += w3 * g3;
            s40 += w4 * g0, s41 += w4 * g1, s42 += w4 * g2, s43 += w4 * g3;
            s50 += w5 * g0, s51 += w5 * g1, s52 += w5 * g2, s53 += w5 * g3;
            if (a0 == 0) q0 += g0 * g0, q1 += g1 * g1, q2 += g2 * g2, q3 += g3 * g3;
        }
        v8d acc[7][4] = {{s00, s01, s02, s03}, {s10, s11, s12, s13}, {s20, s21, s22, s23},
                         {s30, s31, s32, s33}, {s40, s41, s42, s43}, {s50, s51, s52, s53},
                         {q0, q1, q2, q3}};
        for (size_t t = 0; t < jc; t++) {
            for (size_t a = 0; a < 6 && a0 + a < q; a++)
                x[(a0 + a) * b + j0 + t] = acc[a][t / 8][t % 8];
            if (a0 == 0) x[q * b + j0 + t] = acc[6][t / 8][t % 8];
        }
    }
}

void scan_block_sums(const scan_model_t *m, const double *G, size_t b, size_t row0, size_t nrows,
                     double *scratch, double *sums)
{
    size_t R = m->rhs_cols, MC = m->mask_cols, q = m->q;
    double *S = sums, *D = sums + b * R, *X = D + b * MC;
    memset(X, 0, m->n_sparse * (q + 1) * b * sizeof *X);
    if (!b || !nrows) {
        memset(sums, 0, b * (R + MC) * sizeof *sums);
        return;
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)R, (int)nrows, 1.0, G,
                (int)nrows, m->rhs + row0 * R, (int)R, 0.0, S, (int)R);
    for (size_t i = 0; i < b * nrows; i++) scratch[i] = G[i] * G[i];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)MC, (int)nrows, 1.0,
                scratch, (int)nrows, m->masks + row0 * MC, (int)MC, 0.0, D, (int)MC);
    /* Sparse groups: the sums over their missing rows, subtracted when finishing.  G
     * transposed first (rows of b variants), so that a missing row is a contiguous run of
     * each tile (miss_tile). */
    if (!m->any_miss) return;
    double *Gt = scratch; /* nrows x b, rows ldt apart */
    size_t ldt = gt_stride(b);
    enum { T = 32 };
    for (size_t j0 = 0; j0 < b; j0 += T)
        for (size_t i0 = 0; i0 < nrows; i0 += T)
            for (size_t j = j0; j < j0 + T && j < b; j++)
                for (size_t i = i0; i < i0 + T && i < nrows; i++) Gt[i * ldt + j] = G[j * nrows + i];
    for (size_t j0 = 0; j0 < b; j0 += MISS_TILE)
        for (size_t g = 0; g < m->n_groups; g++) {
            const scan_group_t *gr = &m->g[g];
            if (!gr->sparse || !gr->n_miss) continue;
            size_t k0 = 0, k1 = gr->n_miss; /* its missing rows within this row range */
            while (k0 < k1 && gr->miss[k0] < row0) k0++;
            while (k1 > k0 && gr->miss[k1 - 1] >= row0 + nrows) k1--;
            miss_tile(gr->miss + k0, k1 - k0, row0, m->cpad, m->qpad, q, Gt, ldt,
                      b, j0, b - j0 < MISS_TILE ? b - j0 : MISS_TILE, X + gr->slot * (q + 1) * b);
        }
}

/* g~'g~ of variants j0 .. j0 + jn - 1 (jn <= JT) for every group: out[jj * NG + gi].  For a
 * group, g~'g~ = g'g - (C_g'g)' (C_g'C_g)^-1 (C_g'g), with C_g'g and g'g from the block's
 * sums (all rows minus the group's missing rows when it is sparse).  Computed for the whole
 * tile at once, the variants in the innermost loops (vectorised; each value's operations in
 * the same order as one at a time); NaN where it is not positive (no test). */
static void gtg_tile(const scan_model_t *m, const double *sums, size_t b, size_t j0, size_t jn,
                     double *out, double *work)
{
    size_t q = m->q, R = m->rhs_cols, MC = m->mask_cols, NG = m->n_groups;
    const double *D = sums + b * R, *X = D + b * MC;
    /* cg[a][jj] at cg + a * JT + jj; rowc alike. */
    double *cg = work, *rowc = cg + q * JT, *d0 = rowc + q * JT, *gg = d0 + JT, *s = gg + JT,
           *quad = s + JT;
    for (size_t jj = 0; jj < jn; jj++) { /* C'g and g'g over all rows, for the sparse groups */
        for (size_t a = 0; a < q; a++) rowc[a * JT + jj] = sums[(j0 + jj) * R + m->p + a];
        d0[jj] = D[(j0 + jj) * MC];
    }
    for (size_t gi = 0; gi < NG; gi++) {
        const scan_group_t *gr = &m->g[gi];
        if (gr->sparse) {
            const double *x = X + gr->slot * (q + 1) * b + j0;
            for (size_t a = 0; a < q; a++)
                for (size_t jj = 0; jj < jn; jj++) cg[a * JT + jj] = rowc[a * JT + jj] - x[a * b + jj];
            for (size_t jj = 0; jj < jn; jj++) gg[jj] = d0[jj] - x[q * b + jj];
        } else {
            for (size_t jj = 0; jj < jn; jj++) {
                const double *row = sums + (j0 + jj) * R + m->p + q + gr->slot * q;
                for (size_t a = 0; a < q; a++) cg[a * JT + jj] = row[a];
                gg[jj] = D[(j0 + jj) * MC + 1 + gr->slot];
            }
        }
        const double *inv = gr->ctc_inv;
        for (size_t jj = 0; jj < jn; jj++) quad[jj] = 0;
        for (size_t a = 0; a < q; a++) {
            for (size_t jj = 0; jj < jn; jj++) s[jj] = 0;
            for (size_t c = 0; c < q; c++)
                for (size_t jj = 0; jj < jn; jj++) s[jj] += inv[a * q + c] * cg[c * JT + jj];
            for (size_t jj = 0; jj < jn; jj++) quad[jj] += cg[a * JT + jj] * s[jj];
        }
        for (size_t jj = 0; jj < jn; jj++) {
            double v = gg[jj] - quad[jj];
            out[jj * NG + gi] = v > 1e-8 * gg[jj] && v > 0 ? v : NAN;
        }
    }
}

void scan_block_finish(const scan_model_t *m, const double *sums, size_t b, double *beta,
                       double *se, double *mlog10p)
{
    size_t p = m->p, q = m->q, NG = m->n_groups, R = m->rhs_cols;
    /* g~'g~ per group for a tile of variants, groups in the outer loop: a group's (C'C)^-1
     * and its correction rows are used for the whole tile while they are in cache (with a
     * thousand groups, one variant at a time missed on every group). */
    double *gtg = m->fin;
    for (size_t j0 = 0; j0 < b; j0 += JT) {
        size_t jn = b - j0 < JT ? b - j0 : JT;
        gtg_tile(m, sums, b, j0, jn, gtg, gtg + JT * NG);
        for (size_t jj = 0; jj < jn; jj++) {
            size_t j = j0 + jj;
            const double *row = sums + j * R, *gj = gtg + jj * NG;
            for (size_t k = 0; k < p; k++) {
                double v = gj[m->group[k]];
                double df = (double)m->n_obs[k] - (double)q - 1;
                double bt = row[k] / v, rss = m->yty[k] - bt * row[k];
                if (rss < 0) rss = 0;
                double s = sqrt(rss / df / v);
                beta[j * p + k] = bt;
                se[j * p + k] = s;
                mlog10p[j * p + k] = bt / s; /* NaN when v is (no test); NaN for df < 1 too */
            }
            tdist_table_mlog10p_n(m->ktail, mlog10p + j * p, p);
        }
    }
}

void scan_block(const scan_model_t *m, const double *G, size_t b, double *scratch, double *sums,
                double *beta, double *se, double *mlog10p)
{
    scan_block_sums(m, G, b, 0, m->n, scratch, sums);
    scan_block_finish(m, sums, b, beta, se, mlog10p);
}

/* ---- Hardy-Weinberg ---- */

double scan_hwe_p(long n_aa, long n_ab, long n_bb)
{
    long n = n_aa + n_ab + n_bb;
    if (n == 0) return 1;
    long rare = 2 * (n_aa < n_bb ? n_aa : n_bb) + n_ab;  /* copies of the rarer allele */
    long hom_c = n - (n_aa < n_bb ? n_aa : n_bb) - n_ab; /* unused; kept for clarity */
    (void)hom_c;
    double *prob = calloc((size_t)rare + 1, sizeof *prob);
    if (!prob) return NAN;
    long mid = rare * (2 * n - rare) / (2 * n);
    if ((mid % 2) != (rare % 2)) mid++;
    prob[mid] = 1.0;
    double sum = 1.0;
    long hom_r = (rare - mid) / 2, hom_cc = n - mid - hom_r;
    for (long het = mid; het > 1; het -= 2) {
        prob[het - 2] = prob[het] * het * (het - 1.0) / (4.0 * (hom_r + 1.0) * (hom_cc + 1.0));
        sum += prob[het - 2];
        hom_r++, hom_cc++;
    }
    hom_r = (rare - mid) / 2, hom_cc = n - mid - hom_r;
    for (long het = mid; het <= rare - 2; het += 2) {
        prob[het + 2] = prob[het] * 4.0 * hom_r * hom_cc / ((het + 2.0) * (het + 1.0));
        sum += prob[het + 2];
        hom_r--, hom_cc--;
    }
    double pv = 0, obs = prob[n_ab];
    for (long h = 0; h <= rare; h++)
        if (prob[h] <= obs * (1 + 1e-12)) pv += prob[h];
    free(prob);
    pv /= sum;
    return pv > 1 ? 1 : pv;
}
