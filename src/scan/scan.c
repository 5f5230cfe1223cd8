/* scan.c — see scan.h. */
#include "scan.h"

#include <gsl/gsl_cblas.h> /* the CBLAS API; linked to OpenBLAS (make check-blas) */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dot.h"
#include "pgemm.h"
#include "tdist.h"
#include "util.h"

/* ---- the model ---- */

enum { JT = SCAN_TILE }; /* variants per tile of scan_block_finish */

/* Doubles of gtg_tile's scratch (scan_block_reduce). */
static size_t fin_len(size_t n_groups, size_t q)
{
    return (2 * q + 4) * JT;
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

/* Groups of identical missingness among the kept columns cols[0 .. m->p) of Y, in the order
 * of their first phenotype: m->group, and per group its first column rep[g] and whether it is
 * sparse.  bits: each kept column's missingness (W words a column). */
static void find_groups(scan_model_t *m, const double *Y, size_t p, const size_t *cols,
                        uint64_t *bits, size_t W, size_t *rep, uint64_t *rep_hash)
{
    size_t n = m->n;
    /* Built row by row (Y is row-major: walking a column strides across all of it). */
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < m->p; k++)
            if (isnan(Y[i * p + cols[k]])) bits[k * W + i / 64] |= (uint64_t)1 << (i % 64);
    for (size_t k = 0; k < m->p; k++) {
        uint64_t hk = pattern_hash(bits + k * W, W);
        size_t g;
        for (g = 0; g < m->n_groups; g++)
            if (rep_hash[g] == hk && !memcmp(bits + rep[g] * W, bits + k * W, W * sizeof *bits))
                break;
        if (g == m->n_groups) rep_hash[g] = hk, rep[m->n_groups++] = k;
        m->group[k] = (int)g;
    }
    for (size_t g = 0; g < m->n_groups; g++) {
        size_t obs = n;
        for (size_t w = 0; w < W; w++) obs -= (size_t)__builtin_popcountll(bits[rep[g] * W + w]);
        scan_group_t *gr = &m->g[g];
        gr->sparse = is_sparse(n - obs, n);
        gr->slot = gr->sparse ? m->n_sparse++ : m->n_dense++;
    }
}

/* Group g: its rows (mask, missing rows), (C'C)^-1 over them, its masked columns of rhs when
 * dense, its t table.  A, inv and perm are q x q scratch. */
static rgx_err group_setup(scan_model_t *m, size_t g, const double *C, const uint64_t *gb,
                           gsl_matrix *A, gsl_matrix *inv, gsl_permutation *perm)
{
    size_t n = m->n, q = m->q;
    scan_group_t *gr = &m->g[g];
    rgx_err err;
    if ((err = rgx_calloc(&gr->mask, n, sizeof *gr->mask)) ||
        (err = rgx_calloc(&gr->ctc_inv, q * q, sizeof *gr->ctc_inv)) ||
        (gr->sparse && (err = rgx_calloc(&gr->miss, n, sizeof *gr->miss))))
        return err;
    for (size_t i = 0; i < n; i++) /* gb: the group's first phenotype's missingness bits */
        if (!(gb[i / 64] >> (i % 64) & 1)) {
            gr->mask[i] = 1;
            gr->n_rows++;
        } else if (gr->sparse) {
            gr->miss[gr->n_miss++] = i;
        }
    if (gr->sparse && gr->n_miss) m->any_miss = 1;
    /* C'C over the group's rows (row by row, each entry summed in row order), inverted by LU
     * (q is small). */
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
        gsl_linalg_LU_invert(A, perm, inv))
        return rgx_fail(RGX_ERR_NUMERIC,
                        "the covariates are collinear on the %zu samples of phenotype group %zu",
                        gr->n_rows, g + 1);
    for (size_t a = 0; a < q; a++)
        for (size_t b = 0; b < q; b++) gr->ctc_inv[a * q + b] = gsl_matrix_get(inv, a, b);
    if (!gr->sparse)
        for (size_t i = 0; i < n; i++) {
            m->masks[i * m->mask_cols + 1 + gr->slot] = gr->mask[i];
            for (size_t a = 0; a < q; a++)
                m->rhs[i * m->rhs_cols + m->p + q + gr->slot * q + a] =
                    gr->mask[i] ? C[i * q + a] : 0;
        }
    /* One t-tail table per distinct df (groups of equal size share it). */
    double df = (double)gr->n_rows - (double)q - 1;
    size_t t;
    for (t = 0; t < m->n_tails; t++)
        if (m->tails[t].df == df) break;
    if (t == m->n_tails) tdist_table_init(&m->tails[m->n_tails++], df);
    gr->tail = t;
    return RGX_OK;
}

