/* outcome_tte.h — the time-to-event scan of a block of variants against every outcome (Cox
 * proportional hazards with Efron ties; cox.h has the model): the score test of every pair,
 * then the partial-likelihood fit of the pairs that pass the screen.
 *
 * Per outcome j the null model gives martingale residuals m_j, delta_j - m_j and the n x q
 * matrix K_j (all 0 on the outcome's missing rows).  For a block G (b x n, centred dosages):
 *     S = G [m_1 .. m_p | K_1 .. K_p]       (b x p (q + 1))   U and Igc
 *     D = (G o G) [delta_1 - m_1 ..]        (b x p)           the first term of Igg
 * add up across row ranges; Igg's second term Q(g) is a quadratic form over the risk sets,
 * computed from the whole block in time order (cox_quad), so it needs every row of G: in a
 * sample-partitioned scan its inputs A_t, B_t (sums over each event time's risk set and
 * events) would have to cross ranks per event time; radiogx computes time-to-event scans in
 * the pooled (one genotype file) scan only.  Pairs whose score p is below the screen
 * (scan.screen_p) are refitted by Newton-Raphson (cox_full). */
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
    double *graw, *gt, *quad; /* one variant's dosages; the block transposed; Q and scratch */
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
/* G: b x n, centred, every row (for Q and the full fits); outputs as bin_block_finish, test
 * 1 score, 2 Wald (cox_full), 0 none. */
void tte_block_finish(tte_model_t *m, const double *sums, const double *G, const double *mean,
                      size_t b, double *beta, double *se, double *mlog10p, double *lr,
                      uint8_t *test);

#endif
