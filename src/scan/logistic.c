/* logistic.c — see logistic.h. */
#include "logistic.h"

#include <gsl/gsl_sf_erf.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dot.h"
#include "smat.h"
#include "util.h"

enum { ML_MAXIT = 25, FIRTH_MAXIT = 100, FIRTH_HALVINGS = 10 };
#define XCONV 1e-10 /* a step below this (relative to 1 + |beta|) has converged */
/* The full fits stop after a Newton step below this (relative to 1 + |beta|): IRLS converges
 * quadratically from the null estimate, so the error left is of the order of the step's square
 * (1e-10 and below), and a further iteration (predictor, X'WX, score) would only confirm it. */
#define XDONE 1e-5
/* The fits' kernels (loops over the samples) for AVX-512, AVX2 and plain x86-64, chosen at
 * run time; without FMA contraction (Makefile: a value's bits must not depend on its lane). */
#define CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))

/* Eight doubles, element-wise IEEE operations (gcc's vector extension): sums in registers. */
typedef double v8 __attribute__((vector_size(64)));

/* A vector of the 8 doubles at p (a macro: a function returning a v8 would have an ABI that
 * depends on the clone's instruction set). */
#define LD8(v, p) memcpy(&(v), (p), sizeof(v8))

/* The sum of eight lanes (a v8's, or an array's) in rgx_dot()'s order (a macro, as LD8). */
#define fold8v(t)                                                                                  \
    ((((t)[0] + (t)[4]) + ((t)[1] + (t)[5])) + (((t)[2] + (t)[6]) + ((t)[3] + (t)[7])))

rgx_err logit_ws_init(logit_ws_t *ws, size_t n, size_t q)
{
    memset(ws, 0, sizeof *ws);
    size_t k = q + 1, N = n ? n : 1;
    ws->n = n, ws->k = k;
    rgx_err err;
    if ((err = rgx_calloc(&ws->X, N * k, sizeof *ws->X)) ||
        (err = rgx_calloc(&ws->T, N * k, sizeof *ws->T)) ||
        (err = rgx_calloc(&ws->eta, N, sizeof *ws->eta)) ||
        (err = rgx_calloc(&ws->mu, N, sizeof *ws->mu)) ||
        (err = rgx_calloc(&ws->w, N, sizeof *ws->w)) ||
        (err = rgx_calloc(&ws->hat, N, sizeof *ws->hat)) ||
        (err = rgx_calloc(&ws->H, k * k, sizeof *ws->H)) ||
        (err = rgx_calloc(&ws->Hf, k * k, sizeof *ws->Hf)) ||
        (err = rgx_calloc(&ws->b, k, sizeof *ws->b)) ||
        (err = rgx_calloc(&ws->b0, k, sizeof *ws->b0)) ||
        (err = rgx_calloc(&ws->grad, k, sizeof *ws->grad)) ||
        (err = rgx_calloc(&ws->step, k, sizeof *ws->step)) ||
        (err = rgx_calloc(&ws->acc, 9 * (k * (k + 1) / 2 + k), sizeof *ws->acc)) ||
        (err = rgx_calloc(&ws->wxc, LOGIT_CHUNK, sizeof *ws->wxc)) ||
        (err = rgx_calloc(&ws->cols, k, sizeof *ws->cols)))
        logit_ws_free(ws);
    return err;
}

void logit_ws_free(logit_ws_t *ws)
{
    free(ws->X), free(ws->T), free(ws->eta), free(ws->mu), free(ws->w), free(ws->hat);
    free(ws->H), free(ws->Hf), free(ws->b), free(ws->b0), free(ws->grad), free(ws->step);
    free(ws->acc), free(ws->wxc), free(ws->cols);
    memset(ws, 0, sizeof *ws);
}

void logit_null_free(logit_null_t *m)
{
    free(m->rows), free(m->beta), free(m->r), free(m->w), free(m->cwc_inv), free(m->cwc);
    free(m->rc);
    memset(m, 0, sizeof *m);
}

/* ---- the fits, over n rows of the k columns of ws->X ---- */

/* exp(x) in vector lanes (glibc's exp is one call per value: a fifth of a fit's time): x =
 * k ln 2 + r with |r| <= ln 2 / 2 (Cody and Waite's two-part ln 2), e^r by its Taylor series
 * to r^13 (truncated below 5e-18 relative), times 2^k built from k's exponent bits (k read
 * from the low bits of x / ln 2 + 1.5 2^52).  0 below -708, infinity above 709.  Every lane
 * does the same operations, so a value's bits do not depend on its lane. */
static inline __attribute__((always_inline)) double vexp(double x)
{
    const double shift = 0x1.8p52, ln2hi = 0x1.62e42feep-1, ln2lo = 0x1.a39ef35793c76p-33;
    double lo = x < -708 ? -708 : x, xc = lo > 709 ? 709 : lo; /* selects: no branch */
    double t = xc * M_LOG2E + shift, kf = t - shift, r = (xc - kf * ln2hi) - kf * ln2lo;
    double p = 1.0 / 6227020800;
    p = p * r + 1.0 / 479001600, p = p * r + 1.0 / 39916800, p = p * r + 1.0 / 3628800;
    p = p * r + 1.0 / 362880, p = p * r + 1.0 / 40320, p = p * r + 1.0 / 5040;
    p = p * r + 1.0 / 720, p = p * r + 1.0 / 120, p = p * r + 1.0 / 24, p = p * r + 1.0 / 6;
    p = p * r + 0.5, p = p * r + 1, p = p * r + 1;
    uint64_t bits, sb;
    memcpy(&bits, &t, sizeof bits);
    sb = (bits + 1023) << 52;
    double scale;
    memcpy(&scale, &sb, sizeof scale);
    double e = p * scale, hi = x > 709 ? INFINITY : e;
    return x < -708 ? 0 : hi;
}

/* mu = 1 / (1 + e^-eta) and w = mu (1 - mu) over m rows, in vector lanes (inlined into each
 * kernel's clone: predict(), sweep() and pass_predict()). */
static inline __attribute__((always_inline)) void mu_w(const double *eta, double *mu, double *w,
                                                       size_t m)
{
#pragma omp simd
    for (size_t i = 0; i < m; i++) {
        double p = 1 / (1 + vexp(-eta[i]));
        mu[i] = p, w[i] = p * (1 - p);
    }
}

/* log t for t in [1/2, 1], in vector lanes: t = m 2^-e with m in [sqrt(1/2), 1] (e = 0 or 1,
 * m - 1 exact), log m = 2 atanh s, s = (m - 1) / (m + 1), |s| <= 0.172, by its series to s^21
 * (truncated below 3e-17 relative). */
