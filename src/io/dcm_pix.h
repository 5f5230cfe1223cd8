/* dcm_pix.h — the pixels of a DICOM image: the pixel format from the Image Pixel module and
 * one frame decoded into integers of the stored width (8, 16 or 32 bits, in native byte
 * order, signed when Pixel Representation is 1, bits above Bits Stored removed and the sign
 * extended from the high bit).
 *
 * Transfer syntaxes: the uncompressed ones (dcm.h); RLE lossless (decoded here); JPEG
 * lossless, process 14 (1.2.840.10008.1.2.4.57 and .70; decoded by dcm_ljpeg.c); JPEG-LS
 * (.4.80, .4.81: CharLS); JPEG 2000 and High-Throughput JPEG 2000 (.4.90, .4.91, .4.201 to
 * .4.203: OpenJPEG); JPEG baseline 8-bit (.4.50: libjpeg).  Anything else is an error that
 * names the transfer syntax. */
#ifndef RGX_DCM_PIX_H
#define RGX_DCM_PIX_H

#include <stddef.h>
#include <stdint.h>

#include "dcm.h"

typedef struct {
    int rows, cols;
    long frames; /* Number of Frames (1 when absent) */
    int bits;    /* Bits Allocated: 8, 16 or 32 */
    int bits_stored, high_bit;
    int is_signed;      /* Pixel Representation 1 */
    size_t frame_bytes; /* rows * cols * bits / 8 */
} dcm_pixfmt_t;

/* Reads and checks the pixel format of a data set (one sample per pixel, Bits Allocated 8,
 * 16 or 32, Bits Stored and High Bit consistent).  RGX_ERR_INPUT naming the file and tag. */
rgx_err dcm_pix_format(const dcm_set_t *ds, dcm_pixfmt_t *pf);

/* Frame number `frame` (0-based) of f, decoded into out (pf->frame_bytes bytes).  f must have
 * been opened without DCM_HEADER. */
rgx_err dcm_pix_frame(const dcm_file_t *f, const dcm_pixfmt_t *pf, long frame, void *out);

/* 1 when radiogx decodes this transfer syntax. */
int dcm_pix_supported(const char *syntax);

/* Decoders of one compressed frame into w x h samples of bytes_per (1, 2 or 4) bytes
 * (dcm_codec.c, dcm_ljpeg.c): return RGX_ERR_INPUT with a message naming `name`. */
rgx_err dcm_rle_decode(const char *name, const dcm_frag_t *fr, size_t n_frag, int w, int h,
                       int bytes_per, void *out);
rgx_err dcm_ljpeg_decode(const char *name, const uint8_t *p, size_t len, int w, int h,
                         int bytes_per, void *out);
rgx_err dcm_jls_decode(const char *name, const uint8_t *p, size_t len, int w, int h, int bytes_per,
                       void *out);
rgx_err dcm_j2k_decode(const char *name, const uint8_t *p, size_t len, int w, int h, int bytes_per,
                       void *out);
rgx_err dcm_jpeg_decode(const char *name, const uint8_t *p, size_t len, int w, int h, int bytes_per,
                        void *out);

/* Stores the decoded sample v as the i-th of out's samples of bytes_per bytes (1, 2 or 4). */
static inline void dcm_pix_put(void *out, int bytes_per, size_t i, uint32_t v)
{
    if (bytes_per == 1)
        ((uint8_t *)out)[i] = (uint8_t)v;
    else if (bytes_per == 2)
        ((uint16_t *)out)[i] = (uint16_t)v;
    else
        ((uint32_t *)out)[i] = v;
}

#endif
