/* test_scan.c — the scan kernel against a brute-force OLS per variant (GSL multifit) with
 * covariates and phenotypes in three missingness groups (by corrections and by masked
 * columns); the log-space t tail against the
 * direct value where both are representable, and finite far below 1e-308; HWE exact test
 * against hand-computed values; vqc_decide against vqc_from_sums. */
#include "tap.h"
#include "scan.h"
#include "scan_vqc.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_multifit.h>
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

/* y[rows] on [C | g] by GSL; returns beta, se of g. */
static void ols(const double *Y, size_t p, size_t j, const double *C, size_t q, const double *g,
                size_t n, double *b, double *s, double *df)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) m += !isnan(Y[i * p + j]);
    gsl_matrix *X = gsl_matrix_alloc(m, q + 1), *cov = gsl_matrix_alloc(q + 1, q + 1);
    gsl_vector *y = gsl_vector_alloc(m), *c = gsl_vector_alloc(q + 1);
    for (size_t i = 0, r = 0; i < n; i++) {
        if (isnan(Y[i * p + j])) continue;
        for (size_t a = 0; a < q; a++) gsl_matrix_set(X, r, a, C[i * q + a]);
        gsl_matrix_set(X, r, q, g[i]);
        gsl_vector_set(y, r, Y[i * p + j]);
        r++;
    }
    double chisq;
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(m, q + 1);
    gsl_multifit_linear(X, y, c, cov, &chisq, w);
    *b = gsl_vector_get(c, q);
    *df = (double)m - (double)q - 1;
    (void)chisq; /* cov is sigma^2 (X'X)^-1 already */
    *s = sqrt(gsl_matrix_get(cov, q, q));
    gsl_multifit_linear_free(w);
    gsl_matrix_free(X), gsl_matrix_free(cov), gsl_vector_free(y), gsl_vector_free(c);
}

/* The kernel against the brute-force OLS with q covariates (intercept, a normal, a binary,
 * then more normals): q = 3 fits one block of the sparse kernel's weights, q = 8 needs two
 * (six, then two).  B = 40 variants: a whole tile of the sparse sums and a short one. */
