/* pheno.c — see pheno.h. */
#include "pheno.h"

#include <ctype.h>
#include <limits.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comm.h"
#include "h5in.h"
#include "strmap.h"
#include "util.h"
#include "runfile.h"

static int is_missing(const char *s)
{
    switch (s[0]) { /* a number starts otherwise: one test for most cells */
    case '\0':
        return 1;
    case '.':
        return !s[1];
    case 'N':
    case 'n':
        return !strcmp(s, "NA") || !strcmp(s, "na") || !strcmp(s, "NaN") || !strcmp(s, "nan");
    default:
        return 0;
    }
}

/* Splits a line at tabs or runs of spaces, in place. */
static size_t split(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (*p && n < max) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        f[n++] = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        if (*p) *p++ = '\0';
    }
    return n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void table_free(table_t *t)
{
    if (t->index) strmap_free(t->index), free(t->index);
    for (size_t i = 0; i < t->n; i++) free(t->id[i]);
    for (size_t j = 0; j < t->p; j++) free(t->name[j]);
    free(t->id), free(t->name), free(t->v);
    memset(t, 0, sizeof *t);
}

/* The text of a table read whole: a UTF-8 byte-order mark (spreadsheets write one) skipped,
 * lines cut at '\n' with a '\r' before it dropped (CRLF files), each line split at tabs or runs
 * of spaces.  The first non-blank line is the header; later lines starting with '#' and blank
 * lines are skipped. */
typedef struct {
    const char *path;
    char *text, *next;
    int line_no;
} lines_t;

static rgx_err lines_open(lines_t *L, const char *path, const char *what)
{
    memset(L, 0, sizeof *L);
    L->path = path;
    size_t len;
    if (read_file(path, &L->text, &len))
        return rgx_fail(RGX_ERR_INPUT, "%s file %s: cannot read", what, path);
    L->next = L->text + (!strncmp(L->text, "\xef\xbb\xbf", 3) ? 3 : 0);
    return RGX_OK;
}

/* The next line (NUL-terminated, in place; its number in L->line_no), or NULL at the end. */
static char *lines_next(lines_t *L)
{
    char *line = L->next;
    if (!line) return NULL;
    char *nl = strchr(line, '\n');
    if (nl) *nl = '\0';
    L->next = nl ? nl + 1 : NULL;
    if (!nl && !*line) return NULL; /* after the last newline */
    L->line_no++;
    size_t n = strlen(line);
    if (n && line[n - 1] == '\r') line[n - 1] = '\0';
    return line;
}

/* Value columns are named once each: a name given twice would leave the reader guessing
 * which column a selection means. */
static rgx_err unique_columns(const char *path, long line_no, const char *what, char *const *f,
                              size_t skip, size_t nf)
{
    strmap_t m;
    rgx_err err = strmap_init(&m, nf);
    for (size_t j = skip; j < nf && !err; j++) {
        long old;
        if ((err = strmap_put(&m, f[j], (long)j, &old))) break;
        if (old >= 0)
            err = rgx_fail(RGX_ERR_INPUT, "%s:%ld: %s column '%s' appears twice (columns %ld and "
                                          "%zu): rename one",
                           path, line_no, what, f[j], old + 1, j + 1);
    }
    strmap_free(&m);
    return err;
}

/* table_read_text's header: "#IID", "#FID IID" (or without '#'); the number of id columns in
 * *skip. */
static rgx_err read_header(const lines_t *L, char **f, size_t nf, const char *what, size_t *skip)
{
    const char *h0 = f[0][0] == '#' ? f[0] + 1 : f[0];
    if (!strcmp(h0, "FID") && nf > 1 && !strcmp(f[1], "IID"))
        *skip = 2;
    else if (!strcmp(h0, "IID"))
        *skip = 1;
    else
        return rgx_fail(RGX_ERR_INPUT,
                        "%s:%d: the header must start with #IID or #FID IID (plink2 style), "
                        "found '%s'",
                        L->path, L->line_no, f[0]);
    if (nf == *skip)
        return rgx_fail(RGX_ERR_INPUT, "%s:%d: no %s column after the ids", L->path, L->line_no,
                        what);
    return unique_columns(L->path, L->line_no, what, f, *skip, nf);
}

/* Each sample once: a second row for an IID would leave the reader guessing which one is
 * meant (plink2 refuses them too).  line[i]: the row's line in the file. */
