/* test_runfile.c — docs/formats.md's run-file table is the schema's (src/io/runfile.c), word
 * for word, and every path macro is in the table once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runfile.h"
#include "tap.h"
#include "util.h"

int main(void)
{
    const char *root = getenv("RGX_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/docs/formats.md", root ? root : ".");
    char *doc = NULL, *want = NULL;
    size_t len = 0, wlen = 0;
    ok(read_file(path, &doc, &len) == RGX_OK, "docs/formats.md read");
    FILE *m = open_memstream(&want, &wlen);
    runfile_markdown(m);
    fclose(m);
    const char *at = doc ? strstr(doc, "| object | shape / type |") : NULL;
    int same = at && !strncmp(at, want, wlen) && (at[wlen] == '\n' || at[wlen] == '\0');
    ok(same, "the run-file table of docs/formats.md is runfile_markdown()'s");
    if (!same) { /* the first line that differs, and the table to paste */
        const char *a = at ? at : "", *b = want;
        while (*a && *a == *b) a++, b++;
        printf("# differs at: %.120s\n# expected the table:\n", a);
        for (const char *l = want; *l;) {
            const char *e = strchr(l, '\n');
            printf("# %.*s\n", (int)(e ? e - l : (long)strlen(l)), l);
            l = e ? e + 1 : l + strlen(l);
        }
    }
    size_t n = 0, dup = 0;
    for (size_t i = 0; i < runfile_n_rows; i++)
        for (size_t k = 0; k < 12 && runfile_rows[i].paths[k]; k++, n++)
            for (size_t j = 0; j <= i; j++)
                for (size_t l = 0; l < 12 && runfile_rows[j].paths[l]; l++)
                    if ((j < i || l < k) &&
                        !strcmp(runfile_rows[i].paths[k], runfile_rows[j].paths[l]))
                        dup++;
    ok(n > 40 && !dup, "every object is in the table once");
    free(doc), free(want);
    return tap_done();
}
