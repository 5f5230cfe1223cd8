/* covar_run.h — features of a run as covariates of its scan (`radiogx scan --covar-from-run`,
 * config scan.covar_from_run): a radiotherapy cohort's dose-volume features, say, adjust the
 * scan of its imaging phenotypes for dose.
 *
 * The /features columns matching the patterns (a comma list of names or shell patterns,
 * "DOSE.*.dvh_dmean") become covariates: appended, by sample id, to the rows of the user's
 * covariate table (NA where a sample has no value), or a table of their own without one.
 * Every other column is a phenotype: both tables are written (mode 0640) for the scan to read
 * (the phenotype table holds exactly what /features would give it, values at 17 significant
 * digits, so the scan's numbers are those of --run). */
#ifndef RGX_COVAR_RUN_H
#define RGX_COVAR_RUN_H

#include <mpi.h>
#include <stddef.h>

#include "err.h"

/* Writes covar_out and pheno_out; *n_taken the covariate columns.  A pattern that matches no
 * feature is an error naming it (RGX_ERR_USAGE), as is taking every feature. */
rgx_err covar_run_make(const char *run, const char *patterns, const char *covar_in,
                       const char *covar_out, const char *pheno_out, size_t *n_taken);

/* Collective: rank 0 writes OUT.covar.tsv and OUT.pheno.tsv (*cov, *ph: their names, for
 * the caller to free and, after the scan, remove), every rank learns whether it could; sha:
 * their SHA-256, for the scan's run key. */
rgx_err covar_run_prepare(MPI_Comm comm, const char *out, const char *run, const char *patterns,
                          const char *covar, char **cov, char **ph, char sha[2][65]);

#endif
