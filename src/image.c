/* image.c — NIfTI input through nifticlib (nifti2_io reads both NIfTI-1 and NIfTI-2). */
#include "image.h"

#include <errno.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdio.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <nifti2_io.h>

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

static rgx_err fill_geometry(const char *path, const nifti_image *nim, image_t *img)
{
    memset(img, 0, sizeof *img);
    if (nim->ndim < 2 || nim->nx < 1 || nim->ny < 1)
        return rgx_fail(RGX_ERR_INPUT, "%s: image has %d dimensions, expected 3", path,
                        (int)nim->ndim);
    int64_t extra = 1;
    for (int d = 4; d <= nim->ndim && d <= 7; d++) extra *= nim->dim[d] > 0 ? nim->dim[d] : 1;
    if (extra > 1)
        return rgx_fail(RGX_ERR_INPUT, "%s: image is %dD with %lld volumes, expected one 3D volume",
                        path, (int)nim->ndim, (long long)extra);
    if (nim->nx > INT32_MAX || nim->ny > INT32_MAX || nim->nz > INT32_MAX)
        return rgx_fail(RGX_ERR_INPUT, "%s: image dimensions too large", path);
    img->dim[0] = (int)nim->nx;
    img->dim[1] = (int)nim->ny;
    img->dim[2] = nim->ndim >= 3 && nim->nz > 0 ? (int)nim->nz : 1;
    img->datatype = nim->datatype;
    img->data_end = (size_t)nim->iname_offset + (size_t)nim->nvox * (size_t)nim->nbyper;
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
        /* The spacing is the length of each affine column: pixdim can disagree with the
         * sform in files written by some tools, and the sform is what places voxels. */
        for (int c = 0; c < 3; c++) {
            double s =
                sqrt(m->m[0][c] * m->m[0][c] + m->m[1][c] * m->m[1][c] + m->m[2][c] * m->m[2][c]);
            if (s > 0 && isfinite(s)) img->spacing[c] = s;
        }
    }
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

rgx_err image_read_header(const char *path, image_t *img)
{
    rgx_err err;
    nifti_image *nim = open_nifti(path, 0, &err);
    if (!nim) return err;
    err = fill_geometry(path, nim, img);
    nifti_image_free(nim);
    return err;
}

/* Large buffers on transparent huge pages where the kernel offers them: a CT volume is
 * hundreds of MB of fresh memory, and faulting it in 4 KB pages costs a third of reading it.
 * Uninitialised.  A freed one is kept (two at most: an image and its mask) and given to the
 * next request it fits: across a cohort's patients the kernel then does not zero fresh pages
 * for every image, which cost a sixth of a 512 x 512 x 200 CT's extraction.  Returned through
 * big_release; *cap: the buffer's real size.  Locked: simulate writes images from threads. */
static struct {
    void *p;
    size_t bytes;
} spare[2];
static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;

static rgx_err big_alloc(void *pp, size_t bytes, size_t *cap)
{
    void *p = NULL;
    size_t align = (size_t)2 << 20;
    *cap = 0;
    if (bytes < align) return rgx_calloc(pp, bytes ? bytes : 1, 1);
    pthread_mutex_lock(&spare_lock);
    int best = -1; /* the smallest spare that fits */
    for (int i = 0; i < 2; i++)
        if (spare[i].p && spare[i].bytes >= bytes &&
            (best < 0 || spare[i].bytes < spare[best].bytes))
            best = i;
    if (best >= 0) {
        p = spare[best].p, *cap = spare[best].bytes;
        spare[best].p = NULL, spare[best].bytes = 0;
    }
    pthread_mutex_unlock(&spare_lock);
    if (!p) {
        if (posix_memalign(&p, align, bytes) != 0) return rgx_fail(RGX_ERR_MEMORY, "out of memory");
        madvise(p, bytes, MADV_HUGEPAGE); /* advice only: ignored where THP is off */
        *cap = bytes;
    }
    *(void **)pp = p;
    return RGX_OK;
}

