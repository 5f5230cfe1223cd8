/* pca_king.h — relatedness: KING-robust kinship of pairs of samples (Manichaikul et al. 2010),
 * as plink2 --make-king-table computes it.
 *
 * For a pair (i, j), over the variants where both have a hard call: HETHET (both
 * heterozygous), IBS0 (opposite homozygotes), H_i and H_j (heterozygous calls of each); the
 * kinship is (HETHET - 2 IBS0) / (2 min(H_i, H_j)) + 1/2 - (H_i + H_j) / (4 min(H_i, H_j))
 * (KING's between-family estimator, which plink2 reports).  0.354 and above: duplicates or
 * monozygotic twins; 0.177: first degree; 0.0884: second; 0.0442: third.
 *
 * Counts of pairs are not sums over samples: they compare two samples' genotypes, so they can
 * only be formed where both samples' genotypes are.  With one genotype file, the ranks
 * exchange their samples' hard calls (2 bits each, packed: one site, one file, nothing leaves
 * it) and every pair is computed; with one file per site, pairs are formed within each site
 * only — no genotype crosses sites, and a relative pair split across two sites is not found
 * (docs/cmd-pca.md).  Exact integer counts: the same pairs and values for any rank count. */
#ifndef RGX_PCA_KING_H
#define RGX_PCA_KING_H

#include <stddef.h>

#include "pca_geno.h"
#include "pca_tiles.h"

typedef struct {
    size_t i, j;                        /* analysis rows, i < j */
    double nsnp, hethet, ibs0, kinship; /* hethet, ibs0: proportions of nsnp, as plink2 */
} king_pair_t;

/* The pairs of a site with kinship > filter, sorted by (i, j), on every rank; *n_all: the
 * pairs computed.  The variants: sel[0..ms) of G.  Collective. */
rgx_err pca_king(const pca_geno_t *G, const size_t *sel, size_t ms, const pca_tiles_t *T,
                 double filter, king_pair_t **pairs, size_t *np, size_t *n_all);

/* A maximal unrelated set, deterministically: while related pairs (kinship > threshold)
 * remain, remove the sample with the most relatives left (on a tie, the later row).  drop[n]
 * gets 1 for the removed samples; returns how many. */
size_t pca_king_unrelated(const king_pair_t *pairs, size_t np, double threshold, size_t n,
                          char *drop);

#endif
