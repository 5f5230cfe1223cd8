/* geno_vcf.c — the VCF, VCF.gz and BCF source, through HTSlib (see geno.h).
 *
 * Read through the index (.tbi or .csi) when there is one, else by one forward pass that
 * parses the genotypes only of the records in the rank's units.  Dosages come from DS, or from
 * GT hard calls (allele counts); missing calls are NAN.
 *
 * VCF text (plain or bgzipped) is parsed here rather than by vcf_parse: a record's first nine
 * fields are split, and of the sample columns only the one FORMAT key needed (DS or GT) is
 * read, where vcf_parse would encode every key of every sample.  Values follow HTSlib's
 * conventions exactly (DS through float, as BCF stores it; "." missing), so VCF, VCF.gz and
 * BCF give the same bits (tests/e2e/scan.t).  Through the index, a unit is read from the
 * first chunk the index gives for its window, sequentially to the window's end (the tabix
 * iterator would scan every whole line to find its position). */
#include "geno.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <htslib/bgzf.h>
#include <htslib/hfile.h>
#include <htslib/hts.h>
#include <htslib/kseq.h>
#include <htslib/kstring.h>
#include <htslib/tbx.h>
#include <htslib/vcf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct {
    htsFile *fp;
    bcf_hdr_t *hdr;
    tbx_t *tbx;     /* VCF.gz index */
    hts_idx_t *idx; /* BCF index */
    hts_itr_t *itr;
    int use_ds; /* 1: DS, 0: GT */
    bcf1_t *rec;      /* BCF input: the current record */
    int text;         /* VCF text: records parsed from line */
    int in_window;    /* indexed text: a unit is being read */
    kstring_t line;
    char *cur_line;   /* text: the current line (in line.s; indexed: in BGZF's block or buf) */
    char *buf;        /* indexed text: a line that spans BGZF blocks, assembled */
    size_t buf_cap;
    char *fld[9];     /* text: CHROM .. FORMAT of the current line (NUL-terminated) */
    char *samples;    /* text: the sample columns */
    uint64_t *tabs, *colons; /* text: bitmaps of the sample columns' separators */
    size_t n_words;
    float *ds;
    int *odd;          /* text: 4 column + kind of this record's GT calls counted (geno.h) */
    int n_odd;
    uint8_t *analysis; /* per file column: 1 for an analysis sample */
    uint8_t *diploid;  /* per contig: 1 where a haploid call is counted (not X, Y, MT, PAR) */
    int32_t *gt;
    int nds, ngt;
    geno_unit_t cur; /* the unit being read */
    int pending;     /* unindexed: rec holds a record read ahead */
    int last_rid;    /* unindexed: the last record consumed (-1: none) */
    long last_pos;
} vcf_t;

static inline vcf_t *V(const geno_t *g)
{
    return g->impl;
}
static long contig_length(const bcf_hdr_t *hdr, int rid)
{
    const char *name = bcf_hdr_id2name(hdr, rid);
    bcf_hrec_t *h = bcf_hdr_get_hrec(hdr, BCF_HL_CTG, "ID", name, NULL);
    if (!h) return 0;
    int k = bcf_hrec_find_key(h, "length");
    return k >= 0 ? atol(h->vals[k]) : 0;
}

static rgx_err vs_begin(geno_t *g, const geno_unit_t *u)
{
    vcf_t *v = V(g);
    v->cur = *u;
    v->in_window = 0;
    if (v->itr) hts_itr_destroy(v->itr), v->itr = NULL;
    if (g->indexed) {
        char reg[512];
        snprintf(reg, sizeof reg, "%s:%ld-%ld", geno_chrom(g, u->rid), u->beg, u->end);
        v->itr = v->tbx ? tbx_itr_querys(v->tbx, reg) : bcf_itr_querys(v->idx, v->hdr, reg);
        /* A contig absent from the index has no records: an empty unit.  Text is read on from
         * the first chunk (chunks are in file order; records before the window are skipped). */
        if (v->tbx && v->itr && v->itr->n_off > 0) {
            if (bgzf_seek(hts_get_bgzfp(v->fp), (int64_t)v->itr->off[0].u, SEEK_SET) < 0)
                return rgx_fail(RGX_ERR_INPUT, "%s: cannot seek to %s", g->path, reg);
            v->in_window = 1;
        }
        return RGX_OK;
    }
    /* One forward pass: units come in file order.  If a record at or after the unit's start
     * was already consumed (a second pass, or contigs not in header order), start again. */
    if (v->last_rid > u->rid || (v->last_rid == u->rid && v->last_pos >= u->beg)) {
        hts_close(v->fp);
        bcf_hdr_destroy(v->hdr);
        v->fp = hts_open(g->path, "r");
        v->hdr = v->fp ? bcf_hdr_read(v->fp) : NULL;
        v->pending = 0;
        v->last_rid = -1;
        if (!v->hdr) return rgx_fail(RGX_ERR_INPUT, "%s: cannot reopen", g->path);
    }
    return RGX_OK;
}

