/* assoc.c — see assoc.h. */
#include "assoc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "h5in.h"
#include "util.h"
#include "runfile.h"

static rgx_err read_vector(assoc_t *a, const char *name, double **v, const char *path)
{
    size_t n = 0, c = 0;
    rgx_err err = h5in_read_doubles(a->f, name, &n, &c, v);
    if (!err && n != a->p)
        err = rgx_fail(RGX_ERR_INPUT, "%s: %s has %zu entries for %zu phenotypes in /assoc", path,
                       name, n, a->p);
    return err;
}

/* A model's y~'y~ and df, and one t table per distinct df (the scan's own tables). */
static rgx_err read_model(assoc_t *a, assoc_model_t *m, const char *yty, const char *df,
                          const char *path)
{
    size_t P = a->p ? a->p : 1, nt = 0;
    rgx_err err = read_vector(a, yty, &m->yty, path);
    if (!err) err = read_vector(a, df, &m->df, path);
    if (!err) err = rgx_calloc(&m->tabs, P, sizeof *m->tabs);
    if (!err) err = rgx_calloc(&m->ktail, P, sizeof *m->ktail);
    for (size_t k = 0; k < a->p && !err; k++) {
        size_t t = 0;
        while (t < nt && m->tabs[t].df != m->df[k]) t++;
        if (t == nt) tdist_table_init(&m->tabs[nt++], m->df[k]);
        m->ktail[k] = &m->tabs[t];
    }
    if (!err) m->par = (scan_params_t){a->p, a->ng, a->group, m->yty, m->df, m->ktail};
    return err;
}

/* The per-phenotype parameters: groups, then each model's. */
static rgx_err read_params(assoc_t *a, const char *path)
{
    double *g = NULL;
    rgx_err err = read_vector(a, RF_PHENOTYPES_GROUP, &g, path);
    if (!err) err = rgx_calloc(&a->group, a->p ? a->p : 1, sizeof *a->group);
    for (size_t k = 0; k < a->p && !err; k++) {
        if (!(g[k] >= 0 && g[k] < (double)a->ng) || g[k] != floor(g[k]))
            err = rgx_fail(RGX_ERR_INPUT,
                           "%s: /phenotypes/group[%zu] = %g is not a group of /assoc/gtg", path, k,
                           g[k]);
        else /* only a checked value: converting one out of int's range is undefined */
            a->group[k] = (int)g[k];
    }
    free(g);
    if (!err) err = read_model(a, &a->m[0], RF_PHENOTYPES_YTY, RF_PHENOTYPES_DF, path);
    a->n_models = 1;
    if (!err && h5in_exists(a->f, RF_PHENOTYPES_CHRX_YTY)) {
        err = read_model(a, &a->m[1], RF_PHENOTYPES_CHRX_YTY, RF_PHENOTYPES_CHRX_DF, path);
        a->n_models = 2;
    }
    size_t nv = 0, c = 0;
    if (!err && h5in_exists(a->f, RF_VARIANTS_MODEL)) {
        err = h5in_read_doubles(a->f, RF_VARIANTS_MODEL, &nv, &c, &a->model);
        for (size_t v = 0; !err && v < nv; v++)
            if (!(a->model[v] >= 0 && a->model[v] < a->n_models))
                err = rgx_fail(RGX_ERR_INPUT, "%s: /variants/model[%zu] = %g: no such model", path,
                               v, a->model[v]);
        if (!err && nv != a->n_rows)
            err = rgx_fail(RGX_ERR_INPUT, "%s: /variants/model has %zu rows, /assoc %zu", path, nv,
                           a->n_rows);
    }
    return err;
}

/* The store of binary and time-to-event outcomes. */
static rgx_err open_fitted(assoc_t *a, const char *path)
{
    char *kind = NULL;
    if (h5in_attr_str(a->f, RF_ASSOC, "outcome", &kind) == RGX_OK)
        a->outcome = !strcmp(kind, "binary") ? 1 : 2;
    free(kind);
    hid_t d = H5Dopen2(a->f, RF_ASSOC_BETA, H5P_DEFAULT);
    hsize_t dx[2] = {0, 0};
    if (d >= 0) {
        hid_t sp = H5Dget_space(d);
        H5Sget_simple_extent_dims(sp, dx, NULL);
        H5Sclose(sp), H5Dclose(d);
    }
    if (d < 0 || !a->outcome)
        return rgx_fail(RGX_ERR_INPUT, "%s: /assoc/beta without its outcome attribute", path);
    a->n_rows = (size_t)dx[0], a->p = (size_t)dx[1];
    return RGX_OK;
}

