/* moran.c — see moran.h.
 *
 * With a = x - mean on the intensity mask (0 elsewhere), m its indicator and q = a^2, the
 * three sums over voxel pairs i != j with weight k = 1 / distance are
 *   W = sum k m_i m_j,   S_a = sum k a_i a_j,   S_q = sum k q_i m_j,
 * and Moran's I = N / W * S_a / sum a^2, Geary's C = (N - 1) / (2 W) * 2 (S_q - S_a) / sum a^2.
 * On a grid k depends only on the offset o, so each sum is sum_o k(o) (f * g)(o), a
 * correlation; by Parseval it is 1/N_f sum_f K(f) Re(conj F(f) G(f)) on a grid of at least
 * 2 b - 1 points per axis (b: the ROI's box), where no correlation wraps around.
 *
 * The transforms (GSL's mixed-radix FFT):
 *   m, a, q are real: each is transformed along x by a real FFT, of which only the
 *   frequencies 0 .. n_x / 2 are kept (the others are their complex conjugates, and give the
 *   same terms), then along z, then along y, where each batch of lines goes straight into
 *   the sums instead of back into memory.  Lines that hold only zeros are never
 *   transformed: before the x pass a field is zero outside the box, and before the z pass
 *   outside the box's rows.
 *   K is the same for every ROI of a box size: k is even along every axis, so its transform
 *   is a product of cosine sums over the offsets 0 .. b - 1, three matrix products (BLAS),
 *   and even along every axis itself (kept for f_a <= n_a / 2 only). */
#include "moran.h"

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_fft_complex.h>
#include <gsl/gsl_fft_real.h>
#include <math.h>
#include <stdlib.h>

#include "util.h"

/* Lines transformed together, copied into contiguous memory: along y or z the points of a
 * line lie a row or a plane apart. */
enum { BATCH = 16 };

/* The smallest 2-3-5-smooth number >= n (fast mixed-radix FFT sizes). */
static size_t smooth(size_t n)
{
    for (;; n++) {
        size_t m = n;
        while (m % 2 == 0) m /= 2;
        while (m % 3 == 0) m /= 3;
        while (m % 5 == 0) m /= 5;
        if (m == 1) return n;
    }
}

/* Row f (0 .. h - 1), column o (0 .. b - 1): c(o) cos(2 pi f o / n), c(0) = 1, else 2 (the
 * offsets o and -o together). */
static void cosine_matrix(size_t h, size_t b, size_t n, double *c)
{
    for (size_t f = 0; f < h; f++)
        for (size_t o = 0; o < b; o++)
            c[f * b + o] = (o ? 2.0 : 1.0) * cos(2 * M_PI * (double)(f * o % n) / (double)n);
}

/* The transform of k on the octant f_a = 0 .. h_a - 1: K[fx + h0 (fy + h1 fz)]. */
static rgx_err kernel_spectrum(const size_t b[3], const size_t n[3], const size_t h[3],
                               const double sp[3], double *K)
{
    double *k = NULL, *cx = NULL, *cy = NULL, *cz = NULL, *t1 = NULL, *t2 = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&k, b[0] * b[1] * b[2], sizeof *k)) ||
        (err = rgx_calloc(&cx, h[0] * b[0], sizeof *cx)) ||
        (err = rgx_calloc(&cy, h[1] * b[1], sizeof *cy)) ||
        (err = rgx_calloc(&cz, h[2] * b[2], sizeof *cz)) ||
        (err = rgx_calloc(&t1, b[2] * b[1] * h[0], sizeof *t1)) ||
        (err = rgx_calloc(&t2, b[2] * h[1] * h[0], sizeof *t2)))
        goto out;
    for (size_t z = 0; z < b[2]; z++)
        for (size_t y = 0; y < b[1]; y++)
            for (size_t x = 0; x < b[0]; x++) {
                double dx = (double)x * sp[0], dy = (double)y * sp[1], dz = (double)z * sp[2];
                double d2 = dx * dx + dy * dy + dz * dz;
                k[x + b[0] * (y + b[1] * z)] = d2 > 0 ? 1 / sqrt(d2) : 0;
            }
    cosine_matrix(h[0], b[0], n[0], cx);
    cosine_matrix(h[1], b[1], n[1], cy);
    cosine_matrix(h[2], b[2], n[2], cz);
    /* x: t1[z][y][fx]; y: t2[z][fy][fx], one plane at a time; z: K[fz][fy][fx]. */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(b[1] * b[2]), (int)h[0], (int)b[0],
                1.0, k, (int)b[0], cx, (int)b[0], 0.0, t1, (int)h[0]);
    for (size_t z = 0; z < b[2]; z++)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)h[1], (int)h[0], (int)b[1],
                    1.0, cy, (int)b[1], t1 + z * b[1] * h[0], (int)h[0], 0.0,
                    t2 + z * h[1] * h[0], (int)h[0]);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)h[2], (int)(h[1] * h[0]),
                (int)b[2], 1.0, cz, (int)b[2], t2, (int)(h[1] * h[0]), 0.0, K,
                (int)(h[1] * h[0]));
