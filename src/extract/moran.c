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
 * The transforms (fft.h, BATCH lines at once, side by side):
 *   along x, the box's rows: m and a are real, so m + i a is transformed as one complex
 *   line and the two spectra are its even and odd parts; q is a second line.  Only the
 *   frequencies 0 .. n_x / 2 are kept (the others are their complex conjugates, and give
 *   the same terms).  Then along z, then along y, where each batch of lines goes straight
 *   into the sums instead of back into memory.  Lines that hold only zeros are never
 *   transformed: before the x pass a field is zero outside the box, and before the z pass
 *   outside the box's rows.
 *   K is the same for every ROI of a box size: k is even along every axis, so its transform
 *   is a product of cosine sums over the offsets 0 .. b - 1, three matrix products (BLAS),
 *   and even along every axis itself (kept for f_a <= n_a / 2 only). */
#include "moran.h"

#include <gsl/gsl_cblas.h>
#include <math.h>
#include <stdlib.h>

#include "fft.h"
#include "util.h"

/* Lines transformed together (rows, or neighbouring frequencies f_x), copied side by side
 * into contiguous memory: along y or z the points of a line lie a row or a plane apart. */
enum { BATCH = 32 };

/* Row f (0 .. h - 1), column o (0 .. b - 1): c(o) cos(2 pi f o / n), c(0) = 1, else 2 (the
 * offsets o and -o together). */
static void cosine_matrix(size_t h, size_t b, size_t n, double *c)
{
    for (size_t f = 0; f < h; f++)
        for (size_t o = 0; o < b; o++)
            c[f * b + o] = (o ? 2.0 : 1.0) * cos(2 * M_PI * (double)(f * o % n) / (double)n);
}

/* k = 1 / distance along a row of offsets x = 0 .. n - 1 (0 at distance 0); dy2, dz2: the
 * squared offsets of the row.  (IEEE sqrt and division: the same bits in any lane.) */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void