/* An error naming the record by CHROM and POS (the line is already split into fields). */
static rgx_err malformed(const geno_t *g, const char *what)
{
    const vcf_t *v = V(g);
    return rgx_fail(RGX_ERR_INPUT, "%s: the record at %s:%s: %s", g->path,
                    v->fld[0] ? v->fld[0] : "?", v->fld[1] ? v->fld[1] : "?", what);
}

/* Text: splits the line's first nine fields in place and fills the current record. */
static rgx_err parse_site(geno_t *g)
{
    vcf_t *v = V(g);
    char *p = v->cur_line;
    memset(v->fld, 0, sizeof v->fld);
    for (int f = 0; f < 9; f++) {
        v->fld[f] = p;
        char *t = strchr(p, '\t');
        if (!t) {
            if (f == 8 || (f == 7 && bcf_hdr_nsamples(v->hdr) == 0)) { /* no sample columns */
                if (f == 7) v->fld[8] = p + strlen(p);
                v->samples = p + strlen(p);
                break;
            }
            return malformed(g, "fewer than 9 tab-separated fields");
        }
        *t = '\0';
        p = t + 1;
        v->samples = p;
    }
    g->v_rid = bcf_hdr_name2id(v->hdr, v->fld[0]);
    if (g->v_rid < 0) return malformed(g, "CHROM not declared in the header");
    char *e;
    g->v_pos = strtol(v->fld[1], &e, 10);
    if (e == v->fld[1] || *e) return malformed(g, "POS is not a number");
    g->v_id = v->fld[2], g->v_ref = v->fld[3], g->v_alt = v->fld[4];
    g->v_nallele = 1; /* REF, then the ALT list ("." is none) */
    if (strcmp(g->v_alt, ".")) {
        g->v_nallele++;
        for (const char *c = g->v_alt; *c; c++) g->v_nallele += *c == ',';
    }
    return RGX_OK;
}

/* BCF: the current record from v->rec. */
static void site_from_rec(geno_t *g)
{
    vcf_t *v = V(g);
    bcf_unpack(v->rec, BCF_UN_STR);
    g->v_rid = v->rec->rid, g->v_pos = (long)v->rec->pos + 1, g->v_nallele = v->rec->n_allele;
    g->v_id = v->rec->d.id, g->v_ref = v->rec->d.allele[0];
    g->v_alt = v->rec->n_allele > 1 ? v->rec->d.allele[1] : ".";
}

/* Consumes n bytes of the current BGZF block, as bgzf_read does. */
static void block_consume(BGZF *bz, size_t n)
{
    bz->block_offset += (int)n;
    bz->uncompressed_address += (int64_t)n;
    if (bz->block_offset >= bz->block_length) { /* the block is used up: the next one's address */
        bz->block_address = htell(bz->fp); /* (no BGZF threads here: the file position) */
        bz->block_offset = bz->block_length = 0;
    }
}

/* Indexed text: the next line into v->cur_line (NUL-terminated); its length, or -1 at the end
 * of the file, -2 on a read error.  Lines are found with memchr in BGZF's own decompressed
 * block and used there (its newline replaced by the NUL); only a line that spans blocks is
 * assembled in v->buf.  (bgzf_read would copy every byte out of the block first: 5% of a
 * VCF.gz scan.)  The block stays untouched by BGZF until the next call: only this reads it. */
