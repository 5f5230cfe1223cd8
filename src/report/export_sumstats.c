/* export_sumstats.c — see export_sumstats.h. */
#include "export_sumstats.h"

#include <errno.h>
#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <htslib/kstring.h>
#include <htslib/tbx.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "assoc.h"
#include "cfg.h"
#include "h5in.h"
#include "log.h"
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
    for (; *s && k + 1 < n; s++) out[k++] = (*s == '/' || *s == ' ' || *s == '\t') ? '_' : *s;
    out[k] = '\0';
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
} ssf_meta_t;

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
    FILE *f = fopen(path, "w");
    if (!f) return rgx_fail(RGX_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
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
    fprintf(f, "analysis_software: \"radiogx %s (linear regression, t test)\"\n", rgx_version());
    const char *traits[1] = {trait};
    yaml_list(f, "trait_description", traits, 1, "");
    fprintf(f, "effect_statistic: beta\nsex: combined\n");
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
    if (fclose(f) != 0) return rgx_fail(RGX_ERR_IO, "%s: write failed", path);
    return RGX_OK;
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
    *t = (tbi_t){hts_idx_init(0, HTS_FMT_TBI, (uint64_t)bgzf_tell(fp), 14, 5), {0, 0, NULL}, 0,
                 -1, 0};
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

/* At the end of the data (before closing fp): finish and save path.tbi. */
static rgx_err tbi_end(tbi_t *t, BGZF *fp, const char *path)
{
    rgx_err err = RGX_OK;
    if (bgzf_flush(fp) < 0) err = rgx_fail(RGX_ERR_IO, "%s: write failed", path);
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
        if (hts_idx_set_meta(t->idx, (uint32_t)l_meta, meta, 1) < 0 ||
            hts_idx_save_as(t->idx, path, NULL, HTS_FMT_TBI) < 0)
            err = rgx_fail(RGX_ERR_IO, "%s: cannot write the tabix index", path);
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
    kstring_t ks = {0, 0, NULL}, vs = {0, 0, NULL};
    assoc_t as = {0};
    ssf_meta_t meta = {0};
    char *site_ok = NULL; /* per variant: a row in every file (tested, a 1-25 contig, ACGT) */
    long skip_contig = 0, skip_allele = 0, no_test = 0;
    int sorted = 1;
    if ((err = meta_open(f, run_path, overrides, n_overrides, &meta))) goto out;
    if ((err = assoc_open(&as, f, run_path))) goto out;
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
        (err = rgx_calloc(&B, (size_t)ROWS * (p ? p : 1), sizeof *B)) ||
        (err = rgx_calloc(&S, (size_t)ROWS * (p ? p : 1), sizeof *S)) ||
        (err = rgx_calloc(&L, (size_t)ROWS * (p ? p : 1), sizeof *L)))
        goto out;
    /* This part's phenotypes: every parts-th, from the part-th. */
    size_t *mine = NULL, nm_ = 0;
    if ((err = rgx_calloc(&mine, p ? p : 1, sizeof *mine))) goto out;
    for (size_t k = (size_t)part; k < p; k += (size_t)parts) mine[nm_++] = k;
    progress_t prog;
    progress_init(&prog, parts > 1 ? "export: summary statistics (rank 0's share)"
                                   : "export: summary statistics",
                  "phenotypes", (long)nm_);
    /* Each phenotype's n, as text (the same on every line of its file). */
    char (*ntext)[32] = NULL;
    if ((err = rgx_calloc(&ntext, p ? p : 1, sizeof *ntext))) goto out_mine;
    for (size_t k = 0; k < p; k++) snprintf(ntext[k], sizeof ntext[k], "%.0f\t", nobs[k]);
    for (size_t i0 = 0; i0 < nm_ && !err; i0 += BATCH) {
        size_t kn = nm_ - i0 < BATCH ? nm_ - i0 : BATCH;
        const size_t *ph = mine + i0; /* ph[k]: the phenotype of output k */
        for (size_t k = 0; k < kn && !err; k++) {
            char nm[1024], path[4200];
            export_safe_name(pn[ph[k]], nm, sizeof nm);
            snprintf(path, sizeof path, "%s/%s.tsv.gz", dir, nm);
            out[k] = bgzf_open(path, "w6");
            if (!out[k]) {
                err = rgx_fail(RGX_ERR_IO, "%s: cannot create", path);
                break;
            }
            static const char hdr[] =
                "chromosome\tbase_pair_location\teffect_allele\tother_allele\t"
                "beta\tstandard_error\teffect_allele_frequency\tp_value\t"
                "variant_id\tn\tneg_log_10_p_value\n";
            if (bgzf_write(out[k], hdr, sizeof hdr - 1) < 0)
                err = rgx_fail(RGX_ERR_IO, "%s: write", path);
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
                    ksprintf(&ks, "%.10g\t%.10g\t", b, s);
                    kputsn(vs.s + l_site, l_af - l_site, &ks);
                    kputs(pt, &ks), kputc('\t', &ks);
                    kputsn(vs.s + l_af, vs.l - l_af, &ks);
                    kputs(ntext[ph[k]], &ks);
                    ksprintf(&ks, "%.10g\n", m);
                    if (bgzf_write(out[k], ks.s, ks.l) < 0)
                        err = rgx_fail(RGX_ERR_IO, "write failed");
                    else
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
             * saved before the file is closed; both exist when this file is done. */
            if (!err && out[k]) err = tbi_end(&tbi[k], out[k], path);
            tbi_free(&tbi[k]);
            if (out[k] && bgzf_close(out[k]) < 0 && !err)
                err = rgx_fail(RGX_ERR_IO, "close failed");
            out[k] = NULL;
            if (err) continue;
            err = write_meta(dir, fname, pn[ph[k]], nobs[ph[k]], run_path, sorted, &meta);
            progress_update(&prog, (long)(i0 + k + 1));
        }
    }
    free(ntext);
    if (!err && no_test)
        log_info("export: %ld (variant, phenotype) pairs without a test (constant dosage on the "
                 "phenotype's samples) have no GWAS-SSF row", no_test);
out_mine:
    progress_done(&prog, (long)nm_);
    free(mine);
out:
    for (size_t k = 0; out && k < BATCH; k++)
        if (out[k]) bgzf_close(out[k]);
    for (size_t k = 0; tbi && k < BATCH; k++) tbi_free(&tbi[k]);
    free(out), free(tbi), free(ks.s), free(vs.s), free(pos), free(af), free(qc), free(nobs);
    free(B), free(S), free(L), free(site_ok);
    meta_close(&meta);
    assoc_close(&as);
    h5in_free_strings(pn, p), h5in_free_strings(chrom, V), h5in_free_strings(id, V);
    h5in_free_strings(ref, V), h5in_free_strings(alt, V);
    h5in_close(f);
    return err;
}

