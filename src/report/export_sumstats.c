/* export_sumstats.c — see export_sumstats.h. */
#include "export_sumstats.h"

#include <errno.h>
#include <htslib/bgzf.h>
#include <htslib/hfile.h>
#include <htslib/hts.h>
#include <htslib/kstring.h>
#include <htslib/tbx.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "assoc.h"
#include "cfg.h"
#include "h5in.h"
#include "loci.h"
#include "log.h"
#include "outfile.h"
#include "util.h"
#include "version.h"
#include "runfile.h"

enum { BATCH = 200, ROWS = 4096 }; /* files open at once; variant rows read at once */

void sumstats_p_text(double m, char *buf, size_t n)
{
    if (isnan(m)) {
        snprintf(buf, n, "#NA");
    } else if (m < 300) {
        snprintf(buf, n, "%.10g", pow(10.0, -m));
    } else { /* 10^-m = mantissa x 10^e with e = floor(-m) */
        double e = floor(-m), mant = pow(10.0, -m - e);
        if (mant >= 9.9999999995) mant = 1, e += 1;
        snprintf(buf, n, "%.9fe%.0f", mant, e);
    }
}

static const char *chrom_code(const char *c, char *buf)
{
    if (!strncmp(c, "chr", 3)) c += 3;
    if (!strcmp(c, "X")) return "23";
    if (!strcmp(c, "Y")) return "24";
    if (!strcmp(c, "M") || !strcmp(c, "MT")) return "25";
    snprintf(buf, 32, "%s", c);
    return buf;
}

void export_safe_name(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++) {
        unsigned char c = (unsigned char)*s;
        int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '_' || c == '-' || c == '+' || c == '=' || c >= 0x80 ||
                   (c == '.' && k > 0); /* never a hidden file, never "." or ".." */
        out[k++] = keep ? (char)c : '_';
    }
    out[k] = '\0';
}

typedef struct {
    const char *stem, *name;
    size_t i; /* the phenotype's column */
} stem_t;