static inline __attribute__((always_inline)) double vlog_half1(double t)
{
    int low = t < M_SQRT1_2;
    double m = low ? 2 * t : t, s = (m - 1) / (m + 1), s2 = s * s, p = 1.0 / 21;
    p = p * s2 + 1.0 / 19, p = p * s2 + 1.0 / 17, p = p * s2 + 1.0 / 15, p = p * s2 + 1.0 / 13;
    p = p * s2 + 1.0 / 11, p = p * s2 + 1.0 / 9, p = p * s2 + 1.0 / 7, p = p * s2 + 1.0 / 5;
    p = p * s2 + 1.0 / 3, p = p * s2 + 1;
    double l2 = low ? -M_LN2 : 0;
    return l2 + 2 * s * p;
}

/* (CLONES on the declaration too: clang cannot make a function multiversioned after a call to
 * it, which predict makes before the definition.) */
CLONES static double loglik(logit_ws_t *ws, const double *y, size_t n);

/* eta = X b, mu, w; returns the log-likelihood when want_ll (else 0: the IRLS steps do not
 * need it, and its logarithms cost as much as the rest of a step).  Compiled for AVX-512,
 * AVX2 + FMA and plain x86-64, chosen at run time, as the fits' other kernels. */
CLONES static double predict(logit_ws_t *ws, const double *y, size_t n, size_t k, const double *b,
                      int want_ll)
{
    for (size_t i = 0; i < n; i++) ws->eta[i] = 0;
    for (size_t a = 0; a < k; a++) {
        const double *x = ws->X + a * ws->n;
        double ba = b[a];
#pragma omp simd
        for (size_t i = 0; i < n; i++) ws->eta[i] += ba * x[i];
    }
    mu_w(ws->eta, ws->mu, ws->w, n);
    return want_ll ? loglik(ws, y, n) : 0;
}

/* Eight int64 lanes (the exponent bits of a v8's lanes). */
typedef int64_t i8v __attribute__((vector_size(64)));

/* The log-likelihood at ws->eta (and ws->mu, its predictions): sample i's y eta - log(1 +
 * e^eta) = y eta - max(eta, 0) + log t, t = 1 / (1 + e^-|eta|), which is mu or 1 - mu, the
 * larger (in [1/2, 1]).  The sum of log t is the logarithm of a product: t multiplied in eight
 * lanes (row r in lane r % 8), each lane's product cut to its mantissa every 64 of its rows
 * (at least 2^-64 by then: no underflow) with the exponents counted apart, then one logarithm
 * a lane.  One multiplication a row where a logarithm (vlog_half1: a division and a series)
 * was a twentieth of the binary scan's time; the product's rounding adds about 1e-16 relative
 * a row, as the logarithms' sum did.  The rows after the last eight, and the sites' sums
 * (per segment, in row order), take vlog_half1 row by row. */
CLONES static double loglik(logit_ws_t *ws, const double *y, size_t n)
{
    double ll = 0;
    double *term = ws->T; /* free until information() (T's second column: the phenotypes) */
    if (!ws->rs) {
        const i8v expo = {0x7ff0000000000000, 0x7ff0000000000000, 0x7ff0000000000000,
                          0x7ff0000000000000, 0x7ff0000000000000, 0x7ff0000000000000,
                          0x7ff0000000000000, 0x7ff0000000000000};
        const i8v one = {0x3ff0000000000000, 0x3ff0000000000000, 0x3ff0000000000000,
                         0x3ff0000000000000, 0x3ff0000000000000, 0x3ff0000000000000,
                         0x3ff0000000000000, 0x3ff0000000000000};
        v8 lin = {0, 0, 0, 0, 0, 0, 0, 0}, prod = {1, 1, 1, 1, 1, 1, 1, 1};
        i8v ex = {0, 0, 0, 0, 0, 0, 0, 0};
        size_t n8 = n & ~(size_t)7;
        for (size_t i = 0; i < n8; i += 8) {
            v8 e, mu, yv, zero = {0, 0, 0, 0, 0, 0, 0, 0};
            LD8(e, ws->eta + i), LD8(mu, ws->mu + i), LD8(yv, y + i);
            i8v pos = e > zero; /* all ones where eta > 0 */
            v8 om = 1 - mu;
            i8v em, mb, ob;
            memcpy(&em, &e, sizeof em), memcpy(&mb, &mu, sizeof mb), memcpy(&ob, &om, sizeof ob);
            i8v pb = em & pos, tb = (mb & pos) | (ob & ~pos);
            v8 pe, t;
            memcpy(&pe, &pb, sizeof pe), memcpy(&t, &tb, sizeof t);
            lin += yv * e - pe;
            prod *= t;
            if ((i & 511) == 504) { /* every 64 rows a lane: the mantissa kept, [1, 2) */
                i8v b;
                memcpy(&b, &prod, sizeof b);
                ex += ((b & expo) >> 52) - 1023;
                b = (b & ~expo) | one;
                memcpy(&prod, &b, sizeof prod);
            }
        }
        double lane[8];
        for (int l = 0; l < 8; l++) { /* log(m 2^x) = log(m / 2) + (x + 1) log 2, m in [1, 2) */
            double m = prod[l], x;
            int64_t b;
            memcpy(&b, &m, sizeof b);
            x = (double)(ex[l] + ((b & expo[0]) >> 52) - 1023 + 1);
            b = (b & ~expo[0]) | one[0];
            memcpy(&m, &b, sizeof m);
            double l2 = x * 0x1.62e42feep-1 + x * 0x1.a39ef35793c76p-33; /* x ln 2, two parts */
            lane[l] = lin[l] + (vlog_half1(m / 2) + l2);
        }
        ll = fold8v(lane);
        for (size_t i = n8; i < n; i++) {
            double e = ws->eta[i], pos = e > 0 ? e : 0, t = e > 0 ? ws->mu[i] : 1 - ws->mu[i];
            ll += y[i] * e - pos + vlog_half1(t);
        }
        return ll;
    }
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        double e = ws->eta[i], pos = e > 0 ? e : 0, t = e > 0 ? ws->mu[i] : 1 - ws->mu[i];
        term[i] = y[i] * e - pos + vlog_half1(t);
    }
    rsum_t *rs = ws->rs;
    rsum_begin(rs, 1);
    for (size_t s = 0; s < rs->nseg; s++) {
        double part = 0;
        for (size_t i = rs->lo[s]; i < rs->lo[s + 1]; i++) part += term[i];
        *rsum_part(rs, s, 1) = part;
    }
    rsum_end(rs, 1, &ll);
    return ll;
}

