/* pca_opts.c — see pca_opts.h. */
#include "pca_opts.h"

#include <math.h>
#include <string.h>

void pca_opts_read(const cfg_t *cfg, pca_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->pcs = (int)cfg_int(cfg, "pca.pcs");
    o->qc.maf = cfg_float(cfg, "pca.maf");
    o->qc.call_rate = cfg_float(cfg, "pca.call_rate");
    o->qc.hwe = cfg_float(cfg, "pca.hwe");
    o->prune = cfg_bool(cfg, "pca.prune");
    o->prune_window = cfg_int(cfg, "pca.prune_window");
    double kb = cfg_float(cfg, "pca.prune_window_kb");
    o->prune_window_kb = isnan(kb) ? 0 : kb;
    o->prune_step = cfg_int(cfg, "pca.prune_step");
    o->prune_r2 = cfg_float(cfg, "pca.prune_r2");
    o->ld_regions = cfg_str(cfg, "pca.ld_regions");
    o->chroms = cfg_str(cfg, "pca.chr");
    o->dosage = cfg_str(cfg, "pca.dosage");
    o->iterations = (int)cfg_int(cfg, "pca.iterations");
    o->block = (int)cfg_int(cfg, "pca.block");
    o->tol = cfg_float(cfg, "pca.tolerance");
    o->seed = (uint64_t)cfg_int(cfg, "pca.seed");
    o->king_threshold = cfg_float(cfg, "pca.king_threshold");
    o->king = cfg_bool(cfg, "pca.king");
    double f = cfg_float(cfg, "pca.king_table_filter");
    o->king_table_filter = isnan(f) ? o->king_threshold : f;
    o->remove_related = cfg_bool(cfg, "pca.remove_related");
}
