/* dicom_seg.c — DICOM Segmentation objects (PS3.3 C.8.20) as masks on an image's grid.
 *
 * A SEG is a multi-frame image whose frames each hold one segment on one plane: the segment
 * in the frame's Segment Identification Sequence (0062,000A), the plane in its Plane
 * Position (0020,9113) (orientation and pixel spacing per frame or shared).  BINARY frames
 * are 1 bit per pixel, packed across frames (PS3.5 8.1.1: no padding between frames, the
 * least significant bit first); FRACTIONAL frames are 8 bits, a voxel being in the segment
 * when its value is at least half of Maximum Fractional Value (0062,000E).
 *
 * Every frame must lie on a slice of the grid with the grid's rows and columns (its pixels
 * fall on voxel centres, to 0.01 voxel): a SEG drawn on another grid is an error, not
 * resampled.  "seg.dcm:NAME" takes the segment whose Segment Label is NAME (ignoring case) as
 * label 1; "seg.dcm" alone every segment, each as its Segment Number (where segments overlap
 * the higher number holds the voxel). */
#include <math.h>
#include <nifti1.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dicom.h"
#include "util.h"

/* One frame's place on the grid and its segment's label there (0: not wanted). */
typedef struct {
    int k, di, dj; /* the slice, and the grid voxel of the frame's pixel (0, 0) */
    int label;
} frame_at_t;

static const dcm_set_t *fg(const dcm_set_t *frame, const dcm_set_t *shared, uint32_t seq)
{
    const dcm_set_t *it = frame ? dcm_item(frame, seq) : NULL;
    return it ? it : shared ? dcm_item(shared, seq) : NULL;
}

/* Where frame f lies on the grid: a grid voxel (integer to 0.01) for the pixels (0, 0),
 * (0, 1) and (1, 0) one column and one row apart. */
static rgx_err place_frame(const char *file, long f, const dcm_set_t *frame,
                           const dcm_set_t *shared, double inv[3][4], const image_t *grid,
                           frame_at_t *at)
{
    const dcm_set_t *pp = fg(frame, shared, DCM_TAG(0x20, 0x9113));
    const dcm_set_t *po = fg(frame, shared, DCM_TAG(0x20, 0x9116));
    const dcm_set_t *pm = fg(frame, shared, DCM_TAG(0x28, 0x9110));
    double ipp[3], iop[6], ps[2];
    size_t n1 = 0, n2 = 0, n3 = 0;
    rgx_err err = RGX_OK;
    if (pp) err = dcm_nums(pp, DCM_TAG(0x20, 0x32), ipp, 3, &n1);
    if (!err && po) err = dcm_nums(po, DCM_TAG(0x20, 0x37), iop, 6, &n2);
    if (!err && pm) err = dcm_nums(pm, DCM_TAG(0x28, 0x30), ps, 2, &n3);
    if (err) return err;
    if (n1 != 3 || n2 != 6 || n3 != 2)
        return rgx_fail(RGX_ERR_INPUT,
                        "%s: frame %ld has no plane position, orientation or "
                        "pixel spacing in its functional groups",
                        file, f + 1);
    double v[3][3]; /* grid coordinates of pixel (0,0), one column on, one row on */
    for (int q = 0; q < 3; q++) {
        double p[3];
        for (int a = 0; a < 3; a++)
            p[a] = ipp[a] + (q == 1 ? iop[a] * ps[1] : 0) + (q == 2 ? iop[3 + a] * ps[0] : 0);
        for (int a = 0; a < 3; a++)
            v[q][a] = inv[a][0] * p[0] + inv[a][1] * p[1] + inv[a][2] * p[2] + inv[a][3];
    }
    /* A column step must be one voxel along i, a row step one along j. */
    double want[2][3] = {{1, 0, 0}, {0, 1, 0}};
    int off = 0;
    for (int q = 1; q < 3; q++)
        for (int a = 0; a < 3; a++) off |= fabs(v[q][a] - v[0][a] - want[q - 1][a]) > 0.01;
    for (int a = 0; a < 3; a++) off |= fabs(v[0][a] - nearbyint(v[0][a])) > 0.01;
    if (off)
        return rgx_fail(RGX_ERR_INPUT,
                        "%s: frame %ld is not on the image's grid (its pixels do "
                        "not fall on voxel centres of the image's slices); a SEG must be drawn "
                        "on the image it segments",
                        file, f + 1);
    at->di = (int)nearbyint(v[0][0]), at->dj = (int)nearbyint(v[0][1]);
    at->k = (int)nearbyint(v[0][2]);
    if (at->k < 0 || at->k >= grid->dim[2])
        return rgx_fail(RGX_ERR_INPUT, "%s: frame %ld lies outside the image's slices", file,
                        f + 1);
    return RGX_OK;
}