static int next_line(geno_t *g)
{
    vcf_t *v = V(g);
    BGZF *bz = hts_get_bgzfp(v->fp);
    size_t have = 0; /* bytes of a spanning line assembled in v->buf */
    char *line = NULL;
    size_t len = 0;
    for (;;) {
        if (bz->block_offset >= bz->block_length) {
            if (bgzf_read_block(bz) != 0) return -2;
            if (bz->block_length == 0) { /* the end of the file: a last line without newline */
                if (!have) return -1;
                break;
            }
            if (bz->block_offset >= bz->block_length) { /* positioned at the block's very end */
                block_consume(bz, 0);
                continue;
            }
        }
        char *s = (char *)bz->uncompressed_block + bz->block_offset;
        size_t avail = (size_t)(bz->block_length - bz->block_offset);
        char *nl = memchr(s, '\n', avail);
        size_t take = nl ? (size_t)(nl - s) + 1 : avail;
        if (nl && !have) { /* the whole line is in this block: used where it is */
            line = s, len = (size_t)(nl - s);
            block_consume(bz, take);
            break;
        }
        size_t need = have + take + 1; /* 1 MB at first; a longer line doubles it */
        if (rgx_reserve(&v->buf, &v->buf_cap, need > (1u << 20) ? need : (1u << 20), 1)) return -2;
        memcpy(v->buf + have, s, take);
        have += take;
        block_consume(bz, take);
        if (nl) break;
    }
    if (!line) line = v->buf, len = have && v->buf[have - 1] == '\n' ? have - 1 : have;
    line[len] = '\0'; /* over the newline (or the buffer's spare byte) */
    if (len && line[len - 1] == '\r') line[--len] = '\0';
    v->cur_line = line;
    return (int)(len < INT32_MAX ? len : INT32_MAX);
}

/* The next record of the unit, its site fields parsed. */
static int read_record(geno_t *g, rgx_err *err)
{
    vcf_t *v = V(g);
    for (;;) {
        int r;
        if (g->indexed && v->text) {
            if (!v->in_window) return 0;
            r = next_line(g);
            if (r < -1) return *err = rgx_fail(RGX_ERR_INPUT, "%s: read error", g->path), -1;
            if (r == -1) return v->in_window = 0, 0;
            if (!r || v->cur_line[0] == '#') continue;
            if ((*err = parse_site(g))) return -1;
            if (g->v_rid != v->cur.rid || g->v_pos > v->cur.end) return v->in_window = 0, 0;
            /* A record that starts before the window belongs to the unit where it starts. */
            if (g->v_pos < v->cur.beg) continue;
            return 1;
        }
        if (g->indexed) {
            if (!v->itr) return 0;
            r = bcf_itr_next(v->fp, v->itr, v->rec);
            if (r < 0)
                return r == -1 ? 0
                               : (*err = rgx_fail(RGX_ERR_INPUT, "%s: read error", g->path), -1);
            site_from_rec(g);
            if (g->v_pos < v->cur.beg) continue;
            return 1;
        }
        if (!v->pending) {
            if (v->text) {
                r = hts_getline(v->fp, KS_SEP_LINE, &v->line);
                if (r < -1) return *err = rgx_fail(RGX_ERR_INPUT, "%s: read error", g->path), -1;
                if (r == -1) return 0;
                v->cur_line = v->line.s;
                if (!v->line.l || v->line.s[0] == '#') continue;
                if ((*err = parse_site(g))) return -1;
            } else {
                r = bcf_read(v->fp, v->hdr, v->rec);
                if (r < -1)
                    return *err = rgx_fail(RGX_ERR_INPUT, "%s: malformed record", g->path), -1;
                if (r == -1) return 0;
                site_from_rec(g);
            }
            v->pending = 1;
        }
        if (g->v_rid > v->cur.rid || (g->v_rid == v->cur.rid && g->v_pos > v->cur.end))
            return 0; /* after the unit: keep it for the next */
        v->pending = 0;
        v->last_rid = g->v_rid, v->last_pos = g->v_pos;
        if (g->v_rid < v->cur.rid || g->v_pos < v->cur.beg) continue; /* before: someone else's */
        return 1;
    }
}

/* Text: the index of key among the FORMAT keys, or -1. */
static int format_index(const char *format, const char *key)
{
    size_t kl = strlen(key);
    int k = 0;
    for (const char *p = format;; k++) {
        const char *e = strchr(p, ':');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == kl && !memcmp(p, key, kl)) return k;
        if (!e) return -1;
        p = e + 1;
    }
}

/* What a GT call is, beyond a plain diploid call (geno.h: the calls made missing or counted). */
enum { CALL_OK, CALL_POLYPLOID, CALL_HALF, CALL_HAPLOID, CALL_BAD };

