/* geno.c — see geno.h. */
#include "geno.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#include <htslib/bgzf.h>
#include <htslib/hfile.h>
#include <htslib/kseq.h>

rgx_err geno_open(geno_t *g, const char *path, char *const *samples, int n, const char *dosage)
{
    memset(g, 0, sizeof *g);
    rgx_err err = rgx_strdup(&g->path, path);
    if (err) return err;
    g->fp = hts_open(path, "r");
    if (!g->fp) return rgx_fail(RGX_ERR_INPUT, "%s: cannot open as VCF/BCF", path);
    const htsFormat *fmt = hts_get_format(g->fp);
    if (fmt->category != variant_data)
        return rgx_fail(RGX_ERR_INPUT, "%s: not a VCF or BCF file", path);
    g->hdr = bcf_hdr_read(g->fp);
    if (!g->hdr) return rgx_fail(RGX_ERR_INPUT, "%s: unreadable VCF/BCF header", path);
    if (fmt->format == bcf) {
        g->idx = bcf_index_load(path);
    } else if (fmt->compression == bgzf) {
        g->tbx = tbx_index_load3(path, NULL, HTS_IDX_SILENT_FAIL);
    }
    g->indexed = g->idx || g->tbx;
    g->text = fmt->format == vcf;
    int has_ds = bcf_hdr_id2int(g->hdr, BCF_DT_ID, "DS") >= 0 &&
                 bcf_hdr_idinfo_exists(g->hdr, BCF_HL_FMT, bcf_hdr_id2int(g->hdr, BCF_DT_ID, "DS"));
    if (!dosage || !strcmp(dosage, "auto"))
        g->use_ds = has_ds;
    else if (!strcmp(dosage, "DS")) {
        if (!has_ds)
            return rgx_fail(RGX_ERR_INPUT, "%s: --dosage DS but the header has no FORMAT/DS", path);
        g->use_ds = 1;
    } else if (!strcmp(dosage, "GT"))
        g->use_ds = 0;
    else
        return rgx_fail(RGX_ERR_USAGE, "dosage '%s': expected DS, GT or auto", dosage);
    g->n = n;
    if ((err = rgx_calloc(&g->col, n ? (size_t)n : 1, sizeof *g->col))) return err;
    for (int i = 0; i < n; i++) {
        g->col[i] = bcf_hdr_id2int(g->hdr, BCF_DT_SAMPLE, samples[i]);
        if (g->col[i] < 0)
            return rgx_fail(RGX_ERR_INPUT, "%s: sample '%s' is not in the header", path,
                            samples[i]);
    }
    g->last_rid = -1;
    g->rec = bcf_init();
    return g->rec ? RGX_OK : rgx_fail(RGX_ERR_MEMORY, "out of memory");
}

void geno_close(geno_t *g)
{
    if (g->itr) hts_itr_destroy(g->itr);
    if (g->rec) bcf_destroy(g->rec);
    if (g->tbx) tbx_destroy(g->tbx);
    if (g->idx) hts_idx_destroy(g->idx);
    if (g->hdr) bcf_hdr_destroy(g->hdr);
    if (g->fp) hts_close(g->fp);
    free(g->line.s), free(g->buf), free(g->ds), free(g->gt), free(g->col), free(g->path);
    free(g->tabs), free(g->colons);
    memset(g, 0, sizeof *g);
}

const char *geno_chrom(const geno_t *g, int rid)
{
    return bcf_hdr_id2name(g->hdr, rid);
}

static long contig_length(const bcf_hdr_t *hdr, int rid)
{
    const char *name = bcf_hdr_id2name(hdr, rid);
    bcf_hrec_t *h = bcf_hdr_get_hrec(hdr, BCF_HL_CTG, "ID", name, NULL);
    if (!h) return 0;
    int k = bcf_hrec_find_key(h, "length");
    return k >= 0 ? atol(h->vals[k]) : 0;
}

static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && !strncmp(p, name, n)) return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

