/* filter_fft.c — filters applied through FFTs (FFTW): Gabor (a 2D kernel per plane),
 * Simoncelli, the Riesz transform, and the LoG when its kernel is wide (see filter_impl.h).
 *
 * The grid is padded (filter_reach voxels of the padding mode on each side), transformed,
 * multiplied and transformed back, and the padded border is cut off.  A kernel sampled in
 * space is placed circularly around index 0, so its product with the image's transform is
 * the linear convolution wherever the circular wrap stays in the padding: exactly the
 * padded convolution for the compact kernels (Gabor, LoG). */
#include <complex.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "fft.h"
#include "filter_impl.h"
#include "util.h"

/* ---- padded copies ---- */

/* The grid seen along output axes o = 0, 1, 2 (0 fastest): input axis ax[o], padded by
 * pad[o] voxels before and at least pad[o] after; n[o] points. */
typedef struct {
    int ax[3], pad[3], n[3];
} view_t;

/* smooth: round the padded lengths up to 2^a 3^b 5^c points (faster transforms), the extra
 * points padding too; only for compact kernels, whose result does not depend on it. */
static view_t view_make(const int dim[3], int a, int b, int c, const int pad[3], int smooth)
{
    view_t v = {{a, b, c}, {pad[0], pad[1], pad[2]}, {0, 0, 0}};
    for (int o = 0; o < 3; o++) {
        v.n[o] = dim[v.ax[o]] + 2 * v.pad[o];
        if (smooth && v.pad[o]) v.n[o] = (int)fft_smooth((size_t)v.n[o]);
    }
    return v;
}

/* dst (the view's points) from in, padded by mode. */
static rgx_err gather(const double *in, const int dim[3], const view_t *v, filt_pad_t mode,
                      double *dst)
{
    size_t stride[3] = {1, (size_t)dim[0], (size_t)dim[0] * (size_t)dim[1]};
    long *idx[3] = {NULL, NULL, NULL};
    rgx_err err = RGX_OK;
    for (int o = 0; o < 3 && !err; o++) {
        if ((err = rgx_calloc(&idx[o], (size_t)v->n[o], sizeof *idx[o]))) break;
        for (int q = 0; q < v->n[o]; q++) {
            long s = fpad_index(q - v->pad[o], dim[v->ax[o]], mode);
            idx[o][q] = s < 0 ? -1 : s * (long)stride[v->ax[o]];
        }
    }
    if (!err) {
        size_t t = 0;
        for (int q2 = 0; q2 < v->n[2]; q2++)
            for (int q1 = 0; q1 < v->n[1]; q1++) {
                long b = idx[2][q2] < 0 || idx[1][q1] < 0 ? -1 : idx[2][q2] + idx[1][q1];
                for (int q0 = 0; q0 < v->n[0]; q0++, t++)
                    dst[t] = b < 0 || idx[0][q0] < 0 ? 0 : in[b + idx[0][q0]];
            }
    }
    for (int o = 0; o < 3; o++) free(idx[o]);
    return err;
}

/* The unpadded part of src (the view's points) as the input grid's voxels, through
 * put(out index, value). */
typedef void (*put_fn)(double *out, size_t i, double x, void *ctx);

static void scatter(const double *src, const int dim[3], const view_t *v, double *out, put_fn put,
                    void *ctx)
{
    size_t stride[3] = {1, (size_t)dim[0], (size_t)dim[0] * (size_t)dim[1]};
    size_t n0 = (size_t)v->n[0], n1 = (size_t)v->n[1];
    for (int i2 = 0; i2 < dim[v->ax[2]]; i2++)
        for (int i1 = 0; i1 < dim[v->ax[1]]; i1++) {
            size_t t = (size_t)(v->pad[0]) +
                       n0 * ((size_t)(i1 + v->pad[1]) + n1 * (size_t)(i2 + v->pad[2]));
            size_t o = (size_t)i1 * stride[v->ax[1]] + (size_t)i2 * stride[v->ax[2]];
            for (int i0 = 0; i0 < dim[v->ax[0]]; i0++)
                put(out, o + (size_t)i0 * stride[v->ax[0]], src[t + (size_t)i0], ctx);
        }
}

