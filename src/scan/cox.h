/* cox.h — Cox proportional hazards of a time-to-event outcome on covariates and one variant
 * (Efron's method for tied event times): the null model (covariates only), the score test of
 * a variant from the null model's sums, and the full partial-likelihood fit (Wald and
 * likelihood-ratio tests) for the pairs that pass the screen (docs/cmd-scan.md).
 *
 * Score test of variant g at beta_g = 0 (DESIGN.md, "other outcomes"): with w = exp(eta) of
 * the null model, event times t, risk sets R_t, tied events D_t (d_t of them) and Efron's
 * S_l = S(R_t) - (l / d_t) S(D_t), l < d_t:
 *     U   = g'm                                   m: the (Efron) martingale residuals
 *     Igg = g^2'(delta - m) - Q(g),   Q(g) = sum_t [c0_t A_t^2 - 2 c1_t A_t B_t + c2_t B_t^2]
 *     Igc = g'K                                   K: n x q, from the null model
 *     V   = Igg - Igc' Icc^-1 Igc,    chi2 = U^2 / V
 * with A_t = sum over R_t of w g, B_t = the same over D_t.  U, g^2'(delta - m) and g'K are
 * GEMM columns like the linear scan's; Q is a quadratic form over the risk sets, one pass in
 * time order per (variant block, outcome) with the variants in vector lanes (cox_quad). */
#ifndef RGX_COX_H
#define RGX_COX_H

#include <stddef.h>

#include "err.h"
#include "rsum.h"

typedef struct {
    size_t n, q;      /* rows, covariates (no intercept: a Cox model has none) */
    size_t n_obs, n_events, n_times; /* observed rows, events, distinct times */
    size_t *ord;      /* n_obs: observed rows by time, descending (events first within a tie) */
    size_t *tstart;   /* n_times + 1: ord[tstart[t] .. tstart[t + 1]) have the t-th time */
    size_t *tev;      /* n_times: of which the first tev[t] are events */
    double *c0, *c1, *c2; /* n_times: Q's constants (0 without events) */
    /* The event times (distinct times with events), in ord's order, and each time's group:
     * the first event time at or after it in ord's order (n_evt: none) — the risk-set sums
     * of a group's rows enter every later event time's (split across sites: cox_full_sites,
     * cox_quad_sums). */
    size_t n_evt, *evt, *tgrp;
    double *beta;     /* q: coefficients (covariates centred over the observed rows) */
    double *w;        /* n: exp(eta) (0 where missing) */
    double *m;        /* n: martingale residuals (0 where missing) */
    double *dm;       /* n: delta - m (0 where missing) */
    double *K;        /* n x q row-major (0 where missing) */
    double *icc_inv;  /* q x q */
    double loglik;    /* partial log-likelihood */
    int iters;
} cox_null_t;

/* Scratch of the fits: X (n x (q + 1), column-major) and k x k matrices. */
typedef struct {
    size_t n, k;
    double *X, *eta, *w, *H, *b, *b0, *grad, *step, *s1, *s1d, *s2, *s2d, *xd;
    /* Rows split across sites (cox_full_sites; NULL: X holds every row): this rank's nloc
     * rows, each with its event-time group and event flag; acc: cox_sites_len doubles. */
    rsum_t *rs;
    size_t nloc, *grp;
    unsigned char *isev;
    double *acc;
} cox_ws_t;
rgx_err cox_ws_init(cox_ws_t *ws, size_t n, size_t q);
void cox_ws_free(cox_ws_t *ws);

/* time (n, > 0 or NaN missing), event (n: 1 event, 0 censored, NaN missing), C (n x q
 * row-major, no intercept column; q may be 0).  Fails (RGX_ERR_INPUT) without events or when
 * the null model does not converge. */
rgx_err cox_null_fit(cox_null_t *m, const double *time, const double *event, const double *C,
                     size_t n, size_t q, cox_ws_t *ws);
void cox_null_free(cox_null_t *m);

/* Q(g) of b variants: Gt is n x b (row i: sample i's values, ld doubles apart); out[j] = Q
 * of variant j; scratch: 2 b doubles. */
void cox_quad(const cox_null_t *m, const double *Gt, size_t b, size_t ld, double *scratch,
              double *out);

/* The score test from U = g'm, T = g^2'(delta - m), Q, Igc (q): beta = U / V (one step from
 * the null), se = 1 / sqrt(V), -log10 p of U^2 / V; NaN when V is not positive. */
void cox_score(const cox_null_t *m, double U, double T, double Q, const double *igc,
               double *beta, double *se, double *mlog10p);

typedef struct {
    double beta, se, mlog10p, lr_mlog10p; /* log hazard ratio, SE, Wald and LR -log10 p */
    int ok, iters;
} cox_res_t;

/* The partial-likelihood fit of [C | g + g_add] over the null model's rows, from (beta_null, 0)
 * (g_add: a block's centred dosages take their mean back, without a copy). */
void cox_full(const cox_null_t *m, const double *C, const double *g, double g_add, cox_ws_t *ws,
              cox_res_t *res);

/* ---- rows split across sites (one genotype file per site; rsum.h) ---- */

/* Doubles reduced per Newton iteration of a fit with k = q + 1 columns: per event time the
 * risk-set increments and the tied events' sums of w, w x and w x x' (lower triangle), and
 * the totals (sum of w, of eta and of x over the events). */
size_t cox_sites_len(const cox_null_t *m, size_t k);

/* The fit of cox_full with the rows split across sites: gs[s] holds this rank's segment s's
 * (site ws->rs->site[s]) ALT dosages, site_row the first row of each site; ws->rs, grp, isev
 * and acc set up for ws->n rows.  Every rank calls it (collective); all get the result. */
void cox_full_sites(const cox_null_t *m, const double *C, const double *const *gs,
                    const size_t *site_row, cox_ws_t *ws, cox_res_t *res);

/* Q's inputs from one site's rows site_row0 .. + ns - 1 (Gt: ns x b, sample-major): per event
 * time e, the risk-set increment (w g over the group's rows that are not events) and the
 * tied events' w g, out[(2 e) b + v] and out[(2 e + 1) b + v]. */
void cox_quad_sums(const cox_null_t *m, const double *Gt, size_t b, size_t site_row0, size_t ns,
                   double *out);
/* Q of b variants from those sums added over the sites. */
void cox_quad_finish(const cox_null_t *m, const double *sums, size_t b, double *scratch,
                     double *out);

#endif
