/* combat.c — see combat.h. */
#include "combat.h"

#include <math.h>

/* Mean and variance (n - 1 denominator) of x, two passes, as R's mean() and var(). */
static void mean_var(const double *x, size_t m, double *mean, double *var)
{
    double s = 0;
    for (size_t j = 0; j < m; j++) s += x[j];
    double mu = s / (double)m, d = 0, c = 0;
    for (size_t j = 0; j < m; j++) c += x[j] - mu; /* R refines its mean with this residue */
    mu += c / (double)m;
    for (size_t j = 0; j < m; j++) d += (x[j] - mu) * (x[j] - mu);
    *mean = mu;
    *var = m > 1 ? d / (double)(m - 1) : NAN;
}

void combat_priors(const combat_site_t *s, combat_prior_t *pr)
{
    double m, s2;
    mean_var(s->ghat, s->m, &pr->gamma_bar, &pr->tau2);
    mean_var(s->dhat, s->m, &m, &s2);
    pr->a = (2 * s2 + m * m) / s2;
    pr->b = (m * s2 + m * m * m) / s2;
    pr->iterations = 0;
}

/* sva's postmean */
static double postmean(double ghat, double gbar, double n, double dstar, double t2)
{
    return (t2 * n * ghat + dstar * gbar) / (t2 * n + dstar);
}

rgx_err combat_parametric(const combat_site_t *s, int mean_only, combat_prior_t *pr, double *gstar,
                          double *dstar)
{
    size_t m = s->m;
    if (mean_only) { /* sva: postmean(gamma.hat, gamma.bar, 1, 1, t2), delta* = 1 */
        for (size_t j = 0; j < m; j++)
            gstar[j] = postmean(s->ghat[j], pr->gamma_bar, 1, 1, pr->tau2), dstar[j] = 1;
        return RGX_OK;
    }
    for (size_t j = 0; j < m; j++) gstar[j] = s->ghat[j], dstar[j] = s->dhat[j];
    double change = 1;
    long it = 0;
    while (change > COMBAT_CONV) {
        if (it == COMBAT_MAX_ITER)
            return rgx_fail(RGX_ERR_NUMERIC,
                            "the parametric empirical-Bayes iteration did not converge in %d "
                            "rounds (largest relative change %g)",
                            COMBAT_MAX_ITER, change);
        change = -INFINITY;
        int bad = 0;
        for (size_t j = 0; j < m; j++) {
            double n = s->n[j];
            double g = postmean(s->ghat[j], pr->gamma_bar, n, dstar[j], pr->tau2);
            double dev = s->mean[j] - g, sum2 = s->ss[j] + n * dev * dev;
            double d = (0.5 * sum2 + pr->b) / (n / 2 + pr->a - 1);
            /* sva divides by the signed old value: a negative gamma never holds the loop */
            double cg = fabs(g - gstar[j]) / gstar[j], cd = fabs(d - dstar[j]) / dstar[j];
            bad |= isnan(cg) || isnan(cd);
            if (cg > change) change = cg;
            if (cd > change) change = cd;
            gstar[j] = g, dstar[j] = d;
        }
        it++;
        if (bad)
            return rgx_fail(RGX_ERR_NUMERIC,
                            "the parametric empirical-Bayes iteration met an undefined relative "
                            "change (a location or scale estimate of exactly 0) in round %ld",
                            it);
    }
    pr->iterations = it;
    return RGX_OK;
}

void combat_nonparametric(const combat_site_t *s, size_t j0, size_t j1, double *gstar,
                          double *dstar)
{
    size_t m = s->m;
    const double log2pi = log(2 * M_PI);
    for (size_t j = j0; j < j1; j++) {
        double n = s->n[j], top = -INFINITY;
        /* The largest log-likelihood first, so that the weights are exp(l - top) <= 1. */
        for (size_t k = 0; k < m; k++) {
            if (k == j || !(s->dhat[k] > 0) || !isfinite(s->dhat[k])) continue;
            double dev = s->mean[j] - s->ghat[k], sum2 = s->ss[j] + n * dev * dev;
            double l = -0.5 * n * (log2pi + log(s->dhat[k])) - sum2 / (2 * s->dhat[k]);
            if (l > top) top = l;
        }
        double w = 0, wg = 0, wd = 0;
        for (size_t k = 0; k < m && isfinite(top); k++) {
            if (k == j || !(s->dhat[k] > 0) || !isfinite(s->dhat[k])) continue;
            double dev = s->mean[j] - s->ghat[k], sum2 = s->ss[j] + n * dev * dev;
            double l = -0.5 * n * (log2pi + log(s->dhat[k])) - sum2 / (2 * s->dhat[k]);
            double e = exp(l - top);
            w += e, wg += e * s->ghat[k], wd += e * s->dhat[k];
        }
        gstar[j - j0] = w > 0 ? wg / w : NAN;
        dstar[j - j0] = w > 0 ? wd / w : NAN;
    }
}

long combat_chol(double *A, size_t d)
{
    for (size_t j = 0; j < d; j++) {
        double diag = A[j * d + j], s = diag;
        for (size_t k = 0; k < j; k++) s -= A[j * d + k] * A[j * d + k];
        if (!(s > 1e-10 * diag) || !(diag > 0)) return (long)j;
        double l = sqrt(s);
        A[j * d + j] = l;
        for (size_t i = j + 1; i < d; i++) {
            double t = A[i * d + j];
            for (size_t k = 0; k < j; k++) t -= A[i * d + k] * A[j * d + k];
            A[i * d + j] = t / l;
        }
    }
    return -1;
}

void combat_chol_solve(const double *L, size_t d, double *b)
{
    for (size_t i = 0; i < d; i++) { /* L z = b */
        double t = b[i];
        for (size_t k = 0; k < i; k++) t -= L[i * d + k] * b[k];
        b[i] = t / L[i * d + i];
    }
    for (size_t i = d; i-- > 0;) { /* L' x = z */
        double t = b[i];
        for (size_t k = i + 1; k < d; k++) t -= L[k * d + i] * b[k];
        b[i] = t / L[i * d + i];
    }
}
