/* meff.c — see meff.h. */
#include "meff.h"

#include <gsl/gsl_cblas.h> /* linked to OpenBLAS (make check-blas) */
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *const meff_name[MEFF_N] = {"li_ji", "nyholt", "galwey"};

enum { ROW_BLOCK = 4096 }; /* rows of X squared at a time */

int meff_method(const char *name)
{
    for (int k = 0; name && k < MEFF_N; k++)
        if (!strcmp(name, meff_name[k])) return k;
    return -1;
}

void meff_from_eigen(const double *lambda, size_t p, double meff[MEFF_N])
{
    double mean = 0, var = 0, lj = 0, sq = 0, pos = 0;
    for (size_t k = 0; k < p; k++) mean += lambda[k];
    mean = p ? mean / (double)p : 0;
    for (size_t k = 0; k < p; k++) {
        double x = fabs(lambda[k]), l = lambda[k] > 0 ? lambda[k] : 0;
        var += (lambda[k] - mean) * (lambda[k] - mean);
        lj += (x >= 1) + (x - floor(x));
        sq += sqrt(l), pos += l;
    }
    double M = (double)p;
    var = p > 1 ? var / (M - 1) : 0;
    meff[MEFF_NYHOLT] = p ? 1 + (M - 1) * (1 - var / M) : 0;
    meff[MEFF_LI_JI] = lj;
    meff[MEFF_GALWEY] = pos > 0 ? sq * sq / pos : 0;
}

/* C (a x b, row-major, ldc) += A' B for A (rows x a, lda) and B (rows x b, ldb). */
static void add_atb(const double *A, size_t lda, const double *B, size_t ldb, size_t rows, size_t a,
                    size_t b, double *C, size_t ldc)
{
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)a, (int)b, (int)rows, 1.0, A,
                (int)lda, B, (int)ldb, 1.0, C, (int)ldc);
}

rgx_err meff_corr(const double *X, size_t ldx, const double *mask, const int *group, size_t n,
                  size_t p, size_t n_groups, double *R, size_t *n_undefined)
{
    size_t G = n_groups ? n_groups : 1, nb = n < ROW_BLOCK ? n : ROW_BLOCK;
    double *A = NULL, *Q = NULL, *N = NULL, *X2 = NULL;
    rgx_err err;
    *n_undefined = 0;
    if ((err = rgx_calloc(&A, p * G + 1, sizeof *A)) ||
        (err = rgx_calloc(&Q, p * G + 1, sizeof *Q)) || (err = rgx_calloc(&N, G * G, sizeof *N)) ||
        (err = rgx_calloc(&X2, (nb ? nb : 1) * p + 1, sizeof *X2)))
        goto out;
    /* Per pair (j, k), over the rows where both are observed: S = sum x_j x_k (X is 0 where j
     * is missing), A[j][g(k)] = sum x_j, Q[j][g(k)] = sum x_j^2, N[g(j)][g(k)] = rows. */
    memset(R, 0, p * p * sizeof *R);
    for (size_t r0 = 0; r0 < n; r0 += nb) {
        size_t m = n - r0 < nb ? n - r0 : nb;
        const double *Xr = X + r0 * ldx, *Mr = mask + r0 * G;
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < p; j++) X2[i * p + j] = Xr[i * ldx + j] * Xr[i * ldx + j];
        add_atb(Xr, ldx, Xr, ldx, m, p, p, R, p);
        add_atb(Xr, ldx, Mr, G, m, p, G, A, G);
        add_atb(X2, p, Mr, G, m, p, G, Q, G);
        add_atb(Mr, G, Mr, G, m, G, G, N, G);
    }
    for (size_t j = 0; j < p; j++)
        for (size_t k = j + 1; k < p; k++) {
            size_t gj = (size_t)group[j], gk = (size_t)group[k];
            double nn = N[gj * G + gk], aj = A[j * G + gk], ak = A[k * G + gj];
            double sxy = R[j * p + k] - aj * ak / nn, sxx = Q[j * G + gk] - aj * aj / nn,
                   syy = Q[k * G + gj] - ak * ak / nn;
            double r = nn >= 3 && sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
            if (isnan(r)) r = 0, ++*n_undefined;
            if (r > 1) r = 1;
            if (r < -1) r = -1;
            R[j * p + k] = R[k * p + j] = r;
        }
    for (size_t j = 0; j < p; j++) R[j * p + j] = 1;
out:
    free(A), free(Q), free(N), free(X2);
    return err;
}

rgx_err meff_eigen(double *R, size_t p, double *lambda)
{
    if (!p) return RGX_OK;
    gsl_matrix_view mv = gsl_matrix_view_array(R, p, p);
    gsl_vector_view ev = gsl_vector_view_array(lambda, p);
    gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(p);
    if (!w) return rgx_fail(RGX_ERR_MEMORY, "out of memory for a %zu x %zu eigenproblem", p, p);
    int st = gsl_eigen_symm(&mv.matrix, &ev.vector, w);
    gsl_eigen_symm_free(w);
    if (st)
        return rgx_fail(RGX_ERR_INTERNAL,
                        "the phenotype correlation's eigenvalues did not "
                        "converge (GSL error %d)",
                        st);
    gsl_sort(lambda, 1, p);
    for (size_t i = 0; i < p / 2; i++) { /* descending */
        double t = lambda[i];
        lambda[i] = lambda[p - 1 - i], lambda[p - 1 - i] = t;
    }
    return RGX_OK;
}
