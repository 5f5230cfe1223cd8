/* test_pgemm.c — pgemm_nn gives the same bits with 1, 2, 3 and 4 threads, on shapes where
 * OpenBLAS's own threading changes the rounding (M not a multiple of 8 above ~96, or K above
 * its 256-deep blocking: measured here, ~3-50% of the entries); and it is a product (checked
 * against a long-double sum to 1e-12 relative); and its pieces give the bits of pieces of 128
 * rows (its earlier piece size). */
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pgemm.h"
#include "tap.h"

static double rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0 - 0.5;
}

static int shape(size_t m, size_t n, size_t k)
{
    uint64_t s = m * 1000003 + n * 101 + k;
    double *A = malloc(m * k * sizeof *A), *B = malloc(k * n * sizeof *B);
    double *C1 = malloc(m * n * sizeof *C1), *C = malloc(m * n * sizeof *C);
    if (!A || !B || !C1 || !C) return 0;
    for (size_t i = 0; i < m * k; i++) A[i] = rnd(&s);
    for (size_t i = 0; i < k * n; i++) B[i] = rnd(&s);
    pgemm_set_threads(1);
    pgemm_nn(m, n, k, A, k, B, n, C1, n);
    char name[160];
    int same_all = 1;
    for (int t = 2; t <= 4; t++) {
        pgemm_set_threads(t);
        memset(C, 0, m * n * sizeof *C);
        pgemm_nn(m, n, k, A, k, B, n, C, n);
        int same = memcmp(C, C1, m * n * sizeof *C) == 0;
        snprintf(name, sizeof name, "%zu x %zu x %zu: %d threads give the bits of 1", m, n, k, t);
        ok(same, name);
        same_all &= same;
    }
    /* The piece size does not change the bits (pgemm.h): one-thread DGEMMs of 128 rows, the
     * earlier piece size, give pgemm's. */
    for (size_t r0 = 0; r0 < m; r0 += 128)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(m - r0 < 128 ? m - r0 : 128),
                    (int)n, (int)k, 1, A + r0 * k, (int)k, B, (int)n, 0, C + r0 * n, (int)n);
    snprintf(name, sizeof name, "%zu x %zu x %zu: pieces of 128 rows give the same bits", m, n, k);
    ok(memcmp(C, C1, m * n * sizeof *C) == 0, name);
    double worst = 0;
    for (size_t i = 0; i < m; i += 7)
        for (size_t j = 0; j < n; j += 5) {
            long double r = 0, a = 0;
            for (size_t l = 0; l < k; l++) {
                r += (long double)A[i * k + l] * B[l * n + j];
                a += fabsl((long double)A[i * k + l] * B[l * n + j]);
            }
            double e = (double)(fabsl(r - C1[i * n + j]) / (a > 0 ? a : 1));
            if (e > worst) worst = e;
        }
    snprintf(name, sizeof name, "%zu x %zu x %zu: the product (relative error %.1e)", m, n, k,
             worst);
    ok(worst < 1e-12, name);
    /* OpenBLAS's own threads on the same shape: reported, not tested (it is OpenBLAS's
     * business); it shows why pgemm exists. */
    openblas_set_num_threads(1);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1, A, (int)k,
                B, (int)n, 0, C1, (int)n);
    openblas_set_num_threads(2);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1, A, (int)k,
                B, (int)n, 0, C, (int)n);
    openblas_set_num_threads(1);
    size_t d = 0;
    for (size_t i = 0; i < m * n; i++) d += C[i] != C1[i];
    printf("# OpenBLAS itself, 1 vs 2 threads: %zu of %zu entries differ\n", d, m * n);
    free(A), free(B), free(C1), free(C);
    return same_all;
}

int main(void)
{
    shape(99, 211, 40);    /* a scan block of 99 tested variants, 207 phenotypes + 4 covariates */
    shape(100, 100, 100);
    shape(300, 208, 300);  /* K beyond OpenBLAS's blocking */
    shape(1024, 1, 300);   /* the g^2 sums: one column */
    shape(1100, 13, 300);  /* three pieces, the last one short */
    shape(5, 3, 7);        /* smaller than one piece */
    pgemm_set_threads(3);
    double c = 42;
    pgemm_nn(0, 3, 4, NULL, 4, NULL, 3, &c, 3);
    ok(c == 42, "an empty product writes nothing");
    return tap_done();
}