static rgx_err check_ids(const char *path, char *const *id, const long *line, size_t n)
{
    strmap_t m;
    rgx_err err = strmap_init(&m, n);
    for (size_t i = 0; i < n && !err; i++) {
        long old;
        if ((err = strmap_put(&m, id[i], (long)i, &old))) break;
        if (old >= 0)
            err = rgx_fail(RGX_ERR_INPUT, "%s:%ld: IID '%s' already on line %ld: each sample must "
                                          "have one row",
                           path, line[i], id[i], line[old]);
    }
    strmap_free(&m);
    return err;
}

/* The output columns once each: a column named "sex=2" beside a text column "sex" with a level
 * "2" would give two columns of one name. */
static rgx_err unique_names(const char *path, const char *what, char **names, size_t n)
{
    strmap_t m;
    rgx_err err = strmap_init(&m, n);
    for (size_t j = 0; j < n && !err; j++) {
        long old;
        if (!(err = strmap_put(&m, names[j], (long)j, &old)) && old >= 0)
            err = rgx_fail(RGX_ERR_INPUT, "%s: two %s columns would be named '%s' (a column of "
                                          "that name, and a text column's level): rename one",
                           path, what, names[j]);
    }
    strmap_free(&m);
    return err;
}

/* A table's text as read: the data rows' lines (NUL-terminated in place, CR removed), where
 * their values start, and their line numbers for messages. */
typedef struct {
    char *text;
    char **vals; /* per row: its first value field (after the ids) */
    long *line;  /* per row: its line number */
    size_t skip; /* id columns before the values: 1 (#IID) or 2 (#FID IID) */
    size_t nf;   /* fields of every line: skip + t->p */
    const char *what; /* "phenotype" or "covariate", for messages */
} table_text_t;

static void text_free(table_text_t *x)
{
    free(x->text), free(x->vals), free(x->line);
    memset(x, 0, sizeof *x);
}

/* The header: the id columns and the value columns' names. */
static rgx_err text_header(const char *path, const char *what, long line_no, char *line,
                           table_t *t, table_text_t *x)
{
    size_t nf = 0;
    for (char *q = line; *q;) { /* count the fields first: a header may be 100,000 names */
        while (*q == ' ' || *q == '\t') q++;
        if (!*q) break;
        nf++;
        while (*q && *q != ' ' && *q != '\t') q++;
    }
    char **f = NULL;
    rgx_err err = rgx_calloc(&f, nf ? nf : 1, sizeof *f);
    if (err) return err;
    split(line, f, nf);
    const char *h0 = f[0][0] == '#' ? f[0] + 1 : f[0];
    if (!strcmp(h0, "FID") && nf > 1 && !strcmp(f[1], "IID"))
        x->skip = 2;
    else if (!strcmp(h0, "IID"))
        x->skip = 1;
    else
        err = rgx_fail(RGX_ERR_INPUT,
                       "%s:%ld: the header must start with #IID or #FID IID (plink2 style), "
                       "found '%s'",
                       path, line_no, f[0]);
    if (!err && nf == x->skip)
        err = rgx_fail(RGX_ERR_INPUT, "%s:%ld: no %s column after the ids", path, line_no, what);
    if (!err) err = unique_columns(path, line_no, what, f, x->skip, nf);
    if (!err) {
        x->nf = nf, t->p = nf - x->skip;
        err = rgx_calloc(&t->name, t->p, sizeof *t->name);
    }
    for (size_t j = 0; !err && j < t->p; j++) err = rgx_strdup(&t->name[j], f[x->skip + j]);
    free(f);
    return err;
}

/* Reads the file and finds its rows: the header, then every line that is neither empty nor a
 * comment (#...); each row's IID is copied, its values stay in the text. */