out:
    free(k), free(cx), free(cy), free(cz), free(t1), free(t2);
    return err;
}

typedef struct {
    gsl_fft_complex_wavetable *w;
    gsl_fft_complex_workspace *ws;
} cfft_t;

static rgx_err cfft_make(size_t n, cfft_t *f)
{
    f->w = gsl_fft_complex_wavetable_alloc(n);
    f->ws = gsl_fft_complex_workspace_alloc(n);
    if (f->w && f->ws) return RGX_OK;
    return rgx_fail(RGX_ERR_MEMORY, "out of memory for an FFT of %zu points", n);
}

static void cfft_free(cfft_t *f)
{
    if (f->w) gsl_fft_complex_wavetable_free(f->w);
    if (f->ws) gsl_fft_complex_workspace_free(f->ws);
}

/* Copies nb lines of len complex points (point t of line j at base[2 (j + t stride)]) into
 * buf (line after line), the points from have on zero; or back. */
static void gather(const double *base, size_t stride, size_t len, size_t have, size_t nb,
                   double *buf)
{
    for (size_t t = 0; t < len; t++)
        for (size_t j = 0; j < nb; j++) {
            buf[2 * (j * len + t)] = t < have ? base[2 * (j + t * stride)] : 0;
            buf[2 * (j * len + t) + 1] = t < have ? base[2 * (j + t * stride) + 1] : 0;
        }
}

static void scatter(const double *buf, size_t stride, size_t len, size_t nb, double *base)
{
    for (size_t t = 0; t < len; t++)
        for (size_t j = 0; j < nb; j++) {
            base[2 * (j + t * stride)] = buf[2 * (j * len + t)];
            base[2 * (j + t * stride) + 1] = buf[2 * (j * len + t) + 1];
        }
}

