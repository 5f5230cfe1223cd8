/* geno_bed.c — the PLINK 1 binary source: .bed + .bim + .fam (see geno.h).
 *
 * The path names the .bed, or the fileset's prefix (PREFIX.bed, PREFIX.bim, PREFIX.fam); a
 * .bed under another name (--genotype-format bed) has its .bim and .fam beside it, named by
 * replacing its extension.
 * As plink2 --bfile reads a fileset, the .bim's fifth column (allele 1) is ALT and its sixth
 * (allele 2) REF, so the dosage counts allele 1: .bed code 00 (homozygous allele 1) is 2,
 * 10 (heterozygous) 1, 11 (homozygous allele 2) 0, 01 missing.  A sample is its .fam IID
 * (the FID is not used; two lines with the same IID are an error).
 *
 * Memory is flat in the number of variants: open() reads the .bim once, checking it (six
 * columns, positions >= 1, each contig's records together and sorted by position), and keeps
 * every 1024th record's contig, position, number and .bim offset.  begin() seeks the .bim
 * through those marks; dosages() reads only the bytes of the current record that hold the
 * analysis samples (pread at 3 + record * ceil(n_file / 4)) and decodes them by table. */
#include "geno.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strmap.h"
#include "util.h"

enum { MARK_EVERY = 1024 };

typedef struct {
    int rid;
    long pos, rec;
    off_t off; /* the .bim line's offset */
} bim_mark_t;

typedef struct {
    char *bed_path, *bim_path, *fam_path;
    int fd;    /* .bed */
    FILE *bim; /* .bim, read from a mark to the unit's end */
    long n_var;
    size_t rec_bytes; /* ceil(n_file / 4) */
    char *fam_text;   /* the .fam, its IIDs NUL-terminated in place */
    char **iid;
    bim_mark_t *mark;
    size_t n_mark, m_mark;
    /* Reading a unit: the next .bim line is record rec (line rec + 1). */
    geno_unit_t cur;
    long rec;
    int in_unit; /* 1: reading, 2: in the unit's contig */
    char *line;
    size_t line_cap;
    char *fld[6];
    /* Decoding: bytes [lo, hi) of each record hold the analysis samples. */
    size_t lo, hi;
    uint8_t *buf;
    int whole;        /* the analysis samples are the file's first n, in order */
    int run;          /* they are consecutive columns, in order (the first at shift run_shift) */
    unsigned run_shift;
    uint32_t *byte_at; /* analysis sample -> its byte (less lo) */
    uint8_t *shift_at; /* and its bit shift */
} bed_t;

static inline bed_t *B(const geno_t *g)
{
    return g->impl;
}

/* Code -> dosage of allele 1 (ALT): 00 hom. allele 1, 01 missing, 10 het., 11 hom. allele 2. */
static const double code_dose[4] = {2.0, NAN, 1.0, 0.0};
/* A byte's four samples, for the whole-record path. */
static double byte_dose[256][4];
/* Code -> packed hard call (geno_next_calls: ALT copies, 3 missing), and for a byte's four. */
static const uint8_t code_call[4] = {2, 3, 1, 0};
static uint8_t byte_calls[256];

static void init_tables(void)
{
    static int done;
    if (done) return;
    for (int b = 0; b < 256; b++) {
        byte_calls[b] = 0;
        for (int k = 0; k < 4; k++) {
            byte_dose[b][k] = code_dose[(b >> (2 * k)) & 3];
            byte_calls[b] |= (uint8_t)(code_call[(b >> (2 * k)) & 3] << (2 * k));
        }
    }
    done = 1;
}

/* A UTF-8 byte-order mark, which a spreadsheet may put before the first line: skipped. */
#define BOM "\xef\xbb\xbf"

/* Splits s in place into up to max whitespace-separated fields; their count (max + 1 when
 * there are more). */
