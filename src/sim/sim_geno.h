/* sim_geno.h — simulated genotypes written as a bgzipped, tabix-indexed VCF (GT and DS).
 *
 * Model: variants spread along chromosomes 1..C in proportion to GRCh38 lengths; LD blocks of
 * 10-60 variants in which every haplotype copies one of six founder haplotypes (with 1%
 * mutation), so neighbours correlate inside a block and not across; minor allele frequencies
 * log-uniform between 0.5% and 50% (many rare variants, as in real arrays); DS equal to the
 * allele count, or, for a third of the variants ("imputed"), the count plus noise that never
 * moves it half-way to another genotype.  One causal variant is planted in the middle of each
 * of chromosomes 1..n_causal with allele frequency 0.4; its genotypes are returned. */
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
    /* Out. */
    sim_variant_t *causal; /* n_causal planted variants with their genotypes */
} sim_geno_t;

/* Writes path (.vcf.gz) and path.tbi. */
rgx_err sim_geno_write(sim_geno_t *g, const char *path);
void sim_geno_free(sim_geno_t *g);

#endif
