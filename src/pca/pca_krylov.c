/* pca_krylov.c — see pca_krylov.h. */
#include "pca_krylov.h"

#include <gsl/gsl_cblas.h> /* linked to OpenBLAS (make check-blas) */
#include <gsl/gsl_eigen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sim_rng.h"
#include "util.h"

enum { VCHUNK = 512, KIND_OMEGA = 71 };

/* Tile mt's standardised values of the selected variants [c0, c0 + vc) as a vc x n panel
 * (samples left out of the PCA, G->drop, as 0). */
static void panel_of(const pca_geno_t *G, const pca_tiles_t *T, const size_t *sel, size_t mt,
                     size_t c0, size_t vc, double *panel)
{
    size_t n = G->store[mt].n;
    const char *drop = G->drop ? G->drop + T->row_of_tile[T->mine[mt]] : NULL;
    for (size_t j = 0; j < vc; j++) {
        double *x = panel + j * n;
        pca_geno_decode(G, mt, sel[c0 + j], x);
        for (size_t i = 0; drop && i < n; i++)
            if (drop[i]) x[i] = 0;
    }
}

rgx_err pca_mult_x(const pca_geno_t *G, const size_t *sel, size_t ms, const pca_tiles_t *T,
                   const double *Z, size_t l, double *H)
{
    double *panel = NULL;
    rgx_err err = rgx_calloc(&panel, (size_t)VCHUNK * PCA_TILE, sizeof *panel);
    if (err) return err;
    for (size_t mt = 0; mt < T->n_mine; mt++) {
        size_t n = T->tile[T->mine[mt]].n;
        double *Ht = H + T->row_of_tile[T->mine[mt]] * l;
        for (size_t c0 = 0; c0 < ms; c0 += VCHUNK) {
            size_t vc = ms - c0 < VCHUNK ? ms - c0 : VCHUNK;
            panel_of(G, T, sel, mt, c0, vc, panel);
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)n, (int)l, (int)vc, 1.0,
                        panel, (int)n, Z + c0 * l, (int)l, 1.0, Ht, (int)l);
        }
    }
    free(panel);
    return RGX_OK;
}

rgx_err pca_mult_xt(const pca_geno_t *G, const size_t *sel, size_t ms, const pca_tiles_t *T,
                    const double *Q, size_t l, double *Z)
{
    double *panel = NULL, *part = NULL;
    size_t nm = T->n_mine ? T->n_mine : 1;
    rgx_err err = rgx_calloc(&panel, (size_t)VCHUNK * PCA_TILE, sizeof *panel);
    if (!err) err = rgx_calloc(&part, nm * VCHUNK * l, sizeof *part);
    for (size_t c0 = 0; c0 < ms && !err; c0 += VCHUNK) {
        size_t vc = ms - c0 < VCHUNK ? ms - c0 : VCHUNK;
        for (size_t mt = 0; mt < T->n_mine; mt++) {
            size_t n = T->tile[T->mine[mt]].n;
            panel_of(G, T, sel, mt, c0, vc, panel);
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)vc, (int)l, (int)n, 1.0,
                        panel, (int)n, Q + T->row_of_tile[T->mine[mt]] * l, (int)l, 0.0,
                        part + mt * vc * l, (int)l);
        }
        err = pca_tiles_sum(T, part, vc * l, Z + c0 * l);
    }
    free(panel), free(part);
    return err;
}

/* part[mt] = A_t' B_t (a x b) for every tile of this rank: A, B its rows (lda, ldb). */
static void tile_atb(const pca_tiles_t *T, const double *A, size_t lda, size_t a, const double *B,
                     size_t ldb, size_t b, double *part)
{
    for (size_t mt = 0; mt < T->n_mine; mt++) {
        size_t k = T->mine[mt], r = T->row_of_tile[k];
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)a, (int)b, (int)T->tile[k].n, 1.0,
                    A + r * lda, (int)lda, B + r * ldb, (int)ldb, 0.0, part + mt * a * b, (int)b);
    }
}

