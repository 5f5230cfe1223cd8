/* sim_cohort.h — a synthetic cohort that exercises the whole pipeline (`radiogx simulate`;
 * the generative model: docs/cmd-simulate.md): images and masks (sim_image.h), genotypes
 * (sim_geno.h), covariates, outcomes, the manifest and the truth. */
#ifndef RGX_SIM_COHORT_H
#define RGX_SIM_COHORT_H

#include <stdint.h>

#include "cfg.h"
#include "err.h"

enum { SIM_MAX_CH = 8 };

/* The cohort's settings: the keys of the simulate section (schema_simulate.c), typed. */
typedef struct {
    long n_patients, n_variants;
    uint64_t seed;
    int n_chrom, n_sites, n_labels, threads, failures, mask_per_channel;
    int dicom; /* format dicom: DIR/dicom/<patient>/ (sim_dicom.h) instead of NIfTI files */
    double missing_rate, multiallelic, effect, lesion_mm3, lesion_spread, site_scale;
    int n_anc;             /* ancestral groups (1: none) */
    double fst, anc_shift; /* Balding-Nichols F; the heterogeneity range across groups */
    int outcomes;          /* radiotherapy outcomes: dose, toxicity, time to event */
    double outcome_effect; /* per allele: liability SD (toxicity), log hazard ratio */
    int n_ch;
    char *channel[SIM_MAX_CH]; /* point into chan_buf */
    char chan_buf[256];
    int dim[3];
    double spacing[3];
    const char *out; /* the folder written */
} sim_opt_t;

/* The settings from cfg's simulate section (every key; defaults from the schema), with the
 * output folder and the threads (images and compression), then checked: what a key's type and
 * range cannot say (the required keys, channel names, dims, spacing, open ranges, outcomes
 * with fewer than 6 chromosomes) is an RGX_ERR_USAGE naming the option and the value. */
rgx_err sim_opts_init(sim_opt_t *o, const cfg_t *cfg, const char *out, int threads);

/* Writes the cohort into o->out (created), the same bytes for the same settings whatever
 * the threads. */
rgx_err sim_cohort_write(const sim_opt_t *o);

#endif
