/* image.c — the image sources behind image.h (NIfTI here, through nifticlib's header reader:
 * nifti2_io reads both NIfTI-1 and NIfTI-2; DICOM in dicom.c), and what every image shares:
 * values, boxes, geometry checks, writing NIfTI. */
#include "image.h"

#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <stdio.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <nifti2_io.h>

#include "dicom.h"
#include "outfile.h"
#include "util.h"

static rgx_err check_readable(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return rgx_fail(RGX_ERR_INPUT, "%s: no such file", path);
    if (!S_ISREG(st.st_mode)) return rgx_fail(RGX_ERR_INPUT, "%s: not a regular file", path);
    FILE *f = fopen(path, "rb");
    if (!f) return rgx_fail(RGX_ERR_INPUT, "%s: cannot open for reading", path);
    fclose(f);
    return RGX_OK;
}

/* The header's dim[0..7] and pixdim[1..3] as the file holds them (nifticlib's image has
 * pixdim repaired); 0 when the header cannot be read this way. */
static int raw_header(const char *path, int64_t dim[8], double pixdim[3])
{
    int nver = 0;
    void *h = nifti_read_header(path, &nver, 0);
    if (!h) return 0;
    int ok = 1;
    if (nver == 1) {
        nifti_1_header *x = h;
        if (x->sizeof_hdr != 348) nifti_swap_2bytes(8, x->dim), nifti_swap_4bytes(8, x->pixdim);
        for (int d = 0; d < 8; d++) dim[d] = x->dim[d];
        for (int d = 0; d < 3; d++) pixdim[d] = x->pixdim[d + 1];
    } else if (nver == 2) {
        nifti_2_header *x = h;
        if (x->sizeof_hdr != 540) nifti_swap_8bytes(8, x->dim), nifti_swap_8bytes(8, x->pixdim);
        for (int d = 0; d < 8; d++) dim[d] = x->dim[d];
        for (int d = 0; d < 3; d++) pixdim[d] = x->pixdim[d + 1];
    } else {
        ok = 0;
    }
    free(h);
    return ok;
}

static rgx_err fill_geometry(const char *path, const nifti_image *nim, image_t *img)
{
    memset(img, 0, sizeof *img);
    if (nim->ndim < 2 || nim->nx < 1 || nim->ny < 1)
        return rgx_fail(RGX_ERR_INPUT, "%s: image has %d dimensions, expected 3", path,
                        (int)nim->ndim);
    for (int d = 4; d <= nim->ndim && d <= 7; d++) /* (no product: it overflowed, fuzzing) */
        if (nim->dim[d] > 1)
            return rgx_fail(RGX_ERR_INPUT,
                            "%s: image is %dD (dim[%d] = %lld), expected one 3D "
                            "volume",
                            path, (int)nim->ndim, d, (long long)nim->dim[d]);
    if (nim->nx > INT32_MAX || nim->ny > INT32_MAX || nim->nz > INT32_MAX)
        return rgx_fail(RGX_ERR_INPUT, "%s: image dimensions too large", path);
    /* The voxel count times 8 bytes must fit a size_t: 2^24 x 2^26 x 2^24 wrapped to 0 voxels
     * and was read past its buffer (fuzzing). */
    int64_t nz = nim->ndim >= 3 && nim->nz > 0 ? nim->nz : 1;
    if ((uint64_t)nim->nx * (uint64_t)nim->ny > (SIZE_MAX / 8) / (uint64_t)nz)
        return rgx_fail(RGX_ERR_INPUT, "%s: image of %lld x %lld x %lld voxels is too large",
                        path, (long long)nim->nx, (long long)nim->ny, (long long)nz);
    img->dim[0] = (int)nim->nx;
    img->dim[1] = (int)nim->ny;
    img->dim[2] = (int)nz;
    img->datatype = nim->datatype;
    img->slope = 1, img->inter = 0;
    for (int d = 0; d < 3; d++) {
        double s = fabs((double)nim->pixdim[d + 1]);
        img->spacing[d] = s > 0 && isfinite(s) ? s : 1.0;
    }
    const nifti_dmat44 *m;
    if (nim->sform_code > 0) {
        m = &nim->sto_xyz;
        img->affine_source = "sform";
    } else if (nim->qform_code > 0) {
        m = &nim->qto_xyz;
        img->affine_source = "qform";
    } else {
        m = NULL;
        img->affine_source = "pixdim";
    }
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 4; c++)
            img->affine[r][c] = m ? m->m[r][c] : (r == c ? img->spacing[r] : 0.0);
    if (m) {
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 4; c++)
                if (!isfinite(m->m[r][c]))
                    return rgx_fail(RGX_ERR_INPUT,
                                    "%s: the %s holds %g (row %d, column %d): "
                                    "the voxels cannot be placed",
                                    path, img->affine_source, m->m[r][c], r + 1, c + 1);
        /* The spacing is the length of each affine column: pixdim can disagree with the
         * sform in files written by some tools, and the sform is what places voxels. */
        for (int c = 0; c < 3; c++) {
            double s =
                sqrt(m->m[0][c] * m->m[0][c] + m->m[1][c] * m->m[1][c] + m->m[2][c] * m->m[2][c]);
            if (s > 0 && isfinite(s))
                img->spacing[c] = s;
            else if (img->dim[c] > 1)
                return rgx_fail(RGX_ERR_INPUT,
                                "%s: the %s's column %d has length %g: the voxel "
                                "spacing must be positive",
                                path, img->affine_source, c + 1, s);
        }
    }
    /* Along an axis of one voxel a missing spacing (0, as some tools write a single slice's)
     * is taken as 1 mm; along any other it is an error, not a guess.  (Without an sform the
     * spacing is pixdim, which nifticlib silently sets to 1 where it is not positive: the
     * file's own values are read.) */
    double raw[3];
    int64_t rdim[8];
    if ((!m || m == &nim->qto_xyz) && raw_header(path, rdim, raw))
        for (int d = 0; d < 3; d++)
            if (img->dim[d] > 1 && !(fabs(raw[d]) > 0 && isfinite(raw[d])))
                return rgx_fail(RGX_ERR_INPUT,
                                "%s: pixdim[%d] is %g (the %s's voxel spacing): "
                                "it must be positive",
                                path, d + 1, raw[d], img->affine_source);
    return RGX_OK;
}

