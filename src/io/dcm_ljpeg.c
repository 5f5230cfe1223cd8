/* dcm_ljpeg.c — lossless JPEG, ITU T.81 process 14 (DICOM 1.2.840.10008.1.2.4.57 and .70,
 * the most common compression of CT archives).  Debian's libjpeg-turbo 2.1 does not decode it
 * (lossless arrived in 3.0), so it is decoded here: one component, 2 to 16 bits, predictors
 * 1 to 7, point transform, restart intervals, Huffman tables as the stream defines them.
 *
 * A sample is its prediction plus a difference (T.81 H.1.2): the difference's category SSSS
 * (Huffman coded), then SSSS bits; SSSS 16 means 32768 and no bits.  Arithmetic is modulo
 * 2^16.  Every read is bounded by the buffer; a damaged stream is an error, never a read
 * past it (tests/fuzz/). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dcm_pix.h"
#include "util.h"

typedef struct {
    int present;
    int32_t maxcode[18], valptr[17], mincode[17];
    uint8_t val[256];
} huff_t;

typedef struct {
    const uint8_t *p;
    size_t len, pos;
    uint32_t acc; /* bits, most significant first */
    int n;        /* bits in acc */
    int marker;   /* a marker was met in the entropy-coded data */
} bits_t;

static int get_bit(bits_t *b)
{
    if (b->n == 0) {
        uint8_t byte = 0;
        if (!b->marker && b->pos < b->len) {
            byte = b->p[b->pos];
            if (byte == 0xFF) {
                if (b->pos + 1 < b->len && b->p[b->pos + 1] == 0x00)
                    b->pos += 2;
                else
                    b->marker = 1, byte = 0; /* a marker: zeros from here */
            } else {
                b->pos++;
            }
        }
        b->acc = byte, b->n = 8;
    }
    b->n--;
    return (int)(b->acc >> b->n) & 1;
}

static int get_bits(bits_t *b, int n)
{
    int v = 0;
    while (n--) v = v << 1 | get_bit(b);
    return v;
}

/* T.81 F.2.2.3: codes of length l run from mincode[l] to maxcode[l]. */
static int decode_huff(bits_t *b, const huff_t *h)
{
    int32_t code = get_bit(b);
    for (int l = 1; l <= 16; l++) {
        if (code <= h->maxcode[l]) {
            int32_t k = h->valptr[l] + code - h->mincode[l];
            return k >= 0 && k < 256 ? h->val[k] : -1;
        }
        code = code << 1 | get_bit(b);
    }
    return -1;
}

/* A DHT segment's tables. */
static int read_dht(const uint8_t *s, size_t len, huff_t *tab)
{
    size_t at = 0;
    while (at < len) {
        if (len - at < 17) return 0;
        int id = s[at] & 0x0F;
        if (id > 3 || (s[at] >> 4) != 0) return 0; /* DC tables only: lossless has no AC */
        huff_t *h = &tab[id];
        int count = 0, bits[17];
        for (int l = 1; l <= 16; l++) count += bits[l] = s[at + (size_t)l];
        at += 17;
        if (count > 256 || len - at < (size_t)count) return 0;
        memcpy(h->val, s + at, (size_t)count);
        at += (size_t)count;
        int32_t code = 0, k = 0;
        for (int l = 1; l <= 16; l++) {
            h->valptr[l] = k, h->mincode[l] = code;
            code += bits[l], k += bits[l];
            h->maxcode[l] = bits[l] ? code - 1 : -1;
            if (code > (1 << l)) return 0; /* more codes than the length allows */
            code <<= 1;
        }
        h->maxcode[17] = 0x7FFFFFFF;
        h->present = 1;
    }
    return 1;
}

typedef struct {
    int precision, width, height, pred, pt, table, restart;
} frame_t;

static rgx_err bad(const char *name, const char *what)
{
    return rgx_fail(RGX_ERR_INPUT, "%s: lossless JPEG: %s", name, what);
}

