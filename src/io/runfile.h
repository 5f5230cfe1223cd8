/* runfile.h — every object of a run file, named once.
 *
 * The paths below are the only spelling of each object's name: writers, readers, exports and
 * verify use these macros, and the table of runfile.c (kind, shape, stage, meaning of each)
 * is what docs/formats.md's run-file table says, word for word (tests/unit/test_runfile.c
 * renders the table and compares; tests/e2e/formats_doc.py checks a real run file against
 * the documentation).  A new dataset is a macro here and a row there. */
#ifndef RGX_RUNFILE_H
#define RGX_RUNFILE_H

#include <stddef.h>
#include <stdio.h>

#define RF_PROVENANCE           "/provenance"
#define RF_PROV_CONFIG          "/provenance/config"
#define RF_PROV_CONFIG_TEXT     "/provenance/config_text"
#define RF_PROV_ARGV            "/provenance/argv"
#define RF_PROV_INPUTS_ROLE     "/provenance/inputs/role"
#define RF_PROV_INPUTS_PATH     "/provenance/inputs/path"
#define RF_PROV_INPUTS_SIZE     "/provenance/inputs/size"
#define RF_PROV_INPUTS_MTIME    "/provenance/inputs/mtime"
#define RF_PROV_INPUTS_SHA256   "/provenance/inputs/sha256"
#define RF_SAMPLES              "/samples"
#define RF_SAMPLES_PATIENT_ID   "/samples/patient_id"
#define RF_SAMPLES_SAMPLE_ID    "/samples/sample_id"
#define RF_SAMPLES_SITE         "/samples/site"
#define RF_SAMPLES_GENOTYPES    "/samples/genotypes"
#define RF_SAMPLES_STATUS       "/samples/status"
#define RF_SAMPLES_REASON       "/samples/reason"
#define RF_SAMPLES_TIME         "/samples/time"
#define RF_FEATURES             "/features"
#define RF_FEATURES_VALUES      "/features/values"
#define RF_FEATURES_NAMES       "/features/names"
#define RF_FEATURES_TAG         "/features/tag"
#define RF_FEATURES_FAMILY      "/features/family"
#define RF_FEATURES_CHANNEL     "/features/channel"
#define RF_FEATURES_LABEL       "/features/label"
#define RF_FEATURES_SETTINGS    "/features/settings"
#define RF_DVH                  "/dvh"
#define RF_DVH_VOLUME_PCT       "/dvh/volume_pct"
#define RF_DVH_DOSE_GY          "/dvh/dose_gy"
#define RF_DVH_STRUCTURES       "/dvh/structures"
#define RF_HARM                 "/features_harmonised"
#define RF_HARM_VALUES          "/features_harmonised/values"
#define RF_HARM_NAMES           "/features_harmonised/names"
#define RF_HARM_CODE            "/features_harmonised/code"
#define RF_HARM_GROUP           "/features_harmonised/group"
#define RF_HARM_GROUPS          "/features_harmonised/groups"
#define RF_HARM_MISSING_DATA    "/features_harmonised/missing_data"
#define RF_HARM_INCLUDED        "/features_harmonised/included"
#define RF_HARM_SITES           "/features_harmonised/sites"
#define RF_HARM_SITE_N          "/features_harmonised/site_n"
#define RF_HARM_DESIGN          "/features_harmonised/design"
#define RF_HARM_BETA            "/features_harmonised/beta"
#define RF_HARM_GRAND_MEAN      "/features_harmonised/grand_mean"
#define RF_HARM_VAR_POOLED      "/features_harmonised/var_pooled"
#define RF_HARM_N_OBS           "/features_harmonised/n_obs"
#define RF_HARM_GAMMA_HAT       "/features_harmonised/gamma_hat"
#define RF_HARM_DELTA_HAT       "/features_harmonised/delta_hat"
#define RF_HARM_GAMMA_STAR      "/features_harmonised/gamma_star"
#define RF_HARM_DELTA_STAR      "/features_harmonised/delta_star"
#define RF_HARM_GAMMA_BAR       "/features_harmonised/gamma_bar"
#define RF_HARM_TAU2            "/features_harmonised/tau2"
#define RF_HARM_A_PRIOR         "/features_harmonised/a_prior"
#define RF_HARM_B_PRIOR         "/features_harmonised/b_prior"
#define RF_HARM_ITERATIONS      "/features_harmonised/iterations"
#define RF_VARIANTS             "/variants"
#define RF_VARIANTS_CHROM       "/variants/chrom"
#define RF_VARIANTS_ID          "/variants/id"
#define RF_VARIANTS_REF         "/variants/ref"
#define RF_VARIANTS_ALT         "/variants/alt"
#define RF_VARIANTS_POS         "/variants/pos"
#define RF_VARIANTS_AF          "/variants/af"
#define RF_VARIANTS_CALL_RATE   "/variants/call_rate"
#define RF_VARIANTS_HWE_P       "/variants/hwe_p"
#define RF_VARIANTS_N           "/variants/n"
#define RF_VARIANTS_MAC         "/variants/mac"
#define RF_VARIANTS_QC          "/variants/qc"
#define RF_VARIANTS_MODEL       "/variants/model"
#define RF_ASSOC                "/assoc"
#define RF_ASSOC_XTY            "/assoc/xty"
#define RF_ASSOC_GTG            "/assoc/gtg"
#define RF_ASSOC_BETA           "/assoc/beta"
#define RF_ASSOC_SE             "/assoc/se"
#define RF_ASSOC_LOG10P         "/assoc/log10p"
#define RF_ASSOC_LR_LOG10P      "/assoc/lr_log10p"
#define RF_ASSOC_TEST           "/assoc/test"
#define RF_PHENOTYPES           "/phenotypes"
#define RF_PHENOTYPES_NAMES     "/phenotypes/names"
#define RF_PHENOTYPES_N         "/phenotypes/n"
#define RF_PHENOTYPES_LAMBDA_GC "/phenotypes/lambda_gc"
#define RF_PHENOTYPES_YTY       "/phenotypes/yty"
#define RF_PHENOTYPES_DF        "/phenotypes/df"
#define RF_PHENOTYPES_GROUP     "/phenotypes/group"
#define RF_PHENOTYPES_CHRX_YTY  "/phenotypes/chrx_yty"
#define RF_PHENOTYPES_CHRX_DF   "/phenotypes/chrx_df"
#define RF_PHENOTYPES_N_CASE    "/phenotypes/n_case"
#define RF_PHENOTYPES_N_CONTROL "/phenotypes/n_control"
#define RF_PHENOTYPES_N_EVENTS  "/phenotypes/n_events"
#define RF_PHENOTYPES_N_CENSORED "/phenotypes/n_censored"
#define RF_HITS                 "/hits"
#define RF_HITS_VALUES          "/hits/values"
#define RF_HITS_PHENOTYPE       "/hits/phenotype"
#define RF_PHENOTYPES_CORR_EIGENVALUES "/phenotypes/corr_eigenvalues"
#define RF_PCA                  "/pca"
#define RF_PCA_SAMPLES          "/pca/samples"
#define RF_PCA_SCORES           "/pca/scores"
#define RF_PCA_EIGENVALUES      "/pca/eigenvalues"
#define RF_PCA_LOADINGS         "/pca/loadings"
#define RF_PCA_VARIANTS_CHROM   "/pca/variants/chrom"
#define RF_PCA_VARIANTS_ID      "/pca/variants/id"
#define RF_PCA_VARIANTS_REF     "/pca/variants/ref"
#define RF_PCA_VARIANTS_ALT     "/pca/variants/alt"
#define RF_PCA_VARIANTS_POS     "/pca/variants/pos"
#define RF_PCA_VARIANTS_AF      "/pca/variants/af"
#define RF_PCA_KING             "/pca/king"
#define RF_PCA_KING_VALUES      "/pca/king/values"
#define RF_PCA_KING_SAMPLE1     "/pca/king/sample1"
#define RF_PCA_KING_SAMPLE2     "/pca/king/sample2"
#define RF_PCA_RELATED          "/pca/related"

/* What a row of objects holds. */
typedef enum {
    RF_GROUP,   /* a group (with attributes) */
    RF_ATTRS,   /* attributes of an object (the row names the object) */
    RF_DOUBLE,
    RF_INT8,
    RF_INT32,
    RF_STRING,
} rf_kind_t;

/* A row of the table: objects of one kind under one parent (or one object). */
typedef struct {
    const char *paths[12]; /* NULL-terminated */
    rf_kind_t kind;
    const char *shape; /* "n_patients", "n_variants x n_phenotypes", "" */
    const char *stage; /* the command that writes them ("" for provenance's members) */
    const char *doc;   /* their meaning; "when ..." marks objects that may be absent */
} rf_row_t;

extern const rf_row_t runfile_rows[];
extern const size_t runfile_n_rows;

/* The kind of a dataset as the table declares it (RF_GROUP when the path is not in it): how
 * writers choose the stored type. */
rf_kind_t runfile_kind(const char *path);

/* The table as docs/formats.md holds it (markdown, header included). */
void runfile_markdown(FILE *f);

#endif