static nifti_image *open_nifti(const char *path, int read_data, rgx_err *err)
{
    *err = check_readable(path);
    if (*err) return NULL;
    nifti_set_debug_level(0);
    if (!is_nifti_file(path)) {
        *err = rgx_fail(RGX_ERR_INPUT, "%s: not a NIfTI-1 or NIfTI-2 file (bad or missing header)",
                        path);
        return NULL;
    }
    /* nifticlib 3.0.1 does not check a NIfTI-2 header's dim[0] before using it as the
     * number of dimensions to copy (a larger value writes past its arrays: found by fuzzing,
     * tests/fuzz/crashes/nifti/): checked here first. */
    int64_t dim[8];
    double pixdim[3];
    if (raw_header(path, dim, pixdim) && (dim[0] < 1 || dim[0] > 7)) {
        *err = rgx_fail(RGX_ERR_INPUT, "%s: dim[0] is %lld: expected 1 to 7 dimensions", path,
                        (long long)dim[0]);
        return NULL;
    }
    nifti_image *nim = nifti_image_read(path, read_data);
    if (!nim) {
        *err = rgx_fail(RGX_ERR_INPUT, "%s: cannot read the NIfTI header", path);
        return NULL;
    }
    if (read_data && !nim->data) {
        nifti_image_free(nim);
        *err = rgx_fail(RGX_ERR_INPUT, "%s: cannot read the voxel data (truncated file?)", path);
        return NULL;
    }
    return nim;
}

static rgx_err nii_header(const char *path, image_t *img)
{
    rgx_err err;
    nifti_image *nim = open_nifti(path, 0, &err);
    if (!nim) return err;
    err = fill_geometry(path, nim, img);
    nifti_image_free(nim);
    return err;
}

/* Reading voxels.  A .nii.gz is inflated by ISA-L in pieces of CHUNK bytes, a .nii read in
 * pieces: the piece stays in cache and the whole file never sits in memory unless a sink
 * keeps it.  Each piece's whole voxels go to a sink, in file order, byte order fixed.  Every
 * gzip member is inflated to its end, so its CRC and length are checked even past the voxels
 * a sink keeps.  (nifticlib is used for headers only: it would replace non-finite float
 * voxels by 0, and its zlib reads are a third of ISA-L's speed.) */
enum { CHUNK = 1 << 20 };

typedef struct sink {
    rgx_err (*take)(struct sink *k, const unsigned char *p, size_t first, size_t n);
    const image_t *img; /* geometry and datatype */
    size_t nb;          /* bytes per voxel */
} sink_t;

typedef struct {
    size_t skip, want, done, have; /* header bytes to skip; voxel bytes wanted, delivered;
                                      bytes of a partial voxel at the piece buffer's start */
    int swap, is_float, has_number;
} feed_t;

/* got new bytes at buf + fd->have: whole voxels to the sink, a partial one kept at buf. */
static rgx_err feed(feed_t *fd, unsigned char *buf, size_t got, sink_t *k)
{
    unsigned char *p = buf;
    size_t len = fd->have + got, nb = k->nb;
    if (fd->skip) {
        size_t s = fd->skip < len ? fd->skip : len;
        p += s, len -= s, fd->skip -= s;
    }
    if (len > fd->want - fd->done) len = fd->want - fd->done; /* bytes past the voxels */
    size_t whole = len - len % nb;
    rgx_err err = RGX_OK;
    if (whole) {
        if (fd->swap) nifti_swap_Nbytes(whole / nb, (int)nb, p);
        for (size_t i = 0; fd->is_float && !fd->has_number && i < whole; i += nb) {
            float f4; /* copied: the voxels need not be aligned in the piece */
            double f8;
            if (nb == 4)
                memcpy(&f4, p + i, 4), f8 = f4;
            else
                memcpy(&f8, p + i, 8);
            fd->has_number = !isnan(f8);
        }
        err = k->take(k, p, fd->done / nb, whole / nb);
        fd->done += whole;
    }
    fd->have = len - whole;
    memmove(buf, p + whole, fd->have);
    return err;
}

