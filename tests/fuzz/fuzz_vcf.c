/* fuzz_vcf.c — libFuzzer harness for the VCF source (src/geno/geno_vcf.c: HTSlib reads the
 * header, radiogx parses the records' text itself): the input is a VCF file (plain, or BGZF
 * when the fuzzer makes one), opened through geno_open for its header, then for its first
 * 64 samples and for every second of them, with GT hard calls and with DS dosages, every unit
 * read and every record decoded.  Any input must give RGX_OK or an error, never a crash, a
 * leak or a read out of bounds; a dosage must be in [0, 2] or NaN (geno.h).
 *
 * Seed corpus: tests/fuzz/corpus/vcf/ (tests/fuzz/make_corpus_inputs.sh). */
#include <math.h>

#include "fuzz.h"
#include "fuzz_geno.h"

/* Every record of g, with the dosages checked (fuzz_geno.h). */
static void read_all(geno_t *g)
{
    double *dose = malloc((size_t)(g->n ? g->n : 1) * sizeof *dose);
    if (dose) fuzz_geno_read_all(g, dose);
    free(dose);
}

/* The samples at columns 0, step, 2 step, ... (at most 64), read with the given dosage. */
static void subset(const char *path, geno_t *hdr, int step, const char *dosage)
{
    char *ids[64] = {NULL};
    int n = 0;
    for (int c = 0; c < hdr->n_file && n < 64; c += step)
        ids[n++] = strdup(hdr->fmt->sample(hdr, c));
    geno_t g;
    if (geno_open(&g, path, "vcf", ids, n, dosage) == RGX_OK) read_all(&g);
    geno_close(&g);
    for (int i = 0; i < n; i++) free(ids[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[160];
    if (fuzz_put(fuzz_dir("fuzz_vcf"), "g.vcf", data, size, path, sizeof path)) return 0;
    geno_t g;
    if (geno_open(&g, path, "vcf", NULL, 0, NULL) == RGX_OK) {
        subset(path, &g, 1, "GT");
        subset(path, &g, 1, "DS");
        subset(path, &g, 2, "auto");
    }
    geno_close(&g);
    unlink(path);
    return 0;
}