/* The label each segment number gets: want NULL: its number; else 1 for the segment
 * labelled want, 0 for the others.  *max_label the largest. */
static rgx_err segment_labels(const dcm_set_t *ds, const char *file, const char *want,
                              int *label_of, int n_max, int *max_label)
{
    const dcm_set_t *seg;
    size_t n;
    rgx_err err = dcm_items(ds, DCM_TAG(0x62, 0x02), &seg, &n);
    if (err) return err;
    strbuf_t names = {0};
    int found = 0;
    *max_label = 0;
    for (size_t i = 0; i < n && !err; i++) {
        double num;
        char label[256];
        if (dcm_num(&seg[i], DCM_TAG(0x62, 0x04), &num) <= 0 || num < 1 || num >= n_max) continue;
        dcm_str(&seg[i], DCM_TAG(0x62, 0x05), label, sizeof label);
        err = sb_printf(&names, "%s'%s'", names.len ? ", " : "", label);
        int l = want ? !strcasecmp(label, want) : (int)num;
        found += want && l;
        label_of[(int)num] = l;
        if (l > *max_label) *max_label = l;
    }
    if (!err && want && found > 1)
        err = rgx_fail(RGX_ERR_INPUT, "%s: %d segments are labelled '%s'", file, found, want);
    else if (!err && want && !found)
        err = rgx_fail(RGX_ERR_INPUT, "%s: no segment labelled '%s'; the segments are %s", file,
                       want, names.s ? names.s : "none");
    if (!err && !want && *max_label == 0) err = rgx_fail(RGX_ERR_INPUT, "%s: no segment", file);
    free(names.s);
    return err;
}

typedef struct {
    const dcm_file_t *f;
    int rows, cols, fractional;
    double threshold;    /* fractional: the least value in the segment */
    const uint8_t *bits; /* binary, native: the packed pixel data */
    size_t n_bits;
    dcm_pixfmt_t pf; /* fractional: 8-bit frames */
    uint8_t *buf;    /* a decoded frame (fractional) */
} seg_pixels_t;

/* Frame f's pixels, 1 where in the segment, into in (rows x cols). */
static rgx_err frame_pixels(seg_pixels_t *sp, long f, uint8_t *in)
{
    size_t n = (size_t)sp->rows * (size_t)sp->cols;
    if (!sp->fractional) {
        size_t first = (size_t)f * n;
        if (first + n > sp->n_bits)
            return rgx_fail(RGX_ERR_INPUT, "%s: the pixel data ends before frame %ld",
                            dcm_name(sp->f), f + 1);
        for (size_t i = 0; i < n; i++)
            in[i] = (sp->bits[(first + i) >> 3] >> ((first + i) & 7)) & 1;
        return RGX_OK;
    }
    rgx_err err = dcm_pix_frame(sp->f, &sp->pf, f, sp->buf);
    for (size_t i = 0; !err && i < n; i++) in[i] = sp->buf[i] >= sp->threshold;
    return err;
}