static int cmp_stem(const void *a, const void *b)
{
    const stem_t *x = a, *y = b;
    int c = strcasecmp(x->stem, y->stem);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

rgx_err export_check_names(char *const *names, size_t n, const char *run_path)
{
    /* Sorted by stem ignoring case, so that a collision is a run of equal stems (equal
     * ignoring case, so that the files stay distinct on any file system). */
    char (*stem)[EXPORT_NAME_MAX + 2] = NULL;
    stem_t *st = NULL;
    rgx_err err = RGX_OK;
    if ((err = rgx_calloc(&stem, n ? n : 1, sizeof *stem)) ||
        (err = rgx_calloc(&st, n ? n : 1, sizeof *st)))
        goto out;
    for (size_t i = 0; i < n && !err; i++) {
        if (!names[i][0])
            err = rgx_fail(RGX_ERR_INPUT, "%s: phenotype %zu has an empty name", run_path, i + 1);
        else if (strlen(names[i]) > EXPORT_NAME_MAX)
            err = rgx_fail(RGX_ERR_INPUT, "%s: phenotype '%.40s...' has a name of %zu bytes: at "
                           "most %d make a file name", run_path, names[i], strlen(names[i]),
                           EXPORT_NAME_MAX);
        export_safe_name(names[i], stem[i], sizeof stem[i]);
        st[i] = (stem_t){stem[i], names[i], i};
    }
    if (err) goto out;
    qsort(st, n, sizeof *st, cmp_stem);
    strbuf_t sb = {0};
    size_t groups = 0;
    for (size_t i = 0; i < n && !err;) {
        size_t j = i + 1;
        while (j < n && !strcasecmp(st[i].stem, st[j].stem)) j++;
        if (j - i > 1 && groups++ < 5) {
            err = sb_printf(&sb, "%s", groups > 1 ? "; " : "");
            for (size_t k = i; k < j && !err; k++)
                err = sb_printf(&sb, "%s'%s'", k > i ? ", " : "", st[k].name);
            if (!err) err = sb_printf(&sb, " -> '%s'", st[i].stem);
        }
        i = j;
    }
    if (!err && groups)
        err = rgx_fail(RGX_ERR_INPUT, "%s: %zu group%s of phenotypes would share a file name "
                       "(names are made safe for files, then must differ, ignoring case): %s%s; "
                       "rename the phenotypes", run_path, groups, groups > 1 ? "s" : "", sb.s,
                       groups > 5 ? "; ..." : "");
    free(sb.s);
out:
    free(stem), free(st);
    return err;
}

static rgx_err md5_file(const char *path, char hex[33])
{
    FILE *f = fopen(path, "rb");
    if (!f) return rgx_fail(RGX_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
    hts_md5_context *c = hts_md5_init();
    unsigned char buf[65536], dig[16];
    size_t r;
    while ((r = fread(buf, 1, sizeof buf, f)) > 0) hts_md5_update(c, buf, (unsigned long)r);
    fclose(f);
    hts_md5_final(dig, c);
    hts_md5_destroy(c);
    hts_md5_hex(hex, dig);
    return RGX_OK;
}

/* What the metadata sidecars say beyond the file itself: from the run's recorded config
 * (study.*) and /phenotypes' attributes. */
typedef struct {
    cfg_t *cfg;
    char *transform, *covariates; /* NULL: not recorded */
    int outcome;                  /* assoc_t.outcome: 0 quantitative, 1 binary, 2 time to event */
} ssf_meta_t;

/* The effect column and model of a store's outcome: GWAS-SSF names the effect beta,
 * odds_ratio or hazard_ratio; standard_error stays that of beta (the log scale). */
static const char *const effect_name[3] = {"beta", "odds_ratio", "hazard_ratio"};
static const char *const model_name[3] = {
    "linear regression, t test",
    "logistic regression: score test, Wald test of the full fit below the screen, Firth "
    "fallback",
    "Cox proportional hazards, Efron ties: score test, Wald test of the full fit below the "
    "screen"};

/* A YAML double-quoted scalar: quotes and backslashes escaped. */
static void yaml_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        fputc(*s == '\n' || *s == '\t' ? ' ' : *s, f);
    }
    fputc('"', f);
}

static void yaml_list(FILE *f, const char *key, const char *const *v, size_t n, const char *ind)
{
    fprintf(f, "%s%s:\n", ind, key);
    for (size_t i = 0; i < n; i++) fprintf(f, "%s  - ", ind), yaml_quoted(f, v[i]), fputc('\n', f);
}

