/* filter_impl.h — what the filter modules share (not a public interface): padding, 1D
 * convolution along an axis, and the frequency-domain filters. */
#ifndef RGX_FILTER_IMPL_H
#define RGX_FILTER_IMPL_H

#include <stddef.h>

#include "filter.h"

/* Longest 1D kernel (after the zero that makes an even kernel odd): coif5 has 30 taps. */
enum { FK_MAX = 63 };

/* The widest kernel half-width (voxels) along an axis.  Half-widths from sizes in mm are
 * capped here, and filter_apply refuses a kernel that reaches the cap: voxels of 1e-9 mm (a
 * broken header) would otherwise take a LoG or Gabor half-width past INT_MAX. */
enum { FK_HALF_MAX = 1 << 24 };
static inline int fhalf_cap(double voxels)
{
    return voxels < FK_HALF_MAX ? (int)voxels : FK_HALF_MAX;
}

/* Index of voxel i (maybe outside 0 .. n-1) after padding; -1 for a constant (zero) voxel. */
static inline long fpad_index(long i, long n, filt_pad_t p)
{
    if (i >= 0 && i < n) return i;
    switch (p) {
    case PAD_NEAREST:
        return i < 0 ? 0 : n - 1;
    case PAD_PERIODIC: {
        long m = i % n;
        return m < 0 ? m + n : m;
    }
    case PAD_MIRROR: { /* period 2n: d c b a | a b c d | d c b a */
        long m = i % (2 * n);
        if (m < 0) m += 2 * n;
        return m < n ? m : 2 * n - 1 - m;
    }
    default:
        return -1;
    }
}

static inline size_t fvox(const int dim[3])
{
    return (size_t)dim[0] * (size_t)dim[1] * (size_t)dim[2];
}

/* out = in convolved along axis (0 x, 1 y, 2 z) with k[0 .. len-1] (len odd, centre len/2)
 * dilated by dil (taps dil voxels apart: the a trous kernels): out[i] = sum_j k[j]
 * in[i + (len/2 - j) dil], voxels past the grid from the padding.  Zero taps are skipped.
 * out must not alias in. */
rgx_err fsep_axis(const double *in, double *out, const int dim[3], int axis, const double *k,
                  int len, int dil, filt_pad_t pad);

/* The Laplacian of Gaussian through three (two in 2D) sums of separable passes. */
rgx_err fsep_log(const filter_t *f, const double *in, const int dim[3], const double spacing[3],
                 double *out);

/* Half-width (voxels, at most FK_HALF_MAX) of the LoG kernel along an axis of the given
 * spacing. */
int flog_half(const filter_t *f, double spacing);

/* Frequency-domain filters (filter_fft.c): Gabor, Simoncelli, and the Riesz transform of a
 * LoG or Simoncelli response. */
rgx_err ffft_gabor(const filter_t *f, const double *in, const int dim[3], const double spacing[3],
                   double *out);
rgx_err ffft_spectral(const filter_t *f, const double *in, const int dim[3],
                      const double spacing[3], double *out);
/* Half-widths (voxels, at most FK_HALF_MAX) of the Gabor kernel along the axes of a plane of
 * spacing sa, sb. */
void fgabor_half(const filter_t *f, double sa, double sb, int *ra, int *rb);

#endif
