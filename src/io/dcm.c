/* dcm.c — see dcm.h.  Layout of PS3.5 section 7: an element is a tag (group, element: two
 * 16-bit numbers), in explicit VR a two-letter VR, then a 16-bit length (or two reserved
 * bytes and a 32-bit length for the VRs in long_vr), in implicit VR a 32-bit length; then the
 * value.  Items and delimiters (group FFFE) never carry a VR. */
#include "dcm.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "util.h"

/* Encodings of a data set. */
enum { ENC_EXPLICIT = 1, ENC_BIG = 2 };

enum {
    TAG_ITEM = 0xFFFEE000u,
    TAG_ITEM_END = 0xFFFEE00Du,
    TAG_SEQ_END = 0xFFFEE0DDu,
    TAG_PIXELS = 0x7FE00010u,
};

/* Blocks the file owns (element arrays, items, fragments, an inflated data set). */
typedef struct blk {
    struct blk *next;
    max_align_t data[];
} blk_t;

struct dcm_file {
    char *name;
    const uint8_t *map; /* the whole file (mapped or given) */
    size_t map_len;
    int mapped;
    dcm_set_t meta, root;
    const uint8_t *ds; /* the data set: into map, or the inflated copy */
    size_t ds_len;
    int enc, flags;
    char syntax[68];
    blk_t *blocks;
};

static void *arena(dcm_file_t *f, size_t bytes)
{
    blk_t *b = malloc(sizeof *b + (bytes ? bytes : 1));
    if (!b) return NULL;
    b->next = f->blocks, f->blocks = b;
    return b->data;
}

const char *dcm_tagstr(uint32_t tag, char buf[12])
{
    snprintf(buf, 12, "(%04X,%04X)", (unsigned)(tag >> 16), (unsigned)(tag & 0xFFFF));
    return buf;
}

/* ---- the VRs of the tags radiogx reads, for implicit VR files ---- */

typedef struct {
    uint32_t tag;
    char vr[3];
} vr_entry_t;

static const vr_entry_t vr_table[] = {
    /* ascending; private ones under their creator */
    {0x00080008, "CS"}, {0x00080016, "UI"}, {0x00080018, "UI"}, {0x00080020, "DA"},
    {0x00080021, "DA"}, {0x00080022, "DA"}, {0x0008002A, "DT"}, {0x00080030, "TM"},
    {0x00080031, "TM"}, {0x00080032, "TM"}, {0x00080060, "CS"}, {0x00080070, "LO"},
    {0x00081115, "SQ"}, {0x00081140, "SQ"}, {0x00081150, "UI"}, {0x00081155, "UI"},
    {0x00089124, "SQ"}, {0x00090010, "LO"}, {0x0009100D, "DT"}, {0x0009103B, "DT"},
    {0x00100020, "LO"}, {0x00101030, "DS"}, {0x00180031, "LO"}, {0x00180050, "DS"},
    {0x00180088, "DS"}, {0x00181072, "TM"}, {0x00181074, "DS"}, {0x00181075, "DS"},
    {0x00181078, "DT"}, {0x00181242, "IS"}, {0x0020000D, "UI"}, {0x0020000E, "UI"},
    {0x00200011, "IS"}, {0x00200013, "IS"}, {0x00200032, "DS"}, {0x00200037, "DS"},
    {0x00200052, "UI"}, {0x00209056, "SH"}, {0x00209057, "UL"}, {0x00209111, "SQ"},
    {0x00209113, "SQ"}, {0x00209116, "SQ"}, {0x00209157, "UL"}, {0x00280002, "US"},
    {0x00280004, "CS"}, {0x00280008, "IS"}, {0x00280010, "US"}, {0x00280011, "US"},
    {0x00280030, "DS"}, {0x00280100, "US"}, {0x00280101, "US"}, {0x00280102, "US"},
    {0x00280103, "US"}, {0x00281052, "DS"}, {0x00281053, "DS"}, {0x00281054, "LO"},
    {0x00289110, "SQ"}, {0x00289145, "SQ"}, {0x00540016, "SQ"}, {0x00541000, "CS"},
    {0x00541001, "CS"}, {0x00541102, "CS"}, {0x00541300, "DS"}, {0x00541321, "DS"},
    {0x00620001, "CS"}, {0x00620002, "SQ"}, {0x00620004, "US"}, {0x00620005, "LO"},
    {0x0062000A, "SQ"}, {0x0062000B, "US"}, {0x0062000E, "US"}, {0x00620010, "CS"},
    {0x30040002, "CS"}, {0x30040004, "CS"}, {0x3004000A, "CS"}, {0x3004000C, "DS"},
    {0x3004000E, "DS"}, {0x30060010, "SQ"}, {0x30060016, "SQ"}, {0x30060020, "SQ"},
    {0x30060022, "IS"}, {0x30060024, "UI"}, {0x30060026, "LO"}, {0x30060039, "SQ"},
    {0x30060040, "SQ"}, {0x30060042, "CS"}, {0x30060046, "IS"}, {0x30060050, "DS"},
    {0x30060084, "IS"}, {0x52009229, "SQ"}, {0x52009230, "SQ"}, {0x70530010, "LO"},
    {0x70531000, "DS"}, {0x70531009, "DS"}, {0x7FE00010, "OW"},
};