/* A GT value (up to ':', a tab or the end) as the ALT allele count of a biallelic record: a
 * haploid call counts 0 or 2 so that dosages share one scale; a call with a missing allele
 * ("./.", ".", "0/.") or of ploidy above 2 is missing.  Returns its kind (CALL_*):
 * CALL_BAD for anything but allele numbers 0 or 1 and '.' joined by '/' or '|'. */
static int gt_dose(const char *p, float *dose)
{
    int s = 0, k = 0, miss = 0;
    *dose = NAN;
    if (!*p || *p == ':' || *p == '\t') return CALL_BAD; /* empty: VCF writes '.' */
    for (;;) {
        if (*p == '.') {
            miss++, p++;
        } else if (*p == '0' || *p == '1') {
            s += *p++ == '1';
        } else {
            return CALL_BAD;
        }
        k++;
        if (*p != '/' && *p != '|') break;
        p++;
    }
    if (*p && *p != ':' && *p != '\t') return CALL_BAD;
    if (k > 2) return CALL_POLYPLOID;
    if (miss) return miss < k ? CALL_HALF : CALL_OK;
    *dose = (float)(k == 1 ? 2 * s : s);
    return k == 1 ? CALL_HAPLOID : CALL_OK;
}

/* Counts a call of the given kind for an analysis sample (geno.h); the haploid ones only on a
 * contig where every call should be diploid. */
static void count_call(geno_t *g, int kind)
{
    if (kind == CALL_POLYPLOID) g->n_bad_calls++;
    else if (kind == CALL_HALF) g->n_half_calls++;
    else if (kind == CALL_HAPLOID && V(g)->diploid[g->v_rid]) g->n_haploid_calls++;
}

/* Bitmaps of the tabs and colons of s[0 .. n) (bit i % 64 of word i / 64), with both set at
 * n (the end stops every search): the sample columns are walked by finding set bits instead
 * of testing every character (16 at a time with SSE2). */
static rgx_err separator_maps(geno_t *g, const char *s, size_t n)
{
    vcf_t *v = V(g);
    size_t words = n / 64 + 1;
    if (v->n_words < words) {
        uint64_t *t = realloc(v->tabs, words * sizeof *t);
        if (t) v->tabs = t;
        uint64_t *c = t ? realloc(v->colons, words * sizeof *c) : NULL;
        if (c) v->colons = c;
        if (!t || !c) return rgx_fail(RGX_ERR_MEMORY, "out of memory");
        v->n_words = words;
    }
    size_t i = 0;
#ifdef __SSE2__
    const __m128i tab = _mm_set1_epi8('\t'), colon = _mm_set1_epi8(':');
    for (; i + 64 <= n; i += 64) {
        uint64_t t = 0, c = 0;
        for (int k = 0; k < 4; k++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(s + i + 16 * (size_t)k));
            t |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, tab)) << (16 * k);
            c |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, colon)) << (16 * k);
        }
        v->tabs[i / 64] = t, v->colons[i / 64] = c;
    }
#endif
    for (size_t w = i / 64; w < words; w++) v->tabs[w] = v->colons[w] = 0;
    for (; i < n; i++) {
        v->tabs[i / 64] |= (uint64_t)(s[i] == '\t') << (i % 64);
        v->colons[i / 64] |= (uint64_t)(s[i] == ':') << (i % 64);
    }
    v->tabs[n / 64] |= (uint64_t)1 << (n % 64);
    v->colons[n / 64] |= (uint64_t)1 << (n % 64);
    return RGX_OK;
}

/* The first set bit at or after i (one must exist). */
static inline size_t next_bit(const uint64_t *m, size_t i)
{
    size_t w = i / 64;
    uint64_t x = m[w] & (~(uint64_t)0 << (i % 64));
    while (!x) x = m[++w];
    return w * 64 + (size_t)__builtin_ctzll(x);
}

/* Text: the error for sample column c's value f (n bytes; how: what is wrong with it). */
static __attribute__((noinline, cold)) int bad_value(geno_t *g, const char *f, int n, int c,
                                                     const char *how, rgx_err *err)
{
    vcf_t *v = V(g);
    char what[240];
    snprintf(what, sizeof what, "sample %s: %s '%.*s' %s", v->hdr->samples[c],
             v->use_ds ? "DS" : "GT", n, f, how);
    return *err = malformed(g, what), -1;
}