/* Inflates the gzip file z (mapped, zlen bytes) piece by piece into feed. */
static rgx_err inflate_pieces(const char *file, const unsigned char *z, size_t zlen,
                              unsigned char *buf, feed_t *fd, sink_t *k)
{
    struct inflate_state *st = malloc(sizeof *st);
    if (!st) return rgx_fail(RGX_ERR_MEMORY, "out of memory");
    /* The input is given at most 1 GB at a time (ISA-L counts it in 32 bits). */
    const unsigned char *end = z + zlen;
    isal_inflate_init(st);
    st->next_in = (uint8_t *)(uintptr_t)z, st->avail_in = 0, st->crc_flag = ISAL_GZIP;
    rgx_err err = RGX_OK;
    for (;;) {
        if (!st->avail_in) {
            size_t left = (size_t)(end - st->next_in);
            st->avail_in = (uint32_t)(left < ((size_t)1 << 30) ? left : (size_t)1 << 30);
        }
        st->next_out = buf + fd->have, st->avail_out = CHUNK;
        int rc = isal_inflate(st);
        if (rc != ISAL_DECOMP_OK) {
            err = rgx_fail(RGX_ERR_INPUT, "%s: corrupt gzip data (%s)", file,
                           rc == ISAL_INCORRECT_CHECKSUM ? "checksum mismatch" : "invalid stream");
            break;
        }
        size_t got = CHUNK - st->avail_out;
        if (got && (err = feed(fd, buf, got, k))) break;
        if (st->block_state == ISAL_BLOCK_FINISH) {
            /* Another member may follow; other trailing bytes are ignored, as zlib's gzread
             * does. */
            uint8_t *next = st->next_in;
            if (end - next < 2 || next[0] != 0x1f || next[1] != 0x8b) break;
            isal_inflate_init(st);
            st->next_in = next, st->avail_in = 0, st->crc_flag = ISAL_GZIP;
        } else if (!got && st->next_in == end) {
            err = rgx_fail(RGX_ERR_INPUT, "%s: corrupt gzip data (truncated file?)", file);
            break;
        }
    }
    free(st);
    return err;
}

/* Streams the voxels of nim (read from path) to k. *has_number: 1 unless the image is float
 * and every voxel is NaN. */
static rgx_err stream_voxels(const char *path, const nifti_image *nim, sink_t *k, int *has_number)
{
    const char *file = nim->iname ? nim->iname : path; /* .hdr/.img pairs: the .img */
    feed_t fd = {.skip = (size_t)nim->iname_offset,
                 .want = image_nvox(k->img) * k->nb,
                 .swap = nim->byteorder != nifti_short_order() && k->nb > 1,
                 .is_float = nim->datatype == DT_FLOAT32 || nim->datatype == DT_FLOAT64};
    fd.has_number = !fd.is_float;
    FILE *f = fopen(file, "rb");
    if (!f) return rgx_fail(RGX_ERR_INPUT, "%s: cannot open: %s", file, strerror(errno));
    unsigned char magic[2] = {0, 0}, *buf = malloc(CHUNK + k->nb);
    rgx_err err = buf ? RGX_OK : rgx_fail(RGX_ERR_MEMORY, "out of memory");
    int gz = fread(magic, 1, 2, f) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (!err && gz) { /* mapped, not copied: no fresh memory for it */
        long zlen = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
        void *z =
            zlen > 0 ? mmap(NULL, (size_t)zlen, PROT_READ, MAP_PRIVATE, fileno(f), 0) : MAP_FAILED;
        if (z == MAP_FAILED) {
            err = rgx_fail(RGX_ERR_INPUT, "%s: cannot map: %s", file, strerror(errno));
        } else {
            madvise(z, (size_t)zlen, MADV_SEQUENTIAL);
            err = inflate_pieces(file, z, (size_t)zlen, buf, &fd, k);
            munmap(z, (size_t)zlen);
        }
    } else if (!err) {
        rewind(f);
        size_t got;
        while (!err && fd.done < fd.want && (got = fread(buf + fd.have, 1, CHUNK, f)) > 0)
            err = feed(&fd, buf, got, k);
    }
    if (!err && fd.done < fd.want)
        err = rgx_fail(RGX_ERR_INPUT, "%s: cannot read the voxel data (truncated file?)", path);
    fclose(f), free(buf);
    *has_number = fd.has_number;
    return err;
}

/* The voxels into dst: all of them (take_whole), or those in the image's window. */
typedef struct {
    sink_t k;
    unsigned char *dst;
} copy_sink_t;

static rgx_err take_whole(sink_t *k, const unsigned char *p, size_t first, size_t n)
{
    memcpy(((copy_sink_t *)k)->dst + first * k->nb, p, n * k->nb);
    return RGX_OK;
}

/* A windowed image's grid run first .. first + n - 1, a row at a time (a plane outside the
 * window at once): returns the length of this piece of the run; *cnt of its voxels, from
 * offset *from in the piece, are stored, at index *at of vox (*cnt = 0: none). */
static size_t window_piece(const image_t *img, size_t first, size_t n, size_t *from, size_t *cnt,
                           size_t *at)
{
    const int *lo = img->win_lo, *wn = img->win_n;
    size_t d0 = (size_t)img->dim[0], d1 = (size_t)img->dim[1];
    size_t x = first % d0, r = first / d0, y = r % d1, z = r / d1;
    int zin = z >= (size_t)lo[2] && z < (size_t)(lo[2] + wn[2]);
    size_t len = zin ? d0 - x : d0 * d1 - first % (d0 * d1);
    if (len > n) len = n;
    size_t a = x > (size_t)lo[0] ? x : (size_t)lo[0], e = (size_t)lo[0] + (size_t)wn[0];
    if (e > x + len) e = x + len;
    *cnt = 0;
    if (zin && image_row_kept(img, (int)y, (int)z) && a < e) {
        *from = a - x, *cnt = e - a;
        *at = a - (size_t)lo[0] +
              (size_t)wn[0] * (y - (size_t)lo[1] + (size_t)wn[1] * (z - (size_t)lo[2]));
    }
    return len;
}

