/* meff.h — the effective number of independent phenotypes (Meff) and the study-wide threshold.
 *
 * Hundreds of imaging phenotypes are strongly correlated, so a Bonferroni correction by their
 * number is far too strict.  Meff is computed from the eigenvalues of the phenotypes'
 * correlation matrix by three published estimators:
 *   Nyholt (2004)       1 + (M - 1) (1 - Var(lambda) / M), Var with M - 1 in the denominator
 *   Li and Ji (2005)    sum over f(|lambda|), f(x) = [x >= 1] + (x - floor(x))  (the default)
 *   Galwey (2009)       (sum sqrt(lambda+))^2 / sum lambda+, lambda+ = max(lambda, 0)
 * and the study-wide threshold is alpha / Meff (alpha: the genome-wide 5e-8).
 *
 * The correlation is Pearson's, pairwise complete, of the scan's residualised phenotypes
 * (transformed, then residualised on the covariates over each missingness group's rows): under
 * the null their correlation is the correlation of the test statistics of one variant. */
#ifndef RGX_MEFF_H
#define RGX_MEFF_H

#include <stddef.h>

#include "err.h"

typedef enum { MEFF_LI_JI, MEFF_NYHOLT, MEFF_GALWEY, MEFF_N } meff_method_t;
extern const char *const meff_name[MEFF_N]; /* "li_ji", "nyholt", "galwey" */

/* The method of a name, or -1. */
int meff_method(const char *name);

/* The three estimators from the p eigenvalues of a p x p correlation matrix. */
void meff_from_eigen(const double *lambda, size_t p, double meff[MEFF_N]);

/* The p x p pairwise-complete Pearson correlation R of the columns of X (n x p, row-major with
 * leading dimension ldx >= p, 0 where missing); column j is observed on the rows where
 * mask[i * n_groups + group[j]] is 1.  A pair with fewer than 3 common rows, or without variance
 * on them, gets 0 (counted in *n_undefined).  The diagonal is exactly 1.
 * The sums come in fixed blocks of rows (meff_block_sums), added in block order: ranks can
 * share the blocks and give the same bits (scan_study.c); meff_corr is the one-process loop. */
rgx_err meff_corr(const double *X, size_t ldx, const double *mask, const int *group, size_t n,
                  size_t p, size_t n_groups, double *R, size_t *n_undefined);
size_t meff_n_blocks(size_t n);
/* Doubles in one block's sums; in the scratch meff_block_sums needs. */
size_t meff_sums_len(size_t p, size_t n_groups);
size_t meff_scratch_len(size_t p);
/* Block b's sums (meff_sums_len doubles; BLAS: dsyrk and dgemm). */
void meff_block_sums(const double *X, size_t ldx, const double *mask, size_t n, size_t p,
                     size_t n_groups, size_t b, double *sums, double *scratch);
void meff_sums_add(double *acc, const double *sums, size_t len);
/* The correlation from the added sums, in place: the first p x p doubles of sums become R. */
void meff_corr_finish(double *sums, const int *group, size_t p, size_t n_groups,
                      size_t *n_undefined);

/* The eigenvalues of the symmetric p x p matrix R (destroyed), in descending order (LAPACK
 * dsyevd, eigenvalues only). */
rgx_err meff_eigen(double *R, size_t p, double *lambda);

#endif
