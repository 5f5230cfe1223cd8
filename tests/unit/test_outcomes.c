/* test_outcomes.c — the block kernels of the binary and time-to-event scans
 * (outcome_bin.c, outcome_tte.c) against the per-pair fits they are built from (logistic.c and
 * cox.c, which test_logistic and test_cox hold against plink2 and R): the block's sums made in
 * two row ranges and added (as ranks add them) give the same score tests as dot products per
 * pair, and the screened pairs the same full fits; a block of these outcomes survives its
 * checkpoint record (pack, unpack) bit for bit. */
#include "tap.h"
#include "outcome_bin.h"
#include "outcome_tte.h"
#include "scan_blk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { N = 400, QC = 3, PB = 3, PT = 2, B = 24 };

static unsigned long long seed = 5;
static double unif(void)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(seed >> 11) * 0x1.0p-53;
}
static double norm(void)
{
    return sqrt(-2 * log(1 - unif())) * cos(2 * M_PI * unif());
}

static double C[N * QC], Yb[N * PB], Tt[N * PT], Ev[N * PT], G[B * N], mean[B], raw[B][N];

static void simulate(void)
{
    for (size_t i = 0; i < N; i++)
        C[i * QC] = 1, C[i * QC + 1] = norm(), C[i * QC + 2] = unif() < 0.5;
    for (size_t v = 0; v < B; v++) {
        double f = 0.03 + 0.45 * unif(), s = 0;
        for (size_t i = 0; i < N; i++) raw[v][i] = (unif() < f) + (unif() < f), s += raw[v][i];
        mean[v] = s / N;
        for (size_t i = 0; i < N; i++) G[v * N + i] = raw[v][i] - mean[v];
    }
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j < PB; j++) {
            double e = -1 + 0.3 * C[i * QC + 1] + (j == 0 ? 0.8 * raw[0][i] : 0);
            Yb[i * PB + j] = unif() < 1 / (1 + exp(-e));
            if (j == 2 && unif() < 0.15) Yb[i * PB + j] = NAN; /* its own missing rows */
        }
        for (size_t j = 0; j < PT; j++) {
            double eta = 0.4 * C[i * QC + 2] + (j == 0 ? 0.7 * raw[1][i] : 0);
            double t = -log(1 - unif()) / exp(eta), c = 1.5 * unif();
            Tt[i * PT + j] = ceil(fmin(t, c) * 20) / 20, Ev[i * PT + j] = t <= c;
            if (j == 1 && unif() < 0.1) Tt[i * PT + j] = NAN;
        }
    }
}

/* The block's sums as two ranks would make them: rows [0, N/2) and [N/2, N), added. */
static void sums_in_two(void (*f)(const void *, const double *, size_t, size_t, size_t,
                                  double *, double *),
                        const void *m, size_t len, double *sums)
{
    static double part[B * N], scratch[B * N];
    double *s2 = calloc(len, sizeof *s2);
    size_t h = N / 2;
    for (size_t v = 0; v < B; v++) memcpy(part + v * h, G + v * N, h * sizeof *part);
    f(m, part, B, 0, h, scratch, sums);
    for (size_t v = 0; v < B; v++)
        memcpy(part + v * (N - h), G + v * N + h, (N - h) * sizeof *part);
    f(m, part, B, h, N - h, scratch, s2);
    for (size_t k = 0; k < len; k++) sums[k] += s2[k];
    free(s2);
}
static void bin_sums(const void *m, const double *g, size_t b, size_t r0, size_t nr, double *s,
                     double *out)
{
    bin_block_sums(m, g, b, r0, nr, s, out);
}
static void tte_sums(const void *m, const double *g, size_t b, size_t r0, size_t nr, double *s,
                     double *out)
{
    tte_block_sums(m, g, b, r0, nr, s, out);
}