static rgx_err take_window(sink_t *k, const unsigned char *p, size_t first, size_t n)
{
    while (n) {
        size_t from, cnt, at, len = window_piece(k->img, first, n, &from, &cnt, &at);
        if (cnt) memcpy(((copy_sink_t *)k)->dst + k->nb * at, p + from * k->nb, cnt * k->nb);
        first += len, p += len * k->nb, n -= len;
    }
    return RGX_OK;
}

/* A label map's planes from its first to its last non-zero one, gathered as they stream by:
 * cur fills up with a plane; a non-zero plane is appended to slab after the zero planes
 * since the last one appended (zero planes at either end are never kept). */
typedef struct {
    sink_t k;
    unsigned char *cur, *slab;
    size_t pb, nslab, cap, zeros; /* plane bytes; planes in slab, room; zero planes pending */
    int z0;                       /* the slab's first plane (-1: none yet) */
} mask_sink_t;

static int any_byte(const unsigned char *p, size_t n)
{
    unsigned any = 0;
    size_t i = 0;
    for (; i + 64 <= n && !any; i += 64) /* fixed-length chunks: vectorised */
        for (int q = 0; q < 64; q++) any |= p[i + (size_t)q];
    for (; i < n && !any; i++) any |= p[i];
    return any != 0;
}

static rgx_err mask_plane_done(mask_sink_t *m, int z)
{
    if (!any_byte(m->cur, m->pb)) {
        if (m->z0 >= 0) m->zeros++;
        return RGX_OK;
    }
    if (m->z0 < 0) m->z0 = z, m->zeros = 0;
    rgx_err err = rgx_reserve(&m->slab, &m->cap, m->nslab + m->zeros + 1, m->pb);
    if (err) return err;
    memset(m->slab + m->nslab * m->pb, 0, m->zeros * m->pb);
    m->nslab += m->zeros, m->zeros = 0;
    memcpy(m->slab + m->nslab++ * m->pb, m->cur, m->pb);
    return RGX_OK;
}

static rgx_err take_mask(sink_t *k, const unsigned char *p, size_t first, size_t n)
{
    mask_sink_t *m = (mask_sink_t *)k;
    size_t pv = m->pb / k->nb; /* voxels per plane */
    rgx_err err = RGX_OK;
    while (n && !err) {
        size_t at = first % pv, len = pv - at < n ? pv - at : n;
        memcpy(m->cur + at * k->nb, p, len * k->nb);
        if (at + len == pv) err = mask_plane_done(m, (int)(first / pv));
        first += len, p += len * k->nb, n -= len;
    }
    return err;
}

/* The box of the non-zero voxels of nz planes of d[0] x d[1] voxels of nb bytes (lo[0] >
 * hi[0]: none), byte by byte: an integer voxel is non-zero when any of its bytes is. */
static void nonzero_box(const unsigned char *v, const int *d, int nz, size_t nb, int lo[3],
                        int hi[3])
{
    size_t rb = (size_t)d[0] * nb;
    int n[3] = {d[0], d[1], nz};
    for (int a = 0; a < 3; a++) lo[a] = n[a], hi[a] = -1;
    for (int k = 0; k < nz; k++)
        for (int j = 0; j < d[1]; j++) {
            const unsigned char *p = v + rb * ((size_t)j + (size_t)d[1] * (size_t)k);
            if (!any_byte(p, rb)) continue;
            size_t a = 0, b = rb - 1;
            while (!p[a]) a++;
            while (!p[b]) b--;
            int c[3][2] = {{(int)(a / nb), (int)(b / nb)}, {j, j}, {k, k}};
            for (int t = 0; t < 3; t++) {
                if (c[t][0] < lo[t]) lo[t] = c[t][0];
                if (c[t][1] > hi[t]) hi[t] = c[t][1];
            }
        }
}

typedef enum { READ_WHOLE, READ_WINDOW, READ_MASK } read_kind_t;

/* Reads header and voxels: all of them, those in the window lo .. hi, or a label map's
 * non-zero box. */