/* x'y over rows r0 .. r1 - 1 one at a time (the sites' partial sums: no vector lanes, whose
 * alignment peeling could depend on where a site's rows start in this rank's arrays). */
static double dot_seq(const double *x, const double *y, size_t r0, size_t r1)
{
    double s = 0;
    for (size_t i = r0; i < r1; i++) s += x[i] * y[i];
    return s;
}

/* H = X'WX over the sites' rows, reduced (ws->rs). */
static void information_sites(logit_ws_t *ws, size_t k, double *H)
{
    rsum_t *rs = ws->rs;
    rsum_begin(rs, k * k);
    for (size_t s = 0; s < rs->nseg; s++) {
        double *P = rsum_part(rs, s, k * k);
        size_t r0 = rs->lo[s], r1 = rs->lo[s + 1];
        for (size_t a = 0; a < k; a++) {
            const double *xa = ws->X + a * ws->n;
            double *wx = ws->T;
            for (size_t i = r0; i < r1; i++) wx[i] = ws->w[i] * xa[i];
            for (size_t c = 0; c <= a; c++) P[a * k + c] = dot_seq(wx, ws->X + c * ws->n, r0, r1);
        }
    }
    rsum_end(rs, k * k, H);
    for (size_t a = 0; a < k; a++)
        for (size_t c = 0; c < a; c++) H[c * k + a] = H[a * k + c];
}

/* H = X'WX (row-major k x k). */
CLONES static void information(logit_ws_t *ws, size_t n, size_t k, double *H)
{
    if (ws->rs) {
        information_sites(ws, k, H);
        return;
    }
    for (size_t a = 0; a < k; a++) {
        const double *xa = ws->X + a * ws->n;
        double *wx = ws->T; /* w x_a, scratch */
#pragma omp simd
        for (size_t i = 0; i < n; i++) wx[i] = ws->w[i] * xa[i];
        for (size_t c = 0; c <= a; c++) {
            double s = rgx_dot(wx, ws->X + c * ws->n, n);
            H[a * k + c] = H[c * k + a] = s;
        }
    }
}

/* For j < nc (1 to 4): s[9 j .. 9 j + 7] += the lanes of x'y[j] over m rows (m8: the rows in
 * whole groups of 8), s[9 j + 8] += the rest in row order: rgx_dot()'s sums, carried from chunk to
 * chunk.  nc sums at once: each lane's additions are a chain of dependent adds, and one chain
 * alone would wait on the adder's latency. */
static inline __attribute__((always_inline)) void accn(double *restrict s, int nc,
                                                       const double *restrict x,
                                                       const double *const *y, size_t m,
                                                       size_t m8)
{
    /* Explicit vectors, so that the four sums stay in registers; the compiler kept an array
     * of them in memory. */
    v8 t[4], xv, yv;
#pragma GCC unroll 4
    for (int j = 0; j < nc; j++) memcpy(&t[j], s + 9 * j, sizeof t[j]);
    for (size_t i = 0; i < m8; i += 8) {
        memcpy(&xv, x + i, sizeof xv);
#pragma GCC unroll 4
        for (int j = 0; j < nc; j++) {
            memcpy(&yv, y[j] + i, sizeof yv);
            t[j] += xv * yv;
        }
    }
#pragma GCC unroll 4
    for (int j = 0; j < nc; j++) {
        memcpy(s + 9 * j, &t[j], sizeof t[j]);
        for (size_t i = m8; i < m; i++) s[9 * j + 8] += x[i] * y[j][i];
    }
}

/* x' [ys[0] .. ys[nc - 1]] into s (accn), four at a time. */
static inline __attribute__((always_inline)) void acc_cols(double *restrict s,
                                                           const double *restrict x,
                                                           const double *const *ys, size_t nc,
                                                           size_t m, size_t m8)
{
    size_t j = 0;
    for (; j + 4 <= nc; j += 4) accn(s + 9 * j, 4, x, ys + j, m, m8);
    switch (nc - j) {
    case 3: accn(s + 9 * j, 3, x, ys + j, m, m8); break;
    case 2: accn(s + 9 * j, 2, x, ys + j, m, m8); break;
    case 1: accn(s + 9 * j, 1, x, ys + j, m, m8); break;
    default: break;
    }
}

/* rgx_dot()'s final sum of acc8's lanes and rest. */
static inline double fold8(const double *s)
{
    return fold8v(s) + s[8];
}

/* ---- the fused iteration for few columns (k <= 8): sums kept in registers ---- */

/* The sums of rows a0 .. a1 - 1 of X'WX (each with its columns c <= a), then, when score, of
 * X'(y - mu), over a chunk's m8 rows in whole groups of 8: s holds their lanes (9 doubles a
 * sum, acc_cols's layout) and is loaded into registers for the chunk and stored after it.  K,
 * a0, a1 and score are constants where this is inlined, so every loop below but the rows'
 * unrolls and the sums become registers: one load of each column per 8 rows, where acc_cols
 * loads a column once per sum.  The lanes and their order are acc_cols's: the same bits. */
static inline __attribute__((always_inline)) void pass_sums(double *restrict s, const double *X,
                                                            size_t ld, const double *w,
                                                            const double *y, const double *mu,
                                                            size_t m8, const int K, const int a0,
                                                            const int a1, const int score)
{
    v8 t[24]; /* sums_k's passes have at most 20 */
    int ns = 0;
#pragma GCC unroll 8
    for (int a = a0; a < a1; a++) ns += a + 1;
    ns += score ? K : 0;
#pragma GCC unroll 24
    for (int j = 0; j < ns; j++) LD8(t[j], s + 9 * j);
    for (size_t i = 0; i < m8; i += 8) {
        v8 x[8], wv;
        LD8(wv, w + i);
#pragma GCC unroll 8
        for (int a = 0; a < K; a++) LD8(x[a], X + (size_t)a * ld + i);
        int j = 0;
#pragma GCC unroll 8
        for (int a = a0; a < a1; a++) {
            v8 wx = wv * x[a];
#pragma GCC unroll 8
            for (int c = 0; c <= a; c++) t[j] += wx * x[c], j++;
        }
        if (score) {
            v8 yv, mv;
            LD8(yv, y + i), LD8(mv, mu + i);
            v8 u = yv - mv;
#pragma GCC unroll 8
            for (int a = 0; a < K; a++) t[j] += u * x[a], j++;
        }
    }
#pragma GCC unroll 24
    for (int j = 0; j < ns; j++) memcpy(s + 9 * j, &t[j], sizeof t[j]);
}