static const char *implicit_vr(uint32_t tag)
{
    size_t lo = 0, hi = sizeof vr_table / sizeof *vr_table;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (vr_table[mid].tag < tag)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < sizeof vr_table / sizeof *vr_table && vr_table[lo].tag == tag) return vr_table[lo].vr;
    /* Group lengths are UL; anything else is unknown. */
    return (tag & 0xFFFF) == 0 ? "UL" : "UN";
}

/* ---- reading elements ---- */

static uint16_t rd16(const uint8_t *p, int big)
{
    return big ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t rd32(const uint8_t *p, int big)
{
    return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
               : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* VRs whose explicit form has two reserved bytes and a 32-bit length (PS3.5 7.1.2). */
static int long_vr(const char *vr)
{
    static const char *const v[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                    "SV", "UC", "UN", "UR", "UT", "UV"};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        if (vr[0] == v[i][0] && vr[1] == v[i][1]) return 1;
    return 0;
}

/* Where a parse is: the bytes of one level, its encoding and depth. */
typedef struct {
    dcm_file_t *f;
    const uint8_t *base; /* offsets in messages count from here */
    size_t end;
    int enc, depth;
} cur_t;

static rgx_err bad(const cur_t *c, size_t at, const char *what, uint32_t tag)
{
    char t[12];
    return rgx_fail(RGX_ERR_INPUT, "%s: not a valid DICOM file: %s %s (offset %zu)", c->f->name,
                    what, dcm_tagstr(tag, t), at);
}

/* Reads the element head at *pos: tag, VR, length; *pos moves to its value. */
static rgx_err head(const cur_t *c, size_t *pos, uint32_t *tag, char vr[3], uint32_t *len)
{
    size_t p = *pos;
    int big = (c->enc & ENC_BIG) != 0;
    if (c->end - p < 8) return bad(c, p, "element header cut short", 0);
    const uint8_t *b = c->base + p;
    *tag = (uint32_t)rd16(b, big) << 16 | rd16(b + 2, big);
    if ((*tag >> 16) == 0xFFFE || !(c->enc & ENC_EXPLICIT)) {
        memcpy(vr, (*tag >> 16) == 0xFFFE ? "--" : implicit_vr(*tag), 3);
        *len = rd32(b + 4, big);
        *pos = p + 8;
        return RGX_OK;
    }
    vr[0] = (char)b[4], vr[1] = (char)b[5], vr[2] = 0;
    if (vr[0] < 'A' || vr[0] > 'Z' || vr[1] < 'A' || vr[1] > 'Z')
        return bad(c, p, "no VR for element", *tag);
    if (long_vr(vr)) {
        if (c->end - p < 12) return bad(c, p, "element header cut short", *tag);
        *len = rd32(b + 8, big);
        *pos = p + 12;
    } else {
        *len = rd16(b + 6, big);
        *pos = p + 8;
    }
    return RGX_OK;
}

static rgx_err parse_level(const cur_t *c, size_t pos, int item_mode, dcm_set_t *out, size_t *next);

/* An undefined-length sequence's items from pos: *next is past its delimiter, *len the bytes
 * of its items.  Items are walked (not kept) to find the end. */
static rgx_err skip_items(const cur_t *c, size_t pos, uint32_t *len, size_t *next)
{
    size_t start = pos;
    for (;;) {
        uint32_t tag, ilen;
        char vr[3];
        size_t at = pos;
        cur_t ic = *c;
        ic.depth++;
        rgx_err err = head(&ic, &pos, &tag, vr, &ilen);
        if (err) return err;
        if (tag == TAG_SEQ_END) {
            *len = (uint32_t)(at - start);
            *next = pos;
            return RGX_OK;
        }
        if (tag != TAG_ITEM) return bad(c, at, "expected an item, found", tag);
        if (ilen == DCM_UNDEFINED) {
            if (ic.depth > DCM_MAX_DEPTH) return bad(c, at, "sequences nested too deep at", tag);
            if ((err = parse_level(&ic, pos, 1, NULL, &pos))) return err;
        } else {
            if (ilen > c->end - pos) return bad(c, at, "item runs past its sequence:", tag);
            pos += ilen;
        }
        if (pos - start > UINT32_MAX) return bad(c, at, "sequence too long at", tag);
    }
}

/* Encapsulated pixel data from pos: the basic offset table and the fragments, up to the
 * sequence delimiter (PS3.5 A.4). */
static rgx_err fragments(const cur_t *c, size_t pos, dcm_el_t *el, size_t *next)
{
    size_t n = 0, cap = 0, start = pos;
    dcm_frag_t *fr = NULL;
    rgx_err err = RGX_OK;
    for (;;) {
        size_t at = pos;
        if (c->end - pos < 8) {
            err = bad(c, at, "pixel data fragments cut short at", el->tag);
            break;
        }
        uint32_t tag = (uint32_t)rd16(c->base + pos, 0) << 16 | rd16(c->base + pos + 2, 0);
        uint32_t len = rd32(c->base + pos + 4, 0);
        pos += 8;
        if (tag == TAG_SEQ_END) break;
        if (tag != TAG_ITEM || len == DCM_UNDEFINED || len > c->end - pos) {
            err = bad(c, at, "bad pixel data fragment", tag);
            break;
        }
        if ((err = rgx_reserve(&fr, &cap, n + 1, sizeof *fr))) break;
        fr[n].p = c->base + pos, fr[n].len = len, n++;
        pos += len;
    }
    if (!err && n == 0)
        err = bad(c, start, "encapsulated pixel data without an offset table", el->tag);
    if (!err) {
        el->frag = arena(c->f, n * sizeof *fr);
        if (!el->frag)
            err = rgx_fail(RGX_ERR_MEMORY, "out of memory");
        else
            memcpy(el->frag, fr, n * sizeof *fr), el->n_frag = n;
    }
    el->val = c->base + start;
    el->len = (uint32_t)(pos - start < UINT32_MAX ? pos - start : UINT32_MAX);
    free(fr);
    *next = pos;
    return err;
}

static int cmp_el(const void *a, const void *b)
{
    uint32_t x = ((const dcm_el_t *)a)->tag, y = ((const dcm_el_t *)b)->tag;
    return (x > y) - (x < y);
}

/* One level of elements from pos up to c->end, or (item_mode) up to an item delimiter.
 * out NULL: only walked, to find the end (*next). */
static rgx_err parse_level(const cur_t *c, size_t pos, int item_mode, dcm_set_t *out, size_t *next)
{
    dcm_el_t *el = NULL;
    size_t n = 0, cap = 0;
    int sorted = 1, top = c->depth == 0 && !item_mode;
    rgx_err err = RGX_OK;
    while (pos < c->end) {
        size_t at = pos;
        uint32_t tag, len;
        char vr[3];
        if ((err = head(c, &pos, &tag, vr, &len))) break;
        if (tag == TAG_ITEM_END && item_mode) {
            item_mode = 2; /* found */
            break;
        }
        if ((tag >> 16) == 0xFFFE) {
            err = bad(c, at, "unexpected item or delimiter", tag);
            break;
        }
        dcm_el_t e = {.tag = tag, .len = len, .offset = at, .enc = (uint8_t)c->enc};
        memcpy(e.vr, vr, 3);
        if (!strcmp(vr, "UN")) e.enc = 0; /* a UN sequence's items are implicit VR LE */
        if (tag == TAG_PIXELS && top && (c->f->flags & DCM_HEADER)) {
            e.len = len, e.undefined = len == DCM_UNDEFINED; /* recorded, not walked */
            pos = c->end;
        } else if (len == DCM_UNDEFINED) {
            e.undefined = 1;
            if (tag == TAG_PIXELS && (c->enc & ENC_EXPLICIT)) {
                err = fragments(c, pos, &e, &pos);
            } else if (!strcmp(vr, "SQ") || !strcmp(vr, "UN")) {
                /* An undefined-length UN is a sequence in implicit VR little endian. */
                if (!strcmp(vr, "UN")) e.enc = 0, memcpy(e.vr, "SQ", 3);
                cur_t sc = *c;
                sc.enc = e.enc;
                e.val = c->base + pos;
                err = skip_items(&sc, pos, &e.len, &pos);
            } else {
                err = bad(c, at, "undefined length for a non-sequence element", tag);
            }
            if (err) break;
        } else {
            if (len > c->end - pos) {
                err = bad(c, at, "value runs past the end of its data set: element", tag);
                break;
            }
            e.val = c->base + pos;
            pos += len;
        }
        if (!out) continue;
        if ((err = rgx_reserve(&el, &cap, n + 1, sizeof *el))) break;
        if (n && el[n - 1].tag >= tag) sorted = 0;
        el[n++] = e;
    }
    if (!err && item_mode == 1) err = bad(c, pos, "item without its delimiter", TAG_ITEM_END);
    if (!err && out) {
        if (!sorted) qsort(el, n, sizeof *el, cmp_el); /* stable enough: tags repeat rarely */
        out->el = arena(c->f, n * sizeof *el);
        if (!out->el)
            err = rgx_fail(RGX_ERR_MEMORY, "out of memory");
        else if (n)
            memcpy(out->el, el, n * sizeof *el);
        out->n = n, out->file = c->f, out->depth = c->depth;
    }
    free(el);
    *next = pos;
    return err;
}

/* ---- items of a sequence, parsed on first use ---- */

rgx_err dcm_items(const dcm_set_t *s, uint32_t tag, const dcm_set_t **items, size_t *n)
{
    *items = NULL, *n = 0;
    dcm_el_t *el = (dcm_el_t *)dcm_find(s, tag);
    if (!el || !el->val) return RGX_OK;
    if (el->items_parsed) {
        *items = el->items, *n = el->n_items;
        return RGX_OK;
    }
    cur_t c = {s->file, el->val, el->len, el->enc, s->depth + 1};
    if (c.depth > DCM_MAX_DEPTH) return bad(&c, 0, "sequences nested too deep at", tag);
    dcm_set_t *it = NULL;
    size_t cnt = 0, cap = 0, pos = 0;
    rgx_err err = RGX_OK;
    while (pos < c.end && !err) {
        uint32_t t, len;
        char vr[3];
        size_t at = pos;
        if ((err = head(&c, &pos, &t, vr, &len))) break;
        if (t != TAG_ITEM) {
            err = bad(&c, at, "expected an item in the sequence, found", t);
            break;
        }
        if ((err = rgx_reserve(&it, &cap, cnt + 1, sizeof *it))) break;
        if (len == DCM_UNDEFINED) {
            err = parse_level(&c, pos, 1, &it[cnt], &pos);
        } else if (len > c.end - pos) {
            err = bad(&c, at, "item runs past its sequence:", tag);
        } else {
            cur_t ic = {s->file, el->val + pos, len, el->enc, c.depth};
            size_t done;
            err = parse_level(&ic, 0, 0, &it[cnt], &done);
            pos += len;
        }
        if (!err) cnt++;
    }
    if (!err) {
        el->items = arena(s->file, cnt * sizeof *it);
        if (!el->items)
            err = rgx_fail(RGX_ERR_MEMORY, "out of memory");
        else {
            if (cnt) memcpy(el->items, it, cnt * sizeof *it);
            el->n_items = cnt, el->items_parsed = 1;
        }
    }
    free(it);
    if (!err) *items = el->items, *n = el->n_items;
    return err;
}

const dcm_set_t *dcm_item(const dcm_set_t *s, uint32_t tag)
{
    const dcm_set_t *it;
    size_t n;
    if (dcm_items(s, tag, &it, &n) || n == 0) return NULL;
    return it;
}

const dcm_el_t *dcm_find(const dcm_set_t *s, uint32_t tag)
{
    size_t lo = 0, hi = s ? s->n : 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->el[mid].tag < tag)
            lo = mid + 1;
        else
            hi = mid;
    }
    return s && lo < s->n && s->el[lo].tag == tag ? &s->el[lo] : NULL;
}