static void against_ols(size_t Q)
{
    enum { N = 150, P = 4, B = 40 };
    unsigned long long seed = 42;
    double *C = calloc(N * Q, sizeof *C);
    static double Y[N * P], G[B * N], raw[B * N];
    for (size_t i = 0; i < N; i++) {
        C[i * Q] = 1, C[i * Q + 1] = norm(&seed), C[i * Q + 2] = unif(&seed) < 0.5;
        for (size_t a = 3; a < Q; a++) C[i * Q + a] = norm(&seed);
        for (size_t j = 0; j < P; j++) Y[i * P + j] = norm(&seed) + 0.3 * C[i * Q + 1];
        if (i % 7 == 0) Y[i * P + 1] = Y[i * P + 2] = NAN; /* phenotypes 1 and 2: one group */
        if (i % 3 == 1) Y[i * P + 3] = NAN;                 /* phenotype 3: a third missing */
    }
    for (size_t v = 0; v < B; v++) {
        double af = 0.05 + 0.4 * unif(&seed), mean = 0;
        for (size_t i = 0; i < N; i++) {
            raw[v * N + i] = (unif(&seed) < af) + (unif(&seed) < af) + 0.1 * unif(&seed);
            mean += raw[v * N + i];
        }
        for (size_t i = 0; i < N; i++) G[v * N + i] = raw[v * N + i] - mean / N;
    }
    /* A strong effect on phenotype 0 for variant 3. */
    for (size_t i = 0; i < N; i++) Y[i * P] += 0.8 * raw[3 * N + i];
    int keep[P] = {1, 1, 1, 1};
    scan_model_t m;
    is_int(scan_model_init(&m, Y, N, P, keep, C, Q), RGX_OK, "model");
    is_int((int)m.n_groups, 3, "three missingness groups");
    /* Both ways of handling a group's missing rows: corrections (few missing: the complete
     * group and the 1-in-7 one) and masked GEMM columns (a third missing). */
    is_int((int)m.n_sparse, 2, "two groups by corrections");
    is_int((int)m.n_dense, 1, "one group by masked columns");
    double *work = calloc(scan_sums_len(&m, B), sizeof *work),
           *G2 = calloc(scan_scratch_len(N), sizeof *G2);
    static double beta[B * P], se[B * P], mlp[B * P], xty[B * P], gtg[B * P];
    scan_block_sums(&m, G, B, 0, N, G2, work);
    scan_block_reduce(&m, work, B, xty, gtg);
    scan_params_t par = scan_params(&m);
    scan_stats(&par, xty, gtg, B, beta, se, mlp);
    double worst_b = 0, worst_s = 0, worst_p = 0;
    for (size_t v = 0; v < B; v++)
        for (size_t j = 0; j < P; j++) {
            double b, s, df;
            ols(Y, P, j, C, Q, raw + v * N, N, &b, &s, &df);
            double p = 2 * gsl_cdf_tdist_Q(fabs(b / s), df);
            worst_b = fmax(worst_b, fabs(beta[v * P + j] - b) / fabs(b));
            worst_s = fmax(worst_s, fabs(se[v * P + j] - s) / s);
            worst_p = fmax(worst_p, fabs(mlp[v * P + j] + log10(p)));
        }
    char what[96];
    snprintf(what, sizeof what, "%zu covariates: beta equals the brute-force OLS (relative 1e-9)",
             Q);
    ok(worst_b < 1e-9, what);
    snprintf(what, sizeof what, "%zu covariates: SE equals the brute-force OLS (relative 1e-9)", Q);
    ok(worst_s < 1e-9, what);
    snprintf(what, sizeof what, "%zu covariates: -log10 p equals the OLS t test", Q);
    ok(worst_p < 1e-9, what);
    ok(mlp[3 * P] > 3, "the planted effect is found");
    scan_model_free(&m);
    free(C), free(work), free(G2);
}

/* The exact HWE test's p from its definition, independently of scan_hwe_p's recurrence: every
 * heterozygote count's probability from lgamma (P(h) = 2^h n! nA! nB! / ((2n)! hom_r! h!
 * hom_c!)), the p the sum of those at most the observed one's. */
static double hwe_by_lgamma(long n_aa, long n_ab, long n_bb)
{
    long n = n_aa + n_ab + n_bb, rare = 2 * (n_aa < n_bb ? n_aa : n_bb) + n_ab;
    double c = lgamma(n + 1.0) + lgamma(rare + 1.0) + lgamma(2.0 * n - rare + 1) -
               lgamma(2.0 * n + 1);
    double lobs = 0, pv = 0;
    for (int pass = 0; pass < 2; pass++)
        for (long h = rare % 2; h <= rare && h <= n; h += 2) {
            long hr = (rare - h) / 2, hc = n - h - hr;
            if (hc < 0) continue;
            double lp = c + h * M_LN2 - lgamma(hr + 1.0) - lgamma(h + 1.0) - lgamma(hc + 1.0);
            if (pass == 0 && h == n_ab) lobs = lp;
            if (pass == 1 && lp <= lobs + 1e-9) pv += exp(lp);
        }
    return pv > 1 ? 1 : pv;
}