/* eta = X b over a chunk's m rows, the columns summed in order from 0 (predict()'s bits), eight
 * rows at a time in a register; then mu and w. */
static inline __attribute__((always_inline)) void pass_predict(double *eta, double *mu, double *w,
                                                               const double *X, size_t ld,
                                                               const double *b, size_t m,
                                                               const int K)
{
    size_t m8 = m & ~(size_t)7;
    for (size_t i = 0; i < m8; i += 8) {
        v8 e = {0, 0, 0, 0, 0, 0, 0, 0};
#pragma GCC unroll 8
        for (int a = 0; a < K; a++) {
            v8 x;
            LD8(x, X + (size_t)a * ld + i);
            e += b[a] * x;
        }
        memcpy(eta + i, &e, sizeof e);
    }
    for (size_t i = m8; i < m; i++) {
        double e = 0;
        for (int a = 0; a < K; a++) e += b[a] * X[(size_t)a * ld + i];
        eta[i] = e;
    }
    mu_w(eta, mu, w, m);
}

/* The rows of X'WX a pass sums: at most about 20 sums in registers beside the K columns (a
 * register file of 32); then X'(y - mu) when score. */
static inline __attribute__((always_inline)) void sums_k(double *restrict acc, const double *X,
                                                         size_t ld, const double *w,
                                                         const double *y, const double *mu,
                                                         size_t m8, const int K, const int score)
{
    if (K <= 5) {
        pass_sums(acc, X, ld, w, y, mu, m8, K, 0, K, score);
    } else if (K == 6) {
        pass_sums(acc, X, ld, w, y, mu, m8, K, 0, 4, 0);
        pass_sums(acc + 9 * 10, X, ld, w, y, mu, m8, K, 4, 6, score);
    } else if (K == 7) {
        pass_sums(acc, X, ld, w, y, mu, m8, K, 0, 5, 0);
        pass_sums(acc + 9 * 15, X, ld, w, y, mu, m8, K, 5, 7, score);
    } else {
        pass_sums(acc, X, ld, w, y, mu, m8, K, 0, 5, 0);
        pass_sums(acc + 9 * 15, X, ld, w, y, mu, m8, K, 5, 7, 0);
        pass_sums(acc + 9 * 28, X, ld, w, y, mu, m8, K, 7, 8, score);
    }
}

/* sweep() for K = k columns, 2 <= K <= 8 (below): with b, the predictor at b, X'WX and the
 * score; without, X'CX for the weights c alone (information_after). */
static inline __attribute__((always_inline)) void sweep_k(logit_ws_t *ws, const double *y,
                                                          size_t n, const int K, const double *b,
                                                          const double *c, double *acc)
{
    size_t ld = ws->n;
    for (size_t r0 = 0; r0 < n; r0 += LOGIT_CHUNK) {
        size_t m = n - r0 < LOGIT_CHUNK ? n - r0 : LOGIT_CHUNK, m8 = m & ~(size_t)7;
        const double *X = ws->X + r0;
        if (b) {
            pass_predict(ws->eta + r0, ws->mu + r0, ws->w + r0, X, ld, b, m, K);
            sums_k(acc, X, ld, ws->w + r0, y + r0, ws->mu + r0, m8, K, 1);
        } else {
            sums_k(acc, X, ld, c + r0, NULL, NULL, m8, K, 0);
        }
    }
}

/* The rows after the last whole group of 8 (at most 7, in the last chunk), one at a time into
 * each sum's ninth place, as acc_cols does: X'WX for the weights w, then X'(y - mu) when y. */
static void rest_rows(const logit_ws_t *ws, const double *w, const double *y, size_t n,
                      size_t k, double *acc)
{
    size_t r8 = n - n % LOGIT_CHUNK + ((n % LOGIT_CHUNK) & ~(size_t)7), ld = ws->n;
    for (size_t i = r8; i < n; i++) {
        double *s = acc;
        for (size_t a = 0; a < k; a++) {
            double wx = w[i] * ws->X[a * ld + i];
            for (size_t c = 0; c <= a; c++, s += 9) s[8] += wx * ws->X[c * ld + i];
        }
        for (size_t a = 0; y && a < k; a++, s += 9) s[8] += (y[i] - ws->mu[i]) * ws->X[a * ld + i];
    }
}

/* sweep()'s sums for k <= 8 columns (sweep_k: with b, or for the weights c); 0 when k is
 * outside 2 .. 8 (the general loop then). */
CLONES static int sweep_small(logit_ws_t *ws, const double *y, size_t n, size_t k,
                              const double *b, const double *c, double *acc)
{
    switch (k) {
    case 2: sweep_k(ws, y, n, 2, b, c, acc); break;
    case 3: sweep_k(ws, y, n, 3, b, c, acc); break;
    case 4: sweep_k(ws, y, n, 4, b, c, acc); break;
    case 5: sweep_k(ws, y, n, 5, b, c, acc); break;
    case 6: sweep_k(ws, y, n, 6, b, c, acc); break;
    case 7: sweep_k(ws, y, n, 7, b, c, acc); break;
    case 8: sweep_k(ws, y, n, 8, b, c, acc); break;
    default: return 0;
    }
    rest_rows(ws, b ? ws->w : c, b ? y : NULL, n, k, acc);
    return 1;
}

/* The general loop's X'WX over a chunk's m rows at X for the weights w (a chunk's own), column
 * by column into s (acc_cols's lanes); returns where the next sums go. */
static inline __attribute__((always_inline)) double *chunk_xwx(logit_ws_t *ws, const double *X,
                                                               const double *w, size_t k,
                                                               size_t m, size_t m8, double *s)
{
    size_t ld = ws->n;
    double *wx = ws->wxc;
    for (size_t a = 0; a < k; a++) ws->cols[a] = X + a * ld;
    for (size_t a = 0; a < k; a++) {
        const double *xa = X + a * ld;
#pragma omp simd
        for (size_t i = 0; i < m; i++) wx[i] = w[i] * xa[i];
        acc_cols(s, wx, ws->cols, a + 1, m, m8);
        s += 9 * (a + 1);
    }
    return s;
}