/* The trait in words: a run's feature names are <channel>.<ROI label>.<IBSI tag>. */
static void trait_text(const char *pheno, const ssf_meta_t *m, char *buf, size_t n)
{
    const char *d1 = strchr(pheno, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    const char *tr = m->transform && strcmp(m->transform, "none") ? m->transform : NULL;
    int k;
    if (d1 && d2)
        k = snprintf(buf, n, "radiomic feature %s (IBSI) of image channel %.*s, ROI label %.*s",
                     d2 + 1, (int)(d1 - pheno), pheno, (int)(d2 - d1 - 1), d1 + 1);
    else
        k = snprintf(buf, n, "%s", pheno);
    if (tr && k > 0 && (size_t)k < n) snprintf(buf + k, n - (size_t)k, ", %s transformed", tr);
}

static rgx_err write_meta(const char *dir, const char *fname, const char *pheno, double n,
                          const char *run_path, int sorted, const ssf_meta_t *m)
{
    char path[4200], data[4096], md5[33], today[32], trait[1200], notes[1600];
    snprintf(data, sizeof data, "%s/%s", dir, fname);
    snprintf(path, sizeof path, "%s-meta.yaml", data);
    rgx_err err = md5_file(data, md5);
    if (err) return err;
    time_t t = time(NULL);
    strftime(today, sizeof today, "%Y-%m-%d", gmtime(&t));
    outfile_t o; /* under a temporary name until complete (outfile.h) */
    if ((err = outfile_open(&o, path))) return err;
    FILE *f = o.f;
    const char *const *tech, *const *anc;
    size_t n_tech = cfg_strings(m->cfg, "study.genotyping_technology", &tech);
    size_t n_anc = cfg_strings(m->cfg, "study.ancestry_category", &anc);
    trait_text(pheno, m, trait, sizeof trait);
    const char *tr = m->transform ? m->transform : "not recorded";
    snprintf(notes, sizeof notes,
             "Linear regression of the phenotype on the ALT dosage and the covariates, t test "
             "(radiogx %s). beta is per ALT allele, in units of the phenotype after the "
             "transform (%s; for the rank-based inverse normal transform: SDs of the "
             "transformed phenotype). Adjusted for: %s. Sample size: the phenotype's complete "
             "cases (the n column).",
             rgx_version(), tr, m->covariates && *m->covariates ? m->covariates : "none");
    fprintf(f, "# GWAS-SSF metadata, written by radiogx %s from %s\n", rgx_version(), run_path);
    fprintf(f,
            "file_type: GWAS-SSF v1.1\n"
            "data_file_name: %s\n"
            "data_file_md5sum: %s\n"
            "date_last_modified: %s\n"
            "is_harmonised: false\n"
            "is_sorted: %s\n"
            "genome_assembly: %s\n"
            "coordinate_system: 1-based\n",
            fname, md5, today, sorted ? "true" : "false", cfg_str(m->cfg, "study.genome_build"));
    yaml_list(f, "genotyping_technology", tech, n_tech, "");
    fprintf(f, "analysis_software: \"radiogx %s (%s)\"\n", rgx_version(), model_name[m->outcome]);
    const char *traits[1] = {trait};
    yaml_list(f, "trait_description", traits, 1, "");
    fprintf(f, "effect_statistic: %s\nsex: combined\n", effect_name[m->outcome]);
    if (m->covariates && *m->covariates) {
        fprintf(f, "adjusted_covariates:\n");
        for (const char *c = m->covariates; *c;) {
            size_t w = strcspn(c, ",");
            char one[256];
            snprintf(one, sizeof one, "%.*s", (int)(w < 255 ? w : 255), c);
            fprintf(f, "  - "), yaml_quoted(f, one), fputc('\n', f);
            c += w + (c[w] == ',');
        }
    }
    fprintf(f, "author_notes: "), yaml_quoted(f, notes), fputc('\n', f);
    fprintf(f, "samples:\n  - sample_size: %.0f\n", n);
    yaml_list(f, "sample_ancestry_category", anc, n_anc, "    ");
    return outfile_commit(&o);
}

rgx_err export_sumstats_check(const cfg_t *cfg)
{
    if (cfg_is_null(cfg, "study.genome_build"))
        return rgx_fail(RGX_ERR_CONFIG,
                        "GWAS-SSF summary statistics need the genome build: set study.genome_build "
                        "(GRCh37 or GRCh38) in the study config (for an existing run file: "
                        "radiogx export -P study.genome_build=GRCh38)");
    const char *const *v;
    if (cfg_is_null(cfg, "study.genotyping_technology") ||
        !cfg_strings(cfg, "study.genotyping_technology", &v))
        return rgx_fail(RGX_ERR_CONFIG,
                        "GWAS-SSF summary statistics need the genotyping technology: set "
                        "study.genotyping_technology (e.g. [Genome-wide genotyping array] or "
                        "[Whole genome sequencing]) in the study config (for an existing run file: "
                        "radiogx export -P 'study.genotyping_technology=[...]')");
    return RGX_OK;
}

/* The run's recorded config with the caller's overrides, checked for what GWAS-SSF needs. */
static rgx_err meta_open(hid_t f, const char *run_path, char *const *ov, int n_ov, ssf_meta_t *m)
{
    memset(m, 0, sizeof *m);
    char **txt = NULL;
    size_t nt = 0;
    rgx_err err = h5in_read_strings(f, RF_PROV_CONFIG, &nt, &txt);
    if (!err && nt != 1) err = rgx_fail(RGX_ERR_INPUT, "%s: no /provenance/config", run_path);
    if (!err) err = cfg_parse(&m->cfg, txt[0], "the run's recorded config", rgx_schema, ov, n_ov);
    h5in_free_strings(txt, nt);
    if (!err) err = export_sumstats_check(m->cfg);
    if (err) return err;
    /* Older run files lack these: the metadata then says "not recorded". */
    if (h5in_attr_str(f, RF_PHENOTYPES, "transform", &m->transform)) m->transform = NULL;
    if (h5in_attr_str(f, RF_PHENOTYPES, "covariates", &m->covariates)) m->covariates = NULL;
    rgx_errclear();
    return RGX_OK;
}

static void meta_close(ssf_meta_t *m)
{
    cfg_free(m->cfg), free(m->transform), free(m->covariates);
    memset(m, 0, sizeof *m);
}

/* 1 when s is a nucleotide string, as the GWAS Catalog's validator wants an allele. */
static int acgt(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!strchr("ACGTacgt", *s)) return 0;
    return 1;
}

