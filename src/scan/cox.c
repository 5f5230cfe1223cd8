/* cox.c — see cox.h. */
#include "cox.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "logistic.h" /* logit_mlog10p_z / _chi2: the normal tails */
#include "smat.h"
#include "util.h"

enum { MAXIT = 50, HALVINGS = 30 };

rgx_err cox_ws_init(cox_ws_t *ws, size_t n, size_t q)
{
    memset(ws, 0, sizeof *ws);
    size_t k = q + 1, N = n ? n : 1;
    ws->n = n, ws->k = k;
    rgx_err err;
    if ((err = rgx_calloc(&ws->X, N * k, sizeof *ws->X)) ||
        (err = rgx_calloc(&ws->eta, N, sizeof *ws->eta)) ||
        (err = rgx_calloc(&ws->w, N, sizeof *ws->w)) ||
        (err = rgx_calloc(&ws->H, k * k, sizeof *ws->H)) ||
        (err = rgx_calloc(&ws->s2, k * k, sizeof *ws->s2)) ||
        (err = rgx_calloc(&ws->s2d, k * k, sizeof *ws->s2d)) ||
        (err = rgx_calloc(&ws->b, k, sizeof *ws->b)) ||
        (err = rgx_calloc(&ws->b0, k, sizeof *ws->b0)) ||
        (err = rgx_calloc(&ws->grad, k, sizeof *ws->grad)) ||
        (err = rgx_calloc(&ws->step, k, sizeof *ws->step)) ||
        (err = rgx_calloc(&ws->s1, k, sizeof *ws->s1)) ||
        (err = rgx_calloc(&ws->s1d, k, sizeof *ws->s1d)) ||
        (err = rgx_calloc(&ws->xd, k, sizeof *ws->xd)))
        cox_ws_free(ws);
    return err;
}

void cox_ws_free(cox_ws_t *ws)
{
    free(ws->X), free(ws->eta), free(ws->w), free(ws->H), free(ws->s2), free(ws->s2d);
    free(ws->b), free(ws->b0), free(ws->grad), free(ws->step), free(ws->s1), free(ws->s1d);
    free(ws->xd);
    memset(ws, 0, sizeof *ws);
}

void cox_null_free(cox_null_t *m)
{
    free(m->ord), free(m->tstart), free(m->tev), free(m->c0), free(m->c1), free(m->c2);
    free(m->beta), free(m->w), free(m->m), free(m->dm), free(m->K), free(m->icc_inv);
    memset(m, 0, sizeof *m);
}

/* ---- the partial likelihood over ws->X (k columns, rows in m->ord's order) ---- */

/* Log partial likelihood (Efron) at b, its gradient ws->grad and information ws->H
 * (row-major k x k); NaN when exp(eta) overflows. */
static double evaluate(const cox_null_t *m, cox_ws_t *ws, size_t k, const double *b)
{
    size_t n = m->n_obs, ld = ws->n;
    for (size_t r = 0; r < n; r++) ws->eta[r] = 0;
    for (size_t a = 0; a < k; a++)
        for (size_t r = 0; r < n; r++) ws->eta[r] += b[a] * ws->X[a * ld + r];
    for (size_t r = 0; r < n; r++) ws->w[r] = exp(ws->eta[r]);
    double ll = 0, S0 = 0;
    memset(ws->s1, 0, k * sizeof *ws->s1), memset(ws->s2, 0, k * k * sizeof *ws->s2);
    memset(ws->grad, 0, k * sizeof *ws->grad), memset(ws->H, 0, k * k * sizeof *ws->H);
    for (size_t t = 0; t < m->n_times; t++) {
        size_t r0 = m->tstart[t], r1 = m->tstart[t + 1], d = m->tev[t];
        double S0d = 0;
        memset(ws->s1d, 0, k * sizeof *ws->s1d), memset(ws->s2d, 0, k * k * sizeof *ws->s2d);
        for (size_t r = r0; r < r1; r++) {
            double wr = ws->w[r];
            int ev = r < r0 + d;
            S0 += wr;
            if (ev) S0d += wr, ll += ws->eta[r];
            for (size_t a = 0; a < k; a++) {
                double xa = ws->X[a * ld + r], wx = wr * xa;
                ws->s1[a] += wx;
                if (ev) ws->s1d[a] += wx, ws->grad[a] += xa;
                for (size_t c = 0; c <= a; c++) {
                    double v = wx * ws->X[c * ld + r];
                    ws->s2[a * k + c] += v;
                    if (ev) ws->s2d[a * k + c] += v;
                }
            }
        }
        for (size_t l = 0; l < d; l++) {
            double f = (double)l / (double)d, s0 = S0 - f * S0d;
            ll -= log(s0);
            for (size_t a = 0; a < k; a++) {
                double s1a = (ws->s1[a] - f * ws->s1d[a]) / s0;
                ws->grad[a] -= s1a;
                for (size_t c = 0; c <= a; c++) {
                    double s1c = (ws->s1[c] - f * ws->s1d[c]) / s0;
                    ws->H[a * k + c] += (ws->s2[a * k + c] - f * ws->s2d[a * k + c]) / s0 -
                                        s1a * s1c;
                }
            }
        }
    }
    for (size_t a = 0; a < k; a++)
        for (size_t c = 0; c < a; c++) ws->H[c * k + a] = ws->H[a * k + c];
    return isfinite(S0) ? ll : NAN;
}

