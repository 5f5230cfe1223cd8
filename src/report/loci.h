/* loci.h — the scan's hits clumped into loci across phenotypes.
 *
 * One locus signal is often many (variant, phenotype) pairs: correlated imaging phenotypes hit
 * by the same variant, and the variant's LD neighbours.  Clumping, greedy and deterministic:
 * the strongest pair not yet in a locus (largest -log10 p; ties: lower variant row, then
 * phenotype order) leads a new locus, which takes every pair not yet in a locus whose variant
 * lies on the lead's chromosome within +- window of the lead's position (and, when the scan
 * stored the hits' LD, has r^2 >= locus_r2 with the lead variant; the lead variant's own
 * pairs always belong).  Then the next strongest pair, and so on.
 *
 * A locus lists its lead pair, its span (the positions of its variants), the numbers of
 * phenotypes, variants and pairs in it (all at or above the hits threshold), whether the lead
 * passes the study-wide threshold alpha / Meff, and its phenotypes' families (from
 * /features/family; "-" for a phenotype that is not a radiomic feature of the run). */
#ifndef RGX_LOCI_H
#define RGX_LOCI_H

#include <hdf5.h>
#include <stddef.h>

#include "err.h"

typedef struct {
    size_t row;   /* variant row in /variants */
    size_t pheno; /* index in names */
    double beta, se, mlp;
    size_t locus; /* its locus (index into loc) */
} loci_hit_t;

typedef struct {
    size_t lead;       /* index into hit */
    double start, end; /* span of its variants' positions */
    size_t n_pheno, n_var, n_pairs;
    char *families; /* distinct families, comma-separated, most pairs first */
    int study_wide; /* the lead is at or above the study-wide threshold */
} locus_t;

typedef struct {
    size_t nh, nl, nv, np;
    loci_hit_t *hit; /* in /hits order (variant row, then phenotype) */
    locus_t *loc;    /* in genome order of their leads (variant row) */
    char **chrom, **id, **ref, **alt, **pname, **family; /* per variant; per phenotype */
    double *pos;
    double window_bp;                    /* +- around the lead */
    double r2;                           /* NAN: window only */
    double hits_threshold, study_log10p; /* -log10 p; study: NAN when the run has no Meff */
    double meff;
} loci_t;

/* Reads /hits, /variants and /phenotypes of an open run file and clumps the hits.  window_kb
 * <= 0 and r2 NAN take the scan's settings (/hits attributes locus_window_kb, locus_r2; 250
 * kb and window only for a run file that has none). */
rgx_err loci_read(loci_t *L, hid_t f, const char *path, double window_kb, double r2);
void loci_free(loci_t *L);

/* The loci as a TSV: locus chrom start end lead_variant lead_pos lead_phenotype lead_beta
 * lead_se lead_neg_log10_p study_wide n_phenotypes n_variants n_pairs families phenotypes. */
rgx_err loci_write_tsv(const loci_t *L, const char *path);

/* export --loci: the loci of a run file as a TSV (window_kb <= 0: the scan's setting). */
rgx_err export_loci(const char *run_path, const char *out_path, double window_kb);

/* Loci by strength (lead -log10 p descending): an order of indices into L->loc. */
rgx_err loci_by_strength(const loci_t *L, size_t **order);

#endif
