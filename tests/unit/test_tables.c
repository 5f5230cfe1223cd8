/* test_tables.c — phenotype and covariate tables (pheno.c) on the inputs that must not be
 * accepted silently: a column name or an IID given twice, non-finite numbers, and the ones
 * that are repaired as docs/reliability.md says (a byte-order mark, CRLF line ends, blank and
 * comment lines, trailing whitespace), with the line numbers the messages give. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pheno.h"
#include "tap.h"

static char dir[] = "/tmp/test_tables.XXXXXX", path[256];

static const char *put(const char *text)
{
    snprintf(path, sizeof path, "%s/t.tsv", dir);
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
    return path;
}

/* table_read of text: its status, the table kept in *t when it succeeds. */
static rgx_err rd(const char *text, int categorical, table_t *t)
{
    return table_read(put(text), categorical ? "covariate" : "phenotype", categorical, t);
}

static void refused(const char *text, int categorical, const char *msg, const char *name)
{
    table_t t;
    rgx_err err = rd(text, categorical, &t);
    is_int(err, RGX_ERR_INPUT, name);
    like(rgx_errmsg(), msg, name);
    if (!err) table_free(&t);
}

static void repairs(void)
{
    table_t t, u;
    is_int(rd("#IID\ty\tz\nA\t1.5\t2\nB\t-3\tNA\n", 0, &t), RGX_OK, "a plain table");
    /* A spreadsheet's export: BOM, CRLF, a blank line, a comment, trailing whitespace. */
    is_int(rd("\xef\xbb\xbf#IID\ty\tz\r\nA\t1.5\t2\t\r\n\r\n# note\r\nB  -3 NA \r\n", 0, &u),
           RGX_OK, "BOM, CRLF, blank and comment lines, trailing whitespace: read");
    int same = t.n == u.n && t.p == u.p;
    for (size_t i = 0; same && i < t.n * t.p; i++)
        same = t.v[i] == u.v[i] || (isnan(t.v[i]) && isnan(u.v[i]));
    for (size_t j = 0; same && j < t.p; j++) same = !strcmp(t.name[j], u.name[j]);
    for (size_t i = 0; same && i < t.n; i++) same = !strcmp(t.id[i], u.id[i]);
    ok(same, "... and the same table as the plain one");
    table_free(&t), table_free(&u);
    is_int(rd("#FID IID y\nF A 1\nF B nan\nF C .\nF D NaN\n", 0, &t), RGX_OK,
           "#FID IID; the missing codes");
    ok(t.n == 4 && isnan(t.v[1]) && isnan(t.v[2]) && isnan(t.v[3]), "... are NaN");
    table_free(&t);
    /* The line numbers of messages count blank and comment lines. */
    refused("#IID\ty\n\n# c\nA\t1\n\nB\tx\n", 0, "t.tsv:6: phenotype column 'y', sample B: 'x' "
            "is not a number", "a text phenotype: its line, counting blank lines");
}

static void duplicates(void)
{
    refused("#IID\ty\tz\ty\nA\t1\t2\t3\n", 0,
            "t.tsv:1: phenotype column 'y' appears twice (columns 2 and 4)",
            "a phenotype column named twice");
    refused("#FID IID age sex age\nF A 1 2 3\n", 1,
            "t.tsv:1: covariate column 'age' appears twice (columns 3 and 5)",
            "a covariate column named twice");
    refused("#IID\ty\nA\t1\nB\t2\n# c\nA\t3\n", 0,
            "t.tsv:5: IID 'A' already on line 2", "an IID on two rows (phenotypes)");
    refused("#IID\tsite\nA\ts1\nB\ts2\nB\ts2\n", 1, "t.tsv:4: IID 'B' already on line 3",
            "an IID on two rows (covariates), even with the same values");
    refused("#IID\tsex\tsex=M\nA\tF\t1\nB\tM\t0\n", 1,
            "two covariate columns would be named 'sex=M'",
            "a column named as another's indicator (sex=M beside sex's level M)");
    /* The batch column of harmonise (table_read_text). */
    size_t n;
    char **ids, **cells;
    is_int(table_read_text(put("#IID\tscanner\nA\tx\nB\ty\nA\tx\n"), "scanner", &n, &ids, &cells),
           RGX_ERR_INPUT, "a batch column: an IID on two rows");
    like(rgx_errmsg(), "t.tsv:4: IID 'A' already on line 2", "... named with both lines");
    is_int(table_read_text(put("\xef\xbb\xbf#IID\tscanner\r\nA\tx\r\nB\tNA\r\n"), "scanner", &n,
                           &ids, &cells),
           RGX_OK, "a batch column with BOM and CRLF");
    ok(n == 2 && !strcmp(cells[0], "x") && cells[1] == NULL && !strcmp(ids[1], "B"),
       "... read (NA is missing)");
    for (size_t i = 0; i < n; i++) free(ids[i]), free(cells[i]);
    free(ids), free(cells);
    is_int(table_read_text(put("#IID\ts\ts\nA\tx\ty\n"), "s", &n, &ids, &cells), RGX_ERR_INPUT,
           "a batch table with a column named twice");
}

static void non_finite(void)
{
    const char *bad[] = {"inf", "-inf", "Infinity", "1e999", "-1e400", "-nan", "nan(1)"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        char text[128], msg[160], name[96];
        snprintf(text, sizeof text, "#IID\ty\nA\t1\nB\t%s\n", bad[k]);
        snprintf(msg, sizeof msg, "t.tsv:3: phenotype column 'y', sample B: '%s' is not a "
                 "finite number", bad[k]);
        snprintf(name, sizeof name, "phenotype '%s' refused with its line", bad[k]);
        refused(text, 0, msg, name);
        snprintf(text, sizeof text, "#IID\tage\tsite\nA\t1\tx\nB\t%s\ty\n", bad[k]);
        snprintf(msg, sizeof msg, "t.tsv:3: covariate column 'age', sample B: '%s' is not a "
                 "finite number", bad[k]);
        snprintf(name, sizeof name, "covariate '%s' refused (not taken as a category)", bad[k]);
        refused(text, 1, msg, name);
    }
    table_t t;
    is_int(rd("#IID\ty\nA\t1e-400\nB\t-0\nC\t1e308\n", 0, &t), RGX_OK,
           "an underflow, -0 and 1e308 are finite numbers");
    table_free(&t);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    repairs();
    duplicates();
    non_finite();
    unlink(path);
    rmdir(dir);
    return tap_done();
}
