/* mpienv.c — see mpienv.h. */
#include "mpienv.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cblas.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "blas_core.h"
#include "log.h"
#include "pgemm.h"

mpienv_t rgx_mpi = {0, 1, 0, 1, 1, 1, 1, "localhost", 0, 0};

static int online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static int bound_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
    return CPU_COUNT(&set);
}

static int env_int(const char *name)
{
    const char *s = getenv(name);
    return s && *s ? atoi(s) : 0;
}

/* Picks and applies the BLAS thread count; returns a phrase saying why, for the log. */
static const char *pin_threads(int threads, int local_size, int *chosen)
{
    const char *why;
    int t;
    int cores = online_cores(), bound = bound_cpus();
    if (threads > 0) {
        t = threads, why = "from --threads";
    } else if (env_int("RADIOGX_THREADS") > 0) {
        t = env_int("RADIOGX_THREADS"), why = "from RADIOGX_THREADS";
    } else if (env_int("OPENBLAS_NUM_THREADS") > 0) {
        t = env_int("OPENBLAS_NUM_THREADS"), why = "from OPENBLAS_NUM_THREADS";
    } else if (bound > 0 && bound < cores) {
        t = bound, why = "the CPUs this rank is bound to";
    } else {
        t = cores / (local_size > 0 ? local_size : 1);
        why = "cores / ranks on this host";
    }
    if (t < 1) t = 1;
    /* OpenBLAS's own threads would make the rounding depend on t (pgemm.h): it runs on one
     * thread, and t is the number of threads of radiogx's own split of the scan's GEMM. */
    openblas_set_num_threads(1);
    pgemm_set_threads(t);
    *chosen = t;
    return why;
}

int mpienv_launched(void)
{
    static const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i])) return 1;
    return 0;
}

void mpienv_single(int threads)
{
    int t;
    pin_threads(threads, 1, &t);
    rgx_mpi.blas_threads = t;
    rgx_mpi.cores = online_cores();
}

/* A job on one node: Open MPI's shared-memory transport, chosen before MPI_Init (as the
 * environment variable OMPI_MCA_pml=ob1), unless the user chose one.  Left to itself, Open
 * MPI 4.1 first probes the network layers (libfabric, PSM2, UCX) and then settles on shared
 * memory anyway: 0.21 of MPI_Init's 0.27 s for 2 ranks on the 2-core VM (0.37 -> 0.15 s for
 * one process without mpirun).  Jobs over several nodes keep Open MPI's choice (UCX on
 * InfiniBand).  One node: mpirun says so (OMPI_MCA_orte_num_nodes), or srun
 * (SLURM_STEP_NUM_NODES), or there is no launcher at all (no PMIX_RANK). */
static int one_node_transport(void)
{
    if (getenv("OMPI_MCA_pml")) return 0;
    const char *mpirun_nodes = getenv("OMPI_MCA_orte_num_nodes");
    const char *srun_nodes = getenv("SLURM_STEP_NUM_NODES");
    int one = mpirun_nodes ? !strcmp(mpirun_nodes, "1")
              : srun_nodes ? !strcmp(srun_nodes, "1") && getenv("PMIX_RANK")
                           : !getenv("PMIX_RANK");
    return one && setenv("OMPI_MCA_pml", "ob1", 0) == 0;
}

rgx_err mpienv_init(int *argc, char ***argv, int threads)
{
    int provided, shm = one_node_transport();
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return rgx_fail(RGX_ERR_MPI, "MPI_Init failed");
    rgx_mpi.mpi_up = 1;
    rgx_mpi.started = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rgx_mpi.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &rgx_mpi.size);
    log_set_rank(rgx_mpi.rank, rgx_mpi.size);
    if (gethostname(rgx_mpi.host, sizeof rgx_mpi.host) != 0) strcpy(rgx_mpi.host, "unknown");
    rgx_mpi.host[sizeof rgx_mpi.host - 1] = '\0';

    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rgx_mpi.rank, MPI_INFO_NULL, &node);
    MPI_Comm_rank(node, &rgx_mpi.local_rank);
    MPI_Comm_size(node, &rgx_mpi.local_size);
    int leader = rgx_mpi.local_rank == 0;
    MPI_Allreduce(&leader, &rgx_mpi.n_hosts, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Comm_free(&node);

    rgx_mpi.cores = online_cores();
    const char *why = pin_threads(threads, rgx_mpi.local_size, &rgx_mpi.blas_threads);
    log_info("%d rank%s on %d host%s; threads per rank: %d (%s; %d cores, %d ranks on %s)%s; "
             "OpenBLAS kernels: %s",
             rgx_mpi.size, rgx_mpi.size == 1 ? "" : "s", rgx_mpi.n_hosts,
             rgx_mpi.n_hosts == 1 ? "" : "s", rgx_mpi.blas_threads, why, rgx_mpi.cores,
             rgx_mpi.local_size, rgx_mpi.host,
             shm ? "; Open MPI's shared-memory layer (one node: OMPI_MCA_pml=ob1)" : "",
             blas_core_note());
    if (rgx_mpi.local_rank == 0 && rgx_mpi.blas_threads * rgx_mpi.local_size > rgx_mpi.cores)
        log_warn("ranks x threads on %s is %d, more than its %d cores: expect slowdowns",
                 rgx_mpi.host, rgx_mpi.blas_threads * rgx_mpi.local_size, rgx_mpi.cores);
    return RGX_OK;
}

static int abort_code; /* nonzero: MPI_Finalize must not run (mpienv_abort_at_end) */

void mpienv_abort_at_end(int code)
{
    if (!abort_code) abort_code = code ? code : 1;
}

void mpienv_finalize(void)
{
    int up = 0, down = 0;
    MPI_Initialized(&up);
    if (up) MPI_Finalized(&down);
#ifdef __SANITIZE_ADDRESS__
    /* Check for leaks now, while Open MPI's plugins are still loaded: after MPI_Finalize
     * unloads them, what they keep until exit shows up as leaks from "<unknown module>" that
     * no suppression can name.  This also turns off the check at exit. */
    __lsan_do_leak_check();
#endif
    if (up && !down && abort_code) {
        /* A library cannot be finalized cleanly (HDF5 after a file it could not close): the
         * job ends with its error code, without running the finalizers that would crash. */
        fflush(stdout), fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, abort_code);
    }
    if (up && !down) MPI_Finalize();
    rgx_mpi.mpi_up = 0;
}
