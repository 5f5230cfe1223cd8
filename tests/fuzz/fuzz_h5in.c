/* fuzz_h5in.c — libFuzzer harness for the run-file readers of export and verify: the input
 * does not mutate an HDF5 file's bytes (that would fuzz the HDF5 library, a Debian package,
 * more than radiogx) but says what a run file holds — which objects exist, their sizes (often
 * not those the others imply), their numbers (any double: NaN, infinities, huge) and their
 * strings (any bytes: '/', "..", empty) — and that file is written with HDF5 and given to
 * every reader: export --features, --hits, --loci, --sumstats (and --report when asked), the
 * association store, the scan's phenotypes from /features (scan --run) and verify's
 * comparison.  Any file must give RGX_OK or an error, never a crash, a leak or a read out of
 * bounds.
 *
 * Input layout (the bytes are consumed in order; missing bytes read as 0): sizes (samples,
 * features, variants, phenotypes, hits, groups), then per object a byte: 0-159 present with
 * the size its rows imply, 160-199 one row more, 200-229 one row less, 230-255 absent; then
 * the values.  Seed corpus: tests/fuzz/corpus/h5in/ (tests/fuzz/make_corpus_inputs.sh). */
#include <hdf5.h>
#include <sys/stat.h>

#include "assoc.h"
#include "export_features.h"
#include "export_sumstats.h"
#include "fuzz.h"
#include "h5cmp.h"
#include "h5in.h"
#include "loci.h"
#include "pheno.h"
#include "report.h"
#include "runfile.h"
#include "util.h"

typedef struct {
    const uint8_t *p;
    size_t n;
} in_t;

static unsigned byte(in_t *in)
{
    if (!in->n) return 0;
    in->n--;
    return *in->p++;
}