/* Text: one sample's DS or GT value f (n bytes, up to ':', a tab or the end) into *val.
 * Returns the call's kind (CALL_*, GT only), or -1 with *err: a GT that is not a call of a
 * biallelic record, a DS that is not a number, not finite or outside [0, 2], an empty value. */
static inline int text_value(geno_t *g, const char *f, int n, int c, float *val, rgx_err *err)
{
    if (!V(g)->use_ds) {
        int kind = gt_dose(f, val);
        return kind != CALL_BAD ? kind
                                : bad_value(g, f, n, c, "is not a call of a biallelic record "
                                            "(alleles 0, 1 or '.', joined by '/' or '|')", err);
    }
    if (n == 1 && *f >= '0' && *f <= '2') /* a lone digit (hard-call DS) */
        return *val = (float)(*f - '0'), CALL_OK;
    *val = NAN;
    if (n == 1 && *f == '.') return CALL_OK; /* "." (not ".5") is missing */
    if (!n) return bad_value(g, f, n, c, "is empty (write '.' for a missing dosage)", err);
    char *e; /* the number must end the value (or start a list, as vcf_parse reads) */
    float x = (float)rgx_strtod(f, &e);
    if (e == f || (*e && *e != ':' && *e != '\t' && *e != ','))
        return bad_value(g, f, n, c, "is not a number ('.' for missing)", err);
    if (!(x >= 0 && x <= 2))
        return bad_value(g, f, n, c, isnan(x) ? "is not a number ('.' for missing)"
                                              : "is not a dosage in [0, 2]", err);
    return *val = x, CALL_OK;
}

/* Text: the DS or GT values of every sample column into v->ds (as float, the precision BCF
 * keeps), then the analysis samples' values into dose. */
static int text_dosages(geno_t *g, double *dose, rgx_err *err)
{
    vcf_t *v = V(g);
    const char *key = v->use_ds ? "DS" : "GT";
    int ki = format_index(v->fld[8], key);
    if (ki < 0) {
        *err = rgx_fail(RGX_ERR_INPUT, "%s: %s:%ld has no %s values", g->path, v->fld[0],
                        g->v_pos, key);
        return -1;
    }
    int ns = bcf_hdr_nsamples(v->hdr);
    if (v->nds < ns) {
        float *nd = realloc(v->ds, (size_t)ns * sizeof *nd);
        if (nd) v->ds = nd;
        int *no = nd ? realloc(v->odd, (size_t)ns * sizeof *no) : NULL;
        if (no) v->odd = no;
        if (!nd || !no) return *err = rgx_fail(RGX_ERR_MEMORY, "out of memory"), -1;
        v->nds = ns;
    }
    const char *s0 = v->samples;
    size_t len = strlen(s0), pos = 0; /* pos: the column's first character */
    if ((*err = separator_maps(g, s0, len))) return -1;
    v->n_odd = 0;
    for (int c = 0; c < ns; c++) {
        if (pos >= len) {
            *err = malformed(g, "fewer sample columns than the header");
            return -1;
        }
        size_t te = next_bit(v->tabs, pos), fo = pos; /* the column's end; the key's value */
        int k = 0;
        for (size_t cp = pos; k < ki; k++) { /* past the key's colon, if the column has it */
            cp = next_bit(v->colons, cp);
            if (cp >= te) break;
            fo = ++cp;
        }
        if (k < ki) fo = te;
        float val = NAN;
        size_t ve = k < ki ? te : next_bit(v->colons, fo); /* the value's end */
        if (ve > te) ve = te;
        int kind = k < ki ? CALL_OK /* absent: missing */
                          : text_value(g, s0 + fo, (int)(ve - fo), c, &val, err);
        if (kind < 0) return -1;
        if (kind != CALL_OK) v->odd[v->n_odd++] = 4 * c + kind; /* (kinds 1 to 3) */
        v->ds[c] = val;
        pos = te + 1; /* the next column */
    }
    for (int i = 0; i < g->n; i++) dose[i] = (double)v->ds[g->col[i]];
    /* The calls counted (geno.h): those of analysis samples only. */
    for (int o = 0; o < v->n_odd; o++)
        if (v->analysis && v->analysis[v->odd[o] / 4]) count_call(g, v->odd[o] % 4);
    return 1;
}

static int vs_next(geno_t *g, rgx_err *err)
{
    *err = RGX_OK;
    return read_record(g, err);
}

