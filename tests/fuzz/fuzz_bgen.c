/* fuzz_bgen.c — libFuzzer harness for radiogx's BGEN reader (src/geno/geno_bgen.c and the
 * probability decoding of src/geno/bgen_prob.c): the input is a .bgen file — or, when it
 * starts with 'S' and a length byte L, a NAME.sample of L bytes followed by the .bgen — opened
 * for its header (the one pass over the variant headers included), then for every sample
 * (at most 4,096), every unit read and every record decoded.  Any input must end in RGX_OK or
 * an error, never a crash, a leak or a read out of bounds; a dosage must be in [0, 2] or NaN
 * (geno.h).
 *
 * Seed corpus: tests/fuzz/corpus/bgen/ (tests/fuzz/make_corpus_geno.sh).
 * Run: make fuzz FUZZ=bgen FUZZ_SECONDS=S (tests/fuzz/README.md). */
#include "fuzz.h"
#include "fuzz_geno.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_dir("fuzz_bgen");
    char path[160], sample[160];
    snprintf(sample, sizeof sample, "%s/f.sample", dir);
    unlink(sample);
    if (size >= 2 && data[0] == 'S' && (size_t)data[1] + 2 <= size) {
        if (fuzz_put(dir, "f.sample", data + 2, data[1], sample, sizeof sample)) return 0;
        size -= (size_t)data[1] + 2, data += data[1] + 2;
    }
    if (fuzz_put(dir, "f.bgen", data, size, path, sizeof path)) return 0;
    geno_t g;
    if (geno_open(&g, path, "bgen", NULL, 0, NULL) == RGX_OK) {
        fuzz_geno_read_all(&g, NULL); /* the sites */
        int n = g.n_file < 4096 ? g.n_file : 4096;
        char **ids = malloc((n ? (size_t)n : 1) * sizeof *ids);
        for (int i = 0; ids && i < n; i++) ids[i] = strdup(g.fmt->sample(&g, i));
        geno_close(&g);
        geno_t h;
        memset(&h, 0, sizeof h);
        double *dose = malloc((n ? (size_t)n : 1) * sizeof *dose);
        if (ids && dose && geno_open(&h, path, "bgen", ids, n, NULL) == RGX_OK)
            fuzz_geno_read_all(&h, dose);
        geno_close(&h);
        for (int i = 0; ids && i < n; i++) free(ids[i]);
        free(ids), free(dose);
    } else {
        geno_close(&g);
    }
    unlink(path);
    return 0;
}