static rgx_err text_load(const char *path, const char *what, table_t *t, table_text_t *x)
{
    size_t len, cap = 0;
    rgx_err err = read_file(path, &x->text, &len);
    if (err) return rgx_fail(RGX_ERR_INPUT, "%s file %s: cannot read", what, path);
    long line_no = 0;
    int have_header = 0;
    char *start = x->text + (!strncmp(x->text, "\xef\xbb\xbf", 3) ? 3 : 0); /* a BOM */
    for (char *line = start, *next; line < x->text + len && !err; line = next) {
        char *nl = memchr(line, '\n', (size_t)(x->text + len - line));
        next = nl ? nl + 1 : x->text + len;
        if (nl) *nl = '\0';
        line_no++;
        size_t L = strlen(line);
        if (L && line[L - 1] == '\r') line[--L] = '\0';
        char *q = line;
        while (*q == ' ' || *q == '\t') q++;
        if (!*q) continue;
        if (!have_header) {
            err = text_header(path, what, line_no, line, t, x);
            have_header = 1;
            continue;
        }
        if (*q == '#') continue;
        char *id = NULL;
        for (size_t k = 0; k < x->skip && *q; k++) { /* the ids: the last one is the IID */
            id = q;
            while (*q && *q != ' ' && *q != '\t') q++;
            if (*q) *q++ = '\0';
            while (*q == ' ' || *q == '\t') q++;
        }
        if ((err = rgx_reserve(&x->vals, &cap, t->n + 1, sizeof *x->vals)) ||
            (err = rgx_realloc(&x->line, cap, sizeof *x->line)) ||
            (err = rgx_realloc(&t->id, cap, sizeof *t->id)))
            break;
        x->vals[t->n] = q, x->line[t->n] = line_no;
        if ((err = rgx_strdup(&t->id[t->n], id ? id : ""))) break;
        t->n++;
    }
    if (!err && !have_header) err = rgx_fail(RGX_ERR_INPUT, "%s: empty %s file", path, what);
    if (!err) err = check_ids(path, t->id, x->line, t->n);
    return err;
}

/* Parses rows r0 .. r1 - 1 into num (n x p): NAN for a missing value; bad[j] becomes
 * 1 + the first of these rows whose column j is not a number (or stays as it is). Every cell
 * is cut out in place (NUL-terminated) for the categorical columns. */
static rgx_err parse_rows(const char *path, const table_t *t, const table_text_t *x, size_t r0,
                          size_t r1, double *num, size_t *bad)
{
    size_t p = t->p;
    for (size_t i = r0; i < r1; i++) {
        char *q = x->vals[i];
        size_t j = 0;
        for (;; j++) {
            while (*q == ' ' || *q == '\t') q++;
            if (!*q) break;
            char *c = q;
            while (*q && *q != ' ' && *q != '\t') q++;
            char *end = q;
            if (*q) *q++ = '\0';
            if (j >= p) continue; /* counted for the message */
            double v = NAN;
            if (!is_missing(c)) {
                char *e;
                v = rgx_strtod(c, &e);
                if (e != end && !bad[j]) bad[j] = i + 1;
                /* Infinities and NaN spelt otherwise ("inf", "1e999", "-nan") are errors: an
                 * infinite phenotype would silently become the largest rank. */
                if (e == end && !isfinite(v))
                    return rgx_fail(RGX_ERR_INPUT,
                                    "%s:%ld: %s column '%s', sample %s: '%s' is not a finite "
                                    "number (NA for missing)",
                                    path, x->line[i], x->what, t->name[j], t->id[i], c);
            }
            num[i * p + j] = v;
        }
        if (j != p)
            return rgx_fail(RGX_ERR_INPUT, "%s:%ld: %zu fields, expected %zu as in the header",
                            path, x->line[i], j + x->skip, x->nf);
    }
    return RGX_OK;
}

/* Field j of row i, once parse_rows has cut the row's cells out (each ends at a NUL where its
 * first separator was; more separators may follow). */
static const char *cell(const table_text_t *x, size_t i, size_t j)
{
    const char *q = x->vals[i];
    for (size_t k = 0;; k++) {
        while (*q == ' ' || *q == '\t') q++;
        if (k == j) return q;
        q += strlen(q) + 1;
    }
}

/* The output columns from the parsed ones: a number column as it is, a text column (allowed
 * when categorical) as indicators of its levels but the first (the reference). */
