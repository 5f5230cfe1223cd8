/* scan.h — the association scan's arithmetic (docs/cmd-scan.md; DESIGN.md "the scan as a
 * reduction").
 *
 * y = C a + g b + e for every phenotype y and variant g.  Phenotypes are residualised on the
 * covariates once; phenotypes with the same missingness pattern form a group that is scanned
 * on its own complete cases (its residuals are zero elsewhere).  Per block of variants, one
 * GEMM gives g'y~ for every phenotype and C_g'g for every group, a second gives sum g^2 per
 * group; the statistics follow per (variant, phenotype) in O(q^2).  Genotypes are centred by
 * their mean over the analysis samples first (missing calls take that mean), which changes
 * nothing in the model (C has an intercept) and avoids cancellation in g~'g~. */
#ifndef RGX_SCAN_H
#define RGX_SCAN_H

#include <stddef.h>

#include "err.h"
#include "tdist.h"

typedef struct {
    size_t n_rows;   /* complete cases */
    double *mask;    /* n: 1 inside, 0 outside */
    double *ctc_inv; /* q x q */
    size_t tail;     /* its df's entry of the model's tails */
    /* Dense: its masked covariates are GEMM columns.  Sparse (few missing rows, as with
     * per-phenotype missingness): C_g'g = C'g - sum over its missing rows, and the same for
     * g'g, so a group costs its missing rows instead of every row. */
    int sparse;
    size_t slot;     /* dense: its column block in rhs and D; sparse: its correction block */
    size_t *miss;    /* sparse: its missing rows, ascending */
    size_t n_miss;
} scan_group_t;

typedef struct {
    size_t n, p, q; /* samples, phenotypes kept, covariates (with the intercept) */
    double *yty;    /* p: y~'y~ */
    int *group;     /* p: the phenotype's group */
    size_t *n_obs;  /* p */
    double *df;     /* p: residual degrees of freedom, n_obs - q - 1 */
    size_t n_groups, n_dense, n_sparse;
    double *cov;  /* n x q: the covariates (the sparse-group kernel's weights) */
    int any_miss; /* a sparse group has missing rows: corrections to compute */
    scan_group_t *g;
    /* The right-hand side of the block GEMM: [y~ | C | C masked to each dense group] (y~: the
     * residualised phenotypes, 0 where missing),
     * n x (p + q + n_dense q); and of the g^2 GEMM: [1 | each dense group's mask],
     * n x (1 + n_dense). */
    double *rhs;
    size_t rhs_cols;
    double *masks;
    size_t mask_cols;
    tdist_table_t *tails; /* -log10 p tables, one per distinct df */
    size_t n_tails;
    const tdist_table_t **ktail; /* p: each phenotype's table */
    double *fin; /* scan_block_reduce's scratch (one rank, one thread: not shared) */
} scan_model_t;

/* Y: n x p (NAN = missing), C: n x q complete, intercept included by the caller.
 * Phenotype j is used when keep[j].  Fails when C'C of a group is singular. */
rgx_err scan_model_init(scan_model_t *m, const double *Y, size_t n, size_t p, const int *keep,
                        const double *C, size_t q);
void scan_model_free(scan_model_t *m);

/* A block's sums: for b variants, G'[rhs] (b x rhs_cols), G^2'[masks] (b x mask_cols) and
 * the sparse groups' corrections ((q + 1) x b each); they add up across row ranges. */
size_t scan_sums_len(const scan_model_t *m, size_t b);
/* Doubles of scan_block_sums' scratch over n rows (whatever the block's size). */
size_t scan_scratch_len(size_t n);

/* A block: G is b x n (row j = variant j's centred dosages).  First the sums over rows
 * row0 .. row0 + nrows - 1 of the model (G: b x nrows; scratch scan_scratch_len(nrows));
 * they add up across row ranges (samples split across ranks or sites). */
void scan_block_sums(const scan_model_t *m, const double *G, size_t b, size_t row0, size_t nrows,
                     double *scratch, double *sums);
/* Then, from the total sums, what the run file stores (DESIGN.md, "the association store"):
 * xty (b x p), g'y~ of each (variant, phenotype), and gtg (b x n_groups), g~'g~ of each
 * variant over each missingness group's rows (NaN where the variant does not vary there). */
void scan_block_reduce(const scan_model_t *m, const double *sums, size_t b, double *xty,
                       double *gtg);

/* What the statistics need besides xty and gtg: per phenotype its group, y~'y~, residual
 * degrees of freedom and -log10 p table (borrowed). */
typedef struct {
    size_t p, n_groups;
    const int *group;
    const double *yty, *df;
    const tdist_table_t *const *ktail;
} scan_params_t;
scan_params_t scan_params(const scan_model_t *m);

/* beta = xty / gtg, se = sqrt((y~'y~ - beta xty) / df / gtg) and -log10 p of the t test
 * (b x p each; NaN where gtg is), exactly as the scan and the exports compute them. */
void scan_stats(const scan_params_t *s, const double *xty, const double *gtg, size_t b,
                double *beta, double *se, double *mlog10p);
/* scan_block_sums with its time and GEMM flops added to gemm[0] and gemm[1] (the GEMM phase
 * that the scan logs and scripts/bench_scan compares with a bare DGEMM). */
void scan_block_sums_timed(const scan_model_t *m, const double *G, size_t b, size_t row0,
                           size_t nrows, double *scratch, double *sums, double gemm[2]);

/* Inside scan_block_sums: the sparse groups' sums over their missing rows, G transposed
 * SCAN_MISS_TILE variants at a time into scratch (one tile, reused).  X holds them tile by
 * tile, the way scan_block_reduce reads them: for each tile of SCAN_TILE variants, for each
 * sparse group, q + 1 rows of SCAN_TILE (scan_x_at). */
enum { SCAN_MISS_TILE = 32, SCAN_TILE = 128 /* a multiple of SCAN_MISS_TILE */ };
void scan_sparse_sums(const scan_model_t *m, const double *G, size_t b, size_t row0,
                      size_t nrows, double *scratch, double *X);
/* Where the sparse group in slot `slot` starts its rows for variant j (row a: + a * SCAN_TILE). */
static inline size_t scan_x_at(const scan_model_t *m, size_t slot, size_t j)
{
    return (j / SCAN_TILE * m->n_sparse + slot) * (m->q + 1) * SCAN_TILE + j % SCAN_TILE;
}

/* Hardy-Weinberg exact test (Wigginton, Cutler and Abecasis 2005) from genotype counts. */
double scan_hwe_p(long n_aa, long n_ab, long n_bb);

#endif