static int split_ws(char *s, char **f, int max)
{
    int n = 0;
    for (char *p = s;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
        if (!*p) return n;
        if (n == max) return max + 1;
        f[n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') p++;
        if (*p) *p++ = '\0';
    }
}

static rgx_err with_ext(char **out, const char *prefix, size_t len, const char *ext)
{
    strbuf_t sb = {0};
    rgx_err err = sb_printf(&sb, "%.*s%s", (int)len, prefix, ext);
    *out = sb.s;
    return err;
}

/* The fileset's three names.  path is NAME.bed (prefix NAME); or another existing file,
 * taken as the .bed (--genotype-format bed), whose prefix is its name without the extension;
 * or the prefix itself. */
static rgx_err bed_paths(const char *path, char **bed, char **bim, char **fam)
{
    size_t len = strlen(path);
    struct stat st;
    rgx_err err;
    if (len >= 4 && !strcmp(path + len - 4, ".bed")) {
        len -= 4;
        err = rgx_strdup(bed, path);
    } else if (!stat(path, &st)) {
        const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
        if (dot && dot > (slash ? slash : path)) len = (size_t)(dot - path);
        err = rgx_strdup(bed, path);
    } else {
        err = with_ext(bed, path, len, ".bed");
    }
    if (!err) err = with_ext(bim, path, len, ".bim");
    if (!err) err = with_ext(fam, path, len, ".fam");
    return err;
}

static rgx_err bed_files(const char *path, geno_file_list_t *l)
{
    char *f[3] = {NULL, NULL, NULL};
    rgx_err err = bed_paths(path, &f[0], &f[1], &f[2]);
    for (int k = 0; k < 3 && !err; k++) err = geno_file_add(l, f[k], 0);
    free(f[0]), free(f[1]), free(f[2]);
    return err;
}

/* The .fam: one sample a line, six columns, the IID (the second) its id. */
static rgx_err read_fam(geno_t *g)
{
    bed_t *b = B(g);
    size_t len;
    rgx_err err = read_file(b->fam_path, &b->fam_text, &len);
    if (err) return rgx_fail(RGX_ERR_INPUT, "%s: cannot read the .fam", b->fam_path);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) lines += b->fam_text[i] == '\n';
    if ((err = rgx_calloc(&b->iid, lines + 1, sizeof *b->iid))) return err;
    strmap_t seen;
    if ((err = strmap_init(&seen, lines + 1))) return err;
    int n = 0;
    char *start = b->fam_text + (!strncmp(b->fam_text, BOM, 3) ? 3 : 0);
    for (char *p = start, *nl; p && *p && !err; p = nl ? nl + 1 : NULL) {
        nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        char *f[6];
        int nf = split_ws(p, f, 6);
        if (nf != 6) {
            err = rgx_fail(RGX_ERR_INPUT, "%s:%d: %d columns, expected 6 (FID IID father mother "
                           "sex phenotype)", b->fam_path, n + 1, nf > 6 ? 7 : nf);
            break;
        }
        long old;
        if ((err = strmap_put(&seen, f[1], n, &old))) break;
        if (old >= 0)
            err = rgx_fail(RGX_ERR_INPUT, "%s:%d: IID '%s' already on line %ld (samples are "
                           "known by IID alone: make the IIDs unique)", b->fam_path, n + 1,
                           f[1], old + 1);
        b->iid[n++] = f[1];
    }
    strmap_free(&seen);
    g->n_file = n;
    b->rec_bytes = ((size_t)n + 3) / 4;
    return err;
}

/* A .bim error naming the line. */
static rgx_err bim_fail(const bed_t *b, long line, const char *what, const char *value)
{
    return rgx_fail(RGX_ERR_INPUT, "%s:%ld: %s%s%s%s", b->bim_path, line, what,
                    value ? " '" : "", value ? value : "", value ? "'" : "");
}

/* One .bim line into b->fld (six columns) and its position; line for messages. */
static rgx_err parse_bim(const bed_t *b, char *s, long line, char **fld, long *pos)
{
    if (line == 1 && !strncmp(s, BOM, 3)) s += 3;
    int nf = split_ws(s, fld, 6);
    if (nf != 6) {
        char what[96];
        snprintf(what, sizeof what, "%d columns, expected 6 (chromosome, ID, cM, position, "
                 "allele 1, allele 2)", nf > 6 ? 7 : nf);
        return bim_fail(b, line, what, NULL);
    }
    char *e;
    errno = 0;
    *pos = strtol(fld[3], &e, 10);
    if (e == fld[3] || *e || errno || *pos < 1 || *pos > INT32_MAX)
        return bim_fail(b, line, "position (column 4) must be a number from 1 to 2^31-1, not",
                        fld[3]);
    return RGX_OK;
}

