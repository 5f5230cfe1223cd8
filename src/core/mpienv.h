/* mpienv.h — the MPI environment of a run: rank, size, host, threads.
 *
 * mpienv_init() starts MPI, sets the log's rank, and chooses the threads per rank so that
 * ranks x threads on a node does not exceed its cores (or the CPUs this rank is bound
 * to), unless the user said otherwise (--threads, RADIOGX_THREADS or
 * OPENBLAS_NUM_THREADS); the choice is logged.  The threads share the scan's block GEMM in
 * fixed pieces (pgemm.h); OpenBLAS itself always runs on one thread, so that no result
 * depends on the thread count. */
#ifndef RGX_MPIENV_H
#define RGX_MPIENV_H

#include <mpi.h>

#include "err.h"

typedef struct {
    int rank, size;             /* in MPI_COMM_WORLD */
    int local_rank, local_size; /* among the ranks on this host */
    int n_hosts;
    int cores;                  /* online CPUs of this host */
    int blas_threads;           /* threads per rank (pgemm.h); OpenBLAS uses one */
    char host[256];
    int mpi_up;
    int started; /* mpienv_init ran: an MPI run, not a --help or a usage error */
} mpienv_t;

extern mpienv_t rgx_mpi;

/* threads: BLAS threads per rank, 0 = choose. */
rgx_err mpienv_init(int *argc, char ***argv, int threads);
void mpienv_finalize(void);
/* Asks mpienv_finalize() to end with MPI_Abort(code) instead of MPI_Finalize: for a library
 * left in a state its finalizer cannot handle (HDF5 1.10 after a failed file close, e.g. on a
 * full disk, crashes in MPI_Finalize). */
void mpienv_abort_at_end(int code);

/* 1 when this process was started by an MPI launcher (mpirun, srun): commands that can run
 * either way (plan) use MPI only then. */
int mpienv_launched(void);

/* Sets BLAS threads without MPI (single-process commands). */
void mpienv_single(int threads);

#endif
