/* geno.c — the genotype source interface: the format table, samples, contigs and units, and
 * the record loop every format shares (see geno.h). */
#include "geno.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "strmap.h"
#include "util.h"

const char *const geno_skip_name[GENO_SKIP_N] = {"multi-allelic", "without an ALT allele"};

static const geno_format_t *const formats[] = {&geno_vcf, &geno_bed, &geno_bgen};
enum { N_FORMATS = sizeof formats / sizeof *formats };

static int ends_with(const char *s, const char *tail, size_t n)
{
    size_t ls = strlen(s);
    return ls >= n && !strncmp(s + ls - n, tail, n);
}

/* The format whose extensions end path (the longest match), or NULL. */
static const geno_format_t *format_of_path(const char *path)
{
    const geno_format_t *best = NULL;
    size_t best_len = 0;
    for (int f = 0; f < N_FORMATS; f++)
        for (const char *e = formats[f]->extensions; *e;) {
            size_t n = strcspn(e, " ");
            if (n > best_len && ends_with(path, e, n)) best = formats[f], best_len = n;
            e += n + (e[n] == ' ');
        }
    return best;
}

int geno_bed_prefix(const char *path)
{
    struct stat st;
    if (!stat(path, &st)) return 0;
    strbuf_t sb = {0};
    int yes = !sb_printf(&sb, "%s.bed", path) && !stat(sb.s, &st);
    free(sb.s);
    return yes;
}

int geno_readable(const char *path)
{
    return !access(path, R_OK) || geno_bed_prefix(path);
}

static rgx_err choose_format(const char *path, const char *format, const geno_format_t **out)
{
    if (format && *format && strcmp(format, "auto")) {
        for (int f = 0; f < N_FORMATS; f++)
            if (!strcmp(formats[f]->name, format)) return *out = formats[f], RGX_OK;
        strbuf_t sb = {0};
        for (int f = 0; f < N_FORMATS; f++) sb_printf(&sb, "%s%s", f ? ", " : "", formats[f]->name);
        rgx_err err = rgx_fail(RGX_ERR_USAGE, "genotype format '%s': expected one of %s, or auto",
                               format, sb.s ? sb.s : "");
        free(sb.s);
        return err;
    }
    *out = format_of_path(path);
    /* A PLINK fileset named by its prefix. */
    if (!*out && geno_bed_prefix(path)) *out = &geno_bed;
    /* A name without a known ending (a pipe, a renamed file): HTSlib tells VCF from BCF by
     * content, so VCF is the fallback. */
    if (!*out) *out = &geno_vcf;
    return RGX_OK;
}

rgx_err geno_file_add(geno_file_list_t *l, const char *path, int optional)
{
    if (optional && access(path, R_OK)) return RGX_OK;
    rgx_err err = rgx_reserve(&l->name, &l->cap, (size_t)l->n + 1, sizeof *l->name);
    if (!err) err = rgx_strdup(&l->name[l->n], path);
    if (!err) l->n++;
    return err;
}

rgx_err geno_files(const char *list, const char *format, char ***files, int *n)
{
    geno_file_list_t l = {0};
    rgx_err err = RGX_OK;
    for (const char *p = list; !err && p && *p;) {
        size_t len = strcspn(p, ",");
        const geno_format_t *f = NULL;
        strbuf_t sb = {0};
        err = sb_printf(&sb, "%.*s", (int)len, p);
        if (!err) err = choose_format(sb.s, format, &f);
        if (!err) err = f->files ? f->files(sb.s, &l) : geno_file_add(&l, sb.s, 0);
        free(sb.s);
        p += len + (p[len] == ',');
    }
    *files = l.name, *n = l.n;
    return err;
}

void geno_files_free(char **files, int n)
{
    for (int k = 0; k < n; k++) free(files[k]);
    free(files);
}

