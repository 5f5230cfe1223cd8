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
    const char *genotype_format; /* "auto", "vcf", "bed", "bgen" (geno_open) */
    const char *dosage, *chroms, *region, *pheno_names, *covar_names;
    const char *sex_column, *split_par; /* chrX: the covariate column of sex; a build or NULL */
} scan_opts_t;

void scan_opts_read(const cfg_t *cfg, scan_opts_t *o);

#endif