/* A double: mostly small integers and halves (sizes, codes, positions), sometimes raw bits. */
static double number(in_t *in)
{
    unsigned k = byte(in);
    if (k < 200) return (double)((int)k - 20) / (k & 1 ? 2 : 1);
    uint64_t b = 0;
    for (int i = 0; i < 8; i++) b = b << 8 | byte(in);
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* The size an object takes: its rows as implied, one more, one less, or -1 (absent). */
static long sized(in_t *in, long rows)
{
    unsigned k = byte(in);
    return k < 160 ? rows : k < 200 ? rows + 1 : k < 230 ? (rows ? rows - 1 : 0) : -1;
}

static void group(hid_t f, const char *name)
{
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0)
        H5Gclose(H5Gcreate2(f, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
}

/* Parent groups of a dataset path. */
static void parents(hid_t f, const char *name)
{
    char buf[128];
    for (const char *s = strchr(name + 1, '/'); s; s = strchr(s + 1, '/')) {
        snprintf(buf, sizeof buf, "%.*s", (int)(s - name), name);
        group(f, buf);
    }
}

static void doubles(hid_t f, in_t *in, const char *name, long rows, long cols)
{
    long r = sized(in, rows);
    if (r < 0 || cols < 0) return;
    parents(f, name);
    hsize_t d[2] = {(hsize_t)r, (hsize_t)cols};
    size_t n = (size_t)r * (size_t)(cols ? cols : 1);
    double *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = number(in);
    hid_t s = H5Screate_simple(cols ? 2 : 1, d, NULL);
    hid_t ds = H5Dcreate2(f, name, H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (ds >= 0) H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), H5Dclose(ds);
    H5Sclose(s);
    free(v);
}

static void int8s(hid_t f, in_t *in, const char *name, long rows)
{
    long r = sized(in, rows);
    if (r < 0) return;
    parents(f, name);
    hsize_t d = (hsize_t)r;
    signed char *v = malloc(r ? (size_t)r : 1);
    for (long i = 0; i < r; i++) v[i] = (signed char)(byte(in) % 4);
    hid_t s = H5Screate_simple(1, &d, NULL);
    hid_t ds = H5Dcreate2(f, name, H5T_STD_I8LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (ds >= 0) H5Dwrite(ds, H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), H5Dclose(ds);
    H5Sclose(s);
    free(v);
}

/* Fixed-length, NUL-padded strings of up to 15 bytes from the input. */
static void strings(hid_t f, in_t *in, const char *name, long rows)
{
    long r = sized(in, rows);
    if (r < 0) return;
    parents(f, name);
    enum { W = 16 };
    char *v = calloc(r ? (size_t)r : 1, W);
    for (long i = 0; i < r; i++) {
        unsigned len = byte(in) % W;
        for (unsigned k = 0; k < len; k++) v[i * W + k] = (char)byte(in);
    }
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, W);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    H5Tset_cset(t, H5T_CSET_UTF8);
    hsize_t d = (hsize_t)r;
    hid_t s = H5Screate_simple(1, &d, NULL);
    hid_t ds = H5Dcreate2(f, name, t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (ds >= 0) H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), H5Dclose(ds);
    H5Sclose(s), H5Tclose(t);
    free(v);
}

static void attr_str(hid_t f, in_t *in, const char *obj, const char *name, const char *value)
{
    if (byte(in) >= 200 || H5Lexists(f, obj, H5P_DEFAULT) <= 0) return;
    hid_t o = H5Oopen(f, obj, H5P_DEFAULT), t = H5Tcopy(H5T_C_S1), s = H5Screate(H5S_SCALAR);
    H5Tset_size(t, strlen(value) + 1);
    hid_t a = H5Acreate2(o, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) H5Awrite(a, t, value), H5Aclose(a);
    H5Sclose(s), H5Tclose(t), H5Oclose(o);
}

static void attr_num(hid_t f, in_t *in, const char *obj, const char *name)
{
    if (byte(in) >= 200 || H5Lexists(f, obj, H5P_DEFAULT) <= 0) return;
    double x = number(in);
    hid_t o = H5Oopen(f, obj, H5P_DEFAULT), s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(o, name, H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) H5Awrite(a, H5T_NATIVE_DOUBLE, &x), H5Aclose(a);
    H5Sclose(s), H5Oclose(o);
}

/* The run file the input describes. */
static int make(const char *path, in_t *in)
{
    long ns = byte(in) % 6, nf = byte(in) % 5, nv = byte(in) % 7, np = byte(in) % 4,
         nh = byte(in) % 5, ng = 1 + byte(in) % 2;
    int binary = byte(in) > 200;
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) return -1;
    group(f, RF_PROVENANCE);
    attr_str(f, in, RF_PROVENANCE, "radiogx_version", "fuzz");
    attr_str(f, in, RF_PROVENANCE, "start_time", "2026-01-01T00:00:00Z");
    attr_str(f, in, RF_PROVENANCE, "config_file", "fuzz.yaml");
    strings(f, in, RF_PROV_CONFIG, 1);
    const char *sstr[] = {RF_SAMPLES_PATIENT_ID, RF_SAMPLES_SAMPLE_ID, RF_SAMPLES_SITE,
                          RF_SAMPLES_GENOTYPES, RF_SAMPLES_REASON};
    for (size_t k = 0; k < sizeof sstr / sizeof *sstr; k++) strings(f, in, sstr[k], ns);
    int8s(f, in, RF_SAMPLES_STATUS, ns);
    doubles(f, in, RF_SAMPLES_TIME, ns, 0);
    doubles(f, in, RF_FEATURES_VALUES, ns, nf);
    const char *fstr[] = {RF_FEATURES_NAMES, RF_FEATURES_TAG, RF_FEATURES_FAMILY,
                          RF_FEATURES_CHANNEL};
    for (size_t k = 0; k < sizeof fstr / sizeof *fstr; k++) strings(f, in, fstr[k], nf);
    attr_str(f, in, RF_FEATURES, "constant", "CT.1.stat_mean");
    const char *vstr[] = {RF_VARIANTS_CHROM, RF_VARIANTS_ID, RF_VARIANTS_REF, RF_VARIANTS_ALT};
    for (size_t k = 0; k < sizeof vstr / sizeof *vstr; k++) strings(f, in, vstr[k], nv);
    const char *vnum[] = {RF_VARIANTS_POS, RF_VARIANTS_AF,  RF_VARIANTS_CALL_RATE,
                          RF_VARIANTS_HWE_P, RF_VARIANTS_N, RF_VARIANTS_MAC,
                          RF_VARIANTS_QC,  RF_VARIANTS_MODEL};
    for (size_t k = 0; k < sizeof vnum / sizeof *vnum; k++) doubles(f, in, vnum[k], nv, 0);
    if (binary) {
        const char *anum[] = {RF_ASSOC_BETA, RF_ASSOC_SE, RF_ASSOC_LOG10P, RF_ASSOC_LR_LOG10P,
                              RF_ASSOC_TEST};
        for (size_t k = 0; k < sizeof anum / sizeof *anum; k++) doubles(f, in, anum[k], nv, np);
        attr_str(f, in, RF_ASSOC, "outcome", byte(in) & 1 ? "binary" : "time-to-event");
    } else {
        doubles(f, in, RF_ASSOC_XTY, nv, np);
        doubles(f, in, RF_ASSOC_GTG, nv, ng);
    }
    strings(f, in, RF_PHENOTYPES_NAMES, np);
    const char *pnum[] = {RF_PHENOTYPES_N, RF_PHENOTYPES_LAMBDA_GC, RF_PHENOTYPES_YTY,
                          RF_PHENOTYPES_DF, RF_PHENOTYPES_GROUP, RF_PHENOTYPES_CHRX_YTY,
                          RF_PHENOTYPES_CHRX_DF};
    for (size_t k = 0; k < sizeof pnum / sizeof *pnum; k++) doubles(f, in, pnum[k], np, 0);
    attr_str(f, in, RF_PHENOTYPES, "transform", "int");
    attr_str(f, in, RF_PHENOTYPES, "covariates", "age,sex");
    const char *pattr[] = {"meff", "genome_wide_p", "study_threshold_p", "study_threshold_log10p"};
    for (size_t k = 0; k < sizeof pattr / sizeof *pattr; k++)
        attr_num(f, in, RF_PHENOTYPES, pattr[k]);
    doubles(f, in, RF_HITS_VALUES, nh, 4);
    strings(f, in, RF_HITS_PHENOTYPE, nh);
    attr_num(f, in, RF_HITS, "threshold");
    attr_num(f, in, RF_HITS, "locus_window_kb");
    H5Fclose(f);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const char *dir = fuzz_dir("fuzz_h5in");
    char run[160], out[200];
    snprintf(run, sizeof run, "%s/run.h5", dir);
    in_t in = {data, size};
    int with_report = size && data[0] == 0xff; /* the plots are slow: now and then */
    if (make(run, &in)) return 0;
    snprintf(out, sizeof out, "%s/f.tsv", dir);
    export_features_tsv(run, out);
    snprintf(out, sizeof out, "%s/h.tsv", dir);
    export_hits(run, out, 500);
    snprintf(out, sizeof out, "%s/l.tsv", dir);
    export_loci(run, out, 500);
    char *ov[] = {"study.genome_build=GRCh38",
                  "study.genotyping_technology=[Genome-wide genotyping array]"};
    snprintf(out, sizeof out, "%s/ss", dir);
    export_sumstats(run, out, 0, 1, ov, 2);
    if (with_report) {
        snprintf(out, sizeof out, "%s/rep", dir);
        report_write(run, out, 0, 1);
        report_extraction(run, out);
    }
    table_t t;
    if (table_from_run(run, &t) == RGX_OK) table_free(&t);
    hid_t f;
    if (h5in_open(run, &f) == RGX_OK) {
        assoc_t a;
        if (assoc_open(&a, f, run) == RGX_OK) {
            double b[8], s[8], m[8];
            for (size_t r = 0; r < 8; r++)
                if (assoc_rows(&a, r, 1, b, s, m) != RGX_OK) break;
            assoc_close(&a);
        }
        h5in_close(f);
    }
    const char *objs[] = {"/samples", "/features", "/variants", "/assoc", "/phenotypes", "/hits"};
    int same;
    char *diff = NULL;
    h5cmp_files(run, run, objs, sizeof objs / sizeof *objs, &same, &diff);
    free(diff);
    path_remove_tree(dir); /* the exports' files and folders, for the next input */
    mkdir(dir, 0700);
    return 0;
}
