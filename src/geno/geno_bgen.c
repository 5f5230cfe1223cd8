/* geno_bgen.c — the BGEN source: v1.1, v1.2 and v1.3 (see geno.h and docs/formats.md).
 *
 * Layouts 1 and 2, probability blocks stored plain, zlib-compressed (inflated by ISA-L, about
 * twice zlib's speed) or zstd-compressed (v1.3); the probabilities become dosages of the
 * second allele (ALT, as plink2 --bgen FILE ref-first reads it) in bgen_prob.c.  Sample ids:
 * NAME.sample beside NAME.bgen when it exists, else the file's sample identifier block (both:
 * they must agree).  A record with K alleles has v_nallele = K, so the generic loop skips and
 * counts the multi-allelic ones by site.
 *
 * Units are found through NAME.bgen.bgi (bgenix's SQLite index: table Variant) when it
 * exists: a unit starts at the smallest file_start_position of its window, and its records
 * are read in file order up to the window's end, their number checked against the index's.
 * Without it, open() makes one pass over the variant headers (the probability blocks skipped
 * by their lengths), checking that each contig's records are together and sorted, and keeps
 * every 1024th record's contig, position, number and offset; contig lengths are the largest
 * positions.  Memory stays flat in the number of variants. */
#include "geno.h"

#include <errno.h>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "bgen_prob.h"
#include "strmap.h"
#include "util.h"

enum { MARK_EVERY = 1024, CHUNK = 1 << 20, PASS_CHUNK = 1 << 12 };

typedef struct {
    int rid;
    long pos, rec;
    uint64_t off; /* the variant's first byte */
} bgen_mark_t;

typedef struct {
    int fd;
    uint64_t size;
    /* The read buffer: bytes [buf_off, buf_off + buf_len) of the file. */
    uint8_t *buf;
    size_t buf_cap, buf_len, chunk;
    uint64_t buf_off;
    /* The header. */
    uint32_t M, N;
    int layout, comp, has_ids;
    uint64_t first; /* the first variant's offset */
    char **id;      /* sample ids (in id_text) */
    char *id_text;
    char *sample_path, *bgi_path;
    /* The index: the .bgi, or the marks of the pass. */
    sqlite3 *db;
    sqlite3_stmt *q_start, *q_count;
    bgen_mark_t *mark;
    size_t n_mark, m_mark;
    /* Reading a unit: the variant at off is record rec. */
    geno_unit_t cur;
    int in_unit; /* 1: reading, 2: in the unit's contig */
    long rec, n_read;
    uint64_t off;
    /* The current record. */
    char *sv; /* its id, rsid, chromosome and first two alleles, each NUL-terminated, at */
    size_t sv_len, sv_cap, s_off[5]; /* s_off[0 .. n_str) */
    int n_str;
    uint64_t at, blk_off; /* its first byte; its probability block's */
    long at_pos;          /* its position once read (for messages), else 0 */
    uint32_t blk_len;
    /* Decoding. */
    uint8_t *z;
    size_t z_cap;
    ZSTD_DCtx *zd;
    struct inflate_state *inf;
    bgen_prob_t prob;
    int have_prob;
} bgen_t;

static inline bgen_t *BG(const geno_t *g)
{
    return g->impl;
}

