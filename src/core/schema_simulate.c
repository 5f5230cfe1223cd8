/* schema_simulate.c — the options of `radiogx simulate`, as the keys of a `simulate` section.
 * Each key with a .flag is an option of the command (opts.h); the switches --mask-per-channel,
 * --outcomes and --inject-failures are the overrides of their boolean keys (cmd_simulate.c).
 * The section is no part of a study config (rgx_schema): `radiogx simulate -c FILE` reads a
 * file with a `simulate:` section only (schema_simulate_root), so that a cohort's recipe can be
 * kept beside it.  Checks that span keys (the channels' names, --dims, --outcomes with fewer
 * than 6 chromosomes) are sim_opts_check's (src/sim/sim_cohort.c). */
#include "schema.h"

const cfg_key_t schema_simulate[] = {
    {.name = "patients", .flag = "patients", .short_flag = 'n', .metavar = "N", .type = CFG_INT,
     .min = 1, .max = 1e7, .doc = "patients"},
    {.name = "variants", .flag = "variants", .short_flag = 'm', .metavar = "M", .type = CFG_INT,
     .min = 1, .max = 1e10, .doc = "variants"},
    {.name = "seed", .flag = "seed", .short_flag = 's', .metavar = "S", .type = CFG_INT,
     .def = "1", .min = 0, .max = 9.2e18, .doc = "random seed"},
    {.name = "chromosomes", .flag = "chromosomes", .metavar = "C", .type = CFG_INT, .def = "22",
     .min = 1, .max = 22, .doc = "chromosomes 1..C"},
    {.name = "channels", .flag = "channels", .metavar = "LIST", .type = CFG_STRING, .def = "CT",
     .doc = "image channels, comma-separated names of letters and digits (at most 8), e.g. CT "
            "or T1,FLAIR"},
    {.name = "mask_per_channel", .type = CFG_BOOL, .def = "false",
     .doc = "one mask per channel, channels after the first on their own grid (1 x 1 x 3 mm), "
            "as real multi-modal data (--mask-per-channel)"},
    {.name = "labels", .flag = "labels", .metavar = "L", .type = CFG_INT, .def = "1", .min = 1,
     .max = 2, .doc = "1: lesion only; 2: also a normal-tissue label"},
    {.name = "dims", .flag = "dims", .metavar = "X,Y,Z", .type = CFG_STRING, .def = "128,128,40",
     .doc = "image size in voxels (X, Y >= 16, Z >= 8)"},
    {.name = "spacing", .flag = "spacing", .metavar = "X,Y,Z", .type = CFG_STRING,
     .def = "0.8,0.8,2.5", .doc = "voxel size in mm (each > 0)"},
    {.name = "lesion_volume", .flag = "lesion-volume", .metavar = "V", .type = CFG_FLOAT,
     .def = "4000", .min = 10, .max = 1e7,
     .doc = "median lesion volume in mm^3 (each lesion varies around it with its volume variant "
            "and age)"},
    {.name = "lesion_spread", .flag = "lesion-spread", .metavar = "S", .type = CFG_FLOAT,
     .def = "0.35", .min = 0, .max = 2,
     .doc = "SD of the log lesion volume (0: every lesion has the median volume, as a benchmark "
            "wants)"},
    {.name = "sites", .flag = "sites", .metavar = "K", .type = CFG_INT, .def = "3", .min = 1,
     .max = 99, .doc = "acquisition sites"},
    {.name = "site_scale", .flag = "site-scale", .metavar = "F", .type = CFG_FLOAT, .def = "0",
     .min = 0, .max = 2,
     .doc = "site k also stretches the lesion's contrast (mean-intensity deviation, "
            "heterogeneity) by exp(F u_k), u = 0, 1, -1, 0.5, -0.5, ...: per-site scale for "
            "harmonisation (0: none)"},
    {.name = "effect", .flag = "effect", .metavar = "B", .type = CFG_FLOAT, .def = "0.6",
     .min = 0, .max = 5, .doc = "planted effect, SD of the property per allele"},
    {.name = "missing_rate", .flag = "missing-rate", .metavar = "F", .type = CFG_FLOAT,
     .def = "0", .min = 0, .max = 1,
     .doc = "fraction of genotype calls written as ./. (below 1)"},
    {.name = "multiallelic", .flag = "multiallelic", .metavar = "F", .type = CFG_FLOAT,
     .def = "0", .min = 0, .max = 1, .doc = "fraction of records with two ALT alleles"},
    {.name = "ancestries", .flag = "ancestries", .metavar = "K", .type = CFG_INT, .def = "1",
     .min = 1, .max = 50,
     .doc = "ancestral groups: Balding-Nichols allele frequencies per group, and a "
            "heterogeneity whose mean differs between groups with no genetic cause (population "
            "structure)"},
    {.name = "fst", .flag = "fst", .metavar = "F", .type = CFG_FLOAT, .def = "0.05", .min = 0,
     .max = 1, .doc = "Balding-Nichols F of the groups (strictly between 0 and 1)"},
    {.name = "ancestry_shift", .flag = "ancestry-shift", .metavar = "D", .type = CFG_FLOAT,
     .def = "1", .min = 0, .max = 10,
     .doc = "the groups' heterogeneity means spread evenly over D SD"},
    {.name = "outcomes", .type = CFG_BOOL, .def = "false",
     .doc = "radiotherapy outcomes (needs chromosomes >= 6): a dose covariate, a binary "
            "toxicity (liability model; variant on chr 5) and a Weibull time to event with "
            "censoring (variant on chr 6) in DIR/outcomes.tsv, both in truth.tsv (--outcomes)"},
    {.name = "outcome_effect", .flag = "outcome-effect", .metavar = "B", .type = CFG_FLOAT,
     .def = "0.6", .min = 0, .max = 5,
     .doc = "per allele: toxicity liability SD and log hazard ratio (0: null outcomes)"},
    {.name = "format", .flag = "format", .metavar = "F", .type = CFG_ENUM, .def = "nifti",
     .choices = "nifti|dicom",
     .doc = "nifti: NIfTI images and masks; dicom: per patient a DICOM series per channel, an "
            "RTSTRUCT (GTV, Normal) and an RTDOSE, and the dose channel in the manifest "
            "(config/demo_dicom.yaml)"},
    {.name = "inject_failures", .type = CFG_BOOL, .def = "false",
     .doc = "add one patient of each failure: truncated image, empty mask, mask on another grid, "
            "all-NaN image, sample absent from the VCF (--inject-failures)"},
    {NULL},
};

const cfg_key_t schema_simulate_root[] = {
    {.name = "simulate", .type = CFG_SECTION, .children = schema_simulate,
     .doc = "a synthetic cohort (radiogx simulate)"},
    {NULL},
};
