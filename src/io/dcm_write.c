/* dcm_write.c — see dcm_write.h. */
#include "dcm_write.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static void put(dcmw_t *w, const void *p, size_t n)
{
    if (w->err) return;
    if ((w->err = rgx_reserve(&w->p, &w->cap, w->n + n, 1))) return;
    memcpy(w->p + w->n, p, n);
    w->n += n;
}

static void put16(dcmw_t *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(w, b, 2);
}

static void put32(dcmw_t *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(w, b, 4);
}

static int long_vr(const char *vr)
{
    return !strcmp(vr, "OB") || !strcmp(vr, "OW") || !strcmp(vr, "SQ") || !strcmp(vr, "UN") ||
           !strcmp(vr, "UT") || !strcmp(vr, "OF") || !strcmp(vr, "UC") || !strcmp(vr, "UR");
}

/* The element head: tag, VR, length. */
static void head(dcmw_t *w, uint32_t tag, const char *vr, uint32_t len)
{
    put16(w, (uint16_t)(tag >> 16)), put16(w, (uint16_t)tag);
    put(w, vr, 2);
    if (long_vr(vr))
        put16(w, 0), put32(w, len);
    else if (len > 0xFFFF)
        w->err = w->err ? w->err : rgx_fail(RGX_ERR_INTERNAL, "DICOM value too long");
    else
        put16(w, (uint16_t)len);
}

void dcmw_bytes(dcmw_t *w, uint32_t tag, const char *vr, const void *p, size_t n)
{
    uint8_t zero = 0;
    head(w, tag, vr, (uint32_t)(n + n % 2));
    put(w, p, n);
    if (n % 2) put(w, &zero, 1);
}

void dcmw_str(dcmw_t *w, uint32_t tag, const char *vr, const char *s)
{
    size_t n = strlen(s);
    char pad = !strcmp(vr, "UI") ? '\0' : ' ';
    head(w, tag, vr, (uint32_t)(n + n % 2));
    put(w, s, n);
    if (n % 2) put(w, &pad, 1);
}

void dcmw_us(dcmw_t *w, uint32_t tag, uint16_t v)
{
    head(w, tag, "US", 2);
    put16(w, v);
}

void dcmw_ds(dcmw_t *w, uint32_t tag, const double *v, size_t n)
{
    strbuf_t sb = {0};
    for (size_t i = 0; i < n && !w->err; i++) {
        char b[32];
        /* The most digits that fit the 16 characters a DS value may have. */
        for (int prec = 15; prec > 0; prec--) {
            snprintf(b, sizeof b, "%.*g", prec, v[i]);
            if (strlen(b) <= 16) break;
        }
        if ((w->err = sb_printf(&sb, "%s%s", i ? "\\" : "", b))) break;
    }
    if (!w->err) dcmw_str(w, tag, "DS", sb.s ? sb.s : "");
    free(sb.s);
}

void dcmw_is(dcmw_t *w, uint32_t tag, long v)
{
    char b[24];
    snprintf(b, sizeof b, "%ld", v);
    dcmw_str(w, tag, "IS", b);
}

void dcmw_seq_begin(dcmw_t *w, uint32_t tag)
{
    head(w, tag, "SQ", 0xFFFFFFFFu);
}

static void delim(dcmw_t *w, uint16_t elem, uint32_t len)
{
    put16(w, 0xFFFE), put16(w, elem), put32(w, len);
}

void dcmw_item_begin(dcmw_t *w)
{
    delim(w, 0xE000, 0xFFFFFFFFu);
}

void dcmw_item_end(dcmw_t *w)
{
    delim(w, 0xE00D, 0);
}

void dcmw_seq_end(dcmw_t *w)
{
    delim(w, 0xE0DD, 0);
}

void dcmw_free(dcmw_t *w)
{
    free(w->p);
    memset(w, 0, sizeof *w);
}

rgx_err dcmw_save(dcmw_t *w, const char *path, const char *sop_class, const char *sop_instance)
{
    dcmw_t m = {0};
    static const uint8_t version[2] = {0, 1};
    /* The meta group: its length first, then version, SOP class and instance, syntax. */
    dcmw_bytes(&m, 0x00020001, "OB", version, 2);
    dcmw_str(&m, 0x00020002, "UI", sop_class);
    dcmw_str(&m, 0x00020003, "UI", sop_instance);
    dcmw_str(&m, 0x00020010, "UI", "1.2.840.10008.1.2.1");
    dcmw_str(&m, 0x00020012, "UI", "2.25.175640419213148394731022837217457106931"); /* radiogx */
    dcmw_str(&m, 0x00020013, "SH", "RADIOGX");
    rgx_err err = w->err ? w->err : m.err;
    if (!err) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);
        FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
        uint8_t pre[132] = {0}, gl[12] = {2, 0, 0, 0, 'U', 'L', 4, 0};
        memcpy(pre + 128, "DICM", 4);
        uint32_t len = (uint32_t)m.n;
        for (int i = 0; i < 4; i++) gl[8 + i] = (uint8_t)(len >> (8 * i));
        int ok = f && fwrite(pre, 1, 132, f) == 132 && fwrite(gl, 1, 12, f) == 12 &&
                 fwrite(m.p, 1, m.n, f) == m.n && fwrite(w->p, 1, w->n, f) == w->n;
        if (f && fclose(f) != 0) ok = 0;
        if (!f && fd >= 0) close(fd);
        if (!ok) err = rgx_fail(RGX_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    }
    dcmw_free(&m);
    dcmw_free(w);
    return err;
}

void dcmw_uid(uint64_t n, char out[64])
{
    snprintf(out, 64, "2.25.%" PRIu64, n);
}
