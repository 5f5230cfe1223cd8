/* pca_out.h — the PCA's outputs: /pca in the run file and plink2-style text files.
 *
 * /pca/samples (ids, the analysis samples in row order), /pca/scores (n x K: unit-norm
 * eigenvectors of the GRM, as plink2's .eigenvec), /pca/eigenvalues (K, of X X' / m as
 * plink2's .eigenval), /pca/variants/{chrom,id,ref,alt,pos,af} (the m variants used),
 * /pca/loadings (m x K: unit-norm variant weights; a new sample's score k is its
 * standardised genotypes times loading k over sqrt(m ev_k), pca --project), with the settings
 * and counts as attributes of /pca.  PREFIX.eigenvec: "#IID PC1 .. PCK" then one line per
 * sample; PREFIX.eigenval: one eigenvalue per line (plink2's layout). */
#ifndef RGX_PCA_OUT_H
#define RGX_PCA_OUT_H

#include "h5out.h"
#include "pca_geno.h"
#include "pca_king.h"
#include "pca_krylov.h"
#include "pca_opts.h"
#include "pca_tiles.h"

/* Every rank gets all n x K scores in row order (from each rank's tiles).  Collective. */
rgx_err pca_gather_scores(const pca_tiles_t *T, const double *mine, size_t K, double *all);

/* Writes /pca.  scores: all n x K.  Collective. */
rgx_err pca_out_write(h5out_t *h, const pca_tiles_t *T, char *const *ids, const pca_geno_t *G,
                      const size_t *sel, const pca_result_t *R, const double *scores,
                      const pca_opts_t *o);

/* /pca/king: the related pairs (kinship > threshold) — values (row1, row2, nsnp, hethet, ibs0,
 * kinship), sample1, sample2 — and /pca/related (1: left out of the PCA and projected) when
 * drop is given.  Collective. */
rgx_err pca_out_king(h5out_t *h, char *const *ids, size_t n, const king_pair_t *pairs, size_t np,
                     size_t n_all, const char *drop, const pca_opts_t *o, int one_file);

/* PREFIX.kin0: the pairs with kinship above filter, as plink2 --make-king-table writes them
 * (#IID1 IID2 NSNP HETHET IBS0 KINSHIP; call on one rank). */
rgx_err pca_out_kin0(const char *prefix, char *const *ids, const king_pair_t *pairs, size_t np,
                     double filter);

/* PREFIX.eigenvec and PREFIX.eigenval (call on one rank). */
rgx_err pca_out_text(const char *prefix, size_t n, char *const *ids, const pca_result_t *R,
                     const double *scores);

#endif