/* ---- values ---- */

int dcm_str(const dcm_set_t *s, uint32_t tag, char *buf, size_t n)
{
    const dcm_el_t *el = dcm_find(s, tag);
    if (n) buf[0] = 0;
    if (!el || !el->val || el->undefined || n == 0) return 0;
    size_t len = el->len;
    const char *p = (const char *)el->val;
    while (len && (p[len - 1] == ' ' || p[len - 1] == 0)) len--;
    while (len && *p == ' ') p++, len--;
    if (len >= n) len = n - 1;
    memcpy(buf, p, len);
    buf[len] = 0;
    for (size_t i = 0; i < len; i++) /* a NUL inside would end the string early: shown */
        if (!buf[i]) buf[i] = '?';
    return len > 0;
}

static int bin_size(const char *vr)
{
    if (!strcmp(vr, "US") || !strcmp(vr, "SS")) return 2;
    if (!strcmp(vr, "UL") || !strcmp(vr, "SL") || !strcmp(vr, "FL")) return 4;
    if (!strcmp(vr, "FD")) return 8;
    return 0;
}

static double bin_value(const uint8_t *p, const char *vr, int big)
{
    uint32_t u;
    if (!strcmp(vr, "US")) return rd16(p, big);
    if (!strcmp(vr, "SS")) return (int16_t)rd16(p, big);
    if (!strcmp(vr, "UL")) return rd32(p, big);
    if (!strcmp(vr, "SL")) return (int32_t)rd32(p, big);
    if (!strcmp(vr, "FL")) {
        float f;
        u = rd32(p, big);
        memcpy(&f, &u, 4);
        return f;
    }
    uint64_t w = big ? (uint64_t)rd32(p, 1) << 32 | rd32(p + 4, 1)
                     : (uint64_t)rd32(p + 4, 0) << 32 | rd32(p, 0);
    double d;
    memcpy(&d, &w, 8);
    return d;
}

