/* fuzz_bed.c — libFuzzer harness for radiogx's PLINK 1 binary reader (src/geno/geno_bed.c):
 * the input is two little-endian 16-bit lengths F and B, then F bytes of .fam, B bytes of
 * .bim and the rest as the .bed; the fileset is opened for its header (the .bim's one pass
 * included), then for every sample (at most 4,096) with every unit read and every record
 * decoded, and for a scattered subset (the per-sample decoding path).  Any input must end in
 * RGX_OK or an error, never a crash, a leak or a read out of bounds.
 *
 * Seed corpus: tests/fuzz/corpus/bed/ (tests/fuzz/make_corpus_geno.sh).  The `make fuzz`
 * framework of issue 14 was not on main when this harness was written; by hand:
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -iquote src/geno \
 *     -iquote src/core tests/fuzz/fuzz_bed.c src/geno/geno.c src/geno/geno_vcf.c \
 *     src/geno/geno_bed.c src/geno/geno_bgen.c src/geno/bgen_prob.c src/core/err.c \
 *     src/core/util.c src/core/strmap.c -lhts -lisal -lzstd -lsqlite3 -lcrypto -lz -lm \
 *     -o fuzz_bed
 *   mkdir -p corpus && nice -n 19 ./fuzz_bed -max_total_time=600 -rss_limit_mb=2048 corpus \
 *     tests/fuzz/corpus/bed */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geno.h"

static char dir[64];

static int put(const char *ext, const uint8_t *d, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/f.%s", dir, ext);
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(d, 1, n, f);
    return fclose(f) || w != n ? -1 : 0;
}

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

/* The samples at columns 0, step, 2 step, ... (at most 4,096), decoded. */
static void subset(const char *prefix, geno_t *hdr, int step)
{
    int n = 0;
    char **ids = calloc(4096, sizeof *ids);
    double *dose = malloc(4096 * sizeof *dose);
    for (int c = step - 1; ids && c < hdr->n_file && n < 4096; c += step)
        ids[n++] = strdup(hdr->fmt->sample(hdr, c));
    geno_t g;
    memset(&g, 0, sizeof g);
    if (ids && dose && geno_open(&g, prefix, "bed", ids, n, NULL) == RGX_OK) read_all(&g, dose);
    geno_close(&g);
    for (int i = 0; i < n; i++) free(ids[i]);
    free(ids), free(dose);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        strcpy(dir, "/dev/shm/fuzz_bed.XXXXXX"); /* in memory where there is one */
        if (!mkdtemp(dir) && !mkdtemp(strcpy(dir, "/tmp/fuzz_bed.XXXXXX"))) abort();
    }
    if (size < 4) return 0;
    size_t nf = data[0] | (size_t)data[1] << 8, nb = data[2] | (size_t)data[3] << 8;
    if (4 + nf + nb > size) return 0;
    if (put("fam", data + 4, nf) || put("bim", data + 4 + nf, nb) ||
        put("bed", data + 4 + nf + nb, size - 4 - nf - nb))
        return 0;
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s/f", dir);
    geno_t g;
    if (geno_open(&g, prefix, "bed", NULL, 0, NULL) == RGX_OK) {
        read_all(&g, NULL);
        subset(prefix, &g, 1);
        subset(prefix, &g, 3);
    }
    geno_close(&g);
    return 0;
}