/* The chromosome as GWAS-SSF's integer 1-25, or 0 for a contig it has no number for. */
static int chrom_number(const char *c)
{
    char buf[32];
    const char *cc = chrom_code(c, buf);
    char *end;
    long v = strtol(cc, &end, 10);
    return *cc && !*end && v >= 1 && v <= 25 ? (int)v : 0;
}

/* A failed write of path: with the system's reason when the library left one in errno. */
static rgx_err io_failed(const char *path)
{
    return rgx_fail(RGX_ERR_IO, "%s: write failed%s%s", path, errno ? ": " : "",
                    errno ? strerror(errno) : "");
}

/* Closes a file dropped after a failure.  What it still holds goes to /dev/null: bgzf_close
 * flushes, and when that flush fails (a full disk) it returns without freeing anything; and
 * HTSlib's complaints would only repeat the error already reported. */
static void quiet_close(BGZF *fp)
{
    hFILE *null = hopen("/dev/null", "w");
    if (null) {
        hclose_abruptly(fp->fp);
        fp->fp = null;
    }
    enum htsLogLevel level = hts_get_log_level();
    hts_set_log_level(HTS_LOG_OFF);
    bgzf_close(fp);
    hts_set_log_level(level);
}

/* The tabix index of a file being written, built line by line as tbx_index_build would build
 * it from the finished file (contigs numbered in order of first appearance; each line the
 * interval [pos - 1, pos) ending at the virtual offset after it; the meta block: tabix's
 * configuration, then the contig names), so that the file is not read back to index it. */
typedef struct {
    hts_idx_t *idx;
    kstring_t names; /* the contig names so far, each NUL-terminated, in tid order */
    int n_names, tid;
    size_t cur; /* where the current contig's name starts in names */
} tbi_t;

/* Tabix's configuration: generic, sequence column 1, position column 2, one header line. */
static const int32_t tbi_conf[6] = {TBX_GENERIC, 1, 2, 2, '#', 1};

static rgx_err tbi_begin(tbi_t *t, BGZF *fp)
{
    *t = (tbi_t){
        hts_idx_init(0, HTS_FMT_TBI, (uint64_t)bgzf_tell(fp), 14, 5), {0, 0, NULL}, 0, -1, 0};
    return t->idx ? RGX_OK : rgx_fail(RGX_ERR_MEMORY, "out of memory");
}

/* After a data line of contig c at position pos is written to fp. */
static rgx_err tbi_line(tbi_t *t, BGZF *fp, const char *c, double pos)
{
    if (t->tid < 0 || strcmp(t->names.s + t->cur, c)) {
        size_t off = 0;
        int tid = 0;
        for (; tid < t->n_names && strcmp(t->names.s + off, c); tid++)
            off += strlen(t->names.s + off) + 1;
        if (tid == t->n_names) { /* new: appended (a name seen before keeps its number) */
            off = t->names.l;
            if (kputsn(c, strlen(c) + 1, &t->names) < 0)
                return rgx_fail(RGX_ERR_MEMORY, "out of memory");
            t->n_names++;
        }
        t->tid = tid, t->cur = off;
    }
    hts_pos_t end = (hts_pos_t)pos, beg = end - 1;
    if (beg < 0) beg = 0;
    if (end < 1) end = 1;
    if (hts_idx_push(t->idx, t->tid, beg, end, (uint64_t)bgzf_tell(fp), 1) < 0)
        return rgx_fail(RGX_ERR_INPUT, "%s:%.0f: variants not sorted by position (tabix)", c, pos);
    return RGX_OK;
}

