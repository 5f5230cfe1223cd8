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
    } else if (m < 300) { /* %.10g, cut to n bytes as snprintf would */
        char t[RGX_FMT_G_LEN];
        size_t l = (size_t)rgx_fmt_g(t, pow(10.0, -m), 10);
        if (n) memcpy(buf, t, l < n ? l + 1 : n - 1), buf[n - 1] = '\0';
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
    const char *cov = m->covariates && *m->covariates ? m->covariates : "none";
    if (m->outcome == 1)
        snprintf(notes, sizeof notes,
                 "Logistic regression of the binary phenotype (case 1, control 0) on the ALT "
                 "dosage and the covariates (radiogx %s): a score test, and the full fit's Wald "
                 "test where the score p is below the screen or the variant is rare in the "
                 "smaller class, Firth's penalised fit where the fit separates. odds_ratio is "
                 "exp(beta) per ALT allele; standard_error is that of beta (the log odds ratio). "
                 "Adjusted for: %s. Sample size: the phenotype's complete cases (the n column).",
                 rgx_version(), cov);
    else if (m->outcome == 2)
        snprintf(notes, sizeof notes,
                 "Cox proportional hazards (Efron ties) of the time to event on the ALT dosage "
                 "and the covariates (radiogx %s): a score test, and the full fit's Wald test "
                 "where the score p is below the screen. hazard_ratio is exp(beta) per ALT "
                 "allele; standard_error is that of beta (the log hazard ratio). Adjusted for: "
                 "%s. Sample size: the phenotype's complete cases (the n column).",
                 rgx_version(), cov);
    else
        snprintf(notes, sizeof notes,
                 "Linear regression of the phenotype on the ALT dosage and the covariates, t "
                 "test (radiogx %s). beta is per ALT allele, in units of the phenotype after the "
                 "transform (%s; for the rank-based inverse normal transform: SDs of the "
                 "transformed phenotype). Adjusted for: %s. Sample size: the phenotype's "
                 "complete cases (the n column).",
                 rgx_version(), tr, cov);
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
    /* Both keys in one message when both are missing: fixed in one go, not one per run. */
    const char *const *v;
    int build = cfg_is_null(cfg, "study.genome_build"),
        tech = cfg_is_null(cfg, "study.genotyping_technology") ||
               !cfg_strings(cfg, "study.genotyping_technology", &v);
    if (!build && !tech) return RGX_OK;
    const char *and = build && tech ? " and " : "";
    return rgx_fail(RGX_ERR_CONFIG,
                    "GWAS-SSF summary statistics need %s%s%s: set %s%s%s in the study config "
                    "(for an existing run file: radiogx export %s%s%s)",
                    build ? "the genome build" : "", and, tech ? "the genotyping technology" : "",
                    build ? "study.genome_build (GRCh37 or GRCh38)" : "", and,
                    tech ? "study.genotyping_technology (e.g. [Genome-wide genotyping array] or "
                           "[Whole genome sequencing])"
                         : "",
                    build ? "-P study.genome_build=GRCh38" : "", build && tech ? " " : "",
                    tech ? "-P 'study.genotyping_technology=[...]'" : "");
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

/* The run file's side of an export: the phenotypes, the variants and which of them get rows. */
typedef struct {
    const char *run_path, *dir;
    char **pn, **chrom, **id, **ref, **alt;
    size_t p, V;
    double *pos, *af, *qc, *nobs;
    char *site_ok; /* per variant: a row in every file (tested, a 1-25 contig, ACGT) */
    int sorted;    /* the rows are in GWAS-SSF's order (chromosome number, position) */
    char (*ntext)[32]; /* each phenotype's n, as text (the same on every line of its file) */
    assoc_t as;
    ssf_meta_t meta;
} ss_run_t;

static void ss_run_free(ss_run_t *r)
{
    free(r->pos), free(r->af), free(r->qc), free(r->nobs), free(r->site_ok), free(r->ntext);
    meta_close(&r->meta);
    assoc_close(&r->as);
    h5in_free_strings(r->pn, r->p), h5in_free_strings(r->chrom, r->V);
    h5in_free_strings(r->id, r->V), h5in_free_strings(r->ref, r->V);
    h5in_free_strings(r->alt, r->V);
}

/* A run file's object has the rows the others imply. */
static rgx_err rows_are(const char *run, const char *name, size_t rows, size_t want)
{
    if (rows == want) return RGX_OK;
    return rgx_fail(RGX_ERR_INPUT, "%s: %s has %zu rows, expected %zu as /assoc has", run, name,
                    rows, want);
}

/* Reads the run and decides the rows: tested variants on a contig GWAS-SSF numbers, with
 * nucleotide alleles (the others counted and, on part 0, logged). */
static rgx_err ss_run_read(ss_run_t *r, hid_t f, int part, char *const *ov, int n_ov)
{
    size_t c0, nv = 0, np = 0;
    rgx_err err;
    if ((err = meta_open(f, r->run_path, ov, n_ov, &r->meta)) ||
        (err = assoc_open(&r->as, f, r->run_path)))
        return err;
    r->meta.outcome = r->as.outcome;
    /* Every size checked against /assoc's (a run file that was edited, or cut short: found by
     * fuzz_h5in, an overread when /variants/id had fewer rows than /variants/chrom). */
    const char *rp = r->run_path;
    if ((err = h5in_read_strings(f, RF_PHENOTYPES_NAMES, &r->p, &r->pn)) ||
        (err = rows_are(rp, RF_PHENOTYPES_NAMES, r->p, r->as.p)) ||
        (err = h5in_read_strings(f, RF_VARIANTS_CHROM, &r->V, &r->chrom)) ||
        (err = rows_are(rp, RF_VARIANTS_CHROM, r->V, r->as.n_rows)))
        return err;
    char ***str[3] = {&r->id, &r->ref, &r->alt};
    const char *sname[3] = {RF_VARIANTS_ID, RF_VARIANTS_REF, RF_VARIANTS_ALT};
    for (int k = 0; k < 3 && !err; k++) {
        if ((err = h5in_read_strings(f, sname[k], &nv, str[k]))) break;
        if (nv != r->V) { /* freed with r->V rows: the rows read are freed here */
            h5in_free_strings(*str[k], nv), *str[k] = NULL;
            err = rows_are(rp, sname[k], nv, r->V);
        }
    }
    double **num[3] = {&r->pos, &r->af, &r->qc};
    const char *nname[3] = {RF_VARIANTS_POS, RF_VARIANTS_AF, RF_VARIANTS_QC};
    for (int k = 0; k < 3 && !err; k++)
        if (!(err = h5in_read_doubles(f, nname[k], &nv, &c0, num[k])))
            err = rows_are(rp, nname[k], nv, r->V);
    if (err || (err = h5in_read_doubles(f, RF_PHENOTYPES_N, &np, &c0, &r->nobs)) ||
        (err = rows_are(rp, RF_PHENOTYPES_N, np, r->p)) ||
        (err = export_check_names(r->pn, r->p, r->run_path)) ||
        (err = rgx_calloc(&r->site_ok, r->V ? r->V : 1, 1)) ||
        (err = rgx_calloc(&r->ntext, r->p ? r->p : 1, sizeof *r->ntext)))
        return err;
    for (size_t k = 0; k < r->p; k++)
        snprintf(r->ntext[k], sizeof r->ntext[k], "%.0f\t", r->nobs[k]);
    long skip_contig = 0, skip_allele = 0;
    double prev_pos = 0;
    r->sorted = 1;
    for (size_t v = 0, prev_c = 0; v < r->V; v++) {
        if (r->qc[v] != 1) continue;
        int c = chrom_number(r->chrom[v]);
        if (!c) {
            skip_contig++;
            continue;
        }
        if (!acgt(r->ref[v]) || !acgt(r->alt[v])) {
            skip_allele++;
            continue;
        }
        r->site_ok[v] = 1;
        if ((size_t)c < prev_c || ((size_t)c == prev_c && r->pos[v] < prev_pos)) r->sorted = 0;
        prev_c = (size_t)c, prev_pos = r->pos[v];
    }
    if (part == 0 && (skip_contig || skip_allele))
        log_warn("export: GWAS-SSF leaves out %ld tested variants on contigs it has no number "
                 "for (1-22, X=23, Y=24, MT=25) and %ld whose alleles are not nucleotides",
                 skip_contig, skip_allele);
    return RGX_OK;
}

/* Up to BATCH files written at once, each under temporary names until complete (outfile.h):
 * the data and its index. */
typedef struct {
    BGZF *out[BATCH];
    tbi_t tbi[BATCH];
    char *tmp[BATCH], *tmpi[BATCH];
    const size_t *ph; /* ph[k]: the phenotype of file k */
    size_t kn;
    double *B, *S, *L; /* ROWS x kn: the batch's columns of /assoc's rows */
    kstring_t ks, vs;
    long no_test; /* (variant, phenotype) pairs without a test: no row */
} ss_batch_t;

static void ss_batch_free(ss_batch_t *b)
{
    for (size_t k = 0; k < BATCH; k++) {
        if (b->out[k]) quiet_close(b->out[k]);
        tbi_free(&b->tbi[k]);
        outfile_discard(b->tmp[k]), outfile_discard(b->tmpi[k]);
        free(b->tmp[k]), free(b->tmpi[k]);
    }
    free(b->B), free(b->S), free(b->L), free(b->ks.s), free(b->vs.s);
}

/* Opens the batch's files and writes their header line. */
static rgx_err ss_batch_open(ss_batch_t *b, const ss_run_t *r)
{
    rgx_err err = RGX_OK;
    for (size_t k = 0; k < b->kn && !err; k++) {
        char nm[1024], path[4200];
        export_safe_name(r->pn[b->ph[k]], nm, sizeof nm);
        snprintf(path, sizeof path, "%s/%s.tsv.gz", r->dir, nm);
        if ((err = outfile_temp(path, &b->tmp[k])) ||
            (err = outfile_temp_fixed(b->tmp[k], ".tbi", &b->tmpi[k])))
            break;
        b->out[k] = bgzf_open(b->tmp[k], "w6");
        if (!b->out[k]) {
            err = rgx_fail(RGX_ERR_IO, "%s: cannot create: %s", b->tmp[k], strerror(errno));
            break;
        }
        char hdr[256];
        int hl = snprintf(hdr, sizeof hdr,
                          "chromosome\tbase_pair_location\teffect_allele\tother_allele\t"
                          "%s\tstandard_error\teffect_allele_frequency\tp_value\t"
                          "variant_id\tn\tneg_log_10_p_value\n",
                          effect_name[r->as.outcome]);
        errno = 0;
        if (bgzf_write(b->out[k], hdr, (size_t)hl) < 0) err = io_failed(path);
        if (!err) err = tbi_begin(&b->tbi[k], b->out[k]);
    }
    return err;
}

/* x as %.10g, then sep (rgx_fmt_g: snprintf's text in a third of its time). */
static void kput_g10(double x, char sep, kstring_t *ks)
{
    char t[RGX_FMT_G_LEN];
    kputsn(t, (size_t)rgx_fmt_g(t, x, 10), ks);
    kputc(sep, ks);
}

/* Variant v's row in each of the batch's files (row j of the block in B, S, L). */
static rgx_err ss_batch_variant(ss_batch_t *b, const ss_run_t *r, size_t v, size_t j)
{
    /* The variant's columns, the same in every file: written once.  variant_id as the
     * standard has it: <chromosome>_<base_pair_location>_<ref>_<alt>. */
    char cb[32];
    const char *cc = chrom_code(r->chrom[v], cb);
    kstring_t *vs = &b->vs, *ks = &b->ks;
    vs->l = 0;
    ksprintf(vs, "%s\t%.0f\t%s\t%s\t", cc, r->pos[v], r->alt[v], r->ref[v]);
    size_t l_site = vs->l;
    ksprintf(vs, "%.6g\t", r->af[v]);
    size_t l_af = vs->l;
    ksprintf(vs, "%s_%.0f_%s_%s\t", cc, r->pos[v], r->ref[v], r->alt[v]);
    rgx_err err = RGX_OK;
    for (size_t k = 0; k < b->kn && !err; k++) {
        size_t c = j * b->kn + k;
        double beta = b->B[c], s = b->S[c], m = b->L[c];
        if (isnan(beta) || isnan(s) || isnan(m)) { /* no test: no row (beta, SE and p are */
            b->no_test++;                          /* mandatory values) */
            continue;
        }
        char pt[64];
        sumstats_p_text(m, pt, sizeof pt);
        ks->l = 0;
        kputsn(vs->s, l_site, ks);
        /* odds and hazard ratios: exp(beta); the SE stays that of beta */
        kput_g10(r->as.outcome ? exp(beta) : beta, '\t', ks);
        kput_g10(s, '\t', ks);
        kputsn(vs->s + l_site, l_af - l_site, ks);
        kputs(pt, ks), kputc('\t', ks);
        kputsn(vs->s + l_af, vs->l - l_af, ks);
        kputs(r->ntext[b->ph[k]], ks);
        kput_g10(m, '\n', ks);
        errno = 0;
        if (bgzf_write(b->out[k], ks->s, ks->l) < 0) {
            /* named as the file will be (without ".XXXXXX.part") */
            char fin[4200];
            snprintf(fin, sizeof fin, "%.*s", (int)strlen(b->tmp[k]) - 12, b->tmp[k]);
            err = io_failed(fin);
        } else
            err = tbi_line(&b->tbi[k], b->out[k], cc, r->pos[v]);
    }
    return err;
}

/* Ends the batch's files (after a failure: drops them).  Each complete file is published,
 * then its index (never older than the data it describes: htslib warns then; an old index
 * that failed to be replaced is removed), then the sidecar with the data's MD5.  A job killed
 * between the renames leaves a sidecar whose MD5 does not match: detectable, never silently
 * wrong. */
static rgx_err ss_batch_close(ss_batch_t *b, const ss_run_t *r, rgx_err err, progress_t *prog,
                              size_t done)
{
    for (size_t k = 0; k < b->kn; k++) {
        char nm[1024], path[4200], fname[1100];
        export_safe_name(r->pn[b->ph[k]], nm, sizeof nm);
        snprintf(fname, sizeof fname, "%s.tsv.gz", nm);
        snprintf(path, sizeof path, "%s/%s", r->dir, fname);
        /* The index (tabix: sequence column 1, position column 2, one header line) is saved
         * before the file is closed. */
        if (!err && b->out[k]) err = tbi_end(&b->tbi[k], b->out[k], path, b->tmpi[k]);
        tbi_free(&b->tbi[k]);
        errno = 0;
        if (b->out[k] && err) quiet_close(b->out[k]);
        else if (b->out[k] && bgzf_close(b->out[k]) < 0) err = io_failed(path);
        b->out[k] = NULL;
        if (!err && b->tmp[k] && !(err = outfile_publish(b->tmp[k], path))) {
            char idx[4300];
            free(b->tmp[k]), b->tmp[k] = NULL;
            snprintf(idx, sizeof idx, "%s.tbi", path);
            if ((err = outfile_publish(b->tmpi[k], idx))) unlink(idx);
            free(b->tmpi[k]), b->tmpi[k] = NULL;
            if (!err)
                err = write_meta(r->dir, fname, r->pn[b->ph[k]], r->nobs[b->ph[k]], r->run_path,
                                 r->sorted, &r->meta);
        }
        outfile_discard(b->tmp[k]), outfile_discard(b->tmpi[k]);
        free(b->tmp[k]), free(b->tmpi[k]);
        b->tmp[k] = b->tmpi[k] = NULL;
        if (!err) progress_update(prog, (long)(done + k + 1));
    }
    return err;
}

/* The batch's files: opened, one pass over /assoc, closed. */
static rgx_err ss_batch_write(ss_batch_t *b, ss_run_t *r, progress_t *prog, size_t done)
{
    rgx_err err = ss_batch_open(b, r);
    for (size_t r0 = 0; r0 < r->V && !err; r0 += ROWS) {
        size_t nr = r->V - r0 < ROWS ? r->V - r0 : ROWS;
        if ((err = assoc_rows_cols(&r->as, r0, nr, b->ph, b->kn, b->B, b->S, b->L))) break;
        for (size_t j = 0; j < nr && !err; j++)
            if (r->site_ok[r0 + j]) err = ss_batch_variant(b, r, r0 + j, j);
    }
    return ss_batch_close(b, r, err, prog, done);
}

rgx_err export_sumstats(const char *run_path, const char *dir, int part, int parts,
                        char *const *overrides, int n_overrides)
{
    hid_t f;
    rgx_err err = h5in_open(run_path, &f);
    if (err) return err;
    ss_run_t r = {.run_path = run_path, .dir = dir};
    ss_batch_t *b = NULL;
    size_t *mine = NULL, nmine = 0;
    progress_t prog;
    int started = 0;
    if ((err = ss_run_read(&r, f, part, overrides, n_overrides))) goto out;
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        err = rgx_fail(RGX_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
        goto out;
    }
    size_t P = r.p ? r.p : 1;
    if ((err = rgx_calloc(&b, 1, sizeof *b)) ||
        (err = rgx_calloc(&b->B, (size_t)ROWS * BATCH, sizeof *b->B)) ||
        (err = rgx_calloc(&b->S, (size_t)ROWS * BATCH, sizeof *b->S)) ||
        (err = rgx_calloc(&b->L, (size_t)ROWS * BATCH, sizeof *b->L)) ||
        (err = rgx_calloc(&mine, P, sizeof *mine)))
        goto out;
    /* This part's phenotypes: every parts-th, from the part-th. */
    for (size_t k = (size_t)part; k < r.p; k += (size_t)parts) mine[nmine++] = k;
    progress_init(&prog,
                  parts > 1 ? "export: summary statistics (rank 0's share)"
                            : "export: summary statistics",
                  "phenotypes", (long)nmine);
    started = 1;
    for (size_t i0 = 0; i0 < nmine && !err; i0 += BATCH) {
        b->ph = mine + i0, b->kn = nmine - i0 < BATCH ? nmine - i0 : BATCH;
        err = ss_batch_write(b, &r, &prog, i0);
    }
    if (!err && b->no_test)
        log_info("export: %ld (variant, phenotype) pairs without a test (constant dosage on the "
                 "phenotype's samples) have no GWAS-SSF row", b->no_test);
out:
    if (started && !err) progress_done(&prog, (long)nmine);
    if (b) ss_batch_free(b);
    free(b), free(mine);
    ss_run_free(&r);
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
