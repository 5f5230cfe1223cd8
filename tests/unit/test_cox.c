/* test_cox.c — the Cox fits (src/scan/cox.c) against R's survival::coxph with Efron ties on the
 * same data: per (variant, outcome) the partial-likelihood fit (beta = log HR and SE within
 * 1e-5 relative, Wald and likelihood-ratio -log10 p within 1e-4) and the score test at the
 * null model's estimate (coxph with init = the null's coefficients and iter.max = 0, whose
 * score statistic is U^2 / V; 1e-6), computed as the scan computes it: U, g^2'(delta - m) and
 * g'K as dot products, Q by cox_quad over a transposed block.  Two outcomes (one with missing
 * values), two covariates, times rounded so that events tie. */
#include "tap.h"
#include "cox.h"
#include "logistic.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { N = 300, Q = 2, P = 2, M = 20 };

static unsigned long long seed = 11;
static double unif(void)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(seed >> 11) * 0x1.0p-53;
}
static double norm(void)
{
    return sqrt(-2 * log(1 - unif())) * cos(2 * M_PI * unif());
}

static double C[N * Q], T[P][N], E[P][N], G[M][N], Gt[N * M];

static void simulate(void)
{
    for (size_t i = 0; i < N; i++) C[i * Q] = norm(), C[i * Q + 1] = unif() < 0.4;
    for (size_t j = 0; j < M; j++) {
        double f = 0.45 - 0.02 * (double)j;
        for (size_t i = 0; i < N; i++) G[j][i] = (unif() < f) + (unif() < f);
    }
    for (size_t k = 0; k < P; k++)
        for (size_t i = 0; i < N; i++) {
            double eta = 0.5 * C[i * Q] - 0.4 * C[i * Q + 1] + (k == 0 ? 0.5 * G[0][i] : 0);
            /* Weibull (shape 1.5) event times, uniform censoring; rounded: ties */
            double t = pow(-log(1 - unif()) / exp(eta), 1 / 1.5), c = 2.5 * unif();
            T[k][i] = ceil(fmin(t, c) * 10) / 10, E[k][i] = t <= c;
            if (k == 1 && unif() < 0.1) T[k][i] = E[k][i] = NAN;
        }
}

static const char *r_script =
    "suppressMessages(library(survival))\n"
    "d <- commandArgs(TRUE)[1]\n"
    "x <- read.table(paste0(d, '/data.tsv'), header=TRUE)\n"
    "ctl <- coxph.control(eps=1e-12, toler.chol=1e-14, iter.max=100)\n"
    "out <- c()\n"
    "for (k in 1:2) { t <- x[[paste0('t', k)]]; e <- x[[paste0('e', k)]]\n"
    " n0 <- coxph(Surv(t, e) ~ x1 + x2, data=x, ties='efron', control=ctl)\n"
    " for (j in 1:20) { g <- x[[paste0('g', j)]]\n"
    "  f <- coxph(Surv(t, e) ~ x1 + x2 + g, data=x, ties='efron', control=ctl)\n"
    "  s <- summary(f)$coefficients\n"
    "  sc <- coxph(Surv(t, e) ~ x1 + x2 + g, data=x, ties='efron', init=c(coef(n0), 0),"
    " control=coxph.control(iter.max=0))$score\n"
    "  out <- c(out, sprintf('%d\\t%d\\t%.15g\\t%.15g\\t%.15g\\t%.15g\\t%.15g\\t%d', k, j,"
    " s['g','coef'], s['g','se(coef)'], -log10(s['g','Pr(>|z|)']),"
    " 2 * (f$loglik[2] - n0$loglik[2]), sc, f$nevent)) } }\n"
    "writeLines(out, paste0(d, '/r.tsv'))\n";

static double rel(double a, double b)
{
    return fabs(a - b) / fmax(fabs(b), 1e-300);
}

