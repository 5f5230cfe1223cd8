/* h5zstd.c — see h5zstd.h. */
#include "h5zstd.h"

#include <stdlib.h>
#include <zstd.h>

/* HDF5's chunks are under 4 GiB (radiogx writes about 1 MiB each, h5out.c): a frame that
 * claims more is refused rather than allocated. */
#define MAX_CHUNK ((size_t)1 << 32)

size_t h5zstd_filter(unsigned flags, size_t cd_nelmts, const unsigned cd_values[],
                     size_t nbytes, size_t *buf_size, void **buf)
{
    void *out = NULL;
    size_t n;
    if (flags & H5Z_FLAG_REVERSE) {
        unsigned long long len = ZSTD_getFrameContentSize(*buf, nbytes);
        if (len == ZSTD_CONTENTSIZE_UNKNOWN || len == ZSTD_CONTENTSIZE_ERROR || len > MAX_CHUNK)
            return 0;
        if (!(out = malloc(len ? (size_t)len : 1))) return 0;
        n = ZSTD_decompress(out, (size_t)len, *buf, nbytes);
        if (ZSTD_isError(n) || n != len) {
            free(out);
            return 0;
        }
    } else {
        int level = cd_nelmts > 0 ? (int)cd_values[0] : 1;
        size_t cap = ZSTD_compressBound(nbytes);
        if (!(out = malloc(cap ? cap : 1))) return 0;
        n = ZSTD_compress(out, cap, *buf, nbytes, level);
        if (ZSTD_isError(n)) {
            free(out);
            return 0;
        }
    }
    free(*buf);
    *buf = out, *buf_size = n;
    return n;
}

static const H5Z_class2_t zstd_class = {
    H5Z_CLASS_T_VERS, H5ZSTD_ID, 1, 1, "zstd", NULL, NULL, (H5Z_func_t)h5zstd_filter};

#ifdef H5ZSTD_PLUGIN
/* The loadable plugin (build/hdf5-plugins/libh5zstd.so): HDF5's tools and h5py find it on
 * HDF5_PLUGIN_PATH.  It calls nothing of HDF5's, so it loads into any build of the library. */
H5PL_type_t H5PLget_plugin_type(void);
const void *H5PLget_plugin_info(void);
H5PL_type_t H5PLget_plugin_type(void) { return H5PL_TYPE_FILTER; }
const void *H5PLget_plugin_info(void) { return &zstd_class; }
#else
void h5zstd_register(void)
{
    if (H5Zfilter_avail(H5ZSTD_ID) <= 0) H5Zregister(&zstd_class);
}
#endif