/* ---- FFTW plans: rank 2 (a stack of planes) or 3 ---- */

typedef struct {
    int rank; /* 2: n[0] x n[1] planes, n[2] of them; 3: one volume */
    int n[3];
    size_t nreal, nhalf; /* real points; complex points of the half spectrum */
    double *re;
    fftw_complex *sp;
    fftw_plan fwd, inv;
} fft_t;

static void fft_free(fft_t *t)
{
    if (t->fwd) fftw_destroy_plan(t->fwd);
    if (t->inv) fftw_destroy_plan(t->inv);
    fftw_free(t->re);
    fftw_free(t->sp);
    memset(t, 0, sizeof *t);
}

static rgx_err fft_init(fft_t *t, int rank, const int n[3])
{
    memset(t, 0, sizeof *t);
    t->rank = rank;
    for (int o = 0; o < 3; o++) t->n[o] = n[o];
    /* Padded sizes from a crafted image could overflow the byte counts below and FFTW's int
     * strides (n[0] n[1]): refused before they wrap into a small allocation. */
    double pts = (double)n[0] * n[1] * n[2];
    if (n[0] < 1 || n[1] < 1 || n[2] < 1 || (double)n[0] * n[1] > INT_MAX ||
        pts > (double)(SIZE_MAX / 4) / sizeof(fftw_complex))
        return rgx_fail(RGX_ERR_MEMORY, "an FFT of %d x %d x %d points is too large", n[0], n[1],
                        n[2]);
    t->nreal = (size_t)n[0] * (size_t)n[1] * (size_t)n[2];
    t->nhalf = (size_t)(n[0] / 2 + 1) * (size_t)n[1] * (size_t)n[2];
    t->re = fftw_malloc(t->nreal * sizeof *t->re);
    t->sp = fftw_malloc(t->nhalf * sizeof *t->sp);
    if (!t->re || !t->sp) {
        fft_free(t);
        return rgx_fail(RGX_ERR_MEMORY, "out of memory for an FFT of %d x %d x %d points", n[0],
                        n[1], n[2]);
    }
    /* FFTW's dimensions run slowest first. */
    if (rank == 3) {
        t->fwd = fftw_plan_dft_r2c_3d(n[2], n[1], n[0], t->re, t->sp, FFTW_ESTIMATE);
        t->inv = fftw_plan_dft_c2r_3d(n[2], n[1], n[0], t->sp, t->re, FFTW_ESTIMATE);
    } else {
        int nn[2] = {n[1], n[0]};
        int dr = n[0] * n[1], dc = (n[0] / 2 + 1) * n[1];
        t->fwd = fftw_plan_many_dft_r2c(2, nn, n[2], t->re, NULL, 1, dr, t->sp, NULL, 1, dc,
                                        FFTW_ESTIMATE);
        t->inv = fftw_plan_many_dft_c2r(2, nn, n[2], t->sp, NULL, 1, dc, t->re, NULL, 1, dr,
                                        FFTW_ESTIMATE);
    }
    if (!t->fwd || !t->inv) {
        fft_free(t);
        return rgx_fail(RGX_ERR_INTERNAL, "FFTW could not plan %d x %d x %d", n[0], n[1], n[2]);
    }
    return RGX_OK;
}

/* Points of one transform (the normalisation of the inverse). */
static double fft_points(const fft_t *t)
{
    return (double)t->n[0] * t->n[1] * (t->rank == 3 ? t->n[2] : 1);
}

/* ---- frequency grids ---- */

/* The normalised frequency of FFT index p of an N-point axis: linspace(-1, 1, N), centred
 * (the IBSI reference implementation's grid; for even N it is half a bin off the DFT's). */
static double nu(int p, int n)
{
    if (n < 2) return 0;
    double c = (n - 1) / 2.0;
    return (((p + n / 2) % n) - c) / c;
}

/* The Simoncelli band of decomposition level `level` at radial frequency rho. */
static double simoncelli(double rho, int level)
{
    double wmax = ldexp(1.0, 1 - level);
    if (rho < wmax / 4 || rho > wmax) return 0;
    return cos(M_PI / 2 * log2(2 * rho / wmax));
}