rgx_err geno_units(const geno_t *g, long unit_bp, const char *chroms, const char *region,
                   geno_unit_t **units, size_t *n_units)
{
    int nseq = 0;
    const char **names = bcf_hdr_seqnames(g->hdr, &nseq);
    *units = NULL;
    *n_units = 0;
    char rchr[256] = "";
    long rbeg = 1, rend = 0;
    if (region && *region) {
        const char *colon = strrchr(region, ':');
        size_t len = colon ? (size_t)(colon - region) : strlen(region);
        if (len >= sizeof rchr) len = sizeof rchr - 1;
        memcpy(rchr, region, len);
        rchr[len] = '\0';
        if (colon && sscanf(colon + 1, "%ld-%ld", &rbeg, &rend) != 2) {
            free(names);
            return rgx_fail(RGX_ERR_USAGE, "--region '%s': expected chr, or chr:from-to", region);
        }
        if (bcf_hdr_name2id(g->hdr, rchr) < 0) {
            free(names);
            return rgx_fail(RGX_ERR_USAGE, "--region '%s': no contig '%s' in %s", region, rchr,
                            g->path);
        }
    }
    size_t cap = 0;
    rgx_err err = RGX_OK;
    for (int s = 0; s < nseq && !err; s++) {
        if (chroms && *chroms && !in_list(chroms, names[s])) continue;
        if (rchr[0] && strcmp(rchr, names[s])) continue;
        int rid = bcf_hdr_name2id(g->hdr, names[s]);
        long len = contig_length(g->hdr, rid);
        long beg = 1, end = len > 0 ? len : (1L << 31) - 1;
        if (rchr[0] && rend > 0) beg = rbeg, end = rend;
        /* Without a known length the contig is one unit.  Indexed or not, the same units, so
         * the same blocks and the same bits. */
        long step = len > 0 ? unit_bp : end - beg + 1;
        for (long b = beg; b <= end && !err; b += step) {
            if (*n_units == cap) {
                cap = cap ? 2 * cap : 64;
                if ((err = rgx_realloc(units, cap, sizeof **units))) break;
            }
            long e = b + step - 1 < end ? b + step - 1 : end;
            (*units)[(*n_units)++] = (geno_unit_t){rid, b, e};
        }
    }
    free(names);
    return err;
}

rgx_err geno_begin(geno_t *g, const geno_unit_t *u)
{
    g->cur = *u;
    g->in_window = 0;
    if (g->itr) hts_itr_destroy(g->itr), g->itr = NULL;
    if (g->indexed) {
        char reg[512];
        snprintf(reg, sizeof reg, "%s:%ld-%ld", geno_chrom(g, u->rid), u->beg, u->end);
        g->itr = g->tbx ? tbx_itr_querys(g->tbx, reg) : bcf_itr_querys(g->idx, g->hdr, reg);
        /* A contig absent from the index has no records: an empty unit.  Text is read on from
         * the first chunk (chunks are in file order; records before the window are skipped). */
        if (g->tbx && g->itr && g->itr->n_off > 0) {
            if (bgzf_seek(hts_get_bgzfp(g->fp), (int64_t)g->itr->off[0].u, SEEK_SET) < 0)
                return rgx_fail(RGX_ERR_INPUT, "%s: cannot seek to %s", g->path, reg);
            g->in_window = 1;
        }
        return RGX_OK;
    }
    /* One forward pass: units come in file order.  If a record at or after the unit's start
     * was already consumed (a second pass, or contigs not in header order), start again. */
    if (g->last_rid > u->rid || (g->last_rid == u->rid && g->last_pos >= u->beg)) {
        hts_close(g->fp);
        bcf_hdr_destroy(g->hdr);
        g->fp = hts_open(g->path, "r");
        g->hdr = g->fp ? bcf_hdr_read(g->fp) : NULL;
        g->pending = 0;
        g->last_rid = -1;
        if (!g->hdr) return rgx_fail(RGX_ERR_INPUT, "%s: cannot reopen", g->path);
    }
    return RGX_OK;
}

/* An error naming the record by CHROM and POS (the line is already split into fields). */
static rgx_err malformed(const geno_t *g, const char *what)
{
    return rgx_fail(RGX_ERR_INPUT, "%s: the record at %s:%s: %s", g->path,
                    g->fld[0] ? g->fld[0] : "?", g->fld[1] ? g->fld[1] : "?", what);
}