rgx_err moran_geary(const roi_t *r, double *moran, double *geary)
{
    const int *d = r->dim;
    int lo[3] = {d[0], d[1], d[2]}, hi[3] = {-1, -1, -1};
    double mu = 0;
    size_t nroi = 0;
    for (int z = 0; z < d[2]; z++)
        for (int y = 0; y < d[1]; y++)
            for (int x = 0; x < d[0]; x++) {
                size_t v = (size_t)x + (size_t)d[0] * ((size_t)y + (size_t)d[1] * (size_t)z);
                if (!r->mask[v]) continue;
                int c[3] = {x, y, z};
                for (int a = 0; a < 3; a++) {
                    if (c[a] < lo[a]) lo[a] = c[a];
                    if (c[a] > hi[a]) hi[a] = c[a];
                }
                mu += r->intensity[v], nroi++;
            }
    *moran = *geary = NAN;
    if (nroi < 2) return RGX_OK;
    mu /= (double)nroi;
    size_t b[3], n[3], h[3];
    for (int a = 0; a < 3; a++) {
        b[a] = (size_t)(hi[a] - lo[a] + 1);
        n[a] = smooth(2 * b[a] - 1);
        h[a] = n[a] / 2 + 1;
    }
    /* The three spectra, complex, [z][y][fx] with fx = 0 .. h0 - 1 and only the box's rows
     * y < b1 (the others are zero until the last pass, which pads them as it gathers). */
    size_t plane = h[0] * b[1], cells = plane * n[2], longest = n[1] > n[2] ? n[1] : n[2];
    double *F[3] = {NULL, NULL, NULL}, *K = NULL, *line = NULL, *buf = NULL;
    gsl_fft_real_wavetable *rw = NULL;
    gsl_fft_real_workspace *rws = NULL;
    cfft_t fy = {0}, fz = {0};
    rgx_err err = RGX_OK;
    for (int f = 0; f < 3 && !err; f++) err = rgx_calloc(&F[f], 2 * cells, sizeof *F[f]);
    if (err || (err = rgx_calloc(&K, h[0] * h[1] * h[2], sizeof *K)) ||
        (err = rgx_calloc(&line, 2 * n[0], sizeof *line)) ||
        (err = rgx_calloc(&buf, 3 * 2 * BATCH * longest, sizeof *buf)) ||
        (err = cfft_make(n[1], &fy)) || (err = cfft_make(n[2], &fz)))
        goto out;
    if (!(rw = gsl_fft_real_wavetable_alloc(n[0])) || !(rws = gsl_fft_real_workspace_alloc(n[0]))) {
        err = rgx_fail(RGX_ERR_MEMORY, "out of memory for an FFT of %zu points", n[0]);
        goto out;
    }
    if ((err = kernel_spectrum(b, n, h, r->spacing, K))) goto out;
    /* x: the box's rows of m, a and q, each a real transform unpacked to complex. */
    double ssq = 0;
    for (size_t z = 0; z < b[2]; z++)
        for (size_t y = 0; y < b[1]; y++)
            for (int f = 0; f < 3; f++) {
                for (size_t x = 0; x < n[0]; x++) line[x] = 0;
                for (size_t x = 0; x < b[0]; x++) {
                    size_t v = (size_t)lo[0] + x +
                               (size_t)d[0] * ((size_t)lo[1] + y + (size_t)d[1] * ((size_t)lo[2] + z));
                    if (!r->mask[v]) continue;
                    double a = r->intensity[v] - mu;
                    line[x] = f == 0 ? 1 : f == 1 ? a : a * a;
                    if (f == 2) ssq += a * a;
                }
                if (n[0] > 1) gsl_fft_real_transform(line, 1, n[0], rw, rws);
                double *out = F[f] + 2 * (y * h[0] + z * plane);
                /* GSL's half-complex order: re 0, (re k, im k) for k = 1 .., re n/2 if n even. */
                out[0] = line[0], out[1] = 0;
                for (size_t k = 1; k < h[0]; k++) {
                    out[2 * k] = line[2 * k - 1];
                    out[2 * k + 1] = 2 * k < n[0] ? line[2 * k] : 0;
                }
            }
    /* z: the lines of the box's rows (y < b1), BATCH neighbouring frequencies at a time. */
    if (n[2] > 1)
        for (int f = 0; f < 3; f++)
            for (size_t y = 0; y < b[1]; y++)
                for (size_t x0 = 0; x0 < h[0]; x0 += BATCH) {
                    size_t nb = h[0] - x0 < BATCH ? h[0] - x0 : BATCH;
                    double *base = F[f] + 2 * (x0 + y * h[0]);
                    gather(base, plane, n[2], n[2], nb, buf);
                    for (size_t j = 0; j < nb; j++)
                        gsl_fft_complex_forward(buf + 2 * j * n[2], 1, n[2], fz.w, fz.ws);
                    scatter(buf, plane, n[2], nb, base);
                }
    /* y, straight into the sums.  Frequencies 0 < fx < n0 / 2 stand for fx and n0 - fx. */
    double W = 0, sa = 0, sq = 0;
    for (size_t z = 0; z < n[2]; z++) {
        size_t kz = z <= n[2] - z ? z : n[2] - z;
        for (size_t x0 = 0; x0 < h[0]; x0 += BATCH) {
            size_t nb = h[0] - x0 < BATCH ? h[0] - x0 : BATCH;
            double *bf[3];
            for (int f = 0; f < 3; f++) {
                bf[f] = buf + (size_t)f * 2 * BATCH * n[1];
                gather(F[f] + 2 * (x0 + z * plane), h[0], n[1], b[1], nb, bf[f]);
                if (n[1] > 1)
                    for (size_t j = 0; j < nb; j++)
                        gsl_fft_complex_forward(bf[f] + 2 * j * n[1], 1, n[1], fy.w, fy.ws);
            }
            for (size_t j = 0; j < nb; j++) {
                size_t fx = x0 + j;
                double wx = fx == 0 || 2 * fx == n[0] ? 1 : 2;
                for (size_t y = 0; y < n[1]; y++) {
                    size_t ky = y <= n[1] - y ? y : n[1] - y, p = 2 * (j * n[1] + y);
                    double kv = wx * K[fx + h[0] * (ky + h[1] * kz)];
                    double mr = bf[0][p], mi = bf[0][p + 1], ar = bf[1][p], ai = bf[1][p + 1],
                           qr = bf[2][p], qi = bf[2][p + 1];
                    W += kv * (mr * mr + mi * mi);
                    sa += kv * (ar * ar + ai * ai);
                    sq += kv * (qr * mr + qi * mi);
                }
            }
        }
    }
    double total = (double)n[0] * (double)n[1] * (double)n[2];
    W /= total, sa /= total, sq /= total;
    if (ssq > 0 && W > 0) {
        *moran = (double)nroi / W * sa / ssq;
        *geary = (double)(nroi - 1) / (2 * W) * 2 * (sq - sa) / ssq;
    }
out:
    for (int f = 0; f < 3; f++) free(F[f]);
    free(K), free(line), free(buf);
    if (rw) gsl_fft_real_wavetable_free(rw);
    if (rws) gsl_fft_real_workspace_free(rws);
    cfft_free(&fy), cfft_free(&fz);
    return err;
}
