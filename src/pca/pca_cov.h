/* pca_cov.h — principal components as covariates of the scan (scan --pcs K, scan.pcs).
 *
 * The first K columns of /pca/scores of a run file, keyed by /pca/samples, are added to the
 * covariate table as PC1 .. PCK (a table of their own when the scan has no covariates).  A
 * sample without PCs has them missing, so the join leaves it out (it is counted with the
 * samples without complete covariates). */
#ifndef RGX_PCA_COV_H
#define RGX_PCA_COV_H

#include "err.h"
#include "pheno.h"

/* have: cv holds a covariate table already (else it is made).  Logs on rank 0. */
rgx_err pca_cov_add(table_t *cv, int have, const char *path, int K, int rank);

#endif
