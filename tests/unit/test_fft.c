/* test_fft.c — the batched FFT against the DFT by its definition (long double), and Moran's I
 * and Geary's C (which it serves) against their O(N^2) definitions on small random ROIs. */
#include <stdlib.h>

#include "fft.h"
#include "moran.h"
#include "tap.h"

static double uniform(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (double)(*s >> 8) / (double)(1u << 24) - 0.5;
}

static void test_fft(size_t n, size_t nb, unsigned seed)
{
    fft_plan_t p;
    double *a = calloc(2 * n * nb, sizeof *a), *b = calloc(2 * n * nb, sizeof *b);
    double *in = calloc(2 * n * nb, sizeof *in);
    for (size_t i = 0; i < 2 * n * nb; i++) in[i] = a[i] = uniform(&seed);
    if (fft_plan(n, &p) != RGX_OK) {
        ok(0, "fft_plan");
        return;
    }
    const double *y = fft_forward(&p, nb, a, b);
    double worst = 0, big = 0;
    for (size_t j = 0; j < nb; j++)
        for (size_t f = 0; f < n; f++) {
            long double re = 0, im = 0;
            for (size_t t = 0; t < n; t++) {
                long double ang =
                    -2 * 3.14159265358979323846264338327950288L * (long double)(f * t % n) / n;
                long double xr = in[t * nb + j], xi = in[n * nb + t * nb + j];
                re += xr * cosl(ang) - xi * sinl(ang);
                im += xr * sinl(ang) + xi * cosl(ang);
            }
            double er = fabs((double)(y[f * nb + j] - re));
            double ei = fabs((double)(y[n * nb + f * nb + j] - im));
            worst = fmax(worst, fmax(er, ei));
            big = fmax(big, fabs((double)re) + fabs((double)im));
        }
    char name[96];
    snprintf(name, sizeof name, "FFT of %zu points, %zu lines = DFT (worst %.1e of %.1e)", n, nb,
             worst, big);
    ok(worst <= 1e-14 * big * log2((double)n + 1) + 1e-300, name);
    fft_plan_free(&p);
    free(a), free(b), free(in);
}

/* Moran's I and Geary's C by the definition: every ordered pair of ROI voxels, weight 1/d. */
static void brute(const roi_t *r, double *moran, double *geary)
{
    const int *d = r->dim;
    size_t nv = (size_t)d[0] * d[1] * d[2], n = 0;
    double mu = 0, ssq = 0, w = 0, sa = 0, sg = 0;
    for (size_t v = 0; v < nv; v++)
        if (r->mask[v]) mu += r->intensity[v], n++;
    mu /= (double)n;
    for (size_t v = 0; v < nv; v++)
        if (r->mask[v]) ssq += (r->intensity[v] - mu) * (r->intensity[v] - mu);
    for (size_t u = 0; u < nv; u++)
        for (size_t v = 0; v < nv; v++) {
            if (u == v || !r->mask[u] || !r->mask[v]) continue;
            double dx = ((double)(u % d[0]) - (double)(v % d[0])) * r->spacing[0];
            double dy = ((double)(u / d[0] % d[1]) - (double)(v / d[0] % d[1])) * r->spacing[1];
            double dz = ((double)(u / d[0] / d[1]) - (double)(v / d[0] / d[1])) * r->spacing[2];
            double k = 1 / sqrt(dx * dx + dy * dy + dz * dz), a = r->intensity[u] - mu,
                   b = r->intensity[v] - mu;
            w += k, sa += k * a * b, sg += k * (r->intensity[u] - r->intensity[v]) *
                                         (r->intensity[u] - r->intensity[v]);
        }
    *moran = (double)n / w * sa / ssq;
    *geary = (double)(n - 1) / (2 * w) * sg / ssq;
}

static void test_moran(const int d[3], const double sp[3], unsigned seed)
{
    size_t nv = (size_t)d[0] * d[1] * d[2];
    double *x = calloc(nv, sizeof *x);
    uint8_t *m = calloc(nv, 1);
    for (size_t v = 0; v < nv; v++) {
        m[v] = uniform(&seed) < 0.3; /* a ragged ROI, with gaps */
        /* A trend plus noise: Moran's I well away from 0. */
        x[v] = (double)(v % d[0]) + 4 * uniform(&seed);
    }
    m[0] = m[nv - 1] = 1; /* the ROI spans the whole box */
    roi_t r = {.dim = {d[0], d[1], d[2]}, .spacing = {sp[0], sp[1], sp[2]}, .intensity = x,
               .mask = m};
    double mi, gc, bmi, bgc;
    is_int(moran_geary(&r, &mi, &gc), RGX_OK, "moran_geary runs");
    brute(&r, &bmi, &bgc);
    char name[128];
    snprintf(name, sizeof name, "Moran's I on a %dx%dx%d ROI = definition", d[0], d[1], d[2]);
    is_double(mi, bmi, 1e-11 * fabs(bmi), name);
    snprintf(name, sizeof name, "Geary's C on a %dx%dx%d ROI = definition", d[0], d[1], d[2]);
    is_double(gc, bgc, 1e-11 * fabs(bgc), name);
    free(x), free(m);
}

int main(void)
{
    const size_t sizes[] = {1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 25, 27, 30, 32, 45, 60, 64,
                            75, 96, 100, 125, 128, 180, 243, 250};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        test_fft(sizes[i], 1, 7u + (unsigned)i);
        test_fft(sizes[i], 16, 11u + (unsigned)i);
    }
    test_fft(96, 5, 3u);
    is_int(fft_smooth(91), 96, "smooth(91) = 96");
    is_int(fft_smooth(165), 180, "smooth(165) = 180");
    is_int(fft_smooth(1), 1, "smooth(1) = 1");
    fft_plan_t p;
    ok(fft_plan(7, &p) != RGX_OK, "a length of 7 is refused");
    const int d1[3] = {13, 9, 6}, d2[3] = {7, 11, 2}, d3[3] = {1, 17, 5};
    const double s1[3] = {0.7, 0.7, 1.25}, s2[3] = {1, 2, 3}, s3[3] = {2, 0.5, 1};
    test_moran(d1, s1, 5u);
    test_moran(d2, s2, 9u);
    test_moran(d3, s3, 13u);
    return tap_done();
}