/* Residualise each phenotype on its group's covariates, all at once: with y0 = y with zeros
 * where missing, C_g'y = C'y0 (one GEMM for every phenotype), alpha = (C_g'C_g)^-1 C'y0, and
 * the residual y0 - C alpha on the group's rows (a second GEMM).  y0 and then the residual are
 * held in rhs's first p columns (no n x p copies besides). */
static rgx_err residualise(scan_model_t *m, const double *Y, size_t p, const size_t *cols,
                           const double *C)
{
    size_t n = m->n, q = m->q, R = m->rhs_cols;
    double *cty_all = NULL, *al = NULL, *y0 = m->rhs;
    rgx_err err;
    if ((err = rgx_calloc(&cty_all, q * m->p, sizeof *cty_all)) ||
        (err = rgx_calloc(&al, q * m->p, sizeof *al)))
        goto out;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < m->p; k++) {
            double y = Y[i * p + cols[k]];
            y0[i * R + k] = isnan(y) ? 0 : y;
        }
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)q, (int)m->p, (int)n, 1.0, C,
                (int)q, y0, (int)R, 0.0, cty_all, (int)m->p);
    for (size_t k = 0; k < m->p; k++) {
        const double *ci = m->g[m->group[k]].ctc_inv;
        for (size_t a = 0; a < q; a++) {
            double s = 0;
            for (size_t b = 0; b < q; b++) s += ci[a * q + b] * cty_all[b * m->p + k];
            al[a * m->p + k] = s;
        }
    }
    /* y0 - C alpha in place: the GEMM adds -(C alpha) to y0 (the same rounding as subtracting
     * the product). */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)m->p, (int)q, -1.0, C,
                (int)q, al, (int)m->p, 1.0, y0, (int)R);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < m->p; k++) {
            double *r = &y0[i * R + k];
            if (!m->g[m->group[k]].mask[i]) *r = 0;
            m->yty[k] += *r * *r;
        }
    for (size_t k = 0; k < m->p; k++) {
        m->n_obs[k] = m->g[m->group[k]].n_rows;
        m->df[k] = (double)m->n_obs[k] - (double)q - 1;
    }
out:
    free(cty_all), free(al);
    return err;
}

rgx_err scan_model_init(scan_model_t *m, const double *Y, size_t n, size_t p, const int *keep,
                        const double *C, size_t q)
{
    memset(m, 0, sizeof *m);
    m->n = n, m->q = q;
    rgx_err err = RGX_OK;
    size_t *cols = NULL, *rep = NULL; /* kept columns of Y; each group's first kept column */
    uint64_t *rep_hash = NULL, *bits = NULL;
    gsl_matrix *A = NULL, *inv = NULL;
    gsl_permutation *perm = NULL;
    if ((err = rgx_calloc(&cols, p ? p : 1, sizeof *cols))) return err;
    for (size_t j = 0; j < p; j++)
        if (keep[j]) cols[m->p++] = j;
    size_t P = m->p ? m->p : 1, W = (n + 63) / 64;
    if ((err = rgx_calloc(&m->yty, P, sizeof *m->yty)) ||
        (err = rgx_calloc(&m->group, P, sizeof *m->group)) ||
        (err = rgx_calloc(&m->n_obs, P, sizeof *m->n_obs)) ||
        (err = rgx_calloc(&m->df, P, sizeof *m->df)) ||
        (err = rgx_calloc(&m->g, P, sizeof *m->g)) || (err = rgx_calloc(&rep, P, sizeof *rep)) ||
        (err = rgx_calloc(&rep_hash, P, sizeof *rep_hash)) ||
        (err = rgx_calloc(&bits, P * (W ? W : 1), sizeof *bits)))
        goto out;
    find_groups(m, Y, p, cols, bits, W, rep, rep_hash);
    size_t G = m->n_groups;
    m->rhs_cols = m->p + q + m->n_dense * q;
    m->mask_cols = 1 + m->n_dense;
    /* rhs is written whole below (the residuals, C, each dense group's masked C): on huge
     * pages, not zeroed first (at 10,000 samples x 1,000 phenotypes, 80 MB of page faults). */
    if ((err = rgx_big_alloc(&m->rhs, n * m->rhs_cols * sizeof *m->rhs)) ||
        (err = rgx_calloc(&m->masks, n * m->mask_cols, sizeof *m->masks)) ||
        (err = rgx_calloc(&m->tails, G ? G : 1, sizeof *m->tails)) ||
        (err = rgx_calloc(&m->cov, n * q, sizeof *m->cov)))
        goto out;
    for (size_t i = 0; i < n; i++) {
        memcpy(m->cov + i * q, C + i * q, q * sizeof *C);
        m->masks[i * m->mask_cols] = 1;
        for (size_t a = 0; a < q; a++) m->rhs[i * m->rhs_cols + m->p + a] = C[i * q + a];
    }
    A = gsl_matrix_alloc(q, q), inv = gsl_matrix_alloc(q, q), perm = gsl_permutation_alloc(q);
    if (!A || !inv || !perm) {
        err = rgx_fail(RGX_ERR_MEMORY, "out of memory for the covariates' inverse");
        goto out;
    }
    for (size_t g = 0; g < G && !err; g++)
        err = group_setup(m, g, C, bits + rep[g] * W, A, inv, perm);
    if (!err && m->p) err = residualise(m, Y, p, cols, C);
    if (!err) err = rgx_calloc(&m->fin, fin_len(m->n_groups, q), sizeof *m->fin);
    if (!err && !(err = rgx_calloc(&m->ktail, P, sizeof *m->ktail)))
        for (size_t k = 0; k < m->p; k++) m->ktail[k] = &m->tails[m->g[m->group[k]].tail];
out:
    if (A) gsl_matrix_free(A);
    if (inv) gsl_matrix_free(inv);
    if (perm) gsl_permutation_free(perm);
    free(cols), free(rep), free(rep_hash), free(bits);
    if (err) scan_model_free(m);
    return err;
}