/* One pass over the .bim: checks it, counts the variants, finds the contigs and their
 * lengths (the largest position), and keeps every MARK_EVERY-th record's place. */
static rgx_err scan_bim(geno_t *g)
{
    bed_t *b = B(g);
    geno_pass_t c;
    rgx_err err = geno_pass_init(&c);
    long rec = 0;
    off_t off = 0;
    ssize_t len;
    while (!err && (len = getline(&b->line, &b->line_cap, b->bim)) > 0) {
        char *fld[6];
        long pos;
        int rid = -1;
        geno_pass_order_t order;
        if ((err = parse_bim(b, b->line, rec + 1, fld, &pos))) break;
        if ((err = geno_pass_add(&c, fld[0], pos, &rid, &order))) break;
        if (order == GENO_PASS_REPEATED) {
            err = bim_fail(b, rec + 1, "the records of a chromosome must be together: "
                           "chromosome appears again after others:", fld[0]);
            break;
        }
        if (order == GENO_PASS_UNSORTED) {
            char what[128];
            snprintf(what, sizeof what, "position %ld after %ld: the records of a chromosome "
                     "must be sorted by position (chromosome", pos, c.pos);
            err = bim_fail(b, rec + 1, what, fld[0]);
            break;
        }
        if (rec % MARK_EVERY == 0) {
            if ((err = rgx_reserve(&b->mark, &b->m_mark, b->n_mark + 1, sizeof *b->mark))) break;
            b->mark[b->n_mark++] = (bim_mark_t){rid, pos, rec, off};
        }
        off += len, rec++;
    }
    if (!err && ferror(b->bim)) err = rgx_fail(RGX_ERR_INPUT, "%s: read error", b->bim_path);
    b->n_var = rec;
    if (!err) err = geno_pass_set(g, &c);
    geno_pass_free(&c);
    return err;
}

/* The .bed: its magic, SNP-major, and its size that of the .bim's and .fam's counts. */
static rgx_err check_bed(geno_t *g)
{
    bed_t *b = B(g);
    uint8_t magic[3];
    ssize_t r = pread(b->fd, magic, 3, 0);
    if (r != 3 || magic[0] != 0x6c || magic[1] != 0x1b)
        return rgx_fail(RGX_ERR_INPUT, "%s: not a PLINK 1 .bed file (its first bytes are not "
                        "6c 1b)", b->bed_path);
    if (magic[2] == 0x00)
        return rgx_fail(RGX_ERR_INPUT, "%s: an individual-major .bed; rewrite it SNP-major "
                        "(plink2 --bfile PREFIX --make-bed --out NEW)", b->bed_path);
    if (magic[2] != 0x01)
        return rgx_fail(RGX_ERR_INPUT, "%s: unknown .bed mode byte 0x%02x (expected 01, "
                        "SNP-major)", b->bed_path, magic[2]);
    struct stat st;
    if (fstat(b->fd, &st)) return rgx_fail(RGX_ERR_INPUT, "%s: cannot stat", b->bed_path);
    long long want = 3 + (long long)b->n_var * (long long)b->rec_bytes;
    if ((long long)st.st_size != want)
        return rgx_fail(RGX_ERR_INPUT, "%s: %lld bytes, but %ld variants (%s lines) x %d "
                        "samples (%s lines) take %lld: the .bed is truncated, or the three files "
                        "are not one fileset", b->bed_path, (long long)st.st_size, b->n_var,
                        b->bim_path, g->n_file, b->fam_path, want);
    return RGX_OK;
}