/* C_t = A_t M (A: rows x a, lda; M: a x b; C: ldc) for every tile of this rank. */
static void tile_am(const pca_tiles_t *T, const double *A, size_t lda, size_t a, const double *M,
                    size_t b, double *C, size_t ldc)
{
    for (size_t mt = 0; mt < T->n_mine; mt++) {
        size_t k = T->mine[mt], r = T->row_of_tile[k];
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T->tile[k].n, (int)b, (int)a,
                    1.0, A + r * lda, (int)lda, M, (int)b, 0.0, C + r * ldc, (int)ldc);
    }
}

/* Eigenpairs of the symmetric a x a S (destroyed), descending: values in ev, vectors as the
 * columns of V (a x a, row-major). */
static rgx_err eigen(double *S, size_t a, double *ev, double *V)
{
    gsl_matrix_view sm = gsl_matrix_view_array(S, a, a), vm = gsl_matrix_view_array(V, a, a);
    gsl_vector_view evv = gsl_vector_view_array(ev, a);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(a);
    if (!w) return rgx_fail(RGX_ERR_MEMORY, "out of memory for a %zu x %zu eigenproblem", a, a);
    int st = gsl_eigen_symmv(&sm.matrix, &evv.vector, &vm.matrix, w);
    gsl_eigen_symmv_free(w);
    if (!st) st = gsl_eigen_symmv_sort(&evv.vector, &vm.matrix, GSL_EIGEN_SORT_VAL_DESC);
    return st ? rgx_fail(RGX_ERR_NUMERIC, "PCA: an eigendecomposition failed (GSL error %d)", st)
              : RGX_OK;
}

/* W (a x a, row-major): V D^-1/2 of a Gram matrix's eigenpairs (the Gram is destroyed), its
 * columns for directions whose eigenvalue is at most floor zero. */
static rgx_err whiten(double *gram, size_t a, double floor, double *W)
{
    double *ev = NULL, *V = NULL;
    rgx_err err = rgx_calloc(&ev, a, sizeof *ev);
    if (!err) err = rgx_calloc(&V, a * a, sizeof *V);
    if (!err) err = eigen(gram, a, ev, V);
    for (size_t i = 0; !err && i < a; i++)
        for (size_t k = 0; k < a; k++)
            W[i * a + k] = ev[k] > floor && ev[k] > 0 ? V[i * a + k] / sqrt(ev[k]) : 0;
    free(ev), free(V);
    return err;
}

/* The largest diagonal entry of H'H (pooled). */
static rgx_err gram_of(const pca_tiles_t *T, const double *H, size_t l, double *part, double *gram)
{
    tile_atb(T, H, l, l, H, l, l, part);
    return pca_tiles_sum(T, part, l * l, gram);
}

/* Q = orth(H) against the Lp columns of Qall (ld L) already made: H minus its projection on
 * them (twice: Gram-Schmidt with reorthogonalisation), then whitened (twice), directions
 * below 1e-8 of H's largest column norm dropped (a zero column).  H is spent. */
static rgx_err orth_block(const pca_tiles_t *T, const double *Qall, size_t Lp, size_t L, double *H,
                          size_t l, double *Q, double *part, double *gram, double *W)
{
    rgx_err err = gram_of(T, H, l, part, gram);
    double ref = 0;
    for (size_t k = 0; !err && k < l; k++) ref = gram[k * l + k] > ref ? gram[k * l + k] : ref;
    for (int pass = 0; pass < 2 && Lp && !err; pass++) {
        /* C = Qp' H (Lp x l), pooled; then H -= Qp C per tile. */
        tile_atb(T, Qall, L, Lp, H, l, l, part);
        if ((err = pca_tiles_sum(T, part, Lp * l, part + (T->n_mine ? T->n_mine : 1) * Lp * l)))
            break;
        const double *C = part + (T->n_mine ? T->n_mine : 1) * Lp * l;
        for (size_t mt = 0; mt < T->n_mine; mt++) {
            size_t k = T->mine[mt], r = T->row_of_tile[k];
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T->tile[k].n, (int)l,
                        (int)Lp, -1.0, Qall + r * L, (int)L, C, (int)l, 1.0, H + r * l, (int)l);
        }
    }
    for (int pass = 0; pass < 2 && !err; pass++) {
        if ((err = gram_of(T, H, l, part, gram))) break;
        if ((err = whiten(gram, l, pass ? 0.5 : 1e-16 * ref, W))) break;
        tile_am(T, H, l, l, W, l, Q, l);
        if (!pass)
            for (size_t mt = 0; mt < T->n_mine; mt++) {
                size_t k = T->mine[mt], r = T->row_of_tile[k];
                memcpy(H + r * l, Q + r * l, T->tile[k].n * l * sizeof *H);
            }
    }
    return err;
}