/* Text: splits the line's first nine fields in place and fills the current record. */
static rgx_err parse_site(geno_t *g)
{
    char *p = g->cur_line;
    memset(g->fld, 0, sizeof g->fld);
    for (int f = 0; f < 9; f++) {
        g->fld[f] = p;
        char *t = strchr(p, '\t');
        if (!t) {
            if (f == 8 || (f == 7 && bcf_hdr_nsamples(g->hdr) == 0)) { /* no sample columns */
                if (f == 7) g->fld[8] = p + strlen(p);
                g->samples = p + strlen(p);
                break;
            }
            return malformed(g, "fewer than 9 tab-separated fields");
        }
        *t = '\0';
        p = t + 1;
        g->samples = p;
    }
    g->v_rid = bcf_hdr_name2id(g->hdr, g->fld[0]);
    if (g->v_rid < 0) return malformed(g, "CHROM not declared in the header");
    char *e;
    g->v_pos = strtol(g->fld[1], &e, 10);
    if (e == g->fld[1] || *e) return malformed(g, "POS is not a number");
    g->v_id = g->fld[2], g->v_ref = g->fld[3], g->v_alt = g->fld[4];
    g->v_nallele = 1; /* REF, then the ALT list ("." is none) */
    if (strcmp(g->v_alt, ".")) {
        g->v_nallele++;
        for (const char *c = g->v_alt; *c; c++) g->v_nallele += *c == ',';
    }
    return RGX_OK;
}

/* BCF: the current record from g->rec. */
static void site_from_rec(geno_t *g)
{
    bcf_unpack(g->rec, BCF_UN_STR);
    g->v_rid = g->rec->rid, g->v_pos = (long)g->rec->pos + 1, g->v_nallele = g->rec->n_allele;
    g->v_id = g->rec->d.id, g->v_ref = g->rec->d.allele[0];
    g->v_alt = g->rec->n_allele > 1 ? g->rec->d.allele[1] : ".";
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

/* Indexed text: the next line into g->cur_line (NUL-terminated); its length, or -1 at the end
 * of the file, -2 on a read error.  Lines are found with memchr in BGZF's own decompressed
 * block and used there (its newline replaced by the NUL); only a line that spans blocks is
 * assembled in g->buf.  (bgzf_read would copy every byte out of the block first: 5% of a
 * VCF.gz scan.)  The block stays untouched by BGZF until the next call: only this reads it. */
static int next_line(geno_t *g)
{
    BGZF *bz = hts_get_bgzfp(g->fp);
    size_t have = 0; /* bytes of a spanning line assembled in g->buf */
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
        if (rgx_reserve(&g->buf, &g->buf_cap, need > (1u << 20) ? need : (1u << 20), 1)) return -2;
        memcpy(g->buf + have, s, take);
        have += take;
        block_consume(bz, take);
        if (nl) break;
    }
    if (!line) line = g->buf, len = have && g->buf[have - 1] == '\n' ? have - 1 : have;
    line[len] = '\0'; /* over the newline (or the buffer's spare byte) */
    if (len && line[len - 1] == '\r') line[--len] = '\0';
    g->cur_line = line;
    return (int)(len < INT32_MAX ? len : INT32_MAX);
}

