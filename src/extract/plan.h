/* plan.h — [plan]: validate every patient's inputs before any work, estimate each patient's
 * cost and assign patients to ranks.
 *
 * Per patient: every image and mask exists and has a readable header (NIfTI, or a DICOM
 * series found and checked: dicom.h), each mask is on its image's grid (dimensions, affine
 * within a tolerance; an RTSTRUCT's ROI is there and is rasterised on it), the ROI is not
 * empty, the dose channel's structures are there and inside the dose grid (dose.h), and the
 * sample id is in the genotype file's header.  A patient that fails a check is marked (status
 * and reason) and the run goes on without it; the caller prints plan->problem lines.
 * The work is shared: rank r checks patients r, r + P, ..., and the results are gathered,
 * so a 100,000-patient cohort does not wait on one rank reading every mask. */
#ifndef RGX_PLAN_H
#define RGX_PLAN_H

#include <mpi.h>
#include <stddef.h>

#include "dose.h"
#include "err.h"
#include "manifest.h"

enum { PLAN_OK = 0, PLAN_BAD_INPUT = 1, PLAN_NO_GENOTYPES = 2 };

typedef struct {
    int status;    /* PLAN_OK, PLAN_BAD_INPUT (cannot be extracted), PLAN_NO_GENOTYPES
                      (extracted, left out of the scan) */
    char *reason;  /* NULL when ok */
    double cost;   /* estimated work: ROI voxels summed over channels and labels */
    long roi_voxels;
    int rank;      /* static assignment (-1 for a bad patient) */
} plan_patient_t;

typedef struct {
    const char *genotypes;  /* one genotype file for everyone, or NULL (manifest column / none) */
    const char *genotype_format; /* "vcf", "bed", "bgen", or NULL: from the file name */
    const int *labels;      /* ROI labels to count, or NULL for every non-zero label */
    int n_labels;
    double geometry_tol_mm; /* affine tolerance between image and mask */
    const dose_opt_t *dose; /* the dose channel (NULL or channel -1: none): its structures
                               present, not empty, covered by the dose grid */
} plan_opt_t;

typedef struct {
    size_t n;               /* = manifest rows */
    plan_patient_t *p;
    size_t n_bad, n_no_geno;
    int n_ranks;
    double *rank_cost;      /* n_ranks totals of the static assignment */
    size_t n_problems;
    char **problem;         /* "manifest.tsv:7: patient P0005: ..." one per problem */
    double geometry_tol_mm; /* the tolerance the checks used */
    int n_channels;
    int **labels;           /* per channel: the ROI labels found in any patient's mask, sorted
                               (the dose channel: 1 .. its number of structures) */
    int *n_labels;
} plan_t;

void plan_opt_init(plan_opt_t *opt);

/* Collective over comm (MPI_COMM_NULL: this process alone).  Returns an error only when
 * the plan itself cannot be made (out of memory, MPI failure); bad patients are data. */
rgx_err plan_make(const manifest_t *m, const plan_opt_t *opt, MPI_Comm comm, int n_ranks,
                  plan_t *plan);
void plan_free(plan_t *plan);

#endif
