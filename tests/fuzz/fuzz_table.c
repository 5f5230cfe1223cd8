/* fuzz_table.c — libFuzzer harness for the phenotype and covariate tables (src/io/pheno.c):
 * the input's first byte chooses how the rest, a table file, is read — as phenotypes (numbers
 * only) or covariates (text columns become indicators), or one column as text (harmonise's
 * batch column) — then columns are selected and the IIDs indexed and looked up.  Any input
 * must give RGX_OK or an error, never a crash, a leak or a read out of bounds; a table that
 * reads must hold finite numbers or NaN, and each IID once.
 *
 * Seed corpus: tests/fuzz/corpus/table/ (tests/fuzz/make_corpus_inputs.sh). */
#include <math.h>

#include "fuzz.h"
#include "pheno.h"

static void use(table_t *t)
{
    for (size_t k = 0; k < t->n * t->p; k++)
        if (isinf(t->v[k])) abort(); /* refused when read */
    if (table_index(t) != RGX_OK) return;
    for (size_t i = 0; i < t->n; i++)
        if (table_row(t, t->id[i]) != (long)i) abort(); /* each IID once */
    if (t->p) table_select(t, t->name[t->p - 1], "fuzz");
    table_select(t, "y,age", "fuzz");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    char path[160];
    if (fuzz_put(fuzz_dir("fuzz_table"), "t.tsv", data + 1, size - 1, path, sizeof path))
        return 0;
    int mode = data[0] % 3;
    table_t t;
    if (mode < 2 && table_read(path, mode ? "covariate" : "phenotype", mode, &t) == RGX_OK) {
        use(&t);
        table_free(&t);
    }
    size_t n;
    char **ids, **cells;
    if (mode == 2 && table_read_text(path, "site", &n, &ids, &cells) == RGX_OK) {
        for (size_t i = 0; i < n; i++) free(ids[i]), free(cells[i]);
        free(ids), free(cells);
    }
    unlink(path);
    return 0;
}