/* One IRLS iteration's passes over the rows (without sites) fused, chunk by chunk of
 * LOGIT_CHUNK rows, so that a chunk's columns are read from the first-level cache rather than
 * once per sum from memory: eta, mu and w at b as predict() computes them; H = X'WX as
 * information(); ws->grad = X'(y - mu) as score() without Firth.  Every sum keeps rgx_dot()'s
 * eight lanes and its order (chunks start at multiples of 8, the rest comes last), so the bits
 * are those of the separate passes. */
CLONES static void sweep(logit_ws_t *ws, const double *y, size_t n, size_t k, const double *b,
                         double *H)
{
    size_t ld = ws->n, nsum = k * (k + 1) / 2 + k;
    double *acc = ws->acc, *u = ws->T;
    memset(acc, 0, 9 * nsum * sizeof *acc);
    int done = sweep_small(ws, y, n, k, b, NULL, acc);
    for (size_t r0 = 0; !done && r0 < n; r0 += LOGIT_CHUNK) {
        size_t m = n - r0 < LOGIT_CHUNK ? n - r0 : LOGIT_CHUNK, m8 = m & ~(size_t)7;
        double *eta = ws->eta + r0, *mu = ws->mu + r0, *w = ws->w + r0;
        const double *X = ws->X + r0, *yc = y + r0;
        for (size_t i = 0; i < m; i++) eta[i] = 0;
        for (size_t a = 0; a < k; a++) {
            const double *x = X + a * ld;
            double ba = b[a];
#pragma omp simd
            for (size_t i = 0; i < m; i++) eta[i] += ba * x[i];
        }
        mu_w(eta, mu, w, m);
        double *s = chunk_xwx(ws, X, w, k, m, m8, acc);
#pragma omp simd
        for (size_t i = 0; i < m; i++) u[i] = yc[i] - mu[i];
        acc_cols(s, u, ws->cols, k, m, m8);
    }
    const double *s = acc;
    for (size_t a = 0; a < k; a++)
        for (size_t c = 0; c <= a; c++, s += 9) H[a * k + c] = H[c * k + a] = fold8(s);
    for (size_t a = 0; a < k; a++, s += 9) ws->grad[a] = fold8(s);
}

/* X'WX at b + step from the last sweep's point b (ws->eta, mu, w, and X'WX there in ws->Hf):
 * X'WX + X'CX with c_i = w_i (1 - 2 mu_i) x_i'step, w's first-order change (its derivative in
 * eta is w (1 - 2 mu)).  The error left is of the order of (x_i'step)^2 relative: below 1e-10
 * after a step below XDONE.  No exponentials and divisions, as a sweep at b + step would
 * take: the full fits' last pass costs about half a sweep.  Into ws->H. */
CLONES static void information_after(logit_ws_t *ws, size_t n, size_t k)
{
    size_t ld = ws->n, nsum = k * (k + 1) / 2;
    double *c = ws->T, *acc = ws->acc; /* T's first column: scratch (T's second: y) */
    for (size_t i = 0; i < n; i++) c[i] = 0;
    for (size_t a = 0; a < k; a++) {
        const double *x = ws->X + a * ld;
        double sa = ws->step[a];
#pragma omp simd
        for (size_t i = 0; i < n; i++) c[i] += sa * x[i];
    }
#pragma omp simd
    for (size_t i = 0; i < n; i++) c[i] *= ws->w[i] * (1 - 2 * ws->mu[i]);
    memset(acc, 0, 9 * nsum * sizeof *acc);
    int done = sweep_small(ws, NULL, n, k, NULL, c, acc);
    for (size_t r0 = 0; !done && r0 < n; r0 += LOGIT_CHUNK) {
        size_t m = n - r0 < LOGIT_CHUNK ? n - r0 : LOGIT_CHUNK, m8 = m & ~(size_t)7;
        chunk_xwx(ws, ws->X + r0, c + r0, k, m, m8, acc);
    }
    const double *s = acc;
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b <= a; b++, s += 9)
            ws->H[a * k + b] = ws->H[b * k + a] = ws->Hf[a * k + b] + fold8(s);
}

/* The hat matrix's diagonal, w_i x_i' H^-1 x_i, from the inverted ws->H. */
CLONES static void hat_diag(logit_ws_t *ws, size_t n, size_t k)
{
    for (size_t i = 0; i < n; i++) ws->hat[i] = 0;
    for (size_t a = 0; a < k; a++) {
        double *t = ws->T; /* column a of X H^-1 */
        for (size_t i = 0; i < n; i++) t[i] = 0;
        for (size_t c = 0; c < k; c++) {
            const double *xc = ws->X + c * ws->n;
            double h = ws->H[c * k + a];
            for (size_t i = 0; i < n; i++) t[i] += xc[i] * h;
        }
        const double *xa = ws->X + a * ws->n;
        for (size_t i = 0; i < n; i++) ws->hat[i] += xa[i] * t[i];
    }
    for (size_t i = 0; i < n; i++) ws->hat[i] *= ws->w[i];
}

/* grad = X'(y - mu + hat (1/2 - mu)) over the first kf columns (hat = 0: the ML score). */
CLONES static void score(logit_ws_t *ws, const double *y, size_t n, size_t kf, int firth)
{
    double *u = ws->T;
    for (size_t i = 0; i < n; i++)
        u[i] = y[i] - ws->mu[i] + (firth ? ws->hat[i] * (0.5 - ws->mu[i]) : 0);
    if (!ws->rs) {
        for (size_t a = 0; a < kf; a++) ws->grad[a] = rgx_dot(ws->X + a * ws->n, u, n);
        return;
    }
    rsum_t *rs = ws->rs;
    rsum_begin(rs, kf);
    for (size_t s = 0; s < rs->nseg; s++)
        for (size_t a = 0; a < kf; a++)
            rsum_part(rs, s, kf)[a] = dot_seq(ws->X + a * ws->n, u, rs->lo[s], rs->lo[s + 1]);
    rsum_end(rs, kf, ws->grad);
}

/* Maximum likelihood by IRLS from ws->b, until a step is below tol (relative); on success (0)
 * ws->b is the estimate, ws->H the inverse information there and *ll the log-likelihood.
 * preset: ws->H and ws->grad already hold the first iteration's X'WX and score (a full fit
 * from the null estimate: the score test's sums, logit_full), which is then no pass over the
 * rows.  -1: the failures logistic.h lists. */
