/* job.h — what every cohort command does first: the config, the manifest and the plan,
 * with every problem printed (by rank 0) before any work starts.
 *
 * A broken config or manifest stops the job (RGX_ERR_CONFIG, RGX_ERR_MANIFEST); a patient
 * whose inputs are bad is marked by the plan and the job goes on without it. */
#ifndef RGX_JOB_H
#define RGX_JOB_H

#include <mpi.h>

#include "cfg.h"
#include "cli.h"
#include "err.h"
#include "manifest.h"
#include "outfile.h"
#include "plan.h"
#include "provenance.h"

typedef struct {
    const char *cmd; /* "extract", "run": names the stage in messages */
    cfg_t *cfg;
    char *manifest_path; /* owned */
    char *genotypes;     /* one genotype file for everyone (owned), or NULL */
    manifest_t m;
    plan_t plan;
    int have_manifest, have_plan;
} job_t;

/* Collective over comm.  manifest_opt and geno_opt override study.manifest and
 * study.genotypes.  On error every problem has been printed on rank 0. */
rgx_err job_open(job_t *j, const char *cmd, const cli_common_t *c, const char *manifest_opt,
                 const char *geno_opt, MPI_Comm comm);
void job_close(job_t *j);

/* The locks of a job's outputs (outfile.h): rank 0 holds "<path>.lock" of each path for the
 * job's life, so that a second job writing the same output is refused before it starts.
 * Collective; on failure every rank returns the same error and message. */
enum { JOB_MAX_LOCKS = 4 };
typedef struct {
    outlock_t l[JOB_MAX_LOCKS];
    int n;
} job_lock_t;
rgx_err job_lock(job_lock_t *jl, const char *const *paths, int n, MPI_Comm comm);
void job_unlock(job_lock_t *jl);

/* Every input file of the cohort (images, masks, genotypes) for /provenance/inputs. */
rgx_err job_inputs(const job_t *j, prov_inputs_t *in);

#endif