/* At the end of the data (before closing fp): finish and save the index as idx_path (the data
 * file, being written, is path). */
static rgx_err tbi_end(tbi_t *t, BGZF *fp, const char *path, const char *idx_path)
{
    rgx_err err = RGX_OK;
    errno = 0;
    if (bgzf_flush(fp) < 0) err = io_failed(path);
    uint8_t *meta = NULL;
    size_t l_nm = t->names.l, l_meta = 28 + l_nm;
    if (!err && hts_idx_finish(t->idx, (uint64_t)bgzf_tell(fp)) < 0)
        err = rgx_fail(RGX_ERR_IO, "%s: cannot finish the tabix index", path);
    if (!err) err = rgx_calloc(&meta, l_meta, 1);
    if (!err) { /* seven little-endian int32: the configuration and the names' length */
        for (int i = 0; i < 7; i++) {
            uint32_t x = i < 6 ? (uint32_t)tbi_conf[i] : (uint32_t)l_nm;
            for (int b = 0; b < 4; b++) meta[4 * i + b] = (uint8_t)(x >> (8 * b));
        }
        if (l_nm) memcpy(meta + 28, t->names.s, l_nm);
        errno = 0;
        if (hts_idx_set_meta(t->idx, (uint32_t)l_meta, meta, 1) < 0 ||
            hts_idx_save_as(t->idx, path, idx_path, HTS_FMT_TBI) < 0)
            err = rgx_fail(RGX_ERR_IO, "%s.tbi: cannot write the tabix index%s%s", path,
                           errno ? ": " : "", errno ? strerror(errno) : "");
    }
    free(meta);
    return err;
}

static void tbi_free(tbi_t *t)
{
    if (t->idx) hts_idx_destroy(t->idx);
    free(t->names.s);
    *t = (tbi_t){NULL, {0, 0, NULL}, 0, -1, 0};
}

