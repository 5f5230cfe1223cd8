/* pca_krylov.h — the top principal components by randomized block Krylov iteration.
 *
 * X is the n x m matrix of standardised genotypes (pca_geno.h) of the selected variants; the
 * PCs are the top eigenvectors of the genomic relationship matrix X X' / m, as plink2 --pca
 * computes them (unit-norm sample scores; eigenvalues of X X' / m).  The method (Musco and
 * Musco 2015; plink2's approx mode follows Galinsky et al. 2016, the same idea):
 *
 *   Q0 = orth(X Omega), Omega an m x l Gaussian block drawn from the seed (per variant row)
 *   for i = 0..q:  Z = X' Qi,  H(i+1) = X Z,  Q(i+1) = orth(H(i+1))
 *   Rayleigh-Ritz on the Krylov space [Q0 .. Qq]: its Gram Qall'Qall and Qall' X X' Qall =
 *   Qall' Hall, both l(q+1) square, give an orthonormal basis W and the eigenpairs of the
 *   small projected matrix; scores = Qall W U, loadings = X' scores / sqrt(lambda).
 *
 * Every product with X is done per tile: X_t Z needs no communication (a rank holds its
 * samples' rows), X_t' Q_t and the Grams are sums over samples added in tile order
 * (pca_tiles_sum) — the same bits for any number of ranks.  orth() is by the Gram's
 * eigendecomposition (directions below 1e-10 of the largest dropped).  Sign: each PC's
 * largest loading (in absolute value) is positive. */
#ifndef RGX_PCA_KRYLOV_H
#define RGX_PCA_KRYLOV_H

#include <stddef.h>

#include "pca_geno.h"
#include "pca_opts.h"
#include "pca_tiles.h"

typedef struct {
    size_t K, ms;      /* components, variants used */
    double *eigval;    /* K: eigenvalues of X X' / ms */
    double *scores;    /* this rank's rows (T->n_rows) x K, in the order of its tiles */
    double *loading;   /* ms x K: unit-norm variant weights (X = sum sqrt(ms ev) u v') */
    size_t rank_space; /* dimension of the Krylov space kept */
    size_t iterations; /* iterations run (at most pca.iterations) */
    double residual;   /* the largest relative residual at the stop (NAN: not checked) */
} pca_result_t;

/* The PCs from the variants sel[0..ms) of G.  Collective. */
rgx_err pca_krylov(const pca_geno_t *G, const size_t *sel, size_t ms, const pca_tiles_t *T,
                   const pca_opts_t *o, pca_result_t *R);
void pca_result_free(pca_result_t *R);

/* Products with X used by the projection and the tests.  H (T->n_rows x l) += X Z for Z
 * (ms x l); Z (ms x l) = X' Q for Q (T->n_rows x l), summed in tile order (collective). */
rgx_err pca_mult_x(const pca_geno_t *G, const size_t *sel, size_t ms, const pca_tiles_t *T,
                   const double *Z, size_t l, double *H);
rgx_err pca_mult_xt(const pca_geno_t *G, const size_t *sel, size_t ms, const pca_tiles_t *T,
                    const double *Q, size_t l, double *Z);

#endif