static void hwe_against_lgamma(void)
{
    /* n from 100 to 40,000; the observed heterozygotes at the mode, in either tail, near the
     * ends (p from 1 to below 1e-100) */
    long ns[] = {100, 1001, 10000, 40000};
    double afs[] = {0.5, 0.2, 0.03, 0.002};
    double fr[] = {1.0, 0.97, 1.03, 0.9, 1.1, 0.5, 0.0, 1.6};
    double worst = 0, smallest = 1;
    int cases = 0;
    for (size_t a = 0; a < 4; a++)
        for (size_t b = 0; b < 4; b++)
            for (size_t f = 0; f < 8; f++) {
                long n = ns[a], rare = (long)(2 * n * afs[b]) | 1;
                double expect = (double)rare * (2.0 * n - rare) / (2.0 * n);
                long het = (long)(expect * fr[f]);
                if ((het % 2) != (rare % 2)) het++;
                if (het > rare) het = rare;
                if (het > rare || (rare - het) / 2 + het > n) continue;
                long hr = (rare - het) / 2, hc = n - het - hr;
                double got = scan_hwe_p(hr, het, hc), want = hwe_by_lgamma(hr, het, hc);
                if (want < 1e-290) {
                    worst = fmax(worst, got < 1e-280 ? 0 : 1);
                    continue;
                }
                worst = fmax(worst, fabs(got - want) / want);
                smallest = fmin(smallest, want);
                cases++;
            }
    printf("# HWE: %d cases, p down to %.3g, worst relative difference %.2g\n", cases, smallest,
           worst);
    ok(cases > 80 && smallest < 1e-100 && worst < 1e-8,
       "HWE exact test as its definition by lgamma (n to 40,000; 1e-8)");
}