/* Frees a buffer of big_alloc (cap > 0: kept as a spare, replacing a smaller one) or of
 * calloc (cap 0). */
static void big_release(void *p, size_t cap)
{
    if (!p || !cap) {
        free(p);
        return;
    }
    pthread_mutex_lock(&spare_lock);
    int slot = spare[0].bytes <= spare[1].bytes ? 0 : 1; /* the empty or the smaller one */
    if (spare[slot].bytes < cap) {
        void *old = spare[slot].p;
        spare[slot].p = p, spare[slot].bytes = cap;
        p = old;
    }
    pthread_mutex_unlock(&spare_lock);
    free(p);
}

/* The voxel bytes, read here rather than by nifticlib: nifticlib replaces non-finite float
 * voxels by 0 (an all-NaN image would look valid), and it inflates .nii.gz through zlib's
 * stream in small pieces; a whole-file inflate with libdeflate is three times faster, and
 * reading the image is most of what extraction costs.  An uncompressed file, or a gzip file
 * whose size field cannot be trusted (over 4 GB uncompressed, or several members), is read
 * through nifticlib's znz. */
static rgx_err read_voxels_znz(const char *path, nifti_image *nim, void *buf, size_t bytes)
{
    nifti_image *tmp = NULL;
    znzFile fp = nifti_image_open(path, "rb", &tmp);
    rgx_err err = RGX_OK;
    if (znz_isnull(fp)) return rgx_fail(RGX_ERR_INPUT, "%s: cannot reopen the voxel data", path);
    if (znzseek(fp, (long)nim->iname_offset, SEEK_SET) < 0 || znzread(buf, 1, bytes, fp) != bytes)
        err = rgx_fail(RGX_ERR_INPUT, "%s: cannot read the voxel data (truncated file?)", path);
    znzclose(fp);
    if (tmp) nifti_image_free(tmp);
    return err;
}

/* A .nii.gz inflated whole: *own the buffer, *data the voxels within it.  Leaves *own NULL
 * (and returns RGX_OK) when the file is not gzip or its size field cannot be trusted: the
 * caller then reads through znz. */
static rgx_err inflate_whole(const char *file, size_t off, size_t bytes, size_t reserve, void **own,
                             void **data, size_t *cap)
{
    *cap = 0;
    FILE *f = fopen(file, "rb");
    if (!f) return rgx_fail(RGX_ERR_INPUT, "%s: cannot open: %s", file, strerror(errno));
    unsigned char magic[2] = {0, 0}, isz[4];
    long zlen = -1;
    size_t usize = 0;
    if (fread(magic, 1, 2, f) == 2 && magic[0] == 0x1f && magic[1] == 0x8b &&
        fseek(f, 0, SEEK_END) == 0 && (zlen = ftell(f)) > 18 && fseek(f, zlen - 4, SEEK_SET) == 0 &&
        fread(isz, 1, 4, f) == 4)
        usize = (size_t)isz[0] | (size_t)isz[1] << 8 | (size_t)isz[2] << 16 | (size_t)isz[3] << 24;
    if (usize < off + bytes || usize > 0xffffffffu - 1) { /* not gzip, or not one trusty member */
        fclose(f);
        return RGX_OK;
    }
    /* The compressed file mapped, not copied: no fresh memory to fault in for it. */
    char *z = mmap(NULL, (size_t)zlen, PROT_READ, MAP_PRIVATE, fileno(f), 0), *raw = NULL;
    fclose(f);
    if (z == MAP_FAILED) return rgx_fail(RGX_ERR_INPUT, "%s: cannot map: %s", file, strerror(errno));
    rgx_err err = big_alloc(&raw, usize > reserve ? usize : reserve, cap);
    struct libdeflate_decompressor *d = err ? NULL : libdeflate_alloc_decompressor();
    size_t in_used = 0, out_got = 0;
    enum libdeflate_result r = LIBDEFLATE_BAD_DATA;
    if (d) r = libdeflate_gzip_decompress_ex(d, z, (size_t)zlen, raw, usize, &in_used, &out_got);
    if (d) libdeflate_free_decompressor(d);
    munmap(z, (size_t)zlen);
    if (err) return err;
    if (r == LIBDEFLATE_SUCCESS && in_used == (size_t)zlen && out_got == usize) {
        *own = raw, *data = raw + off; /* used in place: no copy */
        if (off % 8) memmove(raw, raw + off, bytes), *data = raw; /* aligned for the casts */
    } else {
        big_release(raw, *cap), *cap = 0;
        if (r != LIBDEFLATE_SUCCESS) /* (success short of the end: more members; znz reads them) */
            err = rgx_fail(RGX_ERR_INPUT, "%s: corrupt gzip data (truncated file?)", file);
    }
    return err;
}

