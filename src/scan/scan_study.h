/* scan_study.h — what reading the scan study-wide needs, written after /hits: the
 * phenotype-wide threshold — Meff of the scanned phenotypes (meff.h) and alpha / Meff, to
 * /phenotypes (attributes meff, meff_method, meff_li_ji, meff_nyholt, meff_galwey,
 * genome_wide_p, study_threshold_p, study_threshold_log10p; dataset corr_eigenvalues), logged —
 * and how hits are clumped into loci (loci.h): /hits attribute locus_window_kb. */
#ifndef RGX_SCAN_STUDY_H
#define RGX_SCAN_STUDY_H

#include "h5out.h"
#include "scan.h"
#include "scan_opts.h"

/* Collective: rank 0 computes, every rank writes the same values. */
rgx_err scan_study_write(h5out_t *h, const scan_model_t *M, const scan_opts_t *o);

#endif