/* Newton-Raphson from ws->b, halving steps that lower the likelihood.  0: converged, ws->b
 * the estimate, ws->H the inverse information there, *ll the log partial likelihood. */
static int newton(const cox_null_t *m, cox_ws_t *ws, size_t k, double *ll, int *iters)
{
    double cur = evaluate(m, ws, k, ws->b);
    if (!isfinite(cur)) return -1;
    for (int it = 0; it < MAXIT; it++) {
        if (k && smat_inv(ws->H, k, NULL)) return -1;
        smat_mulv(ws->H, ws->grad, k, ws->step);
        int small = 1;
        for (size_t a = 0; a < k; a++) small &= fabs(ws->step[a]) <= 1e-10 * (1 + fabs(ws->b[a]));
        if (small) {
            *ll = cur, *iters = it;
            return 0; /* ws->H was inverted at ws->b */
        }
        memcpy(ws->b0, ws->b, k * sizeof *ws->b);
        double next = NAN, scale = 1;
        for (int h = 0; h <= HALVINGS; h++, scale /= 2) {
            for (size_t a = 0; a < k; a++) ws->b[a] = ws->b0[a] + scale * ws->step[a];
            next = evaluate(m, ws, k, ws->b);
            if (next > cur) break;
        }
        if (!(next > cur)) {
            /* No step raises the likelihood: at the optimum to rounding (the log partial
             * likelihood resolves a step of about 1e-8 no better), when the step was tiny. */
            for (size_t a = 0; a < k; a++)
                if (fabs(ws->step[a]) > 1e-6 * (1 + fabs(ws->b0[a]))) return -1;
            memcpy(ws->b, ws->b0, k * sizeof *ws->b);
            *ll = evaluate(m, ws, k, ws->b), *iters = it;
            return k && smat_inv(ws->H, k, NULL) ? -1 : 0;
        }
        cur = next;
    }
    return -1;
}

/* ---- the null model ---- */

static const double *sort_time; /* qsort's key (one sort at a time: null fits are serial) */
static const double *sort_event;
static int by_time_desc(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    double ta = sort_time[a], tb = sort_time[b];
    if (ta != tb) return ta > tb ? -1 : 1;
    double ea = sort_event[a], eb = sort_event[b];
    if (ea != eb) return ea > eb ? -1 : 1;
    return (a > b) - (a < b);
}

/* Rows in time order and their runs of tied times. */
static rgx_err order_rows(cox_null_t *m, const double *time, const double *event)
{
    size_t n = m->n;
    for (size_t i = 0; i < n; i++) {
        if (isnan(time[i]) || isnan(event[i])) continue;
        if (!(time[i] > 0) || !isfinite(time[i]))
            return rgx_fail(RGX_ERR_INPUT, "time %g in row %zu (a positive time expected)",
                            time[i], i + 1);
        if (event[i] != 0 && event[i] != 1)
            return rgx_fail(RGX_ERR_INPUT, "event %g in row %zu (1 event, 0 censored expected)",
                            event[i], i + 1);
        m->ord[m->n_obs++] = i;
        m->n_events += event[i] == 1;
    }
    if (!m->n_events) return rgx_fail(RGX_ERR_INPUT, "a time-to-event outcome without events");
    sort_time = time, sort_event = event;
    qsort(m->ord, m->n_obs, sizeof *m->ord, by_time_desc);
    for (size_t r = 0; r < m->n_obs; r++) {
        size_t i = m->ord[r];
        if (!r || time[i] != time[m->ord[r - 1]]) m->tstart[m->n_times++] = r;
        m->tev[m->n_times - 1] += event[i] == 1;
    }
    m->tstart[m->n_times] = m->n_obs;
    return RGX_OK;
}