static rgx_err make_columns(const char *path, const char *what, int categorical, table_t *t,
                            const table_text_t *x, double **num, const size_t *bad)
{
    size_t p_in = t->p, p_out = 0, *first = NULL, *n_levels = NULL;
    const char ***levels = NULL; /* per input column: its sorted levels when it is text */
    char **names = NULL;
    rgx_err err = RGX_OK;
    for (size_t j = 0; j < p_in && !err; j++)
        if (bad[j] && !categorical)
            err = rgx_fail(RGX_ERR_INPUT,
                           "%s:%ld: %s column '%s', sample %s: '%s' is not a number (NA for "
                           "missing)",
                           path, x->line[bad[j] - 1], what, t->name[j], t->id[bad[j] - 1],
                           cell(x, bad[j] - 1, j));
    int any_text = 0;
    for (size_t j = 0; j < p_in; j++) any_text |= bad[j] != 0;
    if (err || !any_text) { /* numbers only: the parsed values as they are */
        if (!err) t->v = *num, *num = NULL;
        return err;
    }
    if ((err = rgx_calloc(&first, p_in, sizeof *first)) ||
        (err = rgx_calloc(&levels, p_in, sizeof *levels)) ||
        (err = rgx_calloc(&n_levels, p_in, sizeof *n_levels)))
        goto out;
    for (size_t j = 0; j < p_in && !err; j++) {
        size_t nl = 0;
        if (bad[j]) { /* the distinct levels, sorted; the first is the reference */
            if ((err = rgx_calloc(&levels[j], t->n + 1, sizeof *levels[j]))) break;
            const char **lev = levels[j];
            for (size_t i = 0; i < t->n; i++)
                if (!is_missing(cell(x, i, j))) lev[nl++] = cell(x, i, j);
            qsort(lev, nl, sizeof *lev, cmp_str);
            size_t u = 0;
            for (size_t k = 0; k < nl; k++)
                if (!u || strcmp(lev[u - 1], lev[k])) lev[u++] = lev[k];
            nl = u;
        }
        n_levels[j] = nl;
        size_t add = bad[j] ? (nl > 1 ? nl - 1 : 0) : 1;
        first[j] = p_out;
        if ((err = rgx_realloc(&names, p_out + add + 1, sizeof *names))) break;
        for (size_t a = 0; a < add && !err; a++) {
            char nm[512];
            if (bad[j])
                snprintf(nm, sizeof nm, "%s=%s", t->name[j], levels[j][a + 1]);
            else
                snprintf(nm, sizeof nm, "%s", t->name[j]);
            err = rgx_strdup(&names[p_out++], nm);
        }
    }
    if (!err) err = unique_names(path, what, names, p_out);
    if (!err) err = rgx_calloc(&t->v, (t->n ? t->n : 1) * (p_out ? p_out : 1), sizeof *t->v);
    for (size_t i = 0; !err && i < t->n; i++) {
        double *row = t->v + i * p_out;
        for (size_t j = 0; j < p_in; j++) {
            if (!levels[j]) {
                row[first[j]] = (*num)[i * p_in + j];
                continue;
            }
            const char *c = cell(x, i, j);
            for (size_t a = 0; a + 1 < n_levels[j]; a++)
                row[first[j] + a] = is_missing(c) ? NAN : (double)!strcmp(c, levels[j][a + 1]);
        }
    }
    if (!err) { /* the expanded names replace the input columns' */
        for (size_t j = 0; j < p_in; j++) free(t->name[j]);
        free(t->name);
        t->name = names, t->p = p_out;
        names = NULL, p_out = 0;
    }
out:
    for (size_t j = 0; levels && j < p_in; j++) free(levels[j]);
    for (size_t k = 0; names && k < p_out; k++) free(names[k]);
    free(names), free(first), free(levels), free(n_levels);
    return err;
}

/* The numbers: every rank of comm parses its share of the rows and the shares are exchanged
 * (a row's values are parsed by the same code whichever rank parses it: the same doubles).
 * A table with text in it is parsed whole on every rank (covariates: small). */
