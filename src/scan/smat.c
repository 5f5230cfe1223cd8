/* smat.c — see smat.h. */
#include "smat.h"

#include <math.h>

int smat_inv(double *A, size_t k, double *logdet)
{
    double dmax = 0, ld = 0;
    for (size_t a = 0; a < k; a++) dmax = fmax(dmax, fabs(A[a * k + a]));
    /* Cholesky A = L L' in the lower triangle. */
    for (size_t j = 0; j < k; j++) {
        double d = A[j * k + j];
        for (size_t c = 0; c < j; c++) d -= A[j * k + c] * A[j * k + c];
        if (!(d > 1e-12 * dmax) || !isfinite(d)) return -1;
        d = sqrt(d);
        A[j * k + j] = d;
        if (logdet) ld += 2 * log(d); /* (k logarithms: a tenth of an inversion) */
        for (size_t i = j + 1; i < k; i++) {
            double s = A[i * k + j];
            for (size_t c = 0; c < j; c++) s -= A[i * k + c] * A[j * k + c];
            A[i * k + j] = s / d;
        }
    }
    /* L^-1 in place (lower), then A^-1 = L^-T L^-1 into the upper triangle, mirrored. */
    for (size_t j = 0; j < k; j++) {
        A[j * k + j] = 1 / A[j * k + j];
        for (size_t i = j + 1; i < k; i++) {
            double s = 0;
            for (size_t c = j; c < i; c++) s -= A[i * k + c] * A[c * k + j];
            A[i * k + j] = s / A[i * k + i];
        }
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = i; j < k; j++) {
            double s = 0;
            for (size_t c = j; c < k; c++) s += A[c * k + i] * A[c * k + j];
            A[i * k + j] = s; /* upper triangle: L^-1 below is still read by later (i, j) */
        }
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < i; j++) A[i * k + j] = A[j * k + i];
    if (logdet) *logdet = ld;
    return 0;
}

void smat_mulv(const double *A, const double *x, size_t k, double *y)
{
    for (size_t a = 0; a < k; a++) {
        double s = 0;
        for (size_t b = 0; b < k; b++) s += A[a * k + b] * x[b];
        y[a] = s;
    }
}
