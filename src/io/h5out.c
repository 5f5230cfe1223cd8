/* h5out.c — see h5out.h. */
#include "h5out.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "comm.h"
#include "fault.h"
#include "h5zstd.h"
#include "mpienv.h"
#include "outfile.h"
#include "util.h"

#define CHUNK_TARGET (1u << 20) /* bytes per chunk when the caller does not say */

/* Every rank learns whether any rank failed, so that a collective sequence stops together. */
static rgx_err agree(h5out_t *h, rgx_err err)
{
    rgx_err e = comm_agree(h->comm, err, "writing the run file");
    if (e) h->failed = 1; /* the file cannot be closed any more (h5out_discard) */
    return e;
}

rgx_err h5out_create(h5out_t *h, const char *path, MPI_Comm comm)
{
    memset(h, 0, sizeof *h);
    h->file = H5I_INVALID_HID;
    h->xfer = h->xfer_ind = H5I_INVALID_HID;
    h->comm = comm;
    MPI_Comm_rank(comm, &h->rank);
    MPI_Comm_size(comm, &h->size);
    /* Our messages, not HDF5's stack dumps (RGX_HDF5_ERRORS=1 shows them, for debugging). */
    if (!getenv("RGX_HDF5_ERRORS")) H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    h5zstd_register();
    rgx_err err = rgx_strdup(&h->path, path);
    if (!err) {
        size_t n = strlen(path) + 6;
        if (!(err = rgx_calloc(&h->tmp, n, 1))) snprintf(h->tmp, n, "%s.part", path);
    }
    if ((err = agree(h, err))) return err;

    if (h->rank == 0) {
        /* Pre-create the file 0640 so that it is never world-readable, even for a moment;
         * HDF5 then truncates it and keeps the mode. */
        unlink(h->tmp);
        int fd = open(h->tmp, O_CREAT | O_EXCL | O_WRONLY, 0640);
        if (fd < 0) err = rgx_fail(RGX_ERR_IO, "%s: cannot create: %s", h->tmp, strerror(errno));
        else {
            close(fd);
            if (chmod(h->tmp, 0640) != 0)
                err = rgx_fail(RGX_ERR_IO, "%s: cannot set mode 0640: %s", h->tmp, strerror(errno));
        }
    }
    if ((err = agree(h, err))) return err;

    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
    H5Pset_all_coll_metadata_ops(fapl, 1);
    H5Pset_coll_metadata_write(fapl, 1);
    /* Closing the file closes whatever a failed stage left open (a dataset): with the MPI-IO
     * driver's default ("semi") the close would fail, and HDF5 would close the file again at
     * MPI_Finalize, after a write error, and crash there. */
    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_obj_track_times(fcpl, 0);
    h->file = H5Fcreate(h->tmp, H5F_ACC_TRUNC, fcpl, fapl);
    H5Pclose(fcpl);
    H5Pclose(fapl);
    if (h->file < 0) err = rgx_fail(RGX_ERR_IO, "%s: cannot create the HDF5 file", h->tmp);
    h->xfer = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(h->xfer, H5FD_MPIO_COLLECTIVE);
    h->xfer_ind = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(h->xfer_ind, H5FD_MPIO_INDEPENDENT);
    return agree(h, err);
}

static rgx_err close_file(h5out_t *h)
{
    rgx_err err = RGX_OK;
    if (h->xfer >= 0) H5Pclose(h->xfer);
    if (h->xfer_ind >= 0) H5Pclose(h->xfer_ind);
    if (h->file >= 0 && H5Fclose(h->file) < 0) {
        err = rgx_fail(RGX_ERR_IO, "%s: closing the HDF5 file failed", h->tmp);
        mpienv_abort_at_end(RGX_ERR_IO); /* HDF5 would retry at MPI_Finalize and crash */
    }
    h->file = h->xfer = h->xfer_ind = H5I_INVALID_HID;
    return err;
}

static void free_names(h5out_t *h)
{
    if (h->wb_fd1 > 0) close(h->wb_fd1 - 1);
    h->wb_fd1 = 0;
    free(h->path);
    free(h->tmp);
    h->path = h->tmp = NULL;
}