static rgx_err read_image(const char *path, image_t *img, read_kind_t kind, const int lo[3],
                          const int hi[3])
{
    rgx_err err;
    nifti_image *nim = open_nifti(path, 0, &err);
    if (!nim) return err;
    mask_sink_t ms = {0};
    if ((err = fill_geometry(path, nim, img))) goto out;
    size_t n = image_nvox(img);
    if ((size_t)nim->nvox < n) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: header says %zu voxels but data holds %lld", path, n,
                       (long long)nim->nvox);
        goto out;
    }
    switch (nim->datatype) {
    case DT_UINT8:
    case DT_INT8:
    case DT_INT16:
    case DT_UINT16:
    case DT_INT32:
    case DT_UINT32:
    case DT_INT64:
    case DT_UINT64:
    case DT_FLOAT32:
    case DT_FLOAT64:
        break;
    default:
        err = rgx_fail(RGX_ERR_INPUT,
                       "%s: unsupported NIfTI datatype %s (%d); expected an integer "
                       "or real scalar type",
                       path, nifti_datatype_string(nim->datatype), nim->datatype);
        goto out;
    }
    /* NIfTI: scl_slope == 0 means "no scaling"; nifticlib does not apply it for us. */
    double slope = nim->scl_slope, inter = nim->scl_inter;
    if (slope != 0.0 && isfinite(slope) && isfinite(inter)) img->slope = slope, img->inter = inter;
    size_t nb = (size_t)nim->nbyper;
    /* A label map without scaling stores its labels: a zero voxel is 0.  Otherwise whole. */
    if (kind == READ_MASK && (img->slope != 1.0 || img->inter != 0.0)) kind = READ_WHOLE;
    if (kind == READ_WHOLE) {
        copy_sink_t w = {{take_whole, img, nb}, NULL};
        if (!(err = rgx_big_alloc(&img->vox, n * nb))) {
            w.dst = img->vox;
            err = stream_voxels(path, nim, &w.k, &img->has_number);
        }
    } else if (kind == READ_WINDOW) {
        copy_sink_t w = {{take_window, img, nb}, NULL};
        size_t keep = 1;
        img->windowed = 1, img->outside = NAN;
        for (int a = 0; a < 3; a++) {
            int l = lo[a] < 0 ? 0 : lo[a], h = hi[a] >= img->dim[a] ? img->dim[a] - 1 : hi[a];
            img->win_lo[a] = l, img->win_n[a] = h >= l ? h - l + 1 : 0;
            keep *= (size_t)img->win_n[a];
        }
        if (!(err = rgx_big_alloc(&img->vox, keep * nb))) {
            w.dst = img->vox;
            err = stream_voxels(path, nim, &w.k, &img->has_number);
        }
    } else {
        ms = (mask_sink_t){.k = {take_mask, img, nb},
                           .pb = (size_t)img->dim[0] * (size_t)img->dim[1] * nb,
                           .z0 = -1};
        if ((err = rgx_calloc(&ms.cur, ms.pb ? ms.pb : 1, 1)) ||
            (err = stream_voxels(path, nim, &ms.k, &img->has_number)))
            goto out;
        int l[3], h[3];
        nonzero_box(ms.slab, img->dim, (int)ms.nslab, nb, l, h);
        size_t keep = 1;
        img->windowed = 1, img->outside = 0;
        for (int a = 0; a < 3; a++) {
            img->win_lo[a] = h[a] >= l[a] ? l[a] + (a == 2 ? ms.z0 : 0) : 0;
            img->win_n[a] = h[a] >= l[a] ? h[a] - l[a] + 1 : 0;
            keep *= (size_t)img->win_n[a];
        }
        if (img->win_n[0] == img->dim[0] && img->win_n[1] == img->dim[1]) {
            img->vox = ms.slab, ms.slab = NULL; /* the slab is the box: its planes are whole */
            goto out;
        }
        if ((err = rgx_big_alloc(&img->vox, keep * nb))) goto out;
        size_t row = (size_t)img->win_n[0] * nb;
        for (int k = 0; k < img->win_n[2]; k++)
            for (int j = 0; j < img->win_n[1]; j++)
                memcpy((unsigned char *)img->vox +
                           row * ((size_t)j + (size_t)img->win_n[1] * (size_t)k),
                       ms.slab + ms.pb * (size_t)(l[2] + k) +
                           nb * ((size_t)l[0] + (size_t)img->dim[0] * (size_t)(l[1] + j)),
                       row);
    }
out:
    free(ms.cur), free(ms.slab);
    nifti_image_free(nim);
    if (err) image_free(img);
    return err;
}

static rgx_err nii_box(const char *path, image_t *img, const int lo[3], const int hi[3])
{
    return read_image(path, img, lo ? READ_WINDOW : READ_WHOLE, lo, hi);
}

static rgx_err nii_mask(const char *path, const image_t *grid, image_t *img)
{
    return read_image(path, img, READ_MASK, NULL, NULL);
}

/* ---- the sources ---- */

/* An image source: whether a path is its (NULL: the one left), the header, the voxels (in a
 * box, or all of them when lo is NULL), a mask (on grid, when the source rasterises). */
typedef struct {
    const char *name;
    int (*claims)(const char *path);
    rgx_err (*header)(const char *path, image_t *img);
    rgx_err (*box)(const char *path, image_t *img, const int lo[3], const int hi[3]);
    rgx_err (*mask)(const char *path, const image_t *grid, image_t *img);
} image_source_t;

static const image_source_t sources[] = {
    {"DICOM", dicom_claims, dicom_read_header, dicom_read_box, dicom_read_mask},
    {"NIfTI", NULL, nii_header, nii_box, nii_mask},
};

static const image_source_t *source_of(const char *path)
{
    size_t n = sizeof sources / sizeof *sources;
    for (size_t i = 0; i + 1 < n; i++)
        if (sources[i].claims(path)) return &sources[i];
    return &sources[n - 1];
}

/* Voxel spacings radiomics can be computed at, in mm: 0.1 um (beyond micro-CT) to 10 m.  A
 * spacing outside is a broken header, and would overflow the voxel counts that distances
 * become (the 1 cm^3 local-intensity sphere, a filter's reach): 1e-9 mm crashed them. */
#define SPACING_MIN 1e-4
#define SPACING_MAX 1e4

/* err, or once img is read an error (its voxels freed) for a spacing outside [SPACING_MIN,
 * SPACING_MAX]. */