static rgx_err bed_open(geno_t *g, const char *dosage)
{
    bed_t *b = NULL;
    rgx_err err = rgx_calloc(&b, 1, sizeof *b);
    if (err) return err;
    g->impl = b;
    b->fd = -1;
    init_tables();
    if (dosage && *dosage && strcmp(dosage, "auto") && strcmp(dosage, "GT"))
        return rgx_fail(RGX_ERR_CONFIG, "%s: a .bed holds hard calls: --dosage %s does not apply "
                        "(auto or GT)", g->path, dosage);
    g->values = "hard calls (PLINK .bed)";
    if ((err = bed_paths(g->path, &b->bed_path, &b->bim_path, &b->fam_path))) return err;
    if ((b->fd = open(b->bed_path, O_RDONLY)) < 0)
        return rgx_fail(RGX_ERR_INPUT, "%s: cannot open: %s", b->bed_path, strerror(errno));
    if (!(b->bim = fopen(b->bim_path, "r")))
        return rgx_fail(RGX_ERR_INPUT, "%s: cannot open: %s", b->bim_path, strerror(errno));
    setvbuf(b->bim, NULL, _IOFBF, 1 << 16);
    if ((err = read_fam(g)) || (err = scan_bim(g)) || (err = check_bed(g))) return err;
    g->indexed = 1; /* the marks: begin() seeks */
    return RGX_OK;
}

static const char *bed_sample(const geno_t *g, int col)
{
    return B(g)->iid[col];
}

/* The bytes that hold the analysis samples, and each one's byte and shift within them. */
static rgx_err bed_select(geno_t *g)
{
    bed_t *b = B(g);
    size_t lo = SIZE_MAX, hi = 0;
    b->whole = b->run = 1;
    for (int i = 0; i < g->n; i++) {
        size_t by = (size_t)g->col[i] / 4;
        if (by < lo) lo = by;
        if (by + 1 > hi) hi = by + 1;
        b->whole &= g->col[i] == i;
        b->run &= g->col[i] == g->col[0] + i;
    }
    b->run_shift = g->n ? 2u * (unsigned)(g->col[0] % 4) : 0;
    if (!g->n) lo = hi = 0;
    b->lo = lo, b->hi = hi;
    rgx_err err = rgx_calloc(&b->buf, hi - lo + 1, 1);
    if (!err) err = rgx_calloc(&b->byte_at, g->n ? (size_t)g->n : 1, sizeof *b->byte_at);
    if (!err) err = rgx_calloc(&b->shift_at, g->n ? (size_t)g->n : 1, sizeof *b->shift_at);
    for (int i = 0; i < g->n && !err; i++) {
        b->byte_at[i] = (uint32_t)((size_t)g->col[i] / 4 - lo);
        b->shift_at[i] = (uint8_t)(2 * (g->col[i] % 4));
    }
    return err;
}

/* Positions the .bim at the last mark before the unit's start (records are sorted, so every
 * record of the unit lies after it). */
static rgx_err bed_begin(geno_t *g, const geno_unit_t *u)
{
    bed_t *b = B(g);
    b->cur = *u;
    b->in_unit = 1;
    size_t lo = 0, hi = b->n_mark; /* the first mark not before (rid, beg) */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const bim_mark_t *m = &b->mark[mid];
        if (m->rid < u->rid || (m->rid == u->rid && m->pos < u->beg))
            lo = mid + 1;
        else
            hi = mid;
    }
    bim_mark_t start = lo ? b->mark[lo - 1] : (bim_mark_t){0, 0, 0, 0};
    if (fseeko(b->bim, start.off, SEEK_SET))
        return rgx_fail(RGX_ERR_INPUT, "%s: cannot seek", b->bim_path);
    b->rec = start.rec;
    return RGX_OK;
}

/* The next record of the unit; v_nallele is 1 when allele 1 is missing ("0" or ".").  From
 * the mark, records of other contigs come first (before the unit's contig: skipped), then
 * the unit's contig, then others (after it: the end). */
static int bed_next(geno_t *g, rgx_err *err)
{
    bed_t *b = B(g);
    const char *chrom = g->contig[b->cur.rid];
    while (b->in_unit) {
        ssize_t len = getline(&b->line, &b->line_cap, b->bim);
        if (len <= 0) break;
        long pos;
        if ((*err = parse_bim(b, b->line, b->rec + 1, b->fld, &pos))) return -1;
        b->rec++;
        if (strcmp(b->fld[0], chrom)) {
            if (b->in_unit == 2) break;
            continue;
        }
        b->in_unit = 2; /* in the unit's contig */
        if (pos > b->cur.end) break;
        if (pos < b->cur.beg) continue;
        g->v_rid = b->cur.rid, g->v_pos = pos;
        g->v_id = b->fld[1], g->v_alt = b->fld[4], g->v_ref = b->fld[5];
        g->v_nallele = strcmp(g->v_alt, "0") && strcmp(g->v_alt, ".") ? 2 : 1;
        return 1;
    }
    if (ferror(b->bim)) return *err = rgx_fail(RGX_ERR_INPUT, "%s: read error", b->bim_path), -1;
    b->in_unit = 0;
    return 0;
}