/* X's covariate columns: C over the observed rows in time order, centred. */
static void load_covariates(const cox_null_t *m, cox_ws_t *ws, const double *C)
{
    for (size_t a = 0; a < m->q; a++) {
        double *x = ws->X + a * ws->n, mean = 0;
        for (size_t r = 0; r < m->n_obs; r++) x[r] = C[m->ord[r] * m->q + a], mean += x[r];
        mean /= (double)m->n_obs;
        for (size_t r = 0; r < m->n_obs; r++) x[r] -= mean;
    }
}

/* The score test's per-row quantities and Q's constants at the null estimate (cox.h). */
static rgx_err null_sums(cox_null_t *m, cox_ws_t *ws)
{
    size_t q = m->q, T = m->n_times, ld = ws->n;
    double *h = NULL, *kk = NULL, *e = NULL, *f = NULL, *s1 = NULL, *s1d = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&h, T, sizeof *h)) || (err = rgx_calloc(&kk, T, sizeof *kk)) ||
        (err = rgx_calloc(&e, T * (q + 1), sizeof *e)) ||
        (err = rgx_calloc(&f, T * (q + 1), sizeof *f)) ||
        (err = rgx_calloc(&s1, q + 1, sizeof *s1)) || (err = rgx_calloc(&s1d, q + 1, sizeof *s1d)))
        goto out;
    evaluate(m, ws, q, m->beta); /* ws->w at the estimate */
    double S0 = 0;
    for (size_t t = 0; t < T; t++) {
        size_t r0 = m->tstart[t], r1 = m->tstart[t + 1], d = m->tev[t];
        double S0d = 0;
        memset(s1d, 0, q * sizeof *s1d);
        for (size_t r = r0; r < r1; r++) {
            double wr = ws->w[r];
            S0 += wr;
            if (r < r0 + d) S0d += wr;
            for (size_t a = 0; a < q; a++) {
                s1[a] += wr * ws->X[a * ld + r];
                if (r < r0 + d) s1d[a] += wr * ws->X[a * ld + r];
            }
        }
        for (size_t l = 0; l < d; l++) {
            double fr = (double)l / (double)d, s0 = S0 - fr * S0d, i2 = 1 / (s0 * s0);
            h[t] += 1 / s0, kk[t] += fr / s0;
            m->c0[t] += i2, m->c1[t] += fr * i2, m->c2[t] += fr * fr * i2;
            for (size_t a = 0; a < q; a++) {
                double s1l = s1[a] - fr * s1d[a];
                e[t * q + a] += s1l * i2, f[t * q + a] += fr * s1l * i2;
            }
        }
    }
    /* Suffix sums: a row of time t is at risk at t and every later (smaller) time. */
    double H = 0, *E = s1; /* s1 reused: E (q) */
    memset(E, 0, q * sizeof *E);
    for (size_t t = T; t-- > 0;) {
        H += h[t];
        for (size_t a = 0; a < q; a++) E[a] += e[t * q + a];
        for (size_t r = m->tstart[t]; r < m->tstart[t + 1]; r++) {
            size_t i = m->ord[r];
            int ev = r < m->tstart[t] + m->tev[t];
            double wr = ws->w[r], Hi = H - (ev ? kk[t] : 0);
            m->w[i] = wr, m->dm[i] = wr * Hi, m->m[i] = ev - wr * Hi;
            for (size_t a = 0; a < q; a++)
                m->K[i * q + a] = ws->X[a * ld + r] * m->dm[i] -
                                  wr * (E[a] - (ev ? f[t * q + a] : 0));
        }
    }
out:
    free(h), free(kk), free(e), free(f), free(s1), free(s1d);
    return err;
}