/* Gives the file's unwritten parts (metadata HDF5 writes when it closes) their disk blocks
 * now: on a full disk the failure shows here, where every rank can agree on it, and not
 * inside HDF5's closing flush, where parallel HDF5 1.10 hangs on one (its ranks' collective
 * steps diverge).  File systems without fallocate skip this (best effort). */
static rgx_err reserve_blocks(h5out_t *h)
{
    if (h->rank != 0) return RGX_OK;
    /* New objects' metadata gets its file space only when flushed, past the current end:
     * room for the whole metadata cache (and 4 MiB more) is reserved beyond it, a reservation
     * past the end of the file that the close's truncation returns. */
    size_t max_size = 0, min_clean = 0, cur_size = 0;
    int n_entries = 0;
    if (H5Fget_mdc_size(h->file, &max_size, &min_clean, &cur_size, &n_entries) < 0) cur_size = 0;
    int fd = open(h->tmp, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return rgx_fail(RGX_ERR_IO, "%s: cannot open: %s", h->tmp, strerror(errno));
    rgx_err err = RGX_OK;
    struct stat st;
    off_t len = fstat(fd, &st) == 0 ? st.st_size : 0;
    len += (off_t)cur_size + ((off_t)4 << 20);
    if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, len) == 0)
        h->reserved = len;
    else if (errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL)
        err = rgx_fail(RGX_ERR_IO, "%s: write failed: %s", h->tmp, strerror(errno));
    close(fd);
    return err;
}

/* After the close: the reservation's blocks past the end of the file are returned (some file
 * systems keep them otherwise). */
static void release_blocks(h5out_t *h)
{
    int fd = h->rank == 0 && h->reserved ? open(h->tmp, O_WRONLY | O_CLOEXEC) : -1;
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size < h->reserved &&
        fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, st.st_size,
                  h->reserved - st.st_size) != 0) {
        /* best effort: the blocks are only wasted, the file is complete */
    }
    if (fd >= 0) close(fd);
    h->reserved = 0;
}

/* sync_file_range queues the dirty pages for writing and returns: the disk writes them while
 * the scan computes its next blocks.  Without it the commit's fsync wrote the whole file at
 * the end (0.14-0.17 s of the 10,000 x 20,000 x 1,000 scan's 160 MB here).  File systems
 * without it (or where it does nothing, as over the network) just leave it to the fsync. */
void h5out_writeback(h5out_t *h)
{
    if (!h->tmp) return;
    if (h->wb_fd1 == 0) {
        int fd = open(h->tmp, O_RDONLY | O_CLOEXEC);
        h->wb_fd1 = fd >= 0 ? fd + 1 : -1; /* -1: could not open; not tried again */
    }
    if (h->wb_fd1 > 0 && sync_file_range(h->wb_fd1 - 1, 0, 0, SYNC_FILE_RANGE_WRITE) != 0) {
        /* best effort: the commit's fsync writes what is left */
    }
}

rgx_err h5out_commit(h5out_t *h)
{
    rgx_err err = agree(h, reserve_blocks(h));
    if (err) return err; /* the caller's h5out_discard ends it (the file stays unclosed) */
    err = agree(h, close_file(h));
    if (!err) release_blocks(h);
    /* Every rank syncs (its node may cache what it wrote), then rank 0 renames and syncs the
     * folder (outfile.h): the name appears only over complete, durable data. */
    if (!err && h->rank != 0) {
        int fd = open(h->tmp, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) != 0)
            err = rgx_fail(RGX_ERR_IO, "%s: write failed: %s", h->tmp, strerror(errno));
        if (fd >= 0) close(fd);
    }
    if (!err) fault_point("commit", NULL);
    err = agree(h, err);
    if (!err && h->rank == 0) err = outfile_publish(h->tmp, h->path);
    err = agree(h, err);
    free_names(h);
    return err;
}

void h5out_discard(h5out_t *h)
{
    if (h->failed && h->file >= 0) {
        /* After a failed write (a full disk, an I/O error) parallel HDF5 1.10 cannot close
         * the file: its ranks' collective flushes diverge and hang, and a failed close makes
         * MPI_Finalize crash.  The file is left unclosed (only removed) and the job ends with
         * MPI_Abort and this error's code once the command has reported it. */
        if (h->xfer >= 0) H5Pclose(h->xfer);
        if (h->xfer_ind >= 0) H5Pclose(h->xfer_ind);
            h->file = h->xfer = h->xfer_ind = H5I_INVALID_HID;
        mpienv_abort_at_end(RGX_ERR_IO);
    }
    close_file(h);
    MPI_Barrier(h->comm);
    if (h->rank == 0 && h->tmp) unlink(h->tmp);
    free_names(h);
}