static int fit_ml(logit_ws_t *ws, const double *y, size_t n, size_t k, double tol, double *ll,
                  int *iters, int preset)
{
    double min_delta = INFINITY;
    for (int it = 0; it < ML_MAXIT; it++) {
        if (it == 0 && preset) {
            if (smat_inv(ws->H, k, NULL)) return -1;
        } else if (!ws->rs) {
            sweep(ws, y, n, k, ws->b, ws->H);
            memcpy(ws->Hf, ws->H, k * k * sizeof *ws->H); /* (information_after) */
            if (smat_inv(ws->H, k, NULL)) return -1;
        } else {
            predict(ws, y, n, k, ws->b, 0);
            information(ws, n, k, ws->H);
            if (smat_inv(ws->H, k, NULL)) return -1;
            score(ws, y, n, k, 0);
        }
        smat_mulv(ws->H, ws->grad, k, ws->step);
        double delta = 0;
        int small = 1;
        for (size_t a = 0; a < k; a++) {
            ws->b[a] += ws->step[a];
            delta += fabs(ws->step[a]);
            small &= fabs(ws->step[a]) <= tol * (1 + fabs(ws->b[a]));
        }
        if (!isfinite(delta)) return -1;
        min_delta = fmin(min_delta, delta);
        if (it > 3 && delta > 20 && delta > 2 * min_delta) return -1;
        if (small) {
            /* The likelihood and the inverse information at the estimate (ws->H was that of
             * the point before the last step, up to tol away). */
            if (ws->rs) {
                *ll = predict(ws, y, n, k, ws->b, 1);
                information(ws, n, k, ws->H);
            } else if (it > 0) {
                /* From the last sweep's point b - step: the log-likelihood there plus g's
                 * step / 2 (its second-order expansion, step = H^-1 g: the error is of the
                 * order of step^3), and X'WX moved to b to first order. */
                double gs = 0;
                for (size_t a = 0; a < k; a++) gs += ws->grad[a] * ws->step[a];
                *ll = loglik(ws, y, n) + 0.5 * gs;
                information_after(ws, n, k);
            } else { /* one pass: the predictor, X'WX (and the score, unused) */
                sweep(ws, y, n, k, ws->b, ws->H);
                *ll = loglik(ws, y, n);
            }
            if (smat_inv(ws->H, k, NULL)) return -1;
            for (size_t a = 0; a < k; a++)
                if (fabs(ws->b[a]) > 6e4) return -1;
            *iters = it + 1;
            return 0;
        }
    }
    return -1;
}

/* Penalised log-likelihood at b: predictions, ws->H the inverse information (and ws->Hf the
 * inverse of its first kf x kf block, when kf < k). */
static int penalised(logit_ws_t *ws, const double *y, size_t n, size_t k, size_t kf,
                     const double *b, double *pl)
{
    double ll = predict(ws, y, n, k, b, 1), logdet;
    information(ws, n, k, ws->H);
    if (kf < k) {
        for (size_t a = 0; a < kf; a++)
            for (size_t c = 0; c < kf; c++) ws->Hf[a * kf + c] = ws->H[a * k + c];
        if (smat_inv(ws->Hf, kf, NULL)) return -1;
    }
    if (smat_inv(ws->H, k, &logdet)) return -1;
    *pl = ll + 0.5 * logdet;
    return isfinite(*pl) ? 0 : -1;
}

/* Firth's penalised likelihood from ws->b, over its first kf coefficients (kf < k: the rest
 * stay fixed, the penalty still that of all k columns, as logistf's restricted fits); the
 * logistf iteration: a Fisher-scoring step of the modified score, at most 5 per coefficient,
 * halved while the penalised likelihood falls.  0: converged, *pl its value. */
static int fit_firth(logit_ws_t *ws, const double *y, size_t n, size_t k, size_t kf, double *pl,
                     int *iters)
{
    double cur;
    if (penalised(ws, y, n, k, kf, ws->b, &cur)) return -1;
    for (int it = 0; it < FIRTH_MAXIT; it++) {
        hat_diag(ws, n, k);
        score(ws, y, n, kf, 1);
        smat_mulv(kf < k ? ws->Hf : ws->H, ws->grad, kf, ws->step);
        double smax = 0;
        int small = 1;
        for (size_t a = 0; a < kf; a++) {
            smax = fmax(smax, fabs(ws->step[a]));
            small &= fabs(ws->step[a]) <= XCONV * (1 + fabs(ws->b[a]));
        }
        if (!isfinite(smax)) return -1;
        if (small) {
            *pl = cur, *iters = it + 1;
            return 0;
        }
        double scale = smax > 5 ? 5 / smax : 1, next = -INFINITY;
        memcpy(ws->b0, ws->b, k * sizeof *ws->b);
        for (int h = 0; h <= FIRTH_HALVINGS; h++, scale /= 2) {
            for (size_t a = 0; a < kf; a++) ws->b[a] = ws->b0[a] + scale * ws->step[a];
            if (!penalised(ws, y, n, k, kf, ws->b, &next) && next > cur) break;
        }
        if (!(next > cur)) {
            /* No halving raises the penalised likelihood: near the optimum the scoring step
             * can overshoot (by up to twice, when the penalty dominates, as with one
             * carrier), and the likelihood is flat to rounding there.  Converged when the
             * step is that small. */
            memcpy(ws->b, ws->b0, k * sizeof *ws->b);
            if (smax > 1e-5 || penalised(ws, y, n, k, kf, ws->b, &cur)) return -1;
            *pl = cur, *iters = it + 1;
            return 0;
        }
        cur = next;
    }
    return -1;
}

/* ---- the public steps ---- */

double logit_mlog10p_z(double z)
{
    if (isnan(z)) return NAN;
    return -gsl_sf_log_erfc(fabs(z) / M_SQRT2) / M_LN10;
}

double logit_mlog10p_chi2(double x)
{
    if (isnan(x)) return NAN;
    return logit_mlog10p_z(sqrt(fmax(x, 0)));
}

void logit_score(double U, double V, double *beta, double *se, double *mlog10p)
{
    if (!(V > 0) || !isfinite(U)) {
        *beta = *se = *mlog10p = NAN;
        return;
    }
    *beta = U / V, *se = 1 / sqrt(V);
    *mlog10p = logit_mlog10p_chi2(U * U / V);
}

/* x = the observed rows of g + g_add, centred; dos[0] = the cases' dosage sum, dos[1] = the
 * controls' (all - cases: exactly 0 when every control's dosage is 0, as the lanes are then
 * the cases').  The sums run in eight lanes (row r in lane r % 8, the rows after the last
 * whole eight last), so that no sum waits on the one before: one chain of additions in row
 * order made this gather a seventh of a fit's time. */
