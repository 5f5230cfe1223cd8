/* meff.c — see meff.h. */
#include "meff.h"

#include <gsl/gsl_cblas.h> /* linked to OpenBLAS (make check-blas) */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *const meff_name[MEFF_N] = {"li_ji", "nyholt", "galwey"};

/* Rows of X in a block of sums: fixed, whatever the number of ranks, so that the blocks' sums
 * add up in one order (docs/cmd-scan.md: bitwise the same for any number of ranks). */
enum { ROW_BLOCK = 1024 };

/* LAPACK (OpenBLAS's): the eigenvalues of a symmetric matrix, divide and conquer. */
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);

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

/* C (a x b, row-major, ldc) = A' B for A (rows x a, lda) and B (rows x b, ldb). */
static void set_atb(const double *A, size_t lda, const double *B, size_t ldb, size_t rows, size_t a,
                    size_t b, double *C, size_t ldc)
{
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)a, (int)b, (int)rows, 1.0, A,
                (int)lda, B, (int)ldb, 0.0, C, (int)ldc);
}

size_t meff_n_blocks(size_t n) { return (n + ROW_BLOCK - 1) / ROW_BLOCK; }

size_t meff_sums_len(size_t p, size_t n_groups)
{
    size_t G = n_groups ? n_groups : 1;
    return p * p + 2 * p * G + G * G;
}

size_t meff_scratch_len(size_t p) { return (size_t)ROW_BLOCK * p + 1; }

/* Per pair (j, k), over the block's rows where both are observed: S = sum x_j x_k (upper
 * triangle only; X is 0 where j is missing), A[j][g(k)] = sum x_j, Q[j][g(k)] = sum x_j^2,
 * N[g(j)][g(k)] = rows; stored S, A, Q, N one after the other in sums. */
void meff_block_sums(const double *X, size_t ldx, const double *mask, size_t n, size_t p,
                     size_t n_groups, size_t b, double *sums, double *scratch)
{
    size_t G = n_groups ? n_groups : 1, r0 = b * ROW_BLOCK;
    size_t m = n - r0 < ROW_BLOCK ? n - r0 : ROW_BLOCK;
    double *S = sums, *A = S + p * p, *Q = A + p * G, *N = Q + p * G;
    const double *Xr = X + r0 * ldx, *Mr = mask + r0 * G;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < p; j++) scratch[i * p + j] = Xr[i * ldx + j] * Xr[i * ldx + j];
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p, (int)m, 1.0, Xr, (int)ldx, 0.0, S,
                (int)p);
    set_atb(Xr, ldx, Mr, G, m, p, G, A, G);
    set_atb(scratch, p, Mr, G, m, p, G, Q, G);
    set_atb(Mr, G, Mr, G, m, G, G, N, G);
}

void meff_sums_add(double *acc, const double *sums, size_t len)
{
    for (size_t i = 0; i < len; i++) acc[i] += sums[i];
}

void meff_corr_finish(double *sums, const int *group, size_t p, size_t n_groups,
                      size_t *n_undefined)
{
    size_t G = n_groups ? n_groups : 1;
    double *R = sums, *A = R + p * p, *Q = A + p * G, *N = Q + p * G;
    *n_undefined = 0;
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
}

rgx_err meff_corr(const double *X, size_t ldx, const double *mask, const int *group, size_t n,
                  size_t p, size_t n_groups, double *R, size_t *n_undefined)
{
    size_t len = meff_sums_len(p, n_groups);
    double *acc = NULL, *sums = NULL, *scratch = NULL;
    rgx_err err;
    *n_undefined = 0;
    if ((err = rgx_calloc(&acc, len, sizeof *acc)) ||
        (err = rgx_calloc(&sums, len, sizeof *sums)) ||
        (err = rgx_calloc(&scratch, meff_scratch_len(p), sizeof *scratch)))
        goto out;
    for (size_t b = 0; b < meff_n_blocks(n); b++) {
        meff_block_sums(X, ldx, mask, n, p, n_groups, b, sums, scratch);
        meff_sums_add(acc, sums, len);
    }
    meff_corr_finish(acc, group, p, n_groups, n_undefined);
    memcpy(R, acc, p * p * sizeof *R);
out:
    free(acc), free(sums), free(scratch);
    return err;
}

rgx_err meff_eigen(double *R, size_t p, double *lambda)
{
    if (!p) return RGX_OK;
    if (p > (size_t)INT_MAX / 2 - 1)
        return rgx_fail(RGX_ERR_USAGE, "%zu phenotypes: too many for the Meff eigenproblem", p);
    int n = (int)p, lwork = -1, liwork = -1, iw = 0, info = 0;
    double w = 0, *work = NULL;
    int *iwork = NULL;
    dsyevd_("N", "U", &n, R, &n, lambda, &w, &lwork, &iw, &liwork, &info, 1, 1); /* the sizes */
    lwork = info == 0 && w >= 1 ? (int)w : 2 * n + 1, liwork = info == 0 && iw >= 1 ? iw : 1;
    rgx_err err = rgx_calloc(&work, (size_t)lwork, sizeof *work);
    if (!err) err = rgx_calloc(&iwork, (size_t)liwork, sizeof *iwork);
    if (!err) { /* R is symmetric: row- or column-major alike */
        dsyevd_("N", "U", &n, R, &n, lambda, work, &lwork, iwork, &liwork, &info, 1, 1);
        if (info)
            err = rgx_fail(RGX_ERR_INTERNAL,
                           "the phenotype correlation's eigenvalues did not converge (LAPACK "
                           "dsyevd info %d)",
                           info);
    }
    free(work), free(iwork);
    if (err) return err;
    for (size_t i = 0; i < p / 2; i++) { /* ascending -> descending */
        double t = lambda[i];
        lambda[i] = lambda[p - 1 - i], lambda[p - 1 - i] = t;
    }
    return RGX_OK;
}
