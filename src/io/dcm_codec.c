/* dcm_codec.c — compressed frames through Debian's decoders: JPEG-LS (CharLS), JPEG 2000 and
 * High-Throughput JPEG 2000 (OpenJPEG), 8-bit JPEG baseline (libjpeg-turbo).  Each checks
 * that the codestream holds one component of the size the DICOM header says, and writes
 * samples of the stored width (dcm_pix.c then keeps Bits Stored and extends the sign). */
#include <stdio.h> /* before jpeglib.h, which uses FILE */

#include <charls/charls.h>
#include <jpeglib.h>
#include <openjpeg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dcm_pix.h"
#include "util.h"

static rgx_err wrong_size(const char *name, const char *codec, long cw, long ch, long comps, int w,
                          int h)
{
    return rgx_fail(RGX_ERR_INPUT,
                    "%s: %s frame is %ld x %ld with %ld component%s; the header "
                    "says %d x %d with 1",
                    name, codec, cw, ch, comps, comps == 1 ? "" : "s", w, h);
}

/* ---- JPEG-LS ---- */

rgx_err dcm_jls_decode(const char *name, const uint8_t *p, size_t len, int w, int h, int bytes_per,
                       void *out)
{
    charls_jpegls_decoder *d = charls_jpegls_decoder_create();
    if (!d) return rgx_fail(RGX_ERR_MEMORY, "out of memory");
    charls_frame_info fi = {0};
    uint8_t *tmp = NULL;
    rgx_err err = RGX_OK;
    charls_jpegls_errc ec = charls_jpegls_decoder_set_source_buffer(d, p, len);
    if (!ec) ec = charls_jpegls_decoder_read_header(d);
    if (!ec) ec = charls_jpegls_decoder_get_frame_info(d, &fi);
    if (ec) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: JPEG-LS: %s", name, charls_get_error_message(ec));
        goto out;
    }
    if ((int)fi.width != w || (int)fi.height != h || fi.component_count != 1) {
        err = wrong_size(name, "JPEG-LS", fi.width, fi.height, fi.component_count, w, h);
        goto out;
    }
    int sb = fi.bits_per_sample <= 8 ? 1 : 2; /* CharLS's sample width */
    if (fi.bits_per_sample > 8 * bytes_per) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: JPEG-LS samples of %d bits in %d-bit pixels", name,
                       fi.bits_per_sample, 8 * bytes_per);
        goto out;
    }
    size_t n = (size_t)w * (size_t)h;
    if ((err = rgx_calloc(&tmp, n, (size_t)sb))) goto out;
    ec = charls_jpegls_decoder_decode_to_buffer(d, tmp, n * (size_t)sb, 0);
    if (ec) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: JPEG-LS: %s", name, charls_get_error_message(ec));
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        dcm_pix_put(out, bytes_per, i, sb == 1 ? tmp[i] : ((uint16_t *)tmp)[i]);
out:
    free(tmp);
    charls_jpegls_decoder_destroy(d);
    return err;
}

/* ---- JPEG 2000 ---- */

typedef struct {
    const uint8_t *p;
    size_t len, pos;
} memstream_t;

static OPJ_SIZE_T ms_read(void *buf, OPJ_SIZE_T n, void *user)
{
    memstream_t *m = user;
    if (m->pos >= m->len) return (OPJ_SIZE_T)-1;
    if (n > m->len - m->pos) n = m->len - m->pos;
    memcpy(buf, m->p + m->pos, n);
    m->pos += n;
    return n;
}

static OPJ_OFF_T ms_skip(OPJ_OFF_T n, void *user)
{
    memstream_t *m = user;
    if (n < 0) {
        if ((size_t)-n > m->pos) n = -(OPJ_OFF_T)m->pos;
    } else if ((size_t)n > m->len - m->pos) {
        n = (OPJ_OFF_T)(m->len - m->pos);
    }
    m->pos = (size_t)((OPJ_OFF_T)m->pos + n);
    return n;
}

static OPJ_BOOL ms_seek(OPJ_OFF_T n, void *user)
{
    memstream_t *m = user;
    if (n < 0 || (size_t)n > m->len) return OPJ_FALSE;
    m->pos = (size_t)n;
    return OPJ_TRUE;
}

/* OpenJPEG's messages: the last error is kept for ours; warnings and information dropped. */
static void opj_error(const char *msg, void *user)
{
    snprintf(user, 160, "%s", msg);
    char *nl = strchr(user, '\n');
    if (nl) *nl = 0;
}

