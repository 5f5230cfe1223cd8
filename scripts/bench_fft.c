/* bench_fft.c — which FFT the filters should use: a forward 3D transform of a crop-sized
 * volume with radiogx's own batched FFT (src/extract/fft.c: Stockham, lines interleaved, the
 * x axis through a transpose) against FFTW 3 (complex, and the real-input transform the
 * filters use), one thread, best of R runs.  Built by `make bench-fft`; run by
 * scripts/bench_extract.  Prints "n0 n1 n2 own_s fftw_c2c_s fftw_r2c_s max_rel_diff". */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fftw3.h>

#include "fft.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The own engine: z lines are the volume's layout (nb = nx ny); y lines per z slab (nb = nx);
 * x lines through a transpose of each slab (nb = ny).  re/im split, in place via copies. */
static void own_3d(const fft_plan_t p[3], const int n[3], double *re, double *im, double *a,
                   double *b)
{
    size_t nx = (size_t)n[0], ny = (size_t)n[1], nz = (size_t)n[2], vol = nx * ny * nz;
    memcpy(a, re, vol * sizeof *a), memcpy(a + vol, im, vol * sizeof *a);
    const double *r = fft_forward(&p[2], nx * ny, a, b);
    memcpy(re, r, vol * sizeof *re), memcpy(im, r + vol, vol * sizeof *im);
    size_t slab = nx * ny;
    for (size_t z = 0; z < nz; z++) {
        memcpy(a, re + z * slab, slab * sizeof *a), memcpy(a + slab, im + z * slab, slab * sizeof *a);
        r = fft_forward(&p[1], nx, a, b);
        memcpy(re + z * slab, r, slab * sizeof *re), memcpy(im + z * slab, r + slab, slab * sizeof *im);
        for (size_t y = 0; y < ny; y++)
            for (size_t x = 0; x < nx; x++) {
                a[x * ny + y] = re[z * slab + y * nx + x];
                a[slab + x * ny + y] = im[z * slab + y * nx + x];
            }
        r = fft_forward(&p[0], ny, a, b);
        for (size_t y = 0; y < ny; y++)
            for (size_t x = 0; x < nx; x++) {
                re[z * slab + y * nx + x] = r[x * ny + y];
                im[z * slab + y * nx + x] = r[slab + x * ny + y];
            }
    }
}

int main(int argc, char **argv)
{
    int n[3] = {160, 160, 96}, runs = 3;
    if (argc >= 4)
        for (int a = 0; a < 3; a++) n[a] = (int)fft_smooth((size_t)atoi(argv[a + 1]));
    if (argc >= 5) runs = atoi(argv[4]);
    size_t vol = (size_t)n[0] * n[1] * n[2];
    double *x = malloc(vol * sizeof *x), *re = malloc(vol * sizeof *re),
           *im = malloc(vol * sizeof *im), *a = malloc(2 * vol * sizeof *a),
           *b = malloc(2 * vol * sizeof *b);
    fftw_complex *c = fftw_malloc(vol * sizeof *c), *co = fftw_malloc(vol * sizeof *co);
    double *rin = fftw_malloc(vol * sizeof *rin);
    fftw_complex *rout = fftw_malloc((size_t)(n[0] / 2 + 1) * n[1] * n[2] * sizeof *rout);
    unsigned s = 7;
    for (size_t i = 0; i < vol; i++) s = s * 1103515245u + 12345u, x[i] = (double)(s >> 16 & 4095);
    fft_plan_t p[3];
    for (int k = 0; k < 3; k++) fft_plan((size_t)n[k], &p[k]);
    fftw_plan pc = fftw_plan_dft_3d(n[2], n[1], n[0], c, co, FFTW_FORWARD, FFTW_ESTIMATE);
    fftw_plan pr = fftw_plan_dft_r2c_3d(n[2], n[1], n[0], rin, rout, FFTW_ESTIMATE);
    double t_own = INFINITY, t_c = INFINITY, t_r = INFINITY;
    for (int r = 0; r < runs; r++) {
        memcpy(re, x, vol * sizeof *re), memset(im, 0, vol * sizeof *im);
        double t0 = now();
        own_3d(p, n, re, im, a, b);
        t_own = fmin(t_own, now() - t0);
        for (size_t i = 0; i < vol; i++) c[i] = x[i];
        t0 = now();
        fftw_execute(pc);
        t_c = fmin(t_c, now() - t0);
        memcpy(rin, x, vol * sizeof *rin);
        t0 = now();
        fftw_execute(pr);
        t_r = fmin(t_r, now() - t0);
    }
    /* the two engines agree (the own one takes exp(-2 pi i / n) like FFTW's forward) */
    double d = 0, m = 0;
    for (size_t i = 0; i < vol; i++) {
        d = fmax(d, cabs(re[i] + I * im[i] - co[i]));
        m = fmax(m, cabs(co[i]));
    }
    printf("%d %d %d %.4f %.4f %.4f %.2g\n", n[0], n[1], n[2], t_own, t_c, t_r, d / m);
    return 0;
}
