/* pca_stage.h — `radiogx pca`: ancestry principal components (and KING kinship) of the
 * analysis samples, computed inside the MPI job from the genotype sources, written to /pca of
 * a run file and as plink2-style .eigenvec / .eigenval.
 *
 * Steps: the samples (a run file's extracted patients, a --keep list, or every sample of the
 * genotype files) joined to the genotype files (the first file that has a sample is its site)
 * -> tiles (pca_tiles.h) -> genotypes read, QC'd, long-range LD regions left out
 * (pca_geno.h) -> LD pruning (pca_prune.h) -> kinship (pca_king.h) -> the block Krylov PCA
 * (pca_krylov.h) -> outputs (pca_out.h). */
#ifndef RGX_PCA_STAGE_H
#define RGX_PCA_STAGE_H

#include "cfg.h"
#include "err.h"
#include "h5out.h"

typedef struct {
    const char *genotypes; /* a file, or one per site (comma list) */
    const char *run;       /* samples: the run file's extracted patients (or NULL) */
    const char *keep;      /* samples: a file of ids (or NULL); neither: every sample */
    const char *prefix;    /* PREFIX.eigenvec and PREFIX.eigenval (NULL: none) */
    const char *project;   /* a run file with /pca: project the samples onto it (or NULL) */
} pca_inputs_t;

/* Collective. */
rgx_err pca_stage(const cfg_t *cfg, const pca_inputs_t *in, h5out_t *h);

#endif
