/* h5in.c — see h5in.h. */
#include "h5in.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "h5zstd.h"
#include "util.h"

rgx_err h5in_open(const char *path, hid_t *file)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    h5zstd_register();
    struct stat st;
    if (stat(path, &st) != 0) return rgx_fail(RGX_ERR_INPUT, "%s: no such file", path);
    if (H5Fis_hdf5(path) <= 0) return rgx_fail(RGX_ERR_INPUT, "%s: not an HDF5 file", path);
    *file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (*file < 0) return rgx_fail(RGX_ERR_INPUT, "%s: cannot open the HDF5 file", path);
    return RGX_OK;
}

void h5in_close(hid_t file)
{
    if (file >= 0) H5Fclose(file);
}

int h5in_exists(hid_t file, const char *name)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", name);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (H5Lexists(file, buf, H5P_DEFAULT) <= 0) return 0;
            if (!c) return 1;
            *p = c;
        }
    }
}

static rgx_err open_dset(hid_t file, const char *name, hid_t *d, hid_t *space, int *rank,
                         hsize_t dims[2])
{
    if (!h5in_exists(file, name)) return rgx_fail(RGX_ERR_INPUT, "run file has no %s", name);
    *d = H5Dopen2(file, name, H5P_DEFAULT);
    if (*d < 0) return rgx_fail(RGX_ERR_INPUT, "cannot open dataset %s", name);
    *space = H5Dget_space(*d);
    *rank = H5Sget_simple_extent_ndims(*space);
    dims[0] = dims[1] = 0;
    if (*rank > 2) {
        H5Sclose(*space);
        H5Dclose(*d);
        return rgx_fail(RGX_ERR_INPUT, "dataset %s has %d dimensions, expected 1 or 2", name,
                        *rank);
    }
    H5Sget_simple_extent_dims(*space, dims, NULL);
    return RGX_OK;
}

rgx_err h5in_read_strings(hid_t file, const char *name, size_t *n, char ***out)
{
    hid_t d, s;
    int rank;
    hsize_t dims[2];
    *out = NULL;
    *n = 0;
    rgx_err err = open_dset(file, name, &d, &s, &rank, dims);
    if (err) return err;
    hid_t t = H5Dget_type(d);
    size_t w = H5Tget_size(t), count = (size_t)dims[0];
    char *buf = NULL;
    char **v = NULL;
    if (H5Tget_class(t) != H5T_STRING || H5Tis_variable_str(t) > 0) {
        err = rgx_fail(RGX_ERR_INPUT, "dataset %s is not a fixed-length string table", name);
        goto out;
    }
    if ((err = rgx_calloc(&buf, count ? count : 1, w))) goto out;
    if ((err = rgx_calloc(&v, count ? count : 1, sizeof *v))) goto out;
    if (count && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        err = rgx_fail(RGX_ERR_INPUT, "cannot read %s", name);
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        if ((err = rgx_calloc(&v[i], w + 1, 1))) goto out;
        memcpy(v[i], buf + i * w, w);
    }
    *out = v;
    *n = count;
    v = NULL;
out:
    if (v) h5in_free_strings(v, count);
    free(buf);
    H5Tclose(t);
    H5Sclose(s);
    H5Dclose(d);
    return err;
}

void h5in_free_strings(char **s, size_t n)
{
    if (!s) return;
    for (size_t i = 0; i < n; i++) free(s[i]);
    free(s);
}

rgx_err h5in_read_doubles(hid_t file, const char *name, size_t *rows, size_t *cols, double **out)
{
    hid_t d, s;
    int rank;
    hsize_t dims[2];
    *out = NULL;
    rgx_err err = open_dset(file, name, &d, &s, &rank, dims);
    if (err) return err;
    size_t n = (size_t)dims[0] * (rank == 2 ? (size_t)dims[1] : 1);
    if (!(err = rgx_calloc(out, n ? n : 1, sizeof **out)) && n &&
        H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0) {
        err = rgx_fail(RGX_ERR_INPUT, "cannot read %s as numbers", name);
        free(*out);
        *out = NULL;
    }
    *rows = (size_t)dims[0];
    *cols = rank == 2 ? (size_t)dims[1] : 0;
    H5Sclose(s);
    H5Dclose(d);
    return err;
}

/* A read that HDF5 refused: a damaged file, or a chunk whose filter did not decode it. */
static rgx_err read_failed(hid_t file, const char *name)
{
    char path[4096] = "";
    if (H5Fget_name(file, path, sizeof path) < 0) snprintf(path, sizeof path, "(run file)");
    return rgx_fail(RGX_ERR_INPUT, "%s: cannot read rows of %s (a damaged file, or a chunk that "
                    "does not decompress)", path, name);
}

