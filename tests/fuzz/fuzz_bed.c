/* fuzz_bed.c — libFuzzer harness for radiogx's PLINK 1 binary reader (src/geno/geno_bed.c):
 * the input is two little-endian 16-bit lengths F and B, then F bytes of .fam, B bytes of
 * .bim and the rest as the .bed; the fileset is opened for its header (the .bim's one pass
 * included), then for every sample (at most 4,096) with every unit read and every record
 * decoded, and for a scattered subset (the per-sample decoding path).  Any input must end in
 * RGX_OK or an error, never a crash, a leak or a read out of bounds; a dosage must be 0, 1, 2
 * or NaN (geno.h).
 *
 * Seed corpus: tests/fuzz/corpus/bed/ (tests/fuzz/make_corpus_geno.sh).
 * Run: make fuzz FUZZ=bed FUZZ_SECONDS=S (tests/fuzz/README.md). */
#include "fuzz.h"
#include "fuzz_geno.h"

static const char *dir;

static int put(const char *ext, const uint8_t *d, size_t n)
{
    char name[16], path[160];
    snprintf(name, sizeof name, "f.%s", ext);
    return fuzz_put(dir, name, d, n, path, sizeof path);
}

/* The samples at columns 0, step, 2 step, ... (at most 4,096), decoded. */
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
