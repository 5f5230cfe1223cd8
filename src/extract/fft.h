/* fft.h — forward complex FFTs of many lines at once, for Moran's I and Geary's C.
 *
 * The lines are interleaved and split: point t of line j is re[t * nb + j] (im likewise), so
 * that every butterfly works on nb neighbouring numbers with one twiddle factor (SIMD across
 * lines, no shuffles).  Lengths are 2^a 3^b 5^c (fft_smooth gives the next one). */
#ifndef RGX_FFT_H
#define RGX_FFT_H

#include <stddef.h>

#include "err.h"

typedef struct {
    size_t n;
    int nstage;
    int radix[64];
    double *tw; /* per stage, for each j < L* and q = 1 .. p - 1: cos, sin of 2 pi j q / L */
} fft_plan_t;

/* The smallest 2-3-5-smooth number >= n. */
size_t fft_smooth(size_t n);

/* A plan for lines of n points (n must be 2-3-5-smooth, >= 1). */
rgx_err fft_plan(size_t n, fft_plan_t *p);
void fft_plan_free(fft_plan_t *p);

/* Transforms nb lines held in a (re: a[0 .. n nb - 1], im: a[n nb .. 2 n nb - 1]), with b
 * of the same size as scratch; returns a or b, whichever holds the result. */
double *fft_forward(const fft_plan_t *p, size_t nb, double *a, double *b);

#endif
