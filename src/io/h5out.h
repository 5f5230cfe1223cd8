/* h5out.h — the run file, written with parallel HDF5 by every rank.
 *
 * A run file is created under a temporary name (<path>.part), mode 0640 (it holds health
 * data), and renamed to its final name by h5out_commit() only when every stage that wrote
 * it succeeded: no reader ever sees a half-written file.  Object time stamps are off, so
 * two runs that compute the same numbers write the same objects.
 *
 * Every function here is collective over the communicator given to h5out_create(): all
 * ranks call it, in the same order, with the same names, types and shapes.  Only the data
 * buffers differ.  Ranks with nothing to write still call (with n = 0). */
#ifndef RGX_H5OUT_H
#define RGX_H5OUT_H

#include <hdf5.h>
#include <mpi.h>
#include <stddef.h>

#include "err.h"

#ifndef H5_HAVE_PARALLEL
#error "radiogx needs the parallel (openmpi) flavour of HDF5: pkg-config hdf5-openmpi"
#endif

typedef struct {
    hid_t file;
    hid_t xfer;     /* collective transfer property list */
    hid_t xfer_ind; /* independent transfer property list */
    MPI_Comm comm;
    int rank, size;
    char *path; /* final name */
    char *tmp;  /* name while writing */
    int failed; /* a collective call failed on some rank: the file cannot be closed */
    long long reserved; /* bytes given disk blocks before the close (rank 0) */
    int wb_fd1;         /* 1 + a descriptor of tmp for h5out_writeback, or 0 */
} h5out_t;

/* Creates <path>.part (replacing a stale one), mode 0640. */
rgx_err h5out_create(h5out_t *h, const char *path, MPI_Comm comm);
/* Closes and renames <path>.part to <path>. */
rgx_err h5out_commit(h5out_t *h);
/* Starts writing to disk what this node has written of the file so far, without waiting for
 * it (best effort; not collective): the commit's fsync then has only the rest to wait for. */
void h5out_writeback(h5out_t *h);
/* Closes and removes <path>.part (a failed run).  After a failed write the file is removed
 * unclosed, and the job ends with MPI_Abort (mpienv_abort_at_end): parallel HDF5 cannot close
 * it safely. */
void h5out_discard(h5out_t *h);

/* Creates the groups on a path ("/assoc"; intermediate groups too). */
rgx_err h5out_group(h5out_t *h, const char *name);

/* How a dataset is compressed: not (stored contiguous), with deflate (small tables that any
 * HDF5 reader must read without a plugin: the features), or with zstd (h5zstd.h: the large
 * association store, where deflate's speed would cost more than the scan's writing). */
typedef enum { H5OUT_PLAIN, H5OUT_DEFLATE, H5OUT_ZSTD } h5out_codec_t;

/* A rows x cols dataset (cols == 0: a 1D dataset of rows values); with a codec and a level
 * above 0, shuffled, compressed and chunked by chunk_rows rows (0 = chunks of up to 1 MiB).
 * It is not filled: every row must be written before the file is committed.
 * The handle is the caller's to close with H5Dclose(). */
rgx_err h5out_matrix_create(h5out_t *h, const char *name, hid_t type, hsize_t rows, hsize_t cols,
                            hsize_t chunk_rows, h5out_codec_t codec, int level, hid_t *dset);
/* Writes this rank's rows [row0, row0 + nrows) of a dataset made by h5out_matrix_create. */
rgx_err h5out_matrix_write(h5out_t *h, hid_t dset, hid_t memtype, hsize_t row0, hsize_t nrows,
                           const void *buf);
/* Writes this rank's rows at the given (sorted, distinct) row indices; buf holds them in
 * that order. */
rgx_err h5out_matrix_write_at(h5out_t *h, hid_t dset, hid_t memtype, size_t n,
                              const hsize_t *rows, const void *buf);

/* Each rank contributes n_local rows; they are placed in rank order (offsets from
 * MPI_Exscan) in a new dataset of the total size.  cols == 0: 1D. */
rgx_err h5out_write_rows(h5out_t *h, const char *name, hid_t type, size_t n_local, size_t cols,
                         const void *buf);
/* The same for strings, stored as fixed-length NUL-padded strings as wide as the longest. */
rgx_err h5out_write_strings(h5out_t *h, const char *name, size_t n_local, const char *const *s);
/* Strings every rank holds identically (names, metadata): written once. */
rgx_err h5out_write_strings_all(h5out_t *h, const char *name, size_t n, const char *const *s);
/* Numbers every rank holds identically: written once. cols == 0: 1D. */
rgx_err h5out_write_all(h5out_t *h, const char *name, hid_t type, size_t rows, size_t cols,
                        const void *buf);

/* Attributes on an object ("/" for the file). Every rank passes the same value. */
rgx_err h5out_attr_str(h5out_t *h, const char *obj, const char *name, const char *value);
rgx_err h5out_attr_double(h5out_t *h, const char *obj, const char *name, double value);
rgx_err h5out_attr_long(h5out_t *h, const char *obj, const char *name, long value);

/* Copies objects (groups or datasets, recursively) from another HDF5 file into this one,
 * under the same names: how a stage carries forward what an earlier stage wrote. */
rgx_err h5out_copy_from(h5out_t *h, const char *src_path, const char *const *objs, size_t n);

#endif