static hid_t obj_create_plist(hid_t cls)
{
    hid_t p = H5Pcreate(cls);
    H5Pset_obj_track_times(p, 0);
    return p;
}

rgx_err h5out_group(h5out_t *h, const char *name)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", name);
    rgx_err err = RGX_OK;
    for (char *p = buf + 1; !err; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (H5Lexists(h->file, buf, H5P_DEFAULT) <= 0) {
                hid_t gcpl = obj_create_plist(H5P_GROUP_CREATE);
                hid_t g = H5Gcreate2(h->file, buf, H5P_DEFAULT, gcpl, H5P_DEFAULT);
                H5Pclose(gcpl);
                if (g < 0) err = rgx_fail(RGX_ERR_IO, "%s: cannot create group %s", h->tmp, buf);
                else H5Gclose(g);
            }
            if (!c) break;
            *p = c;
        }
    }
    return agree(h, err);
}

/* Creates the parent groups of a dataset name. */
static rgx_err parent_groups(h5out_t *h, const char *name)
{
    const char *slash = strrchr(name, '/');
    if (!slash || slash == name) return RGX_OK;
    char buf[1024];
    snprintf(buf, sizeof buf, "%.*s", (int)(slash - name), name);
    return h5out_group(h, buf);
}

rgx_err h5out_matrix_create(h5out_t *h, const char *name, hid_t type, hsize_t rows, hsize_t cols,
                            hsize_t chunk_rows, h5out_codec_t codec, int level, hid_t *dset)
{
    *dset = H5I_INVALID_HID;
    rgx_err err = parent_groups(h, name);
    if (err) return err;
    int rank = cols ? 2 : 1;
    hsize_t dims[2] = {rows, cols};
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = obj_create_plist(H5P_DATASET_CREATE);
    /* Unfiltered: contiguous, which parallel HDF5 writes independently just as well, and
     * which stores exactly rows x cols (chunks of 1 MiB rounded the rows up to a whole chunk:
     * 0.017 bytes a pair more in a 20,000 x 1,000 scan's /assoc/xty). */
    if (rows > 0 && (cols > 0 || rank == 1) && codec != H5OUT_PLAIN && level > 0) {
        size_t row_bytes = H5Tget_size(type) * (cols ? cols : 1);
        if (!chunk_rows) chunk_rows = CHUNK_TARGET / (row_bytes ? row_bytes : 1);
        if (chunk_rows < 1) chunk_rows = 1;
        if (chunk_rows > rows) chunk_rows = rows;
        hsize_t chunk[2] = {chunk_rows, cols};
        H5Pset_chunk(dcpl, rank, chunk);
        /* Bytes shuffled first: a double's sign and exponent bytes, alike from value to
         * value, then lie together, where zstd finds them; the mantissas are noise. */
        H5Pset_shuffle(dcpl);
        unsigned lv = (unsigned)level;
        if (codec == H5OUT_ZSTD)
            H5Pset_filter(dcpl, H5ZSTD_ID, H5Z_FLAG_MANDATORY, 1, &lv);
        else
            H5Pset_deflate(dcpl, lv);
    }
    /* Never filled: parallel HDF5 allocates a dataset whole at creation, and a fill value
     * would be written over all of it there (480 MB for a 20,000 x 1,000 scan's /assoc) only
     * to be overwritten.  Every caller writes every row before the file is committed. */
    H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
    if (H5Tequal(type, H5T_NATIVE_DOUBLE) > 0) {
        double nan = NAN;
        H5Pset_fill_value(dcpl, type, &nan);
    }
    *dset = H5Dcreate2(h->file, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (*dset < 0) err = rgx_fail(RGX_ERR_IO, "%s: cannot create dataset %s", h->tmp, name);
    return agree(h, err);
}

/* The transfer mode for a dataset: independent, each rank writing its own rows straight to
 * the file (a collective write funnels them through aggregator ranks, which cost a third of
 * a large scan's writing time), except for a filtered dataset, which parallel HDF5 can only
 * write collectively. */
static hid_t xfer_for(const h5out_t *h, hid_t dset)
{
    hid_t dcpl = H5Dget_create_plist(dset);
    int filtered = dcpl >= 0 && H5Pget_nfilters(dcpl) > 0;
    if (dcpl >= 0) H5Pclose(dcpl);
    return filtered ? h->xfer : h->xfer_ind;
}

rgx_err h5out_matrix_write(h5out_t *h, hid_t dset, hid_t memtype, hsize_t row0, hsize_t nrows,
                           const void *buf)
{
    hid_t fspace = H5Dget_space(dset);
    int rank = H5Sget_simple_extent_ndims(fspace);
    hsize_t dims[2] = {0, 0};
    H5Sget_simple_extent_dims(fspace, dims, NULL);
    hsize_t start[2] = {row0, 0}, count[2] = {nrows, rank == 2 ? dims[1] : 1};
    hid_t mspace = H5Screate_simple(rank, count, NULL);
    if (nrows == 0 || (rank == 2 && dims[1] == 0)) {
        H5Sselect_none(fspace);
        H5Sselect_none(mspace);
    } else {
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL);
    }
    /* An empty dataset has no storage to write to (every rank sees the same shape). */
    herr_t st = dims[0] == 0 || (rank == 2 && dims[1] == 0)
                    ? 0
                    : H5Dwrite(dset, memtype, mspace, fspace, xfer_for(h, dset), buf);
    H5Sclose(mspace);
    H5Sclose(fspace);
    rgx_err err = st < 0 ? rgx_fail(RGX_ERR_IO, "%s: writing rows %llu..%llu failed", h->tmp,
                                    (unsigned long long)row0,
                                    (unsigned long long)(row0 + nrows)) : RGX_OK;
    return agree(h, err);
}

