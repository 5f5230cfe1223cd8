/* scan_stage.h — the [join] and [scan] stages: phenotypes and covariates joined to the
 * genotype samples, then the association scan of every phenotype against every variant,
 * written to /variants, /assoc, /phenotypes and /hits of a run file.
 *
 * The driver (scan_stage.c) reads as its steps: inputs and join (scan_join.c), rows and
 * blocks (scan_rows.c), the block loop (one file: here; one file per site: scan_sites.c;
 * checkpoints: scan_resume.c; a block's shape: scan_blk.c), outputs (scan_out.c); the
 * arithmetic is scan.c's and the per-variant QC scan_vqc.c's.
 *
 * Decomposition: variant-partitioned (one genotype file for everyone).  The genome is cut
 * into fixed units (windows of scan.unit_mb); ranks count the biallelic records of the units,
 * then take units by load (largest first to the least-loaded rank) and read them through the
 * index; phenotypes and covariates are replicated (they are small).  Units and blocks depend
 * only on the genotype file and the config, and each variant's statistics only on its own
 * dosages, so the results are bitwise identical for any number of ranks. */
#ifndef RGX_SCAN_STAGE_H
#define RGX_SCAN_STAGE_H

#include "cfg.h"
#include "err.h"
#include "h5out.h"

typedef struct {
    const char *genotypes; /* VCF/BCF */
    const char *pheno;     /* phenotype table, or NULL: the /features of run */
    const char *run;       /* run file with /samples and /features */
    const char *covar;     /* covariate table or NULL */
    /* Checkpoints (NULL: none): every finished block of variants is recorded in ckpt_dir
     * (ckpt.h, stage "scan", keyed by its first row), and a rerun with the same inputs and
     * config takes the recorded blocks instead of computing them, with any rank count: blocks
     * depend only on the genotype file and the config.  stop() (may be NULL) is polled
     * between blocks; when it fires on any rank, every rank stops after its block and the
     * stage returns RGX_ERR_REQUEUE. */
    const char *ckpt_dir;
    int (*stop)(void);
    /* The SHA-256 of pheno and covar when already computed (provenance), else NULL. */
    const char *pheno_sha, *covar_sha;
    /* The run file with /pca for scan.pcs when the config names none (radiogx run's pca.h5;
     * NULL: the run file). */
    const char *pca;
} scan_inputs_t;

/* Collective. */
rgx_err scan_stage(const cfg_t *cfg, const scan_inputs_t *in, h5out_t *h);

#endif
