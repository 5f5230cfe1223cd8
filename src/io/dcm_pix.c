/* dcm_pix.c — see dcm_pix.h. */
#include "dcm_pix.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define TS_PREFIX "1.2.840.10008.1.2"

typedef enum {
    CODEC_NONE,
    CODEC_NATIVE,
    CODEC_RLE,
    CODEC_LJPEG,
    CODEC_JLS,
    CODEC_J2K,
    CODEC_JPEG,
} codec_t;

static codec_t codec_of(const char *ts)
{
    static const struct {
        const char *uid;
        codec_t c;
    } t[] = {
        {TS_PREFIX, CODEC_NATIVE},         {TS_PREFIX ".1", CODEC_NATIVE},
        {TS_PREFIX ".1.99", CODEC_NATIVE}, {TS_PREFIX ".2", CODEC_NATIVE},
        {TS_PREFIX ".5", CODEC_RLE},       {TS_PREFIX ".4.57", CODEC_LJPEG},
        {TS_PREFIX ".4.70", CODEC_LJPEG},  {TS_PREFIX ".4.80", CODEC_JLS},
        {TS_PREFIX ".4.81", CODEC_JLS},    {TS_PREFIX ".4.90", CODEC_J2K},
        {TS_PREFIX ".4.91", CODEC_J2K},    {TS_PREFIX ".4.201", CODEC_J2K},
        {TS_PREFIX ".4.202", CODEC_J2K},   {TS_PREFIX ".4.203", CODEC_J2K},
        {TS_PREFIX ".4.50", CODEC_JPEG},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (!strcmp(ts, t[i].uid)) return t[i].c;
    return CODEC_NONE;
}

int dcm_pix_supported(const char *syntax)
{
    return codec_of(syntax) != CODEC_NONE;
}

rgx_err dcm_pix_format(const dcm_set_t *ds, dcm_pixfmt_t *pf)
{
    const char *name = dcm_name(ds->file);
    double v[8] = {0};
    static const uint32_t tags[] = {
        DCM_TAG(0x28, 0x02),  DCM_TAG(0x28, 0x10),  DCM_TAG(0x28, 0x11), DCM_TAG(0x28, 0x100),
        DCM_TAG(0x28, 0x101), DCM_TAG(0x28, 0x102), DCM_TAG(0x28, 0x103)};
    static const char *const what[] = {"Samples per Pixel",   "Rows",        "Columns",
                                       "Bits Allocated",      "Bits Stored", "High Bit",
                                       "Pixel Representation"};
    char t[12];
    memset(pf, 0, sizeof *pf);
    for (int i = 0; i < 7; i++) {
        int r = dcm_num(ds, tags[i], &v[i]);
        if (r < 0) return RGX_ERR_INPUT;
        if (r == 0 && i != 5)
            return rgx_fail(RGX_ERR_INPUT, "%s: no %s %s", name, what[i], dcm_tagstr(tags[i], t));
    }
    if (v[0] != 1)
        return rgx_fail(RGX_ERR_INPUT, "%s: %g samples per pixel (colour image); expected 1", name,
                        v[0]);
    pf->rows = (int)v[1], pf->cols = (int)v[2], pf->bits = (int)v[3];
    pf->bits_stored = (int)v[4], pf->is_signed = v[6] == 1;
    pf->high_bit = dcm_find(ds, tags[5]) ? (int)v[5] : pf->bits_stored - 1;
    if (pf->rows < 1 || pf->cols < 1)
        return rgx_fail(RGX_ERR_INPUT, "%s: image of %d x %d pixels", name, pf->cols, pf->rows);
    if (pf->bits != 8 && pf->bits != 16 && pf->bits != 32)
        return rgx_fail(RGX_ERR_INPUT, "%s: Bits Allocated %d; expected 8, 16 or 32", name,
                        pf->bits);
    if (pf->bits_stored < 1 || pf->bits_stored > pf->bits || pf->high_bit >= pf->bits ||
        pf->high_bit + 1 < pf->bits_stored)
        return rgx_fail(RGX_ERR_INPUT, "%s: Bits Stored %d and High Bit %d do not fit %d bits",
                        name, pf->bits_stored, pf->high_bit, pf->bits);
    double nf = 1;
    if (dcm_num(ds, DCM_TAG(0x28, 0x08), &nf) < 0) return RGX_ERR_INPUT;
    if (!(nf >= 1 && nf <= 1e7))
        return rgx_fail(RGX_ERR_INPUT, "%s: Number of Frames %g", name, nf);
    pf->frames = (long)nf;
    pf->frame_bytes = (size_t)pf->rows * (size_t)pf->cols * (size_t)(pf->bits / 8);
    /* Native (not encapsulated) pixel data must hold every frame, checked before a caller
     * sizes buffers by Rows x Columns: 32,774 x 65,032 pixels over 288 bytes made the SEG
     * reader allocate 2 x 2.1 GB (fuzz_dcm, a slow unit under ASan).  Compressed frames are
     * checked as each is decoded. */
    const dcm_el_t *px = dcm_find(ds, DCM_TAG(0x7FE0, 0x10));
    if (px && !px->undefined && (size_t)px->len / pf->frame_bytes < (size_t)pf->frames)
        return rgx_fail(RGX_ERR_INPUT,
                        "%s: the pixel data holds %zu bytes, fewer than %ld frames of %d x %d "
                        "pixels of %d bits",
                        name, (size_t)px->len, pf->frames, pf->cols, pf->rows, pf->bits);
    return RGX_OK;
}

/* Keeps the stored bits and extends the sign (PS3.5 8.1.1): the sample's bits are
 * high_bit - bits_stored + 1 .. high_bit. */
static void fix_bits(const dcm_pixfmt_t *pf, void *buf)
{
    int shift = pf->high_bit + 1 - pf->bits_stored, keep = pf->bits_stored;
    size_t n = (size_t)pf->rows * (size_t)pf->cols;
    if (shift == 0 && keep == pf->bits) return;
    uint32_t mask = keep == 32 ? 0xFFFFFFFFu : ((uint32_t)1 << keep) - 1;
    uint32_t sign = (uint32_t)1 << (keep - 1);
    for (size_t i = 0; i < n; i++) {
        uint32_t u = pf->bits == 8    ? ((uint8_t *)buf)[i]
                     : pf->bits == 16 ? ((uint16_t *)buf)[i]
                                      : ((uint32_t *)buf)[i];
        u = (u >> shift) & mask;
        if (pf->is_signed && (u & sign)) u |= ~mask;
        if (pf->bits == 8)
            ((uint8_t *)buf)[i] = (uint8_t)u;
        else if (pf->bits == 16)
            ((uint16_t *)buf)[i] = (uint16_t)u;
        else
            ((uint32_t *)buf)[i] = u;
    }
}

static void swap_bytes(void *buf, size_t n, int size)
{
    uint8_t *p = buf;
    for (size_t i = 0; i < n; i++, p += size)
        for (int a = 0, b = size - 1; a < b; a++, b--) {
            uint8_t t = p[a];
            p[a] = p[b], p[b] = t;
        }
}

static int starts_frame(const dcm_frag_t *fr)
{
    const uint8_t *p = fr->p;
    return fr->len >= 4 && p[0] == 0xFF && (p[1] == 0xD8 || (p[1] == 0x4F && p[2] == 0xFF));
}

/* The fragments of a frame: [*a, *b) of the fragments after the offset table. */
static rgx_err frame_fragments(const char *name, const dcm_el_t *el, long frames, long frame,
                               size_t *a, size_t *b)
{
    const dcm_frag_t *fr = el->frag + 1;
    size_t n = el->n_frag - 1;
    if (n == 0)
        return rgx_fail(RGX_ERR_INPUT, "%s: encapsulated pixel data without fragments", name);
    if (frames == 1) {
        *a = 0, *b = n;
        return RGX_OK;
    }
    if ((size_t)frames == n) {
        *a = (size_t)frame, *b = (size_t)frame + 1;
        return RGX_OK;
    }
    /* Several fragments per frame: the basic offset table (offsets from the first fragment's
     * item tag), else the fragments that start a codestream. */
    const dcm_frag_t *bot = &el->frag[0];
    if (bot->len >= 4 * (size_t)frames) {
        uint64_t want = (uint64_t)bot->p[4 * frame] | (uint64_t)bot->p[4 * frame + 1] << 8 |
                        (uint64_t)bot->p[4 * frame + 2] << 16 |
                        (uint64_t)bot->p[4 * frame + 3] << 24;
        uint64_t at = 0;
        size_t i = 0;
        while (i < n && at < want) at += 8 + (uint64_t)fr[i++].len;
        if (at != want || i == n)
            return rgx_fail(RGX_ERR_INPUT,
                            "%s: the basic offset table's entry for frame %ld "
                            "is not at a fragment",
                            name, frame + 1);
        *a = i;
        for (*b = i + 1; *b < n && !starts_frame(&fr[*b]); ++*b) {
        }
        return RGX_OK;
    }
    long k = -1;
    for (size_t i = 0; i < n; i++) {
        if (starts_frame(&fr[i]) && ++k == frame) {
            *a = i;
            for (*b = i + 1; *b < n && !starts_frame(&fr[*b]); ++*b) {
            }
            return RGX_OK;
        }
    }
    return rgx_fail(RGX_ERR_INPUT, "%s: cannot find frame %ld of %ld among %zu fragments", name,
                    frame + 1, frames, n);
}

rgx_err dcm_pix_frame(const dcm_file_t *f, const dcm_pixfmt_t *pf, long frame, void *out)
{
    const char *name = dcm_name(f), *ts = dcm_syntax(f);
    const dcm_el_t *el = dcm_find(dcm_root(f), DCM_TAG(0x7FE0, 0x10));
    if (!el || !el->val) return rgx_fail(RGX_ERR_INPUT, "%s: no pixel data (7FE0,0010)", name);
    if (frame < 0 || frame >= pf->frames)
        return rgx_fail(RGX_ERR_INPUT, "%s: no frame %ld", name, frame + 1);
    codec_t c = codec_of(ts);
    int bp = pf->bits / 8;
    rgx_err err = RGX_OK;
    if (c == CODEC_NONE)
        return rgx_fail(RGX_ERR_INPUT,
                        "%s: transfer syntax %s is not supported (radiogx reads "
                        "the uncompressed ones, RLE, JPEG lossless, JPEG-LS, JPEG 2000 and 8-bit "
                        "JPEG baseline)",
                        name, ts);
    if (c == CODEC_NATIVE) {
        size_t need = (size_t)(frame + 1) * pf->frame_bytes;
        if (el->undefined || el->len < need)
            return rgx_fail(RGX_ERR_INPUT,
                            "%s: pixel data holds %u bytes; %ld frames of %d x %d "
                            "x %d bits need %zu",
                            name, el->len, pf->frames, pf->cols, pf->rows, pf->bits,
                            (size_t)pf->frames * pf->frame_bytes);
        memcpy(out, el->val + (size_t)frame * pf->frame_bytes, pf->frame_bytes);
        if (dcm_big_endian(f) && bp > 1) swap_bytes(out, pf->frame_bytes / (size_t)bp, bp);
        fix_bits(pf, out);
        return RGX_OK;
    }
    if (!el->frag)
        return rgx_fail(RGX_ERR_INPUT,
                        "%s: transfer syntax %s but the pixel data is not "
                        "encapsulated",
                        name, ts);
    size_t a = 0, b = 0;
    if ((err = frame_fragments(name, el, pf->frames, frame, &a, &b))) return err;
    const dcm_frag_t *fr = el->frag + 1 + a;
    if (c == CODEC_RLE) {
        err = dcm_rle_decode(name, fr, b - a, pf->cols, pf->rows, bp, out);
    } else {
        /* One buffer for a codestream split over fragments. */
        uint8_t *joined = NULL;
        const uint8_t *p = fr[0].p;
        size_t len = fr[0].len;
        if (b - a > 1) {
            len = 0;
            for (size_t i = 0; i < b - a; i++) len += fr[i].len;
            if ((err = rgx_calloc(&joined, len ? len : 1, 1))) return err;
            for (size_t i = 0, at = 0; i < b - a; at += fr[i].len, i++)
                memcpy(joined + at, fr[i].p, fr[i].len);
            p = joined;
        }
        if (c == CODEC_LJPEG)
            err = dcm_ljpeg_decode(name, p, len, pf->cols, pf->rows, bp, out);
        else if (c == CODEC_JLS)
            err = dcm_jls_decode(name, p, len, pf->cols, pf->rows, bp, out);
        else if (c == CODEC_J2K)
            err = dcm_j2k_decode(name, p, len, pf->cols, pf->rows, bp, out);
        else
            err = dcm_jpeg_decode(name, p, len, pf->cols, pf->rows, bp, out);
        free(joined);
    }
    if (!err) fix_bits(pf, out);
    return err;
}

/* RLE lossless (PS3.5 annex G): a 64-byte header of 16 little-endian 32-bit numbers (the
 * segment count, then each segment's offset); segment s holds byte s of every sample, most
 * significant byte first, as PackBits runs. */
rgx_err dcm_rle_decode(const char *name, const dcm_frag_t *fr, size_t n_frag, int w, int h,
                       int bytes_per, void *out)
{
    if (n_frag != 1 || fr->len < 64)
        return rgx_fail(RGX_ERR_INPUT, "%s: RLE frame is not one fragment with a header", name);
    const uint8_t *p = fr->p;
    uint32_t hdr[16];
    for (int i = 0; i < 16; i++)
        hdr[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
                 (uint32_t)p[4 * i + 3] << 24;
    if (hdr[0] != (uint32_t)bytes_per)
        return rgx_fail(RGX_ERR_INPUT, "%s: RLE frame has %u segments; expected %d", name, hdr[0],
                        bytes_per);
    size_t n = (size_t)w * (size_t)h;
    uint8_t *o = out;
    for (int s = 0; s < bytes_per; s++) {
        uint32_t start = hdr[1 + s], end = s + 1 < bytes_per ? hdr[2 + s] : fr->len;
        if (start < 64 || end > fr->len || start > end)
            return rgx_fail(RGX_ERR_INPUT, "%s: RLE segment %d offsets are out of the frame", name,
                            s + 1);
        /* Segment s is byte (bytes_per - 1 - s) of a little-endian sample. */
        size_t got = 0, at = start;
        int byte = bytes_per - 1 - s;
        while (got < n && at < end) {
            int8_t hd = (int8_t)p[at++];
            if (hd >= 0) {
                size_t k = (size_t)hd + 1;
                if (k > end - at || k > n - got) break;
                for (size_t i = 0; i < k; i++)
                    o[(got + i) * (size_t)bytes_per + (size_t)byte] = p[at + i];
                at += k, got += k;
            } else if (hd != -128) {
                size_t k = (size_t)(1 - hd);
                if (at >= end || k > n - got) break;
                for (size_t i = 0; i < k; i++)
                    o[(got + i) * (size_t)bytes_per + (size_t)byte] = p[at];
                at++, got += k;
            }
        }
        if (got != n)
            return rgx_fail(RGX_ERR_INPUT, "%s: RLE segment %d decodes to %zu of %zu samples", name,
                            s + 1, got, n);
    }
    return RGX_OK;
}
