/* pca_geno.h — the PCA's genotypes: read once through the genotype sources (geno.h), each rank
 * the samples of its tiles (pca_tiles.h), QC'd on the pooled sums, kept in memory compactly.
 *
 * Every rank reads the same records in the same order in chunks: its own samples' dosages (or,
 * owning no tile, the sites alone), the per-tile QC sums added over the tiles in tile order
 * (pca_tiles_sum), so every rank takes the same QC decisions.  With one file per site, the
 * files must hold the same variants in the same order (checked, chunk by chunk, across ranks).
 * Dosages are put on plink2's grid of 1/16384 (as plink2 imports them), so a record of hard
 * calls is kept in 2 bits per sample and any other in 16 bits.  A source that holds hard calls
 * (.bed: geno_has_calls) is read packed, never as doubles: its QC counts come from the 2-bit
 * codes by table and its bytes go to the tiles as they are (the same sums, so the same
 * decisions and bits as through doubles).  Only variants that pass QC and lie outside the
 * build's long-range LD regions are kept. */
#ifndef RGX_PCA_GENO_H
#define RGX_PCA_GENO_H

#include <stddef.h>
#include <stdint.h>

#include "geno.h"
#include "pca_opts.h"
#include "pca_tiles.h"

/* Projection (pca --project): the variants of a reference PCA, keyed by chrom:pos:ref:alt
 * ("chr" dropped), with their reference ALT frequencies.  Reading keeps exactly those, in file
 * order, standardised by the reference's frequencies (no QC, no regions). */
typedef struct {
    void *map; /* key -> index (strmap_t) */
    char **key;
    const double *af;
    size_t m;
} pca_ref_t;

/* The key of a variant (caller frees). */
rgx_err pca_ref_key(const char *chrom, long pos, const char *ref, const char *alt, char **out);

typedef struct {
    uint8_t *data;
    size_t len, cap;
    size_t *off;   /* per variant: where its record starts */
    uint8_t *wide; /* per variant: 1 when 16 bits per sample */
    size_t n;      /* samples of the tile */
} pca_tile_store_t;

typedef struct {
    /* The kept variants, in file order. */
    size_t m, cap;
    int *chrom; /* index into chrom_name */
    long *pos;
    char **id, **ref, **alt;
    double *af, *call;   /* ALT frequency and call rate over the analysis samples */
    double *mu, *inv_sd; /* 2p and 1 / sqrt(2p(1 - p)): standardised as plink2 does */
    char **chrom_name;
    size_t n_chrom;
    pca_tile_store_t *store; /* per tile of this rank (T->mine order) */
    size_t n_store;
    const char *drop;  /* NULL, or per row of this rank: 1 to leave the sample out of the PCA */
    size_t *ref_index; /* with a reference: each kept variant's index in it */
    long n_not_in_ref;
    /* Counts, for the log and the run file. */
    long n_records, n_region, n_qc[8];
    long n_skip[GENO_SKIP_N];
    long n_calls[3]; /* calls of ploidy above 2, half calls, haploid autosomal calls (geno.h) */
} pca_geno_t;

/* Reads the genotype files (site s: paths[s], its samples the rows of site s of T) for the
 * analysis samples (ids, in row order).  Collective. */
rgx_err pca_geno_read(pca_geno_t *G, const pca_tiles_t *T, char *const *paths, char *const *ids,
                      const pca_opts_t *o, const pca_ref_t *ref);
void pca_geno_free(pca_geno_t *G);

/* Variant j's standardised values for the samples of this rank's tile mt (index into
 * T->mine): (dosage - 2p) / sqrt(2p(1 - p)), 0 where missing. */
void pca_geno_decode(const pca_geno_t *G, size_t mt, size_t j, double *x);

/* Variant j's hard calls for tile mt: 0, 1, 2, or 3 for missing (a dosage within 0.1 of a whole
 * number is that call, as plink2's default hard-call threshold). */
void pca_geno_calls(const pca_geno_t *G, size_t mt, size_t j, uint8_t *c);

#endif
