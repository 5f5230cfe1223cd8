/* test_combat.c — ComBat's arithmetic on sums (combat.h) against direct computations: the
 * method-of-moments priors against their formulas, the parametric estimates at the fixed point
 * of sva's equations computed from the rows, the non-parametric estimates against sva's
 * likelihood products from the rows (where they do not underflow) and finite where those do,
 * the Cholesky solve against a known system and its singular column. */
#include "tap.h"
#include "combat.h"

#include <math.h>
#include <stdlib.h>

static double unif(unsigned long long *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(*s >> 11) * 0x1.0p-53;
}

static double norm(unsigned long long *s)
{
    return sqrt(-2 * log(1 - unif(s))) * cos(2 * M_PI * unif(s));
}

enum { M = 12, N = 15 };

int main(void)
{
    unsigned long long seed = 7;
    double x[M][N], n[M], mean[M], ss[M], gh[M], dh[M];
    for (int j = 0; j < M; j++) { /* a site's standardised values of M features */
        double loc = 0.3 * norm(&seed), sc = exp(0.3 * norm(&seed));
        double s = 0, d = 0;
        for (int i = 0; i < N; i++) x[j][i] = loc + sc * norm(&seed), s += x[j][i];
        n[j] = N, mean[j] = s / N;
        for (int i = 0; i < N; i++) d += (x[j][i] - mean[j]) * (x[j][i] - mean[j]);
        ss[j] = d, gh[j] = mean[j], dh[j] = d / (N - 1);
    }
    combat_site_t cs = {M, n, mean, ss, gh, dh};
    combat_prior_t pr;
    combat_priors(&cs, &pr);
    double mg = 0, vg = 0, md = 0, vd = 0;
    for (int j = 0; j < M; j++) mg += gh[j] / M, md += dh[j] / M;
    for (int j = 0; j < M; j++)
        vg += (gh[j] - mg) * (gh[j] - mg) / (M - 1), vd += (dh[j] - md) * (dh[j] - md) / (M - 1);
    is_double(pr.gamma_bar, mg, 1e-14, "gamma_bar: the mean of gamma_hat");
    is_double(pr.tau2, vg, 1e-14, "tau2: the variance of gamma_hat");
    is_double(pr.a, (2 * vd + md * md) / vd, 1e-10, "a: (2 s2 + m^2) / s2");
    is_double(pr.b, (md * vd + md * md * md) / vd, 1e-10, "b: (m s2 + m^3) / s2");

    /* Parametric: at convergence the estimates satisfy sva's equations (to its 1e-4). */
    double gs[M], ds[M];
    ok(combat_parametric(&cs, 0, &pr, gs, ds) == RGX_OK, "parametric converges");
    ok(pr.iterations > 1 && pr.iterations < 100, "in a few rounds");
    double worst = 0;
    for (int j = 0; j < M; j++) {
        double g = (pr.tau2 * N * gh[j] + ds[j] * pr.gamma_bar) / (pr.tau2 * N + ds[j]), sum2 = 0;
        for (int i = 0; i < N; i++) sum2 += (x[j][i] - gs[j]) * (x[j][i] - gs[j]);
        double d = (0.5 * sum2 + pr.b) / (N / 2.0 + pr.a - 1);
        worst = fmax(worst, fmax(fabs(g - gs[j]) / fabs(gs[j]), fabs(d - ds[j]) / ds[j]));
    }
    ok(worst < 1e-3, "parametric: a fixed point of the posterior equations from the rows");
    ok(combat_parametric(&cs, 1, &pr, gs, ds) == RGX_OK && ds[0] == 1 &&
           fabs(gs[0] - (pr.tau2 * gh[0] + pr.gamma_bar) / (pr.tau2 + 1)) < 1e-15,
       "mean only: postmean with n = 1, delta = 1 (as sva)");

    /* Non-parametric against sva's products computed from the rows. */
    combat_nonparametric(&cs, 0, M, gs, ds);
    worst = 0;
    for (int j = 0; j < M; j++) {
        double w = 0, wg = 0, wd = 0;
        for (int k = 0; k < M; k++) {
            if (k == j) continue;
            double sum2 = 0;
            for (int i = 0; i < N; i++) sum2 += (x[j][i] - gh[k]) * (x[j][i] - gh[k]);
            double lh = 1 / pow(2 * M_PI * dh[k], N / 2.0) * exp(-sum2 / (2 * dh[k]));
            w += lh, wg += gh[k] * lh, wd += dh[k] * lh;
        }
        worst =
            fmax(worst, fmax(fabs(wg / w - gs[j]) / fabs(wg / w), fabs(wd / w - ds[j]) / (wd / w)));
    }
    ok(worst < 1e-12, "non-parametric: the likelihood-weighted means of the other features");
    double nb[M];
    for (int j = 0; j < M; j++) nb[j] = 4000, ss[j] = dh[j] * 3999;
    combat_site_t big = {M, nb, mean, ss, gh, dh};
    combat_nonparametric(&big, 2, 5, gs, ds);
    ok(isfinite(gs[0]) && isfinite(ds[2]) && ds[0] > 0,
       "non-parametric: finite for a site of 4000 (where the products underflow to 0/0)");

    /* Cholesky */
    double A[9] = {4, 2, 0.4, 2, 5, 1, 0.4, 1, 3}, b[3] = {1, 2, 3}, want[3];
    double A0[9];
    for (int k = 0; k < 9; k++) A0[k] = A[k];
    ok(combat_chol(A, 3) == -1, "positive definite");
    combat_chol_solve(A, 3, b);
    for (int i = 0; i < 3; i++)
        want[i] = A0[i * 3] * b[0] + A0[i * 3 + 1] * b[1] + A0[i * 3 + 2] * b[2];
    ok(fabs(want[0] - 1) < 1e-14 && fabs(want[1] - 2) < 1e-14 && fabs(want[2] - 3) < 1e-14,
       "L L' x = b solved");
    double S[9] = {1, 2, 3, 2, 4, 6, 3, 6, 10};
    is_int(combat_chol(S, 3), 1, "singular: the column that is a combination of those before");
    return tap_done();
}