static rgx_err parse_table(const char *path, MPI_Comm comm, table_t *t, table_text_t *x,
                           double *num, size_t *bad)
{
    int rank = 0, size = 1;
    if (comm != MPI_COMM_NULL) MPI_Comm_rank(comm, &rank), MPI_Comm_size(comm, &size);
    if (size == 1 || t->p > INT_MAX || t->n > INT_MAX)
        return parse_rows(path, t, x, 0, t->n, num, bad);
    size_t r0 = t->n * (size_t)rank / (size_t)size, r1 = t->n * (size_t)(rank + 1) / (size_t)size;
    rgx_err err = comm_agree(comm, parse_rows(path, t, x, r0, r1, num, bad), "reading a table");
    if (err) return err;
    unsigned long long *b = NULL; /* the first text row of each column over all ranks */
    if ((err = rgx_calloc(&b, t->p, sizeof *b))) return err;
    int any = 0;
    for (size_t j = 0; j < t->p; j++) b[j] = bad[j] ? bad[j] : ULLONG_MAX;
    MPI_Allreduce(MPI_IN_PLACE, b, (int)t->p, MPI_UNSIGNED_LONG_LONG, MPI_MIN, comm);
    for (size_t j = 0; j < t->p; j++) any |= b[j] != ULLONG_MAX;
    free(b);
    if (any) { /* text: every row here, for the levels and the message */
        memset(bad, 0, t->p * sizeof *bad);
        return parse_rows(path, t, x, 0, t->n, num, bad);
    }
    int *cnt = NULL, *at = NULL;
    MPI_Datatype row;
    if ((err = rgx_calloc(&cnt, (size_t)size, sizeof *cnt)) ||
        (err = rgx_calloc(&at, (size_t)size, sizeof *at))) {
        free(cnt);
        return err;
    }
    for (int r = 0; r < size; r++) {
        at[r] = (int)(t->n * (size_t)r / (size_t)size);
        cnt[r] = (int)(t->n * (size_t)(r + 1) / (size_t)size) - at[r];
    }
    MPI_Type_contiguous((int)t->p, MPI_DOUBLE, &row); /* counts in rows: never over INT_MAX */
    MPI_Type_commit(&row);
    MPI_Allgatherv(MPI_IN_PLACE, 0, row, num, cnt, at, row, comm);
    MPI_Type_free(&row);
    free(cnt), free(at);
    return RGX_OK;
}

rgx_err table_read_comm(const char *path, const char *what, int categorical, MPI_Comm comm,
                        table_t *t)
{
    memset(t, 0, sizeof *t);
    table_text_t x = {.what = what};
    double *num = NULL;
    size_t *bad = NULL; /* per column: 1 + the first row that is not a number, or 0 */
    rgx_err err = text_load(path, what, t, &x);
    if (comm != MPI_COMM_NULL) err = comm_agree(comm, err, "reading a table");
    /* The numbers on huge pages (rgx_big_alloc): n x p doubles are 80 MB at 10,000 x 1,000,
     * whose 4 kB page faults alone took 0.3 s of CPU on the development VM. */
    if (!err && ((err = rgx_big_calloc(&num, (t->n ? t->n : 1) * t->p, sizeof *num)) ||
                 (err = rgx_calloc(&bad, t->p, sizeof *bad))))
        goto out;
    if (!err) err = parse_table(path, comm, t, &x, num, bad);
    if (!err) err = make_columns(path, what, categorical, t, &x, &num, bad);
out:
    free(num), free(bad);
    text_free(&x);
    if (err) table_free(t);
    return err;
}

rgx_err table_read(const char *path, const char *what, int categorical, table_t *t)
{
    return table_read_comm(path, what, categorical, MPI_COMM_NULL, t);
}

rgx_err table_read_text(const char *path, const char *column, size_t *n, char ***ids,
                        char ***cells)
{
    *n = 0, *ids = *cells = NULL;
    char *f[4096], *header = NULL;
    size_t rows = 0, cap = 0, skip = 0, nf_head = 0;
    long col = -1;
    long *line = NULL;
    lines_t L;
    rgx_err err = lines_open(&L, path, "covariate");
    if (err) return err;
    for (char *s; !err && (s = lines_next(&L));) {
        if (col < 0) { /* the header line as written, for the message */
            free(header);
            if ((err = rgx_strdup(&header, s))) break;
        }
        size_t nf = split(s, f, 4096);
        if (!nf) continue;
        if (col < 0) { /* the header */
            if ((err = read_header(&L, f, nf, "covariate", &skip))) break;
            for (size_t j = skip; j < nf && col < 0; j++)
                if (!strcmp(f[j], column)) col = (long)j;
            if (col < 0)
                err = rgx_fail(RGX_ERR_INPUT, "%s:%d: no column '%s'; the header is: %s", path,
                               L.line_no, column, header);
            nf_head = nf;
            continue;
        }
        if (f[0][0] == '#') continue;
        if (nf != nf_head) {
            err = rgx_fail(RGX_ERR_INPUT, "%s:%d: %zu fields, expected %zu as in the header", path,
                           L.line_no, nf, nf_head);
            break;
        }
        if ((err = rgx_reserve(ids, &cap, rows + 1, sizeof **ids)) ||
            (err = rgx_realloc(cells, cap, sizeof **cells)) || /* the same room for the cells */
            (err = rgx_realloc(&line, cap, sizeof *line)))
            break;
        (*ids)[rows] = (*cells)[rows] = NULL;
        line[rows++] = L.line_no;
        if ((err = rgx_strdup(&(*ids)[rows - 1], f[skip - 1]))) break;
        if (!is_missing(f[col])) err = rgx_strdup(&(*cells)[rows - 1], f[col]);
    }
    if (!err && col < 0) err = rgx_fail(RGX_ERR_INPUT, "%s: empty covariate file", path);
    if (!err) err = check_ids(path, *ids, line, rows);
    *n = rows;
    if (err) {
        for (size_t i = 0; i < rows; i++) free((*ids)[i]), free((*cells)[i]);
        free(*ids), free(*cells);
        *ids = *cells = NULL, *n = 0;
    }
    free(L.text), free(header), free(line);
    return err;
}