void scan_model_free(scan_model_t *m)
{
    for (size_t g = 0; m->g && g < m->n_groups; g++) {
        free(m->g[g].mask), free(m->g[g].ctc_inv), free(m->g[g].miss);
    }
    free(m->g), free(m->yty), free(m->group), free(m->n_obs), free(m->df),
        free(m->rhs), free(m->masks), free(m->tails), free(m->ktail), free(m->fin), free(m->cov);
    memset(m, 0, sizeof *m);
}

/* ---- the block kernel ---- */

size_t scan_sums_len(const scan_model_t *m, size_t b)
{
    size_t bt = (b + SCAN_TILE - 1) / SCAN_TILE * SCAN_TILE; /* the sparse sums' tiles */
    return b * (m->rhs_cols + m->mask_cols) + bt * m->n_sparse * (m->q + 1);
}

/* One tile of SCAN_MISS_TILE variants at a time: G transposed for the sparse groups' sums
 * (scan_miss.c), or G squared for the dense groups' masks.  (A scratch of the whole block
 * was 80 MB at 1,024 variants x 10,000 samples: written and read again every block, and its
 * first touch alone cost 0.1 s a rank on the development VM.) */
size_t scan_scratch_len(size_t n)
{
    return SCAN_MISS_TILE * (n ? n : 1);
}

void scan_block_sums(const scan_model_t *m, const double *G, size_t b, size_t row0, size_t nrows,
                     double *scratch, double *sums)
{
    size_t R = m->rhs_cols, MC = m->mask_cols;
    double *S = sums, *D = sums + b * R, *X = D + b * MC;
    if (!b || !nrows) {
        memset(sums, 0, scan_sums_len(m, b) * sizeof *sums);
        return;
    }
    /* pgemm: the rank's threads share the products in pieces fixed whatever their number. */
    pgemm_nn(b, R, nrows, G, nrows, m->rhs + row0 * R, R, S, R);
    /* G^2'[masks]: the first mask is every row (g'g, a sum of squares); the dense groups'
     * masks are a product with the squares, a tile of variants at a time. */
    for (size_t j = 0; j < b; j++) D[j * MC] = rgx_dot(G + j * nrows, G + j * nrows, nrows);
    for (size_t j0 = 0; MC > 1 && j0 < b; j0 += SCAN_MISS_TILE) {
        size_t jc = b - j0 < SCAN_MISS_TILE ? b - j0 : SCAN_MISS_TILE;
        const double *Gj = G + j0 * nrows;
        for (size_t i = 0; i < jc * nrows; i++) scratch[i] = Gj[i] * Gj[i];
        pgemm_nn(jc, MC - 1, nrows, scratch, nrows, m->masks + row0 * MC + 1, MC,
                 D + j0 * MC + 1, MC);
    }
    /* Sparse groups: the sums over their missing rows, subtracted when finishing (all zero
     * when no sparse group misses a row). */
    if (m->any_miss)
        scan_sparse_sums(m, G, b, row0, nrows, scratch, X);
    else
        memset(X, 0, (scan_sums_len(m, b) - b * (R + MC)) * sizeof *X);
}

