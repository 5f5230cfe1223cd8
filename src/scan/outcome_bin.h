/* outcome_bin.h — the binary-outcome scan of a block of variants against every binary
 * phenotype (logistic.h has the model): the score test of every pair from two GEMMs, then the
 * full fit (Wald, LR, Firth fallback) of the pairs that pass the screen.
 *
 * Per phenotype j the null model gives residuals r_j = y_j - mu_j and weights w_j (both 0 on
 * the phenotype's missing rows, which so drop out of its sums: no missingness groups).  For a
 * block G (b x n, centred dosages) the sums are
 *     S = G [r_1 .. r_p | w_1 C .. w_p C]   (b x p (q + 1))
 *     D = (G o G) [w_1 .. w_p]              (b x p)
 * and they add up across row ranges (samples split across ranks or sites).  From them, per
 * pair: U = S[j], C'Wg = S[p + j q ..], g'Wg = D[j], V = g'Wg - (C'Wg)' (C'WC)^-1 (C'Wg).
 *
 * A pair gets the full fit when its score p is below the screen (scan.screen_p, 0.05) or when
 * its variant is rare for the phenotype's smaller class: 2 min(AF, 1 - AF) min(cases,
 * controls) below scan.full_fit_mac (10), where the score test's normal approximation is
 * poor.  The full fit runs where the whole genotype vector is (the pooled scan), or as
 * distributed iterations whose sums cross the sites (logit_full_sites; docs/cmd-scan.md). */
#ifndef RGX_OUTCOME_BIN_H
#define RGX_OUTCOME_BIN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "logistic.h"

typedef struct {
    size_t n, p, q;     /* samples, phenotypes, covariates (intercept first) */
    logit_null_t *nul;  /* p */
    double *y;          /* p x n: 0, 1, NaN */
    const double *C;    /* n x q, borrowed */
    double *rhs;        /* n x rhs_cols: [r_j | w_j C] */
    size_t rhs_cols;
    double *wts;        /* n x p: w_j */
    double screen;      /* -log10 of the screening p */
    double mac_full;    /* full fit below this expected minor-allele count (smaller class) */
    int firth;          /* LOGIT_FIRTH_* */
    logit_ws_t ws;
    long n_full, n_firth; /* full fits done, of which Firth */
} bin_model_t;

/* Y: n x p row-major, 0/1/NaN (already recoded), C: n x q with the intercept.  Fails naming
 * the phenotype (names[j]) whose null model cannot be fitted. */
rgx_err bin_model_init(bin_model_t *m, const double *Y, size_t n, size_t p, const double *C,
                       size_t q, double screen_p, double mac_full, int firth,
                       const char *const *names);
void bin_model_free(bin_model_t *m);

size_t bin_sums_len(const bin_model_t *m, size_t b);
/* The block's sums over rows row0 .. row0 + nrows - 1 (G: b x nrows); scratch b x nrows. */
void bin_block_sums(const bin_model_t *m, const double *G, size_t b, size_t row0, size_t nrows,
                    double *scratch, double *sums);

/* Per pair (b x p each): beta, se, -log10 p, the LR test's -log10 p (NaN for a score test),
 * and the test (LOGIT_*) of the score test; want: 1 where the pair gets the full fit (mean:
 * the b dosage means, for the rare-variant rule). */
void bin_block_score(const bin_model_t *m, const double *sums, const double *mean, size_t b,
                     double *beta, double *se, double *mlog10p, double *lr, uint8_t *test,
                     uint8_t *want);
/* Pair o's numbers from its full fit; count: add it to n_full and n_firth. */
void bin_take_full(bin_model_t *m, const logit_res_t *res, size_t o, double *beta, double *se,
                   double *mlog10p, double *lr, uint8_t *test, int count);

/* The score tests, then the full fits of the wanted pairs: G (b x n, centred, all rows) and
 * mean (b: the dosage mean, which the centring removed); with G NULL every pair keeps its
 * score test.  want: b x p scratch. */
void bin_block_finish(bin_model_t *m, const double *sums, const double *G, const double *mean,
                      size_t b, double *beta, double *se, double *mlog10p, double *lr,
                      uint8_t *test, uint8_t *want);

#endif
