/* pgemm.h — matrix products whose bits do not depend on the thread count.
 *
 * OpenBLAS splits a product across its threads in a way that depends on how many there are,
 * and the split changes the rounding (a 100 x 100 x 100 DGEMM differs in about 3% of its
 * entries between one and two threads here; gsl_eigen_symm's level-2 calls likewise).  So
 * radiogx keeps OpenBLAS at one thread everywhere (mpienv.c), and the one product large enough
 * to want more cores, the scan's block GEMM, is cut here into fixed pieces of PGEMM_ROWS rows,
 * each a one-thread DGEMM, shared out over pgemm's own threads.  The pieces are the same for
 * any thread count, so the result is too. */
#ifndef RGX_PGEMM_H
#define RGX_PGEMM_H

#include <stddef.h>

/* Rows of A per piece: a multiple of OpenBLAS's register blocking, and large because every
 * piece packs all of B again (OpenBLAS's dgemm_itcopy): at the scan's shape (B = 10,000
 * samples x 1,006 columns, 80 MB) pieces of 128 rows spent 8% of the scan's CPU packing, and
 * a block of 1,024 variants took 0.51 s against 0.47 s in pieces of 512 (one thread). The
 * product's bits do not change with the piece size when it is a multiple of 64 (checked for
 * 64-1,024 and for whole blocks, with edge sizes; pieces of 7 or 333 rows differ). */
enum { PGEMM_ROWS = 512 };

/* Threads for pgemm_nn (at least 1); OpenBLAS itself stays at one thread. */
void pgemm_set_threads(int threads);

/* C (m x n, row stride ldc) = A (m x k, stride lda) B (k x n, stride ldb), row-major.  The
 * bits depend on m, n, k and the data only.  Falls back to one thread when a thread cannot be
 * started (the same bits). */
void pgemm_nn(size_t m, size_t n, size_t k, const double *A, size_t lda, const double *B,
              size_t ldb, double *C, size_t ldc);

#endif