/* g~'g~ of variants j0 .. j0 + jn - 1 (jn <= JT) for every group: out[jj * NG + gi].  For a
 * group, g~'g~ = g'g - (C_g'g)' (C_g'C_g)^-1 (C_g'g), with C_g'g and g'g from the block's
 * sums (all rows minus the group's missing rows when it is sparse).  Computed for the whole
 * tile at once, the variants in the innermost loops (omp simd: GCC's -O2 cost model would
 * leave them scalar, the trip count being unknown; each value's operations are those of one
 * at a time, so vectors change no bit); NaN where it is not positive (no test). */
static inline __attribute__((always_inline)) void
gtg_tile(const scan_model_t *m, const double *sums, size_t b, size_t j0, size_t jn,
         double *restrict out, double *restrict work)
{
    size_t q = m->q, R = m->rhs_cols, MC = m->mask_cols, NG = m->n_groups;
    const double *D = sums + b * R, *X = D + b * MC;
    /* cg[a][jj] at cg + a * JT + jj; rowc alike. */
    double *restrict cg = work, *restrict rowc = cg + q * JT, *restrict d0 = rowc + q * JT,
                     *restrict gg = d0 + JT, *restrict s = gg + JT, *restrict quad = s + JT;
    for (size_t jj = 0; jj < jn; jj++) { /* C'g and g'g over all rows, for the sparse groups */
        for (size_t a = 0; a < q; a++) rowc[a * JT + jj] = sums[(j0 + jj) * R + m->p + a];
        d0[jj] = D[(j0 + jj) * MC];
    }
    for (size_t gi = 0; gi < NG; gi++) {
        const scan_group_t *gr = &m->g[gi];
        if (gr->sparse) {
            const double *restrict x = X + scan_x_at(m, gr->slot, j0);
            for (size_t a = 0; a < q; a++) {
#pragma omp simd
                for (size_t jj = 0; jj < jn; jj++)
                    cg[a * JT + jj] = rowc[a * JT + jj] - x[a * JT + jj];
            }
#pragma omp simd
            for (size_t jj = 0; jj < jn; jj++) gg[jj] = d0[jj] - x[q * JT + jj];
        } else {
            for (size_t jj = 0; jj < jn; jj++) {
                const double *row = sums + (j0 + jj) * R + m->p + q + gr->slot * q;
                for (size_t a = 0; a < q; a++) cg[a * JT + jj] = row[a];
                gg[jj] = D[(j0 + jj) * MC + 1 + gr->slot];
            }
        }
        const double *restrict inv = gr->ctc_inv;
#pragma omp simd
        for (size_t jj = 0; jj < jn; jj++) quad[jj] = 0;
        for (size_t a = 0; a < q; a++) {
#pragma omp simd
            for (size_t jj = 0; jj < jn; jj++) s[jj] = 0;
            for (size_t c = 0; c < q; c++) {
                double ic = inv[a * q + c];
#pragma omp simd
                for (size_t jj = 0; jj < jn; jj++) s[jj] += ic * cg[c * JT + jj];
            }
#pragma omp simd
            for (size_t jj = 0; jj < jn; jj++) quad[jj] += cg[a * JT + jj] * s[jj];
        }
        for (size_t jj = 0; jj < jn; jj++) {
            double v = gg[jj] - quad[jj];
            out[jj * NG + gi] = v > 1e-8 * gg[jj] && v > 0 ? v : NAN;
        }
    }
}

/* Compiled for AVX-512, AVX2 and plain x86-64 (the same bits: no contraction in ISO C, and
 * the vector loops do per value what the scalar ones do). */
__attribute__((target_clones("avx512f", "avx2", "default"))) void
scan_block_reduce(const scan_model_t *m, const double *sums, size_t b, double *xty, double *gtg)
{
    size_t p = m->p, NG = m->n_groups, R = m->rhs_cols;
    /* g~'g~ per group for a tile of variants, groups in the outer loop: a group's (C'C)^-1
     * and its correction rows are used for the whole tile while they are in cache (with a
     * thousand groups, one variant at a time missed on every group). */
    for (size_t j0 = 0; j0 < b; j0 += JT) {
        size_t jn = b - j0 < JT ? b - j0 : JT;
        gtg_tile(m, sums, b, j0, jn, gtg + j0 * NG, m->fin);
    }
    for (size_t j = 0; j < b; j++) memcpy(xty + j * p, sums + j * R, p * sizeof *xty);
}

