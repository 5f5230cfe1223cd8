/* combat_fit.h — ComBat estimated across ranks from per-site sums (tiles.h), as sva::ComBat
 * computes it (combat.h), and applied to rows.
 *
 * The design is [site columns | covariates]: without a reference site the site columns are
 * indicators; with reference site r, column r is all ones (the intercept) and the others are
 * indicators (sva's batchmod).  Passes over each rank's rows, each one reduction of per-site
 * sums: (1) counts, minima and maxima per site and feature; (2) X'X and X'Y, giving beta;
 * (3) the residuals' sums, then their squares, giving the pooled variance (over every site, or
 * the reference site only); (4) the standardised values' site sums, giving their site means;
 * (5) their squared deviations from those means.  The empirical-Bayes step then runs on the
 * sums, identically on every rank (the non-parametric one shares its features among ranks).
 *
 * Features sva would not adjust, or could not: code COMBAT_ZERO_VAR (one value throughout a
 * site of two or more patients with no missing value: sva's "uniform expression within a
 * single batch"; left out of the priors and left as they are), COMBAT_FEW_OBS (fewer than two
 * observed values in a site: no site variance; sva stops with NA priors), COMBAT_NO_FIT (its
 * design on its observed rows is singular, or no residual variance is left).  A group (a set of
 * features that shares its priors) in which any adjusted feature has a missing value uses
 * sva's missing-data estimators for all of them: beta per feature on its observed rows, the
 * pooled variance as the variance (n - 1) of the residuals instead of their mean square. */
#ifndef RGX_COMBAT_FIT_H
#define RGX_COMBAT_FIT_H

#include <stddef.h>

#include "combat.h"
#include "err.h"
#include "tiles.h"

enum { COMBAT_ADJUSTED = 0, COMBAT_ZERO_VAR = 1, COMBAT_FEW_OBS = 2, COMBAT_NO_FIT = 3 };

typedef struct {
    size_t K, q, p, n_groups; /* sites, covariates, features, groups */
    const int *group;         /* p: each feature's group (0 .. n_groups - 1) */
    long ref;                 /* reference site, or -1 */
    int method, mean_only;    /* COMBAT_PARAMETRIC or _NONPARAMETRIC */
    const tiles_t *T;
    const double *Y; /* T->n_rows x p: this rank's rows, in list order; NaN: missing */
    const double *Z; /* T->n_rows x q: their covariates (complete) */
    const size_t *site_n;         /* K: patients per site */
    char *const *site_name;       /* K, for messages */
    char *const *covar_name;      /* q, for messages */
    char *const *group_name;      /* n_groups, for messages */
} combat_in_t;

typedef struct {
    size_t K, q, p, d, n_groups; /* d = K + q */
    long ref;
    int method, mean_only;
    int *code;          /* p: COMBAT_ADJUSTED, ... */
    int *na_group;      /* n_groups: 1 when the missing-data estimators were used */
    double *beta;       /* d x p: the design's coefficients, site columns first */
    double *grand;      /* p: the grand mean (sva's grand.mean) */
    double *var_pooled; /* p */
    double *n_obs;      /* K x p: observed values per site */
    double *ghat, *dhat, *gstar, *dstar; /* K x p */
    combat_prior_t *prior; /* n_groups x K */
} combat_fit_t;

/* Collective over in->T->comm; every rank ends with the same bits. */
rgx_err combat_fit(const combat_in_t *in, combat_fit_t *f);
/* Allocates the arrays of a fit of these sizes (for a fit read back from a file). */
rgx_err combat_fit_alloc(combat_fit_t *f, size_t K, size_t q, size_t p, size_t n_groups);
void combat_fit_free(combat_fit_t *f);

/* One row of site `site` with covariates z (q): its harmonised values into out (p).  Rows of
 * the reference site and features not adjusted keep their values; NaN stays NaN. */
void combat_adjust(const combat_fit_t *f, size_t site, const double *y, const double *z,
                   double *out);

#endif