rgx_err dcm_nums(const dcm_set_t *s, uint32_t tag, double *v, size_t max, size_t *n)
{
    *n = 0;
    const dcm_el_t *el = dcm_find(s, tag);
    if (!el || !el->val || el->undefined || el->len == 0) return RGX_OK;
    char t[12];
    const char *vr = el->vr;
    /* An implicit file's element is UN unless the table knows it; an explicit file may also
     * say UN for a tag it did not know: both read as the table says. */
    if (!strcmp(vr, "UN")) vr = implicit_vr(tag);
    int size = bin_size(vr), big = (el->enc & ENC_BIG) != 0;
    if (size) {
        size_t cnt = el->len / (size_t)size;
        for (size_t i = 0; i < cnt && i < max; i++)
            v[i] = bin_value(el->val + i * (size_t)size, vr, big);
        *n = cnt;
        return RGX_OK;
    }
    if (strcmp(vr, "DS") && strcmp(vr, "IS"))
        return rgx_fail(RGX_ERR_INPUT, "%s: element %s has VR %s, expected a number", s->file->name,
                        dcm_tagstr(tag, t), el->vr);
    const char *p = (const char *)el->val, *end = p + el->len;
    size_t cnt = 0;
    while (p <= end) {
        const char *q = memchr(p, '\\', (size_t)(end - p));
        if (!q) q = end;
        char tok[72];
        size_t len = (size_t)(q - p);
        while (len && (*p == ' ' || *p == 0)) p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == 0)) len--;
        if (len >= sizeof tok) len = sizeof tok - 1; /* DS is at most 16 characters */
        memcpy(tok, p, len);
        tok[len] = 0;
        char *e;
        double x = len ? strtod(tok, &e) : NAN;
        if (len && (*e || !isfinite(x)))
            return rgx_fail(RGX_ERR_INPUT, "%s: element %s value %zu is '%s', not a number",
                            s->file->name, dcm_tagstr(tag, t), cnt + 1, tok);
        if (cnt < max) v[cnt] = x;
        cnt++;
        p = q + 1;
    }
    *n = cnt;
    return RGX_OK;
}

