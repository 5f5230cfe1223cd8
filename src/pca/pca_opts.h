/* pca_opts.h — the settings of `radiogx pca`, read once from the effective config (pca.*). */
#ifndef RGX_PCA_OPTS_H
#define RGX_PCA_OPTS_H

#include <stdint.h>

#include "cfg.h"
#include "scan_opts.h"

typedef struct {
    int pcs;                /* K */
    scan_opts_t qc;         /* maf, call_rate, hwe (the scan's QC code) */
    int prune;              /* LD pruning as plink2 --indep-pairwise */
    long prune_window;      /* variants (when prune_window_kb is 0) */
    double prune_window_kb; /* > 0: the window in kb instead */
    long prune_step;        /* variants */
    double prune_r2;
    const char *ld_regions; /* GRCh37, GRCh38, none */
    const char *chroms;     /* null: the autosomes */
    const char *dosage;
    int iterations, block; /* block 0: max(2 K, K + 10) */
    double tol;            /* stop once the top K Ritz pairs' residuals are below (0: never) */
    uint64_t seed;
    double king_threshold;    /* kinship above it: related */
    double king_table_filter; /* PREFIX.kin0: pairs above it */
    int king, remove_related;
} pca_opts_t;

void pca_opts_read(const cfg_t *cfg, pca_opts_t *o);

#endif