static rgx_err seg_pixels_init(const dcm_file_t *f, seg_pixels_t *sp, long *frames)
{
    const dcm_set_t *ds = dcm_root(f);
    const char *file = dcm_name(f);
    char type[32] = "";
    double rows = 0, cols = 0, bits = 0, nf = 1, maxf = 0;
    memset(sp, 0, sizeof *sp);
    sp->f = f;
    dcm_str(ds, DCM_TAG(0x62, 0x01), type, sizeof type);
    if (dcm_num(ds, DCM_TAG(0x28, 0x10), &rows) <= 0 ||
        dcm_num(ds, DCM_TAG(0x28, 0x11), &cols) <= 0 ||
        dcm_num(ds, DCM_TAG(0x28, 0x100), &bits) <= 0 ||
        dcm_num(ds, DCM_TAG(0x28, 0x08), &nf) < 0 ||
        !(rows >= 1 && cols >= 1 && nf >= 1 && nf <= 1e7))
        return rgx_fail(RGX_ERR_INPUT,
                        "%s: a SEG without Rows, Columns, Bits Allocated or "
                        "Number of Frames",
                        file);
    sp->rows = (int)rows, sp->cols = (int)cols, *frames = (long)nf;
    sp->fractional = !strcmp(type, "FRACTIONAL");
    if (!sp->fractional && strcmp(type, "BINARY"))
        return rgx_fail(RGX_ERR_INPUT,
                        "%s: Segmentation Type (0062,0001) '%s'; expected BINARY "
                        "or FRACTIONAL",
                        file, type);
    if (sp->fractional) {
        if (bits != 8 || dcm_num(ds, DCM_TAG(0x62, 0x0E), &maxf) <= 0 || !(maxf >= 1))
            return rgx_fail(RGX_ERR_INPUT,
                            "%s: a FRACTIONAL SEG needs 8-bit pixels and a "
                            "Maximum Fractional Value (0062,000E)",
                            file);
        sp->threshold = maxf / 2.0;
        rgx_err err = dcm_pix_format(ds, &sp->pf);
        if (!err) err = rgx_calloc(&sp->buf, sp->pf.frame_bytes, 1);
        return err;
    }
    const dcm_el_t *px = dcm_find(ds, DCM_TAG(0x7FE0, 0x10));
    if (bits != 1 || !px || !px->val || px->undefined)
        return rgx_fail(RGX_ERR_INPUT, "%s: a BINARY SEG needs 1-bit, uncompressed pixel data",
                        file);
    sp->bits = px->val, sp->n_bits = (size_t)px->len * 8;
    /* Every frame's bits must be there before anything is sized by Rows x Columns (as
     * dcm_pix_format checks for the 8-bit frames of a FRACTIONAL SEG). */
    if (sp->n_bits / (size_t)sp->rows / (size_t)sp->cols < (size_t)*frames)
        return rgx_fail(RGX_ERR_INPUT,
                        "%s: the pixel data holds %zu bits, fewer than %ld frames of %d x %d",
                        file, sp->n_bits, *frames, sp->rows, sp->cols);
    return RGX_OK;
}

/* The frames' places and labels, and the box of the voxels in a wanted segment. */
static rgx_err seg_frames(const dcm_file_t *f, seg_pixels_t *sp, long nf, const int *label_of,
                          const image_t *grid, frame_at_t *at, int lo[3], int hi[3])
{
    const dcm_set_t *ds = dcm_root(f), *per = NULL, *shared = dcm_item(ds, DCM_TAG(0x5200, 0x9229));
    const char *file = dcm_name(f);
    size_t n_per = 0;
    double inv[3][4];
    uint8_t *in = NULL;
    rgx_err err = dcm_items(ds, DCM_TAG(0x5200, 0x9230), &per, &n_per);
    if (!err && n_per != (size_t)nf)
        err = rgx_fail(RGX_ERR_INPUT, "%s: %zu per-frame functional groups for %ld frames", file,
                       n_per, nf);
    if (!err) err = dicom_lps_to_voxel(grid, inv);
    if (!err) err = rgx_calloc(&in, (size_t)sp->rows * (size_t)sp->cols, 1);
    for (int a = 0; a < 3; a++) lo[a] = grid->dim[a], hi[a] = -1;
    for (long k = 0; k < nf && !err; k++) {
        const dcm_set_t *si = dcm_item(&per[k], DCM_TAG(0x62, 0x0A));
        double num = 0;
        if (!si || dcm_num(si, DCM_TAG(0x62, 0x0B), &num) <= 0 || num < 1 || num > 65535) {
            err =
                rgx_fail(RGX_ERR_INPUT, "%s: frame %ld names no segment (0062,000B)", file, k + 1);
            break;
        }
        at[k].label = label_of[(int)num];
        if (!at[k].label) continue;
        if ((err = place_frame(file, k, &per[k], shared, inv, grid, &at[k]))) break;
        if ((err = frame_pixels(sp, k, in))) break;
        for (int r = 0; r < sp->rows; r++)
            for (int c = 0; c < sp->cols; c++) {
                int i = at[k].di + c, j = at[k].dj + r, v[3] = {i, j, at[k].k};
                if (!in[(size_t)r * (size_t)sp->cols + (size_t)c] || i < 0 || j < 0 ||
                    i >= grid->dim[0] || j >= grid->dim[1])
                    continue;
                for (int a = 0; a < 3; a++) {
                    if (v[a] < lo[a]) lo[a] = v[a];
                    if (v[a] > hi[a]) hi[a] = v[a];
                }
            }
    }
    free(in);
    return err;
}