/* The current record's bytes [lo, hi) into b->buf. */
static int read_record(geno_t *g, rgx_err *err)
{
    bed_t *b = B(g);
    long rec = b->rec - 1;
    size_t n = b->hi - b->lo;
    off_t at = 3 + (off_t)rec * (off_t)b->rec_bytes + (off_t)b->lo;
    for (size_t got = 0; got < n;) {
        ssize_t r = pread(b->fd, b->buf + got, n - got, at + (off_t)got);
        if (r <= 0) {
            *err = rgx_fail(RGX_ERR_INPUT, "%s: record %ld (%s line %ld): %s", b->bed_path,
                            rec + 1, b->bim_path, rec + 1,
                            r < 0 ? strerror(errno) : "the file ends inside it (truncated)");
            return -1;
        }
        got += (size_t)r;
    }
    return 1;
}

/* The current record decoded for the analysis samples. */
static int bed_dosages(geno_t *g, double *dose, rgx_err *err)
{
    bed_t *b = B(g);
    if (read_record(g, err) < 0) return -1;
    const uint8_t *by = b->buf;
    int i = 0;
    if (b->whole) /* four samples a byte */
        for (; i + 4 <= g->n; i += 4) memcpy(dose + i, byte_dose[by[i / 4]], sizeof byte_dose[0]);
    for (; i < g->n; i++) dose[i] = code_dose[(by[b->byte_at[i]] >> b->shift_at[i]) & 3];
    return 1;
}

/* The current record's hard calls packed (geno.h).  Consecutive columns, the usual case (a
 * rank's share of a file), go a byte at a time: their bytes shifted into place (buf holds a
 * zero byte past the record's), recoded by table; other subsets sample by sample. */
static int bed_calls(geno_t *g, uint8_t *packed, rgx_err *err)
{
    bed_t *b = B(g);
    if (read_record(g, err) < 0) return -1;
    const uint8_t *by = b->buf;
    size_t n = (size_t)g->n, nb = (n + 3) / 4;
    if (!n) return 1;
    if (b->run && !b->run_shift) {
        for (size_t k = 0; k < nb; k++) packed[k] = byte_calls[by[k]];
    } else if (b->run) {
        unsigned s = b->run_shift;
        for (size_t k = 0; k < nb; k++)
            packed[k] = byte_calls[(uint8_t)((by[k] | (unsigned)by[k + 1] << 8) >> s)];
    } else {
        memset(packed, 0, nb);
        for (size_t i = 0; i < n; i++)
            packed[i / 4] |=
                (uint8_t)(code_call[(by[b->byte_at[i]] >> b->shift_at[i]) & 3] << (2 * (i % 4)));
    }
    if (n % 4) packed[nb - 1] &= (uint8_t)((1u << (2 * (n % 4))) - 1);
    return 1;
}

static void bed_close(geno_t *g)
{
    bed_t *b = B(g);
    if (!b) return;
    if (b->fd >= 0) close(b->fd);
    if (b->bim) fclose(b->bim);
    free(b->bed_path), free(b->bim_path), free(b->fam_path), free(b->fam_text), free(b->iid);
    free(b->mark), free(b->line), free(b->buf), free(b->byte_at), free(b->shift_at);
    free(b);
    g->impl = NULL;
}

const geno_format_t geno_bed = {
    .name = "bed",
    .extensions = ".bed",
    .open = bed_open,
    .sample = bed_sample,
    .select = bed_select,
    .begin = bed_begin,
    .next = bed_next,
    .dosages = bed_dosages,
    .close = bed_close,
    .calls = bed_calls,
    .files = bed_files,
};
