/* runfile.c — the run file's table (see runfile.h). */
#include "runfile.h"

#include <string.h>

const rf_row_t runfile_rows[] = {
    {{RF_PROVENANCE}, RF_GROUP, "", "every command",
     "radiogx version, command line, working directory, start and end times, wall seconds, "
     "world size, hosts, BLAS threads, library versions (HDF5, HTSlib, GSL, OpenBLAS, Open MPI, "
     "libyaml, nifticlib, ISA-L, libdeflate, FFTW, libzstd, SQLite), config file and SHA-256, "
     "manifest file and SHA-256"},
    {{RF_PROV_CONFIG}, RF_STRING, "1", "",
     "the effective config (every key, defaults applied), YAML"},
    {{RF_PROV_CONFIG_TEXT}, RF_STRING, "1", "", "the config file as written"},
    {{RF_PROV_ARGV}, RF_STRING, "argc", "", "the command line, one argument each"},
    {{RF_PROV_INPUTS_ROLE, RF_PROV_INPUTS_PATH, RF_PROV_INPUTS_SHA256}, RF_STRING, "n_inputs", "",
     "every input file: its role (`manifest`, `image_CT`, `mask`, `genotypes`, ...), path and "
     "SHA-256 (empty when not hashed)"},
    {{RF_PROV_INPUTS_SIZE, RF_PROV_INPUTS_MTIME}, RF_DOUBLE, "n_inputs", "",
     "its size in bytes and modification time (seconds since the epoch)"},
    {{RF_SAMPLES_PATIENT_ID, RF_SAMPLES_SAMPLE_ID, RF_SAMPLES_SITE, RF_SAMPLES_GENOTYPES},
     RF_STRING, "n_patients", "extract", "one per manifest row, manifest order"},
    {{RF_SAMPLES_STATUS}, RF_INT8, "n_patients", "extract",
     "0 ok, 1 failed (not extracted), 2 no genotypes (extracted, not scanned); attribute "
     "`status_codes`"},
    {{RF_SAMPLES_REASON}, RF_STRING, "n_patients", "extract",
     "why a patient failed (\"\" when ok)"},
    {{RF_SAMPLES_TIME}, RF_DOUBLE, "n_patients", "extract", "seconds spent on the patient"},
    {{RF_FEATURES_VALUES}, RF_DOUBLE, "n_patients × n_features", "extract",
     "NaN for failed patients and undefined features"},
    {{RF_FEATURES_NAMES}, RF_STRING, "n_features", "extract",
     "`<channel>.<label>.<IBSI tag>`, e.g. `CT.1.morph_volume`; the dose channel's "
     "`DOSE.<structure>.<tag>`, e.g. `DOSE.GTV-1.dvh_dmean`"},
    {{RF_FEATURES_TAG, RF_FEATURES_FAMILY, RF_FEATURES_CHANNEL}, RF_STRING, "n_features", "extract",
     "the IBSI tag, its family (`morph`, `cm`, ...) and image channel"},
    {{RF_FEATURES_LABEL}, RF_INT32, "n_features", "extract", "the ROI label"},
    {{RF_FEATURES_SETTINGS}, RF_STRING, "n_channels", "extract",
     "per channel: the effective extraction settings"},
    {{RF_FEATURES}, RF_ATTRS, "", "extract",
     "`constant`: the features with one value (or none) over every extracted patient, "
     "comma-separated (named in the log and the report)"},
    {{RF_DVH_VOLUME_PCT}, RF_DOUBLE, "n_patients × (n_structures · n_doses)", "extract",
     "when the manifest has a dose channel: per patient, each structure's cumulative DVH (% of "
     "its volume receiving at least each dose of `/dvh/dose_gy`), structure after structure; "
     "NaN for failed patients"},
    {{RF_DVH_DOSE_GY}, RF_DOUBLE, "n_doses", "extract",
     "when there is a dose channel: the doses of the curves, 0 to `dose.dvh_max_gy` by "
     "`dose.dvh_bin_gy`"},
    {{RF_DVH_STRUCTURES}, RF_STRING, "n_structures", "extract",
     "when there is a dose channel: the structures, as `dose.structures` names them"},
    {{RF_HARM_VALUES}, RF_DOUBLE, "n_patients × n_features", "harmonise",
     "when the run was harmonised (docs/cmd-harmonise.md): the ComBat-harmonised features, rows "
     "as `/samples`, columns as `/features`; NaN for the patients left out"},
    {{RF_HARM_NAMES}, RF_STRING, "n_features", "harmonise",
     "when harmonised: the feature names, as `/features/names`"},
    {{RF_HARM_CODE}, RF_INT8, "n_features", "harmonise",
     "when harmonised: 0 harmonised; left as they are: 1 one value throughout a site, 2 fewer "
     "than 2 values in a site, 3 no fit (singular design on its rows, or no residual variance)"},
    {{RF_HARM_GROUP}, RF_INT32, "n_features", "harmonise",
     "when harmonised: the feature's prior group (a row of `groups`)"},
    {{RF_HARM_GROUPS}, RF_STRING, "n_groups", "harmonise",
     "when harmonised: the groups of features that share priors (`CT.1`, or `all`)"},
    {{RF_HARM_MISSING_DATA}, RF_INT8, "n_groups", "harmonise",
     "when harmonised: 1 when the group used sva's missing-data estimators"},
    {{RF_HARM_INCLUDED}, RF_INT8, "n_patients", "harmonise",
     "when harmonised: 1 when the patient was harmonised"},
    {{RF_HARM_SITES}, RF_STRING, "n_sites", "harmonise", "when harmonised: the sites, sorted"},
    {{RF_HARM_SITE_N}, RF_DOUBLE, "n_sites", "harmonise",
     "when harmonised: the patients harmonised at each site"},
    {{RF_HARM_DESIGN}, RF_STRING, "n_design", "harmonise",
     "when harmonised: the design's columns, `site=<name>` per site, then the covariates (`age`, "
     "`sex=2`)"},
    {{RF_HARM_BETA}, RF_DOUBLE, "n_design × n_features", "harmonise",
     "when harmonised: the design's least-squares coefficients"},
    {{RF_HARM_GRAND_MEAN, RF_HARM_VAR_POOLED}, RF_DOUBLE, "n_features", "harmonise",
     "when harmonised: each feature's grand mean and pooled variance"},
    {{RF_HARM_N_OBS, RF_HARM_GAMMA_HAT, RF_HARM_DELTA_HAT, RF_HARM_GAMMA_STAR, RF_HARM_DELTA_STAR},
     RF_DOUBLE, "n_sites × n_features", "harmonise",
     "when harmonised: observed values per site, the site location and scale estimates and "
     "their empirical-Bayes posteriors"},
    {{RF_HARM_GAMMA_BAR, RF_HARM_TAU2, RF_HARM_A_PRIOR, RF_HARM_B_PRIOR, RF_HARM_ITERATIONS},
     RF_DOUBLE, "n_groups × n_sites", "harmonise",
     "when harmonised: the priors per group and site, and the rounds of the parametric "
     "iteration"},
    {{RF_HARM}, RF_ATTRS, "", "harmonise",
     "when harmonised: `method`, `mean_only`, `ref_site`, `batch`, `by`, `min_site_size`, "
     "`applied_from` (the fitted file, with `--apply`), `n_included`, `code_meanings`"},
    {{RF_VARIANTS_CHROM, RF_VARIANTS_ID, RF_VARIANTS_REF, RF_VARIANTS_ALT}, RF_STRING, "n_variants",
     "scan",
     "every biallelic record of the scanned contigs/region, genome order (tested or not)"},
    {{RF_VARIANTS_POS, RF_VARIANTS_AF, RF_VARIANTS_CALL_RATE, RF_VARIANTS_HWE_P, RF_VARIANTS_N,
      RF_VARIANTS_MAC},
     RF_DOUBLE, "n_variants", "scan",
     "position, ALT frequency, call rate, HWE p, observed samples and minor allele count over "
     "the analysis samples"},
    {{RF_VARIANTS_QC, RF_VARIANTS_MODEL}, RF_INT8, "n_variants", "scan",
     "`qc`: 1 tested, 2 call rate, 3 MAF, 4 MAC, 5 HWE, 6 monomorphic (attribute `codes`); "
     "`model`: 0 the covariates, 1 chrX's (the covariates and sex); attributes "
     "`variants_<filter>` count each code, `multiallelic_skipped`, `no_alt_skipped` and "
     "`chry_mt_skipped` the records skipped; run files written before 2026-12-04 store `qc` "
     "and `model` as double, which every reader takes as well"},
    {{RF_ASSOC_XTY}, RF_DOUBLE, "n_variants × n_phenotypes", "scan",
     "the association store: gᵀỹ per (variant, phenotype), NaN for untested variants — 8 bytes "
     "per pair"},
    {{RF_ASSOC_GTG}, RF_DOUBLE, "n_variants × n_groups", "scan",
     "g̃ᵀg̃ per variant and phenotype missingness group (NaN: no test); attribute `derivation`"},
    {{RF_PHENOTYPES_NAMES}, RF_STRING, "n_phenotypes", "scan", "the scanned phenotypes"},
    {{RF_PHENOTYPES_N, RF_PHENOTYPES_LAMBDA_GC}, RF_DOUBLE, "n_phenotypes", "scan",
     "their observations and λGC"},
    {{RF_PHENOTYPES_YTY, RF_PHENOTYPES_DF, RF_PHENOTYPES_GROUP}, RF_DOUBLE, "n_phenotypes", "scan",
     "ỹᵀỹ, residual degrees of freedom, missingness group: with `/assoc` they give β, SE and "
     "−log10 p"},
    {{RF_PHENOTYPES_CHRX_YTY, RF_PHENOTYPES_CHRX_DF}, RF_DOUBLE, "n_phenotypes", "scan",
     "the same for chrX's model (sex added), when chrX was scanned with it (variants with "
     "`/variants/model` 1)"},
    {{RF_PHENOTYPES_CORR_EIGENVALUES}, RF_DOUBLE, "n_phenotypes", "scan",
     "eigenvalues, descending, of the correlation (Pearson, pairwise complete) of the "
     "residualised phenotypes: what Meff is computed from"},
    {{RF_ASSOC_BETA, RF_ASSOC_SE, RF_ASSOC_LOG10P, RF_ASSOC_LR_LOG10P, RF_ASSOC_TEST}, RF_DOUBLE,
     "n_variants × n_outcomes", "scan",
     "when the outcome is binary or survival, instead of `xty`/`gtg`: β (log OR or log HR), SE, "
     "−log10 p of the reported test, −log10 p of the likelihood-ratio test (NaN for "
     "score-tested pairs), test code (0 none, 1 score, 2 Wald, 3 Firth); attribute `outcome` "
     "(`binary`, `time-to-event`), `full_fits`, `firth_fits`"},
    {{RF_PHENOTYPES_N_CASE, RF_PHENOTYPES_N_CONTROL, RF_PHENOTYPES_N_EVENTS,
      RF_PHENOTYPES_N_CENSORED},
     RF_DOUBLE, "n_outcomes", "scan",
     "cases and controls (binary), or events and censored samples (survival), per outcome, "
     "when the outcome is binary or survival"},
    {{RF_PHENOTYPES}, RF_ATTRS, "", "scan",
     "`transform`, `samples`, `not_scanned`, `covariates` (the covariate columns, "
     "comma-separated, as the categorical indicators were named; the GWAS-SSF metadata lists "
     "them); the phenotype-wide threshold: `meff` (of `meff_method`), `meff_li_ji`, "
     "`meff_nyholt`, `meff_galwey`, `genome_wide_p` (5e-8), `study_threshold_p` (= "
     "genome_wide_p / meff), `study_threshold_log10p` (docs/cmd-scan.md)"},
    {{RF_HITS_VALUES}, RF_DOUBLE, "n_hits × 4", "scan",
     "every (variant, phenotype) with −log10 p ≥ the threshold (attribute `threshold`): variant "
     "row, β, SE, −log10 p; attribute `locus_window_kb`: how `export --loci` and the report "
     "clump them"},
    {{RF_HITS_PHENOTYPE}, RF_STRING, "n_hits", "scan", "the phenotype of each hit"},
    {{RF_PCA_SAMPLES}, RF_STRING, "n_pca", "pca",
     "the samples of the PCs, in row order, when radiogx pca wrote /pca or scan carried it"},
    {{RF_PCA_SCORES}, RF_DOUBLE, "n_pca × K", "pca",
     "unit-norm eigenvectors of the GRM X Xᵀ / m, as plink2's .eigenvec; present when pca ran"},
    {{RF_PCA_EIGENVALUES}, RF_DOUBLE, "K", "pca",
     "eigenvalues of X Xᵀ / m, as plink2's .eigenval; present when pca ran"},
    {{RF_PCA_LOADINGS}, RF_DOUBLE, "m × K", "pca",
     "unit-norm variant weights: `pca --project` uses them; present when pca computed the PCs"},
    {{RF_PCA_VARIANTS_CHROM, RF_PCA_VARIANTS_ID, RF_PCA_VARIANTS_REF, RF_PCA_VARIANTS_ALT},
     RF_STRING, "m", "pca", "the variants the PCs used; present when pca computed the PCs"},
    {{RF_PCA_VARIANTS_POS, RF_PCA_VARIANTS_AF}, RF_DOUBLE, "m", "pca",
     "their positions and ALT frequencies over the samples; present when pca computed the PCs"},
    {{RF_PCA_KING_VALUES}, RF_DOUBLE, "n_related × 6", "pca",
     "the related pairs (KING-robust kinship above the attribute `threshold` of /pca/king): "
     "row1, row2, NSNP, HETHET, IBS0, kinship; present when pca computed kinship"},
    {{RF_PCA_KING_SAMPLE1, RF_PCA_KING_SAMPLE2}, RF_STRING, "n_related", "pca",
     "the pairs' samples; present when pca computed kinship"},
    {{RF_PCA_KING}, RF_ATTRS, "", "pca",
     "`threshold`, `pairs_computed`, `scope` (every pair, or within sites only); present when "
     "pca computed kinship"},
    {{RF_PCA_RELATED}, RF_DOUBLE, "n_pca", "pca",
     "1: left out of the PCs by --remove-related and projected onto them; present when it was "
     "given"},
    {{RF_PCA}, RF_ATTRS, "", "pca",
     "`method`, `pcs`, `iterations`, `iterations_max`, `tolerance`, `residual`, "
     "`krylov_dimension`, `seed`, `samples`, `sites`, "
     "`variants_read`, `variants_ld_regions`, `variants_qc_passed`, `variants_used`, `maf`, "
     "`call_rate`, `hwe`, `ld_regions`, `indep_pairwise`; with --project: `projected_from`, "
     "`variants_reference`, `variants_found` (docs/cmd-pca.md)"},
};
const size_t runfile_n_rows = sizeof runfile_rows / sizeof *runfile_rows;

