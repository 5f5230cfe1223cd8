/* filter_sep.c — 1D convolution along one axis of a volume, with padding, and the Laplacian of
 * Gaussian as sums of such passes (see filter_impl.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "filter_impl.h"
#include "util.h"

/* Inner elements convolved together along y or z: a block of buffer rows stays in cache. */
enum { CHUNK = 256 };

/* Taps that are not zero: their weight and their offset into the padded buffer. */
typedef struct {
    int n;
    double w[FK_MAX];
    long off[FK_MAX];
} taps_t;

static int taps_of(const double *k, int len, int dil, taps_t *t)
{
    int c = len / 2;
    t->n = 0;
    for (int j = 0; j < len; j++) {
        if (k[j] == 0) continue;
        t->w[t->n] = k[j];
        t->off[t->n++] = (long)(len - 1 - j) * dil; /* buffer index of in[i + (c - j) dil] */
    }
    return c * dil; /* the padding needed on each side */
}

/* Along x: every line on its own, through a padded copy of it. */
static void conv_x(const double *in, double *out, const int dim[3], const taps_t *t, long r,
                   filt_pad_t pad, double *buf)
{
    long n = dim[0];
    size_t lines = (size_t)dim[1] * (size_t)dim[2];
    for (size_t l = 0; l < lines; l++) {
        const double *src = in + l * (size_t)n;
        double *dst = out + l * (size_t)n;
        for (long q = 0; q < n + 2 * r; q++) {
            long s = fpad_index(q - r, n, pad);
            buf[q] = s < 0 ? 0 : src[s];
        }
        memset(dst, 0, (size_t)n * sizeof *dst);
        for (int j = 0; j < t->n; j++) {
            const double w = t->w[j], *b = buf + t->off[j];
            for (long i = 0; i < n; i++) dst[i] += w * b[i];
        }
    }
}

/* Along y or z: rows of `inner` contiguous values (stride `inner` between neighbours along
 * the axis), a chunk of each row at a time so that the inner loop runs over contiguous x. */
static void conv_yz(const double *in, double *out, long n, size_t inner, size_t outer,
                    const taps_t *t, long r, filt_pad_t pad, double *buf)
{
    double acc[CHUNK];
    for (size_t o = 0; o < outer; o++) {
        const double *src = in + o * (size_t)n * inner;
        double *dst = out + o * (size_t)n * inner;
        for (size_t x0 = 0; x0 < inner; x0 += CHUNK) {
            size_t m = inner - x0 < CHUNK ? inner - x0 : CHUNK;
            for (long q = 0; q < n + 2 * r; q++) {
                long s = fpad_index(q - r, n, pad);
                if (s < 0)
                    memset(buf + (size_t)q * CHUNK, 0, m * sizeof *buf);
                else
                    memcpy(buf + (size_t)q * CHUNK, src + (size_t)s * inner + x0, m * sizeof *buf);
            }
            for (long i = 0; i < n; i++) {
                memset(acc, 0, m * sizeof *acc);
                for (int j = 0; j < t->n; j++) {
                    const double w = t->w[j], *b = buf + (size_t)(i + t->off[j]) * CHUNK;
                    for (size_t x = 0; x < m; x++) acc[x] += w * b[x];
                }
                memcpy(dst + (size_t)i * inner + x0, acc, m * sizeof *acc);
            }
        }
    }
}

rgx_err fsep_axis(const double *in, double *out, const int dim[3], int axis, const double *k,
                  int len, int dil, filt_pad_t pad)
{
    taps_t t;
    long r = taps_of(k, len, dil, &t);
    long n = dim[axis];
    double *buf;
    size_t nb = axis == 0 ? (size_t)(n + 2 * r) : (size_t)(n + 2 * r) * CHUNK;
    rgx_err err = rgx_calloc(&buf, nb, sizeof *buf);
    if (err) return err;
    if (axis == 0) {
        conv_x(in, out, dim, &t, r, pad, buf);
    } else {
        size_t inner = axis == 1 ? (size_t)dim[0] : (size_t)dim[0] * (size_t)dim[1];
        size_t outer = axis == 1 ? (size_t)dim[2] : 1;
        conv_yz(in, out, n, inner, outer, &t, r, pad, buf);
    }
    free(buf);
    return RGX_OK;
}

int flog_half(const filter_t *f, double spacing)
{
    return fhalf_cap(floor(f->truncate * f->sigma / spacing + 0.5));
}

/* The 1D Gaussian g and its second-derivative factor g2 = (x^2 / s^4 - 1 / s^2) g, sampled in
 * voxel units (s = sigma / spacing) at -h .. h. */
static int log_kernels(const filter_t *f, double spacing, double *g, double *g2)
{
    int h = flog_half(f, spacing);
    if (2 * h + 1 > FK_MAX) h = (FK_MAX - 1) / 2; /* filter_check keeps sigmas below this */
    double s = f->sigma / spacing, norm = 1 / (sqrt(2 * M_PI) * s);
    for (int i = -h; i <= h; i++) {
        double x = i, e = norm * exp(-x * x / (2 * s * s));
        g[i + h] = e;
        g2[i + h] = (x * x / (s * s * s * s) - 1 / (s * s)) * e;
    }
    return 2 * h + 1;
}

static void add_into(double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++) a[i] += b[i];
}

/* LoG(x) = sum over axes a of g2_a(x_a) prod_{b != a} g_b(x_b): the IBSI kernel (the
 * Laplacian, in voxel units, of the normalised Gaussian), exactly, as d separable terms. */
rgx_err fsep_log(const filter_t *f, const double *in, const int dim[3], const double spacing[3],
                 double *out)
{
    double g[3][FK_MAX], g2[3][FK_MAX];
    int len[3], d = f->dims;
    for (int a = 0; a < d; a++) len[a] = log_kernels(f, spacing[a], g[a], g2[a]);
    size_t nv = fvox(dim);
    double *v[4] = {NULL, NULL, NULL, NULL};
    rgx_err err = RGX_OK;
    for (int i = 0; i < (d == 3 ? 4 : 2) && !err; i++) err = rgx_calloc(&v[i], nv, sizeof *v[i]);
    if (err) goto out;
    const filt_pad_t p = f->pad;
    /* x: A = g_x in, B = g2_x in */
    if ((err = fsep_axis(in, v[0], dim, 0, g[0], len[0], 1, p)) ||
        (err = fsep_axis(in, v[1], dim, 0, g2[0], len[0], 1, p)))
        goto out;
    if (d == 2) { /* out = g2_y A + g_y B */
        if ((err = fsep_axis(v[0], out, dim, 1, g2[1], len[1], 1, p)) ||
            (err = fsep_axis(v[1], v[0], dim, 1, g[1], len[1], 1, p)))
            goto out;
        add_into(out, v[0], nv);
        goto out;
    }
    /* y: AY = g_y A, S = g2_y A + g_y B; z: out = g2_z AY + g_z S */
    if ((err = fsep_axis(v[0], v[2], dim, 1, g[1], len[1], 1, p)) ||
        (err = fsep_axis(v[0], v[3], dim, 1, g2[1], len[1], 1, p)) ||
        (err = fsep_axis(v[1], v[0], dim, 1, g[1], len[1], 1, p)))
        goto out;
    add_into(v[3], v[0], nv);
    if ((err = fsep_axis(v[2], out, dim, 2, g2[2], len[2], 1, p)) ||
        (err = fsep_axis(v[3], v[0], dim, 2, g[2], len[2], 1, p)))
        goto out;
    add_into(out, v[0], nv);
out:
    for (int i = 0; i < 4; i++) free(v[i]);
    return err;
}