/* *own: the buffer to free (of at least reserve bytes when a .nii.gz is inflated whole);
 * *data: the voxel bytes within it (bytes of them, byte order fixed). */
static rgx_err read_voxels(const char *path, nifti_image *nim, size_t bytes, size_t reserve,
                           void **own, void **data, size_t *cap)
{
    *own = *data = NULL;
    const char *file = nim->iname ? nim->iname : path; /* .hdr/.img pairs: the .img */
    rgx_err err = inflate_whole(file, (size_t)nim->iname_offset, bytes, reserve, own, data, cap);
    if (!err && !*own && !(err = rgx_calloc(own, bytes ? bytes : 1, 1))) {
        *data = *own;
        err = read_voxels_znz(path, nim, *own, bytes);
    }
    if (!err && nim->byteorder != nifti_short_order() && nim->nbyper > 1)
        nifti_swap_Nbytes((size_t)(bytes / (size_t)nim->nbyper), nim->nbyper, *data);
    if (err) big_release(*own, *cap), *own = *data = NULL, *cap = 0;
    return err;
}

static rgx_err read_image(const char *path, image_t *img, size_t reserve)
{
    rgx_err err;
    nifti_image *nim = open_nifti(path, 0, &err);
    if (!nim) return err;
    if ((err = fill_geometry(path, nim, img))) goto out;
    size_t n = image_nvox(img);
    if ((size_t)nim->nvox < n) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: header says %zu voxels but data holds %lld", path, n,
                       (long long)nim->nvox);
        goto out;
    }
    switch (nim->datatype) {
    case DT_UINT8: case DT_INT8: case DT_INT16: case DT_UINT16: case DT_INT32: case DT_UINT32:
    case DT_INT64: case DT_UINT64: case DT_FLOAT32: case DT_FLOAT64:
        break;
    default:
        err = rgx_fail(RGX_ERR_INPUT,
                       "%s: unsupported NIfTI datatype %s (%d); expected an integer "
                       "or real scalar type",
                       path, nifti_datatype_string(nim->datatype), nim->datatype);
        goto out;
    }
    if ((err = read_voxels(path, nim, n * (size_t)nim->nbyper, reserve, &img->buf, &img->vox,
                           &img->buf_bytes)))
        goto out;
    /* NIfTI: scl_slope == 0 means "no scaling"; nifticlib does not apply it for us. */
    double slope = nim->scl_slope, inter = nim->scl_inter;
    if (slope != 0.0 && isfinite(slope) && isfinite(inter)) img->slope = slope, img->inter = inter;
out:
    nifti_image_free(nim);
    if (err) image_free(img);
    return err;
}

rgx_err image_read(const char *path, image_t *img)
{
    return read_image(path, img, 0);
}

/* The box of the non-zero voxels (lo[0] > hi[0]: none), read byte by byte: an integer
 * voxel is non-zero when any of its bytes is.  Rows are mostly empty: tested 64 bytes at a
 * time first. */
