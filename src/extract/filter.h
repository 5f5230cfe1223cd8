/* filter.h — the IBSI 2 convolutional filters (Depeursinge et al., "Standardised convolutional
 * filtering for radiomics", arXiv:2006.05470): mean, Laplacian of Gaussian, Laws kernels and
 * their energy maps, Gabor, separable wavelets (undecimated, "a trous" levels) and the
 * Simoncelli non-separable wavelet, each optionally rotation invariant, with the manual's
 * four boundary conditions, and the Riesz transform of LoG and Simoncelli responses.
 *
 * A filter maps a volume (voxel (i, j, k) at i + n0 (j + n1 k), x fastest, as image.h) to a
 * response map of the same grid.  dims 2 filters every slice (the x-y plane) on its own.
 * Kernels are sampled in voxel units of the grid they run on (sigma and lambda are given in
 * mm and divided by the spacing), as the IBSI reference response maps are.
 *
 * Conventions that the reference maps fix (checked by tests/e2e/ibsi2_phase1.t):
 * - convolution (not correlation): out[i] = sum_j k[j] in[i + c - j], c the kernel's centre;
 *   an even-length kernel gets a trailing zero (its centre is then its element L/2);
 * - padding past the grid: constant 0, nearest (edge repeated), periodic, or mirror
 *   (d c b a | a b c d: the edge voxel repeated);
 * - Laws kernel strings and wavelet band strings name the kernel of x, then y, then z;
 * - rotation invariance of separable kernels pools the responses of the kernel turned by the
 *   24 right-angle rotations of 3D space (4 of the plane with dims 2); Gabor pools over angles
 *   theta + k theta_step and, in 3D, over the three orthogonal planes;
 * - frequency-domain filters (Simoncelli, Riesz) use the normalised frequency grid of the
 *   IBSI reference implementation: linspace(-1, 1, N) per axis of the N-point transform
 *   (1 = Nyquist), centred; the transform covers the grid plus `reach` voxels of padding on
 *   each side (none when periodic).
 *
 * Bits: every operation runs in a fixed order, so a response is the same on any rank; FFTs
 * use FFTW plans made with FFTW_ESTIMATE on fftw_malloc'd (aligned) buffers, which fixes the
 * algorithm for a given size. */
#ifndef RGX_FILTER_H
#define RGX_FILTER_H

#include <stddef.h>

#include "err.h"

typedef enum {
    FILT_MEAN = 0,
    FILT_LOG,
    FILT_LAWS,
    FILT_GABOR,
    FILT_WAVELET,
    FILT_SIMONCELLI,
} filt_type_t;

typedef enum { PAD_CONSTANT = 0, PAD_NEAREST, PAD_PERIODIC, PAD_MIRROR } filt_pad_t;
typedef enum { POOL_MEAN = 0, POOL_MAX, POOL_MIN } filt_pool_t;
typedef enum { RESP_MODULUS = 0, RESP_REAL, RESP_IMAG, RESP_PHASE } filt_resp_t;

enum { FILT_LAWS_MAX = 3, FILT_TAG_LEN = 96 };

typedef struct {
    filt_type_t type;
    int dims; /* 2: every x-y slice on its own; 3 */
    filt_pad_t pad;
    int support;     /* mean: kernel width in voxels (odd) */
    double sigma;    /* LoG, Gabor: mm */
    double truncate; /* LoG, Gabor: kernel half-width in sigmas (Gabor: of sigma / min(gamma, 1)) */
    int laws[FILT_LAWS_MAX]; /* Laws: kernel index per axis (filter_laws_find), -1 unused */
    int energy;              /* Laws: distance delta of the energy map (0: the response itself) */
    int rot_inv;          /* Laws, wavelets: 24 (4 in 2D) rotations; Gabor 3D: orthogonal planes */
    filt_pool_t pool;     /* how rotations (and Gabor angles) are pooled */
    double lambda;        /* Gabor: wavelength, mm */
    double gamma;         /* Gabor: spatial aspect ratio */
    double theta;         /* Gabor: orientation, degrees */
    double theta_step;    /* Gabor: > 0: pool over theta + k step, k = 0 .. 360 / step - 1 */
    filt_resp_t response; /* Gabor: modulus (default), real, imaginary or phase */
    int wavelet;   /* separable wavelets: index into the family table (filter_wavelet_find) */
    char bands[4]; /* separable wavelets: "LHL": low or high pass along x, y, z */
    int level;     /* wavelets: decomposition level, 1 .. */
    int riesz[3];  /* LoG, Simoncelli: order of the Riesz transform along x, y, z */
    int engine;    /* LoG: 0 the faster for its width (measured), 1 separable passes, 2 FFTs */
} filter_t;

/* The defaults of a filter of the given type (what the config schema documents). */
void filter_init(filter_t *f, filt_type_t type);

/* Voxels on each side, per axis, that the response at a voxel reads: exact for compact
 * kernels (mean, LoG, Laws with its energy window, Gabor, separable wavelets with their
 * levels); for Simoncelli and the Riesz transform, whose kernels are not compact, the
 * padding used for their transform (16 voxels at level 1, doubled per level; the LoG's own
 * half-width, at least 16, for a Riesz-transformed LoG).  0 along z when dims is 2. */
void filter_reach(const filter_t *f, const double spacing[3], int reach[3]);

/* 1 when the filter works in the frequency domain (its response near the edge of a crop is
 * then only approximately the whole image's). */
int filter_is_spectral(const filter_t *f);

/* A short tag that encodes the parameters, for feature names ("log_s1p5", "laws_l5e5e5_en7_
 * rimax", "wav_coif1_lhl_l1"); '.' never appears in it (feature names use '.' as separator). */
void filter_tag(const filter_t *f, char *buf, size_t n);

/* The response map of in (dim voxels, spacing mm) into out (same size; may not alias in).
 * Fails only for memory, for a filter that filter_check would reject, or for a kernel of
 * FK_HALF_MAX (filter_impl.h) or more voxels on a side (voxels far too small for it). */
rgx_err filter_apply(const filter_t *f, const double *in, const int dim[3], const double spacing[3],
                     double *out);

/* Checks a filter's parameters; the message names the first bad one. */
rgx_err filter_check(const filter_t *f);

/* Laws kernels: index of a 2-character name (L5 E5 S5 W5 R5 L3 E3 S3, any case), or -1. */
int filter_laws_find(const char *name2);

/* Separable wavelet families: index of a name ("haar", "db2", "coif1", ...), or -1. */
int filter_wavelet_find(const char *name);
const char *filter_wavelet_name(int w);
/* Decomposition low-pass of a family (the high pass is its quadrature mirror:
 * hi[k] = (-1)^(k+1) lo[L-1-k]); returns the length. */
int filter_wavelet_lowpass(int w, const double **lo);
/* Every family name, ", "-separated, for messages. */
const char *filter_wavelet_names(void);

#endif
