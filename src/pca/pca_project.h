/* pca_project.h — new samples placed on a reference PCA (pca --project REF.h5).
 *
 * A sample's score on PC k is its standardised genotypes at the reference's variants, with the
 * reference's allele frequencies ((dosage - 2p) / sqrt(2p(1 - p)), missing or absent: 0),
 * times the reference's loading k, over sqrt(m ev_k): for a sample of the reference itself
 * this gives back its own score.  (Projected scores of samples outside the reference shrink
 * towards 0 when samples are few relative to variants, as every projection does.) */
#ifndef RGX_PCA_PROJECT_H
#define RGX_PCA_PROJECT_H

#include "pca_geno.h"
#include "pca_tiles.h"

typedef struct {
    pca_ref_t ref;
    double *af, *loading, *eigval; /* m; m x K; K */
    size_t K;
} pca_reference_t;

/* Reads /pca of a run file. */
rgx_err pca_reference_read(const char *path, pca_reference_t *R);
void pca_reference_free(pca_reference_t *R);

/* This rank's rows' scores (T->n_rows x K) from G read against R. */
rgx_err pca_project_scores(const pca_geno_t *G, const pca_tiles_t *T, const pca_reference_t *R,
                           double *scores);

#endif