static void nonzero_box(const image_t *img, size_t nb, int lo[3], int hi[3])
{
    const int *d = img->dim;
    size_t rb = (size_t)d[0] * nb;
    for (int a = 0; a < 3; a++) lo[a] = d[a], hi[a] = -1;
    for (int k = 0; k < d[2]; k++)
        for (int j = 0; j < d[1]; j++) {
            const unsigned char *p =
                (const unsigned char *)img->vox + rb * ((size_t)j + (size_t)d[1] * (size_t)k);
            unsigned any = 0;
            size_t i = 0;
            for (; i + 64 <= rb && !any; i += 64)
                for (int q = 0; q < 64; q++) any |= p[i + (size_t)q];
            for (size_t t = i; t < rb && !any; t++) any |= p[t];
            if (!any) continue;
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

rgx_err image_read_mask(const char *path, image_t *img, size_t reserve)
{
    rgx_err err = read_image(path, img, reserve);
    if (err) return err;
    int nb = 0, swap = 0;
    nifti_datatype_sizes(img->datatype, &nb, &swap);
    if (img->datatype == DT_FLOAT32 || img->datatype == DT_FLOAT64 || nb < 1 ||
        img->slope != 1.0 || img->inter != 0.0)
        return RGX_OK; /* only integer maps stored as the labels themselves */
    int lo[3], hi[3];
    nonzero_box(img, (size_t)nb, lo, hi);
    size_t keep = 1;
    for (int a = 0; a < 3; a++) {
        if (hi[a] < lo[a]) lo[a] = 0, hi[a] = -1; /* no label at all: an empty window */
        keep *= (size_t)(hi[a] - lo[a] + 1);
    }
    if (2 * keep > image_nvox(img)) return RGX_OK; /* not worth a copy */
    void *w = NULL;
    if ((err = rgx_calloc(&w, keep ? keep : 1, (size_t)nb))) {
        image_free(img);
        return err;
    }
    const int *d = img->dim;
    size_t row = (size_t)(hi[0] - lo[0] + 1) * (size_t)nb;
    for (int k = lo[2]; k <= hi[2] && keep; k++)
        for (int j = lo[1]; j <= hi[1]; j++) {
            size_t from = (size_t)lo[0] + (size_t)d[0] * ((size_t)j + (size_t)d[1] * (size_t)k);
            size_t to = (size_t)(j - lo[1]) + (size_t)(hi[1] - lo[1] + 1) * (size_t)(k - lo[2]);
            memcpy((char *)w + to * row, (const char *)img->vox + from * (size_t)nb, row);
        }
    big_release(img->buf, img->buf_bytes); /* kept for the image read next */
    img->buf = img->vox = w, img->buf_bytes = 0, img->windowed = 1;
    for (int a = 0; a < 3; a++) img->win_lo[a] = lo[a], img->win_n[a] = hi[a] - lo[a] + 1;
    return RGX_OK;
}

void image_free(image_t *img)
{
    big_release(img->buf, img->buf_bytes);
    img->buf = img->vox = NULL, img->buf_bytes = 0, img->windowed = 0;
}

rgx_err image_alloc(image_t *img, float **data)
{
    img->datatype = DT_FLOAT32, img->slope = 1, img->inter = 0;
    size_t n = image_nvox(img);
    rgx_err err = rgx_calloc(&img->buf, n ? n : 1, sizeof(float));
    img->vox = img->buf, img->buf_bytes = 0;
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
    const int *d = img->dim, *lo = img->win_lo, *wn = img->win_n;
    size_t nx = (size_t)d[0];
    while (n) { /* row by row: 0 outside the window, the stored voxels inside */
        size_t x = first % nx, r = first / nx, len = n < nx - x ? n : nx - x;
        int y = (int)(r % (size_t)d[1]), z = (int)(r / (size_t)d[1]);
        for (size_t i = 0; i < len; i++) o[i] = 0;
        size_t a = x > (size_t)lo[0] ? x : (size_t)lo[0], e = (size_t)lo[0] + (size_t)wn[0];
        if (e > x + len) e = x + len;
        if (y >= lo[1] && y < lo[1] + wn[1] && z >= lo[2] && z < lo[2] + wn[2] && a < e)
            stored_values(img,
                          a - (size_t)lo[0] + (size_t)wn[0] * ((size_t)(y - lo[1]) +
                                                               (size_t)wn[1] * (size_t)(z - lo[2])),
                          e - a, o + (a - x));
        first += len, o += len, n -= len;
    }
}

/* Finds value in the n stored voxels from first (indices into vox), as stored_values() would
 * give them: 1 and the first and last positions when present.  Integer voxels without scaling are compared as
 * stored (an integer converts to a float below 2^24 in magnitude only when it equals it);
 * anything else is converted into scratch (n floats) first. */
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
        size_t i = 0;
        while (i < n && scratch[i] != value) i++;
        if (i == n) return 0;
        *lo = i;
        for (*hi = n - 1; scratch[*hi] != value;) --*hi;
        return 1;
    }
}