rgx_err dicom_seg_mask(const dcm_file_t *f, const char *want, const image_t *grid, image_t *img)
{
    seg_pixels_t sp;
    long nf = 0;
    int *label_of = NULL, max_label = 0, lo[3], hi[3];
    frame_at_t *at = NULL;
    uint8_t *in = NULL;
    memset(img, 0, sizeof *img);
    rgx_err err = seg_pixels_init(f, &sp, &nf);
    if (!err) err = rgx_calloc(&label_of, 65536, sizeof *label_of);
    if (!err) err = segment_labels(dcm_root(f), dcm_name(f), want, label_of, 65536, &max_label);
    if (!err) err = rgx_calloc(&at, (size_t)nf, sizeof *at);
    if (!err) err = seg_frames(f, &sp, nf, label_of, grid, at, lo, hi);
    if (err) goto out;
    memcpy(img->dim, grid->dim, sizeof img->dim);
    memcpy(img->spacing, grid->spacing, sizeof img->spacing);
    memcpy(img->affine, grid->affine, sizeof img->affine);
    img->affine_source = grid->affine_source;
    int wide = max_label > 255;
    size_t nb = wide ? 2 : 1, keep = 1;
    img->datatype = wide ? DT_UINT16 : DT_UINT8, img->slope = 1, img->has_number = 1;
    img->windowed = 1, img->outside = 0;
    for (int a = 0; a < 3; a++) {
        img->win_lo[a] = hi[a] >= lo[a] ? lo[a] : 0;
        img->win_n[a] = hi[a] >= lo[a] ? hi[a] - lo[a] + 1 : 0;
        keep *= (size_t)img->win_n[a];
    }
    if ((err = rgx_big_alloc(&img->vox, keep ? keep * nb : 1))) goto out;
    memset(img->vox, 0, keep ? keep * nb : 1);
    if ((err = rgx_calloc(&in, (size_t)sp.rows * (size_t)sp.cols, 1))) goto out;
    const int *wl = img->win_lo, *wn = img->win_n;
    for (long k = 0; k < nf && keep && !err; k++) {
        if (!at[k].label || (err = frame_pixels(&sp, k, in))) continue;
        for (int r = 0; r < sp.rows; r++)
            for (int c = 0; c < sp.cols; c++) {
                int i = at[k].di + c - wl[0], j = at[k].dj + r - wl[1], z = at[k].k - wl[2];
                if (!in[(size_t)r * (size_t)sp.cols + (size_t)c] || i < 0 || j < 0 || z < 0 ||
                    i >= wn[0] || j >= wn[1] || z >= wn[2])
                    continue;
                size_t v = (size_t)i + (size_t)wn[0] * ((size_t)j + (size_t)wn[1] * (size_t)z);
                if (wide) {
                    uint16_t *p = (uint16_t *)img->vox + v;
                    if (*p < at[k].label) *p = (uint16_t)at[k].label;
                } else {
                    uint8_t *p = (uint8_t *)img->vox + v;
                    if (*p < at[k].label) *p = (uint8_t)at[k].label;
                }
            }
    }
out:
    if (err) image_free(img);
    free(label_of), free(at), free(in), free(sp.buf);
    return err;
}