/* The error for a name that selects nothing: what was asked, the closest name and what the
 * table has (the first 20 names and the count). */
static rgx_err no_column(const table_t *t, const char *s, const char *path)
{
    strbuf_t sb = {0};
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t j = 0; j < t->p; j++) {
        size_t d = edit_distance(s, t->name[j]);
        if (d < best_d) best_d = d, best = t->name[j];
        if (j < 20) sb_printf(&sb, "%s%s", j ? ", " : "", t->name[j]);
    }
    if (t->p > 20) sb_printf(&sb, ", ... (%zu in all)", t->p);
    rgx_err err = rgx_fail(RGX_ERR_USAGE, "%s: no column '%s'%s%s%s; it has %s", path, s,
                           best && best_d <= 3 ? " (did you mean '" : "",
                           best && best_d <= 3 ? best : "", best && best_d <= 3 ? "'?)" : "",
                           t->p ? (sb.s ? sb.s : "") : "no columns");
    free(sb.s);
    return err;
}

rgx_err table_select(table_t *t, const char *names, const char *path)
{
    if (!names || !*names) return RGX_OK;
    char *list = NULL;
    rgx_err err = rgx_strdup(&list, names);
    if (err) return err;
    size_t *pick = NULL, k = 0;
    if ((err = rgx_calloc(&pick, t->p + strlen(names) + 1, sizeof *pick))) goto out;
    for (char *s = strtok(list, ","); s && !err; s = strtok(NULL, ",")) {
        int found = 0;
        size_t ls = strlen(s);
        for (size_t j = 0; j < t->p; j++) /* a categorical column's indicators all come */
            if (!strcmp(t->name[j], s) || (!strncmp(t->name[j], s, ls) && t->name[j][ls] == '='))
                pick[k++] = j, found = 1;
        if (!found) err = no_column(t, s, path);
    }
    if (err) goto out;
    double *v;
    char **nm;
    if ((err = rgx_calloc(&v, (t->n ? t->n : 1) * (k ? k : 1), sizeof *v))) goto out;
    if ((err = rgx_calloc(&nm, k ? k : 1, sizeof *nm))) {
        free(v);
        goto out;
    }
    for (size_t i = 0; i < t->n; i++)
        for (size_t c = 0; c < k; c++) v[i * k + c] = t->v[i * t->p + pick[c]];
    for (size_t c = 0; c < k; c++) nm[c] = strdup(t->name[pick[c]]);
    for (size_t j = 0; j < t->p; j++) free(t->name[j]);
    free(t->name), free(t->v);
    t->name = nm, t->v = v, t->p = k;
out:
    free(list), free(pick);
    return err;
}

rgx_err table_index(table_t *t)
{
    if (t->index) return RGX_OK;
    strmap_t *m = calloc(1, sizeof *m);
    if (!m) return rgx_fail(RGX_ERR_MEMORY, "out of memory for the sample index");
    rgx_err err = strmap_init(m, t->n);
    for (size_t i = 0; i < t->n && !err; i++) err = strmap_put(m, t->id[i], (long)i, NULL);
    if (err) {
        strmap_free(m), free(m);
        return err;
    }
    t->index = m;
    return RGX_OK;
}

long table_row(const table_t *t, const char *id)
{
    if (t->index) return strmap_get(t->index, id);
    for (size_t i = 0; i < t->n; i++) /* not indexed: a table looked up only a few times */
        if (!strcmp(t->id[i], id)) return (long)i;
    return -1;
}

static const char *run_group = RF_FEATURES;

void pheno_run_features(const char *group)
{
    run_group = group ? group : RF_FEATURES;
}