int main(void)
{
    against_ols(3);
    against_ols(8);

    /* The t tail in log space. */
    double direct = -log10(2 * gsl_cdf_tdist_Q(40.0, 300));
    is_double(tdist_mlog10p(40.0, 300), direct, 1e-9 * direct, "t = 40: log-space tail = direct");
    is_double(tdist_mlog10p(-2.5, 50), -log10(2 * gsl_cdf_tdist_Q(2.5, 50)), 1e-12, "small t");
    double far = tdist_mlog10p(1000.0, 1000);
    ok(isfinite(far) && far > 400, "t = 1000, df = 1000: finite and below 1e-400");
    /* Student t tail for df = 1 (Cauchy): p = 1 - 2 atan(t) / pi = 2 atan(1/t) / pi. */
    double t = 1e200;
    is_double(tdist_mlog10p(t, 1), -log10(2 / M_PI) + 200, 1e-9, "Cauchy tail at t = 1e200");
    is_double(tdist_mlog10p(0, 10), 0, 1e-15, "t = 0: p = 1");
    /* Both branches (small |t| by the complementary continued fraction, large |t| in log
     * space) against GSL's t distribution over a grid, down to p = 1e-12: beyond that GSL's
     * own tail loses digits (1e-8 relative at p ~ 1e-22, df 50); the far tail is checked
     * against the direct formula above. */
    double worst_t = 0;
    const double dfs[] = {1, 3, 10, 50, 300, 2000, 20000};
    for (size_t d = 0; d < sizeof dfs / sizeof dfs[0]; d++)
        for (double tt = 0.001; tt < 30; tt *= 1.07) {
            double ref = -log10(2 * gsl_cdf_tdist_Q(tt, dfs[d]));
            if (!isfinite(ref) || ref > 12) continue;
            double e = fabs(tdist_mlog10p(tt, dfs[d]) - ref) / (ref > 1 ? ref : 1);
            if (e > worst_t) worst_t = e;
        }
    printf("# t tail vs GSL, p >= 1e-12, df 1..20000: worst relative difference %.2g\n", worst_t);
    ok(worst_t < 1e-11, "t tail equals GSL's over the grid");
    ok(isnan(tdist_mlog10p(NAN, 10)), "NaN in, NaN out");
    /* The scan's tables against the exact tail, on a grid finer than their Chebyshev points
     * and past their range (where they hand over to the exact path). */
    double worst_tab = 0;
    static tdist_table_t tab;
    for (size_t d = 0; d < sizeof dfs / sizeof dfs[0]; d++) {
        tdist_table_init(&tab, dfs[d]);
        for (double tt = 0; tt < 14; tt += 0.000937) {
            double ref = tdist_mlog10p(tt, dfs[d]);
            double e = fabs(tdist_table_mlog10p(&tab, -tt) - ref) / (ref > 1 ? ref : 1);
            if (e > worst_tab) worst_tab = e;
        }
    }
    printf("# t tail tables vs the exact tail, df 1..20000, |t| < 14: worst %.2g\n", worst_tab);
    ok(worst_tab < 5e-12, "the tabulated t tail equals the exact one (whose own error is ~1e-12)");
    tdist_table_init(&tab, 0.5);
    ok(isnan(tdist_table_mlog10p(&tab, 2)), "df < 1: no p-value");
    tdist_table_init(&tab, 30);
    ok(isnan(tdist_table_mlog10p(&tab, NAN)), "table: NaN in, NaN out");
    is_double(tdist_table_mlog10p(&tab, 0), 0, 1e-15, "table: t = 0 gives p = 1");
    /* The batched evaluation gives the very bits of the single one, whatever mixes in a
     * batch: tables of several df (one unusable), NaN, the far tail, both signs, a ragged end. */
    {
        static tdist_table_t tabs4[4];
        const double df4[4] = {3, 30, 0.5, 1998};
        for (int t4 = 0; t4 < 4; t4++) tdist_table_init(&tabs4[t4], df4[t4]);
        enum { NB = 1003 };
        static double xs[NB], ys[NB];
        static const tdist_table_t *tp[NB];
        srand(11);
        for (int i = 0; i < NB; i++) {
            int r = rand() % 20;
            tp[i] = &tabs4[rand() % 4];
            xs[i] = r == 0 ? NAN : r == 1 ? 40.0 * (rand() % 2 ? 1 : -1) : r == 2 ? 1e300
                  : (rand() / (double)RAND_MAX - 0.5) * 26;
            ys[i] = tdist_table_mlog10p(tp[i], xs[i]);
        }
        tdist_table_mlog10p_n(tp, xs, NB);
        ok(memcmp(xs, ys, sizeof xs) == 0, "batched table evaluation: bitwise the single one");
    }

    /* HWE: all heterozygous among 2 is p = 1 (only arrangement) ... and hand-checked cases. */
    is_double(scan_hwe_p(0, 0, 10), 1, 1e-12, "monomorphic: p = 1");
    is_double(scan_hwe_p(25, 50, 25), 1, 1e-9, "perfect equilibrium: p = 1");
    ok(scan_hwe_p(50, 0, 50) < 1e-20, "no heterozygotes at 50%: tiny p");
    /* n = 3, one copy of the rare allele: the only arrangement is one heterozygote. */
    is_double(scan_hwe_p(2, 1, 0), 1, 1e-12, "a single rare allele: p = 1");

    hwe_against_lgamma();

    /* vqc_decide (HWE only where the filter needs it) decides as vqc_from_sums, for counts
     * that fail each filter in turn, with the HWE filter off and on. */
    {
        int same = 1, hwe_used = 0, hwe_fail = 0;
        for (int k = 0; k < 4000; k++) {
            scan_opts_t o = {.maf = 0.05, .mac = 5, .call_rate = 0.9, .hwe = k % 2 ? 1e-4 : 0};
            double c[3] = {rand() % 60, rand() % (k % 3 ? 60 : 3), rand() % 60};
            long obs = (long)(c[0] + c[1] + c[2]);
            size_t n = (size_t)obs + (size_t)(rand() % 12);
            vqc_t a, b;
            double ma, mb;
            vqc_from_sums(&o, c[1] + 2 * c[2], obs, c, n, &a, &ma);
            vqc_decide(&o, c[1] + 2 * c[2], obs, c, n, &b, &mb);
            same &= a.pass == b.pass && ma == mb && a.af == b.af;
            hwe_used += !isnan(b.hwe_p), hwe_fail += b.pass == Q_HWE;
            if (!isnan(b.hwe_p)) same &= a.hwe_p == b.hwe_p;
        }
        ok(same && hwe_used > 100 && hwe_fail > 10, "vqc_decide: the decisions of vqc_from_sums");
        printf("# %d of 4000 needed the HWE test, %d failed it\n", hwe_used, hwe_fail);
    }
    return tap_done();
}