rgx_err assoc_open(assoc_t *a, hid_t f, const char *path)
{
    memset(a, 0, sizeof *a);
    a->f = f;
    if (h5in_exists(f, RF_ASSOC_BETA)) return open_fitted(a, path);
    if (!h5in_exists(f, RF_ASSOC_XTY) || !h5in_exists(f, RF_ASSOC_GTG))
        return rgx_fail(RGX_ERR_INPUT, "%s: no /assoc/xty and /assoc/gtg (was the scan run?)",
                        path);
    hid_t d = H5Dopen2(f, RF_ASSOC_XTY, H5P_DEFAULT), e = H5Dopen2(f, RF_ASSOC_GTG, H5P_DEFAULT);
    hsize_t dx[2] = {0, 0}, dg[2] = {0, 0};
    int okx = 0;
    if (d >= 0) {
        hid_t sp = H5Dget_space(d);
        okx = H5Sget_simple_extent_ndims(sp) >= 1;
        H5Sget_simple_extent_dims(sp, dx, NULL);
        H5Sclose(sp), H5Dclose(d);
    }
    if (e >= 0) {
        hid_t sp = H5Dget_space(e);
        H5Sget_simple_extent_dims(sp, dg, NULL);
        H5Sclose(sp), H5Dclose(e);
    }
    if (!okx || dx[0] != dg[0])
        return rgx_fail(RGX_ERR_INPUT, "%s: /assoc/xty and /assoc/gtg do not have the same rows",
                        path);
    a->n_rows = (size_t)dx[0], a->p = (size_t)dx[1], a->ng = (size_t)dg[1];
    rgx_err err = read_params(a, path);
    if (err) assoc_close(a); /* (closing again is harmless) */
    return err;
}

/* Columns cols[0..kn) of the nr x P rows in x, into out (nr x kn). */
static void gather(const double *x, size_t nr, size_t P, const size_t *cols, size_t kn, double *out)
{
    for (size_t j = 0; j < nr; j++)
        for (size_t k = 0; k < kn; k++) out[j * kn + k] = x[j * P + cols[k]];
}

/* Binary and time-to-event outcomes: the stored numbers, all columns or the chosen ones. */
static rgx_err fitted_rows(assoc_t *a, size_t r0, size_t nr, const size_t *cols, size_t kn,
                           double *const dst[3])
{
    const char *nm[3] = {RF_ASSOC_BETA, RF_ASSOC_SE, RF_ASSOC_LOG10P};
    rgx_err err = RGX_OK;
    for (int k = 0; k < 3 && !err; k++) {
        if (!dst[k]) continue;
        if (!cols) {
            err = h5in_read_rows(a->f, nm[k], r0, nr, dst[k]);
            continue;
        }
        if (!(err = rgx_reserve(&a->sel, &a->sel_len, nr * a->p, sizeof *a->sel)) &&
            !(err = h5in_read_rows(a->f, nm[k], r0, nr, a->sel)))
            gather(a->sel, nr, a->p, cols, kn, dst[k]);
    }
    return err;
}

/* Each model's parameters for the chosen columns (sub[0..n_models)), held in *sp. */
typedef struct {
    int *group;
    double *v;                /* per model: y~'y~ then df, kn each */
    const tdist_table_t **kt; /* per model: kn tables */
} sub_mem_t;

static void sub_free(sub_mem_t *sp)
{
    free(sp->group), free(sp->v), free(sp->kt);
}

