/* outcome_tte.c — see outcome_tte.h. */
#include "outcome_tte.h"

#include <gsl/gsl_cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logistic.h" /* LOGIT_* test codes, shared by the outcomes */
#include "util.h"

rgx_err tte_model_init(tte_model_t *m, const double *time, const double *event, size_t n,
                       size_t p, const double *C, size_t qc, double screen_p, size_t b_max,
                       const char *const *names)
{
    memset(m, 0, sizeof *m);
    size_t q = qc - 1, N = n ? n : 1, P = p ? p : 1, B = b_max ? b_max : 1;
    m->n = n, m->p = p, m->q = q, m->screen = -log10(screen_p), m->b_max = b_max;
    m->rhs_cols = p * (q + 1);
    double *t = NULL, *e = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&m->nul, P, sizeof *m->nul)) ||
        (err = rgx_calloc(&m->C, N * (q ? q : 1), sizeof *m->C)) ||
        (err = rgx_calloc(&m->rhs, N * (m->rhs_cols ? m->rhs_cols : 1), sizeof *m->rhs)) ||
        (err = rgx_calloc(&m->wts, N * P, sizeof *m->wts)) ||
        (err = rgx_calloc(&m->gt, N * B, sizeof *m->gt)) ||
        (err = rgx_calloc(&m->quad, 3 * B, sizeof *m->quad)) ||
        (err = rgx_calloc(&t, N, sizeof *t)) || (err = rgx_calloc(&e, N, sizeof *e)) ||
        (err = cox_ws_init(&m->ws, n, q)))
        goto out;
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < q; a++) m->C[i * q + a] = C[i * qc + 1 + a];
    for (size_t j = 0; j < p; j++) {
        for (size_t i = 0; i < n; i++) t[i] = time[i * p + j], e[i] = event[i * p + j];
        if ((err = cox_null_fit(&m->nul[j], t, e, m->C, n, q, &m->ws))) {
            char why[512];
            snprintf(why, sizeof why, "%s", rgx_errmsg());
            err = rgx_fail(err, "time-to-event outcome %s: %s", names ? names[j] : "?", why);
            goto out;
        }
        const cox_null_t *nl = &m->nul[j];
        for (size_t i = 0; i < n; i++) {
            double *row = m->rhs + i * m->rhs_cols;
            row[j] = nl->m[i];
            for (size_t a = 0; a < q; a++) row[p + j * q + a] = nl->K[i * q + a];
            m->wts[i * p + j] = nl->dm[i];
        }
    }
out:
    free(t), free(e);
    if (err) tte_model_free(m);
    return err;
}

void tte_model_free(tte_model_t *m)
{
    for (size_t j = 0; m->nul && j < m->p; j++) cox_null_free(&m->nul[j]);
    free(m->nul), free(m->C), free(m->rhs), free(m->wts), free(m->gt);
    free(m->quad);
    cox_ws_free(&m->ws);
    memset(m, 0, sizeof *m);
}

size_t tte_sums_len(const tte_model_t *m, size_t b)
{
    return b * (m->rhs_cols + m->p);
}

void tte_block_sums(const tte_model_t *m, const double *G, size_t b, size_t row0, size_t nrows,
                    double *scratch, double *sums)
{
    size_t R = m->rhs_cols, p = m->p;
    if (!b || !nrows || !p) {
        memset(sums, 0, tte_sums_len(m, b) * sizeof *sums);
        return;
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)R, (int)nrows, 1.0, G,
                (int)nrows, m->rhs + row0 * R, (int)R, 0.0, sums, (int)R);
    for (size_t i = 0; i < b * nrows; i++) scratch[i] = G[i] * G[i];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)p, (int)nrows, 1.0,
                scratch, (int)nrows, m->wts + row0 * p, (int)p, 0.0, sums + b * R, (int)p);
}

void tte_block_score(const tte_model_t *m, size_t j, const double *sums, const double *Q,
                     size_t b, double *beta, double *se, double *mlog10p, double *lr,
                     uint8_t *test, uint8_t *want)
{
    size_t p = m->p, q = m->q, R = m->rhs_cols;
    const double *D = sums + b * R;
    for (size_t v = 0; v < b; v++) {
        size_t o = v * p + j;
        const double *row = sums + v * R;
        cox_score(&m->nul[j], row[j], D[v * p + j], Q[v], row + p + j * q, &beta[o], &se[o],
                  &mlog10p[o]);
        lr[o] = NAN, test[o] = isnan(mlog10p[o]) ? LOGIT_NONE : LOGIT_SCORE;
        want[o] = test[o] != LOGIT_NONE && mlog10p[o] >= m->screen;
    }
}

void tte_take_full(tte_model_t *m, const cox_res_t *res, size_t o, double *beta, double *se,
                   double *mlog10p, double *lr, uint8_t *test, int count)
{
    if (count) m->n_full++;
    if (!res->ok) return; /* keeps the score test */
    beta[o] = res->beta, se[o] = res->se, mlog10p[o] = res->mlog10p, lr[o] = res->lr_mlog10p;
    test[o] = LOGIT_WALD;
}

void tte_block_finish(tte_model_t *m, const double *sums, const double *G, const double *mean,
                      size_t b, double *beta, double *se, double *mlog10p, double *lr,
                      uint8_t *test, uint8_t *want)
{
    size_t p = m->p, n = m->n;
    double *Q = m->quad, *scratch = m->quad + b;
    for (size_t i = 0; i < n; i++) /* the block sample-major, for the risk-set walks */
        for (size_t v = 0; v < b; v++) m->gt[i * b + v] = G[v * n + i];
    for (size_t j = 0; j < p; j++) {
        cox_quad(&m->nul[j], m->gt, b, b, scratch, Q);
        tte_block_score(m, j, sums, Q, b, beta, se, mlog10p, lr, test, want);
        for (size_t v = 0; v < b; v++) {
            size_t o = v * p + j;
            if (!want[o]) continue;
            cox_res_t res;
            cox_full(&m->nul[j], m->C, G + v * n, mean[v], &m->ws, &res);
            tte_take_full(m, &res, o, beta, se, mlog10p, lr, test, 1);
        }
    }
}

size_t tte_quad_len(const tte_model_t *m, size_t b)
{
    size_t e = 0;
    for (size_t j = 0; j < m->p; j++) e += m->nul[j].n_evt;
    return 2 * e * b;
}
