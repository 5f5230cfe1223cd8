/* pca_prune.h — LD pruning as plink2 --indep-pairwise (window, step, r^2).
 *
 * On each chromosome, a window of `prune_window` variants (or of `prune_window_kb` kb from its
 * first variant) moves `prune_step` variants at a time; inside a window, every pair of
 * variants still kept whose r^2 exceeds `prune_r2` loses one — the one of lower minor allele
 * frequency (the later one on a tie) — until no such pair is left.  r^2 is Pearson's, over
 * the analysis samples, of the standardised dosages (missing: the mean).  The pairs' sums
 * (sum x, sum x^2, sum xy) are computed in bands per tile and added in tile order
 * (pca_tiles.h), so every rank prunes the same variants. */
#ifndef RGX_PCA_PRUNE_H
#define RGX_PCA_PRUNE_H

#include "pca_geno.h"
#include "pca_opts.h"
#include "pca_tiles.h"

/* The variants kept (indices into G, ascending) in *sel (caller frees), *ms of them; without
 * pruning (o->prune 0) every variant of G.  Collective. */
rgx_err pca_prune(const pca_geno_t *G, const pca_tiles_t *T, const pca_opts_t *o, size_t **sel,
                  size_t *ms);

#endif