static double factorial(int n)
{
    double f = 1;
    for (int i = 2; i <= n; i++) f *= i;
    return f;
}

/* The multiplier (Riesz transform times Simoncelli band, either optional) at frequency v. */
static double complex multiplier(const filter_t *f, const double v[3], int d)
{
    double rho2 = 0;
    for (int a = 0; a < d; a++) rho2 += v[a] * v[a];
    double rho = sqrt(rho2);
    double complex m = f->type == FILT_SIMONCELLI ? simoncelli(rho, f->level) : 1;
    int L = 0;
    for (int a = 0; a < d; a++) L += f->riesz[a];
    if (L == 0 || m == 0) return m;
    if (rho == 0) return 0;
    double num = 1, den = 1;
    for (int a = 0; a < d; a++) {
        num *= pow(v[a], f->riesz[a]);
        den *= factorial(f->riesz[a]);
    }
    double complex ph = cpow(-I, L); /* (-j)^L */
    return m * ph * sqrt(factorial(L) / den) * num / pow(rho, L);
}

/* ---- Gabor ---- */

void fgabor_half(const filter_t *f, double sa, double sb, int *ra, int *rb)
{
    double ext = f->truncate * f->sigma / (f->gamma < 1 ? f->gamma : 1);
    *ra = fhalf_cap(ceil(ext / sa - 1e-9));
    *rb = fhalf_cap(ceil(ext / sb - 1e-9));
}

typedef struct {
    filt_pool_t pool;
    int first;
    double w; /* mean pooling: the weight of this response */
} pool_ctx_t;

static void put_pool(double *out, size_t i, double x, void *ctx)
{
    const pool_ctx_t *p = ctx;
    if (p->pool == POOL_MEAN) x *= p->w;
    if (p->first)
        out[i] = x;
    else if (p->pool == POOL_MEAN)
        out[i] += x;
    else if (p->pool == POOL_MAX ? x > out[i] : x < out[i])
        out[i] = x;
}

/* The spectra of the real and imaginary parts of the Gabor kernel at angle th (radians) in a
 * plane of na x nb points (spacing sa, sb mm), each through the plan's forward transform
 * (one plane: kr, ki hold nhalf / planes values). */
static void gabor_kernel(const filter_t *f, double th, double sa, double sb, fft_t *k,
                         fftw_complex *kr, fftw_complex *ki)
{
    int na = k->n[0], nb = k->n[1], ra, rb;
    fgabor_half(f, sa, sb, &ra, &rb);
    size_t half = (size_t)(na / 2 + 1) * (size_t)nb;
    for (int part = 0; part < 2; part++) {
        memset(k->re, 0, (size_t)na * (size_t)nb * sizeof *k->re);
        for (int v = -rb; v <= rb; v++)
            for (int u = -ra; u <= ra; u++) {
                double x = u * sa, y = v * sb;
                double xt = x * cos(th) + y * sin(th), yt = -x * sin(th) + y * cos(th);
                double env =
                    exp(-(xt * xt + f->gamma * f->gamma * yt * yt) / (2 * f->sigma * f->sigma));
                double ph = 2 * M_PI * xt / f->lambda;
                size_t at = (size_t)((u + na) % na) + (size_t)na * (size_t)((v + nb) % nb);
                k->re[at] = env * (part ? sin(ph) : cos(ph));
            }
        fftw_execute(k->fwd);
        memcpy(part ? ki : kr, k->sp, half * sizeof *k->sp);
    }
}

