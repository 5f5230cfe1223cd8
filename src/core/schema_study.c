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
    {.name = "genome_build", .type = CFG_ENUM, .choices = "GRCh37|GRCh38", .null_ok = 1,
     .doc = "genome build of the genotypes' positions; required for GWAS-SSF summary statistics "
            "(their genome_assembly)"},
    {.name = "genotyping_technology", .type = CFG_STRING_LIST, .null_ok = 1,
     .doc = "how the genotypes were made, as the GWAS Catalog names it (e.g. [Genome-wide "
            "genotyping array], [Whole genome sequencing]); required for GWAS-SSF summary "
            "statistics"},
    {.name = "ancestry_category", .type = CFG_STRING_LIST, .def = "[NR]",
     .doc = "the samples' ancestry categories for GWAS-SSF metadata (GWAS Catalog terms, e.g. "
            "European); NR: not reported"},
    {.name = "out_dir", .type = CFG_STRING, .def = "results",
     .doc = "folder that receives <name>/ with the run file, exports, plots and report"},
    {NULL},
};
