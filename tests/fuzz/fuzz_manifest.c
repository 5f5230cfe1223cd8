/* fuzz_manifest.c — libFuzzer harness for the cohort manifest parser (src/io/manifest.c): the
 * input is a manifest file, read, its genotype files listed and its channels looked up.  Any
 * input must give RGX_OK or an error, never a crash, a leak or a read out of bounds.
 *
 * Seed corpus: tests/fuzz/corpus/manifest/ (tests/fuzz/make_corpus_inputs.sh). */
#include "fuzz.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[160];
    if (fuzz_put(fuzz_dir("fuzz_manifest"), "m.tsv", data, size, path, sizeof path)) return 0;
    manifest_t m;
    if (manifest_read(path, &m) == RGX_OK) {
        const char **files;
        size_t n;
        if (manifest_genotype_files(&m, &files, &n) == RGX_OK) free(files);
        for (int c = 0; c < m.n_channels; c++)
            if (manifest_channel(&m, m.channel[c]) != c) abort(); /* its own index */
    }
    manifest_free(&m);
    unlink(path);
    return 0;
}
