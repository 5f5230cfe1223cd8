/* fuzz.h — what the harnesses of tests/fuzz share: a private folder for the files a parser
 * reads (in memory, /dev/shm, where there is one), and writing the fuzzer's bytes there.
 * Each harness is one file, fuzz_<parser>.c, defining LLVMFuzzerTestOneInput; it is built
 * with libFuzzer by `make fuzz` and with tests/fuzz/replay.c by `make test` (tests/fuzz/
 * README.md). */
#ifndef RGX_FUZZ_H
#define RGX_FUZZ_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir_path[96];

/* Removes the harness's folder and the files in it (a harness writes no subfolders). */
static void fuzz_dir_remove(void)
{
    DIR *d = opendir(fuzz_dir_path);
    if (!d) return;
    char path[512];
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        snprintf(path, sizeof path, "%s/%s", fuzz_dir_path, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(fuzz_dir_path);
}

/* The harness's folder, made on first use (named after the harness) and removed at exit:
 * every run of a fuzzer and of the replay in `make test` would otherwise leave one behind. */
static inline const char *fuzz_dir(const char *name)
{
    char *dir = fuzz_dir_path;
    if (!dir[0]) {
        snprintf(dir, sizeof fuzz_dir_path, "/dev/shm/%s.XXXXXX", name);
        if (!mkdtemp(dir)) {
            snprintf(dir, sizeof fuzz_dir_path, "/tmp/%s.XXXXXX", name);
            if (!mkdtemp(dir)) abort();
        }
        atexit(fuzz_dir_remove);
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