scan_params_t scan_params(const scan_model_t *m)
{
    return (scan_params_t){m->p, m->n_groups, m->group, m->yty, m->df, m->ktail};
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void
scan_stats(const scan_params_t *s, const double *xty, const double *gtg, size_t b, double *beta,
           double *se, double *mlog10p)
{
    size_t p = s->p, NG = s->n_groups;
    const int *restrict group = s->group;
    const double *restrict yty = s->yty, *restrict df = s->df;
    for (size_t j = 0; j < b; j++) {
        const double *restrict row = xty + j * p, *restrict gj = gtg + j * NG;
        double *restrict bj = beta + j * p, *restrict sj = se + j * p,
                         *restrict tj = mlog10p + j * p;
#pragma omp simd
        for (size_t k = 0; k < p; k++) {
            double v = gj[group[k]];
            double bt = row[k] / v, rss = yty[k] - bt * row[k];
            rss = rss < 0 ? 0 : rss;
            double sd = sqrt(rss / df[k] / v);
            bj[k] = bt;
            sj[k] = sd;
            tj[k] = bt / sd; /* NaN when v is (no test); NaN for df < 1 too */
        }
        tdist_table_mlog10p_n(s->ktail, tj, p);
    }
}


/* ---- Hardy-Weinberg ---- */

/* Heterozygote-count probabilities (Wigginton, Cutler and Abecasis 2005) relative to the one at
 * the mode, walked outward from it: down (dir -1) or up (+1) from het = mid.  Each call gives
 * the next one's ratio. */
typedef struct {
    double p;
    long het, hom_r, hom_c;
} hwe_walk_t;

static int hwe_step(hwe_walk_t *w, int dir, long rare)
{
    double r;
    if (dir < 0) {
        if (w->het < 2) return 0;
        r = (double)w->het * (w->het - 1.0) / (4.0 * (w->hom_r + 1.0) * (w->hom_c + 1.0));
        w->het -= 2, w->hom_r++, w->hom_c++;
    } else {
        if (w->het > rare - 2) return 0;
        r = 4.0 * (double)w->hom_r * (double)w->hom_c / ((w->het + 2.0) * (w->het + 1.0));
        w->het += 2, w->hom_r--, w->hom_c--;
    }
    w->p *= r;
    return 1;
}

double scan_hwe_p(long n_aa, long n_ab, long n_bb)
{
    long n = n_aa + n_ab + n_bb;
    if (n == 0) return 1;
    long rare = 2 * (n_aa < n_bb ? n_aa : n_bb) + n_ab; /* copies of the rarer allele */
    long mid = rare * (2 * n - rare) / (2 * n);
    if ((mid % 2) != (rare % 2)) mid++;
    hwe_walk_t at_mid = {1.0, mid, (rare - mid) / 2, n - mid - (rare - mid) / 2};
    /* The observed count's probability first (the walk toward it). */
    hwe_walk_t w = at_mid;
    int dir_obs = n_ab < mid ? -1 : 1;
    while (w.het != n_ab && hwe_step(&w, dir_obs, rare)) {}
    double obs = w.p, lim = obs * (1 + 1e-12), sum = 1.0, pv = 1.0 <= lim ? 1.0 : 0.0;
    /* The terms fall away from the mode (the distribution is log-concave) and, far out,
     * faster than geometrically: once a term is below 1e-17 of the observed one and halves at
     * each step, the rest adds less than that to either sum (both are at least obs).  O(sqrt
     * n) terms instead of O(n). */
    for (int dir = -1; dir <= 1; dir += 2) {
        w = at_mid;
        double prev = 1.0;
        while (hwe_step(&w, dir, rare)) {
            sum += w.p;
            if (w.p <= lim) pv += w.p;
            if (w.p == 0 || (w.p < 1e-17 * obs && w.p < 0.5 * prev)) break;
            prev = w.p;
        }
    }
    pv /= sum;
    return pv > 1 ? 1 : pv;
}

void scan_block_sums_timed(const scan_model_t *m, const double *G, size_t b, size_t row0,
                           size_t nrows, double *scratch, double *sums, double gemm[2])
{
    double t0 = wall_clock();
    scan_block_sums(m, G, b, row0, nrows, scratch, sums);
    gemm[0] += wall_clock() - t0;
    gemm[1] += 2.0 * (double)b * (double)nrows * (double)(m->rhs_cols + m->mask_cols);
}