rgx_err h5in_read_rows(hid_t file, const char *name, size_t row0, size_t nrows, double *out)
{
    hid_t d, s;
    int rank;
    hsize_t dims[2];
    rgx_err err = open_dset(file, name, &d, &s, &rank, dims);
    if (err) return err;
    hsize_t cols = rank == 2 ? dims[1] : 1;
    if (row0 + nrows > dims[0]) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: rows %zu..%zu beyond its %llu rows", name, row0,
                       row0 + nrows, (unsigned long long)dims[0]);
    } else if (nrows) {
        hsize_t start[2] = {row0, 0}, count[2] = {nrows, cols};
        H5Sselect_hyperslab(s, H5S_SELECT_SET, start, NULL, count, NULL);
        hid_t m = H5Screate_simple(rank, count, NULL);
        if (H5Dread(d, H5T_NATIVE_DOUBLE, m, s, H5P_DEFAULT, out) < 0)
            err = read_failed(file, name);
        H5Sclose(m);
    }
    H5Sclose(s);
    H5Dclose(d);
    return err;
}

rgx_err h5in_read_rows_at(hid_t file, const char *name, size_t n, const size_t *rows, double *out)
{
    hid_t d, s;
    int rank;
    hsize_t dims[2];
    rgx_err err = open_dset(file, name, &d, &s, &rank, dims);
    if (err) return err;
    hsize_t cols = rank == 2 ? dims[1] : 1;
    H5Sselect_none(s);
    for (size_t i = 0; i < n && !err;) { /* runs of consecutive rows, one hyperslab each */
        size_t k = i + 1;
        while (k < n && rows[k] == rows[k - 1] + 1) k++;
        if (rows[k - 1] >= dims[0] || (i && rows[i] <= rows[i - 1]))
            err = rgx_fail(RGX_ERR_INTERNAL, "%s: row %zu out of order or beyond its %llu rows",
                           name, rows[k - 1], (unsigned long long)dims[0]);
        hsize_t start[2] = {rows[i], 0}, count[2] = {k - i, cols};
        if (!err) H5Sselect_hyperslab(s, H5S_SELECT_OR, start, NULL, count, NULL);
        i = k;
    }
    if (!err && n) {
        hsize_t count[2] = {n, cols};
        hid_t m = H5Screate_simple(rank, count, NULL);
        if (H5Dread(d, H5T_NATIVE_DOUBLE, m, s, H5P_DEFAULT, out) < 0)
            err = read_failed(file, name);
        H5Sclose(m);
    }
    H5Sclose(s);
    H5Dclose(d);
    return err;
}

rgx_err h5in_read_longs(hid_t file, const char *name, size_t *n, long **out)
{
    hid_t d, s;
    int rank;
    hsize_t dims[2];
    *out = NULL;
    rgx_err err = open_dset(file, name, &d, &s, &rank, dims);
    if (err) return err;
    *n = (size_t)dims[0];
    if (!(err = rgx_calloc(out, *n ? *n : 1, sizeof **out)) && *n &&
        H5Dread(d, H5T_NATIVE_LONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0) {
        err = rgx_fail(RGX_ERR_INPUT, "cannot read %s as integers", name);
        free(*out);
        *out = NULL;
    }
    H5Sclose(s);
    H5Dclose(d);
    return err;
}

rgx_err h5in_attr_str(hid_t file, const char *obj, const char *name, char **out)
{
    *out = NULL;
    if (H5Aexists_by_name(file, obj, name, H5P_DEFAULT) <= 0)
        return rgx_fail(RGX_ERR_INPUT, "run file has no attribute %s on %s", name, obj);
    hid_t a = H5Aopen_by_name(file, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    hid_t t = H5Aget_type(a);
    rgx_err err = RGX_OK;
    if (H5Tget_class(t) != H5T_STRING || H5Tis_variable_str(t) > 0) {
        err = rgx_fail(RGX_ERR_INPUT, "attribute %s of %s is not a fixed-length string", name, obj);
    } else {
        size_t w = H5Tget_size(t);
        if (!(err = rgx_calloc(out, w + 1, 1)) && H5Aread(a, t, *out) < 0) {
            err = rgx_fail(RGX_ERR_INPUT, "cannot read attribute %s of %s", name, obj);
            free(*out);
            *out = NULL;
        }
    }
    H5Tclose(t);
    H5Aclose(a);
    return err;
}

rgx_err h5in_attr_double(hid_t file, const char *obj, const char *name, double *out)
{
    if (H5Aexists_by_name(file, obj, name, H5P_DEFAULT) <= 0)
        return rgx_fail(RGX_ERR_INPUT, "run file has no attribute %s on %s", name, obj);
    hid_t a = H5Aopen_by_name(file, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = H5Aread(a, H5T_NATIVE_DOUBLE, out);
    H5Aclose(a);
    return st < 0 ? rgx_fail(RGX_ERR_INPUT, "cannot read attribute %s of %s", name, obj) : RGX_OK;
}
