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
    free(m->evt), free(m->tgrp);
    free(m->beta), free(m->w), free(m->m), free(m->dm), free(m->K), free(m->icc_inv);
    memset(m, 0, sizeof *m);
}

/* ---- the partial likelihood over ws->X (k columns, rows in m->ord's order) ---- */

/* Log partial likelihood (Efron) at b, its gradient ws->grad and information ws->H
 * (row-major k x k); NaN when exp(eta) overflows. */
static double evaluate_sites(const cox_null_t *m, cox_ws_t *ws, size_t k, const double *b);
static double evaluate(const cox_null_t *m, cox_ws_t *ws, size_t k, const double *b)
{
    if (ws->rs) return evaluate_sites(m, ws, k, b);
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
    for (size_t t = 0; t < m->n_times; t++)
        if (m->tev[t]) m->evt[m->n_evt++] = t;
    for (size_t t = m->n_times, e = m->n_evt; t-- > 0;) {
        if (m->tev[t]) e--;
        m->tgrp[t] = e; /* the smallest event time index >= t, or n_evt */
    }
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
        (err = rgx_calloc(&m->evt, N, sizeof *m->evt)) ||
        (err = rgx_calloc(&m->tgrp, N, sizeof *m->tgrp)) ||
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

/* The fit with the variant (the last column of ws->X, centred), from the null model's
 * coefficients and beta = 0: Wald and LR from it into res (left NaN when it fails). */
static void fit(const cox_null_t *m, cox_ws_t *ws, cox_res_t *res)
{
    size_t q = m->q, k = q + 1;
    double ll;
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

void cox_full(const cox_null_t *m, const double *C, const double *g, double g_add, cox_ws_t *ws,
              cox_res_t *res)
{
    size_t q = m->q;
    *res = (cox_res_t){.beta = NAN, .se = NAN, .mlog10p = NAN, .lr_mlog10p = NAN};
    load_covariates(m, ws, C);
    double *x = ws->X + q * ws->n, mean = 0;
    for (size_t r = 0; r < m->n_obs; r++) x[r] = g[m->ord[r]] + g_add, mean += x[r];
    mean /= (double)m->n_obs;
    for (size_t r = 0; r < m->n_obs; r++) x[r] -= mean;
    fit(m, ws, res);
}

/* ---- rows split across sites ---- */

/* Per event time: [w, w x (k), w x x' (k (k + 1) / 2)] over the group's rows, then the same
 * over its tied events; then the totals [sum w, sum eta over events, sum x over events (k)]. */
static size_t group_width(size_t k)
{
    return 2 * (1 + k + k * (k + 1) / 2);
}

size_t cox_sites_len(const cox_null_t *m, size_t k)
{
    return m->n_evt * group_width(k) + 2 + k;
}

/* This rank's rows' sums per site, reduced; then Efron's terms from the reduced sums as
 * evaluate has them (every rank the same).  The increments of each event time's risk set are
 * added in time order, so the sums differ from evaluate's only in the order of additions. */
static double evaluate_sites(const cox_null_t *m, cox_ws_t *ws, size_t k, const double *b)
{
    size_t n = ws->nloc, ld = ws->n, W = group_width(k), h = W / 2, kk = k * (k + 1) / 2;
    size_t len = cox_sites_len(m, k), tot = m->n_evt * W;
    rsum_t *rs = ws->rs;
    for (size_t r = 0; r < n; r++) {
        double e = 0;
        for (size_t a = 0; a < k; a++) e += b[a] * ws->X[a * ld + r];
        ws->eta[r] = e, ws->w[r] = exp(e);
    }
    rsum_begin(rs, len);
    for (size_t s = 0; s < rs->nseg; s++) {
        double *P = rsum_part(rs, s, len);
        for (size_t r = rs->lo[s]; r < rs->lo[s + 1]; r++) {
            double wr = ws->w[r];
            int ev = ws->isev[r];
            P[tot] += wr;
            if (ev) P[tot + 1] += ws->eta[r];
            for (size_t a = 0; ev && a < k; a++) P[tot + 2 + a] += ws->X[a * ld + r];
            if (ws->grp[r] >= m->n_evt) continue; /* at risk at no event time */
            for (int part = 0; part <= ev; part++) {
                double *g = P + ws->grp[r] * W + (size_t)part * h;
                g[0] += wr;
                for (size_t a = 0, x = 0; a < k; a++) {
                    double wx = wr * ws->X[a * ld + r];
                    g[1 + a] += wx;
                    for (size_t c = 0; c <= a; c++, x++) g[1 + k + x] += wx * ws->X[c * ld + r];
                }
            }
        }
    }
    double *A = ws->acc;
    rsum_end(rs, len, A);
    double ll = A[tot + 1], S0 = 0;
    memset(ws->s1, 0, k * sizeof *ws->s1), memset(ws->s2, 0, kk * sizeof *ws->s2);
    memset(ws->H, 0, k * k * sizeof *ws->H);
    for (size_t a = 0; a < k; a++) ws->grad[a] = A[tot + 2 + a];
    for (size_t e = 0; e < m->n_evt; e++) {
        const double *g = A + e * W, *gd = g + h;
        size_t d = m->tev[m->evt[e]];
        S0 += g[0];
        for (size_t a = 0; a < k; a++) ws->s1[a] += g[1 + a];
        for (size_t x = 0; x < kk; x++) ws->s2[x] += g[1 + k + x];
        for (size_t l = 0; l < d; l++) {
            double f = (double)l / (double)d, s0 = S0 - f * gd[0];
            ll -= log(s0);
            for (size_t a = 0, x = 0; a < k; a++) {
                double s1a = (ws->s1[a] - f * gd[1 + a]) / s0;
                ws->grad[a] -= s1a;
                for (size_t c = 0; c <= a; c++, x++) {
                    double s1c = (ws->s1[c] - f * gd[1 + c]) / s0;
                    ws->H[a * k + c] += (ws->s2[x] - f * gd[1 + k + x]) / s0 - s1a * s1c;
                }
            }
        }
    }
    for (size_t a = 0; a < k; a++)
        for (size_t c = 0; c < a; c++) ws->H[c * k + a] = ws->H[a * k + c];
    return isfinite(A[tot]) ? ll : NAN;
}

/* This rank's observed rows, per site in ord's order, into X (covariates centred over all
 * observed rows, the dosage raw), grp and isev; the segments into ws->rs->lo. */
static void load_sites(const cox_null_t *m, const double *C, const double *const *gs,
                       const size_t *site_row, cox_ws_t *ws)
{
    size_t q = m->q, ld = ws->n, r = 0;
    rsum_t *rs = ws->rs;
    double *mean = ws->xd; /* q: C is on every rank, so these are the same everywhere */
    for (size_t a = 0; a < q; a++) {
        mean[a] = 0;
        for (size_t o = 0; o < m->n_obs; o++) mean[a] += C[m->ord[o] * q + a];
        mean[a] /= (double)m->n_obs;
    }
    for (size_t s = 0; s < rs->nseg; s++) {
        size_t i0 = site_row[rs->site[s]], i1 = site_row[rs->site[s] + 1];
        rs->lo[s] = r;
        for (size_t t = 0; t < m->n_times; t++)
            for (size_t o = m->tstart[t]; o < m->tstart[t + 1]; o++) {
                size_t i = m->ord[o];
                if (i < i0 || i >= i1) continue;
                for (size_t a = 0; a < q; a++) ws->X[a * ld + r] = C[i * q + a] - mean[a];
                ws->X[q * ld + r] = gs[s][i - i0];
                ws->grp[r] = m->tgrp[t], ws->isev[r] = o < m->tstart[t] + m->tev[t];
                r++;
            }
    }
    rs->lo[rs->nseg] = r, ws->nloc = r;
}

void cox_full_sites(const cox_null_t *m, const double *C, const double *const *gs,
                    const size_t *site_row, cox_ws_t *ws, cox_res_t *res)
{
    size_t q = m->q, ld = ws->n;
    rsum_t *rs = ws->rs;
    *res = (cox_res_t){.beta = NAN, .se = NAN, .mlog10p = NAN, .lr_mlog10p = NAN};
    load_sites(m, C, gs, site_row, ws);
    double *x = ws->X + q * ld, sum;
    rsum_begin(rs, 1); /* the dosage's mean over all observed rows */
    for (size_t s = 0; s < rs->nseg; s++) {
        double p = 0;
        for (size_t r = rs->lo[s]; r < rs->lo[s + 1]; r++) p += x[r];
        *rsum_part(rs, s, 1) = p;
    }
    rsum_end(rs, 1, &sum);
    double mean = sum / (double)m->n_obs;
    for (size_t r = 0; r < ws->nloc; r++) x[r] -= mean;
    fit(m, ws, res);
}

void cox_quad_sums(const cox_null_t *m, const double *Gt, size_t b, size_t site_row0, size_t ns,
                   double *out)
{
    memset(out, 0, 2 * m->n_evt * b * sizeof *out);
    for (size_t t = 0; t < m->n_times; t++) {
        size_t e = m->tgrp[t];
        if (e >= m->n_evt) continue;
        for (size_t o = m->tstart[t]; o < m->tstart[t + 1]; o++) {
            size_t i = m->ord[o];
            if (i < site_row0 || i >= site_row0 + ns) continue;
            double *dst = out + (2 * e + (o < m->tstart[t] + m->tev[t])) * b, wi = m->w[i];
            const double *g = Gt + (i - site_row0) * b;
            for (size_t j = 0; j < b; j++) dst[j] += wi * g[j];
        }
    }
}

void cox_quad_finish(const cox_null_t *m, const double *sums, size_t b, double *scratch,
                     double *out)
{
    double *A = scratch;
    memset(A, 0, b * sizeof *A), memset(out, 0, b * sizeof *out);
    for (size_t e = 0; e < m->n_evt; e++) {
        size_t t = m->evt[e];
        const double *inc = sums + 2 * e * b, *B = inc + b;
        double c0 = m->c0[t], c1 = m->c1[t], c2 = m->c2[t];
        for (size_t j = 0; j < b; j++) {
            double a = A[j] + inc[j] + B[j];
            A[j] = a;
            out[j] += c0 * a * a - 2 * c1 * a * B[j] + c2 * B[j] * B[j];
        }
    }
}
