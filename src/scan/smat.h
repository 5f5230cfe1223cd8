/* smat.h — small dense symmetric positive-definite matrices (the k x k information matrices
 * of the logistic and Cox fits, k = covariates + 1): inverse and log-determinant by Cholesky.
 * Row-major, k at most a few dozen; no allocation. */
#ifndef RGX_SMAT_H
#define RGX_SMAT_H

#include <stddef.h>

/* A (k x k, symmetric: the lower triangle is read) is replaced by its inverse; *logdet (may
 * be NULL) receives log det A.  Returns -1, A undefined, when A is not positive definite
 * (a pivot at or below 1e-12 times the largest diagonal element, or not finite). */
int smat_inv(double *A, size_t k, double *logdet);

/* y = A x for the k x k row-major A. */
void smat_mulv(const double *A, const double *x, size_t k, double *y);

#endif