rgx_err h5out_matrix_write_at(h5out_t *h, hid_t dset, hid_t memtype, size_t n,
                              const hsize_t *rows, const void *buf)
{
    hid_t fspace = H5Dget_space(dset);
    int rank = H5Sget_simple_extent_ndims(fspace);
    hsize_t dims[2] = {0, 0};
    H5Sget_simple_extent_dims(fspace, dims, NULL);
    hsize_t cols = rank == 2 ? dims[1] : 1;
    hsize_t mcount[2] = {n, cols};
    hid_t mspace = H5Screate_simple(rank, mcount, NULL);
    if (n == 0 || cols == 0) {
        H5Sselect_none(fspace);
        H5Sselect_none(mspace);
    } else {
        H5Sselect_none(fspace);
        /* Runs of consecutive rows become one hyperslab each. */
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            while (j < n && rows[j] == rows[j - 1] + 1) j++;
            hsize_t start[2] = {rows[i], 0}, count[2] = {j - i, cols};
            H5Sselect_hyperslab(fspace, H5S_SELECT_OR, start, NULL, count, NULL);
            i = j;
        }
    }
    herr_t st = H5Dwrite(dset, memtype, mspace, fspace, xfer_for(h, dset), buf);
    H5Sclose(mspace);
    H5Sclose(fspace);
    return agree(h, st < 0
                        ? rgx_fail(RGX_ERR_IO, "%s: writing %zu scattered rows failed", h->tmp, n)
                        : RGX_OK);
}

rgx_err h5out_write_rows(h5out_t *h, const char *name, hid_t type, size_t n_local, size_t cols,
                         const void *buf)
{
    unsigned long long mine = n_local, before = 0, total = 0;
    MPI_Exscan(&mine, &before, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, h->comm);
    if (h->rank == 0) before = 0; /* MPI_Exscan leaves rank 0's result undefined */
    MPI_Allreduce(&mine, &total, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, h->comm);
    hid_t d;
    rgx_err err = h5out_matrix_create(h, name, type, total, cols, 0, H5OUT_PLAIN, 0, &d);
    if (err) return err;
    err = h5out_matrix_write(h, d, type, before, n_local, buf);
    H5Dclose(d);
    return err;
}

