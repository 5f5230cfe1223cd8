/* h5cmp.c — see h5cmp.h. */
#include "h5cmp.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5in.h"
#include "util.h"

typedef struct {
    hid_t a, b;
    int same;
    char *diff;
    rgx_err err;
} cmp_t;

static void differ(cmp_t *c, const char *fmt, const char *name, const char *more)
{
    if (!c->same) return;
    c->same = 0;
    size_t n = strlen(fmt) + strlen(name) + strlen(more) + 1;
    c->diff = malloc(n);
    if (c->diff) snprintf(c->diff, n, fmt, name, more);
}

static void cmp_object(cmp_t *c, const char *name);

static herr_t member(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)info;
    cmp_t *c = data;
    char parent[1024], full[2048];
    H5Iget_name(g, parent, sizeof parent);
    snprintf(full, sizeof full, "%s/%s", strcmp(parent, "/") ? parent : "", name);
    cmp_object(c, full);
    return c->same && !c->err ? 0 : 1;
}

/* Members of b that a lacks. */
static herr_t extra(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)info;
    cmp_t *c = data;
    char parent[1024], full[2048];
    H5Iget_name(g, parent, sizeof parent);
    snprintf(full, sizeof full, "%s/%s", strcmp(parent, "/") ? parent : "", name);
    if (!h5in_exists(c->a, full)) differ(c, "%s: only in the second file%s", full, "");
    return c->same ? 0 : 1;
}

static void cmp_dataset(cmp_t *c, const char *name)
{
    hid_t da = H5Dopen2(c->a, name, H5P_DEFAULT), db = H5Dopen2(c->b, name, H5P_DEFAULT);
    hid_t ta = H5Dget_type(da), tb = H5Dget_type(db);
    hid_t sa = H5Dget_space(da), sb = H5Dget_space(db);
    int ra = H5Sget_simple_extent_ndims(sa), rb = H5Sget_simple_extent_ndims(sb);
    /* As many dimensions as HDF5 allows: a run file to verify is input (one of rank 9
     * overflowed arrays of 8). */
    hsize_t dimsa[H5S_MAX_RANK] = {0}, dimsb[H5S_MAX_RANK] = {0};
    H5Sget_simple_extent_dims(sa, dimsa, NULL);
    H5Sget_simple_extent_dims(sb, dimsb, NULL);
    size_t wa = H5Tget_size(ta), wb = H5Tget_size(tb), w = wa > wb ? wa : wb;
    int is_float = H5Tget_class(ta) == H5T_FLOAT;
    hsize_t cols = 1; /* elements a row (past the first dimension) */
    int wide = 0;     /* a row of over 1 GiB (the product could overflow) */
    for (int d = 1; d < ra && w; d++) {
        if (dimsa[d] && cols > (hsize_t)(1 << 30) / w / dimsa[d]) wide = 1;
        cols *= dimsa[d];
    }
    if (ra < 0 || rb < 0 || w == 0) {
        c->err = rgx_fail(RGX_ERR_INPUT, "cannot read the shape or type of %s", name);
    } else if (ra != rb || memcmp(dimsa, dimsb, sizeof dimsa) != 0) {
        differ(c, "%s: shapes differ%s", name, "");
    } else if (H5Tget_class(ta) != H5Tget_class(tb) ||
               (!(H5Tget_class(ta) == H5T_STRING) && wa != wb)) {
        differ(c, "%s: types differ%s", name, "");
    } else if (wide) {
        c->err = rgx_fail(RGX_ERR_INPUT, "%s: a row of over 1 GiB: not compared", name);
    } else {
        /* Row by row, so that a 10M x 1000 matrix does not need two copies in memory. */
        hsize_t rows = ra ? dimsa[0] : 1;
        hid_t mt = H5Tcopy(ta);
        if (H5Tget_class(ta) == H5T_STRING) H5Tset_size(mt, w);
        hsize_t block = rows ? (hsize_t)(1 << 20) / (cols * w + 1) + 1 : 0;
        unsigned char *ba = malloc(block * cols * w + 1), *bb = malloc(block * cols * w + 1);
        if (!ba || !bb) c->err = rgx_fail(RGX_ERR_MEMORY, "out of memory comparing %s", name);
        for (hsize_t r0 = 0; !c->err && c->same && r0 < rows; r0 += block) {
            hsize_t nr = rows - r0 < block ? rows - r0 : block;
            hsize_t start[H5S_MAX_RANK] = {r0}, count[H5S_MAX_RANK] = {nr};
            for (int d = 1; d < ra; d++) count[d] = dimsa[d];
            hid_t ms = H5Screate_simple(ra ? ra : 1, ra ? count : (hsize_t[]){1}, NULL);
            if (ra) {
                H5Sselect_hyperslab(sa, H5S_SELECT_SET, start, NULL, count, NULL);
                H5Sselect_hyperslab(sb, H5S_SELECT_SET, start, NULL, count, NULL);
            }
            memset(ba, 0, nr * cols * w), memset(bb, 0, nr * cols * w);
            if (H5Dread(da, mt, ms, sa, H5P_DEFAULT, ba) < 0 ||
                H5Dread(db, mt, ms, sb, H5P_DEFAULT, bb) < 0)
                c->err = rgx_fail(RGX_ERR_INPUT, "cannot read %s", name);
            H5Sclose(ms);
            for (size_t e = 0; !c->err && e < nr * cols; e++) {
                if (memcmp(ba + e * w, bb + e * w, w) == 0) continue;
                char where[256];
                size_t row = (size_t)r0 + e / cols, col = e % cols;
                if (is_float && w == sizeof(double)) {
                    double x, y;
                    memcpy(&x, ba + e * w, w), memcpy(&y, bb + e * w, w);
                    snprintf(where, sizeof where, "[%zu,%zu]: %.17g vs %.17g", row, col, x, y);
                } else if (H5Tget_class(ta) == H5T_STRING) {
                    /* Fixed-width strings need not end in a NUL. */
                    int la = (int)strnlen((char *)ba + e * w, w < 80 ? w : 80);
                    int lb = (int)strnlen((char *)bb + e * w, w < 80 ? w : 80);
                    snprintf(where, sizeof where, "[%zu]: \"%.*s\" vs \"%.*s\"", row, la,
                             (char *)ba + e * w, lb, (char *)bb + e * w);
                } else {
                    snprintf(where, sizeof where, "[%zu,%zu]: bytes differ", row, col);
                }
                differ(c, "%s%s", name, where);
                break;
            }
        }
        free(ba), free(bb);
        H5Tclose(mt);
    }
    H5Sclose(sa), H5Sclose(sb), H5Tclose(ta), H5Tclose(tb), H5Dclose(da), H5Dclose(db);
}

