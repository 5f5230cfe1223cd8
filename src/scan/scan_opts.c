/* scan_opts.c — see scan_opts.h. */
#include "scan_opts.h"

#include <math.h>
#include <string.h>

#include "meff.h"

void scan_opts_read(const cfg_t *cfg, scan_opts_t *o)
{
    o->maf = cfg_float(cfg, "scan.maf");
    o->mac = cfg_float(cfg, "scan.mac");
    o->call_rate = cfg_float(cfg, "scan.call_rate");
    o->hwe = cfg_float(cfg, "scan.hwe");
    o->hits = cfg_float(cfg, "scan.hits_threshold");
    o->ckpt_after = cfg_float(cfg, "scan.checkpoint_after");
    o->min_obs = (double)cfg_int(cfg, "scan.min_obs");
    o->block = cfg_int(cfg, "scan.block_size");
    o->unit_bp = cfg_int(cfg, "scan.unit_mb") * 1000000L;
    o->int_transform = !strcmp(cfg_str(cfg, "scan.pheno_transform"), "int");
    double k = cfg_float(cfg, "scan.pheno_outliers");
    o->outlier_sd = isnan(k) ? 0 : k;
    o->genotype_format = cfg_str(cfg, "scan.genotype_format");
    o->dosage = cfg_str(cfg, "scan.dosage");
    o->chroms = cfg_str(cfg, "scan.chr");
    o->region = cfg_str(cfg, "scan.region");
    o->genome_wide_p = cfg_float(cfg, "scan.genome_wide_p");
    o->meff_method = meff_method(cfg_str(cfg, "scan.meff"));
    o->locus_window_kb = cfg_float(cfg, "scan.locus_window_kb");
    o->pcs = (int)cfg_int(cfg, "scan.pcs");
    o->pca = cfg_str(cfg, "scan.pca");
    o->pheno_names = cfg_str(cfg, "scan.pheno_names");
    o->covar_names = cfg_str(cfg, "scan.covar_names");
    const char *oc = cfg_str(cfg, "scan.outcome"), *fi = cfg_str(cfg, "scan.firth");
    o->survival = cfg_str(cfg, "scan.survival");
    o->outcome = o->survival || !strcmp(oc, "survival") ? SCAN_SURVIVAL
                 : !strcmp(oc, "binary")               ? SCAN_BINARY
                                                       : SCAN_QUANT;
    o->coding12 = !strcmp(cfg_str(cfg, "scan.binary_coding"), "12");
    o->firth = !strcmp(fi, "never") ? 1 : !strcmp(fi, "always") ? 2 : 0; /* LOGIT_FIRTH_* */
    o->screen_p = cfg_float(cfg, "scan.screen_p");
    o->full_fit_mac = cfg_float(cfg, "scan.full_fit_mac");
    /* null: the quantitative scan's cross products compressed (the store a biobank scan
     * makes large: docs/formats.md), the fitted outcomes' five statistics not (their cohorts
     * are small, and compression would put the ranks' writes in step). */
    o->compress = cfg_is_null(cfg, "scan.compress") ? (o->outcome == SCAN_QUANT ? 1 : 0)
                                                     : (int)cfg_int(cfg, "scan.compress");
    /* Binary and time-to-event values are not transformed, and not trimmed as outliers. */
    if (o->outcome != SCAN_QUANT) o->int_transform = 0, o->outlier_sd = 0;
    o->sex_column = cfg_str(cfg, "scan.sex_column");
    o->split_par = cfg_str(cfg, "scan.split_par");
    if (o->split_par && !strcmp(o->split_par, "none")) o->split_par = NULL;
}