/* BCF: a DS value outside [0, 2] (or not finite) is an error naming the sample. */
static int bcf_bad_ds(geno_t *g, int col, float x, rgx_err *err)
{
    char what[160];
    snprintf(what, sizeof what, "sample %s: DS %g is not a dosage in [0, 2]",
             V(g)->hdr->samples[col], (double)x);
    return *err = geno_bad_record(g, what), -1;
}

/* BCF: a DS value as a dosage (NAN: missing); -1 for a NaN that is not BCF's missing value
 * or a value outside [0, 2]. */
static inline int ds_of(float x, double *d)
{
    if (bcf_float_is_missing(x) || bcf_float_is_vector_end(x)) return *d = NAN, 0;
    *d = (double)x;
    return x >= 0 && x <= 2 ? 0 : -1;
}

/* BCF: DS as stored (float). */
static int bcf_ds(geno_t *g, double *dose, rgx_err *err)
{
    vcf_t *v = V(g);
    /* Float DS is read where the record holds it (bcf_get_format_float would copy and check
     * every sample's value first, 15% of a BCF scan's reading); other types through it. */
    bcf_fmt_t *fmt = bcf_get_fmt(v->hdr, v->rec, "DS");
    if (fmt && fmt->type == BCF_BT_FLOAT && fmt->n > 0) {
        for (int i = 0; i < g->n; i++) {
            float x;
            memcpy(&x, fmt->p + (size_t)g->col[i] * (size_t)fmt->size, sizeof x);
            if (ds_of(x, &dose[i])) return bcf_bad_ds(g, g->col[i], x, err);
        }
    } else {
        int n = bcf_get_format_float(v->hdr, v->rec, "DS", &v->ds, &v->nds);
        if (n < 0) return *err = geno_bad_record(g, "no DS values"), -1;
        int per = n / bcf_hdr_nsamples(v->hdr);
        for (int i = 0; i < g->n; i++) {
            float x = v->ds[g->col[i] * per];
            if (ds_of(x, &dose[i])) return bcf_bad_ds(g, g->col[i], x, err);
        }
    }
    return 1;
}

/* BCF: GT as allele counts.  Haploid calls count as 0 or 2 so that dosages share one scale;
 * a call with a missing allele, or of ploidy above 2, is missing (geno.h: counted). */
static int bcf_gt(geno_t *g, double *dose, rgx_err *err)
{
    vcf_t *v = V(g);
    int n = bcf_get_genotypes(v->hdr, v->rec, &v->gt, &v->ngt);
    if (n < 0) return *err = geno_bad_record(g, "no GT values"), -1;
    int per = n / bcf_hdr_nsamples(v->hdr);
    for (int i = 0; i < g->n; i++) {
        const int32_t *a = v->gt + g->col[i] * per;
        int s = 0, miss = 0, k;
        for (k = 0; k < per && a[k] != bcf_int32_vector_end; k++) {
            if (bcf_gt_is_missing(a[k])) {
                miss++;
            } else if (bcf_gt_allele(a[k]) > 1) { /* (multi-allelic records are skipped) */
                char what[160];
                snprintf(what, sizeof what, "sample %s: GT allele %d of a biallelic record",
                         v->hdr->samples[g->col[i]], bcf_gt_allele(a[k]));
                return *err = geno_bad_record(g, what), -1;
            } else {
                s += bcf_gt_allele(a[k]);
            }
        }
        int kind = k > 2 ? CALL_POLYPLOID : miss ? (miss < k ? CALL_HALF : CALL_OK)
                   : k == 1 ? CALL_HAPLOID : CALL_OK;
        dose[i] = k == 0 || miss || k > 2 ? NAN : (k == 1 ? 2 * s : s);
        if (kind != CALL_OK) count_call(g, kind);
    }
    return 1;
}

static int vs_dosages(geno_t *g, double *dose, rgx_err *err)
{
    vcf_t *v = V(g);
    *err = RGX_OK;
    if (v->text) return text_dosages(g, dose, err);
    return v->use_ds ? bcf_ds(g, dose, err) : bcf_gt(g, dose, err);
}

static const char *vs_sample(const geno_t *g, int col)
{
    return V(g)->hdr->samples[col];
}

static rgx_err vs_select(geno_t *g)
{
    /* The columns are picked from each record (g->col); the calls counted are theirs. */
    vcf_t *v = V(g);
    rgx_err err = rgx_calloc(&v->analysis, g->n_file ? (size_t)g->n_file : 1, 1);
    for (int i = 0; !err && i < g->n; i++) v->analysis[g->col[i]] = 1;
    return err;
}