rgx_err geno_open(geno_t *g, const char *path, const char *format, char *const *samples, int n,
                  const char *dosage)
{
    memset(g, 0, sizeof *g);
    rgx_err err = choose_format(path, format, &g->fmt);
    if (!err) err = rgx_strdup(&g->path, path);
    if (!err) err = g->fmt->open(g, dosage);
    if (err) return err;
    g->n = n;
    if ((err = rgx_calloc(&g->col, n ? (size_t)n : 1, sizeof *g->col))) return err;
    for (int i = 0; i < n; i++)
        if ((g->col[i] = geno_sample_col(g, samples[i])) < 0)
            return rgx_fail(RGX_ERR_INPUT, "%s: sample '%s' is not in the file", path,
                            samples[i]);
    return samples ? g->fmt->select(g) : RGX_OK;
}

void geno_close(geno_t *g)
{
    if (g->fmt && g->impl) g->fmt->close(g);
    for (int c = 0; c < g->n_contigs; c++) free(g->contig[c]);
    free(g->contig), free(g->contig_len), free(g->col), free(g->path);
    if (g->sample_index) strmap_free(g->sample_index), free(g->sample_index);
    memset(g, 0, sizeof *g);
}

int geno_sample_col(geno_t *g, const char *id)
{
    if (!g->sample_index) { /* the file's ids, hashed on first use */
        strmap_t *m = calloc(1, sizeof *m);
        if (!m || strmap_init(m, (size_t)g->n_file)) {
            free(m);
            return -1;
        }
        for (int c = 0; c < g->n_file; c++)
            if (strmap_put(m, g->fmt->sample(g, c), c, NULL)) break;
        g->sample_index = m;
    }
    return (int)strmap_get(g->sample_index, id);
}

rgx_err geno_set_contigs(geno_t *g, int n, char *const *names, const long *len)
{
    rgx_err err = rgx_calloc(&g->contig, n ? (size_t)n : 1, sizeof *g->contig);
    if (!err) err = rgx_calloc(&g->contig_len, n ? (size_t)n : 1, sizeof *g->contig_len);
    for (int c = 0; c < n && !err; c++) {
        err = rgx_strdup(&g->contig[c], names[c]);
        g->contig_len[c] = len ? len[c] : 0;
        g->n_contigs = c + 1;
    }
    return err;
}

rgx_err geno_pass_init(geno_pass_t *p)
{
    memset(p, 0, sizeof *p);
    p->rid = -1;
    return strmap_init(&p->index, 64);
}

rgx_err geno_pass_add(geno_pass_t *p, const char *chrom, long pos, int *rid,
                      geno_pass_order_t *order)
{
    *order = GENO_PASS_OK;
    if (p->n && !strcmp(p->name[p->n - 1], chrom)) {
        *rid = (int)p->n - 1;
        if (pos < p->pos) return *order = GENO_PASS_UNSORTED, RGX_OK;
    } else {
        if (strmap_get(&p->index, chrom) >= 0) return *order = GENO_PASS_REPEATED, RGX_OK;
        rgx_err err = rgx_reserve(&p->name, &p->cap, p->n + 1, sizeof *p->name);
        size_t cap = p->cap;
        if (!err) err = rgx_realloc(&p->len, cap, sizeof *p->len);
        if (!err) err = rgx_strdup(&p->name[p->n], chrom);
        if (!err) err = strmap_put(&p->index, p->name[p->n], (long)p->n, NULL);
        if (err) return err;
        p->len[p->n] = 0;
        *rid = (int)p->n++;
    }
    if (pos > p->len[*rid]) p->len[*rid] = pos;
    p->rid = *rid, p->pos = pos;
    return RGX_OK;
}

rgx_err geno_pass_set(geno_t *g, const geno_pass_t *p)
{
    return geno_set_contigs(g, (int)p->n, p->name, p->len);
}

void geno_pass_free(geno_pass_t *p)
{
    for (size_t k = 0; k < p->n; k++) free(p->name[k]);
    free(p->name), free(p->len);
    strmap_free(&p->index);
}

