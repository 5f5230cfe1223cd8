/* pgemm.c — see pgemm.h. */
#include "pgemm.h"

#include <cblas.h>
#include <pthread.h>

static int n_threads = 1;

void pgemm_set_threads(int threads) { n_threads = threads < 1 ? 1 : threads; }

typedef struct {
    size_t m, n, k, lda, ldb, ldc;
    const double *A, *B;
    double *C;
    size_t first, step; /* pieces first, first + step, ... */
} job_t;

static void piece(const job_t *j, size_t p)
{
    size_t r0 = p * PGEMM_ROWS, rn = j->m - r0 < PGEMM_ROWS ? j->m - r0 : PGEMM_ROWS;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rn, (int)j->n, (int)j->k, 1.0,
                j->A + r0 * j->lda, (int)j->lda, j->B, (int)j->ldb, 0.0, j->C + r0 * j->ldc,
                (int)j->ldc);
}

static void *worker(void *arg)
{
    const job_t *j = arg;
    size_t pieces = (j->m + PGEMM_ROWS - 1) / PGEMM_ROWS;
    for (size_t p = j->first; p < pieces; p += j->step) piece(j, p);
    return NULL;
}

enum { MAX_THREADS = 64 };

void pgemm_nn(size_t m, size_t n, size_t k, const double *A, size_t lda, const double *B,
              size_t ldb, double *C, size_t ldc)
{
    if (!m || !n) return;
    size_t pieces = (m + PGEMM_ROWS - 1) / PGEMM_ROWS;
    size_t t = (size_t)n_threads < pieces ? (size_t)n_threads : pieces;
    if (t > MAX_THREADS) t = MAX_THREADS;
    if (t < 1) t = 1; /* (n_threads is at least 1: pgemm_set_threads) */
    job_t jobs[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    size_t started = 0;
    /* Thread i takes pieces i, i + t, ...; a thread that cannot start leaves its pieces to
     * the caller, which does them after its own. */
    for (size_t i = 0; i < t; i++)
        jobs[i] = (job_t){m, n, k, lda, ldb, ldc, A, B, C, i, t};
    for (size_t i = 1; i < t; i++) {
        if (pthread_create(&tid[i], NULL, worker, &jobs[i]) != 0) break;
        started = i;
    }
    worker(&jobs[0]);
    for (size_t i = started + 1; i < t; i++) worker(&jobs[i]);
    for (size_t i = 1; i <= started; i++) pthread_join(tid[i], NULL);
}
