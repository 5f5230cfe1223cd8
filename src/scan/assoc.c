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

rgx_err assoc_rows(assoc_t *a, size_t r0, size_t nr, double *beta, double *se, double *mlp)
{
    if (r0 + nr > a->n_rows)
        return rgx_fail(RGX_ERR_INTERNAL, "rows %zu..%zu of %zu", r0, r0 + nr, a->n_rows);
    size_t P = a->p ? a->p : 1, NG = a->ng ? a->ng : 1;
    rgx_err err = RGX_OK;
    if (a->outcome) { /* stored as they are */
        const char *nm[3] = {RF_ASSOC_BETA, RF_ASSOC_SE, RF_ASSOC_LOG10P};
        double *dst[3] = {beta, se, mlp};
        for (int k = 0; k < 3 && !err; k++)
            if (dst[k]) err = h5in_read_rows(a->f, nm[k], r0, nr, dst[k]);
        return err;
    }
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
    double *tmp[3] = {beta, se, mlp}, *own = NULL;
    for (int k = 0; k < 3; k++) /* an output not wanted: computed into scratch */
        if (!tmp[k]) {
            if (!own && (err = rgx_calloc(&own, 3 * nr * P, sizeof *own))) return err;
            tmp[k] = own + (size_t)k * nr * P;
        }
    size_t P1 = a->p, NG1 = a->ng;
    for (size_t j = 0; j < nr;) { /* runs of variants of one model */
        int m = a->model ? (int)a->model[r0 + j] : 0;
        size_t e = j + 1;
        while (e < nr && (a->model ? (int)a->model[r0 + e] : 0) == m) e++;
        scan_stats(&a->m[m].par, a->xty + j * P1, a->gtg + j * NG1, e - j, tmp[0] + j * P1,
                   tmp[1] + j * P1, tmp[2] + j * P1);
        j = e;
    }
    free(own);
    return RGX_OK;
}

void assoc_close(assoc_t *a)
{
    for (int m = 0; m < 2; m++)
        free(a->m[m].yty), free(a->m[m].df), free(a->m[m].tabs), free(a->m[m].ktail);
    free(a->group), free(a->model), free(a->xty), free(a->gtg);
    memset(a, 0, sizeof *a);
}