const char *geno_chrom(const geno_t *g, int rid)
{
    return rid >= 0 && rid < g->n_contigs ? g->contig[rid] : NULL;
}

geno_contig_class_t geno_contig_class(const char *name)
{
    if (!strncasecmp(name, "chr", 3)) name += 3;
    static const struct {
        const char *name;
        geno_contig_class_t c;
    } k[] = {{"X", GENO_X},     {"23", GENO_X},   {"Y", GENO_Y},     {"24", GENO_Y},
             {"XY", GENO_PAR},  {"25", GENO_PAR}, {"PAR1", GENO_PAR}, {"PAR2", GENO_PAR},
             {"MT", GENO_MT},   {"M", GENO_MT},   {"26", GENO_MT}};
    for (size_t i = 0; i < sizeof k / sizeof *k; i++)
        if (!strcasecmp(name, k[i].name)) return k[i].c;
    return GENO_AUTOSOME;
}

int geno_par_ranges(const char *build, long par[2][2])
{
    /* plink2 --split-par's boundaries (GRCh37: 2,699,520 and 154,931,044; GRCh38: 2,781,479
     * and 155,701,383): PAR1 is 1 .. the first, PAR2 the second .. the end of chrX. */
    static const struct {
        const char *name;
        long end1, beg2;
    } b[] = {{"b37", 2699520, 154931044}, {"hg19", 2699520, 154931044},
             {"b38", 2781479, 155701383}, {"hg38", 2781479, 155701383}};
    for (size_t i = 0; build && i < sizeof b / sizeof *b; i++)
        if (!strcasecmp(build, b[i].name)) {
            par[0][0] = 1, par[0][1] = b[i].end1;
            par[1][0] = b[i].beg2, par[1][1] = (1L << 31) - 1;
            return 1;
        }
    return 0;
}

int geno_contig_id(const geno_t *g, const char *name)
{
    for (int c = 0; c < g->n_contigs; c++)
        if (!strcmp(g->contig[c], name)) return c;
    return -1;
}

rgx_err geno_bad_record(const geno_t *g, const char *what)
{
    const char *chr = geno_chrom(g, g->v_rid);
    return rgx_fail(RGX_ERR_INPUT, "%s: the record at %s:%ld: %s", g->path, chr ? chr : "?",
                    g->v_pos, what);
}

/* A contig name without its "chr" prefix (any case): "chr1" and "1" name the same contig. */
static const char *bare(const char *c)
{
    return strncasecmp(c, "chr", 3) == 0 && c[3] ? c + 3 : c;
}

/* The contig a name asked for (n bytes of it): the exact name first, else the same name with
 * or without "chr"; -1 when none. */
static int contig_of(const geno_t *g, const char *name, size_t n)
{
    char want[256];
    if (n >= sizeof want) n = sizeof want - 1;
    memcpy(want, name, n);
    want[n] = '\0';
    int c = geno_contig_id(g, want);
    for (int k = 0; c < 0 && k < g->n_contigs; k++)
        if (!strcmp(bare(g->contig[k]), bare(want))) c = k;
    return c;
}

/* The error for a contig name that selects nothing: what was asked and what the file has. */
static rgx_err no_contig(const geno_t *g, const char *opt, const char *name, size_t n)
{
    strbuf_t sb = {0};
    for (int k = 0; k < g->n_contigs && k < 12; k++)
        sb_printf(&sb, "%s%s", k ? ", " : "", g->contig[k]);
    if (g->n_contigs > 12) sb_printf(&sb, ", ... (%d in all)", g->n_contigs);
    rgx_err err = rgx_fail(RGX_ERR_USAGE, "%s: no contig '%.*s' in %s; its contigs: %s", opt,
                           (int)n, name, g->path, sb.s ? sb.s : "none");
    free(sb.s);
    return err;
}

/* Marks the contigs a comma list names in pick[] (each name must find one; 1 and chr1 alike,
 * the match logged when it is not exact). */