rgx_err export_sumstats(const char *run_path, const char *dir, int part, int parts,
                        char *const *overrides, int n_overrides)
{
    hid_t f;
    rgx_err err = h5in_open(run_path, &f);
    if (err) return err;
    char **pn = NULL, **chrom = NULL, **id = NULL, **ref = NULL, **alt = NULL;
    size_t p = 0, V = 0, nv = 0;
    double *pos = NULL, *af = NULL, *qc = NULL, *nobs = NULL, *B = NULL, *S = NULL, *L = NULL;
    BGZF **out = NULL;
    tbi_t *tbi = NULL;
    char **tmp = NULL, **tmpi = NULL; /* per open file: temporary names of data and index */
    kstring_t ks = {0, 0, NULL}, vs = {0, 0, NULL};
    assoc_t as = {0};
    ssf_meta_t meta = {0};
    char *site_ok = NULL; /* per variant: a row in every file (tested, a 1-25 contig, ACGT) */
    long skip_contig = 0, skip_allele = 0, no_test = 0;
    int sorted = 1;
    if ((err = meta_open(f, run_path, overrides, n_overrides, &meta))) goto out;
    if ((err = assoc_open(&as, f, run_path))) goto out;
    meta.outcome = as.outcome;
    size_t c0;
    if ((err = h5in_read_strings(f, RF_PHENOTYPES_NAMES, &p, &pn)) ||
        (err = h5in_read_strings(f, RF_VARIANTS_CHROM, &V, &chrom)) ||
        (err = h5in_read_strings(f, RF_VARIANTS_ID, &nv, &id)) ||
        (err = h5in_read_strings(f, RF_VARIANTS_REF, &nv, &ref)) ||
        (err = h5in_read_strings(f, RF_VARIANTS_ALT, &nv, &alt)) ||
        (err = h5in_read_doubles(f, RF_VARIANTS_POS, &nv, &c0, &pos)) ||
        (err = h5in_read_doubles(f, RF_VARIANTS_AF, &nv, &c0, &af)) ||
        (err = h5in_read_doubles(f, RF_VARIANTS_QC, &nv, &c0, &qc)) ||
        (err = h5in_read_doubles(f, RF_PHENOTYPES_N, &nv, &c0, &nobs)))
        goto out;
    if ((err = export_check_names(pn, p, run_path))) goto out;
    if ((err = rgx_calloc(&site_ok, V ? V : 1, 1))) goto out;
    double prev_pos = 0;
    for (size_t v = 0, prev_c = 0; v < V; v++) { /* GWAS-SSF rows: which, and in what order */
        if (qc[v] != 1) continue;
        int c = chrom_number(chrom[v]);
        if (!c) {
            skip_contig++;
            continue;
        }
        if (!acgt(ref[v]) || !acgt(alt[v])) {
            skip_allele++;
            continue;
        }
        site_ok[v] = 1;
        if ((size_t)c < prev_c || ((size_t)c == prev_c && pos[v] < prev_pos)) sorted = 0;
        prev_c = (size_t)c, prev_pos = pos[v];
    }
    if (part == 0 && (skip_contig || skip_allele))
        log_warn("export: GWAS-SSF leaves out %ld tested variants on contigs it has no number "
                 "for (1-22, X=23, Y=24, MT=25) and %ld whose alleles are not nucleotides",
                 skip_contig, skip_allele);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        err = rgx_fail(RGX_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
        goto out;
    }
    if ((err = rgx_calloc(&out, BATCH, sizeof *out)) ||
        (err = rgx_calloc(&tbi, BATCH, sizeof *tbi)) ||
        (err = rgx_calloc(&tmp, BATCH, sizeof *tmp)) ||
        (err = rgx_calloc(&tmpi, BATCH, sizeof *tmpi)) ||
        (err = rgx_calloc(&B, (size_t)ROWS * (p ? p : 1), sizeof *B)) ||
        (err = rgx_calloc(&S, (size_t)ROWS * (p ? p : 1), sizeof *S)) ||
        (err = rgx_calloc(&L, (size_t)ROWS * (p ? p : 1), sizeof *L)))
        goto out;
    /* This part's phenotypes: every parts-th, from the part-th. */
    size_t *mine = NULL, nm_ = 0;
    if ((err = rgx_calloc(&mine, p ? p : 1, sizeof *mine))) goto out;
    for (size_t k = (size_t)part; k < p; k += (size_t)parts) mine[nm_++] = k;
    progress_t prog;
    progress_init(&prog,
                  parts > 1 ? "export: summary statistics (rank 0's share)"
                            : "export: summary statistics",
                  "phenotypes", (long)nm_);
    /* Each phenotype's n, as text (the same on every line of its file). */
    char(*ntext)[32] = NULL;
    if ((err = rgx_calloc(&ntext, p ? p : 1, sizeof *ntext))) goto out_mine;
    for (size_t k = 0; k < p; k++) snprintf(ntext[k], sizeof ntext[k], "%.0f\t", nobs[k]);
    for (size_t i0 = 0; i0 < nm_ && !err; i0 += BATCH) {
        size_t kn = nm_ - i0 < BATCH ? nm_ - i0 : BATCH;
        const size_t *ph = mine + i0; /* ph[k]: the phenotype of output k */
        for (size_t k = 0; k < kn && !err; k++) {
            char nm[1024], path[4200];
            export_safe_name(pn[ph[k]], nm, sizeof nm);
            snprintf(path, sizeof path, "%s/%s.tsv.gz", dir, nm);
            /* Under temporary names until complete (outfile.h): the data, and its index. */
            if ((err = outfile_temp(path, &tmp[k])) ||
                (err = outfile_temp_fixed(tmp[k], ".tbi", &tmpi[k])))
                break;
            out[k] = bgzf_open(tmp[k], "w6");
            if (!out[k]) {
                err = rgx_fail(RGX_ERR_IO, "%s: cannot create: %s", tmp[k], strerror(errno));
                break;
            }
            char hdr[256];
            int hl = snprintf(hdr, sizeof hdr,
                              "chromosome\tbase_pair_location\teffect_allele\tother_allele\t"
                              "%s\tstandard_error\teffect_allele_frequency\tp_value\t"
                              "variant_id\tn\tneg_log_10_p_value\n",
                              effect_name[as.outcome]);
            errno = 0;
            if (bgzf_write(out[k], hdr, (size_t)hl) < 0) err = io_failed(path);
            if (!err) err = tbi_begin(&tbi[k], out[k]);
        }
        for (size_t r0 = 0; r0 < V && !err; r0 += ROWS) {
            size_t nr = V - r0 < ROWS ? V - r0 : ROWS;
            if ((err = assoc_rows(&as, r0, nr, B, S, L))) break;
            for (size_t j = 0; j < nr && !err; j++) {
                size_t v = r0 + j;
                if (!site_ok[v]) continue;
                /* The variant's columns, the same in every file: written once.  variant_id as
                 * the standard has it: <chromosome>_<base_pair_location>_<ref>_<alt>. */
                char cb[32];
                const char *cc = chrom_code(chrom[v], cb);
                vs.l = 0;
                ksprintf(&vs, "%s\t%.0f\t%s\t%s\t", cc, pos[v], alt[v], ref[v]);
                size_t l_site = vs.l;
                ksprintf(&vs, "%.6g\t", af[v]);
                size_t l_af = vs.l;
                ksprintf(&vs, "%s_%.0f_%s_%s\t", cc, pos[v], ref[v], alt[v]);
                for (size_t k = 0; k < kn && !err; k++) {
                    double b = B[j * p + ph[k]], s = S[j * p + ph[k]], m = L[j * p + ph[k]];
                    if (isnan(b) || isnan(s) || isnan(m)) { /* no test: no row (beta, SE and */
                        no_test++;                           /* p are mandatory values) */
                        continue;
                    }
                    char pt[64];
                    sumstats_p_text(m, pt, sizeof pt);
                    ks.l = 0;
                    kputsn(vs.s, l_site, &ks);
                    /* odds and hazard ratios: exp(beta); the SE stays that of beta */
                    ksprintf(&ks, "%.10g\t%.10g\t", as.outcome ? exp(b) : b, s);
                    kputsn(vs.s + l_site, l_af - l_site, &ks);
                    kputs(pt, &ks), kputc('\t', &ks);
                    kputsn(vs.s + l_af, vs.l - l_af, &ks);
                    kputs(ntext[ph[k]], &ks);
                    ksprintf(&ks, "%.10g\n", m);
                    errno = 0;
                    if (bgzf_write(out[k], ks.s, ks.l) < 0) {
                        /* named as the file will be (without ".XXXXXX.part") */
                        char fin[4200];
                        snprintf(fin, sizeof fin, "%.*s", (int)strlen(tmp[k]) - 12, tmp[k]);
                        err = io_failed(fin);
                    } else
                        err = tbi_line(&tbi[k], out[k], cc, pos[v]);
                }
            }
        }
        for (size_t k = 0; k < kn; k++) {
            char nm[1024], path[4200], fname[1100];
            export_safe_name(pn[ph[k]], nm, sizeof nm);
            snprintf(fname, sizeof fname, "%s.tsv.gz", nm);
            snprintf(path, sizeof path, "%s/%s", dir, fname);
            /* The index (tabix: sequence column 1, position column 2, one header line) is
             * saved before the file is closed. */
            if (!err && out[k]) err = tbi_end(&tbi[k], out[k], path, tmpi[k]);
            tbi_free(&tbi[k]);
            errno = 0;
            if (out[k] && err) quiet_close(out[k]);
            else if (out[k] && bgzf_close(out[k]) < 0) err = io_failed(path);
            out[k] = NULL;
            /* Complete: the data, then its index (never older than the data it describes:
             * htslib warns then; an old index that failed to be replaced is removed), then the
             * sidecar with the data's MD5.  A job killed between the renames leaves a sidecar
             * whose MD5 does not match: detectable, never silently wrong. */
            if (!err && tmp[k] && !(err = outfile_publish(tmp[k], path))) {
                char idx[4300];
                free(tmp[k]), tmp[k] = NULL;
                snprintf(idx, sizeof idx, "%s.tbi", path);
                if ((err = outfile_publish(tmpi[k], idx))) unlink(idx);
                free(tmpi[k]), tmpi[k] = NULL;
                if (!err)
                    err = write_meta(dir, fname, pn[ph[k]], nobs[ph[k]], run_path, sorted, &meta);
            }
            outfile_discard(tmp[k]), outfile_discard(tmpi[k]);
            free(tmp[k]), free(tmpi[k]);
            tmp[k] = tmpi[k] = NULL;
            if (!err) progress_update(&prog, (long)(i0 + k + 1));
        }
    }
    free(ntext);
    if (!err && no_test)
        log_info("export: %ld (variant, phenotype) pairs without a test (constant dosage on the "
                 "phenotype's samples) have no GWAS-SSF row", no_test);
out_mine:
    if (!err) progress_done(&prog, (long)nm_);
    free(mine);
out:
    for (size_t k = 0; out && k < BATCH; k++)
        if (out[k]) quiet_close(out[k]);
    for (size_t k = 0; tbi && k < BATCH; k++) tbi_free(&tbi[k]);
    for (size_t k = 0; tmp && k < BATCH; k++) outfile_discard(tmp[k]), free(tmp[k]);
    for (size_t k = 0; tmpi && k < BATCH; k++) outfile_discard(tmpi[k]), free(tmpi[k]);
    free(tmp), free(tmpi);
    free(out), free(tbi), free(ks.s), free(vs.s), free(pos), free(af), free(qc), free(nobs);
    free(B), free(S), free(L), free(site_ok);
    meta_close(&meta);
    assoc_close(&as);
    h5in_free_strings(pn, p), h5in_free_strings(chrom, V), h5in_free_strings(id, V);
    h5in_free_strings(ref, V), h5in_free_strings(alt, V);
    h5in_close(f);
    return err;
}

