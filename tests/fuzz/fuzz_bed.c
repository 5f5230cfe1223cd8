/* fuzz_bed.c — libFuzzer harness for radiogx's PLINK 1 binary reader (src/geno/geno_bed.c):
 * the input is two little-endian 16-bit lengths F and B, then F bytes of .fam, B bytes of
 * .bim and the rest as the .bed; the fileset is opened for its header (the .bim's one pass
 * included), then for every sample (at most 4,096) with every unit read and every record
 * decoded, and for a scattered subset (the per-sample decoding path), and each subset's packed
 * calls (geno_next_calls, what pca reads) checked against its dosages.  Any input must end in
 * RGX_OK or an error, never a crash, a leak or a read out of bounds; a dosage must be 0, 1, 2
 * or NaN (geno.h).
 *
 * Seed corpus: tests/fuzz/corpus/bed/ (tests/fuzz/make_corpus_geno.sh).
 * Run: make fuzz FUZZ=bed FUZZ_SECONDS=S (tests/fuzz/README.md). */
#include <math.h>

#include "fuzz.h"
#include "fuzz_geno.h"

static const char *dir;

static int put(const char *ext, const uint8_t *d, size_t n)
{
    char name[16], path[160];
    snprintf(name, sizeof name, "f.%s", ext);
    return fuzz_put(dir, name, d, n, path, sizeof path);
}

/* The packed calls of every record (geno_next_calls, the PCA's path) against its dosages
 * read in step by a second reader: a code c of 0, 1 or 2 is the dosage c, 3 is NaN, and the
 * last byte's unused bits are 0 (geno.h). */
static void calls_match(const char *prefix, char **ids, int n, double *dose)
{
    geno_t a, b;
    geno_unit_t *u = NULL;
    size_t nu = 0, nbytes = ((size_t)n + 3) / 4;
    uint8_t *packed = malloc(nbytes ? nbytes : 1);
    rgx_err err;
    memset(&a, 0, sizeof a), memset(&b, 0, sizeof b);
    if (!packed || geno_open(&a, prefix, "bed", ids, n, NULL) ||
        geno_open(&b, prefix, "bed", ids, n, NULL) || geno_units(&a, 1000000, NULL, NULL, &u, &nu))
        goto out;
    if (!geno_has_calls(&b)) abort();
    for (size_t k = 0; k < nu && k < 4096; k++) {
        if (geno_begin(&a, &u[k]) || geno_begin(&b, &u[k])) break;
        int r;
        do {
            int rb = geno_next_calls(&b, packed, &err);
            if ((r = geno_next(&a, dose, &err)) != rb) abort(); /* the same records and errors */
            for (int i = 0; r > 0 && i < n; i++) {
                int c = packed[i / 4] >> 2 * (i % 4) & 3;
                if (c == 3 ? !isnan(dose[i]) : dose[i] != c) abort();
            }
            if (r > 0 && n % 4 && packed[nbytes - 1] >> 2 * (n % 4)) abort();
        } while (r > 0);
        if (r < 0) break;
    }
out:
    free(u), free(packed);
    geno_close(&a), geno_close(&b);
}

/* The samples at columns 0, step, 2 step, ... (at most 4,096), decoded as dosages and as
 * packed calls. */
static void subset(const char *prefix, geno_t *hdr, int step)
{
    int n = 0;
    char **ids = calloc(4096, sizeof *ids); /* calloc: GCC -O1 cannot see n bounds the reads */
    double *dose = malloc(4096 * sizeof *dose);
    for (int c = step - 1; ids && c < hdr->n_file && n < 4096; c += step)
        ids[n++] = strdup(hdr->fmt->sample(hdr, c));
    geno_t g;
    memset(&g, 0, sizeof g);
    if (ids && dose && geno_open(&g, prefix, "bed", ids, n, NULL) == RGX_OK)
        fuzz_geno_read_all(&g, dose);
    geno_close(&g);
    if (ids && dose) calls_match(prefix, ids, n, dose);
    for (int i = 0; i < n; i++) free(ids[i]);
    free(ids), free(dose);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dir = fuzz_dir("fuzz_bed");
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
        fuzz_geno_read_all(&g, NULL);
        subset(prefix, &g, 1);
        subset(prefix, &g, 3);
    }
    geno_close(&g);
    return 0;
}
