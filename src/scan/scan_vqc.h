/* scan_vqc.h — per-variant QC from sums over the analysis samples: call rate, allele
 * frequency, minor allele count, Hardy-Weinberg p.  The sums add up across ranks and sites,
 * so QC of a sample-partitioned scan is that of the pooled samples. */
#ifndef RGX_SCAN_VQC_H
#define RGX_SCAN_VQC_H

#include <stddef.h>

#include "scan_opts.h"

typedef struct {
    double af, call_rate, hwe_p, mac;
    long n_obs;
    int pass; /* Q_PASS: tested; else the first filter that removed it */
} vqc_t;

enum { Q_PASS = 1, Q_CALL = 2, Q_MAF = 3, Q_MAC = 4, Q_HWE = 5, Q_MONO = 6, Q_N = 7 };
extern const char *const vqc_name[Q_N]; /* "", "tested", "call_rate", ... */

/* Adds the dosages' QC sums to q: q[0] the sum, q[1] the observed calls, q[2..4] the hard-call
 * counts of 0, 1 and 2. */
void vqc_sums(const double *d, size_t n, double q[5]);
/* g = the dosages minus their mean, 0 where missing (a tested variant's row of G); g may
 * be d itself. */
void vqc_center(const double *d, size_t n, double mean, double *g);
/* QC from the sums: the dosage sum s, the observed calls, the hard-call counts and the number
 * of samples; *mean is the mean dosage of the observed calls. */
void vqc_from_sums(const scan_opts_t *o, double s, long obs, const double cnt[3], size_t n,
                   vqc_t *v, double *mean);
/* vqc_from_sums for a caller that keeps the decision alone (the PCA): the same pass, but
 * hwe_p is computed only when the HWE filter is on and reached (else NAN). */
void vqc_decide(const scan_opts_t *o, double s, long obs, const double cnt[3], size_t n,
                vqc_t *v, double *mean);
/* Both, for one variant's dosages. */
void vqc_variant(const scan_opts_t *o, const double *d, size_t n, vqc_t *v, double *mean);

#endif
