/* outcome_tte.h — the time-to-event scan of a block of variants against every outcome (Cox
 * proportional hazards with Efron ties; cox.h has the model): the score test of every pair,
 * then the partial-likelihood fit of the pairs that pass the screen.
 *
 * Per outcome j the null model gives martingale residuals m_j, delta_j - m_j and the n x q
 * matrix K_j (all 0 on the outcome's missing rows).  For a block G (b x n, centred dosages):
 *     S = G [m_1 .. m_p | K_1 .. K_p]       (b x p (q + 1))   U and Igc
 *     D = (G o G) [delta_1 - m_1 ..]        (b x p)           the first term of Igg
 * add up across row ranges; Igg's second term Q(g) is a quadratic form over the risk sets,
 * computed from the whole block in time order (cox_quad); with the samples split across
 * sites its inputs A_t, B_t (sums over each event time's risk set and tied events) cross the
 * sites instead (cox_quad_sums, cox_quad_finish).  Pairs whose score p is below the screen
 * (scan.screen_p) are refitted by Newton-Raphson (cox_full, or cox_full_sites). */
#ifndef RGX_OUTCOME_TTE_H
#define RGX_OUTCOME_TTE_H

#include <stddef.h>
#include <stdint.h>

#include "cox.h"
#include "err.h"

typedef struct {
    size_t n, p, q;    /* samples, outcomes, covariates (without an intercept) */
    cox_null_t *nul;   /* p */
    double *C;         /* n x q */
    double *rhs;       /* n x rhs_cols: [m_j | K_j] */
    size_t rhs_cols;
    double *wts;       /* n x p: delta_j - m_j */
    double screen;     /* -log10 of the screening p */
    cox_ws_t ws;
    double *gt, *quad; /* the block transposed; Q and scratch */
    size_t b_max;
    long n_full;
} tte_model_t;

/* time, event: n x p row-major (time > 0, event 0/1, NaN missing); C: n x qc covariates with
 * the intercept in column 0 (dropped: a Cox model has none).  b_max: the largest block. */
rgx_err tte_model_init(tte_model_t *m, const double *time, const double *event, size_t n,
                       size_t p, const double *C, size_t qc, double screen_p, size_t b_max,
                       const char *const *names);
void tte_model_free(tte_model_t *m);

size_t tte_sums_len(const tte_model_t *m, size_t b);
void tte_block_sums(const tte_model_t *m, const double *G, size_t b, size_t row0, size_t nrows,
                    double *scratch, double *sums);
/* Outcome j's score tests of the block (column j of the b x p outputs, as bin_block_score;
 * Q: the b variants' Q(g)); want: 1 where the pair gets the partial-likelihood fit. */
void tte_block_score(const tte_model_t *m, size_t j, const double *sums, const double *Q,
                     size_t b, double *beta, double *se, double *mlog10p, double *lr,
                     uint8_t *test, uint8_t *want);
/* Pair o's numbers from its fit (kept the score test's when the fit failed); count: add it
 * to n_full. */
void tte_take_full(tte_model_t *m, const cox_res_t *res, size_t o, double *beta, double *se,
                   double *mlog10p, double *lr, uint8_t *test, int count);
/* G: b x n, centred, every row (for Q and the full fits); outputs as bin_block_finish, test
 * 1 score, 2 Wald (cox_full), 0 none; want: b x p scratch. */
void tte_block_finish(tte_model_t *m, const double *sums, const double *G, const double *mean,
                      size_t b, double *beta, double *se, double *mlog10p, double *lr,
                      uint8_t *test, uint8_t *want);

/* With the samples split across sites: the doubles of Q's inputs (cox_quad_sums) of b
 * variants for every outcome, 2 b per event time, outcome after outcome. */
size_t tte_quad_len(const tte_model_t *m, size_t b);

#endif
