/* combat.h — the arithmetic of ComBat (Johnson, Li & Rabinovic 2007, Biostatistics 8:118) as
 * sva::ComBat (Bioconductor sva 3.x) computes it, on per-site sums: nothing here sees a
 * patient's row, so the distributed driver (combat_fit.h) can feed it reduced sums.
 *
 * The model, per feature j and patient i of site b:  y_ij = a_j + x_i'beta_j + g_bj + d_bj e_ij.
 * With the standardised values s_ij = (y_ij - a_j - x_i'beta_j) / sqrt(v_j) (v_j the pooled
 * residual variance), a site's location and scale estimates are gamma_hat_bj (its mean of s,
 * or with a reference site r its mean minus r's mean) and delta_hat_bj (its variance of s,
 * n - 1 denominator).  The empirical-Bayes step shrinks them towards priors fitted by the
 * method of moments over the features of a group:
 *   gamma_hat_bj ~ N(gamma_bar_b, tau2_b)   (mean and variance over j, n - 1 denominator)
 *   delta_hat_bj ~ InvGamma(a_b, b_b)       a = (2 s2 + m^2) / s2, b = (m s2 + m^3) / s2
 * with m, s2 the mean and variance of delta_hat_b. over j.
 *   parametric: iterate  gamma* = (tau2 n gamma_hat + delta* gamma_bar) / (tau2 n + delta*),
 *               delta* = (sum_i (s_ij - gamma*)^2 / 2 + b) / (n / 2 + a - 1)
 *               from (gamma_hat, delta_hat) until the largest relative change of either,
 *               max over j of |new - old| / old (signed old, as sva), is at most 1e-4;
 *   non-parametric: gamma*_j, delta*_j are the averages of gamma_hat_k, delta_hat_k over the
 *               other features k of the group, weighted by the normal likelihood of feature
 *               j's site values under (gamma_hat_k, delta_hat_k);
 *   mean only:  delta = 1; the parametric gamma* = postmean with n = 1, delta = 1 (as sva).
 * The adjusted value is (s_ij - gamma*_bj) / sqrt(delta*_bj) * sqrt(v_j) + a_j + x_i'beta_j.
 *
 * sum_i (s_ij - g)^2 over a site is ss_bj + n_bj (mean_bj - g)^2 with the site's mean and sum
 * of squared deviations: the same number sva sums from the rows, without the rows. */
#ifndef RGX_COMBAT_H
#define RGX_COMBAT_H

#include <stddef.h>

#include "err.h"

enum { COMBAT_PARAMETRIC = 0, COMBAT_NONPARAMETRIC = 1 };

/* sva's convergence threshold of the parametric iteration; the iteration cap is ours (sva
 * has none). */
#define COMBAT_CONV 1e-4
#define COMBAT_MAX_ITER 100000

/* One site's summaries of the m features of a group (arrays of m). */
typedef struct {
    size_t m;
    const double *n;     /* observed values of the site */
    const double *mean;  /* their mean of s */
    const double *ss;    /* their sum of squared deviations from it */
    const double *ghat;  /* gamma_hat */
    const double *dhat;  /* delta_hat (1 with mean_only) */
} combat_site_t;

typedef struct {
    double gamma_bar, tau2, a, b;
    long iterations; /* of the parametric iteration (0: none) */
} combat_prior_t;

/* The method-of-moments priors of a site over its m features. */
void combat_priors(const combat_site_t *s, combat_prior_t *pr);

/* Parametric posterior estimates of every feature of the site (gstar, dstar: m each).
 * RGX_ERR_NUMERIC when the iteration does not converge (a NaN change, where sva stops with
 * an R error, or COMBAT_MAX_ITER rounds). */
rgx_err combat_parametric(const combat_site_t *s, int mean_only, combat_prior_t *pr, double *gstar,
                          double *dstar);

/* Non-parametric estimates of features [j0, j1) of the site into gstar[j - j0], dstar[j - j0]:
 * each is independent of the others, so ranks can share the O(m^2) work.  Computed in log
 * space (sva multiplies (2 pi d)^(-n/2) by exp(-sum2 / 2d), which underflows to 0/0 for sites
 * of a few hundred patients; where it does not, the two agree to rounding).  A feature whose
 * every weight is zero or undefined gets NaN, as in sva. */
void combat_nonparametric(const combat_site_t *s, size_t j0, size_t j1, double *gstar,
                          double *dstar);

/* In-place Cholesky factor (lower) of the d x d symmetric positive definite A (row-major).
 * Returns the first column whose pivot is not positive relative to its diagonal (1e-10), or
 * -1 when A is positive definite: a singular design names its column. */
long combat_chol(double *A, size_t d);
/* Solves L L' x = b in place (b: d values). */
void combat_chol_solve(const double *L, size_t d, double *b);

#endif