/* The Ritz pairs of the first Li columns of Qall (ld L; orthonormal, or zero) with Hall =
 * X X' Qall: the eigenpairs (ev, U: Li x Li) of Qall' Hall.  With res (K), also each of the K
 * leading pairs' relative residual |X X' u - ev u| / ev, u = Qall w: X X' u is Hall w, so
 * its square is w' (Hall' Hall) w - ev^2 (resolved down to about 1e-7), no product with X. */
static rgx_err ritz_pairs(const pca_tiles_t *T, const double *Qall, const double *Hall, size_t L,
                          size_t Li, size_t K, double *ev, double *U, double *res)
{
    size_t nm = T->n_mine ? T->n_mine : 1;
    double *part = NULL, *Th = NULL, *G = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&part, nm * Li * Li, sizeof *part)) ||
        (err = rgx_calloc(&Th, Li * Li, sizeof *Th)) || (err = rgx_calloc(&G, Li * Li, sizeof *G)))
        goto out;
    tile_atb(T, Qall, L, Li, Hall, L, Li, part);
    if ((err = pca_tiles_sum(T, part, Li * Li, Th))) goto out;
    for (size_t i = 0; i < Li; i++) /* exactly symmetric */
        for (size_t j = 0; j < i; j++) {
            double m = 0.5 * (Th[i * Li + j] + Th[j * Li + i]);
            Th[i * Li + j] = Th[j * Li + i] = m;
        }
    if ((err = eigen(Th, Li, ev, U)) || !res) goto out;
    tile_atb(T, Hall, L, Li, Hall, L, Li, part);
    if ((err = pca_tiles_sum(T, part, Li * Li, G))) goto out;
    for (size_t k = 0; k < K && k < Li; k++) {
        double q = 0; /* w' G w */
        for (size_t i = 0; i < Li; i++) {
            double gw = 0;
            for (size_t j = 0; j < Li; j++) gw += G[i * Li + j] * U[j * Li + k];
            q += U[i * Li + k] * gw;
        }
        double r2 = q - ev[k] * ev[k];
        res[k] = ev[k] > 0 ? sqrt(r2 > 0 ? r2 : 0) / ev[k] : INFINITY;
    }
out:
    free(part), free(Th), free(G);
    return err;
}

/* Rayleigh-Ritz on the first L columns of Qall and Hall (ld ld): the K leading Ritz pairs
 * give lambda (of X X'), the Ritz vectors Qall U (in R->scores, for the loadings) and
 * proj = Hall U / lambda = X X' u / lambda (this rank's rows x K). */
