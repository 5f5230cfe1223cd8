/* logistic.h — logistic regression of a binary phenotype on covariates and one variant: the
 * null model (covariates only), the score test from its residuals and weights, and the full
 * fit (Wald and likelihood-ratio tests) with Firth's penalised likelihood as plink2's
 * --glm firth-fallback uses it (docs/cmd-scan.md, "Binary outcomes").
 *
 * Score test of variant g (DESIGN.md, "other outcomes"): with the null model's fitted
 * probabilities mu and weights w = mu (1 - mu),
 *     U = g'(y - mu),  V = g'Wg - (C'Wg)' (C'WC)^-1 (C'Wg),  chi2 = U^2 / V (1 df).
 * U, g'Wg and C'Wg are sums over samples, so a block of variants gets them for every
 * phenotype from GEMMs whose right-hand columns are y - mu and w C, w scaled per phenotype.
 *
 * The full fit, for the pairs that pass the screen: IRLS from the null model's coefficients.
 * As plink2 --glm firth-fallback does, Firth's penalised likelihood (Heinze and Schemper 2002,
 * the logistf algorithm) replaces it when the ALT allele's dosage is all in cases or all in
 * controls, or when IRLS fails (not finite, diverging: after the fourth iteration a step
 * sum |d beta| above 20 and above twice the smallest so far, or no convergence in 25
 * iterations).  Both report the Wald test (z = beta / SE, SE from the inverse information at
 * the estimate) and the likelihood-ratio test against the null model (for Firth, the
 * penalised likelihood with beta_g = 0 and the penalty of the full design, as logistf). */
#ifndef RGX_LOGISTIC_H
#define RGX_LOGISTIC_H

#include <stddef.h>

#include "err.h"
#include "rsum.h"

/* Which test produced a pair's numbers (/assoc/test in the run file). */
enum { LOGIT_NONE = 0, LOGIT_SCORE = 1, LOGIT_WALD = 2, LOGIT_FIRTH = 3 };
/* When the full fit uses Firth's penalised likelihood. */
enum { LOGIT_FIRTH_FALLBACK = 0, LOGIT_FIRTH_NEVER = 1, LOGIT_FIRTH_ALWAYS = 2 };

/* Rows per chunk of a fit's fused iteration (a multiple of 8): a chunk's k columns and its
 * vectors stay in the first-level cache. */
enum { LOGIT_CHUNK = 128 };

/* Scratch of the fits of one phenotype's observed rows (n) with q covariates + the variant. */
typedef struct {
    size_t n, k; /* capacity: rows, columns (q + 1) */
    double *X;   /* column-major n x k */
    double *eta, *mu, *w, *hat, *T;
    double *H, *Hf, *b, *b0, *grad, *step;
    double *acc, *wxc; /* the fused iteration's lane sums and a chunk of w x (logistic.c) */
    const double **cols; /* k: the columns of X in a chunk */
    /* NULL: X holds every row.  Otherwise X holds this rank's sites' rows (segments rs->lo)
     * and every sum over rows (log-likelihood, score, information) is reduced across the
     * sites (rsum.h); Firth's hat diagonal w_i x_i' H^-1 x_i needs only the reduced H and
     * the row's own x_i, so it stays local. */
    rsum_t *rs;
    /* The null model whose covariate columns and phenotypes X and T's second column hold
     * (logit_full loads them once per phenotype, not once per fit), or NULL. */
    const void *cached;
} logit_ws_t;
rgx_err logit_ws_init(logit_ws_t *ws, size_t n, size_t q);
void logit_ws_free(logit_ws_t *ws);

/* The null model of one phenotype: y (n, 0/1, NaN missing) on C (n x q row-major, the
 * intercept included by the caller).  Missing rows have r = w = 0, so they drop out of every
 * sum of the score test. */
typedef struct {
    size_t n, q, n_obs, n_case, n_ctrl;
    size_t *rows;      /* n_obs: the observed rows, ascending */
    double *beta;      /* q: coefficients */
    double *r;         /* n: y - mu (0 where missing) */
    double *w;         /* n: mu (1 - mu) (0 where missing) */
    double *cwc_inv;   /* q x q: (C'WC)^-1 */
    double *cwc;       /* q x q: C'WC (the full fits' first iteration) */
    double *rc;        /* q: C'r, the score of the covariates at the estimate (the same) */
    double loglik;     /* log-likelihood */
    int iters;
} logit_null_t;

/* Fails (RGX_ERR_INPUT, with the reason) when y has a value other than 0, 1 or NaN, has no
 * case or no control, or the null model does not converge (separation by the covariates). */
rgx_err logit_null_fit(logit_null_t *m, const double *y, const double *C, size_t n, size_t q,
                       logit_ws_t *ws);
void logit_null_free(logit_null_t *m);

/* The score test from U = g'r, V (above): beta = U / V (the one-step estimate from the null),
 * se = 1 / sqrt(V), -log10 p of chi2 = U^2 / V.  NaN when V is not positive. */
void logit_score(double U, double V, double *beta, double *se, double *mlog10p);

typedef struct {
    double beta, se;        /* log odds ratio of the ALT allele and its SE */
    double mlog10p;         /* Wald */
    double lr_mlog10p;      /* likelihood ratio */
    double case_dos, ctrl_dos; /* ALT dosage summed over cases, over controls */
    int test;               /* LOGIT_WALD, LOGIT_FIRTH, or LOGIT_NONE (no fit: NaN numbers) */
    int iters;
} logit_res_t;

/* The score test's sums of a pair over all n rows, of the g given to logit_full (before
 * g_add): u = g'r, d = sum g^2 w, cwg[a] = sum g w C_a (q; r, w: the null model's). */
typedef struct {
    double u, d;
    const double *cwg;
} logit_sums_t;

/* The full fit of y on [C | g + g_add] over the null model's rows; g + g_add: n ALT dosages
 * (missing ones imputed by the caller; g_add lets a caller pass dosages centred over all its
 * samples with their mean, without a copy).  s: the pair's score-test sums, of which the first
 * Newton iteration from the null estimate is made (no pass over the rows).  firth:
 * LOGIT_FIRTH_*. */
void logit_full(const logit_null_t *m, const double *y, const double *C, const double *g,
                double g_add, const logit_sums_t *s, int firth, logit_ws_t *ws,
                logit_res_t *res);

/* The full fit of ws->X's n rows (the q covariates, then the variant's dosage, centred) with
 * phenotypes yy (n, a buffer other than ws->T's first column) from the null estimate; rows
 * split across sites when ws->rs is set.  res->case_dos and ctrl_dos (the ALT dosage summed
 * over all cases and all controls) must be set: they decide the Firth fallback. */
void logit_fit_rows(const logit_null_t *m, const double *yy, size_t n, int firth,
                    logit_ws_t *ws, logit_res_t *res);

/* The full fit with the rows split across sites (one genotype file per site, ws->rs set for
 * ws->n rows): gs[s] holds this rank's segment s's (site ws->rs->site[s]) ALT dosages,
 * site_row the first row of each site.  The case and control dosage sums and the dosage's
 * mean are reduced first; then every sum of the iterations is (logistic.c).  Every rank calls
 * it (collective); all get the result. */
void logit_full_sites(const logit_null_t *m, const double *y, const double *C,
                      const double *const *gs, const size_t *site_row, int firth,
                      logit_ws_t *ws, logit_res_t *res);

/* -log10 of the two-sided normal p of z, and of the chi2 (1 df) p of x; finite far below
 * 1e-308. */
double logit_mlog10p_z(double z);
double logit_mlog10p_chi2(double x);

#endif
