/* test_pheno.c — phenotype and covariate tables (src/io/pheno.c) against values written by hand:
 * header forms, comments, blank lines, CRLF, runs of separators, missing codes, categorical
 * expansion, the errors' file:line, and the collective read giving the serial read's doubles. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "pheno.h"
#include "tap.h"
#include "util.h"

static char dir[] = "/tmp/test_pheno.XXXXXX";

static const char *write_table(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* Does the read fail with a message containing want? */
static int read_fails_with(const char *path, int categorical, const char *want)
{
    table_t t;
    rgx_err err = table_read(path, "phenotype", categorical, &t);
    int found = err != RGX_OK && strstr(rgx_errmsg(), want) != NULL;
    if (!found) printf("# error %d: %s\n# wanted: %s\n", (int)err, rgx_errmsg(), want);
    return found;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    if (!mkdtemp(dir)) return 1;
    table_t t;

    /* #FID IID, a comment, a blank line, CRLF, spaces and tabs, the missing codes. */
    const char *p = write_table("a.tsv", "#FID IID\ty1  y2\ty3\r\n"
                                         "# a comment line\n"
                                         "\n"
                                         "F1 S1\t1.5\t-2\t1e3\r\n"
                                         "F2\tS2\tNA\t.\t0.25\n"
                                         "F3 S3   nan\t-0.125   NaN\n");
    ok(table_read(p, "phenotype", 0, &t) == RGX_OK, "#FID IID table read");
    is_int(t.n, 3, "3 rows (comment and blank line skipped)");
    is_int(t.p, 3, "3 value columns");
    ok(t.p == 3 && !strcmp(t.name[0], "y1") && !strcmp(t.name[2], "y3"), "names after the ids");
    ok(t.n == 3 && !strcmp(t.id[0], "S1") && !strcmp(t.id[2], "S3"), "the IID is the id");
    double want[9] = {1.5, -2, 1000, NAN, NAN, 0.25, NAN, -0.125, NAN};
    int same = t.n == 3 && t.p == 3;
    for (int k = 0; same && k < 9; k++)
        same = (isnan(want[k]) && isnan(t.v[k])) || t.v[k] == want[k];
    ok(same, "values, with NA . nan NaN missing and the CR dropped");
    table_free(&t);

    /* The collective read (alone here: every rank count gives the same doubles, as scan.t
     * checks with 1 and 3 ranks) equals the serial one bit for bit. */
    const char *q = write_table("b.tsv", "#IID\tp\tq\n"
                                         "A\t0.1\t3.14159265358979323846\n"
                                         "B\t-7e-300\t1.7976931348623157e308\n"
                                         "C\t123456789012345678\t-0\n");
    table_t u;
    ok(table_read(q, "phenotype", 0, &t) == RGX_OK &&
           table_read_comm(q, "phenotype", 0, MPI_COMM_WORLD, &u) == RGX_OK,
       "serial and collective reads");
    ok(t.n == 3 && u.n == 3 && !memcmp(t.v, u.v, 6 * sizeof *t.v), "the same doubles");
    ok(t.n == 3 && t.v[0] == strtod("0.1", NULL) &&
           t.v[1] == strtod("3.14159265358979323846", NULL) && t.v[2] == strtod("-7e-300", NULL) &&
           t.v[4] == strtod("123456789012345678", NULL),
       "each the double strtod gives");
    table_free(&t), table_free(&u);

    /* Covariates: a text column becomes indicators of its sorted levels but the first. */
    const char *c = write_table("c.tsv", "#IID age site\n"
                                         "A 50 lyon\n"
                                         "B 61 basel\n"
                                         "C NA cork\n"
                                         "D 40 NA\n");
    ok(table_read(c, "covariate", 1, &t) == RGX_OK, "categorical covariates read");
    is_int(t.p, 3, "age + 2 indicators (3 levels)");
    ok(t.p == 3 && !strcmp(t.name[1], "site=cork") && !strcmp(t.name[2], "site=lyon"),
       "indicator names: the levels after the reference 'basel'");
    double wc[12] = {50, 0, 1, 61, 0, 0, NAN, 1, 0, 40, NAN, NAN};
    same = t.n == 4 && t.p == 3;
    for (int k = 0; same && k < 12; k++)
        same = (isnan(wc[k]) && isnan(t.v[k])) || t.v[k] == wc[k];
    ok(same, "indicator values, missing where the level is missing");
    table_free(&t);

    /* Errors name the file and the real line (blank lines counted). */
    const char *bad = write_table("d.tsv", "#IID y\n\nA 1\nB 2 3\n");
    ok(read_fails_with(bad, 0, "d.tsv:4: 3 fields, expected 2"), "a short/long row: file:line");
    const char *txt = write_table("e.tsv", "#IID y z\nA 1 2\n\nB 2 x1\n");
    ok(read_fails_with(txt, 0, "e.tsv:4: phenotype column 'z', sample B: 'x1' is not a number"),
       "text in a phenotype column: file:line, column, sample and value");
    const char *hdr = write_table("f.tsv", "ID y\nA 1\n");
    ok(read_fails_with(hdr, 0, "f.tsv:1: the header must start with #IID"), "a header without IID");
    const char *none = write_table("g.tsv", "\n# only comments\n");
    ok(read_fails_with(none, 0, "the header must start"), "a comment is not a header");
    const char *empty = write_table("h.tsv", "\n\n");
    ok(read_fails_with(empty, 0, "empty phenotype file"), "an empty file");

    /* table_row through the hash (table_index; the join calls it) finds what the linear
     * search finds, for every id of a larger table, and nothing for an absent id. */
    enum { NBIG = 20000 };
    strbuf_t big = {0};
    sb_printf(&big, "#IID\ty\n");
    for (int i = 0; i < NBIG; i++) sb_printf(&big, "ID%07d\t%d\n", (i * 7919) % NBIG, i);
    const char *g = write_table("g.tsv", big.s);
    free(big.s);
    ok(table_read(g, "phenotype", 0, &t) == RGX_OK && t.n == NBIG, "a 20,000-row table read");
    long agree = 0, linear_found = 0;
    char id[32];
    for (int i = 0; i < NBIG; i += 97) { /* the linear search: a sample of the ids */
        snprintf(id, sizeof id, "ID%07d", i);
        linear_found += table_row(&t, id) >= 0;
    }
    ok(!t.index && table_index(&t) == RGX_OK && t.index, "table_index builds the hash");
    for (int i = 0; i < NBIG; i++) {
        snprintf(id, sizeof id, "ID%07d", i);
        long r = table_row(&t, id);
        agree += r >= 0 && !strcmp(t.id[r], id) && t.v[r] == (double)((long)r);
    }
    ok(agree == NBIG && linear_found == (NBIG + 96) / 97,
       "every id found at its row through the hash, as by the linear search");
    ok(table_row(&t, "ID9999999") == -1 && table_row(&t, "") == -1, "an absent id: -1");
    table_free(&t);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) return 1;
    MPI_Finalize();
    return tap_done();
}