static rgx_err ritz(const pca_tiles_t *T, const double *Qall, const double *Hall, size_t ld,
                    size_t L, pca_result_t *R, double *lambda, double *proj)
{
    size_t K = R->K;
    double *ev = NULL, *U = NULL, *UK = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&ev, L, sizeof *ev)) || (err = rgx_calloc(&U, L * L, sizeof *U)) ||
        (err = rgx_calloc(&UK, L * K, sizeof *UK)))
        goto out;
    if ((err = ritz_pairs(T, Qall, Hall, ld, L, K, ev, U, NULL))) goto out;
    size_t r = 0;
    while (r < L && ev[r] > 1e-12 * ev[0]) r++;
    R->rank_space = r;
    if (r < K) {
        err = rgx_fail(RGX_ERR_NUMERIC,
                       "PCA: the Krylov space holds %zu components, below the "
                       "%zu PCs asked (too few samples or variants)",
                       r, K);
        goto out;
    }
    for (size_t i = 0; i < L; i++)
        for (size_t k = 0; k < K; k++) UK[i * K + k] = U[i * L + k];
    tile_am(T, Qall, ld, L, UK, K, R->scores, K);
    for (size_t i = 0; i < L; i++)
        for (size_t k = 0; k < K; k++) UK[i * K + k] /= ev[k];
    tile_am(T, Hall, ld, L, UK, K, proj, K);
    for (size_t k = 0; k < K; k++) lambda[k] = ev[k];
out:
    free(ev), free(U), free(UK);
    return err;
}

/* Whether the K leading Ritz pairs of the first Li columns have converged: every relative
 * residual at most tol (the largest in *worst). */
static rgx_err converged(const pca_tiles_t *T, const double *Qall, const double *Hall, size_t L,
                         size_t Li, size_t K, double tol, int *yes, double *worst)
{
    double *ev = NULL, *U = NULL, *res = NULL;
    rgx_err err;
    *yes = 0;
    if ((err = rgx_calloc(&ev, Li, sizeof *ev)) || (err = rgx_calloc(&U, Li * Li, sizeof *U)) ||
        (err = rgx_calloc(&res, K, sizeof *res)))
        goto out;
    if (Li < K || (err = ritz_pairs(T, Qall, Hall, L, Li, K, ev, U, res))) goto out;
    *worst = 0;
    for (size_t k = 0; k < K; k++) *worst = res[k] > *worst || isnan(res[k]) ? res[k] : *worst;
    *yes = *worst <= tol;
    if (T->rank == 0)
        log_debug("pca: Krylov space of %zu: largest relative residual %.3g", Li, *worst);
out:
    free(ev), free(U), free(res);
    return err;
}

/* Loadings X' u / sqrt(lambda), the scores, and the sign convention. */
static rgx_err loadings(const pca_geno_t *G, const size_t *sel, const pca_tiles_t *T,
                        const double *lambda, const double *proj, pca_result_t *R)
{
    size_t K = R->K, ms = R->ms;
    rgx_err err = pca_mult_xt(G, sel, ms, T, R->scores, K, R->loading);
    /* The scores: the samples' projections on the loadings, X v / sqrt(lambda) = X X' u /
     * lambda (proj, from products already made), so that a sample's score is the same
     * whether it took part or is projected (pca --project, --remove-related).  They equal
     * the Ritz vectors u to within the residual (pca.tolerance). */
    if (!err) memcpy(R->scores, proj, T->n_rows * K * sizeof *proj);
    for (size_t k = 0; k < K && !err; k++) {
        if (!(lambda[k] > 0))
            return rgx_fail(RGX_ERR_NUMERIC, "PCA: eigenvalue %zu is not positive", k + 1);
        double s = 1 / sqrt(lambda[k]), big = 0;
        size_t at = 0;
        for (size_t j = 0; j < ms; j++) {
            R->loading[j * K + k] *= s;
            if (fabs(R->loading[j * K + k]) > big) big = fabs(R->loading[j * K + k]), at = j;
        }
        if (R->loading[at * K + k] < 0) {
            for (size_t j = 0; j < ms; j++) R->loading[j * K + k] = -R->loading[j * K + k];
            for (size_t i = 0; i < T->n_rows; i++) R->scores[i * K + k] = -R->scores[i * K + k];
        }
        R->eigval[k] = lambda[k] / (double)ms;
    }
    return err;
}