/* The next record of the unit, its site fields parsed. */
static int read_record(geno_t *g, rgx_err *err)
{
    for (;;) {
        int r;
        if (g->indexed && g->text) {
            if (!g->in_window) return 0;
            r = next_line(g);
            if (r < -1) return *err = rgx_fail(RGX_ERR_INPUT, "%s: read error", g->path), -1;
            if (r == -1) return g->in_window = 0, 0;
            if (!r || g->cur_line[0] == '#') continue;
            if ((*err = parse_site(g))) return -1;
            if (g->v_rid != g->cur.rid || g->v_pos > g->cur.end) return g->in_window = 0, 0;
            /* A record that starts before the window belongs to the unit where it starts. */
            if (g->v_pos < g->cur.beg) continue;
            return 1;
        }
        if (g->indexed) {
            if (!g->itr) return 0;
            r = bcf_itr_next(g->fp, g->itr, g->rec);
            if (r < 0)
                return r == -1 ? 0
                               : (*err = rgx_fail(RGX_ERR_INPUT, "%s: read error", g->path), -1);
            site_from_rec(g);
            if (g->v_pos < g->cur.beg) continue;
            return 1;
        }
        if (!g->pending) {
            if (g->text) {
                r = hts_getline(g->fp, KS_SEP_LINE, &g->line);
                if (r < -1) return *err = rgx_fail(RGX_ERR_INPUT, "%s: read error", g->path), -1;
                if (r == -1) return 0;
                g->cur_line = g->line.s;
                if (!g->line.l || g->line.s[0] == '#') continue;
                if ((*err = parse_site(g))) return -1;
            } else {
                r = bcf_read(g->fp, g->hdr, g->rec);
                if (r < -1) return *err = rgx_fail(RGX_ERR_INPUT, "%s: malformed record", g->path), -1;
                if (r == -1) return 0;
                site_from_rec(g);
            }
            g->pending = 1;
        }
        if (g->v_rid > g->cur.rid || (g->v_rid == g->cur.rid && g->v_pos > g->cur.end))
            return 0; /* after the unit: keep it for the next */
        g->pending = 0;
        g->last_rid = g->v_rid, g->last_pos = g->v_pos;
        if (g->v_rid < g->cur.rid || g->v_pos < g->cur.beg) continue; /* before: someone else's */
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

/* Haploid calls count as 0 or 2 so that dosages share one scale; any missing allele makes the
 * call missing. */
static double gt_dose(const char *p)
{
    double s = 0;
    int k = 0, miss = 0;
    for (;;) {
        if (*p == '.') {
            miss = 1, p++;
        } else if (*p >= '0' && *p <= '9') {
            long a = 0;
            while (*p >= '0' && *p <= '9') a = a * 10 + (*p++ - '0');
            s += a > 0;
        } else {
            break;
        }
        k++;
        if (*p != '/' && *p != '|') break;
        p++;
    }
    return miss || k == 0 ? NAN : (k == 1 ? 2 * s : s);
}

/* Bitmaps of the tabs and colons of s[0 .. n) (bit i % 64 of word i / 64), with both set at
 * n (the end stops every search): the sample columns are walked by finding set bits instead
 * of testing every character (16 at a time with SSE2). */
static rgx_err separator_maps(geno_t *g, const char *s, size_t n)
{
    size_t words = n / 64 + 1;
    if (g->n_words < words) {
        uint64_t *t = realloc(g->tabs, words * sizeof *t);
        if (t) g->tabs = t;
        uint64_t *c = t ? realloc(g->colons, words * sizeof *c) : NULL;
        if (c) g->colons = c;
        if (!t || !c) return rgx_fail(RGX_ERR_MEMORY, "out of memory");
        g->n_words = words;
    }
    size_t i = 0;
#ifdef __SSE2__
    const __m128i tab = _mm_set1_epi8('\t'), colon = _mm_set1_epi8(':');
    for (; i + 64 <= n; i += 64) {
        uint64_t t = 0, c = 0;
        for (int k = 0; k < 4; k++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(s + i + 16 * (size_t)k));
            t |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, tab)) << (16 * k);
            c |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, colon)) << (16 * k);
        }
        g->tabs[i / 64] = t, g->colons[i / 64] = c;
    }
#endif
    for (size_t w = i / 64; w < words; w++) g->tabs[w] = g->colons[w] = 0;
    for (; i < n; i++) {
        g->tabs[i / 64] |= (uint64_t)(s[i] == '\t') << (i % 64);
        g->colons[i / 64] |= (uint64_t)(s[i] == ':') << (i % 64);
    }
    g->tabs[n / 64] |= (uint64_t)1 << (n % 64);
    g->colons[n / 64] |= (uint64_t)1 << (n % 64);
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

/* Text: the DS or GT values of every sample column into g->ds (as float, the precision BCF
 * keeps), then the analysis samples' values into dose. */
