/* outcome_bin.c — see outcome_bin.h. */
#include "outcome_bin.h"

#include <gsl/gsl_cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

rgx_err bin_model_init(bin_model_t *m, const double *Y, size_t n, size_t p, const double *C,
                       size_t q, double screen_p, double mac_full, int firth,
                       const char *const *names)
{
    memset(m, 0, sizeof *m);
    m->n = n, m->p = p, m->q = q, m->C = C;
    m->screen = -log10(screen_p), m->mac_full = mac_full, m->firth = firth;
    m->rhs_cols = p * (q + 1);
    size_t N = n ? n : 1, P = p ? p : 1;
    rgx_err err;
    if ((err = rgx_calloc(&m->nul, P, sizeof *m->nul)) ||
        (err = rgx_calloc(&m->y, P * N, sizeof *m->y)) ||
        (err = rgx_calloc(&m->rhs, N * (m->rhs_cols ? m->rhs_cols : 1), sizeof *m->rhs)) ||
        (err = rgx_calloc(&m->wts, N * P, sizeof *m->wts)) ||
        (err = logit_ws_init(&m->ws, n, q)))
        goto out;
    for (size_t j = 0; j < p; j++) {
        double *y = m->y + j * n;
        for (size_t i = 0; i < n; i++) y[i] = Y[i * p + j];
        if ((err = logit_null_fit(&m->nul[j], y, C, n, q, &m->ws))) {
            char why[512];
            snprintf(why, sizeof why, "%s", rgx_errmsg());
            err = rgx_fail(err, "binary phenotype %s: %s", names ? names[j] : "?", why);
            goto out;
        }
        const logit_null_t *nl = &m->nul[j];
        for (size_t i = 0; i < n; i++) {
            double *row = m->rhs + i * m->rhs_cols;
            row[j] = nl->r[i];
            for (size_t a = 0; a < q; a++) row[p + j * q + a] = nl->w[i] * C[i * q + a];
            m->wts[i * p + j] = nl->w[i];
        }
    }
out:
    if (err) bin_model_free(m);
    return err;
}

void bin_model_free(bin_model_t *m)
{
    for (size_t j = 0; m->nul && j < m->p; j++) logit_null_free(&m->nul[j]);
    free(m->nul), free(m->y), free(m->rhs), free(m->wts);
    logit_ws_free(&m->ws);
    memset(m, 0, sizeof *m);
}

size_t bin_sums_len(const bin_model_t *m, size_t b)
{
    return b * (m->rhs_cols + m->p);
}

void bin_block_sums(const bin_model_t *m, const double *G, size_t b, size_t row0, size_t nrows,
                    double *scratch, double *sums)
{
    size_t R = m->rhs_cols, p = m->p;
    if (!b || !nrows || !p) {
        memset(sums, 0, bin_sums_len(m, b) * sizeof *sums);
        return;
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)R, (int)nrows, 1.0, G,
                (int)nrows, m->rhs + row0 * R, (int)R, 0.0, sums, (int)R);
    for (size_t i = 0; i < b * nrows; i++) scratch[i] = G[i] * G[i];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)p, (int)nrows, 1.0,
                scratch, (int)nrows, m->wts + row0 * p, (int)p, 0.0, sums + b * R, (int)p);
}

/* The pair's full fit: screened, or rare for the phenotype's smaller class. */
static int wants_full(const bin_model_t *m, size_t j, double score_mlog10p, double mean)
{
    if (score_mlog10p >= m->screen) return 1;
    double af = mean / 2, maf = af < 0.5 ? af : 1 - af;
    size_t small = m->nul[j].n_case < m->nul[j].n_ctrl ? m->nul[j].n_case : m->nul[j].n_ctrl;
    return 2 * maf * (double)small < m->mac_full;
}

void bin_block_score(const bin_model_t *m, const double *sums, const double *mean, size_t b,
                     double *beta, double *se, double *mlog10p, double *lr, uint8_t *test,
                     uint8_t *want)
{
    size_t p = m->p, q = m->q, R = m->rhs_cols;
    const double *D = sums + b * R;
    for (size_t v = 0; v < b; v++)
        for (size_t j = 0; j < p; j++) {
            size_t o = v * p + j;
            const double *row = sums + v * R, *cwg = row + p + j * q;
            const double *inv = m->nul[j].cwc_inv;
            double V = D[v * p + j];
            for (size_t a = 0; a < q; a++) {
                double s = 0;
                for (size_t c = 0; c < q; c++) s += inv[a * q + c] * cwg[c];
                V -= cwg[a] * s;
            }
            logit_score(row[j], V > 1e-8 * D[v * p + j] ? V : NAN, &beta[o], &se[o], &mlog10p[o]);
            lr[o] = NAN, test[o] = isnan(mlog10p[o]) ? LOGIT_NONE : LOGIT_SCORE;
            want[o] = test[o] != LOGIT_NONE && wants_full(m, j, mlog10p[o], mean[v]);
        }
}

void bin_take_full(bin_model_t *m, const logit_res_t *res, size_t o, double *beta, double *se,
                   double *mlog10p, double *lr, uint8_t *test, int count)
{
    if (count) m->n_full++, m->n_firth += res->test == LOGIT_FIRTH;
    beta[o] = res->beta, se[o] = res->se, mlog10p[o] = res->mlog10p, lr[o] = res->lr_mlog10p;
    test[o] = (uint8_t)res->test;
}

void bin_block_finish(bin_model_t *m, const double *sums, const double *G, const double *mean,
                      size_t b, double *beta, double *se, double *mlog10p, double *lr,
                      uint8_t *test, uint8_t *want)
{
    size_t p = m->p, n = m->n, q = m->q, R = m->rhs_cols;
    bin_block_score(m, sums, mean, b, beta, se, mlog10p, lr, test, want);
    /* Phenotype by phenotype, so that its observed covariate rows stay loaded in m->ws
     * across the block's variants (logit_full reloads them when the phenotype changes). */
    for (size_t j = 0; G && j < p; j++) {
        for (size_t v = 0; v < b; v++) {
            size_t o = v * p + j;
            if (!want[o]) continue;
            const double *row = sums + v * R;
            logit_sums_t s = {.u = row[j], .d = sums[b * R + o], .cwg = row + p + j * q};
            logit_res_t res;
            logit_full(&m->nul[j], m->y + j * n, m->C, G + v * n, mean[v], &s, m->firth,
                       &m->ws, &res);
            bin_take_full(m, &res, o, beta, se, mlog10p, lr, test, 1);
        }
    }
}