int dcm_num(const dcm_set_t *s, uint32_t tag, double *v)
{
    double x;
    size_t n;
    if (dcm_nums(s, tag, &x, 1, &n)) return -1;
    if (n == 0 || isnan(x)) return 0;
    *v = x;
    return 1;
}

/* ---- files ---- */

static rgx_err inflate_ds(dcm_file_t *f, const uint8_t *z, size_t zlen)
{
    /* A deflated data set (PS3.5 A.5) is raw deflate; its size is capped so that a small
     * hostile file cannot ask for unbounded memory (deflate expands at most 1032 times). */
    size_t cap = 0, n = 0, limit = zlen * 1100 + 4096;
    uint8_t *out = NULL;
    z_stream s = {0};
    if (inflateInit2(&s, -15) != Z_OK) return rgx_fail(RGX_ERR_MEMORY, "out of memory");
    s.next_in = (Bytef *)(uintptr_t)z, s.avail_in = (uInt)(zlen < UINT32_MAX ? zlen : UINT32_MAX);
    rgx_err err = RGX_OK;
    int rc = Z_OK;
    while (rc != Z_STREAM_END && !err) {
        if (n == cap && (err = rgx_reserve(&out, &cap, cap ? cap * 2 : zlen * 4 + 1024, 1))) break;
        s.next_out = out + n, s.avail_out = (uInt)(cap - n < UINT32_MAX ? cap - n : UINT32_MAX);
        rc = inflate(&s, Z_NO_FLUSH);
        n = (size_t)(s.next_out - out);
        if (rc != Z_OK && rc != Z_STREAM_END)
            err = rgx_fail(RGX_ERR_INPUT,
                           "%s: not a valid DICOM file: the deflated data set "
                           "is corrupt",
                           f->name);
        else if (n > limit)
            err = rgx_fail(RGX_ERR_INPUT, "%s: the deflated data set inflates past %zu bytes",
                           f->name, limit);
    }
    inflateEnd(&s);
    if (!err) {
        uint8_t *keep = arena(f, n);
        if (!keep)
            err = rgx_fail(RGX_ERR_MEMORY, "out of memory");
        else {
            if (n) memcpy(keep, out, n);
            f->ds = keep, f->ds_len = n;
        }
    }
    free(out);
    return err;
}