rf_kind_t runfile_kind(const char *path)
{
    for (size_t i = 0; i < runfile_n_rows; i++)
        for (size_t k = 0; k < sizeof runfile_rows[i].paths / sizeof *runfile_rows[i].paths &&
                           runfile_rows[i].paths[k];
             k++)
            if (!strcmp(runfile_rows[i].paths[k], path)) return runfile_rows[i].kind;
    return RF_GROUP;
}

static const char *kind_word(rf_kind_t k, int plural)
{
    switch (k) {
    case RF_GROUP: return "group + attributes";
    case RF_ATTRS: return "";
    case RF_DOUBLE: return "double";
    case RF_INT8: return "int8";
    case RF_INT32: return "int32";
    case RF_STRING: return plural ? "strings" : "string";
    }
    return "";
}

/* `/parent/name` for one object, `/parent/{a,b}` for several under one parent. */
static void print_paths(FILE *f, const rf_row_t *r)
{
    size_t n = 0;
    while (n < sizeof r->paths / sizeof *r->paths && r->paths[n]) n++;
    if (n == 1) {
        fprintf(f, "`%s`", r->paths[0]);
        return;
    }
    const char *slash = strrchr(r->paths[0], '/');
    fprintf(f, "`%.*s{", (int)(slash - r->paths[0] + 1), r->paths[0]);
    for (size_t i = 0; i < n; i++) fprintf(f, "%s%s", i ? "," : "", strrchr(r->paths[i], '/') + 1);
    fprintf(f, "}`");
}

/* " text |", or " |" for an empty cell. */
static void cell(FILE *f, const char *a, const char *b)
{
    fprintf(f, *a || *b ? " %s%s%s |" : " |", a, *a && *b ? " " : "", b);
}

void runfile_markdown(FILE *f)
{
    fprintf(f, "| object | shape / type | written by | content |\n|---|---|---|---|\n");
    for (size_t i = 0; i < runfile_n_rows; i++) {
        const rf_row_t *r = &runfile_rows[i];
        fprintf(f, "| ");
        print_paths(f, r);
        if (r->kind == RF_ATTRS) fprintf(f, " attributes");
        fprintf(f, " |");
        cell(f, r->shape, kind_word(r->kind, strcmp(r->shape, "1") != 0));
        cell(f, r->stage, "");
        cell(f, r->doc, "");
        fprintf(f, "\n");
    }
}