int main(void)
{
    simulate();
    char dir[] = "/tmp/rgx_cox_XXXXXX", cmd[1024], path[600];
    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/data.tsv", dir);
    FILE *f = fopen(path, "w");
    ok(f != NULL, "data file");
    fprintf(f, "x1\tx2\tt1\te1\tt2\te2");
    for (size_t j = 0; j < M; j++) fprintf(f, "\tg%zu", j + 1);
    fprintf(f, "\n");
    for (size_t i = 0; i < N; i++) {
        fprintf(f, "%.17g\t%g", C[i * Q], C[i * Q + 1]);
        for (size_t k = 0; k < P; k++)
            isnan(T[k][i]) ? fprintf(f, "\tNA\tNA") : fprintf(f, "\t%g\t%g", T[k][i], E[k][i]);
        for (size_t j = 0; j < M; j++) fprintf(f, "\t%g", G[j][i]);
        fprintf(f, "\n");
    }
    fclose(f);

    cox_ws_t ws;
    ok(cox_ws_init(&ws, N, Q) == RGX_OK, "workspace");
    cox_null_t nul[P];
    cox_res_t res[P][M];
    double chi2[P][M], scratch[2 * M], quad[M];
    for (size_t k = 0; k < P; k++) {
        ok(cox_null_fit(&nul[k], T[k], E[k], C, N, Q, &ws) == RGX_OK, "null model fits");
        /* the block as the scan holds it: centred dosages, transposed (sample-major) */
        for (size_t j = 0; j < M; j++) {
            double mean = 0;
            for (size_t i = 0; i < N; i++) mean += G[j][i] / N;
            for (size_t i = 0; i < N; i++) Gt[i * M + j] = G[j][i] - mean;
        }
        cox_quad(&nul[k], Gt, M, M, scratch, quad);
        for (size_t j = 0; j < M; j++) {
            cox_full(&nul[k], C, G[j], 0, &ws, &res[k][j]);
            double U = 0, Tt = 0, igc[Q] = {0}, b, s, lp;
            for (size_t i = 0; i < N; i++) {
                double g = Gt[i * M + j];
                U += g * nul[k].m[i], Tt += g * g * nul[k].dm[i];
                for (size_t a = 0; a < Q; a++) igc[a] += g * nul[k].K[i * Q + a];
            }
            cox_score(&nul[k], U, Tt, quad[j], igc, &b, &s, &lp);
            chi2[k][j] = b * b / (s * s);
        }
    }
    ok(res[0][0].mlog10p > 5, "planted variant found");

    if (system("command -v Rscript >/dev/null 2>&1") != 0) {
        printf("# Rscript missing: the comparison with R is skipped (scripts/deps.sh)\n");
    } else {
        snprintf(path, sizeof path, "%s/t.R", dir);
        f = fopen(path, "w");
        fputs(r_script, f), fclose(f);
        snprintf(cmd, sizeof cmd, "Rscript %s/t.R %s >%s/r.out 2>&1", dir, dir, dir);
        ok(system(cmd) == 0, "R ran");
        snprintf(path, sizeof path, "%s/r.tsv", dir);
        f = fopen(path, "r");
        int k1, j1, nev, n = 0, same_events = 1;
        double b, s, lp, lr, sc, wb = 0, wp = 0, wlr = 0, wsc = 0;
        while (f && fscanf(f, "%d %d %lf %lf %lf %lf %lf %d", &k1, &j1, &b, &s, &lp, &lr, &sc,
                           &nev) == 8) {
            const cox_res_t *r = &res[k1 - 1][j1 - 1];
            n += r->ok;
            if (!r->ok)
                printf("# no fit: outcome %d variant %d (R: beta %g se %g)\n", k1, j1, b, s);
            same_events &= (size_t)nev == nul[k1 - 1].n_events;
            wb = fmax(wb, fmax(rel(r->beta, b), rel(r->se, s)));
            wp = fmax(wp, fabs(r->mlog10p - lp));
            wlr = fmax(wlr, fabs(r->lr_mlog10p - logit_mlog10p_chi2(lr)));
            wsc = fmax(wsc, fabs(chi2[k1 - 1][j1 - 1] - sc) / fmax(sc, 1));
        }
        if (f) fclose(f);
        printf("# vs coxph (%d pairs): beta/SE %.2g relative, Wald -log10 p %.2g, LR %.2g, "
               "score chi2 %.2g\n", n, wb, wp, wlr, wsc);
        is_int(n, P * M, "every pair fitted and compared");
        ok(same_events, "the same event counts");
        ok(wb < 1e-5, "beta and SE within 1e-5 relative of coxph");
        ok(wp < 1e-4 && wlr < 1e-4, "Wald and LR -log10 p within 1e-4 of coxph");
        ok(wsc < 1e-6, "score chi2 within 1e-6 (relative; absolute below 1) of coxph's");
    }
    for (size_t k = 0; k < P; k++) cox_null_free(&nul[k]);
    cox_ws_free(&ws);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (!getenv("RGX_KEEP")) (void)!system(cmd);
    return tap_done();
}