CLONES static double load_dosages(double *restrict x, const size_t *rows, size_t n,
                                  const double *y, const double *g, double g_add, double *dos)
{
    v8 sum = {0}, cas = {0};
    size_t n8 = n & ~(size_t)7;
    if (n && rows[n - 1] == n - 1) { /* every row observed (rows ascending): no gather */
        v8 one = {1, 1, 1, 1, 1, 1, 1, 1}, add = {g_add, g_add, g_add, g_add,
                                                  g_add, g_add, g_add, g_add};
        for (size_t r = 0; r < n8; r += 8) {
            v8 v, yv;
            LD8(v, g + r), LD8(yv, y + r);
            v += add;
            i8v is = yv == one, vb;
            memcpy(&vb, &v, sizeof vb);
            vb &= is;
            v8 c;
            memcpy(&c, &vb, sizeof c);
            memcpy(x + r, &v, sizeof v);
            sum += v, cas += c;
        }
    } else {
        for (size_t r = 0; r < n8; r += 8) {
            v8 v, c;
#pragma GCC unroll 8
            for (int l = 0; l < 8; l++) {
                size_t i = rows[r + (size_t)l];
                double d = g[i] + g_add;
                v[l] = d, c[l] = y[i] == 1 ? d : 0;
            }
            memcpy(x + r, &v, sizeof v);
            sum += v, cas += c;
        }
    }
    double all = fold8v(sum), cases = fold8v(cas);
    for (size_t r = n8; r < n; r++) {
        size_t i = rows[r];
        double d = g[i] + g_add;
        x[r] = d, all += d, cases += y[i] == 1 ? d : 0;
    }
    dos[0] = cases, dos[1] = all - cases;
    double mean = all / (double)(n ? n : 1);
#pragma omp simd
    for (size_t r = 0; r < n; r++) x[r] -= mean;
    return mean;
}

/* Copies the observed rows of C (and g, centred, when given) into ws->X, and y into yo; with
 * g, dos[0] and dos[1] get the cases' and the controls' dosage sums (one gather of g), and the
 * return value is the mean taken off (0 without g). */
static double load_rows(logit_ws_t *ws, const logit_null_t *m, const double *y, const double *C,
                        const double *g, double g_add, double *yo, double *dos)
{
    size_t n = m->n_obs, q = m->q;
    int cached = g && ws->cached == m && yo == ws->T + ws->n;
    for (size_t r = 0; !cached && r < n; r++) {
        size_t i = m->rows[r];
        for (size_t a = 0; a < q; a++) ws->X[a * ws->n + r] = C[i * q + a];
        yo[r] = y[i];
    }
    ws->cached = g && yo == ws->T + ws->n ? m : NULL;
    return g ? load_dosages(ws->X + q * ws->n, m->rows, n, y, g, g_add, dos) : 0;
}

rgx_err logit_null_fit(logit_null_t *m, const double *y, const double *C, size_t n, size_t q,
                       logit_ws_t *ws)
{
    memset(m, 0, sizeof *m);
    m->n = n, m->q = q;
    rgx_err err;
    double *yo = NULL;
    if ((err = rgx_calloc(&m->rows, n ? n : 1, sizeof *m->rows)) ||
        (err = rgx_calloc(&m->beta, q + 1, sizeof *m->beta)) ||
        (err = rgx_calloc(&m->r, n ? n : 1, sizeof *m->r)) ||
        (err = rgx_calloc(&m->w, n ? n : 1, sizeof *m->w)) ||
        (err = rgx_calloc(&m->cwc_inv, q * q, sizeof *m->cwc_inv)) ||
        (err = rgx_calloc(&m->cwc, q * q, sizeof *m->cwc)) ||
        (err = rgx_calloc(&m->rc, q, sizeof *m->rc)) ||
        (err = rgx_calloc(&yo, n ? n : 1, sizeof *yo)))
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (isnan(y[i])) continue;
        if (y[i] != 0 && y[i] != 1) {
            err = rgx_fail(RGX_ERR_INPUT, "binary phenotype value %g in row %zu (0, 1 or missing "
                           "expected)", y[i], i + 1);
            goto out;
        }
        m->rows[m->n_obs++] = i;
        y[i] == 1 ? m->n_case++ : m->n_ctrl++;
    }
    if (!m->n_case || !m->n_ctrl) {
        err = rgx_fail(RGX_ERR_INPUT, "binary phenotype with %zu cases and %zu controls: both "
                       "are needed", m->n_case, m->n_ctrl);
        goto out;
    }
    load_rows(ws, m, y, C, NULL, 0, yo, NULL);
    /* Start from the intercept at the log odds of the case fraction. */
    memset(ws->b, 0, q * sizeof *ws->b);
    ws->b[0] = log((double)m->n_case / (double)m->n_ctrl);
    if (fit_ml(ws, yo, m->n_obs, q, XCONV, &m->loglik, &m->iters, 0)) {
        err = rgx_fail(RGX_ERR_INPUT, "the logistic model of the covariates alone does not "
                       "converge (%zu cases, %zu controls): are cases separated by a covariate?",
                       m->n_case, m->n_ctrl);
        goto out;
    }
    memcpy(m->beta, ws->b, q * sizeof *m->beta);
    /* The predictions, the likelihood and C'WC at the estimate itself (fit_ml's come from
     * the point before its last step, up to 1e-10 away): every score test and every full
     * fit's first iteration starts from them (first_iteration: C'WC and C'(y - mu)). */
    m->loglik = predict(ws, yo, m->n_obs, q, ws->b, 1);
    information(ws, m->n_obs, q, m->cwc);
    memcpy(m->cwc_inv, m->cwc, q * q * sizeof *m->cwc_inv);
    if (smat_inv(m->cwc_inv, q, NULL)) {
        err = rgx_fail(RGX_ERR_INPUT, "the logistic model of the covariates alone has a "
                       "singular information matrix at its estimate (%zu cases, %zu controls)",
                       m->n_case, m->n_ctrl);
        goto out;
    }
    double *u = ws->T; /* yo is T's second column only when fitting a variant */
    for (size_t r = 0; r < m->n_obs; r++) {
        size_t i = m->rows[r];
        m->r[i] = u[r] = yo[r] - ws->mu[r], m->w[i] = ws->w[r];
    }
    for (size_t a = 0; a < q; a++) m->rc[a] = rgx_dot(ws->X + a * ws->n, u, m->n_obs);
out:
    free(yo);
    if (err) logit_null_free(m);
    return err;
}

