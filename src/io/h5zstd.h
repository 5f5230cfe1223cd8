/* h5zstd.h — Zstandard as an HDF5 filter, for the run file's association store.
 *
 * The filter is the one registered with The HDF Group for Zstandard (id 32015), with the
 * chunk format of its reference plugin: each chunk is one zstd frame that states its
 * decompressed size; cd_values[0] is the compression level.  So any reader with a standard
 * zstd plugin (h5py with `import hdf5plugin`, HDF5's tools with HDF5_PLUGIN_PATH) reads
 * radiogx's files, and radiogx reads theirs.  radiogx registers it in-process before it
 * creates or opens a file; the same source, built with H5ZSTD_PLUGIN, is the loadable plugin
 * (build/hdf5-plugins/libh5zstd.so) for HDF5's own tools. */
#ifndef RGX_H5ZSTD_H
#define RGX_H5ZSTD_H

#include <hdf5.h>

#define H5ZSTD_ID 32015

/* Registers the filter with this process's HDF5 (once; later calls do nothing). */
void h5zstd_register(void);

/* The filter function (HDF5's H5Z_func_t): compresses *buf (nbytes) into a zstd frame, or
 * with H5Z_FLAG_REVERSE decompresses it; *buf is replaced by a new buffer of *buf_size
 * bytes.  Returns the bytes of the result, 0 on failure (a corrupt or truncated frame, one
 * that states a size other than it holds or over 4 GiB, no memory): HDF5 then fails the
 * read. */
size_t h5zstd_filter(unsigned flags, size_t cd_nelmts, const unsigned cd_values[],
                     size_t nbytes, size_t *buf_size, void **buf);

#endif