static int text_dosages(geno_t *g, double *dose, rgx_err *err)
{
    const char *key = g->use_ds ? "DS" : "GT";
    int ki = format_index(g->fld[8], key);
    if (ki < 0) {
        *err = rgx_fail(RGX_ERR_INPUT, "%s: %s:%ld has no %s values", g->path, g->fld[0],
                        g->v_pos, key);
        return -1;
    }
    int ns = bcf_hdr_nsamples(g->hdr);
    if (g->nds < ns) {
        float *nd = realloc(g->ds, (size_t)ns * sizeof *nd);
        if (!nd) return *err = rgx_fail(RGX_ERR_MEMORY, "out of memory"), -1;
        g->ds = nd, g->nds = ns;
    }
    const char *s0 = g->samples;
    size_t len = strlen(s0), pos = 0; /* pos: the column's first character */
    if ((*err = separator_maps(g, s0, len))) return -1;
    for (int c = 0; c < ns; c++) {
        if (pos >= len) {
            *err = malformed(g, "fewer sample columns than the header");
            return -1;
        }
        size_t te = next_bit(g->tabs, pos), fo = pos; /* the column's end; the key's value */
        int k = 0;
        for (size_t cp = pos; k < ki; k++) { /* past the key's colon, if the column has it */
            cp = next_bit(g->colons, cp);
            if (cp >= te) break;
            fo = ++cp;
        }
        if (k < ki) fo = te;
        const char *f = s0 + fo;
        float v = NAN;
        if (!g->use_ds) {
            if (k == ki) v = (float)gt_dose(f); /* "./.", "." and "" are missing calls */
        } else if (k == ki && !(*f == '.' && !(f[1] >= '0' && f[1] <= '9'))) {
            /* As vcf_parse: "." (not ".5") is missing, an empty value is 0 (missing at the
             * end of the line), and the number must end the value (or start a list). */
            char *e = (char *)f;
            v = *f ? 0 : NAN;
            if (*f >= '0' && *f <= '9' && (!f[1] || f[1] == ':' || f[1] == '\t' || f[1] == ','))
                v = (float)(*f - '0'), e = (char *)f + 1; /* a lone digit (hard-call DS) */
            else if (*f && *f != ':' && *f != '\t')
                v = (float)rgx_strtod(f, &e);
            if (e == f ? *f && *f != ':' && *f != '\t'
                       : *e && *e != ':' && *e != '\t' && *e != ',') {
                char what[160];
                snprintf(what, sizeof what, "sample %s: DS '%.*s' is not a number",
                         g->hdr->samples[c], (int)strcspn(f, ":\t"), f);
                *err = malformed(g, what);
                return -1;
            }
        }
        g->ds[c] = v;
        pos = te + 1; /* the next column */
    }
    for (int i = 0; i < g->n; i++) dose[i] = (double)g->ds[g->col[i]];
    return 1;
}

int geno_next(geno_t *g, double *dose, rgx_err *err)
{
    *err = RGX_OK;
    for (;;) {
        int r = read_record(g, err);
        if (r <= 0) return r;
        if (g->v_nallele != 2) {
            g->n_multi++;
            continue;
        }
        if (!dose) return 1;
        if (g->text) return text_dosages(g, dose, err);
        if (g->use_ds) {
            int n = bcf_get_format_float(g->hdr, g->rec, "DS", &g->ds, &g->nds);
            if (n < 0) {
                *err = rgx_fail(RGX_ERR_INPUT, "%s: %s:%ld has no DS values", g->path,
                                geno_chrom(g, g->v_rid), g->v_pos);
                return -1;
            }
            int per = n / bcf_hdr_nsamples(g->hdr);
            for (int i = 0; i < g->n; i++) {
                float v = g->ds[g->col[i] * per];
                dose[i] = bcf_float_is_missing(v) || bcf_float_is_vector_end(v) ? NAN : (double)v;
            }
        } else {
            int n = bcf_get_genotypes(g->hdr, g->rec, &g->gt, &g->ngt);
            if (n < 0) {
                *err = rgx_fail(RGX_ERR_INPUT, "%s: %s:%ld has no GT values", g->path,
                                geno_chrom(g, g->v_rid), g->v_pos);
                return -1;
            }
            int per = n / bcf_hdr_nsamples(g->hdr);
            for (int i = 0; i < g->n; i++) {
                const int32_t *a = g->gt + g->col[i] * per;
                double s = 0;
                int miss = 0, k;
                for (k = 0; k < per && a[k] != bcf_int32_vector_end; k++) {
                    if (bcf_gt_is_missing(a[k]))
                        miss = 1;
                    else
                        s += bcf_gt_allele(a[k]) > 0;
                }
                /* Haploid calls count as 0 or 2 so that dosages share one scale. */
                dose[i] = miss || k == 0 ? NAN : (k == 1 ? 2 * s : s);
            }
        }
        return 1;
    }
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