rgx_err export_hits(const char *run_path, const char *out_path, double window_kb)
{
    hid_t f;
    rgx_err err = h5in_open(run_path, &f);
    if (err) return err;
    loci_t L = {0};
    outfile_t of = {0};
    if ((err = loci_read(&L, f, run_path, window_kb, NAN)) || (err = outfile_open(&of, out_path)))
        goto out;
    FILE *o = of.f;
    /* study_wide: at or above alpha / Meff (docs/cmd-scan.md), NA for a run file made before
     * radiogx computed it; locus: the hit's locus in export --loci. */
    fputs("variant_id\tchrom\tpos\tref\talt\tphenotype\tbeta\tse\tneg_log10_p\tstudy_wide\t"
          "locus\n",
          o);
    for (size_t i = 0; i < L.nh && !outfile_failed(&of); i++) {
        const loci_hit_t *h = &L.hit[i];
        size_t v = h->row;
        fprintf(o, "%s\t%s\t%.0f\t%s\t%s\t%s\t%.10g\t%.10g\t%.10g\t%s\t%zu\n", L.id[v], L.chrom[v],
                L.pos[v], L.ref[v], L.alt[v], L.pname[h->pheno], h->beta, h->se, h->mlp,
                isnan(L.study_log10p)      ? "NA"
                : h->mlp >= L.study_log10p ? "yes"
                                           : "no",
                h->locus + 1);
    }
    err = outfile_commit(&of);
out:
    outfile_abort(&of);
    loci_free(&L);
    h5in_close(f);
    return err;
}