static rgx_err spacing_ok(const char *path, image_t *img, rgx_err err)
{
    for (int a = 0; a < 3 && !err; a++)
        if (!(img->spacing[a] >= SPACING_MIN && img->spacing[a] <= SPACING_MAX)) {
            image_free(img);
            err = rgx_fail(RGX_ERR_INPUT,
                           "%s: the voxel spacing along %c is %g mm: expected %g to %g mm", path,
                           "xyz"[a], img->spacing[a], SPACING_MIN, SPACING_MAX);
        }
    return err;
}

rgx_err image_read_header(const char *path, image_t *img)
{
    return spacing_ok(path, img, source_of(path)->header(path, img));
}

rgx_err image_read(const char *path, image_t *img)
{
    return spacing_ok(path, img, source_of(path)->box(path, img, NULL, NULL));
}

rgx_err image_read_box(const char *path, image_t *img, const int lo[3], const int hi[3])
{
    return spacing_ok(path, img, source_of(path)->box(path, img, lo, hi));
}

rgx_err image_read_mask(const char *path, image_t *img)
{
    return spacing_ok(path, img, source_of(path)->mask(path, NULL, img));
}

rgx_err image_read_mask_on(const char *path, const image_t *grid, image_t *img)
{
    return spacing_ok(path, img, source_of(path)->mask(path, grid, img));
}

void image_free(image_t *img)
{
    free(img->vox);
    img->vox = NULL, img->windowed = 0;
}

rgx_err image_alloc(image_t *img, float **data)
{
    img->datatype = DT_FLOAT32, img->slope = 1, img->inter = 0, img->has_number = 1;
    size_t n = image_nvox(img);
    rgx_err err = rgx_calloc(&img->vox, n ? n : 1, sizeof(float));
    *data = img->vox;
    return err;
}

/* The stored voxels first .. first + n - 1 (indices into vox) as float, scaled. */
static void stored_values(const image_t *img, size_t first, size_t n, float *o)
{
    switch (img->datatype) {
#define CONVERT(DT, T)                                                                             \
    case DT: {                                                                                     \
        const T *p = (const T *)img->vox + first;                                                  \
        for (size_t i = 0; i < n; i++) o[i] = (float)p[i];                                         \
        break;                                                                                     \
    }
        CONVERT(DT_UINT8, uint8_t)
        CONVERT(DT_INT8, int8_t)
        CONVERT(DT_INT16, int16_t)
        CONVERT(DT_UINT16, uint16_t)
        CONVERT(DT_INT32, int32_t)
        CONVERT(DT_UINT32, uint32_t)
        CONVERT(DT_INT64, int64_t)
        CONVERT(DT_UINT64, uint64_t)
        CONVERT(DT_FLOAT32, float)
        CONVERT(DT_FLOAT64, double)
#undef CONVERT
    default: /* image_read() admits only the types above */
        for (size_t i = 0; i < n; i++) o[i] = NAN;
    }
    double slope = img->slope, inter = img->inter;
    if (slope != 1.0 || inter != 0.0)
        for (size_t i = 0; i < n; i++) o[i] = (float)(o[i] * slope + inter);
}

void image_values(const image_t *img, size_t first, size_t n, float *o)
{
    if (!img->windowed) {
        stored_values(img, first, n, o);
        return;
    }
    while (n) { /* `outside` outside the window, the stored voxels inside */
        size_t from, cnt, at, len = window_piece(img, first, n, &from, &cnt, &at);
        for (size_t i = 0; i < len; i++) o[i] = img->outside;
        if (cnt) stored_values(img, at, cnt, o + from);
        first += len, o += len, n -= len;
    }
}

/* Finds value among v[0 .. n - 1]: 1 and its first and last positions when present. */
static int find_float(const float *v, size_t n, float value, size_t *lo, size_t *hi)
{
    size_t i = 0;
    while (i < n && v[i] != value) i++;
    if (i == n) return 0;
    *lo = i;
    for (*hi = n - 1; v[*hi] != value;) --*hi;
    return 1;
}

/* Finds value in the n stored voxels from first (indices into vox), as stored_values() would
 * give them: 1 and the first and last positions when present.  Integer voxels without
 * scaling are compared as stored (an integer converts to a float below 2^24 in magnitude only
 * when it equals it); anything else is converted into scratch (n floats) first. */
static int find_in_run(const image_t *img, size_t first, size_t n, float value, float *scratch,
                       size_t *lo, size_t *hi)
{
    int exact = img->slope == 1.0 && img->inter == 0.0 && value == nearbyintf(value) &&
                fabsf(value) < 16777216.0f;
    switch (exact ? img->datatype : DT_FLOAT32) {
#define FIND(DT, T, MIN, MAX)                                                                      \
    case DT: {                                                                                     \
        if (value < (MIN) || value > (MAX)) return 0;                                              \
        const T *p = (const T *)img->vox + first, w = (T)value;                                    \
        size_t i = 0;                                                                              \
        unsigned any = 0;                                                                          \
        for (; i + 64 <= n && !any; i += 64) /* fixed-length chunks: vectorised */                 \
            for (int q = 0; q < 64; q++) any |= p[i + (size_t)q] == w;                             \
        for (size_t t = i; t < n && !any; t++) any |= p[t] == w;                                   \
        if (!any) return 0;                                                                        \
        for (*lo = 0; p[*lo] != w;) ++*lo;                                                         \
        for (*hi = n - 1; p[*hi] != w;) --*hi;                                                     \
        return 1;                                                                                  \
    }
        FIND(DT_UINT8, uint8_t, 0, UINT8_MAX)
        FIND(DT_INT8, int8_t, INT8_MIN, INT8_MAX)
        FIND(DT_INT16, int16_t, INT16_MIN, INT16_MAX)
        FIND(DT_UINT16, uint16_t, 0, UINT16_MAX)
        FIND(DT_INT32, int32_t, INT32_MIN, INT32_MAX)
        FIND(DT_UINT32, uint32_t, 0, UINT32_MAX)
        FIND(DT_INT64, int64_t, INT64_MIN, INT64_MAX)
        FIND(DT_UINT64, uint64_t, 0, UINT64_MAX)
#undef FIND
    default:
        stored_values(img, first, n, scratch);
        return find_float(scratch, n, value, lo, hi);
    }
}