static rgx_err parse_file(dcm_file_t *f)
{
    const uint8_t *b = f->map;
    size_t len = f->map_len, pos = 0;
    int part10 = len >= 132 && !memcmp(b + 128, "DICM", 4);
    rgx_err err;
    if (part10) pos = 132;
    /* The file meta group: explicit VR little endian, group 0002. */
    cur_t c = {f, b, len, ENC_EXPLICIT, 0};
    size_t meta_start = pos;
    while (len - pos >= 8 && b[pos] == 2 && b[pos + 1] == 0) {
        uint32_t tag, l;
        char vr[3];
        if ((err = head(&c, &pos, &tag, vr, &l))) return err;
        if (l == DCM_UNDEFINED || l > len - pos) return bad(&c, pos, "bad meta element", tag);
        pos += l;
    }
    if (!part10 && pos == meta_start) {
        /* No preamble and no meta group: a bare data set, implicit VR little endian unless
         * its first element reads as explicit.  Only plausible starts are accepted. */
        if (len < 8 || b[1] != 0 || b[0] < 8 || b[0] > 0x28 || b[0] % 2)
            return rgx_fail(RGX_ERR_INPUT, "%s: not a DICOM file (no DICM preamble)", f->name);
        int explicit_vr = b[4] >= 'A' && b[4] <= 'Z' && b[5] >= 'A' && b[5] <= 'Z';
        f->enc = explicit_vr ? ENC_EXPLICIT : 0;
        strcpy(f->syntax, explicit_vr ? "1.2.840.10008.1.2.1" : "1.2.840.10008.1.2");
    } else {
        cur_t mc = {f, b + meta_start, pos - meta_start, ENC_EXPLICIT, 0};
        size_t done;
        if ((err = parse_level(&mc, 0, 0, &f->meta, &done))) return err;
        if (!dcm_str(&f->meta, DCM_TAG(2, 0x10), f->syntax, sizeof f->syntax))
            return rgx_fail(RGX_ERR_INPUT,
                            "%s: no transfer syntax (0002,0010) in the file meta "
                            "group",
                            f->name);
        if (!strcmp(f->syntax, "1.2.840.10008.1.2"))
            f->enc = 0;
        else if (!strcmp(f->syntax, "1.2.840.10008.1.2.2"))
            f->enc = ENC_EXPLICIT | ENC_BIG;
        else
            f->enc = ENC_EXPLICIT; /* explicit LE, deflated, and every encapsulated one */
    }
    f->ds = b + pos, f->ds_len = len - pos;
    if (!strcmp(f->syntax, "1.2.840.10008.1.2.1.99") && (err = inflate_ds(f, b + pos, len - pos)))
        return err;
    cur_t dc = {f, f->ds, f->ds_len, f->enc, 0};
    size_t done;
    return parse_level(&dc, 0, 0, &f->root, &done);
}

