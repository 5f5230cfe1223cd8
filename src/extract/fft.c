/* fft.c — see fft.h.
 *
 * Stockham's self-sorting FFT (Van Loan, "Computational Frameworks for the FFT", 1.7): stage
 * by stage with radix p, L = L* p and r = n / L, from x to y,
 *   a_q = w_L^(j q) x[j r p + q r + k],   y[(j + s L*) r + k] = sum_q a_q w_p^(s q)
 * for j < L*, k < r, s < p (w_m = exp(-2 pi i / m)); the output is in natural order and no
 * bit reversal is needed.  For one j and q the points k < r of every line are contiguous
 * (r nb numbers), which is the loop the compiler vectorises.  Radix 4 is used while four
 * divides what is left, then 2, 3 and 5. */
#include "fft.h"

#include <math.h>
#include <stdlib.h>

#include "util.h"

size_t fft_smooth(size_t n)
{
    for (;; n++) {
        size_t m = n;
        while (m % 2 == 0) m /= 2;
        while (m % 3 == 0) m /= 3;
        while (m % 5 == 0) m /= 5;
        if (m == 1) return n;
    }
}

rgx_err fft_plan(size_t n, fft_plan_t *p)
{
    p->n = n, p->nstage = 0, p->tw = NULL;
    size_t m = n, ntw = 0, ls = 1;
    while (m > 1) {
        int r = m % 4 == 0 ? 4 : m % 2 == 0 ? 2 : m % 3 == 0 ? 3 : m % 5 == 0 ? 5 : 0;
        if (!r || p->nstage == 64)
            return rgx_fail(RGX_ERR_INTERNAL, "FFT length %zu is not 2-3-5-smooth", n);
        p->radix[p->nstage++] = r;
        ntw += 2 * ls * (size_t)(r - 1);
        ls *= (size_t)r, m /= (size_t)r;
    }
    rgx_err err = rgx_calloc(&p->tw, ntw ? ntw : 1, sizeof *p->tw);
    if (err) return err;
    double *t = p->tw;
    ls = 1;
    for (int s = 0; s < p->nstage; s++) {
        size_t r = (size_t)p->radix[s], l = ls * r;
        for (size_t j = 0; j < ls; j++)
            for (size_t q = 1; q < r; q++) {
                double ang = 2 * M_PI * (double)(j * q % l) / (double)l;
                *t++ = cos(ang), *t++ = sin(ang);
            }
        ls = l;
    }
    return RGX_OK;
}

void fft_plan_free(fft_plan_t *p)
{
    free(p->tw);
    p->tw = NULL;
}

/* Point k of input run q times its twiddle factor, as (re, im). */
#define TWIDDLED(q, re, im)                                                                        \
    double re = ar[(q) * len + k] * wr[q] - ai[(q) * len + k] * wi[q],                            \
           im = ar[(q) * len + k] * wi[q] + ai[(q) * len + k] * wr[q]