rgx_err table_from_run(const char *run, table_t *t)
{
    return table_from_run_group(run, run_group, t);
}

rgx_err table_from_run_group(const char *run, const char *group, table_t *t)
{
    memset(t, 0, sizeof *t);
    hid_t f;
    rgx_err err = h5in_open(run, &f);
    if (err) return err;
    char **sid = NULL, **names = NULL;
    size_t ns = 0, nn = 0, nst = 0, rows = 0, cols = 0;
    long *status = NULL;
    double *v = NULL;
    char vname[256], nname[256];
    snprintf(vname, sizeof vname, "%s/values", group);
    snprintf(nname, sizeof nname, "%s/names", group);
    if (!h5in_exists(f, vname)) {
        err = strcmp(group, RF_FEATURES)
                  ? rgx_fail(RGX_ERR_INPUT, "%s: no %s (run radiogx harmonise first, or scan "
                                            "the raw features: scan.features: raw)", run, group)
                  : rgx_fail(RGX_ERR_INPUT, "%s: no /features (run extract first, or give "
                                            "--pheno)", run);
        goto out;
    }
    if ((err = h5in_read_strings(f, RF_SAMPLES_SAMPLE_ID, &ns, &sid)) ||
        (err = h5in_read_longs(f, RF_SAMPLES_STATUS, &nst, &status)) ||
        (err = h5in_read_strings(f, nname, &nn, &names)) ||
        (err = h5in_read_doubles(f, vname, &rows, &cols, &v)))
        goto out;
    if (rows != ns || nst != ns || cols != nn) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: /samples and %s disagree in size", run, group);
        goto out;
    }
    /* Only extracted patients with genotypes: status 0. */
    size_t n = 0;
    for (size_t i = 0; i < ns; i++) n += status[i] == 0;
    if ((err = rgx_calloc(&t->id, n ? n : 1, sizeof *t->id)) ||
        (err = rgx_calloc(&t->v, (n ? n : 1) * (nn ? nn : 1), sizeof *t->v)))
        goto out;
    for (size_t i = 0, r = 0; i < ns && !err; i++) {
        if (status[i] != 0) continue;
        err = rgx_strdup(&t->id[r], sid[i]);
        memcpy(t->v + r * nn, v + i * nn, nn * sizeof *v);
        t->n = ++r;
    }
    /* An infinite value (a feature divided by zero) would become the largest rank: missing,
     * and counted for the log. */
    for (size_t k = 0; k < t->n * nn; k++)
        if (isinf(t->v[k])) t->v[k] = NAN, t->n_inf++;
    t->name = names, t->p = nn;
    names = NULL;
    if (!err) { /* each sample once (a hand-made run file): as the tables' rule */
        strmap_t m;
        err = strmap_init(&m, t->n);
        for (size_t i = 0; i < t->n && !err; i++) {
            long old;
            if (!(err = strmap_put(&m, t->id[i], (long)i, &old)) && old >= 0)
                err = rgx_fail(RGX_ERR_INPUT, "%s: /samples/sample_id '%s' is on two extracted "
                                              "rows", run, t->id[i]);
        }
        strmap_free(&m);
    }
out:
    h5in_free_strings(sid, ns);
    h5in_free_strings(names, nn);
    free(status), free(v);
    h5in_close(f);
    if (err) table_free(t);
    return err;
}

typedef struct {
    double x;
    size_t i;
} item_t;

static int cmp_item(const void *a, const void *b)
{
    const item_t *x = a, *y = b;
    if (x->x < y->x) return -1;
    if (x->x > y->x) return 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

void pheno_int(double *v, size_t n, size_t p, size_t j)
{
    item_t *it = malloc((n ? n : 1) * sizeof *it);
    if (!it) return;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i * p + j])) it[m].x = v[i * p + j], it[m].i = i, m++;
    qsort(it, m, sizeof *it, cmp_item);
    for (size_t a = 0; a < m;) {
        size_t b = a;
        while (b + 1 < m && it[b + 1].x == it[a].x) b++;
        double rank = 0.5 * (double)(a + b) + 1.0; /* average of ranks a+1 .. b+1 */
        double z = gsl_cdf_ugaussian_Pinv((rank - 0.5) / (double)m);
        for (size_t k = a; k <= b; k++) v[it[k].i * p + j] = z;
        a = b + 1;
    }
    free(it);
}
