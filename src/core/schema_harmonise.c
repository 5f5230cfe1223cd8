/* schema_harmonise.c — the `harmonise` section: ComBat across sites (docs/cmd-harmonise.md).
 * Every option of `radiogx harmonise` has a key here, so that `radiogx run` can drive it. */
#include "schema.h"

const cfg_key_t schema_harmonise[] = {
    {.name = "enabled",
     .type = CFG_BOOL,
     .def = "false",
     .doc = "radiogx run: harmonise the features across sites after the extraction "
            "(/features_harmonised; the scan uses them with scan.features: harmonised)"},
    {.name = "batch",
     .type = CFG_STRING,
     .def = "site",
     .doc = "the batch: site (the manifest's site column) or a column of the covariate table"},
    {.name = "covariates",
     .type = CFG_STRING,
     .null_ok = 1,
     .doc = "comma list of covariate-table columns in ComBat's design, whose effects are "
            "preserved (age,sex); null: none"},
    {.name = "method",
     .type = CFG_ENUM,
     .choices = "parametric|nonparametric",
     .def = "parametric",
     .doc = "empirical-Bayes priors: parametric (normal, inverse gamma) or non-parametric"},
    {.name = "mean_only",
     .type = CFG_BOOL,
     .def = "false",
     .doc = "adjust the sites' means only, not their variances"},
    {.name = "ref_site",
     .type = CFG_STRING,
     .null_ok = 1,
     .doc = "reference site: left as it is, the others mapped onto it; null: the pooled mean"},
    {.name = "min_site_size",
     .type = CFG_INT,
     .def = "5",
     .min = 2,
     .max = 1000000000,
     .doc = "a site with fewer patients stops the harmonisation with a message"},
    {.name = "by",
     .type = CFG_ENUM,
     .choices = "channel_label|all",
     .def = "channel_label",
     .doc = "the features that share empirical-Bayes priors: those of one image channel and "
            "ROI label, or all"},
    {NULL},
};
