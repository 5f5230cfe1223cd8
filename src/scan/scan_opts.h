/* scan_opts.h — the scan's settings, read once from the effective config (keys scan.*). */
#ifndef RGX_SCAN_OPTS_H
#define RGX_SCAN_OPTS_H

#include "cfg.h"

typedef struct {
    double maf, mac, call_rate, hwe, hits, min_obs;
    long block, unit_bp;
    int int_transform, compress;
    double outlier_sd; /* 0: no outlier removal */
    double ckpt_after; /* seconds of scanning before blocks are checkpointed */
    double genome_wide_p; /* alpha of one phenotype; the study-wide threshold is alpha / Meff */
    int meff_method;      /* meff_method_t */
    double locus_window_kb; /* loci: +- around the lead pair */
    int pcs;                /* principal components added to the covariates (pca_cov.h) */
    const char *pca;        /* the run file with /pca (NULL: the --run file) */
    const char *genotype_format; /* "auto", "vcf", "bed", "bgen" (geno_open) */
    const char *dosage, *chroms, *region, *pheno_names, *covar_names;
    /* Outcomes (docs/cmd-scan.md): SCAN_QUANT, SCAN_BINARY, SCAN_SURVIVAL */
    int outcome, coding12, firth;
    double screen_p, full_fit_mac;
    const char *survival; /* TIME:EVENT pairs */
    const char *sex_column, *split_par; /* chrX: the covariate column of sex; a build or NULL */
} scan_opts_t;

enum { SCAN_QUANT = 0, SCAN_BINARY = 1, SCAN_SURVIVAL = 2 };

void scan_opts_read(const cfg_t *cfg, scan_opts_t *o);

#endif