rgx_err image_box_of(const image_t *img, float value, int lo[3], int hi[3])
{
    const int *d = img->dim;
    for (int a = 0; a < 3; a++) lo[a] = d[a], hi[a] = -1;
    /* The stored rows, or, for a window, its rows (a label other than 0 is only there);
     * a window searched for 0 reads every row through image_values. */
    int whole = img->windowed && value == 0;
    int o[3] = {0, 0, 0}, n[3] = {d[0], d[1], d[2]};
    if (img->windowed && !whole)
        for (int a = 0; a < 3; a++) o[a] = img->win_lo[a], n[a] = img->win_n[a];
    float *scratch = NULL;
    rgx_err err = rgx_calloc(&scratch, (size_t)d[0], sizeof *scratch);
    for (int k = 0; k < n[2] && !err; k++)
        for (int j = 0; j < n[1]; j++) {
            size_t start = (size_t)n[0] * ((size_t)j + (size_t)n[1] * (size_t)k), first, last;
            if (whole) {
                image_values(img, start, (size_t)n[0], scratch);
                for (first = 0; first < (size_t)n[0] && scratch[first] != value; first++) {}
                if (first == (size_t)n[0]) continue;
                for (last = (size_t)n[0] - 1; scratch[last] != value; last--) {}
            } else if (!find_in_run(img, start, (size_t)n[0], value, scratch, &first, &last)) {
                continue;
            }
            int c[3][2] = {{o[0] + (int)first, o[0] + (int)last}, {o[1] + j, o[1] + j},
                           {o[2] + k, o[2] + k}};
            for (int a = 0; a < 3; a++) {
                if (c[a][0] < lo[a]) lo[a] = c[a][0];
                if (c[a][1] > hi[a]) hi[a] = c[a][1];
            }
        }
    free(scratch);
    return err;
}

int image_all_nan(const image_t *img)
{
    if (img->datatype != DT_FLOAT32 && img->datatype != DT_FLOAT64) return 0;
    float run[4096];
    size_t n = image_nvox(img);
    for (size_t i = 0; i < n; i += 4096) {
        size_t m = n - i < 4096 ? n - i : 4096;
        image_values(img, i, m, run);
        for (size_t k = 0; k < m; k++)
            if (!isnan(run[k])) return 0;
    }
    return 1;
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
    if (!err && nifti_set_filenames(nim, path, 0, 1) != 0)
        err = rgx_fail(RGX_ERR_IO, "%s: not a NIfTI file name (.nii or .nii.gz)", path);
    if (!err) {
        nifti_image_write(nim);
        struct stat st;
        if (stat(path, &st) != 0) err = rgx_fail(RGX_ERR_IO, "%s: could not be written", path);
    }
    nifti_image_free(nim);
    return err;
}
