/* test_h5zstd.c — the zstd HDF5 filter's function (src/io/h5zstd.c): a chunk compressed and
 * decompressed comes back the same; the frame is plain zstd (ZSTD_decompress reads it); a
 * truncated, damaged or oversized frame is refused (0), never read past. */
#include "tap.h"
#include "h5zstd.h"

#include <stdlib.h>
#include <string.h>
#include <zstd.h>

static void *copy_of(const void *p, size_t n)
{
    void *q = malloc(n ? n : 1);
    if (q) memcpy(q, p, n);
    return q;
}

int main(void)
{
    enum { N = 100000 };
    double *x = malloc(N * sizeof *x);
    for (size_t i = 0; i < N; i++) x[i] = (double)((i * 2654435761u) % 100003) / 97.0 - 500;
    size_t n = N * sizeof *x, size = n;
    unsigned level = 1;
    void *buf = copy_of(x, n);
    size_t c = h5zstd_filter(0, 1, &level, n, &size, &buf);
    ok(c > 0 && c < n && size == c, "compressed: smaller than the chunk");
    void *frame = copy_of(buf, c);
    double *plain = malloc(n);
    ok(ZSTD_decompress(plain, n, frame, c) == n && !memcmp(plain, x, n),
       "the frame is plain zstd with its size (ZSTD_decompress)");
    size_t d = h5zstd_filter(H5Z_FLAG_REVERSE, 1, &level, c, &size, &buf);
    ok(d == n && !memcmp(buf, x, n), "decompressed: the same bytes");
    free(buf);

    buf = copy_of(frame, c / 2);
    ok(h5zstd_filter(H5Z_FLAG_REVERSE, 1, &level, c / 2, &size, &buf) == 0,
       "a truncated frame: refused");
    free(buf);
    buf = copy_of(frame, c);
    memset((char *)buf + c / 2, 0x5a, 64);
    ok(h5zstd_filter(H5Z_FLAG_REVERSE, 1, &level, c, &size, &buf) == 0,
       "a damaged frame: refused");
    free(buf);
    buf = copy_of("not zstd at all", 15);
    ok(h5zstd_filter(H5Z_FLAG_REVERSE, 1, &level, 15, &size, &buf) == 0, "not a frame: refused");
    free(buf);
    /* A frame header that claims 2^40 bytes (magic, a descriptor for an 8-byte size and one
     * segment, the size, an empty last block): refused before any allocation of that size. */
    unsigned char hdr[16] = {0x28, 0xb5, 0x2f, 0xfd, 0xe0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0};
    buf = copy_of(hdr, sizeof hdr);
    ok(ZSTD_getFrameContentSize(hdr, sizeof hdr) == (unsigned long long)1 << 40 &&
           h5zstd_filter(H5Z_FLAG_REVERSE, 1, &level, sizeof hdr, &size, &buf) == 0,
       "a frame claiming 1 TiB: refused");
    free(buf), free(frame), free(plain), free(x);
    return tap_done();
}
