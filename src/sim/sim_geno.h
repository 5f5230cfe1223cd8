/* sim_geno.h — simulated genotypes written as a bgzipped, tabix-indexed VCF (GT and DS).
 *
 * Model: variants spread along chromosomes 1..C in proportion to GRCh38 lengths; LD blocks of
 * 10-60 variants in which every haplotype copies one of six founder haplotypes (with 1%
 * mutation), so neighbours correlate inside a block and not across; minor allele frequencies
 * log-uniform between 0.5% and 50% (many rare variants, as in real arrays); DS equal to the
 * allele count, or, for a third of the variants ("imputed"), the count plus noise that never
 * moves it half-way to another genotype.  One causal variant is planted in the middle of each
 * of chromosomes 1..n_causal with allele frequency 0.4; its genotypes are returned.
 *
 * Structure (n_anc > 1 ancestral groups): each non-causal variant's ALT frequency in group k
 * is drawn by the Balding-Nichols model, p_k ~ Beta(p (1 - F) / F, (1 - p)(1 - F) / F) around
 * its frequency p among the haplotypes (after they copy their founders), and every haplotype
 * of a group-k sample is
 * moved to p_k (an ALT allele becomes REF with probability (p - p_k) / p when p_k < p, a REF
 * allele ALT with probability (p_k - p) / (1 - p) when p_k > p), which keeps the LD blocks
 * and gives each group its own frequencies.  The causal variants are not differentiated. */
#ifndef RGX_SIM_GENO_H
#define RGX_SIM_GENO_H

#include <stdint.h>

#include "err.h"

typedef struct {
    int chrom;
    long pos;
    char id[48], ref, alt;
    uint8_t *g; /* allele counts per sample (NULL when not causal) */
} sim_variant_t;

typedef struct {
    /* In. */
    uint64_t seed;
    int n_samples;
    char **sample; /* VCF sample ids, in column order */
    long n_variants;
    int n_chrom;         /* 1..22 */
    int n_causal;        /* causal variants to plant (<= n_chrom) */
    double missing_rate; /* fraction of calls written as ./. */
    double multiallelic; /* fraction of records with two ALT alleles */
    int threads;         /* compression threads */
    int n_anc;           /* ancestral groups (0 or 1: none) */
    const int *anc;      /* per sample: its group, 0..n_anc-1 */
    double fst;          /* Balding-Nichols F */
    /* Out. */
    sim_variant_t *causal; /* n_causal planted variants with their genotypes */
} sim_geno_t;

/* Writes path (.vcf.gz) and path.tbi. */
rgx_err sim_geno_write(sim_geno_t *g, const char *path);
void sim_geno_free(sim_geno_t *g);

#endif
