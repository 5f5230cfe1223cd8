/* scan_study.c — see scan_study.h. */
#include "scan_study.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "comm.h"
#include "log.h"
#include "meff.h"
#include "util.h"
#include "runfile.h"

/* The correlation's sums, block by block: block b on rank b % size, added on rank 0 in block
 * order (each block's sums are the same bits on whichever rank computes them), so that 1 or
 * 4 ranks give the same correlation.  Sends and receives pair up in block order. */
static void share_blocks(const scan_model_t *M, const double *mask, MPI_Comm comm, double *acc,
                         double *sums, double *scratch)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    size_t n = M->n, p = M->p, len = meff_sums_len(p, M->n_groups), nb = meff_n_blocks(n);
    for (size_t b = 0; b < nb; b++) {
        int owner = (int)(b % (size_t)size);
        if (owner == rank)
            meff_block_sums(M->rhs, M->rhs_cols, mask, n, p, M->n_groups, b, sums, scratch);
        if (rank == 0 && owner != 0)
            MPI_Recv(sums, (int)len, MPI_DOUBLE, owner, (int)(b % 32768), comm, MPI_STATUS_IGNORE);
        else if (rank != 0 && owner == rank)
            MPI_Send(sums, (int)len, MPI_DOUBLE, 0, (int)(b % 32768), comm);
        if (rank == 0) meff_sums_add(acc, sums, len);
    }
}

/* The eigenvalues of the residualised phenotypes' correlation, on rank 0; every rank shares
 * the correlation's sums. */
static rgx_err eigenvalues(const scan_model_t *M, MPI_Comm comm, double *lambda, size_t *n_undef)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    size_t n = M->n, p = M->p, G = M->n_groups ? M->n_groups : 1;
    size_t len = meff_sums_len(p, M->n_groups);
    double *mask = NULL, *acc = NULL, *sums = NULL, *scratch = NULL;
    rgx_err err;
    if (!(err = rgx_calloc(&mask, (n ? n : 1) * G, sizeof *mask)) && /* 8 MB each at p = 1,000: */
        !(err = rgx_big_calloc(&sums, len, sizeof *sums)) &&         /* on huge pages */
        !(err = rgx_big_calloc(&scratch, meff_scratch_len(p), sizeof *scratch)) && rank == 0)
        err = rgx_big_calloc(&acc, len, sizeof *acc);
    if ((err = comm_agree(comm, err, "Meff"))) goto out;
    for (size_t g = 0; g < M->n_groups; g++)
        for (size_t i = 0; i < n; i++) mask[i * G + g] = M->g[g].mask[i];
    /* The residualised phenotypes are the first p columns of the scan's GEMM right-hand side. */
    share_blocks(M, mask, comm, acc, sums, scratch);
    free(sums), free(scratch), free(mask);
    sums = scratch = mask = NULL;
    if (rank == 0) {
        meff_corr_finish(acc, M->group, p, M->n_groups, n_undef);
        err = meff_eigen(acc, p, lambda);
    }
out:
    free(mask), free(acc), free(sums), free(scratch);
    return err;
}

rgx_err scan_study_write(h5out_t *h, const scan_model_t *M, const scan_opts_t *o)
{
    size_t p = M->p, n_undef = 0;
    if (!p) return RGX_OK;
    double *lambda = NULL, meff[MEFF_N];
    rgx_err err = rgx_calloc(&lambda, p, sizeof *lambda);
    if ((err = comm_agree(h->comm, err, "Meff"))) {
        free(lambda);
        return err;
    }
    err = eigenvalues(M, h->comm, lambda, &n_undef);
    int bad = err != RGX_OK;
    MPI_Bcast(&bad, 1, MPI_INT, 0, h->comm);
    if (bad) {
        free(lambda);
        return err ? err : rgx_fail(RGX_ERR_INTERNAL, "rank 0 could not compute Meff");
    }
    MPI_Bcast(lambda, (int)p, MPI_DOUBLE, 0, h->comm);
    meff_from_eigen(lambda, p, meff);
    double m = meff[o->meff_method];
    if (m < 1) m = 1; /* p >= 1 eigenvalues summing to p: every estimator is >= 1 already */
    double thr = o->genome_wide_p / m, mlp = -log10(thr);
    const char *obj = RF_PHENOTYPES;
    err = h5out_write_all(h, RF_PHENOTYPES_CORR_EIGENVALUES, H5T_NATIVE_DOUBLE, p, 0, lambda);
    if (!err)
        err = h5out_attr_str(h, RF_PHENOTYPES_CORR_EIGENVALUES, "meaning",
                             "eigenvalues (descending) of the Pearson correlation, pairwise "
                             "complete, of the residualised phenotypes");
    if (!err) err = h5out_attr_double(h, obj, "meff", m);
    if (!err) err = h5out_attr_str(h, obj, "meff_method", meff_name[o->meff_method]);
    for (int k = 0; k < MEFF_N && !err; k++) {
        char an[32];
        snprintf(an, sizeof an, "meff_%s", meff_name[k]);
        err = h5out_attr_double(h, obj, an, meff[k]);
    }
    if (!err) err = h5out_attr_double(h, obj, "genome_wide_p", o->genome_wide_p);
    if (!err) err = h5out_attr_double(h, obj, "study_threshold_p", thr);
    if (!err) err = h5out_attr_double(h, obj, "study_threshold_log10p", mlp);
    if (!err) err = h5out_attr_double(h, RF_HITS, "locus_window_kb", o->locus_window_kb);
    if (!err && h->rank == 0) {
        log_info("scan: Meff %.2f of %zu phenotypes (%s; Li-Ji %.2f, Nyholt %.2f, Galwey %.2f): "
                 "study-wide threshold p < %.3g (-log10 p > %.3f)",
                 m, p, meff_name[o->meff_method], meff[MEFF_LI_JI], meff[MEFF_NYHOLT],
                 meff[MEFF_GALWEY], thr, mlp);
        if (n_undef)
            log_warn("scan: Meff: %zu phenotype pairs share fewer than 3 observed samples (or "
                     "do not vary on them): their correlation is taken as 0",
                     n_undef);
    }
    free(lambda);
    return err;
}