rgx_err dcm_open_mem(const void *buf, size_t len, const char *name, int flags, dcm_file_t **out)
{
    dcm_file_t *f;
    *out = NULL;
    rgx_err err = rgx_calloc(&f, 1, sizeof *f);
    if (err) return err;
    f->map = buf, f->map_len = len, f->flags = flags;
    if ((err = rgx_strdup(&f->name, name)) || (err = parse_file(f))) {
        dcm_close(f);
        return err;
    }
    *out = f;
    return RGX_OK;
}

rgx_err dcm_open(const char *path, int flags, dcm_file_t **out)
{
    *out = NULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return rgx_fail(RGX_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return rgx_fail(RGX_ERR_INPUT, "%s: not a regular file", path);
    }
    size_t len = (size_t)st.st_size;
    void *m = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (m == MAP_FAILED)
        return rgx_fail(RGX_ERR_INPUT, "%s: cannot map: %s", path, strerror(errno));
    static const uint8_t empty[1];
    rgx_err err = dcm_open_mem(m ? m : empty, len, path, flags, out);
    if (err) {
        if (m) munmap(m, len);
        return err;
    }
    (*out)->mapped = m != NULL;
    return RGX_OK;
}

void dcm_close(dcm_file_t *f)
{
    if (!f) return;
    for (blk_t *b = f->blocks, *next; b; b = next) next = b->next, free(b);
    if (f->mapped) munmap((void *)(uintptr_t)f->map, f->map_len);
    free(f->name);
    free(f);
}

int dcm_is_part10(const char *path)
{
    unsigned char b[132];
    FILE *fp = fopen(path, "rb");
    if (!fp) return 0;
    int yes = fread(b, 1, 132, fp) == 132 && !memcmp(b + 128, "DICM", 4);
    fclose(fp);
    return yes;
}

const dcm_set_t *dcm_root(const dcm_file_t *f)
{
    return &f->root;
}

const char *dcm_name(const dcm_file_t *f)
{
    return f->name;
}

const char *dcm_syntax(const dcm_file_t *f)
{
    return f->syntax;
}

int dcm_big_endian(const dcm_file_t *f)
{
    return (f->enc & ENC_BIG) != 0;
}
