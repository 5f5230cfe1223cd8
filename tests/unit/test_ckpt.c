/* test_ckpt.c — checkpoint logs: records come back, a record cut by a kill is ignored,
 * logs of another run key are ignored, several ranks' logs are all read. */
#include "tap.h"
#include "ckpt.h"

#include <stdlib.h>
#include <unistd.h>

typedef struct {
    double sum;
    int n;
    uint64_t keys;
} acc_t;

static rgx_err add(void *ctx, uint64_t key, const void *p, size_t len)
{
    acc_t *a = ctx;
    const double *v = p;
    for (size_t i = 0; i < len / sizeof *v; i++) a->sum += v[i];
    a->n++;
    a->keys += key;
    return RGX_OK;
}

int main(void)
{
    char dir[] = "/tmp/rgx_ckpt_XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char sub[256];
    snprintf(sub, sizeof sub, "%s/run.h5.ckpt", dir);
    const char *key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const char *other = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    ckpt_writer_t w;
    is_int(ckpt_open(&w, sub, "extract", 0, key), RGX_OK, "open rank 0 log");
    double v[3] = {1, 2, 3};
    for (uint64_t k = 0; k < 4; k++) ckpt_append(&w, k, v, sizeof v);
    char *path0 = strdup(w.path);
    ckpt_close(&w);
    is_int(ckpt_open(&w, sub, "extract", 1, key), RGX_OK, "open rank 1 log");
    ckpt_append(&w, 10, v, sizeof v);
    ckpt_close(&w);
    is_int(ckpt_open(&w, sub, "extract", 2, other), RGX_OK, "a log of another run");
    ckpt_append(&w, 100, v, sizeof v);
    ckpt_close(&w);
    is_int(ckpt_open(&w, sub, "scan", 0, key), RGX_OK, "a log of another stage");
    ckpt_append(&w, 1000, v, sizeof v);
    ckpt_close(&w);

    acc_t a = {0};
    size_t n;
    is_int(ckpt_read_all(sub, "extract", key, add, &a, &n), RGX_OK, "read all");
    is_int(n, 5, "every record of this run and stage");
    is_int(a.keys, 0 + 1 + 2 + 3 + 10, "keys");
    is_double(a.sum, 30, 0, "payloads");

    /* Cut the last record of rank 0's log in the middle, as kill -9 would. */
    FILE *f = fopen(path0, "rb");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    ok(truncate(path0, size - 5) == 0, "truncate");
    a = (acc_t){0};
    ckpt_read_all(sub, "extract", key, add, &a, &n);
    is_int(n, 4, "the cut record is ignored");
    is_int(a.keys, 0 + 1 + 2 + 10, "the others remain");
    /* Flip a byte inside a payload: the CRC catches it. */
    f = fopen(path0, "r+b");
    fseek(f, 8 + 65 + 4 + 8 + 4 + 3, SEEK_SET);
    fputc(0x5a, f);
    fclose(f);
    a = (acc_t){0};
    ckpt_read_all(sub, "extract", key, add, &a, &n);
    is_int(n, 1, "a damaged record ends that log; other logs still count");
    a = (acc_t){0};
    is_int(ckpt_read_all("/nonexistent/dir", "extract", key, add, &a, &n), RGX_OK, "no folder");
    is_int(n, 0, "no folder, no records");
    ckpt_remove(sub);
    ok(access(sub, F_OK) != 0, "removed");
    rmdir(dir);
    free(path0);
    return tap_done();
}
