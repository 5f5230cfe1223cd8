/* schema.c — the sections of radiogx's config file.  Each section's keys live with the
 * module that reads them (schema_<section>.c). */
#include "cfg.h"
#include "schema.h"

const cfg_key_t rgx_schema[] = {
    {.name = "study", .type = CFG_SECTION, .children = schema_study,
     .doc = "the cohort, genotypes, covariates and outputs of a `radiogx run`"},
    {.name = "extract", .type = CFG_SECTION, .children = schema_extract,
     .doc = "radiomic feature extraction (IBSI): preprocessing and feature settings"},
    {.name = "dose", .type = CFG_SECTION, .children = schema_dose,
     .doc = "dose-volume (DVH) features of the manifest's dose channel (radiotherapy)"},
    {.name = "harmonise", .type = CFG_SECTION, .children = schema_harmonise,
     .doc = "ComBat harmonisation of the features across sites"},
    {.name = "scan", .type = CFG_SECTION, .children = schema_scan,
     .doc = "genotype join, QC and the association scan"},
    {.name = "pca", .type = CFG_SECTION, .children = schema_pca,
     .doc = "ancestry principal components and relatedness (radiogx pca)"},
    {NULL},
};