/* One stage of radix p.  xr/xi: input, yr/yi: output; ls = L*, len = r nb (the contiguous
 * run of one j, q).  Twiddles (c, s) stand for w = c - i s. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void
stage(int p, size_t ls, size_t len, const double *tw, const double *xr, const double *xi,
      double *yr, double *yi)
{
    const double c3 = 0.86602540378443864676;                       /* sin(2 pi / 3) */
    const double c51 = 0.30901699437494742410, c52 = -0.80901699437494742410; /* cos 2pi/5, 4pi/5 */
    const double s51 = 0.95105651629515357212, s52 = 0.58778525229247312917; /* sin 2pi/5, 4pi/5 */
    size_t pl = (size_t)p * len; /* x: j's block of p runs */
    for (size_t j = 0; j < ls; j++, tw += 2 * (p - 1)) {
        const double *ar = xr + j * pl, *ai = xi + j * pl;
        double *br = yr + j * len, *bi = yi + j * len;
        size_t out = ls * len; /* y: s apart */
        double wr[5] = {1, 1, 1, 1, 1}, wi[5] = {0, 0, 0, 0, 0};
        for (int q = 1; q < p; q++) wr[q] = tw[2 * (q - 1)], wi[q] = -tw[2 * (q - 1) + 1];
        if (p == 2) {
#pragma omp simd
            for (size_t k = 0; k < len; k++) {
                TWIDDLED(1, x1r, x1i);
                br[k] = ar[k] + x1r, bi[k] = ai[k] + x1i;
                br[out + k] = ar[k] - x1r, bi[out + k] = ai[k] - x1i;
            }
        } else if (p == 4) {
#pragma omp simd
            for (size_t k = 0; k < len; k++) {
                double a0r = ar[k], a0i = ai[k];
                TWIDDLED(1, a1r, a1i);
                TWIDDLED(2, a2r, a2i);
                TWIDDLED(3, a3r, a3i);
                double t0r = a0r + a2r, t0i = a0i + a2i, t1r = a0r - a2r, t1i = a0i - a2i;
                double t2r = a1r + a3r, t2i = a1i + a3i, t3r = a1r - a3r, t3i = a1i - a3i;
                br[k] = t0r + t2r, bi[k] = t0i + t2i;
                br[out + k] = t1r + t3i, bi[out + k] = t1i - t3r; /* t1 - i t3 */
                br[2 * out + k] = t0r - t2r, bi[2 * out + k] = t0i - t2i;
                br[3 * out + k] = t1r - t3i, bi[3 * out + k] = t1i + t3r; /* t1 + i t3 */
            }
        } else if (p == 3) {
#pragma omp simd
            for (size_t k = 0; k < len; k++) {
                double a0r = ar[k], a0i = ai[k];
                TWIDDLED(1, a1r, a1i);
                TWIDDLED(2, a2r, a2i);
                double sr = a1r + a2r, si = a1i + a2i, dr = c3 * (a1r - a2r), di = c3 * (a1i - a2i);
                double mr = a0r - 0.5 * sr, mi = a0i - 0.5 * si;
                br[k] = a0r + sr, bi[k] = a0i + si;
                br[out + k] = mr + di, bi[out + k] = mi - dr;         /* m - i d */
                br[2 * out + k] = mr - di, bi[2 * out + k] = mi + dr; /* m + i d */
            }
        } else { /* 5 */
#pragma omp simd
            for (size_t k = 0; k < len; k++) {
                double a0r = ar[k], a0i = ai[k];
                TWIDDLED(1, a1r, a1i);
                TWIDDLED(2, a2r, a2i);
                TWIDDLED(3, a3r, a3i);
                TWIDDLED(4, a4r, a4i);
                double b1r = a1r + a4r, b1i = a1i + a4i, b2r = a2r + a3r, b2i = a2i + a3i;
                double d1r = a1r - a4r, d1i = a1i - a4i, d2r = a2r - a3r, d2i = a2i - a3i;
                double e1r = a0r + c51 * b1r + c52 * b2r, e1i = a0i + c51 * b1i + c52 * b2i;
                double e2r = a0r + c52 * b1r + c51 * b2r, e2i = a0i + c52 * b1i + c51 * b2i;
                double f1r = s51 * d1r + s52 * d2r, f1i = s51 * d1i + s52 * d2i;
                double f2r = s52 * d1r - s51 * d2r, f2i = s52 * d1i - s51 * d2i;
                br[k] = a0r + b1r + b2r, bi[k] = a0i + b1i + b2i;
                br[out + k] = e1r + f1i, bi[out + k] = e1i - f1r;         /* e1 - i f1 */
                br[4 * out + k] = e1r - f1i, bi[4 * out + k] = e1i + f1r; /* e1 + i f1 */
                br[2 * out + k] = e2r + f2i, bi[2 * out + k] = e2i - f2r; /* e2 - i f2 */
                br[3 * out + k] = e2r - f2i, bi[3 * out + k] = e2i + f2r; /* e2 + i f2 */
            }
        }
    }
}

double *fft_forward(const fft_plan_t *p, size_t nb, double *a, double *b)
{
    size_t nn = p->n * nb, ls = 1, r = p->n;
    const double *tw = p->tw;
    for (int s = 0; s < p->nstage; s++) {
        size_t rad = (size_t)p->radix[s];
        r /= rad;
        stage(p->radix[s], ls, r * nb, tw, a, a + nn, b, b + nn);
        tw += 2 * ls * (rad - 1);
        ls *= rad;
        double *t = a;
        a = b, b = t;
    }
    return a;
}
