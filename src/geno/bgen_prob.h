/* bgen_prob.h — BGEN genotype probabilities to dosages of the second allele (geno_bgen.c).
 *
 * Works on one record's decompressed probability data, in memory, so that it can be tested
 * and fuzzed alone.  Layout 2 (BGEN v1.2, v1.3): any bit depth 1..32, unphased or phased, any
 * ploidy per sample; for a biallelic record every sample stores as many values as its ploidy
 * (unphased: P(AA), P(AB) for a diploid, P(A) for a haploid; phased: P(allele A) of each
 * haplotype), each B bits, value / (2^B - 1).  The dosage of allele B is 2 - 2 P(AA) - P(AB)
 * (unphased diploid), 2 - h1 - h2 (phased diploid), 2 - 2 P(A) (haploid: counts 0 or 2),
 * computed as one exact integer numerator divided by 2^B - 1 (or by table for B <= 10, with the
 * same values).  A sample flagged missing is NaN; a ploidy of 0 or above 2 is NaN and counted.
 * Probabilities whose stored values sum above 1 give a dosage clamped at 0.
 * Layout 1 (BGEN v1.1): three 16-bit probabilities per sample, dosage (P(AB) + 2 P(BB)) / sum,
 * as plink2 reads them; all three zero is missing. */
#ifndef RGX_BGEN_PROB_H
#define RGX_BGEN_PROB_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int n_file;     /* samples in the file */
    int n;          /* analysis samples */
    const int *col; /* their file columns */
    int identity;   /* col[i] == i: the file's first n samples, in order */
    uint64_t *bit;  /* scratch: each file sample's first bit (variable ploidy) */
    double *table[11]; /* B <= 10: dosage by a * v0 + v1 */
} bgen_prob_t;

/* The decoder for n analysis samples at columns col (borrowed); 0, or -1 out of memory. */
int bgen_prob_init(bgen_prob_t *p, int n_file, const int *col, int n);
void bgen_prob_free(bgen_prob_t *p);

/* Layout 2: d[0..len) the record's probability data, n_allele its allele count (2).  Fills
 * dose[0..n) and adds to *bad the calls made missing for their ploidy.  NULL, or what is
 * wrong with the data. */
const char *bgen_prob_layout2(bgen_prob_t *p, const uint8_t *d, size_t len, int n_allele,
                              double *dose, long *bad);
/* Layout 1: d[0..len) the record's 6 * n_file bytes. */
const char *bgen_prob_layout1(const bgen_prob_t *p, const uint8_t *d, size_t len, double *dose);

#endif
