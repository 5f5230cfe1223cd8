/* test_meff.c — the three Meff estimators on eigenvalues worked by hand (and the limits: an
 * identity correlation gives p, a rank-one one gives 1), and the pairwise-complete correlation
 * by GEMMs against a direct loop over each pair's common rows. */
#include "tap.h"
#include "meff.h"

#include <math.h>
#include <stdlib.h>

static double unif(unsigned long long *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(*s >> 11) * 0x1.0p-53;
}

/* Pearson over the rows where both columns are observed (obs[i * p + j]). */
static double pair_corr(const double *X, const int *obs, size_t n, size_t p, size_t j, size_t k)
{
    double sx = 0, sy = 0, m = 0;
    for (size_t i = 0; i < n; i++)
        if (obs[i * p + j] && obs[i * p + k]) sx += X[i * p + j], sy += X[i * p + k], m++;
    double mx = sx / m, my = sy / m, cxy = 0, cxx = 0, cyy = 0;
    for (size_t i = 0; i < n; i++)
        if (obs[i * p + j] && obs[i * p + k]) {
            double a = X[i * p + j] - mx, b = X[i * p + k] - my;
            cxy += a * b, cxx += a * a, cyy += b * b;
        }
    return cxy / sqrt(cxx * cyy);
}

int main(void)
{
    double m[MEFF_N];
    /* {2.5, 0.3, 0.2}: Li-Ji (1 + 0.5) + 0.3 + 0.2 = 2; Nyholt: Var = (1.5^2 + 0.7^2 + 0.8^2)/2
     * = 1.69, 1 + 2 (1 - 1.69/3) = 1.873333...; Galwey (sqrt 2.5 + sqrt 0.3 + sqrt 0.2)^2 / 3. */
    const double l3[3] = {2.5, 0.3, 0.2};
    meff_from_eigen(l3, 3, m);
    is_double(m[MEFF_LI_JI], 2.0, 1e-14, "Li-Ji {2.5, 0.3, 0.2}");
    is_double(m[MEFF_NYHOLT], 1 + 2 * (1 - 1.69 / 3), 1e-14, "Nyholt {2.5, 0.3, 0.2}");
    double sg = sqrt(2.5) + sqrt(0.3) + sqrt(0.2);
    is_double(m[MEFF_GALWEY], sg * sg / 3, 1e-14, "Galwey {2.5, 0.3, 0.2}");
    /* A negative eigenvalue (a pairwise-complete matrix need not be PSD): |x| for Li-Ji,
     * 0 for Galwey. */
    const double l4[4] = {2.2, 1.3, 0.6, -0.1};
    meff_from_eigen(l4, 4, m);
    is_double(m[MEFF_LI_JI], 1.2 + 1.3 + 0.6 + 0.1, 1e-14, "Li-Ji takes |lambda|");
    sg = sqrt(2.2) + sqrt(1.3) + sqrt(0.6);
    is_double(m[MEFF_GALWEY], sg * sg / 4.1, 1e-14, "Galwey drops negative eigenvalues");
    const double id[5] = {1, 1, 1, 1, 1}, one[5] = {5, 0, 0, 0, 0};
    meff_from_eigen(id, 5, m);
    ok(m[0] == 5 && m[1] == 5 && m[2] == 5, "independent phenotypes: Meff = p for all three");
    meff_from_eigen(one, 5, m);
    is_double(m[MEFF_LI_JI], 1, 1e-14, "one phenotype five times: Li-Ji 1");
    is_double(m[MEFF_NYHOLT], 1, 1e-14, "one phenotype five times: Nyholt 1");
    is_double(m[MEFF_GALWEY], 1, 1e-14, "one phenotype five times: Galwey 1");
    ok(meff_method("galwey") == MEFF_GALWEY && meff_method("x") == -1, "method names");

    /* Pairwise-complete correlation: 6 columns in 3 missingness groups, 500 rows. */
    enum { N = 500, P = 6, G = 3 };
    static double X[N * P], mask[N * G], R[P * P], lambda[P];
    static int obs[N * P];
    const int group[P] = {0, 0, 1, 1, 2, 2};
    unsigned long long s = 42;
    for (size_t i = 0; i < N; i++) {
        double z = unif(&s) - 0.5;
        for (size_t g = 0; g < G; g++) mask[i * G + g] = g == 0 || unif(&s) > 0.15 * (double)g;
        for (size_t j = 0; j < P; j++) {
            obs[i * P + j] = mask[i * G + (size_t)group[j]] != 0;
            X[i * P + j] = obs[i * P + j] ? z * (double)(j + 1) + unif(&s) + 3 : 0;
        }
    }
    size_t und = 0;
    ok(meff_corr(X, P, mask, group, N, P, G, R, &und) == RGX_OK && und == 0, "meff_corr runs");
    double worst = 0;
    for (size_t j = 0; j < P; j++)
        for (size_t k = 0; k < P; k++) {
            double want = j == k ? 1 : pair_corr(X, obs, N, P, j, k);
            worst = fmax(worst, fabs(R[j * P + k] - want));
        }
    ok(worst < 1e-12, "pairwise-complete correlation equals the direct one per pair (1e-12)");
    printf("# worst |difference| %.2e\n", worst);
    ok(meff_eigen(R, P, lambda) == RGX_OK, "eigenvalues");
    double tr = 0;
    for (size_t j = 0; j < P; j++) tr += lambda[j];
    is_double(tr, P, 1e-12, "eigenvalues sum to p");
    ok(lambda[0] >= lambda[1] && lambda[4] >= lambda[5], "descending");
    return tap_done();
}