rgx_err image_box_of(const image_t *img, float value, int lo[3], int hi[3])
{
    const int *d = img->dim;
    for (int a = 0; a < 3; a++) lo[a] = d[a], hi[a] = -1;
    /* The stored rows, or, for a window, its rows (a value other than the one outside is
     * only there); a window searched for that value reads every row through image_values. */
    int whole = img->windowed && value == img->outside;
    int o[3] = {0, 0, 0}, n[3] = {d[0], d[1], d[2]};
    if (img->windowed && !whole)
        for (int a = 0; a < 3; a++) o[a] = img->win_lo[a], n[a] = img->win_n[a];
    float *scratch = NULL;
    rgx_err err = rgx_calloc(&scratch, (size_t)d[0], sizeof *scratch);
    for (int k = 0; k < n[2] && !err; k++)
        for (int j = 0; j < n[1]; j++) {
            size_t start = (size_t)n[0] * ((size_t)j + (size_t)n[1] * (size_t)k), first, last;
            if (whole) image_values(img, start, (size_t)n[0], scratch);
            if (whole ? !find_float(scratch, (size_t)n[0], value, &first, &last)
                      : !find_in_run(img, start, (size_t)n[0], value, scratch, &first, &last))
                continue;
            int c[3][2] = {
                {o[0] + (int)first, o[0] + (int)last}, {o[1] + j, o[1] + j}, {o[2] + k, o[2] + k}};
            for (int a = 0; a < 3; a++) {
                if (c[a][0] < lo[a]) lo[a] = c[a][0];
                if (c[a][1] > hi[a]) hi[a] = c[a][1];
            }
        }
    free(scratch);
    return err;
}

rgx_err image_same_geometry(const image_t *img, const image_t *mask, double tol_mm)
{
    if (img->dim[0] != mask->dim[0] || img->dim[1] != mask->dim[1] || img->dim[2] != mask->dim[2])
        return rgx_fail(RGX_ERR_INPUT, "image is %dx%dx%d voxels but mask is %dx%dx%d", img->dim[0],
                        img->dim[1], img->dim[2], mask->dim[0], mask->dim[1], mask->dim[2]);
    double worst = 0;
    int wr = 0, wc = 0;
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 4; c++) {
            double d = fabs(img->affine[r][c] - mask->affine[r][c]);
            if (!(d <= worst)) worst = d, wr = r, wc = c;
        }
    if (!(worst <= tol_mm))
        return rgx_fail(RGX_ERR_INPUT,
                        "image and mask affines differ by %g mm at row %d column %d "
                        "(image %g, mask %g; tolerance %g mm)",
                        worst, wr + 1, wc + 1, img->affine[wr][wc], mask->affine[wr][wc], tol_mm);
    return RGX_OK;
}

/* The voxels go out in gzip members of at most GZ_PIECE input bytes (the first led by the
 * header and extension bytes, copied together; the others compressed in place), each
 * compressed whole by libdeflate: readers take the members as one stream (zlib's gzread,
 * Python's gzip, ours), and memory stays at two pieces. */
enum { GZ_PIECE = 64 << 20 };

/* Writes hdr_n bytes of hdr, then n bytes of p, to f as gzip members at libdeflate's level 1.
 * libdeflate, not ISA-L: its output depends on the input alone (ISA-L's deflate gave other
 * bytes, now and then, for the same image compressed in simulate's second thread, so the
 * cohort was not the same bytes for any thread count). */
static int gzip_members(FILE *f, const void *hdr, size_t hdr_n, const unsigned char *p, size_t n)
{
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(1);
    size_t first = n < GZ_PIECE ? n : GZ_PIECE, cap = hdr_n + first;
    unsigned char *in = malloc(cap ? cap : 1), *out = NULL;
    size_t bound = c ? libdeflate_gzip_compress_bound(c, cap) : 0;
    int ok = c && in && (out = malloc(bound)) != NULL;
    size_t at = 0;
    do {
        size_t k = n - at < GZ_PIECE ? n - at : GZ_PIECE, lead = at ? 0 : hdr_n;
        const unsigned char *src = p + at;
        if (!ok) break;
        if (lead) {
            memcpy(in, hdr, lead), memcpy(in + lead, src, k);
            src = in;
        }
        size_t got = libdeflate_gzip_compress(c, src, lead + k, out, bound);
        ok = got > 0 && fwrite(out, 1, got, f) == got;
        at += k;
    } while (ok && at < n);
    free(in), free(out);
    if (c) libdeflate_free_compressor(c);
    return ok;
}