kernel_row(size_t n, double sx, double dy2, double dz2, double *k)
{
#pragma omp simd
    for (size_t x = 0; x < n; x++) {
        double dx = (double)x * sx, d2 = dx * dx + dy2 + dz2;
        k[x] = d2 > 0 ? 1 / sqrt(d2) : 0;
    }
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
        for (size_t y = 0; y < b[1]; y++) {
            double dy = (double)y * sp[1], dz = (double)z * sp[2];
            kernel_row(b[0], sp[0], dy * dy, dz * dz, k + b[0] * (y + b[1] * z));
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

/* Copies points t < have of nb lines (point t of line j: re[j + t stride], im cells further)
 * side by side into buf (fft.h's layout, len points), the points from have on zero. */
static void gather(const double *re, size_t cells, size_t stride, size_t len, size_t have,
                   size_t nb, double *buf)
{
    double *br = buf, *bi = buf + len * nb;
    for (size_t t = 0; t < len; t++) {
        const double *sr = re + t * stride, *si = sr + cells;
        double *dr = br + t * nb, *di = bi + t * nb;
        if (t < have)
            for (size_t j = 0; j < nb; j++) dr[j] = sr[j], di[j] = si[j];
        else
            for (size_t j = 0; j < nb; j++) dr[j] = 0, di[j] = 0;
    }
}

static void scatter(const double *buf, size_t cells, size_t stride, size_t len, size_t nb,
                    double *re)
{
    const double *br = buf, *bi = buf + len * nb;
    for (size_t t = 0; t < len; t++) {
        double *dr = re + t * stride, *di = dr + cells;
        const double *sr = br + t * nb, *si = bi + t * nb;
        for (size_t j = 0; j < nb; j++) dr[j] = sr[j], di[j] = si[j];
    }
}

/* Over nb neighbouring frequencies of weight w k: *W += w k |M|^2 and *sa += w k |A|^2. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void
pair_sums(size_t nb, const double *w, const double *k, const double *mr, const double *mi,
          const double *ar, const double *ai, double *W, double *sa)
{
    double s1 = 0, s2 = 0;
#pragma omp simd reduction(+ : s1, s2)
    for (size_t j = 0; j < nb; j++) {
        s1 += w[j] * k[j] * (mr[j] * mr[j] + mi[j] * mi[j]);
        s2 += w[j] * k[j] * (ar[j] * ar[j] + ai[j] * ai[j]);
    }
    *W += s1, *sa += s2;
}

/* *sq += w k Re(conj(Q) M) over nb neighbouring frequencies. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void
cross_sum(size_t nb, const double *w, const double *k, const double *mr, const double *mi,
          const double *qr, const double *qi, double *sq)
{
    double s = 0;
#pragma omp simd reduction(+ : s)
    for (size_t j = 0; j < nb; j++) s += w[j] * k[j] * (qr[j] * mr[j] + qi[j] * mi[j]);
    *sq += s;
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
        n[a] = fft_smooth(2 * b[a] - 1);
        h[a] = n[a] / 2 + 1;
    }
    /* The three spectra, complex (re, then im cells further), [z][y][fx] with fx = 0 .. h0 - 1
     * and only the box's rows y < b1 (the others are zero until the last pass, which pads
     * them as it gathers). */
    size_t plane = h[0] * b[1], cells = plane * n[2];
    /* Work space: two pairs of batches of x or y lines (re and im; one pair for m's, one for
     * a's or q's spectra), or a pair of a row's z lines. */
    size_t lane = 2 * BATCH * (n[0] > n[1] ? n[0] : n[1]), zrow = 2 * h[0] * n[2];
    size_t work = 4 * lane > 2 * zrow ? 4 * lane : 2 * zrow;
    double *F[3] = {NULL, NULL, NULL}, *K = NULL, *buf = NULL;
    fft_plan_t px = {0}, py = {0}, pz = {0};
    rgx_err err = RGX_OK;
    /* Need not be zeroed: the x pass writes every point the z pass reads, which writes the
     * rest.  On huge pages (tens of MB, faulted in once). */
    if ((err = rgx_big_alloc(&F[0], 3 * 2 * cells * sizeof(double)))) goto out;
    F[1] = F[0] + 2 * cells, F[2] = F[1] + 2 * cells;
    if ((err = rgx_calloc(&K, h[0] * h[1] * h[2], sizeof *K)) ||
        (err = rgx_calloc(&buf, work, sizeof *buf)) || (err = fft_plan(n[0], &px)) ||
        (err = fft_plan(n[1], &py)) || (err = fft_plan(n[2], &pz)))
        goto out;
    if ((err = kernel_spectrum(b, n, h, r->spacing, K))) goto out;
    /* x: the box's rows, BATCH at a time: m + i a and q as two complex transforms (m and a
     * are real: their spectra are the even and the odd part of the first one's). */
    double ssq = 0;
    for (size_t z = 0; z < b[2]; z++)
        for (size_t y0 = 0; y0 < b[1]; y0 += BATCH) {
            size_t nb = b[1] - y0 < BATCH ? b[1] - y0 : BATCH, nn = n[0] * nb;
            double *c1 = buf, *c2 = buf + 2 * lane;
            for (size_t i = 0; i < 2 * nn; i++) c1[i] = c2[i] = 0;
            for (size_t j = 0; j < nb; j++) {
                size_t v0 = (size_t)lo[0] + (size_t)d[0] * ((size_t)lo[1] + y0 + j +
                                                            (size_t)d[1] * ((size_t)lo[2] + z));
                for (size_t x = 0; x < b[0]; x++) {
                    if (!r->mask[v0 + x]) continue;
                    double a = r->intensity[v0 + x] - mu;
                    c1[x * nb + j] = 1, c1[nn + x * nb + j] = a, c2[x * nb + j] = a * a;
                    ssq += a * a;
                }
            }
            const double *t1 = fft_forward(&px, nb, c1, c1 + lane);
            const double *t2 = fft_forward(&px, nb, c2, c2 + lane);
            for (size_t fx = 0; fx < h[0]; fx++) {
                const double *pr = t1 + fx * nb, *pi = pr + nn, *qr = t1 + (n[0] - fx) % n[0] * nb,
                             *qi = qr + nn, *sr = t2 + fx * nb, *si = sr + nn;
                for (size_t j = 0; j < nb; j++) { /* p = C(f), q = C(-f) */
                    size_t o = fx + (y0 + j) * h[0] + z * plane;
                    F[0][o] = (pr[j] + qr[j]) / 2, F[0][cells + o] = (pi[j] - qi[j]) / 2;
                    F[1][o] = (pi[j] + qi[j]) / 2, F[1][cells + o] = (qr[j] - pr[j]) / 2;
                    F[2][o] = sr[j], F[2][cells + o] = si[j];
                }
            }
        }
    /* z: the lines of the box's rows (y < b1), all the frequencies of a row at once (each
     * point a contiguous run of the row's h0 values); the planes z >= b2 are still zero. */
    for (int f = 0; f < 3 && n[2] > 1; f++)
        for (size_t y = 0; y < b[1]; y++) {
            double *base = F[f] + y * h[0];
            gather(base, cells, plane, n[2], b[2], h[0], buf);
            scatter(fft_forward(&pz, h[0], buf, buf + zrow), cells, plane, n[2], h[0], base);
        }
    /* y, straight into the sums.  Frequencies 0 < fx < n0 / 2 stand for fx and n0 - fx. */
    double W = 0, sa = 0, sq = 0;
    for (size_t z = 0; z < n[2]; z++) {
        size_t kz = z <= n[2] - z ? z : n[2] - z;
        for (size_t x0 = 0; x0 < h[0]; x0 += BATCH) {
            size_t nb = h[0] - x0 < BATCH ? h[0] - x0 : BATCH, nn = n[1] * nb;
            const double *T[3]; /* the spectra of m, a, q: re[fy nb + j], im nn further */
            double kw[BATCH];   /* 2 for the frequencies that stand for two */
            for (size_t j = 0; j < nb; j++) kw[j] = x0 + j == 0 || 2 * (x0 + j) == n[0] ? 1 : 2;
            for (int f = 0; f < 3; f++) {
                double *mine = buf + (f == 0 ? 0 : 2) * lane;
                gather(F[f] + x0 + z * plane, cells, h[0], n[1], b[1], nb, mine);
                T[f] = fft_forward(&py, nb, mine, mine + lane);
                if (f == 0) continue;
                for (size_t y = 0; y < n[1]; y++) {
                    size_t ky = y <= n[1] - y ? y : n[1] - y;
                    const double *kr = K + x0 + h[0] * (ky + h[1] * kz);
                    if (f == 1)
                        pair_sums(nb, kw, kr, T[0] + y * nb, T[0] + nn + y * nb, T[1] + y * nb,
                                  T[1] + nn + y * nb, &W, &sa);
                    else
                        cross_sum(nb, kw, kr, T[0] + y * nb, T[0] + nn + y * nb, T[2] + y * nb,
                                  T[2] + nn + y * nb, &sq);
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
    free(F[0]);
    free(K), free(buf);
    fft_plan_free(&px), fft_plan_free(&py), fft_plan_free(&pz);
    return err;
}