static void opj_quiet(const char *msg, void *user)
{
    (void)msg, (void)user;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The codestream's own image size (its SIZ marker, which follows SOC in a bare codestream and
 * in a JP2 file's codestream box) against the frame's, before OpenJPEG reads the header: one
 * claiming 255 x 16,781,318 pixels in a frame of 48 made it allocate 2.3 GB (fuzz_dcm). */
static rgx_err j2k_size_check(const char *name, const uint8_t *p, size_t len, int w, int h)
{
    static const uint8_t soc_siz[4] = {0xFF, 0x4F, 0xFF, 0x51};
    const uint8_t *q = len >= 4 ? memmem(p, len, soc_siz, 4) : NULL;
    if (!q || (size_t)(p + len - q) < 4 + 38)
        return rgx_fail(RGX_ERR_INPUT, "%s: JPEG 2000: no image size (SIZ) in the frame", name);
    const uint8_t *z = q + 4 + 4; /* after the marker's length and capabilities */
    uint32_t x1 = be32(z), y1 = be32(z + 4), x0 = be32(z + 8), y0 = be32(z + 12);
    long comps = z[32] << 8 | z[33];
    if (x1 <= x0 || y1 <= y0 || x1 - x0 != (uint32_t)w || y1 - y0 != (uint32_t)h || comps != 1)
        return wrong_size(name, "JPEG 2000", x1 > x0 ? (long)(x1 - x0) : 0,
                          y1 > y0 ? (long)(y1 - y0) : 0, comps, w, h);
    return RGX_OK;
}

rgx_err dcm_j2k_decode(const char *name, const uint8_t *p, size_t len, int w, int h, int bytes_per,
                       void *out)
{
    /* A bare codestream starts with SOC (FF 4F); anything else is read as a JP2 file. */
    int j2k = len >= 2 && p[0] == 0xFF && p[1] == 0x4F;
    opj_codec_t *c = opj_create_decompress(j2k ? OPJ_CODEC_J2K : OPJ_CODEC_JP2);
    opj_stream_t *s = opj_stream_create(1 << 16, OPJ_TRUE);
    opj_image_t *img = NULL;
    memstream_t m = {p, len, 0};
    char msg[160] = "damaged codestream";
    rgx_err err = RGX_OK;
    opj_dparameters_t par;
    if (!c || !s) {
        err = rgx_fail(RGX_ERR_MEMORY, "out of memory");
        goto out;
    }
    if ((err = j2k_size_check(name, p, len, w, h))) goto out;
    opj_set_error_handler(c, opj_error, msg);
    opj_set_warning_handler(c, opj_quiet, NULL);
    opj_set_info_handler(c, opj_quiet, NULL);
    opj_set_default_decoder_parameters(&par);
    opj_stream_set_user_data(s, &m, NULL);
    opj_stream_set_user_data_length(s, len);
    opj_stream_set_read_function(s, ms_read);
    opj_stream_set_skip_function(s, ms_skip);
    opj_stream_set_seek_function(s, ms_seek);
    if (!opj_setup_decoder(c, &par) || !opj_read_header(s, c, &img) || !opj_decode(c, s, img) ||
        !opj_end_decompress(c, s)) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: JPEG 2000: %s", name, msg);
        goto out;
    }
    const opj_image_comp_t *k = &img->comps[0];
    if (img->numcomps != 1 || (int)k->w != w || (int)k->h != h || !k->data) {
        err = wrong_size(name, "JPEG 2000", (long)k->w, (long)k->h, (long)img->numcomps, w, h);
        goto out;
    }
    if ((int)k->prec > 8 * bytes_per) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: JPEG 2000 samples of %u bits in %d-bit pixels", name,
                       k->prec, 8 * bytes_per);
        goto out;
    }
    size_t n = (size_t)w * (size_t)h;
    for (size_t i = 0; i < n; i++) dcm_pix_put(out, bytes_per, i, (uint32_t)k->data[i]);
out:
    if (img) opj_image_destroy(img);
    if (s) opj_stream_destroy(s);
    if (c) opj_destroy_codec(c);
    return err;
}

/* ---- JPEG baseline (8 bits) ---- */

typedef struct {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX];
} jerr_t;

static void jpeg_fail(j_common_ptr cinfo)
{
    jerr_t *e = (jerr_t *)cinfo->err;
    e->mgr.format_message(cinfo, e->msg);
    longjmp(e->jump, 1);
}

static void jpeg_quiet(j_common_ptr cinfo, int level)
{
    (void)cinfo, (void)level;
}

rgx_err dcm_jpeg_decode(const char *name, const uint8_t *p, size_t len, int w, int h, int bytes_per,
                        void *out)
{
    struct jpeg_decompress_struct ci;
    jerr_t je;
    uint8_t *row = NULL;
    ci.err = jpeg_std_error(&je.mgr);
    je.mgr.error_exit = jpeg_fail, je.mgr.emit_message = jpeg_quiet;
    strcpy(je.msg, "out of memory");
    if (setjmp(je.jump)) {
        jpeg_destroy_decompress(&ci);
        free(row);
        return rgx_fail(RGX_ERR_INPUT, "%s: JPEG: %s", name, je.msg);
    }
    jpeg_create_decompress(&ci);
    jpeg_mem_src(&ci, p, (unsigned long)len);
    jpeg_read_header(&ci, TRUE);
    if ((int)ci.image_width != w || (int)ci.image_height != h || ci.num_components != 1) {
        long cw = (long)ci.image_width, chh = (long)ci.image_height, nc = ci.num_components;
        jpeg_destroy_decompress(&ci);
        return wrong_size(name, "JPEG", cw, chh, nc, w, h);
    }
    ci.out_color_space = JCS_GRAYSCALE;
    jpeg_start_decompress(&ci);
    if (!(row = malloc((size_t)w))) longjmp(je.jump, 1);
    while (ci.output_scanline < ci.output_height) {
        size_t y = ci.output_scanline;
        JSAMPROW r = row;
        jpeg_read_scanlines(&ci, &r, 1);
        for (int x = 0; x < w; x++)
            dcm_pix_put(out, bytes_per, y * (size_t)w + (size_t)x, row[x]);
    }
    jpeg_finish_decompress(&ci);
    jpeg_destroy_decompress(&ci);
    free(row);
    return RGX_OK;
}