static void cmp_object(cmp_t *c, const char *name)
{
    int ina = h5in_exists(c->a, name), inb = h5in_exists(c->b, name);
    if (!ina && !inb) return;
    if (!ina || !inb) {
        differ(c, "%s: only in the %s file", name, ina ? "first" : "second");
        return;
    }
    H5O_info_t ia, ib;
    H5Oget_info_by_name2(c->a, name, &ia, H5O_INFO_BASIC, H5P_DEFAULT);
    H5Oget_info_by_name2(c->b, name, &ib, H5O_INFO_BASIC, H5P_DEFAULT);
    if (ia.type != ib.type) {
        differ(c, "%s: a group in one file, a dataset in the other%s", name, "");
        return;
    }
    if (ia.type == H5O_TYPE_DATASET) {
        cmp_dataset(c, name);
        return;
    }
    hid_t ga = H5Gopen2(c->a, name, H5P_DEFAULT), gb = H5Gopen2(c->b, name, H5P_DEFAULT);
    H5Literate(ga, H5_INDEX_NAME, H5_ITER_INC, NULL, member, c);
    if (c->same && !c->err) H5Literate(gb, H5_INDEX_NAME, H5_ITER_INC, NULL, extra, c);
    H5Gclose(ga), H5Gclose(gb);
}

rgx_err h5cmp_files(const char *a, const char *b, const char *const *objs, size_t n, int *same,
                    char **diff)
{
    cmp_t c = {H5I_INVALID_HID, H5I_INVALID_HID, 1, NULL, RGX_OK};
    *diff = NULL;
    *same = 0;
    rgx_err err = h5in_open(a, &c.a);
    if (!err) err = h5in_open(b, &c.b);
    for (size_t i = 0; !err && c.same && i < n; i++) {
        cmp_object(&c, objs[i]);
        err = c.err;
    }
    h5in_close(c.a);
    h5in_close(c.b);
    if (err) {
        free(c.diff);
        return err;
    }
    *same = c.same;
    *diff = c.diff;
    return RGX_OK;
}
