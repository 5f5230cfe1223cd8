/* covar_run.c — see covar_run.h. */
#include "covar_run.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pheno.h"
#include "util.h"

static FILE *create(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f && fd >= 0) close(fd);
    return f;
}

static void put_value(FILE *f, double v)
{
    if (isnan(v))
        fputs("\tNA", f);
    else
        fprintf(f, "\t%.17g", v);
}

/* Which columns of t the patterns take (take[j] = 1); an unmatched pattern is an error. */
static rgx_err choose(const table_t *t, const char *patterns, char *take, size_t *n_taken)
{
    char *list = NULL, *save = NULL;
    rgx_err err = rgx_strdup(&list, patterns);
    *n_taken = 0;
    for (char *p = err ? NULL : strtok_r(list, ",", &save); p && !err;
         p = strtok_r(NULL, ",", &save)) {
        while (*p == ' ') p++;
        size_t hit = 0;
        for (size_t j = 0; j < t->p; j++)
            if (fnmatch(p, t->name[j], 0) == 0) hit++, *n_taken += !take[j], take[j] = 1;
        if (!hit)
            err = rgx_fail(RGX_ERR_USAGE,
                           "covariates from the run: no feature matches '%s' "
                           "(features are named like %s)",
                           p, t->p ? t->name[0] : "(none)");
    }
    if (!err && *n_taken == t->p)
        err = rgx_fail(RGX_ERR_USAGE,
                       "covariates from the run: '%s' takes every feature; none "
                       "would be left to scan",
                       patterns);
    free(list);
    return err;
}

/* The user's covariate table, line by line, with the taken columns appended (by IID). */
static rgx_err append_to(const char *covar_in, const table_t *t, const char *take, FILE *f)
{
    char *text = NULL;
    size_t len;
    rgx_err err = read_file(covar_in, &text, &len);
    int iid_col = -1, lineno = 0;
    for (char *line = text, *next; !err && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r') line[--l] = 0;
        lineno++;
        if (!l) continue;
        char first[64] = "", second[64] = "";
        sscanf(line, "%63s %63s", first, second);
        if (iid_col < 0) { /* the header: #IID, #FID IID, FID IID or IID */
            iid_col = !strcmp(first, "#FID") || !strcmp(first, "FID") ? 1 : 0;
            fputs(line, f);
            for (size_t j = 0; j < t->p; j++)
                if (take[j]) fprintf(f, "\t%s", t->name[j]);
            fputc('\n', f);
            continue;
        }
        long r = table_row(t, iid_col ? second : first);
        fputs(line, f);
        for (size_t j = 0; j < t->p; j++)
            if (take[j]) put_value(f, r >= 0 ? t->v[(size_t)r * t->p + j] : NAN);
        fputc('\n', f);
    }
    free(text);
    return err;
}

rgx_err covar_run_make(const char *run, const char *patterns, const char *covar_in,
                       const char *covar_out, const char *pheno_out, size_t *n_taken)
{
    table_t t = {0};
    char *take = NULL;
    FILE *fc = NULL, *fp = NULL;
    rgx_err err = table_from_run(run, &t);
    if (!err) err = table_index(&t);
    if (!err) err = rgx_calloc(&take, t.p ? t.p : 1, 1);
    if (!err) err = choose(&t, patterns, take, n_taken);
    if (err) goto out;
    if (!(fc = create(covar_out)) || !(fp = create(pheno_out))) {
        err = rgx_fail(RGX_ERR_IO, "%s: cannot create: %s", fc ? pheno_out : covar_out,
                       strerror(errno));
        goto out;
    }
    if (covar_in) {
        err = append_to(covar_in, &t, take, fc);
    } else {
        fputs("#IID", fc);
        for (size_t j = 0; j < t.p; j++)
            if (take[j]) fprintf(fc, "\t%s", t.name[j]);
        fputc('\n', fc);
        for (size_t i = 0; i < t.n; i++) {
            fputs(t.id[i], fc);
            for (size_t j = 0; j < t.p; j++)
                if (take[j]) put_value(fc, t.v[i * t.p + j]);
            fputc('\n', fc);
        }
    }
    fputs("#IID", fp);
    for (size_t j = 0; j < t.p; j++)
        if (!take[j]) fprintf(fp, "\t%s", t.name[j]);
    fputc('\n', fp);
    for (size_t i = 0; i < t.n; i++) {
        fputs(t.id[i], fp);
        for (size_t j = 0; j < t.p; j++)
            if (!take[j]) put_value(fp, t.v[i * t.p + j]);
        fputc('\n', fp);
    }
out:
    if (fc && fclose(fc) != 0 && !err) err = rgx_fail(RGX_ERR_IO, "%s: cannot write", covar_out);
    if (fp && fclose(fp) != 0 && !err) err = rgx_fail(RGX_ERR_IO, "%s: cannot write", pheno_out);
    free(take);
    table_free(&t);
    return err;
}

rgx_err covar_run_prepare(MPI_Comm comm, const char *out, const char *run, const char *patterns,
                          const char *covar, char **cov, char **ph, char sha[2][65])
{
    strbuf_t a = {0}, b = {0};
    size_t n = 0;
    int rank;
    MPI_Comm_rank(comm, &rank);
    rgx_err err = sb_printf(&a, "%s.covar.tsv", out);
    if (!err) err = sb_printf(&b, "%s.pheno.tsv", out);
    if (!err && rank == 0) err = covar_run_make(run, patterns, covar, a.s, b.s, &n);
    int e = err;
    MPI_Bcast(&e, 1, MPI_INT, 0, comm);
    if (!err && e) err = rgx_fail((rgx_err)e, "rank 0 could not write the covariates of the run");
    if (!err) err = sha256_file(a.s, sha[0]);
    if (!err) err = sha256_file(b.s, sha[1]);
    if (!err && rank == 0) log_info("scan: %zu features of %s are covariates (%s)", n, run, a.s);
    *cov = a.s, *ph = b.s;
    return err;
}