static rgx_err pick_contigs(const geno_t *g, const char *list, char *pick)
{
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len) {
            int c = contig_of(g, p, len);
            if (c < 0) return no_contig(g, "--chr", p, len);
            if (strlen(g->contig[c]) != len || strncmp(g->contig[c], p, len))
                log_info("scan: --chr %.*s taken as %s's contig %s", (int)len, p, g->path,
                         g->contig[c]);
            pick[c] = 1;
        }
        p = e ? e + 1 : NULL;
    }
    return RGX_OK;
}

rgx_err geno_units(const geno_t *g, long unit_bp, const char *chroms, const char *region,
                   geno_unit_t **units, size_t *n_units)
{
    *units = NULL;
    *n_units = 0;
    int rrid = -1; /* the region's contig */
    long rbeg = 1, rend = 0;
    char *pick = NULL;
    rgx_err err = RGX_OK;
    if (region && *region) {
        const char *colon = strrchr(region, ':');
        size_t len = colon ? (size_t)(colon - region) : strlen(region);
        if (colon && sscanf(colon + 1, "%ld-%ld", &rbeg, &rend) != 2)
            return rgx_fail(RGX_ERR_USAGE, "--region '%s': expected chr, or chr:from-to", region);
        if ((rrid = contig_of(g, region, len)) < 0) return no_contig(g, "--region", region, len);
    }
    if (chroms && *chroms) {
        if ((err = rgx_calloc(&pick, (size_t)(g->n_contigs ? g->n_contigs : 1), 1))) return err;
        if ((err = pick_contigs(g, chroms, pick))) goto out;
    }
    size_t cap = 0;
    for (int rid = 0; rid < g->n_contigs && !err; rid++) {
        if (pick && !pick[rid]) continue;
        if (rrid >= 0 && rid != rrid) continue;
        long len = g->contig_len[rid];
        long beg = 1, end = len > 0 ? len : (1L << 31) - 1;
        if (rrid >= 0 && rend > 0) beg = rbeg, end = rend;
        /* Without a known length the contig is one unit.  Indexed or not, the same units, so
         * the same blocks and the same bits. */
        long step = len > 0 ? unit_bp : end - beg + 1;
        for (long b = beg; b <= end && !err; b += step) {
            if ((err = rgx_reserve(units, &cap, *n_units + 1, sizeof **units))) break;
            long e = b + step - 1 < end ? b + step - 1 : end;
            (*units)[(*n_units)++] = (geno_unit_t){rid, b, e};
        }
    }
out:
    free(pick);
    if (err) free(*units), *units = NULL, *n_units = 0;
    return err;
}

rgx_err geno_begin(geno_t *g, const geno_unit_t *u)
{
    return g->fmt->begin(g, u);
}

int geno_next(geno_t *g, double *dose, rgx_err *err)
{
    *err = RGX_OK;
    for (;;) {
        int r = g->fmt->next(g, err);
        if (r <= 0) return r;
        if (g->v_nallele != 2) {
            g->n_skip[g->v_nallele > 2 ? GENO_SKIP_MULTIALLELIC : GENO_SKIP_NO_ALT]++;
            continue;
        }
        return dose ? g->fmt->dosages(g, dose, err) : 1;
    }
}

int geno_has_calls(const geno_t *g)
{
    return g->fmt->calls != NULL;
}

int geno_next_calls(geno_t *g, uint8_t *packed, rgx_err *err)
{
    int r = geno_next(g, NULL, err);
    return r > 0 && packed ? g->fmt->calls(g, packed, err) : r;
}

static void widen(long *w, long v)
{
    if (v > *w) *w = v;
}

int geno_next_site(geno_t *g, long w[3], rgx_err *err)
{
    int r = geno_next(g, NULL, err);
    if (r > 0) {
        widen(&w[0], (long)strlen(g->v_id));
        widen(&w[1], (long)strlen(g->v_ref));
        widen(&w[2], (long)strlen(g->v_alt));
    }
    return r;
}