/* Writes nim as a NIfTI-1 single file: the header (nifticlib's), four zero extension bytes and
 * the voxels; gzipped (gzip_members) when the name ends in .gz. */
static rgx_err write_nifti1(const char *path, nifti_image *nim)
{
    size_t len = strlen(path);
    int gz = len > 7 && strcmp(path + len - 7, ".nii.gz") == 0;
    if (!gz && !(len > 4 && strcmp(path + len - 4, ".nii") == 0))
        return rgx_fail(RGX_ERR_IO, "%s: not a NIfTI file name (.nii or .nii.gz)", path);
    nim->nifti_type = NIFTI_FTYPE_NIFTI1_1;
    nifti_set_iname_offset(nim, 1);
    nifti_1_header hdr;
    if (nifti_convert_nim2n1hdr(nim, &hdr) != 0)
        return rgx_fail(RGX_ERR_INTERNAL, "%s: cannot build the NIfTI-1 header", path);
    outfile_t of; /* under a temporary name, renamed when complete (outfile.h) */
    rgx_err err = outfile_open(&of, path);
    if (err) return err;
    FILE *f = of.f;
    const unsigned char ext[4] = {0, 0, 0, 0};
    size_t bytes = (size_t)nim->nvox * (size_t)nim->nbyper;
    int ok;
    if (gz) {
        unsigned char lead[sizeof hdr + sizeof ext];
        memcpy(lead, &hdr, sizeof hdr), memcpy(lead + sizeof hdr, ext, sizeof ext);
        ok = gzip_members(f, lead, sizeof lead, nim->data, bytes);
    } else {
        ok = fwrite(&hdr, sizeof hdr, 1, f) == 1 && fwrite(ext, 1, 4, f) == 4 &&
             fwrite(nim->data, 1, bytes, f) == bytes;
    }
    if (!ok) {
        int e = errno;
        outfile_abort(&of);
        return rgx_fail(RGX_ERR_IO, "%s: could not be written: %s", path, strerror(e));
    }
    return outfile_commit(&of);
}

rgx_err image_write(const char *path, const image_t *img, int datatype)
{
    int64_t dims[8] = {3, img->dim[0], img->dim[1], img->dim[2], 1, 1, 1, 1};
    nifti_image *nim = nifti_make_new_nim(dims, datatype, 1);
    if (!nim) return rgx_fail(RGX_ERR_MEMORY, "%s: cannot create a NIfTI image", path);
    rgx_err err = RGX_OK;
    size_t n = image_nvox(img);
    for (int d = 0; d < 3; d++) nim->pixdim[d + 1] = img->spacing[d];
    nim->dx = img->spacing[0], nim->dy = img->spacing[1], nim->dz = img->spacing[2];
    nim->xyz_units = NIFTI_UNITS_MM;
    nim->sform_code = NIFTI_XFORM_SCANNER_ANAT;
    nim->qform_code = NIFTI_XFORM_SCANNER_ANAT;
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++)
            nim->sto_xyz.m[r][c] = r < 3 ? img->affine[r][c] : (c == 3 ? 1.0 : 0.0);
    nim->sto_ijk = nifti_dmat44_inverse(nim->sto_xyz);
    nifti_dmat44_to_quatern(nim->sto_xyz, &nim->quatern_b, &nim->quatern_c, &nim->quatern_d,
                            &nim->qoffset_x, &nim->qoffset_y, &nim->qoffset_z, NULL, NULL, NULL,
                            &nim->qfac);
    nim->qto_xyz = nim->sto_xyz;
    void *p = nim->data;
    float run[4096]; /* the values, a run at a time */
    for (size_t i0 = 0; i0 < n && !err; i0 += 4096) {
        size_t m = n - i0 < 4096 ? n - i0 : 4096;
        image_values(img, i0, m, run);
        switch (datatype) {
#define CONVERT(DT, T, LO, HI)                                                                     \
    case DT:                                                                                       \
        for (size_t i = 0; i < m; i++) {                                                           \
            double v = nearbyint((double)run[i]);                                                  \
            ((T *)p)[i0 + i] = (T)(v < (LO) ? (LO) : v > (HI) ? (HI) : v);                         \
        }                                                                                          \
        break;
            CONVERT(DT_UINT8, uint8_t, 0, 255)
            CONVERT(DT_INT16, int16_t, -32768, 32767)
            CONVERT(DT_INT32, int32_t, -2147483648.0, 2147483647.0)
#undef CONVERT
        case DT_FLOAT32:
            memcpy((float *)p + i0, run, m * sizeof *run);
            break;
        default:
            err = rgx_fail(RGX_ERR_INTERNAL, "image_write: unsupported datatype %d", datatype);
        }
    }
    if (!err) err = write_nifti1(path, nim);
    nifti_image_free(nim);
    return err;
}

int image_affine_invert(const double a[3][4], double inv[3][4])
{
    double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
                 a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
                 a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    if (!(fabs(det) > 1e-12)) return -1;
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) { /* the adjugate over the determinant */
            int r1 = (c + 1) % 3, r2 = (c + 2) % 3, c1 = (r + 1) % 3, c2 = (r + 2) % 3;
            inv[r][c] = (a[r1][c1] * a[r2][c2] - a[r1][c2] * a[r2][c1]) / det;
        }
    for (int r = 0; r < 3; r++)
        inv[r][3] = -(inv[r][0] * a[0][3] + inv[r][1] * a[1][3] + inv[r][2] * a[2][3]);
    return 0;
}