/* One plane orientation: axes a (the kernel's x) and b (its y), stacked along c. */
static rgx_err gabor_plane(const filter_t *f, const double *in, const int dim[3],
                           const double spacing[3], int a, int b, int c, double *out, int *first)
{
    int ra, rb;
    fgabor_half(f, spacing[a], spacing[b], &ra, &rb);
    int pad[3] = {ra, rb, 0};
    view_t v = view_make(dim, a, b, c, pad, 1);
    fft_t img = {0}, ker = {0};
    fftw_complex *F = NULL, *kr = NULL, *ki = NULL;
    double *u = NULL;
    int kn[3] = {v.n[0], v.n[1], 1};
    rgx_err err = fft_init(&img, 2, v.n);
    if (!err) err = fft_init(&ker, 2, kn);
    size_t half = (size_t)(v.n[0] / 2 + 1) * (size_t)v.n[1];
    if (!err) {
        F = fftw_malloc(img.nhalf * sizeof *F);
        kr = fftw_malloc(half * sizeof *kr), ki = fftw_malloc(half * sizeof *ki);
        u = fftw_malloc(img.nreal * sizeof *u);
        if (!F || !kr || !ki || !u) err = rgx_fail(RGX_ERR_MEMORY, "out of memory (Gabor)");
    }
    if (!err) err = gather(in, dim, &v, f->pad, img.re);
    if (err) goto out;
    fftw_execute(img.fwd);
    memcpy(F, img.sp, img.nhalf * sizeof *F);
    /* The kernel at theta + 180 degrees is the conjugate of theta's, and so is its response
     * to a real image: same modulus, same real part.  Half the angles then do, each twice. */
    int n_th = f->theta_step > 0 ? (int)lround(360 / f->theta_step) : 1, twice = 0;
    if (n_th % 2 == 0 && (f->response == RESP_MODULUS || f->response == RESP_REAL))
        n_th /= 2, twice = 1;
    double scale = 1 / fft_points(&img);
    for (int t = 0; t < n_th; t++) {
        double th = (f->theta + t * f->theta_step) * M_PI / 180;
        gabor_kernel(f, th, spacing[a], spacing[b], &ker, kr, ki);
        for (int part = 0; part < 2; part++) { /* u = real part, then img.re = imaginary */
            const fftw_complex *k = part ? ki : kr;
            for (size_t s = 0; s < img.nhalf; s++) img.sp[s] = F[s] * k[s % half];
            fftw_execute(img.inv);
            if (!part) memcpy(u, img.re, img.nreal * sizeof *u);
        }
        for (size_t s = 0; s < img.nreal; s++) {
            double re = u[s] * scale, im = img.re[s] * scale;
            img.re[s] = f->response == RESP_REAL    ? re
                        : f->response == RESP_IMAG  ? im
                        : f->response == RESP_PHASE ? atan2(im, re)
                                                    : sqrt(re * re + im * im);
        }
        pool_ctx_t pc = {f->pool, *first, twice ? 2 : 1};
        scatter(img.re, dim, &v, out, put_pool, &pc);
        *first = 0;
    }
out:
    fftw_free(F), fftw_free(kr), fftw_free(ki), fftw_free(u);
    fft_free(&img), fft_free(&ker);
    return err;
}

rgx_err ffft_gabor(const filter_t *f, const double *in, const int dim[3], const double spacing[3],
                   double *out)
{
    /* axial (x, y); with rotation invariance in 3D also coronal (x, z) and sagittal (y, z) */
    static const int planes[3][3] = {{0, 1, 2}, {0, 2, 1}, {1, 2, 0}};
    int n_planes = f->dims == 3 && f->rot_inv ? 3 : 1, first = 1,
        n_th = f->theta_step > 0 ? (int)lround(360 / f->theta_step) : 1;
    rgx_err err = RGX_OK;
    for (int p = 0; p < n_planes && !err; p++)
        err =
            gabor_plane(f, in, dim, spacing, planes[p][0], planes[p][1], planes[p][2], out, &first);
    if (!err && f->pool == POOL_MEAN) {
        double k = 1.0 / (n_planes * n_th);
        for (size_t i = 0, n = fvox(dim); i < n; i++) out[i] *= k;
    }
    return err;
}

/* ---- Simoncelli, Riesz, wide LoG ---- */

static void put_set(double *out, size_t i, double x, void *ctx)
{
    (void)ctx;
    out[i] = x;
}

/* The LoG kernel (filter_sep.c's, summed to 2D or 3D) placed circularly into t->re, and its
 * spectrum into t->sp. */