rgx_err export_hits(const char *run_path, const char *out_path)
{
    hid_t f;
    rgx_err err = h5in_open(run_path, &f);
    if (err) return err;
    char **ph = NULL, **chrom = NULL, **id = NULL, **ref = NULL, **alt = NULL;
    size_t nh = 0, hc = 0, V = 0, nv = 0, c0;
    double *hv = NULL, *pos = NULL;
    FILE *o = NULL;
    if (!h5in_exists(f, RF_HITS_VALUES)) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: no /hits (was scan run?)", run_path);
        goto out;
    }
    if ((err = h5in_read_doubles(f, RF_HITS_VALUES, &nh, &hc, &hv)) ||
        (err = h5in_read_strings(f, RF_HITS_PHENOTYPE, &nv, &ph)) ||
        (err = h5in_read_strings(f, RF_VARIANTS_CHROM, &V, &chrom)) ||
        (err = h5in_read_strings(f, RF_VARIANTS_ID, &nv, &id)) ||
        (err = h5in_read_strings(f, RF_VARIANTS_REF, &nv, &ref)) ||
        (err = h5in_read_strings(f, RF_VARIANTS_ALT, &nv, &alt)) ||
        (err = h5in_read_doubles(f, RF_VARIANTS_POS, &nv, &c0, &pos)))
        goto out;
    if (!(o = fopen(out_path, "w"))) {
        err = rgx_fail(RGX_ERR_IO, "%s: cannot create: %s", out_path, strerror(errno));
        goto out;
    }
    fputs("variant_id\tchrom\tpos\tref\talt\tphenotype\tbeta\tse\tneg_log10_p\n", o);
    for (size_t i = 0; i < nh && hc == 4; i++) {
        size_t v = (size_t)hv[i * 4];
        if (v >= V) continue;
        fprintf(o, "%s\t%s\t%.0f\t%s\t%s\t%s\t%.10g\t%.10g\t%.10g\n", id[v], chrom[v], pos[v],
                ref[v], alt[v], ph[i], hv[i * 4 + 1], hv[i * 4 + 2], hv[i * 4 + 3]);
    }
    if (fclose(o) != 0) err = rgx_fail(RGX_ERR_IO, "%s: write failed", out_path);
out:
    free(hv), free(pos);
    h5in_free_strings(ph, nh), h5in_free_strings(chrom, V), h5in_free_strings(id, V);
    h5in_free_strings(ref, V), h5in_free_strings(alt, V);
    h5in_close(f);
    return err;
}