rgx_err cox_null_fit(cox_null_t *m, const double *time, const double *event, const double *C,
                     size_t n, size_t q, cox_ws_t *ws)
{
    memset(m, 0, sizeof *m);
    m->n = n, m->q = q;
    size_t N = n ? n : 1;
    rgx_err err;
    if ((err = rgx_calloc(&m->ord, N, sizeof *m->ord)) ||
        (err = rgx_calloc(&m->tstart, N + 1, sizeof *m->tstart)) ||
        (err = rgx_calloc(&m->tev, N, sizeof *m->tev)) ||
        (err = rgx_calloc(&m->c0, N, sizeof *m->c0)) ||
        (err = rgx_calloc(&m->c1, N, sizeof *m->c1)) ||
        (err = rgx_calloc(&m->c2, N, sizeof *m->c2)) ||
        (err = rgx_calloc(&m->beta, q + 1, sizeof *m->beta)) ||
        (err = rgx_calloc(&m->w, N, sizeof *m->w)) || (err = rgx_calloc(&m->m, N, sizeof *m->m)) ||
        (err = rgx_calloc(&m->dm, N, sizeof *m->dm)) ||
        (err = rgx_calloc(&m->K, N * (q ? q : 1), sizeof *m->K)) ||
        (err = rgx_calloc(&m->icc_inv, q * q + 1, sizeof *m->icc_inv)))
        goto out;
    if ((err = order_rows(m, time, event))) goto out;
    load_covariates(m, ws, C);
    memset(ws->b, 0, q * sizeof *ws->b);
    if (newton(m, ws, q, &m->loglik, &m->iters)) {
        err = rgx_fail(RGX_ERR_INPUT, "the Cox model of the covariates alone does not converge "
                       "(%zu events in %zu samples)", m->n_events, m->n_obs);
        goto out;
    }
    memcpy(m->beta, ws->b, q * sizeof *m->beta);
    memcpy(m->icc_inv, ws->H, q * q * sizeof *m->icc_inv);
    err = null_sums(m, ws);
out:
    if (err) cox_null_free(m);
    return err;
}

/* ---- the tests ---- */

void cox_quad(const cox_null_t *m, const double *Gt, size_t b, size_t ld, double *scratch,
              double *out)
{
    double *A = scratch, *B = scratch + b;
    memset(A, 0, b * sizeof *A), memset(out, 0, b * sizeof *out);
    for (size_t t = 0; t < m->n_times; t++) {
        size_t r0 = m->tstart[t], r1 = m->tstart[t + 1], d = m->tev[t];
        if (d) memset(B, 0, b * sizeof *B);
        for (size_t r = r0; r < r0 + d; r++) {
            size_t i = m->ord[r];
            const double *g = Gt + i * ld;
            double wi = m->w[i];
#pragma omp simd
            for (size_t j = 0; j < b; j++) B[j] += wi * g[j];
        }
        for (size_t r = r0 + d; r < r1; r++) {
            size_t i = m->ord[r];
            const double *g = Gt + i * ld;
            double wi = m->w[i];
#pragma omp simd
            for (size_t j = 0; j < b; j++) A[j] += wi * g[j];
        }
        if (!d) continue;
        double c0 = m->c0[t], c1 = m->c1[t], c2 = m->c2[t];
#pragma omp simd
        for (size_t j = 0; j < b; j++) {
            double a = A[j] + B[j];
            A[j] = a;
            out[j] += c0 * a * a - 2 * c1 * a * B[j] + c2 * B[j] * B[j];
        }
    }
}

void cox_score(const cox_null_t *m, double U, double T, double Q, const double *igc,
               double *beta, double *se, double *mlog10p)
{
    double V = T - Q;
    for (size_t a = 0; a < m->q; a++)
        for (size_t c = 0; c < m->q; c++) V -= igc[a] * m->icc_inv[a * m->q + c] * igc[c];
    logit_score(U, V, beta, se, mlog10p);
}

void cox_full(const cox_null_t *m, const double *C, const double *g, cox_ws_t *ws,
              cox_res_t *res)
{
    size_t q = m->q, k = q + 1;
    *res = (cox_res_t){.beta = NAN, .se = NAN, .mlog10p = NAN, .lr_mlog10p = NAN};
    load_covariates(m, ws, C);
    double *x = ws->X + q * ws->n, mean = 0, ll;
    for (size_t r = 0; r < m->n_obs; r++) x[r] = g[m->ord[r]], mean += x[r];
    mean /= (double)m->n_obs;
    for (size_t r = 0; r < m->n_obs; r++) x[r] -= mean;
    memcpy(ws->b, m->beta, q * sizeof *ws->b);
    ws->b[q] = 0;
    if (newton(m, ws, k, &ll, &res->iters)) return;
    double v = ws->H[q * k + q];
    if (!(v > 0) || !isfinite(v)) return;
    res->ok = 1;
    res->beta = ws->b[q], res->se = sqrt(v);
    res->mlog10p = logit_mlog10p_z(res->beta / res->se);
    res->lr_mlog10p = logit_mlog10p_chi2(2 * (ll - m->loglik));
}