static rgx_err sub_params(const assoc_t *a, const size_t *cols, size_t kn, scan_params_t *sub,
                          sub_mem_t *sp)
{
    size_t K = kn ? kn : 1, M = (size_t)a->n_models;
    rgx_err err;
    if ((err = rgx_calloc(&sp->group, K, sizeof *sp->group)) ||
        (err = rgx_calloc(&sp->v, 2 * M * K, sizeof *sp->v)) ||
        (err = rgx_calloc(&sp->kt, M * K, sizeof *sp->kt)))
        return err;
    for (size_t k = 0; k < kn; k++) sp->group[k] = a->group[cols[k]];
    for (size_t mo = 0; mo < M; mo++) {
        double *yty = sp->v + 2 * mo * K, *df = yty + K;
        const tdist_table_t **t = sp->kt + mo * K;
        for (size_t k = 0; k < kn; k++) {
            yty[k] = a->m[mo].yty[cols[k]], df[k] = a->m[mo].df[cols[k]];
            t[k] = a->m[mo].ktail[cols[k]];
        }
        sub[mo] = (scan_params_t){kn, a->ng, sp->group, yty, df, t};
    }
    return RGX_OK;
}

rgx_err assoc_rows_cols(assoc_t *a, size_t r0, size_t nr, const size_t *cols, size_t kn,
                        double *beta, double *se, double *mlp)
{
    if (r0 + nr > a->n_rows)
        return rgx_fail(RGX_ERR_INTERNAL, "rows %zu..%zu of %zu", r0, r0 + nr, a->n_rows);
    for (size_t k = 0; cols && k < kn; k++)
        if (cols[k] >= a->p) return rgx_fail(RGX_ERR_INTERNAL, "column %zu of %zu", cols[k], a->p);
    double *tmp[3] = {beta, se, mlp};
    if (a->outcome) return fitted_rows(a, r0, nr, cols, kn, tmp);
    size_t P = a->p ? a->p : 1, NG = a->ng ? a->ng : 1;
    rgx_err err = RGX_OK;
    if (nr > a->cap) {
        free(a->xty), free(a->gtg);
        a->xty = a->gtg = NULL, a->cap = 0;
        if ((err = rgx_calloc(&a->xty, nr * P, sizeof *a->xty)) ||
            (err = rgx_calloc(&a->gtg, nr * NG, sizeof *a->gtg)))
            return err;
        a->cap = nr;
    }
    if ((err = h5in_read_rows(a->f, RF_ASSOC_XTY, r0, nr, a->xty)) ||
        (err = h5in_read_rows(a->f, RF_ASSOC_GTG, r0, nr, a->gtg)))
        return err;
    scan_params_t par[2] = {a->m[0].par, a->m[1].par};
    const double *x = a->xty;
    size_t K = a->p; /* the columns computed */
    sub_mem_t sp = {NULL, NULL, NULL};
    if (cols) { /* the chosen columns of xty side by side; their parameters likewise */
        if ((err = rgx_reserve(&a->sel, &a->sel_len, nr * (kn ? kn : 1), sizeof *a->sel)) ||
            (err = sub_params(a, cols, kn, par, &sp))) {
            sub_free(&sp);
            return err;
        }
        gather(a->xty, nr, a->p, cols, kn, a->sel);
        x = a->sel, K = kn;
    }
    double *own = NULL;
    for (int k = 0; k < 3 && !err; k++) /* an output not wanted: computed into scratch */
        if (!tmp[k]) {
            if (!own && (err = rgx_calloc(&own, 3 * nr * (K ? K : 1), sizeof *own))) break;
            tmp[k] = own + (size_t)k * nr * K;
        }
    size_t NG1 = a->ng;
    for (size_t j = 0; j < nr && !err;) { /* runs of variants of one model */
        int m = a->model ? (int)a->model[r0 + j] : 0;
        size_t e = j + 1;
        while (e < nr && (a->model ? (int)a->model[r0 + e] : 0) == m) e++;
        scan_stats(&par[m], x + j * K, a->gtg + j * NG1, e - j, tmp[0] + j * K, tmp[1] + j * K,
                   tmp[2] + j * K);
        j = e;
    }
    free(own), sub_free(&sp);
    return err;
}

rgx_err assoc_rows(assoc_t *a, size_t r0, size_t nr, double *beta, double *se, double *mlp)
{
    return assoc_rows_cols(a, r0, nr, NULL, a->p, beta, se, mlp);
}

void assoc_close(assoc_t *a)
{
    for (int m = 0; m < 2; m++)
        free(a->m[m].yty), free(a->m[m].df), free(a->m[m].tabs), free(a->m[m].ktail);
    free(a->group), free(a->model), free(a->xty), free(a->gtg), free(a->sel);
    memset(a, 0, sizeof *a);
}