/* Packs strings into fixed-width records; *width is agreed across ranks when all == 0. */
static rgx_err pack_strings(h5out_t *h, size_t n, const char *const *s, int local, char **buf,
                            size_t *width)
{
    unsigned long long w = 1, wmax = 1;
    for (size_t i = 0; i < n; i++) {
        size_t len = s[i] ? strlen(s[i]) : 0;
        if (len > w) w = len;
    }
    if (local) MPI_Allreduce(&w, &wmax, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, h->comm);
    else wmax = w;
    *width = (size_t)wmax;
    rgx_err err = rgx_calloc(buf, n ? n : 1, *width);
    if (err) return err;
    for (size_t i = 0; i < n; i++)
        if (s[i]) memcpy(*buf + i * *width, s[i], strlen(s[i]));
    return RGX_OK;
}

static hid_t string_type(size_t width)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, width);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

rgx_err h5out_write_strings(h5out_t *h, const char *name, size_t n_local, const char *const *s)
{
    char *buf = NULL;
    size_t width;
    rgx_err err = agree(h, pack_strings(h, n_local, s, 1, &buf, &width));
    if (!err) {
        hid_t t = string_type(width);
        err = h5out_write_rows(h, name, t, n_local, 0, buf);
        H5Tclose(t);
    }
    free(buf);
    return err;
}

rgx_err h5out_write_all(h5out_t *h, const char *name, hid_t type, size_t rows, size_t cols,
                        const void *buf)
{
    hid_t d;
    rgx_err err = h5out_matrix_create(h, name, type, rows, cols, 0, H5OUT_PLAIN, 0, &d);
    if (err) return err;
    err = h5out_matrix_write(h, d, type, 0, h->rank == 0 ? rows : 0, buf);
    H5Dclose(d);
    return err;
}

rgx_err h5out_write_strings_all(h5out_t *h, const char *name, size_t n, const char *const *s)
{
    char *buf = NULL;
    size_t width;
    rgx_err err = agree(h, pack_strings(h, n, s, 0, &buf, &width));
    if (!err) {
        hid_t t = string_type(width);
        err = h5out_write_all(h, name, t, n, 0, buf);
        H5Tclose(t);
    }
    free(buf);
    return err;
}

static rgx_err attr_write(h5out_t *h, const char *obj, const char *name, hid_t type,
                          const void *value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    if (H5Aexists_by_name(h->file, obj, name, H5P_DEFAULT) > 0)
        H5Adelete_by_name(h->file, obj, name, H5P_DEFAULT);
    hid_t a = H5Acreate_by_name(h->file, obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT,
                                H5P_DEFAULT);
    herr_t st = a < 0 ? -1 : H5Awrite(a, type, value);
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    return agree(h, st < 0 ? rgx_fail(RGX_ERR_IO, "%s: cannot write attribute %s of %s", h->tmp,
                                      name, obj)
                           : RGX_OK);
}

rgx_err h5out_attr_str(h5out_t *h, const char *obj, const char *name, const char *value)
{
    size_t len = strlen(value);
    hid_t t = string_type(len ? len : 1);
    rgx_err err = attr_write(h, obj, name, t, len ? value : " ");
    H5Tclose(t);
    return err;
}

rgx_err h5out_attr_double(h5out_t *h, const char *obj, const char *name, double value)
{
    return attr_write(h, obj, name, H5T_NATIVE_DOUBLE, &value);
}

rgx_err h5out_attr_long(h5out_t *h, const char *obj, const char *name, long value)
{
    return attr_write(h, obj, name, H5T_NATIVE_LONG, &value);
}

/* ---- copying objects from another file ---- */

typedef struct {
    h5out_t *h;
    hid_t src;
    rgx_err err;
} copy_ctx_t;

static rgx_err copy_object(copy_ctx_t *c, const char *name);