static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline unsigned le16(const uint8_t *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* *p = bytes [off, off + n) of the file, read into the buffer unless already there.  1 if
 * they are, 0 when the file ends first, -1 on a read error. */
static int rd_get(bgen_t *b, uint64_t off, size_t n, const uint8_t **p)
{
    if (off < b->buf_off || off + n > b->buf_off + b->buf_len) {
        if (off + n > b->size) return 0;
        size_t want = n > b->chunk ? n : b->chunk;
        if (off + want > b->size) want = (size_t)(b->size - off);
        if (rgx_reserve(&b->buf, &b->buf_cap, want, 1)) return -1;
        size_t got = 0;
        while (got < want) {
            ssize_t r = pread(b->fd, b->buf + got, want - got, (off_t)(off + got));
            if (r <= 0) return r < 0 ? -1 : 0;
            got += (size_t)r;
        }
        b->buf_off = off, b->buf_len = got;
    }
    *p = b->buf + (off - b->buf_off);
    return 1;
}

/* The current record's string k (0 id, 1 rsid, 2 chromosome, 3 and 4 the first alleles). */
static const char *str_at(const bgen_t *b, int k)
{
    return k < b->n_str ? b->sv + b->s_off[k] : NULL;
}

/* An error naming the record by number, and by its place once known. */
static rgx_err rec_fail(const geno_t *g, long rec, const char *what)
{
    const bgen_t *b = BG(g);
    const char *chr = str_at(b, 2);
    char name[64]; /* its number; through the .bgi (not counted) its offset */
    if (rec >= 0)
        snprintf(name, sizeof name, "variant %ld", rec + 1);
    else
        snprintf(name, sizeof name, "the variant at byte %llu", (unsigned long long)b->at);
    if (chr && b->at_pos)
        return rgx_fail(RGX_ERR_INPUT, "%s: %s (%s:%ld): %s", g->path, name, chr, b->at_pos, what);
    return rgx_fail(RGX_ERR_INPUT, "%s: %s%s%s: %s", g->path, name, chr ? " on " : "",
                    chr ? chr : "", what);
}

/* An error naming the current record (read by next()). */
static rgx_err cur_fail(const geno_t *g, const char *what)
{
    const bgen_t *b = BG(g);
    return rec_fail(g, b->rec < 0 ? -1 : b->rec - 1, what);
}

/* Reads a length-prefixed string (lw: 2 or 4 length bytes) at *off, kept as the next string
 * of the record when keep.  1, or rd_get's 0 or -1. */
static int read_str(bgen_t *b, uint64_t *off, int lw, int keep)
{
    const uint8_t *p;
    int r = rd_get(b, *off, (size_t)lw, &p);
    if (r <= 0) return r;
    size_t len = lw == 2 ? le16(p) : le32(p);
    *off += (uint64_t)lw;
    if (keep) {
        if ((r = rd_get(b, *off, len, &p)) <= 0) return r;
        if (rgx_reserve(&b->sv, &b->sv_cap, b->sv_len + len + 1, 1)) return -1;
        memcpy(b->sv + b->sv_len, p, len);
        b->sv[b->sv_len + len] = '\0';
        b->s_off[b->n_str++] = b->sv_len;
        b->sv_len += len + 1;
    } else if (*off + len > b->size) {
        return 0;
    }
    *off += len;
    return 1;
}

/* The variant at b->off (record rec): its site into g, its probability block's place, and
 * b->off past it. */
static rgx_err read_variant(geno_t *g, long rec)
{
    bgen_t *b = BG(g);
    uint64_t off = b->off;
    const uint8_t *p;
    int r = 1;
    b->sv_len = 0, b->n_str = 0, b->at = off, b->at_pos = 0;
    if (b->layout == 1) {
        if ((r = rd_get(b, off, 4, &p)) > 0 && le32(p) != b->N) {
            char what[96];
            snprintf(what, sizeof what, "it holds %u samples, the header %u", le32(p), b->N);
            return rec_fail(g, rec, what);
        }
        off += 4;
    }
    for (int k = 0; k < 3 && r > 0; k++) r = read_str(b, &off, 2, 1); /* id, rsid, chromosome */
    uint32_t pos = 0;
    unsigned K = 2;
    if (r > 0 && (r = rd_get(b, off, b->layout == 2 ? 6 : 4, &p)) > 0) {
        pos = le32(p), b->at_pos = pos ? (long)pos : -1;
        if (b->layout == 2) K = le16(p + 4);
        off += b->layout == 2 ? 6 : 4;
    }
    for (unsigned k = 0; k < K && r > 0; k++) r = read_str(b, &off, 4, k < 2);
    uint32_t len = 6 * b->N; /* layout 1, stored plainly */
    if (r > 0 && (b->layout == 2 || b->comp)) {
        if ((r = rd_get(b, off, 4, &p)) > 0) len = le32(p), off += 4;
    }
    if (r < 0) return rgx_fail(RGX_ERR_INPUT, "%s: read error: %s", g->path, strerror(errno));
    if (r == 0 || off + len > b->size)
        return rec_fail(g, rec, "the file ends inside it (truncated)");
    g->v_pos = pos, g->v_nallele = (int)K;
    if (pos < 1 || pos > INT32_MAX) return rec_fail(g, rec, "position 0 or above 2^31-1");
    const char *id = str_at(b, 0), *rsid = str_at(b, 1);
    g->v_id = *rsid ? rsid : *id ? id : ".";
    g->v_ref = K >= 1 ? str_at(b, 3) : ".", g->v_alt = K >= 2 ? str_at(b, 4) : ".";
    b->blk_off = off, b->blk_len = len;
    b->off = off + len;
    return RGX_OK;
}

/* The header block: offset, counts, magic and flags. */
static rgx_err read_header(geno_t *g)
{
    bgen_t *b = BG(g);
    const uint8_t *p;
    if (rd_get(b, 0, 24, &p) <= 0)
        return rgx_fail(RGX_ERR_INPUT, "%s: not a BGEN file (shorter than its header)", g->path);
    uint32_t offset = le32(p), lh = le32(p + 4);
    b->M = le32(p + 8), b->N = le32(p + 12);
    if (memcmp(p + 16, "bgen", 4) && memcmp(p + 16, "\0\0\0\0", 4))
        return rgx_fail(RGX_ERR_INPUT, "%s: not a BGEN file (no 'bgen' magic number)", g->path);
    if (lh < 20 || offset < lh || (uint64_t)offset + 4 > b->size || b->N > INT32_MAX)
        return rgx_fail(RGX_ERR_INPUT, "%s: BGEN header: header length %u, first variant at "
                        "%u, %u samples: inconsistent", g->path, lh, offset + 4, b->N);
    if (rd_get(b, 4 + (uint64_t)lh - 4, 4, &p) <= 0)
        return rgx_fail(RGX_ERR_INPUT, "%s: BGEN header: truncated", g->path);
    uint32_t flags = le32(p);
    b->comp = (int)(flags & 3), b->layout = (int)((flags >> 2) & 0xf);
    b->has_ids = (int)(flags >> 31);
    b->first = 4 + (uint64_t)offset;
    if (b->layout != 1 && b->layout != 2)
        return rgx_fail(RGX_ERR_INPUT, "%s: BGEN layout %d: only layouts 1 (v1.1) and 2 (v1.2, "
                        "v1.3) are read", g->path, b->layout);
    if (b->comp == 3 || (b->layout == 1 && b->comp == 2))
        return rgx_fail(RGX_ERR_INPUT, "%s: BGEN compression %d with layout %d is not defined",
                        g->path, b->comp, b->layout);
    return RGX_OK;
}

/* The sample identifier block (after the header block) into b->id. */
static rgx_err read_id_block(geno_t *g, uint32_t lh)
{
    bgen_t *b = BG(g);
    const uint8_t *p;
    uint64_t off = 4 + (uint64_t)lh;
    /* Each id takes at least its 2 length bytes: the count is checked against the block's
     * length before anything is allocated for it. */
    if (rd_get(b, off, 8, &p) <= 0 || le32(p) > b->first - off || le32(p) < 8 ||
        le32(p + 4) != b->N || b->N > (le32(p) - 8) / 2)
        return rgx_fail(RGX_ERR_INPUT, "%s: the sample identifier block does not fit the "
                        "header (%u samples)", g->path, b->N);
    uint32_t len = le32(p);
    if (rd_get(b, off, len, &p) <= 0)
        return rgx_fail(RGX_ERR_INPUT, "%s: sample identifier block truncated", g->path);
    rgx_err err = rgx_calloc(&b->id_text, (size_t)len + b->N + 1, 1);
    if (!err) err = rgx_calloc(&b->id, (size_t)b->N + 1, sizeof *b->id);
    size_t at = 8, out = 0;
    for (uint32_t i = 0; i < b->N && !err; i++) {
        unsigned l = at + 2 <= len ? le16(p + at) : 0;
        if (at + 2 + l > len)
            return rgx_fail(RGX_ERR_INPUT, "%s: sample identifier block: sample %u runs past "
                            "its end", g->path, i + 1);
        b->id[i] = b->id_text + out;
        memcpy(b->id_text + out, p + at + 2, l);
        out += l + 1, at += 2 + l;
    }
    return err;
}

/* NAME.sample: a header line (ID_1 ID_2 ...: the id is ID_2; or ID ...: the id is the first
 * column), a line of column types, then one line a sample. */
static rgx_err read_sample_file(geno_t *g, char ***ids, char **text)
{
    bgen_t *b = BG(g);
    size_t len;
    if (read_file(b->sample_path, text, &len))
        return rgx_fail(RGX_ERR_INPUT, "%s: cannot read", b->sample_path);
    /* The list grows with the lines (a header without a sample block may claim any count). */
    rgx_err err = RGX_OK;
    size_t cap = 0;
    *ids = NULL;
    int col = -1;
    uint32_t n = 0;
    long line = 0;
    for (char *s = *text, *nl; !err && s && *s; s = nl ? nl + 1 : NULL) {
        nl = strchr(s, '\n');
        if (nl) *nl = '\0';
        line++;
        char *f[2] = {NULL, NULL}, *save = NULL;
        f[0] = strtok_r(s, " \t\r", &save);
        f[1] = f[0] ? strtok_r(NULL, " \t\r", &save) : NULL;
        if (line == 1) { /* (an empty first line is no header) */
            col = f[0] && !strcmp(f[0], "ID_1") && f[1] && !strcmp(f[1], "ID_2") ? 1
                  : f[0] && !strcmp(f[0], "ID")                                   ? 0
                                                                                  : -1;
            if (col < 0)
                err = rgx_fail(RGX_ERR_INPUT, "%s:1: the header must start 'ID_1 ID_2' (or 'ID')",
                               b->sample_path);
        } else if (line > 2 && f[0]) {
            if (!f[col])
                err = rgx_fail(RGX_ERR_INPUT, "%s:%ld: no ID_2 column", b->sample_path, line);
            else if (n == b->N)
                err = rgx_fail(RGX_ERR_INPUT, "%s: more than the %u samples of %s", b->sample_path,
                               b->N, g->path);
            else if (!(err = rgx_reserve(ids, &cap, (size_t)n + 2, sizeof **ids)))
                (*ids)[n++] = f[col], (*ids)[n] = NULL;
        }
    }
    if (!err && n != b->N)
        err = rgx_fail(RGX_ERR_INPUT, "%s: %u samples, %s has %u", b->sample_path, n, g->path,
                       b->N);
    return err;
}

/* The sample ids: NAME.sample when it exists (checked against the file's own block when the
 * file has one), else the file's block. */
static rgx_err read_samples(geno_t *g, uint32_t lh)
{
    bgen_t *b = BG(g);
    rgx_err err = b->has_ids ? read_id_block(g, lh) : RGX_OK;
    if (err || access(b->sample_path, R_OK)) {
        free(b->sample_path), b->sample_path = NULL;
        if (!err && !b->has_ids)
            err = rgx_fail(RGX_ERR_INPUT, "%s: no sample ids: the file has no sample identifier "
                           "block and there is no .sample file beside it", g->path);
        return err;
    }
    char **ids = NULL, *text = NULL;
    err = read_sample_file(g, &ids, &text);
    for (uint32_t i = 0; !err && b->has_ids && i < b->N; i++)
        if (strcmp(ids[i], b->id[i]))
            err = rgx_fail(RGX_ERR_INPUT, "%s: sample %u is '%s' in %s but '%s' in the file's "
                           "sample identifier block", g->path, i + 1, ids[i], b->sample_path,
                           b->id[i]);
    if (err) return free(ids), free(text), err;
    free(b->id), free(b->id_text);
    b->id = ids, b->id_text = text;
    return RGX_OK;
}

/* No index: one pass over the variant headers (blocks skipped by their lengths), reading
 * small pieces: contigs, lengths, order checks and the marks. */
static rgx_err index_pass(geno_t *g)
{
    bgen_t *b = BG(g);
    geno_pass_t c;
    rgx_err err = geno_pass_init(&c);
    b->chunk = PASS_CHUNK;
    b->off = b->first;
    for (long rec = 0; rec < (long)b->M && !err; rec++) {
        uint64_t at = b->off;
        int rid = -1;
        geno_pass_order_t order;
        if ((err = read_variant(g, rec)) ||
            (err = geno_pass_add(&c, str_at(b, 2), g->v_pos, &rid, &order)))
            break;
        if (order == GENO_PASS_REPEATED) {
            err = rec_fail(g, rec, "the variants of a chromosome must be together: this one "
                           "appears again after others");
            break;
        }
        if (order == GENO_PASS_UNSORTED) {
            char what[128];
            snprintf(what, sizeof what, "position %ld after %ld: the variants of a chromosome "
                     "must be sorted by position", g->v_pos, c.pos);
            err = rec_fail(g, rec, what);
            break;
        }
        if (rec % MARK_EVERY == 0) {
            if ((err = rgx_reserve(&b->mark, &b->m_mark, b->n_mark + 1, sizeof *b->mark))) break;
            b->mark[b->n_mark++] = (bgen_mark_t){rid, g->v_pos, rec, at};
        }
    }
    if (!err) err = geno_pass_set(g, &c);
    geno_pass_free(&c);
    b->chunk = CHUNK;
    return err;
}

static rgx_err bgi_fail(const geno_t *g, const char *what)
{
    const bgen_t *b = BG(g);
    return rgx_fail(RGX_ERR_INPUT, "%s: %s: %s", b->bgi_path, what,
                    b->db ? sqlite3_errmsg(b->db) : "cannot open");
}

/* The .bgi: its contigs in file order, with lengths from their largest positions, and the
 * two queries a unit needs. */
static rgx_err bgi_open(geno_t *g)
{
    bgen_t *b = BG(g);
    if (sqlite3_open_v2(b->bgi_path, &b->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return bgi_fail(g, "cannot open as SQLite");
    static const char *const q_contigs =
        "SELECT chromosome, MIN(position), MAX(position) FROM Variant GROUP BY chromosome "
        "ORDER BY MIN(file_start_position)";
    static const char *const where = " FROM Variant WHERE chromosome = ?1 AND position >= ?2 "
                                     "AND position <= ?3";
    char q1[256], q2[256];
    snprintf(q1, sizeof q1, "SELECT MIN(file_start_position)%s", where);
    snprintf(q2, sizeof q2, "SELECT COUNT(*)%s", where);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(b->db, q_contigs, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(b->db, q1, -1, &b->q_start, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(b->db, q2, -1, &b->q_count, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return bgi_fail(g, "not a bgenix index (table Variant)");
    }
    geno_pass_t c; /* GROUP BY: each chromosome once, its length its largest position */
    rgx_err err = geno_pass_init(&c);
    int r, rid;
    geno_pass_order_t order;
    while (!err && (r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        sqlite3_int64 lo = sqlite3_column_int64(st, 1), hi = sqlite3_column_int64(st, 2);
        if (!name || lo < 1 || hi > INT32_MAX) {
            err = rgx_fail(RGX_ERR_INPUT, "%s: chromosome %s: positions %lld..%lld (1 to 2^31-1 "
                           "expected)", b->bgi_path, name ? name : "NULL", (long long)lo,
                           (long long)hi);
            break;
        }
        err = geno_pass_add(&c, name, (long)hi, &rid, &order);
    }
    if (!err && r != SQLITE_DONE) err = bgi_fail(g, "cannot read");
    sqlite3_finalize(st);
    if (!err) err = geno_pass_set(g, &c);
    geno_pass_free(&c);
    return err;
}

static rgx_err with_ext(char **out, const char *path, const char *ext, int replace)
{
    size_t len = strlen(path);
    if (replace && len >= 5 && !strcmp(path + len - 5, ".bgen")) len -= 5;
    strbuf_t sb = {0};
    rgx_err err = sb_printf(&sb, "%.*s%s", (int)len, path, ext);
    *out = sb.s;
    return err;
}

static rgx_err bgen_open(geno_t *g, const char *dosage)
{
    bgen_t *b = NULL;
    rgx_err err = rgx_calloc(&b, 1, sizeof *b);
    if (err) return err;
    g->impl = b;
    b->fd = -1, b->chunk = CHUNK;
    if (dosage && *dosage && strcmp(dosage, "auto") && strcmp(dosage, "DS"))
        return rgx_fail(RGX_ERR_CONFIG, "%s: BGEN holds probabilities, read as dosages: "
                        "--dosage %s does not apply (auto or DS)", g->path, dosage);
    if ((err = with_ext(&b->sample_path, g->path, ".sample", 1)) ||
        (err = with_ext(&b->bgi_path, g->path, ".bgi", 0)))
        return err;
    struct stat st;
    if ((b->fd = open(g->path, O_RDONLY)) < 0 || fstat(b->fd, &st))
        return rgx_fail(RGX_ERR_INPUT, "%s: cannot open: %s", g->path, strerror(errno));
    b->size = (uint64_t)st.st_size;
    if ((err = read_header(g))) return err;
    const uint8_t *p;
    if (rd_get(b, 4, 4, &p) <= 0) return rgx_fail(RGX_ERR_INPUT, "%s: truncated", g->path);
    if ((err = read_samples(g, le32(p)))) return err;
    g->n_file = (int)b->N;
    static const char *const what[2][3] = {
        {"BGEN v1.1 probabilities (layout 1)", "BGEN v1.1 probabilities (layout 1, zlib)", ""},
        {"BGEN v1.2 probabilities (layout 2)", "BGEN v1.2 probabilities (layout 2, zlib)",
         "BGEN v1.3 probabilities (layout 2, zstd)"}};
    g->values = what[b->layout - 1][b->comp];
    if (!access(b->bgi_path, R_OK)) {
        g->indexed = 1;
        return bgi_open(g);
    }
    free(b->bgi_path), b->bgi_path = NULL;
    return index_pass(g);
}

static const char *bgen_sample(const geno_t *g, int col)
{
    return BG(g)->id[col];
}

static rgx_err bgen_select(geno_t *g)
{
    bgen_t *b = BG(g);
    if (bgen_prob_init(&b->prob, g->n_file, g->col, g->n))
        return rgx_fail(RGX_ERR_MEMORY, "out of memory");
    b->have_prob = 1;
    return RGX_OK;
}

/* Positions the reader at the unit's first variant: through the .bgi, or at the last mark
 * before the unit's start (records are sorted, so every record of the unit lies after it). */
static rgx_err bgen_begin(geno_t *g, const geno_unit_t *u)
{
    bgen_t *b = BG(g);
    b->cur = *u;
    b->in_unit = 1, b->n_read = 0;
    if (b->db) {
        sqlite3_stmt *q = b->q_start;
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, g->contig[u->rid], -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, u->beg), sqlite3_bind_int64(q, 3, u->end);
        int r = sqlite3_step(q);
        if (r != SQLITE_ROW) return bgi_fail(g, "query");
        if (sqlite3_column_type(q, 0) == SQLITE_NULL) { /* no variant in the window */
            b->in_unit = 0;
            return RGX_OK;
        }
        b->off = (uint64_t)sqlite3_column_int64(q, 0), b->rec = -1;
        return RGX_OK;
    }
    size_t lo = 0, hi = b->n_mark; /* the first mark not before (rid, beg) */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const bgen_mark_t *m = &b->mark[mid];
        if (m->rid < u->rid || (m->rid == u->rid && m->pos < u->beg))
            lo = mid + 1;
        else
            hi = mid;
    }
    bgen_mark_t start = lo ? b->mark[lo - 1] : (bgen_mark_t){0, 0, 0, b->first};
    b->off = start.off, b->rec = start.rec;
    return RGX_OK;
}

/* Through the .bgi: the variants read for the unit must be those the index lists. */
static rgx_err bgi_check_count(geno_t *g)
{
    bgen_t *b = BG(g);
    sqlite3_stmt *q = b->q_count;
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, g->contig[b->cur.rid], -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, b->cur.beg), sqlite3_bind_int64(q, 3, b->cur.end);
    if (sqlite3_step(q) != SQLITE_ROW) return bgi_fail(g, "query");
    long listed = (long)sqlite3_column_int64(q, 0);
    if (listed == b->n_read) return RGX_OK;
    return rgx_fail(RGX_ERR_INPUT, "%s: %ld variants in %s:%ld-%ld read from the file in order, "
                    "%ld listed by %s: the index is not this file's, or the file's variants "
                    "are not sorted by position", g->path, b->n_read, g->contig[b->cur.rid],
                    b->cur.beg, b->cur.end, listed, b->bgi_path);
}

/* The next variant of the unit.  From the start, variants of other contigs come first
 * (before the unit's contig: skipped), then the unit's contig, then others (the end). */
static int bgen_next(geno_t *g, rgx_err *err)
{
    bgen_t *b = BG(g);
    const char *chrom = g->contig[b->cur.rid];
    while (b->in_unit) {
        if (b->rec >= (long)b->M || (b->rec < 0 && b->off >= b->size)) break; /* the end */
        if ((*err = read_variant(g, b->rec))) return -1;
        if (b->rec >= 0) b->rec++;
        if (strcmp(str_at(b, 2), chrom)) {
            if (b->in_unit == 2) break;
            continue;
        }
        b->in_unit = 2;
        if (g->v_pos > b->cur.end) break;
        if (g->v_pos < b->cur.beg) continue;
        g->v_rid = b->cur.rid;
        b->n_read++;
        return 1;
    }
    if (b->in_unit && b->db && (*err = bgi_check_count(g))) return -1;
    b->in_unit = 0;
    return 0;
}

/* The current record's probability data, decompressed: *d, *len. */
static rgx_err block_data(geno_t *g, const uint8_t **d, size_t *len)
{
    bgen_t *b = BG(g);
    const uint8_t *p;
    int r = rd_get(b, b->blk_off, b->blk_len, &p);
    if (r < 0) return rgx_fail(RGX_ERR_INPUT, "%s: read error: %s", g->path, strerror(errno));
    if (r == 0) return cur_fail(g, "the file ends inside it (truncated)");
    size_t n = b->blk_len;
    if (!b->comp) return *d = p, *len = n, RGX_OK;
    uint32_t D = 6 * b->N; /* layout 1 */
    if (b->layout == 2) {
        if (n < 4) return cur_fail(g, "its compressed block is shorter than 4 bytes");
        D = le32(p), p += 4, n -= 4;
        if (D > 10 + 253 * (uint64_t)b->N) { /* ploidy <= 63, 32 bits: more is not biallelic */
            char what[96];
            snprintf(what, sizeof what, "an uncompressed length of %u bytes", D);
            return cur_fail(g, what);
        }
    }
    if (rgx_reserve(&b->z, &b->z_cap, (size_t)D + 1, 1)) return RGX_ERR_MEMORY;
    int ok;
    if (b->comp == 1) {
        if (!b->inf && rgx_calloc(&b->inf, 1, sizeof *b->inf)) return RGX_ERR_MEMORY;
        isal_inflate_init(b->inf);
        b->inf->next_in = (uint8_t *)(uintptr_t)p, b->inf->avail_in = (uint32_t)n;
        b->inf->next_out = b->z, b->inf->avail_out = D + 1;
        b->inf->crc_flag = ISAL_ZLIB;
        ok = isal_inflate(b->inf) == ISAL_DECOMP_OK && b->inf->block_state == ISAL_BLOCK_FINISH &&
             b->inf->total_out == D;
    } else {
        if (!b->zd && !(b->zd = ZSTD_createDCtx()))
            return rgx_fail(RGX_ERR_MEMORY, "out of memory");
        size_t got = ZSTD_decompressDCtx(b->zd, b->z, (size_t)D + 1, p, n);
        ok = !ZSTD_isError(got) && got == D;
    }
    if (!ok) {
        char what[96];
        snprintf(what, sizeof what, "its %s block does not decompress to %u bytes",
                 b->comp == 1 ? "zlib" : "zstd", D);
        return cur_fail(g, what);
    }
    *d = b->z, *len = D;
    return RGX_OK;
}

static int bgen_dosages(geno_t *g, double *dose, rgx_err *err)
{
    bgen_t *b = BG(g);
    const uint8_t *d = NULL;
    size_t len = 0;
    if ((*err = block_data(g, &d, &len))) return -1;
    const char *why = b->layout == 2 ? bgen_prob_layout2(&b->prob, d, len, g->v_nallele, dose,
                                                         &g->n_bad_calls)
                                     : bgen_prob_layout1(&b->prob, d, len, dose);
    if (why) return *err = cur_fail(g, why), -1;
    return 1;
}

static void bgen_close(geno_t *g)
{
    bgen_t *b = BG(g);
    if (!b) return;
    if (b->fd >= 0) close(b->fd);
    sqlite3_finalize(b->q_start), sqlite3_finalize(b->q_count);
    if (b->db) sqlite3_close(b->db);
    if (b->zd) ZSTD_freeDCtx(b->zd);
    if (b->have_prob) bgen_prob_free(&b->prob);
    free(b->buf), free(b->id), free(b->id_text), free(b->sample_path), free(b->bgi_path);
    free(b->mark), free(b->sv), free(b->z), free(b->inf);
    free(b);
    g->impl = NULL;
}

/* NAME.bgen, and NAME.sample and NAME.bgen.bgi when they are there. */
static rgx_err bgen_files(const char *path, geno_file_list_t *l)
{
    char *sample = NULL, *bgi = NULL;
    rgx_err err = geno_file_add(l, path, 0);
    if (!err) err = with_ext(&sample, path, ".sample", 1);
    if (!err) err = geno_file_add(l, sample, 1);
    if (!err) err = with_ext(&bgi, path, ".bgi", 0);
    if (!err) err = geno_file_add(l, bgi, 1);
    free(sample), free(bgi);
    return err;
}

const geno_format_t geno_bgen = {
    .name = "bgen",
    .extensions = ".bgen",
    .open = bgen_open,
    .sample = bgen_sample,
    .select = bgen_select,
    .begin = bgen_begin,
    .next = bgen_next,
    .dosages = bgen_dosages,
    .close = bgen_close,
    .files = bgen_files,
};