static void vs_close(geno_t *g)
{
    vcf_t *v = V(g);
    if (!v) return;
    if (v->itr) hts_itr_destroy(v->itr);
    if (v->rec) bcf_destroy(v->rec);
    if (v->tbx) tbx_destroy(v->tbx);
    if (v->idx) hts_idx_destroy(v->idx);
    if (v->hdr) bcf_hdr_destroy(v->hdr);
    if (v->fp) hts_close(v->fp);
    free(v->line.s), free(v->buf), free(v->ds), free(v->gt), free(v->tabs), free(v->colons);
    free(v->odd), free(v->analysis), free(v->diploid);
    free(v);
    g->impl = NULL;
}

/* The contigs of the header, in rid order. */
static rgx_err vs_contigs(geno_t *g)
{
    vcf_t *v = V(g);
    int nseq = 0;
    const char **names = bcf_hdr_seqnames(v->hdr, &nseq);
    if (nseq && !names) return rgx_fail(RGX_ERR_MEMORY, "out of memory");
    long *len = NULL;
    rgx_err err = rgx_calloc(&len, nseq ? (size_t)nseq : 1, sizeof *len);
    for (int s = 0; s < nseq && !err; s++) len[s] = contig_length(v->hdr, s);
    if (!err) err = rgx_calloc(&v->diploid, nseq ? (size_t)nseq : 1, 1);
    for (int s = 0; s < nseq && !err; s++)
        v->diploid[s] = geno_contig_class(names[s]) == GENO_AUTOSOME;
    if (!err) err = geno_set_contigs(g, nseq, (char *const *)names, len);
    free(names), free(len);
    return err;
}

static rgx_err vs_open(geno_t *g, const char *dosage)
{
    vcf_t *v = NULL;
    rgx_err err = rgx_calloc(&v, 1, sizeof *v);
    if (err) return err;
    g->impl = v;
    v->last_rid = -1;
    v->fp = hts_open(g->path, "r");
    if (!v->fp) return rgx_fail(RGX_ERR_INPUT, "%s: cannot open as VCF/BCF", g->path);
    const htsFormat *fmt = hts_get_format(v->fp);
    if (fmt->category != variant_data)
        return rgx_fail(RGX_ERR_INPUT, "%s: not a VCF or BCF file", g->path);
    v->hdr = bcf_hdr_read(v->fp);
    if (!v->hdr) return rgx_fail(RGX_ERR_INPUT, "%s: unreadable VCF/BCF header", g->path);
    if (fmt->format == bcf)
        v->idx = bcf_index_load(g->path);
    else if (fmt->compression == bgzf)
        v->tbx = tbx_index_load3(g->path, NULL, HTS_IDX_SILENT_FAIL);
    g->indexed = v->idx || v->tbx;
    v->text = fmt->format == vcf;
    int ds_id = bcf_hdr_id2int(v->hdr, BCF_DT_ID, "DS");
    int has_ds = ds_id >= 0 && bcf_hdr_idinfo_exists(v->hdr, BCF_HL_FMT, ds_id);
    if (!dosage || !strcmp(dosage, "auto"))
        v->use_ds = has_ds;
    else if (!strcmp(dosage, "DS")) {
        if (!has_ds)
            return rgx_fail(RGX_ERR_INPUT, "%s: --dosage DS but the header has no FORMAT/DS",
                            g->path);
        v->use_ds = 1;
    } else if (!strcmp(dosage, "GT"))
        v->use_ds = 0;
    else
        return rgx_fail(RGX_ERR_USAGE, "dosage '%s': expected DS, GT or auto", dosage);
    g->values = v->use_ds ? "DS dosages" : "GT hard calls";
    g->n_file = bcf_hdr_nsamples(v->hdr);
    if (!(v->rec = bcf_init())) return rgx_fail(RGX_ERR_MEMORY, "out of memory");
    return vs_contigs(g);
}

const geno_format_t geno_vcf = {
    .name = "vcf",
    .extensions = ".vcf .vcf.gz .vcf.bgz .bcf",
    .open = vs_open,
    .sample = vs_sample,
    .select = vs_select,
    .begin = vs_begin,
    .next = vs_next,
    .dosages = vs_dosages,
    .close = vs_close,
};