static herr_t copy_attr(hid_t loc, const char *aname, const H5A_info_t *info, void *data)
{
    (void)info;
    copy_ctx_t *c = data;
    char obj[1024];
    H5Iget_name(loc, obj, sizeof obj);
    hid_t a = H5Aopen(loc, aname, H5P_DEFAULT);
    hid_t t = H5Aget_type(a), s = H5Aget_space(a);
    size_t n = (size_t)H5Sget_simple_extent_npoints(s) * H5Tget_size(t);
    void *buf = calloc(n ? n : 1, 1);
    rgx_err err = RGX_OK;
    if (!buf || H5Aread(a, t, buf) < 0) {
        err = rgx_fail(RGX_ERR_INPUT, "cannot read attribute %s of %s", aname, obj);
    } else {
        if (H5Aexists_by_name(c->h->file, obj, aname, H5P_DEFAULT) > 0)
            H5Adelete_by_name(c->h->file, obj, aname, H5P_DEFAULT);
        hid_t na = H5Acreate_by_name(c->h->file, obj, aname, t, s, H5P_DEFAULT, H5P_DEFAULT,
                                     H5P_DEFAULT);
        if (na < 0 || H5Awrite(na, t, buf) < 0)
            err = rgx_fail(RGX_ERR_IO, "cannot copy attribute %s of %s", aname, obj);
        if (na >= 0) H5Aclose(na);
    }
    free(buf);
    H5Tclose(t);
    H5Sclose(s);
    H5Aclose(a);
    c->err = err;
    return err ? -1 : 0;
}

static rgx_err copy_attrs(copy_ctx_t *c, const char *name)
{
    hid_t o = H5Oopen(c->src, name, H5P_DEFAULT);
    if (o < 0) return rgx_fail(RGX_ERR_INPUT, "cannot open %s", name);
    c->err = RGX_OK;
    H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_INC, NULL, copy_attr, c);
    H5Oclose(o);
    return c->err;
}

static herr_t copy_child(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)info;
    copy_ctx_t *c = data;
    char parent[1024], full[2048];
    H5Iget_name(g, parent, sizeof parent);
    snprintf(full, sizeof full, "%s/%s", strcmp(parent, "/") ? parent : "", name);
    c->err = copy_object(c, full);
    return c->err ? -1 : 0;
}

static rgx_err copy_object(copy_ctx_t *c, const char *name)
{
    H5O_info_t info;
    if (H5Oget_info_by_name2(c->src, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
        return rgx_fail(RGX_ERR_INPUT, "no object %s to copy", name);
    rgx_err err;
    if (info.type == H5O_TYPE_GROUP) {
        if ((err = h5out_group(c->h, name))) return err;
        if ((err = copy_attrs(c, name))) return err;
        hid_t g = H5Gopen2(c->src, name, H5P_DEFAULT);
        c->err = RGX_OK;
        H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, copy_child, c);
        H5Gclose(g);
        return c->err;
    }
    if (info.type != H5O_TYPE_DATASET) return RGX_OK;
    hid_t d = H5Dopen2(c->src, name, H5P_DEFAULT);
    hid_t t = H5Dget_type(d), s = H5Dget_space(d);
    int rank = H5Sget_simple_extent_ndims(s);
    hsize_t dims[2] = {0, 0};
    H5Sget_simple_extent_dims(s, dims, NULL);
    size_t n = (size_t)H5Sget_simple_extent_npoints(s) * H5Tget_size(t);
    void *buf = calloc(n ? n : 1, 1);
    err = RGX_OK;
    if (!buf || (n && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0))
        err = rgx_fail(RGX_ERR_INPUT, "cannot read dataset %s", name);
    err = agree(c->h, err);
    if (!err && rank <= 2) {
        hid_t out;
        if (!(err = h5out_matrix_create(c->h, name, t, dims[0], rank == 2 ? dims[1] : 0, 0,
                                        H5OUT_DEFLATE, 4, &out))) {
            err = h5out_matrix_write(c->h, out, t, 0, c->h->rank == 0 ? dims[0] : 0, buf);
            H5Dclose(out);
        }
    }
    free(buf);
    H5Tclose(t);
    H5Sclose(s);
    H5Dclose(d);
    if (!err) err = copy_attrs(c, name);
    return err;
}

rgx_err h5out_copy_from(h5out_t *h, const char *src_path, const char *const *objs, size_t n)
{
    hid_t src = H5Fopen(src_path, H5F_ACC_RDONLY, H5P_DEFAULT); /* (zstd: h5out_create) */
    rgx_err err = agree(h, src < 0 ? rgx_fail(RGX_ERR_INPUT, "%s: cannot open as HDF5", src_path)
                                   : RGX_OK);
    if (err) return err;
    copy_ctx_t c = {h, src, RGX_OK};
    for (size_t i = 0; !err && i < n; i++) err = agree(h, copy_object(&c, objs[i]));
    H5Fclose(src);
    return err;
}