int main(void)
{
    simulate();
    static double beta[B * PB], se[B * PB], lp[B * PB], lr[B * PB];
    static uint8_t test[B * PB], want[B * PB];
    bin_model_t bm;
    ok(bin_model_init(&bm, Yb, N, PB, C, QC, 0.05, 20, LOGIT_FIRTH_FALLBACK, NULL) == RGX_OK,
       "binary model");
    double *sums = calloc(bin_sums_len(&bm, B), sizeof *sums);
    sums_in_two(bin_sums, &bm, bin_sums_len(&bm, B), sums);
    bin_block_finish(&bm, sums, G, mean, B, beta, se, lp, lr, test, want);
    double worst = 0;
    int n_full = 0, same_test = 1;
    logit_ws_t ws;
    logit_ws_init(&ws, N, QC);
    for (size_t v = 0; v < B; v++)
        for (size_t j = 0; j < PB; j++) {
            const logit_null_t *nl = &bm.nul[j];
            double U = 0, gwg = 0, cwg[QC] = {0}, b, s, p;
            for (size_t i = 0; i < N; i++) {
                double g = G[v * N + i];
                U += g * nl->r[i], gwg += g * g * nl->w[i];
                for (size_t a = 0; a < QC; a++) cwg[a] += C[i * QC + a] * nl->w[i] * g;
            }
            double V = gwg;
            for (size_t a = 0; a < QC; a++)
                for (size_t c = 0; c < QC; c++) V -= cwg[a] * nl->cwc_inv[a * QC + c] * cwg[c];
            logit_score(U, V, &b, &s, &p);
            size_t o = v * PB + j;
            /* refitted: screened (p < 0.05), or rare in the smaller class (expected minor
             * allele count below 20) */
            double af = mean[v] / 2, maf = fmin(af, 1 - af);
            double small = (double)(nl->n_case < nl->n_ctrl ? nl->n_case : nl->n_ctrl);
            int full = p >= 1.30103 - 1e-9 || 2 * maf * small < 20;
            if (test[o] == LOGIT_SCORE) {
                worst = fmax(worst, fabs(lp[o] - p) / fmax(p, 1e-3));
                worst = fmax(worst, fabs(b - beta[o]) / s);
                same_test &= !full;
            } else {
                logit_res_t r;
                logit_sums_t ps = {.u = U, .d = gwg, .cwg = cwg}; /* of G[v], centred */
                logit_full(nl, bm.y + j * N, C, G + v * N, mean[v], &ps, LOGIT_FIRTH_FALLBACK,
                           &ws, &r);
                n_full++;
                same_test &= r.test == test[o] && full;
                worst = fmax(worst, fabs(r.beta - beta[o]) / r.se);
                worst = fmax(worst, fabs(r.mlog10p - lp[o]) + fabs(r.lr_mlog10p - lr[o]));
            }
        }
    printf("# binary: %d of %d pairs refitted; worst difference %.2g\n", n_full, B * PB, worst);
    ok(n_full >= 1, "the planted pair is refitted");
    ok(same_test, "screened pairs, and only they, refitted with the same test");
    ok(worst < 1e-9, "block kernel = per-pair fits (1e-9)");
    logit_ws_free(&ws);
    free(sums);
    bin_model_free(&bm);

    tte_model_t tm;
    ok(tte_model_init(&tm, Tt, Ev, N, PT, C, QC, 0.05, B, NULL) == RGX_OK, "Cox model");
    sums = calloc(tte_sums_len(&tm, B), sizeof *sums);
    sums_in_two(tte_sums, &tm, tte_sums_len(&tm, B), sums);
    tte_block_finish(&tm, sums, G, mean, B, beta, se, lp, lr, test, want);
    cox_ws_t cw;
    cox_ws_init(&cw, N, QC - 1);
    static double gt[N * B], scr[2 * B], quad[B];
    worst = 0, n_full = 0, same_test = 1;
    for (size_t j = 0; j < PT; j++) {
        const cox_null_t *nl = &tm.nul[j];
        for (size_t i = 0; i < N; i++)
            for (size_t v = 0; v < B; v++) gt[i * B + v] = G[v * N + i];
        cox_quad(nl, gt, B, B, scr, quad);
        for (size_t v = 0; v < B; v++) {
            double U = 0, T = 0, igc[QC] = {0}, b, s, p;
            for (size_t i = 0; i < N; i++) {
                double g = G[v * N + i];
                U += g * nl->m[i], T += g * g * nl->dm[i];
                for (size_t a = 0; a < QC - 1; a++) igc[a] += g * nl->K[i * (QC - 1) + a];
            }
            cox_score(nl, U, T, quad[v], igc, &b, &s, &p);
            size_t o = v * PT + j;
            if (test[o] == LOGIT_SCORE) {
                worst = fmax(worst, fabs(lp[o] - p) / fmax(p, 1e-3));
                same_test &= p < 1.30103;
            } else {
                cox_res_t r;
                cox_full(nl, tm.C, raw[v], 0, &cw, &r);
                n_full++;
                same_test &= r.ok && test[o] == LOGIT_WALD;
                worst = fmax(worst, fabs(r.beta - beta[o]) / r.se + fabs(r.lr_mlog10p - lr[o]));
            }
        }
    }
    printf("# time-to-event: %d of %d pairs refitted; worst difference %.2g\n", n_full, B * PT,
           worst);
    ok(n_full >= 1, "the planted pair is refitted");
    ok(same_test, "screened pairs, and only they, refitted");
    ok(worst < 1e-9, "block kernel = per-pair fits (1e-9)");
    cox_ws_free(&cw);
    free(sums);
    tte_model_free(&tm);

    /* A checkpoint record of a block of fitted outcomes: beta, se, -log10 p, LR, test. */
    scan_blk_t k1, k2;
    long w[4] = {4, 8, 1, 1}; /* CHROM, ID, REF, ALT */
    ok(!scan_blk_init(&k1, B, PT, 0, w, 1) && !scan_blk_init(&k2, B, PT, 0, w, 1), "blocks");
    k1.b = B;
    for (size_t i = 0; i < B * PT; i++)
        k1.beta[i] = beta[i], k1.se[i] = se[i], k1.mlp[i] = lp[i], k1.lr[i] = lr[i],
        k1.test[i] = test[i];
    for (size_t i = 0; i < B * BLK_NUM; i++) k1.num[i] = (double)i;
    size_t len = scan_blk_bytes(&k1, B);
    char *rec = malloc(len);
    scan_blk_pack(&k1, rec);
    ok(scan_blk_unpack(&k2, rec, len), "record unpacked");
    int same = k2.b == B;
    for (size_t i = 0; same && i < B * PT; i++)
        same = !memcmp(&k1.beta[i], &k2.beta[i], 8) && !memcmp(&k1.se[i], &k2.se[i], 8) &&
               !memcmp(&k1.mlp[i], &k2.mlp[i], 8) && !memcmp(&k1.lr[i], &k2.lr[i], 8) &&
               k1.test[i] == k2.test[i];
    ok(same, "beta, se, -log10 p, LR and test restored bit for bit");
    ok(!scan_blk_unpack(&k2, rec, len - 8), "a short record is refused");
    free(rec);
    scan_blk_free(&k1), scan_blk_free(&k2);
    return tap_done();
}