static void log_spectrum(const filter_t *f, const double spacing[3], fft_t *t)
{
    int d = f->dims, h[3] = {0, 0, 0};
    double s[3] = {1, 1, 1};
    for (int a = 0; a < d; a++) h[a] = flog_half(f, spacing[a]), s[a] = f->sigma / spacing[a];
    memset(t->re, 0, t->nreal * sizeof *t->re);
    for (int z = -h[2]; z <= h[2]; z++)
        for (int y = -h[1]; y <= h[1]; y++)
            for (int x = -h[0]; x <= h[0]; x++) {
                int q[3] = {x, y, z};
                double g[3], sum = 0, prod = 1;
                for (int a = 0; a < d; a++) {
                    g[a] = exp(-q[a] * q[a] / (2 * s[a] * s[a])) / (sqrt(2 * M_PI) * s[a]);
                    prod *= g[a];
                }
                for (int a = 0; a < d; a++)
                    sum += (q[a] * q[a] / (s[a] * s[a] * s[a] * s[a]) - 1 / (s[a] * s[a])) * prod;
                size_t at = (size_t)((x + t->n[0]) % t->n[0]) +
                            (size_t)t->n[0] * (size_t)((y + t->n[1]) % t->n[1]);
                if (d == 3)
                    at += (size_t)t->n[0] * (size_t)t->n[1] * (size_t)((z + t->n[2]) % t->n[2]);
                t->re[at] = sum;
            }
    fftw_execute(t->fwd);
}

rgx_err ffft_spectral(const filter_t *f, const double *in, const int dim[3],
                      const double spacing[3], double *out)
{
    int d = f->dims, reach[3];
    filter_reach(f, spacing, reach);
    int pad[3] = {0, 0, 0};
    /* A compact kernel (a wide LoG) gets all its reach; a non-compact one never more padding
     * than the grid itself (past that, the wrap lands far from every voxel). */
    for (int a = 0; a < d; a++)
        pad[a] = f->pad == PAD_PERIODIC                        ? 0
                 : !filter_is_spectral(f) || reach[a] < dim[a] ? reach[a]
                                                               : dim[a];
    view_t v = view_make(dim, 0, 1, 2, pad, !filter_is_spectral(f));
    fft_t img = {0}, ker = {0};
    fftw_complex *K = NULL;
    int kn[3] = {v.n[0], v.n[1], d == 3 ? v.n[2] : 1};
    rgx_err err = fft_init(&img, d, v.n);
    if (!err) err = gather(in, dim, &v, f->pad, img.re);
    if (!err && f->type == FILT_LOG) {
        if (!(err = fft_init(&ker, d, kn))) log_spectrum(f, spacing, &ker);
        K = ker.sp;
    }
    if (err) goto out;
    fftw_execute(img.fwd);
    /* The real part of the inverse of F M is the inverse of F (M(p) + conj(M(-p))) / 2, a
     * product that the half-spectrum (conjugate-symmetric) transform can take. */
    int nh = v.n[0] / 2 + 1, n1 = v.n[1], n2 = v.n[2];
    size_t per = (size_t)nh * (size_t)n1;
    double scale = 1 / fft_points(&img);
    for (int p2 = 0; p2 < n2; p2++)
        for (int p1 = 0; p1 < n1; p1++)
            for (int p0 = 0; p0 < nh; p0++) {
                int p[3] = {p0, p1, d == 3 ? p2 : 0};
                double vp[3] = {0, 0, 0}, vm[3] = {0, 0, 0};
                for (int a = 0; a < d; a++) {
                    int n = v.n[a];
                    vp[a] = nu(p[a], n), vm[a] = nu((n - p[a]) % n, n);
                }
                double complex m;
                if (f->type == FILT_LOG) {
                    /* the kernel's spectrum is conjugate symmetric: only the Riesz part needs
                     * the symmetric average */
                    size_t kk =
                        (size_t)p0 + (size_t)nh * (size_t)p1 + (d == 3 ? per * (size_t)p2 : 0);
                    m = K[kk] * (multiplier(f, vp, d) + conj(multiplier(f, vm, d))) / 2;
                } else {
                    m = (multiplier(f, vp, d) + conj(multiplier(f, vm, d))) / 2;
                }
                size_t s = (size_t)p0 + (size_t)nh * (size_t)p1 + per * (size_t)p2;
                img.sp[s] *= m * scale;
            }
    fftw_execute(img.inv);
    scatter(img.re, dim, &v, out, put_set, NULL);
out:
    fft_free(&img), fft_free(&ker);
    return err;
}
