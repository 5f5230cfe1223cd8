/* fuzz_bgen.c — libFuzzer harness for radiogx's BGEN reader (src/geno/geno_bgen.c and the
 * probability decoding of src/geno/bgen_prob.c): the input is a .bgen file — or, when it
 * starts with 'S' and a length byte L, a NAME.sample of L bytes followed by the .bgen — opened
 * for its header (the one pass over the variant headers included), then for every sample
 * (at most 4,096), every unit read and every record decoded.  Any input must end in RGX_OK or
 * an error, never a crash, a leak or a read out of bounds.
 *
 * Seed corpus: tests/fuzz/corpus/bgen/ (tests/fuzz/make_corpus_geno.sh).  The `make fuzz`
 * framework of issue 14 was not on main when this harness was written; by hand:
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -iquote src/geno \
 *     -iquote src/core tests/fuzz/fuzz_bgen.c src/geno/geno.c src/geno/geno_vcf.c \
 *     src/geno/geno_bed.c src/geno/geno_bgen.c src/geno/bgen_prob.c src/core/err.c \
 *     src/core/util.c src/core/strmap.c -lhts -lisal -lzstd -lsqlite3 -lcrypto -lz -lm \
 *     -o fuzz_bgen
 *   mkdir -p corpus && nice -n 19 ./fuzz_bgen -max_total_time=600 -rss_limit_mb=2048 corpus \
 *     tests/fuzz/corpus/bgen */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geno.h"

static char dir[64];

static int put(const char *name, const uint8_t *d, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(d, 1, n, f);
    return fclose(f) || w != n ? -1 : 0;
}

/* Every unit of g, every record decoded when dose is given. */
static void read_all(geno_t *g, double *dose)
{
    geno_unit_t *u = NULL;
    size_t nu = 0;
    if (geno_units(g, 1000000, NULL, NULL, &u, &nu)) return;
    rgx_err err;
    for (size_t k = 0; k < nu && k < 4096; k++) {
        if (geno_begin(g, &u[k])) break;
        int r;
        while ((r = geno_next(g, dose, &err)) > 0) {
        }
        if (r < 0) break;
    }
    free(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        strcpy(dir, "/dev/shm/fuzz_bgen.XXXXXX"); /* in memory where there is one */
        if (!mkdtemp(dir) && !mkdtemp(strcpy(dir, "/tmp/fuzz_bgen.XXXXXX"))) abort();
    }
    char path[128], sample[128];
    snprintf(path, sizeof path, "%s/f.bgen", dir);
    snprintf(sample, sizeof sample, "%s/f.sample", dir);
    unlink(sample);
    if (size >= 2 && data[0] == 'S' && (size_t)data[1] + 2 <= size) {
        if (put("f.sample", data + 2, data[1])) return 0;
        size -= (size_t)data[1] + 2, data += data[1] + 2;
    }
    if (put("f.bgen", data, size)) return 0;
    geno_t g;
    if (geno_open(&g, path, "bgen", NULL, 0, NULL) == RGX_OK) {
        read_all(&g, NULL); /* the sites */
        int n = g.n_file < 4096 ? g.n_file : 4096;
        char **ids = malloc((n ? (size_t)n : 1) * sizeof *ids);
        for (int i = 0; ids && i < n; i++) ids[i] = strdup(g.fmt->sample(&g, i));
        geno_close(&g);
        geno_t h;
        memset(&h, 0, sizeof h);
        double *dose = malloc((n ? (size_t)n : 1) * sizeof *dose);
        if (ids && dose && geno_open(&h, path, "bgen", ids, n, NULL) == RGX_OK) read_all(&h, dose);
        geno_close(&h);
        for (int i = 0; ids && i < n; i++) free(ids[i]);
        free(ids), free(dose);
    } else {
        geno_close(&g);
    }
    return 0;
}