/* The marker segments up to the scan: *scan is where its entropy-coded data starts. */
static rgx_err read_headers(const char *name, const uint8_t *p, size_t len, frame_t *f,
                            huff_t tab[4], size_t *scan)
{
    size_t at = 2;
    int have_sof = 0;
    if (len < 4 || p[0] != 0xFF || p[1] != 0xD8) return bad(name, "no start of image");
    memset(f, 0, sizeof *f);
    for (;;) {
        while (at < len && p[at] == 0xFF && at + 1 < len && p[at + 1] == 0xFF) at++; /* fill */
        if (len - at < 4 || p[at] != 0xFF) return bad(name, "marker segments cut short");
        int m = p[at + 1];
        size_t seg = (size_t)p[at + 2] << 8 | p[at + 3];
        if (seg < 2 || len - at - 2 < seg) return bad(name, "a marker segment runs past the data");
        const uint8_t *s = p + at + 4;
        size_t sl = seg - 2;
        at += 2 + seg;
        if (m == 0xC3) {
            if (sl < 9 || s[5] != 1) return bad(name, "the frame is not one component");
            f->precision = s[0], f->height = s[1] << 8 | s[2], f->width = s[3] << 8 | s[4];
            have_sof = 1;
        } else if ((m >= 0xC0 && m <= 0xCF) && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            return bad(name, "not a lossless (process 14) frame");
        } else if (m == 0xC4) {
            if (!read_dht(s, sl, tab)) return bad(name, "bad Huffman table");
        } else if (m == 0xDD) {
            if (sl < 2) return bad(name, "bad restart interval");
            f->restart = s[0] << 8 | s[1];
        } else if (m == 0xDA) {
            if (!have_sof) return bad(name, "a scan before its frame header");
            if (sl < 6 || s[0] != 1) return bad(name, "the scan is not one component");
            f->table = s[2] >> 4, f->pred = s[3], f->pt = s[5] & 0x0F;
            if (f->pred < 1 || f->pred > 7) return bad(name, "predictor out of 1..7");
            if (!tab[f->table & 3].present) return bad(name, "the scan's Huffman table is missing");
            *scan = at;
            return RGX_OK;
        }
    }
}

static int32_t predict(int pred, int32_t a, int32_t b, int32_t c)
{
    switch (pred) {
    case 1:
        return a;
    case 2:
        return b;
    case 3:
        return c;
    case 4:
        return a + b - c;
    case 5:
        return a + ((b - c) >> 1);
    case 6:
        return b + ((a - c) >> 1);
    default:
        return (a + b) >> 1;
    }
}

/* Past a restart marker: the bit reader starts afresh at the byte after it. */
static void restart(bits_t *b)
{
    b->n = 0;
    size_t at = b->pos;
    while (at + 1 < b->len && !(b->p[at] == 0xFF && b->p[at + 1] >= 0xD0 && b->p[at + 1] <= 0xD7))
        at++;
    b->pos = at + 1 < b->len ? at + 2 : b->len;
    b->marker = 0;
}

rgx_err dcm_ljpeg_decode(const char *name, const uint8_t *p, size_t len, int w, int h,
                         int bytes_per, void *out)
{
    huff_t tab[4];
    frame_t f;
    size_t scan = 0;
    memset(tab, 0, sizeof tab);
    rgx_err err = read_headers(name, p, len, &f, tab, &scan);
    if (err) return err;
    if (f.width != w || f.height != h)
        return rgx_fail(RGX_ERR_INPUT,
                        "%s: lossless JPEG frame is %d x %d; the header says %d x "
                        "%d",
                        name, f.width, f.height, w, h);
    if (f.precision < 2 || f.precision > 16 || f.precision > 8 * bytes_per || f.pt >= f.precision)
        return bad(name, "sample precision does not fit the pixel format");
    const huff_t *ht = &tab[f.table & 3];
    bits_t b = {p + scan, len - scan, 0, 0, 0, 0};
    int32_t *prev = NULL, *cur = NULL; /* the row above and this row */
    if ((err = rgx_calloc(&prev, (size_t)w, sizeof *prev)) ||
        (err = rgx_calloc(&cur, (size_t)w, sizeof *cur))) {
        free(prev);
        return err;
    }
    long left = f.restart; /* samples to the next restart marker */
    int first_row = 1;     /* of the image or of a restart interval */
    for (int y = 0; y < h && !err; y++) {
        for (int x = 0; x < w; x++) {
            if (f.restart && left == 0) restart(&b), left = f.restart, first_row = 1;
            int32_t px;
            if (first_row && x == 0)
                px = 1 << (f.precision - f.pt - 1);
            else if (first_row)
                px = cur[x - 1];
            else if (x == 0)
                px = prev[0];
            else
                px = predict(f.pred, cur[x - 1], prev[x], prev[x - 1]);
            int ssss = decode_huff(&b, ht);
            if (ssss < 0 || ssss > 16) {
                err = bad(name, "bad Huffman code");
                break;
            }
            int32_t diff = 0;
            if (ssss == 16) {
                diff = 32768;
            } else if (ssss) {
                diff = get_bits(&b, ssss);
                if (diff < (1 << (ssss - 1))) diff -= (1 << ssss) - 1;
            }
            cur[x] = (px + diff) & 0xFFFF;
            if (f.restart) left--;
            dcm_pix_put(out, bytes_per, (size_t)y * (size_t)w + (size_t)x,
                        (uint32_t)cur[x] << f.pt);
        }
        /* Only a row that started a restart interval (at its first sample) is a first row. */
        first_row = 0;
        int32_t *t = prev;
        prev = cur, cur = t;
    }
    free(prev), free(cur);
    return err;
}