/* plink2's validity test of a fit: the variance positive and finite, and the estimate not
 * (almost) perfectly correlated with a covariate's. */
static int valid_fit(const double *Hi, size_t k)
{
    size_t g = k - 1;
    double vg = Hi[g * k + g];
    if (!(vg >= 1e-20) || !isfinite(vg)) return 0;
    for (size_t a = 0; a < g; a++) {
        double va = Hi[a * k + a];
        if (!(va >= 1e-20) || !isfinite(va)) return 0;
        if (Hi[g * k + a] > 0.99999 * sqrt(va * vg)) return 0;
    }
    return 1;
}

static void fit_rows(const logit_null_t *m, const double *yy, size_t n, int firth,
                     logit_ws_t *ws, logit_res_t *res, int preset);

/* The first Newton iteration of a full fit (from the null estimate, where W and the residuals
 * are the null model's): X'WX and the score of [C | x], x = g + d on the observed rows (d:
 * the centring), from the score test's sums of g and the null model's sums of C. */
static void first_iteration(const logit_null_t *m, const logit_sums_t *s, double d,
                            logit_ws_t *ws)
{
    size_t q = m->q, k = q + 1;
    double *H = ws->H;
    for (size_t a = 0; a < q; a++) {
        for (size_t c = 0; c < q; c++) H[a * k + c] = m->cwc[a * q + c];
        /* sum w x C_a = sum w g C_a + d sum w C_a (C's first column: the intercept) */
        H[a * k + q] = H[q * k + a] = s->cwg[a] + d * m->cwc[a];
        ws->grad[a] = m->rc[a];
    }
    H[q * k + q] = s->d + d * (2 * s->cwg[0] + d * m->cwc[0]);
    ws->grad[q] = s->u + d * m->rc[0];
}

void logit_full(const logit_null_t *m, const double *y, const double *C, const double *g,
                double g_add, const logit_sums_t *s, int firth, logit_ws_t *ws,
                logit_res_t *res)
{
    size_t n = m->n_obs;
    /* The observed phenotypes go to T's second column: the fits use its first only. */
    double *yy = ws->T + ws->n;
    double dos[2] = {0, 0};
    *res = (logit_res_t){.beta = NAN, .se = NAN, .mlog10p = NAN, .lr_mlog10p = NAN};
    double mean = load_rows(ws, m, y, C, g, g_add, yy, dos);
    res->case_dos = dos[0], res->ctrl_dos = dos[1];
    first_iteration(m, s, g_add - mean, ws);
    fit_rows(m, yy, n, firth, ws, res, 1);
}

void logit_full_sites(const logit_null_t *m, const double *y, const double *C,
                      const double *const *gs, const size_t *site_row, int firth,
                      logit_ws_t *ws, logit_res_t *res)
{
    size_t q = m->q, ld = ws->n, r = 0;
    rsum_t *rs = ws->rs;
    double *yy = ws->T + ld, *x = ws->X + q * ld, dos[2];
    ws->cached = NULL;
    *res = (logit_res_t){.beta = NAN, .se = NAN, .mlog10p = NAN, .lr_mlog10p = NAN};
    rsum_begin(rs, 2);
    for (size_t s = 0; s < rs->nseg; s++) {
        size_t i0 = site_row[rs->site[s]], i1 = site_row[rs->site[s] + 1];
        double *P = rsum_part(rs, s, 2);
        rs->lo[s] = r;
        for (size_t o = 0; o < m->n_obs; o++) {
            size_t i = m->rows[o];
            if (i < i0 || i >= i1) continue;
            for (size_t a = 0; a < q; a++) ws->X[a * ld + r] = C[i * q + a];
            yy[r] = y[i], x[r] = gs[s][i - i0];
            P[y[i] == 1 ? 0 : 1] += x[r];
            r++;
        }
    }
    rs->lo[rs->nseg] = r;
    rsum_end(rs, 2, dos);
    res->case_dos = dos[0], res->ctrl_dos = dos[1];
    double mean = (dos[0] + dos[1]) / (double)(m->n_obs ? m->n_obs : 1);
    for (size_t j = 0; j < r; j++) x[j] -= mean;
    logit_fit_rows(m, yy, r, firth, ws, res);
}

void logit_fit_rows(const logit_null_t *m, const double *yy, size_t n, int firth,
                    logit_ws_t *ws, logit_res_t *res)
{
    fit_rows(m, yy, n, firth, ws, res, 0);
}

/* logit_fit_rows; preset: the first iteration's X'WX and score are in ws->H and ws->grad
 * (fit_ml). */
static void fit_rows(const logit_null_t *m, const double *yy, size_t n, int firth,
                     logit_ws_t *ws, logit_res_t *res, int preset)
{
    size_t q = m->q, k = q + 1;
    int use_firth = firth == LOGIT_FIRTH_ALWAYS ||
                    (firth == LOGIT_FIRTH_FALLBACK && (res->case_dos == 0 || res->ctrl_dos == 0));
    double ll = 0, pl = 0, pl0 = 0;
    memcpy(ws->b, m->beta, q * sizeof *ws->b);
    ws->b[q] = 0;
    if (!use_firth) {
        if (!fit_ml(ws, yy, n, k, XDONE, &ll, &res->iters, preset)) {
            res->test = LOGIT_WALD;
        } else if (firth == LOGIT_FIRTH_FALLBACK) {
            use_firth = 1;
            memcpy(ws->b, m->beta, q * sizeof *ws->b);
            ws->b[q] = 0;
        }
    }
    if (use_firth && !fit_firth(ws, yy, n, k, k, &pl, &res->iters)) res->test = LOGIT_FIRTH;
    if (res->test == LOGIT_NONE || !valid_fit(ws->H, k)) {
        res->test = LOGIT_NONE;
        return;
    }
    res->beta = ws->b[q], res->se = sqrt(ws->H[q * k + q]);
    res->mlog10p = logit_mlog10p_z(res->beta / res->se);
    if (res->test == LOGIT_WALD) {
        res->lr_mlog10p = logit_mlog10p_chi2(2 * (ll - m->loglik));
        return;
    }
    /* Firth's likelihood ratio: the restricted fit with beta_g = 0. */
    double beta = res->beta, se = res->se;
    int it0;
    memcpy(ws->b, m->beta, q * sizeof *ws->b);
    ws->b[q] = 0;
    if (!fit_firth(ws, yy, n, k, q, &pl0, &it0))
        res->lr_mlog10p = logit_mlog10p_chi2(2 * (pl - pl0));
    res->beta = beta, res->se = se;
}