rgx_err pca_krylov(const pca_geno_t *G, const size_t *sel, size_t ms, const pca_tiles_t *T,
                   const pca_opts_t *o, pca_result_t *R)
{
    memset(R, 0, sizeof *R);
    size_t K = (size_t)o->pcs, q = (size_t)o->iterations;
    size_t l = o->block > 0 ? (size_t)o->block : (2 * K > K + 10 ? 2 * K : K + 10);
    if (l < K) l = K;
    size_t L = l * (q + 1), n = T->n_rows ? T->n_rows : 1;
    R->K = K, R->ms = ms;
    double *Z = NULL, *H = NULL, *Qall = NULL, *Hall = NULL, *part = NULL, *gram = NULL;
    double *W = NULL, *Q = NULL, lambda[128];
    size_t nm = T->n_mine ? T->n_mine : 1;
    rgx_err err;
    if (K > 100) return rgx_fail(RGX_ERR_USAGE, "at most 100 PCs");
    if ((err = rgx_calloc(&R->eigval, K, sizeof *R->eigval)) ||
        (err = rgx_calloc(&R->scores, n * K, sizeof *R->scores)) ||
        (err = rgx_calloc(&R->loading, (ms ? ms : 1) * K, sizeof *R->loading)) ||
        (err = rgx_calloc(&Z, (ms ? ms : 1) * l, sizeof *Z)) ||
        (err = rgx_calloc(&H, n * l, sizeof *H)) || (err = rgx_calloc(&Q, n * l, sizeof *Q)) ||
        (err = rgx_calloc(&Qall, n * L, sizeof *Qall)) ||
        (err = rgx_calloc(&Hall, n * L, sizeof *Hall)) ||
        (err = rgx_calloc(&part, (nm + 1) * L * l, sizeof *part)) ||
        (err = rgx_calloc(&gram, l * l, sizeof *gram)) || (err = rgx_calloc(&W, l * l, sizeof *W)))
        goto out;
    for (size_t j = 0; j < ms; j++) { /* Omega: one random stream per variant row */
        rng_t rg;
        rng_stream(&rg, o->seed, KIND_OMEGA, (uint64_t)j);
        for (size_t c = 0; c < l; c++) Z[j * l + c] = rng_norm(&rg);
    }
    if ((err = pca_mult_x(G, sel, ms, T, Z, l, H))) goto out;
    /* Q0 = orth(X Omega); then per block: Z = X' Qi, H = X Z (kept: X X' Qi), Q(i+1) = orth(H)
     * against Q0..Qi; stopped early once the K leading Ritz pairs of [Q0..Qi] have converged
     * (o->tol; every rank takes the same decision from the same sums). */
    err = orth_block(T, Qall, 0, L, H, l, Q, part, gram, W);
    size_t used = q;
    R->residual = NAN;
    for (size_t i = 0; i <= q && !err; i++) {
        for (size_t r = 0; r < T->n_rows; r++)
            memcpy(Qall + r * L + i * l, Q + r * l, l * sizeof *Q);
        if ((err = pca_mult_xt(G, sel, ms, T, Q, l, Z))) break;
        memset(H, 0, n * l * sizeof *H);
        if ((err = pca_mult_x(G, sel, ms, T, Z, l, H))) break;
        for (size_t r = 0; r < T->n_rows; r++)
            memcpy(Hall + r * L + i * l, H + r * l, l * sizeof *H);
        int done = 0;
        if (i < q && o->tol > 0 &&
            !(err = converged(T, Qall, Hall, L, (i + 1) * l, K, o->tol, &done, &R->residual)) &&
            done) {
            used = i;
            break;
        }
        if (!err && i < q) err = orth_block(T, Qall, (i + 1) * l, L, H, l, Q, part, gram, W);
    }
    R->iterations = used;
    /* H (n x l, l >= K) is free now: it takes the projections. */
    if (!err) err = ritz(T, Qall, Hall, L, (used + 1) * l, R, lambda, H);
    if (!err) err = loadings(G, sel, T, lambda, H, R);
out:
    free(Z), free(H), free(Q), free(Qall), free(Hall), free(part), free(gram), free(W);
    return err;
}

void pca_result_free(pca_result_t *R)
{
    free(R->eigval), free(R->scores), free(R->loading);
    memset(R, 0, sizeof *R);
}
