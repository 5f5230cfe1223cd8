/* schema_study.c — the `study` section: what a `radiogx run` works on. */
#include "schema.h"

const cfg_key_t schema_study[] = {
    {.name = "name", .type = CFG_STRING, .def = "study",
     .doc = "study name; outputs go to <out_dir>/<name>/"},
    {.name = "manifest", .type = CFG_STRING, .null_ok = 1,
     .doc = "cohort manifest (TSV), relative to this config file's folder"},
    {.name = "genotypes", .type = CFG_STRING, .null_ok = 1,
     .doc = "genotype file for every patient: VCF/BCF, PLINK .bed or BGEN (or use the manifest's "
            "genotypes column, one file per site)"},
    {.name = "covariates", .type = CFG_STRING, .null_ok = 1,
     .doc = "covariates table (plink2 style, #IID header)"},
    {.name = "affine_tolerance_mm", .type = CFG_FLOAT, .def = "0.001", .min = 0, .max = 100,
     .doc = "largest difference allowed between an image's and its mask's affine (mm)"},
    {.name = "out_dir", .type = CFG_STRING, .def = "results",
     .doc = "folder that receives <name>/ with the run file, exports, plots and report"},
    {NULL},
};
