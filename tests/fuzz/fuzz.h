/* fuzz.h — what the harnesses of tests/fuzz share: a private folder for the files a parser
 * reads (in memory, /dev/shm, where there is one), and writing the fuzzer's bytes there.
 * Each harness is one file, fuzz_<parser>.c, defining LLVMFuzzerTestOneInput; it is built
 * with libFuzzer by `make fuzz` and with tests/fuzz/replay.c by `make test` (tests/fuzz/
 * README.md). */
#ifndef RGX_FUZZ_H
#define RGX_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness's folder, made on first use (named after the harness). */
static inline const char *fuzz_dir(const char *name)
{
    static char dir[96];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/dev/shm/%s.XXXXXX", name);
        if (!mkdtemp(dir)) {
            snprintf(dir, sizeof dir, "/tmp/%s.XXXXXX", name);
            if (!mkdtemp(dir)) abort();
        }
    }
    return dir;
}

/* Writes n bytes to dir/name; the path in path (size cap).  0 on success. */
static inline int fuzz_put(const char *dir, const char *name, const void *d, size_t n,
                           char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = n ? fwrite(d, 1, n, f) : 0;
    return fclose(f) || w != n ? -1 : 0;
}

#endif
