/* scan_study.c — see scan_study.h. */
#include "scan_study.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "meff.h"
#include "util.h"
#include "runfile.h"

/* Rank 0: the eigenvalues of the residualised phenotypes' correlation. */
static rgx_err eigenvalues(const scan_model_t *M, double *lambda, size_t *n_undef)
{
    size_t n = M->n, p = M->p, G = M->n_groups ? M->n_groups : 1;
    double *mask = NULL, *R = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&mask, (n ? n : 1) * G, sizeof *mask)) ||
        (err = rgx_calloc(&R, p * p, sizeof *R)))
        goto out;
    for (size_t g = 0; g < M->n_groups; g++)
        for (size_t i = 0; i < n; i++) mask[i * G + g] = M->g[g].mask[i];
    /* The residualised phenotypes are the first p columns of the scan's GEMM right-hand side. */
    if (!(err = meff_corr(M->rhs, M->rhs_cols, mask, M->group, n, p, G, R, n_undef)))
        err = meff_eigen(R, p, lambda);
out:
    free(mask), free(R);
    return err;
}

rgx_err scan_study_write(h5out_t *h, const scan_model_t *M, const scan_opts_t *o)
{
    size_t p = M->p, n_undef = 0;
    if (!p) return RGX_OK;
    double *lambda = NULL, meff[MEFF_N];
    rgx_err err = rgx_calloc(&lambda, p, sizeof *lambda);
    int bad = err != RGX_OK;
    if (!bad && h->rank == 0) bad = (err = eigenvalues(M, lambda, &n_undef)) != RGX_OK;
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
