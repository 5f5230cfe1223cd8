/* harmonise.c — see harmonise.h. */
#include "harmonise.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "combat_fit.h"
#include "h5in.h"
#include "log.h"
#include "pheno.h"
#include "runfile.h"
#include "strmap.h"
#include "util.h"

/* Why a patient is not in the harmonisation. */
enum { IN = 0, NOT_EXTRACTED, NO_BATCH, NO_COVARIATE, N_WHY };
static const char *why_text[N_WHY] = {"", "not extracted (status failed)", "no batch label",
                                      "a design covariate missing"};

typedef struct {
    size_t n, p, q;         /* patients (rows of /samples), features, covariates */
    char **sid, **site_col; /* n */
    long *status;           /* n */
    char **fname, **channel; /* p */
    long *label;            /* p */
    const char **batch;     /* n: the batch label, or NULL */
    size_t nb;              /* the covariate table's batch column, when the batch is one */
    char **bid, **bcell;
    char **qname; /* q: the design's covariates */
    double *z;    /* n x q, NaN when unknown */
    int *why;     /* n */
    size_t K;     /* sites */
    char **sname; /* K (owned) */
    size_t *site_n;
    long *site_of; /* n: site, or -1 */
    size_t N;      /* patients in the harmonisation */
    size_t *list;  /* N: their rows, site by site, ascending within a site */
    size_t n_groups;
    char **gname; /* n_groups (owned) */
    int *group;   /* p */
} cohort_t;

static void strings_free(char **s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) free(s[i]);
    free(s);
}

static void cohort_free(cohort_t *c)
{
    h5in_free_strings(c->sid, c->n), h5in_free_strings(c->site_col, c->n);
    h5in_free_strings(c->fname, c->p), h5in_free_strings(c->channel, c->p);
    strings_free(c->bid, c->nb), strings_free(c->bcell, c->nb);
    strings_free(c->qname, c->q), strings_free(c->sname, c->K), strings_free(c->gname, c->n_groups);
    free(c->status), free(c->label), free(c->batch), free(c->z), free(c->why), free(c->site_n);
    free(c->site_of), free(c->list), free(c->group);
    memset(c, 0, sizeof *c);
}

static rgx_err cohort_read(const char *run, cohort_t *c)
{
    hid_t f;
    size_t n1 = 0, n2 = 0, p1 = 0, p2 = 0, rows = 0, cols = 0;
    rgx_err err = h5in_open(run, &f);
    if (err) return err;
    if (!h5in_exists(f, RF_FEATURES_VALUES)) {
        h5in_close(f);
        return rgx_fail(RGX_ERR_INPUT, "%s: no /features (run radiogx extract first)", run);
    }
    if ((err = h5in_read_strings(f, RF_SAMPLES_SAMPLE_ID, &c->n, &c->sid)) ||
        (err = h5in_read_strings(f, RF_SAMPLES_SITE, &n1, &c->site_col)) ||
        (err = h5in_read_longs(f, RF_SAMPLES_STATUS, &n2, &c->status)) ||
        (err = h5in_read_strings(f, RF_FEATURES_NAMES, &c->p, &c->fname)) ||
        (err = h5in_read_strings(f, RF_FEATURES_CHANNEL, &p1, &c->channel)) ||
        (err = h5in_read_longs(f, RF_FEATURES_LABEL, &p2, &c->label)))
        goto out;
    hid_t d = H5Dopen2(f, RF_FEATURES_VALUES, H5P_DEFAULT);
    hid_t s = H5Dget_space(d);
    hsize_t dims[2] = {0, 0};
    int nd = H5Sget_simple_extent_dims(s, dims, NULL);
    H5Sclose(s), H5Dclose(d);
    rows = (size_t)dims[0], cols = nd == 2 ? (size_t)dims[1] : 0;
    if (n1 != c->n || n2 != c->n || p1 != c->p || p2 != c->p || rows != c->n || cols != c->p)
        err = rgx_fail(RGX_ERR_INPUT, "%s: /samples (%zu) and /features (%zu x %zu, %zu names) "
                                      "disagree in size", run, c->n, rows, cols, c->p);
out:
    h5in_close(f);
    return err;
}

/* The batch of every patient: the manifest's site, or a column of the covariate table. */
static rgx_err cohort_batch(cohort_t *c, const char *batch, const char *covar)
{
    rgx_err err = rgx_calloc(&c->batch, c->n ? c->n : 1, sizeof *c->batch);
    if (err) return err;
    if (!strcmp(batch, "site")) {
        for (size_t i = 0; i < c->n; i++) c->batch[i] = c->site_col[i][0] ? c->site_col[i] : NULL;
        return RGX_OK;
    }
    if (!covar)
        return rgx_fail(RGX_ERR_CONFIG, "harmonise.batch '%s' is a covariate column, but there is "
                                       "no covariate table (study.covariates or --covar)", batch);
    if ((err = table_read_text(covar, batch, &c->nb, &c->bid, &c->bcell))) return err;
    strmap_t m;
    if ((err = strmap_init(&m, c->nb))) return err;
    for (size_t k = 0; k < c->nb && !err; k++) err = strmap_put(&m, c->bid[k], (long)k, NULL);
    for (size_t i = 0; i < c->n && !err; i++) {
        long k = strmap_get(&m, c->sid[i]);
        c->batch[i] = k >= 0 ? c->bcell[k] : NULL;
    }
    strmap_free(&m);
    return err;
}

/* The design covariates (a comma list of table columns; categorical ones expand). */
static rgx_err cohort_covariates(cohort_t *c, const char *names, const char *covar)
{
    table_t t = {0};
    rgx_err err = RGX_OK;
    if (!names || !*names) return rgx_calloc(&c->z, 1, sizeof *c->z);
    if (!covar)
        return rgx_fail(RGX_ERR_CONFIG, "harmonise.covariates '%s' needs a covariate table "
                                       "(study.covariates or --covar)", names);
    if ((err = table_read(covar, "covariate", 1, &t)) || (err = table_select(&t, names, covar)) ||
        (err = table_index(&t)))
        goto out;
    c->q = t.p;
    if ((err = rgx_calloc(&c->qname, t.p ? t.p : 1, sizeof *c->qname)) ||
        (err = rgx_calloc(&c->z, (c->n ? c->n : 1) * (t.p ? t.p : 1), sizeof *c->z)))
        goto out;
    for (size_t a = 0; a < t.p && !err; a++) err = rgx_strdup(&c->qname[a], t.name[a]);
    for (size_t i = 0; i < c->n; i++) {
        long r = table_row(&t, c->sid[i]);
        for (size_t a = 0; a < t.p; a++)
            c->z[i * t.p + a] = r >= 0 ? t.v[(size_t)r * t.p + a] : NAN;
    }
out:
    table_free(&t);
    return err;
}

/* Who enters, and why not. */
static void cohort_who(cohort_t *c, size_t counts[N_WHY])
{
    memset(counts, 0, N_WHY * sizeof *counts);
    for (size_t i = 0; i < c->n; i++) {
        int w = IN;
        if (c->status[i] == 1) w = NOT_EXTRACTED;
        else if (!c->batch[i]) w = NO_BATCH;
        for (size_t a = 0; a < c->q && w == IN; a++)
            if (!isfinite(c->z[i * c->q + a])) w = NO_COVARIATE;
        c->why[i] = w;
        counts[w]++;
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sites: given (apply: the stored ones), or the distinct batch labels, sorted.  Then each
 * patient's site and the list, site by site. */
static rgx_err cohort_sites(cohort_t *c, char **given, size_t n_given)
{
    rgx_err err = rgx_calloc(&c->site_of, c->n ? c->n : 1, sizeof *c->site_of);
    const char **lab = NULL;
    strmap_t m = {0};
    int have_m = 0;
    if (!err) err = rgx_calloc(&lab, c->n + n_given + 1, sizeof *lab);
    if (err) goto out;
    size_t k = 0;
    if (given)
        for (size_t s = 0; s < n_given; s++) lab[k++] = given[s];
    else {
        for (size_t i = 0; i < c->n; i++)
            if (c->why[i] == IN) lab[k++] = c->batch[i];
        qsort(lab, k, sizeof *lab, cmp_str);
        size_t u = 0;
        for (size_t i = 0; i < k; i++)
            if (!u || strcmp(lab[u - 1], lab[i])) lab[u++] = lab[i];
        k = u;
    }
    c->K = k;
    if ((err = rgx_calloc(&c->sname, k ? k : 1, sizeof *c->sname)) ||
        (err = rgx_calloc(&c->site_n, k ? k : 1, sizeof *c->site_n)) ||
        (err = rgx_calloc(&c->list, c->n ? c->n : 1, sizeof *c->list)) ||
        (err = strmap_init(&m, k)))
        goto out;
    have_m = 1;
    for (size_t s = 0; s < k && !err; s++)
        if (!(err = rgx_strdup(&c->sname[s], lab[s])))
            err = strmap_put(&m, c->sname[s], (long)s, NULL);
    for (size_t i = 0; i < c->n && !err; i++) {
        c->site_of[i] = c->why[i] == IN ? strmap_get(&m, c->batch[i]) : -1;
        if (c->why[i] == IN && c->site_of[i] < 0)
            err = rgx_fail(RGX_ERR_INPUT,
                           "patient %s: site '%s' is not one of the %zu sites of the stored "
                           "harmonisation: its parameters exist only for those",
                           c->sid[i], c->batch[i], k);
        else if (c->site_of[i] >= 0)
            c->site_n[c->site_of[i]]++;
    }
    c->N = 0;
    for (size_t s = 0; s < k && !err; s++) /* site by site, ascending rows within */
        for (size_t i = 0; i < c->n; i++)
            if (c->site_of[i] == (long)s) c->list[c->N++] = i;
out:
    if (have_m) strmap_free(&m);
    free(lab);
    return err;
}

/* The groups of features that share priors: channel.label, or all. */
static rgx_err cohort_groups(cohort_t *c, int all)
{
    rgx_err err = RGX_OK;
    if ((err = rgx_calloc(&c->group, c->p ? c->p : 1, sizeof *c->group)) ||
        (err = rgx_calloc(&c->gname, c->p + 1, sizeof *c->gname)))
        return err;
    for (size_t j = 0; j < c->p && !err; j++) {
        char key[512];
        if (all)
            snprintf(key, sizeof key, "all");
        else
            snprintf(key, sizeof key, "%s.%ld", c->channel[j], c->label[j]);
        size_t g = 0;
        while (g < c->n_groups && strcmp(c->gname[g], key)) g++;
        if (g == c->n_groups && !(err = rgx_strdup(&c->gname[g], key))) c->n_groups++;
        c->group[j] = (int)g;
    }
    return err;
}

typedef struct {
    size_t row, k;
} rowref_t;

static int cmp_rowref(const void *a, const void *b)
{
    const rowref_t *x = a, *y = b;
    return (x->row > y->row) - (x->row < y->row);
}

/* This rank's rows of /features/values (its tiles, in list order) and their covariates. */
static rgx_err read_local(const char *run, const cohort_t *c, const tiles_t *T, double *Y,
                          double *Z)
{
    size_t n = T->n_rows, p = c->p;
    rowref_t *ref = NULL;
    size_t *rows = NULL;
    double *tmp = NULL;
    hid_t f = H5I_INVALID_HID;
    rgx_err err;
    if ((err = rgx_calloc(&ref, n ? n : 1, sizeof *ref)) ||
        (err = rgx_calloc(&rows, n ? n : 1, sizeof *rows)) ||
        (err = rgx_calloc(&tmp, (n ? n : 1) * (p ? p : 1), sizeof *tmp)))
        goto out;
    for (size_t k = 0; k < n; k++) ref[k] = (rowref_t){c->list[T->row0 + k], k};
    qsort(ref, n, sizeof *ref, cmp_rowref);
    for (size_t k = 0; k < n; k++) rows[k] = ref[k].row;
    if ((err = h5in_open(run, &f)) ||
        (err = h5in_read_rows_at(f, RF_FEATURES_VALUES, n, rows, tmp)))
        goto out;
    for (size_t k = 0; k < n; k++) {
        memcpy(Y + ref[k].k * p, tmp + k * p, p * sizeof *Y);
        size_t i = ref[k].row;
        for (size_t a = 0; a < c->q; a++) Z[ref[k].k * c->q + a] = c->z[i * c->q + a];
    }
out:
    if (f != H5I_INVALID_HID) h5in_close(f);
    free(ref), free(rows), free(tmp);
    return err;
}

/* /features_harmonised/values: every rank its rows, rank 0 also the NaN rows of the patients
 * left out. */
static rgx_err write_values(h5out_t *h, const cohort_t *c, const tiles_t *T, const double *adj)
{
    size_t n = T->n_rows, p = c->p, extra = 0;
    if (h->rank == 0)
        for (size_t i = 0; i < c->n; i++) extra += c->why[i] != IN;
    size_t m = n + extra;
    rowref_t *ref = NULL;
    hsize_t *rows = NULL;
    double *buf = NULL;
    hid_t ds = H5I_INVALID_HID;
    rgx_err err;
    if ((err = rgx_calloc(&ref, m ? m : 1, sizeof *ref)) ||
        (err = rgx_calloc(&rows, m ? m : 1, sizeof *rows)) ||
        (err = rgx_calloc(&buf, (m ? m : 1) * (p ? p : 1), sizeof *buf)))
        goto out;
    for (size_t k = 0; k < n; k++) ref[k] = (rowref_t){c->list[T->row0 + k], k};
    for (size_t i = 0, k = n; h->rank == 0 && i < c->n; i++)
        if (c->why[i] != IN) ref[k++] = (rowref_t){i, SIZE_MAX};
    qsort(ref, m, sizeof *ref, cmp_rowref);
    for (size_t k = 0; k < m; k++) {
        rows[k] = ref[k].row;
        double *o = buf + k * p;
        if (ref[k].k == SIZE_MAX)
            for (size_t j = 0; j < p; j++) o[j] = NAN;
        else
            memcpy(o, adj + ref[k].k * p, p * sizeof *o);
    }
    err = h5out_matrix_create(h, RF_HARM_VALUES, H5T_NATIVE_DOUBLE, c->n, p, 0, H5OUT_DEFLATE, 4,
                              &ds);
    if (!err) err = h5out_matrix_write_at(h, ds, H5T_NATIVE_DOUBLE, m, rows, buf);
out:
    if (ds != H5I_INVALID_HID) H5Dclose(ds);
    free(ref), free(rows), free(buf);
    return err;
}


typedef struct {
    const char *method, *batch, *by, *ref_site, *applied_from;
    long mean_only, min_site_size;
} settings_t;

static rgx_err write_priors(h5out_t *h, const combat_fit_t *f)
{
    size_t G = f->n_groups, K = f->K, n = G * K;
    double *v = NULL;
    int8_t *na = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&v, 5 * n, sizeof *v)) || (err = rgx_calloc(&na, G, sizeof *na)))
        goto out;
    for (size_t k = 0; k < n; k++) {
        v[k] = f->prior[k].gamma_bar, v[n + k] = f->prior[k].tau2;
        v[2 * n + k] = f->prior[k].a, v[3 * n + k] = f->prior[k].b;
        v[4 * n + k] = (double)f->prior[k].iterations;
    }
    for (size_t g = 0; g < G; g++) na[g] = (int8_t)f->na_group[g];
    static const char *nm[5] = {RF_HARM_GAMMA_BAR, RF_HARM_TAU2, RF_HARM_A_PRIOR, RF_HARM_B_PRIOR,
                                RF_HARM_ITERATIONS};
    for (int a = 0; a < 5 && !err; a++)
        err = h5out_write_all(h, nm[a], H5T_NATIVE_DOUBLE, G, K, v + (size_t)a * n);
    if (!err) err = h5out_write_all(h, RF_HARM_MISSING_DATA, H5T_NATIVE_INT8, G, 0, na);
out:
    free(v), free(na);
    return err;
}

static rgx_err write_params(h5out_t *h, const cohort_t *c, const combat_fit_t *f,
                            const settings_t *st)
{
    size_t p = c->p, K = f->K, d = f->d;
    int8_t *code = NULL, *incl = NULL;
    int32_t *grp = NULL;
    double *sn = NULL;
    char **design = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&code, p ? p : 1, 1)) || (err = rgx_calloc(&incl, c->n ? c->n : 1, 1)) ||
        (err = rgx_calloc(&grp, p ? p : 1, sizeof *grp)) ||
        (err = rgx_calloc(&sn, K ? K : 1, sizeof *sn)) ||
        (err = rgx_calloc(&design, d, sizeof *design)))
        goto out;
    for (size_t j = 0; j < p; j++) code[j] = (int8_t)f->code[j], grp[j] = c->group[j];
    for (size_t i = 0; i < c->n; i++) incl[i] = c->why[i] == IN;
    for (size_t s = 0; s < K; s++) sn[s] = (double)c->site_n[s];
    for (size_t a = 0; a < d && !err; a++) {
        strbuf_t sb = {0};
        err =
            a < K ? sb_printf(&sb, "site=%s", c->sname[a]) : sb_printf(&sb, "%s", c->qname[a - K]);
        design[a] = sb.s;
    }
    if (err) goto out;
    typedef struct {
        const char *name;
        const double *v;
        size_t rows, cols;
    } mat_t;
    const mat_t mats[] = {{RF_HARM_BETA, f->beta, d, p},
                          {RF_HARM_GRAND_MEAN, f->grand, p, 0},
                          {RF_HARM_VAR_POOLED, f->var_pooled, p, 0},
                          {RF_HARM_N_OBS, f->n_obs, K, p},
                          {RF_HARM_GAMMA_HAT, f->ghat, K, p},
                          {RF_HARM_DELTA_HAT, f->dhat, K, p},
                          {RF_HARM_GAMMA_STAR, f->gstar, K, p},
                          {RF_HARM_DELTA_STAR, f->dstar, K, p}};
    for (size_t a = 0; a < sizeof mats / sizeof mats[0] && !err; a++)
        err = h5out_write_all(h, mats[a].name, H5T_NATIVE_DOUBLE, mats[a].rows, mats[a].cols,
                              mats[a].v);
    if (!err) err = h5out_write_strings_all(h, RF_HARM_NAMES, p, (const char *const *)c->fname);
    if (!err) err = h5out_write_all(h, RF_HARM_CODE, H5T_NATIVE_INT8, p, 0, code);
    if (!err) err = h5out_write_all(h, RF_HARM_GROUP, H5T_NATIVE_INT32, p, 0, grp);
    if (!err)
        err =
            h5out_write_strings_all(h, RF_HARM_GROUPS, c->n_groups, (const char *const *)c->gname);
    if (!err) err = h5out_write_all(h, RF_HARM_INCLUDED, H5T_NATIVE_INT8, c->n, 0, incl);
    if (!err) err = h5out_write_strings_all(h, RF_HARM_SITES, K, (const char *const *)c->sname);
    if (!err) err = h5out_write_all(h, RF_HARM_SITE_N, H5T_NATIVE_DOUBLE, K, 0, sn);
    if (!err) err = h5out_write_strings_all(h, RF_HARM_DESIGN, d, (const char *const *)design);
    if (!err) err = write_priors(h, f);
    const char *g = RF_HARM;
    if (!err) err = h5out_attr_str(h, g, "method", st->method);
    if (!err) err = h5out_attr_long(h, g, "mean_only", st->mean_only);
    if (!err) err = h5out_attr_str(h, g, "ref_site", st->ref_site ? st->ref_site : "");
    if (!err) err = h5out_attr_str(h, g, "batch", st->batch);
    if (!err) err = h5out_attr_str(h, g, "by", st->by);
    if (!err) err = h5out_attr_long(h, g, "min_site_size", st->min_site_size);
    if (!err) err = h5out_attr_str(h, g, "applied_from", st->applied_from ? st->applied_from : "");
    if (!err) err = h5out_attr_long(h, g, "n_included", (long)c->N);
    if (!err)
        err = h5out_attr_str(h, g, "code_meanings",
                             "0 harmonised; 1 left as is: one value throughout a site; 2 left as "
                             "is: fewer than 2 observed values in a site; 3 left as is: singular "
                             "design on its observed rows, or no residual variance");
    if (!err)
        err = h5out_attr_str(h, RF_HARM_VALUES, "description",
                             "ComBat-harmonised features (docs/cmd-harmonise.md): rows as "
                             "/samples, columns as /features; NaN for patients left out "
                             "(included = 0)");
out:
    free(code), free(incl), free(grp), free(sn);
    strings_free(design, d);
    return err;
}

/* ---- the stored parameters of an earlier harmonisation (apply) ---- */

static rgx_err rd(hid_t f, const char *path, const char *name, size_t want, double *out)
{
    size_t r = 0, cl = 0;
    double *v = NULL;
    rgx_err err = h5in_read_doubles(f, name, &r, &cl, &v);
    if (!err && r * (cl ? cl : 1) != want)
        err = rgx_fail(RGX_ERR_INPUT, "%s: %s holds %zu values, expected %zu", path, name,
                       r * (cl ? cl : 1), want);
    if (!err) memcpy(out, v, want * sizeof *out);
    free(v);
    return err;
}

typedef struct {
    size_t K, d, G, np;
    char **sites, **design, **groups, **names;
    char *method, *ref, *by;
    double mean_only;
    int *group; /* np */
} stored_t;

static void stored_free(stored_t *s)
{
    h5in_free_strings(s->sites, s->K), h5in_free_strings(s->design, s->d);
    h5in_free_strings(s->groups, s->G), h5in_free_strings(s->names, s->np);
    free(s->method), free(s->ref), free(s->by), free(s->group);
    memset(s, 0, sizeof *s);
}

/* The names and settings first: they decide the sites and covariates of this run. */
static rgx_err stored_open(const char *path, const cohort_t *c, stored_t *s)
{
    hid_t f;
    rgx_err err = h5in_open(path, &f);
    if (err) return err;
    if (!h5in_exists(f, RF_HARM_GAMMA_STAR)) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: no stored harmonisation (/features_harmonised): "
                                      "run radiogx harmonise on it first", path);
        goto out;
    }
    long mo = 0;
    if ((err = h5in_read_strings(f, RF_HARM_SITES, &s->K, &s->sites)) ||
        (err = h5in_read_strings(f, RF_HARM_DESIGN, &s->d, &s->design)) ||
        (err = h5in_read_strings(f, RF_HARM_GROUPS, &s->G, &s->groups)) ||
        (err = h5in_read_strings(f, RF_HARM_NAMES, &s->np, &s->names)) ||
        (err = h5in_attr_str(f, RF_HARM, "method", &s->method)) ||
        (err = h5in_attr_str(f, RF_HARM, "ref_site", &s->ref)) ||
        (err = h5in_attr_str(f, RF_HARM, "by", &s->by)) ||
        (err = rgx_calloc(&s->group, s->np ? s->np : 1, sizeof *s->group)))
        goto out;
    long *grp = NULL;
    size_t ng = 0;
    if ((err = h5in_read_longs(f, RF_HARM_GROUP, &ng, &grp))) goto out;
    for (size_t j = 0; j < ng && j < s->np; j++) {
        if (grp[j] < 0 || (size_t)grp[j] >= s->G) err = rgx_fail(RGX_ERR_INPUT, "%s: "
                                   "/features_harmonised/group %ld out of range", path, grp[j]);
        s->group[j] = (int)grp[j];
    }
    free(grp);
    if (!err && ng != s->np)
        err = rgx_fail(RGX_ERR_INPUT, "%s: /features_harmonised/group has %zu values for %zu "
                                      "features", path, ng, s->np);
    if (err) goto out;
    if (!strcmp(s->ref, " ")) s->ref[0] = '\0'; /* h5out writes an empty string as " " */
    double m = 0;
    if (h5in_attr_double(f, RF_HARM, "mean_only", &m) == RGX_OK) mo = (long)m;
    s->mean_only = (double)mo;
    if (s->d < s->K) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: /features_harmonised/design is shorter than its sites",
                       path);
        goto out;
    }
    if (s->np != c->p) {
        err = rgx_fail(RGX_ERR_INPUT, "%s has %zu features, the stored harmonisation %zu: extract "
                                      "both cohorts with the same config", "this run", c->p, s->np);
        goto out;
    }
    for (size_t j = 0; j < c->p && !err; j++)
        if (strcmp(s->names[j], c->fname[j]))
            err = rgx_fail(RGX_ERR_INPUT, "feature %zu is '%s' here but '%s' in the stored "
                                          "harmonisation %s: extract both cohorts with the same "
                                          "config", j + 1, c->fname[j], s->names[j], path);
out:
    h5in_close(f);
    return err;
}

static rgx_err stored_fit(const char *path, const stored_t *s, const cohort_t *c,
                          combat_fit_t *fit)
{
    size_t K = s->K, q = s->d - s->K, p = c->p, G = s->G, Kp = K * p, n = G * K;
    double *tmp = NULL;
    hid_t f;
    rgx_err err = h5in_open(path, &f);
    if (err) return err;
    if ((err = combat_fit_alloc(fit, K, q, p, G)) ||
        (err = rgx_calloc(&tmp, (p > n ? p : n) + 1, sizeof *tmp)))
        goto out;
    fit->method = !strcmp(s->method, "nonparametric"), fit->mean_only = (int)s->mean_only;
    for (size_t k = 0; k < K; k++)
        if (!strcmp(s->sites[k], s->ref)) fit->ref = (long)k;
    if ((err = rd(f, path, RF_HARM_BETA, s->d * p, fit->beta)) ||
        (err = rd(f, path, RF_HARM_GRAND_MEAN, p, fit->grand)) ||
        (err = rd(f, path, RF_HARM_VAR_POOLED, p, fit->var_pooled)) ||
        (err = rd(f, path, RF_HARM_N_OBS, Kp, fit->n_obs)) ||
        (err = rd(f, path, RF_HARM_GAMMA_HAT, Kp, fit->ghat)) ||
        (err = rd(f, path, RF_HARM_DELTA_HAT, Kp, fit->dhat)) ||
        (err = rd(f, path, RF_HARM_GAMMA_STAR, Kp, fit->gstar)) ||
        (err = rd(f, path, RF_HARM_DELTA_STAR, Kp, fit->dstar)) ||
        (err = rd(f, path, RF_HARM_CODE, p, tmp)))
        goto out;
    for (size_t j = 0; j < p; j++) fit->code[j] = (int)tmp[j];
    static const char *nm[4] = {RF_HARM_GAMMA_BAR, RF_HARM_TAU2, RF_HARM_A_PRIOR, RF_HARM_B_PRIOR};
    for (int a = 0; a < 4 && !err; a++)
        if (!(err = rd(f, path, nm[a], n, tmp)))
            for (size_t k = 0; k < n; k++) {
                combat_prior_t *x = &fit->prior[k];
                double *field[4] = {&x->gamma_bar, &x->tau2, &x->a, &x->b};
                *field[a] = tmp[k];
            }
    if (!err && !(err = rd(f, path, RF_HARM_ITERATIONS, n, tmp)))
        for (size_t k = 0; k < n; k++) fit->prior[k].iterations = (long)tmp[k];
    if (!err && !(err = rd(f, path, RF_HARM_MISSING_DATA, G, tmp)))
        for (size_t g = 0; g < G; g++) fit->na_group[g] = (int)tmp[g];
out:
    h5in_close(f);
    free(tmp);
    if (err) combat_fit_free(fit);
    return err;
}

/* ---- the stage ---- */

/* err, or a failure if another rank failed: every rank learns of any rank's failure. */
static rgx_err agree(MPI_Comm comm, rgx_err err)
{
    int mine = (int)err, worst = 0;
    MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, comm);
    return worst && !mine ? rgx_fail((rgx_err)worst, "another rank failed to harmonise") : err;
}

/* Fit mode: two sites or more, none too small, the reference among them. */
static rgx_err check_sites(const cohort_t *c, long min_n, const char *ref, long *ref_idx)
{
    strbuf_t sb = {0};
    rgx_err err = RGX_OK;
    *ref_idx = -1;
    if (c->K < 2)
        return rgx_fail(RGX_ERR_INPUT, "harmonisation needs two sites or more; the %zu patients "
                                       "included are all from %s", c->N,
                        c->K ? c->sname[0] : "no site");
    for (size_t s = 0; s < c->K && !err; s++)
        if (c->site_n[s] < (size_t)min_n)
            err = sb_printf(&sb, "%s'%s' (%zu)", sb.len ? ", " : "", c->sname[s], c->site_n[s]);
    if (!err && sb.len)
        err = rgx_fail(RGX_ERR_INPUT,
                       "sites with fewer than harmonise.min_site_size = %ld patients: %s. ComBat "
                       "cannot estimate a site's location and scale from so few; merge the site "
                       "with a similar one, leave its patients out, or lower min_site_size "
                       "(at least 2)",
                       min_n, sb.s);
    for (size_t s = 0; !err && ref && s < c->K; s++)
        if (!strcmp(c->sname[s], ref)) *ref_idx = (long)s;
    if (!err && ref && *ref_idx < 0) {
        sb.len = 0;
        for (size_t s = 0; s < c->K && !err; s++)
            err = sb_printf(&sb, "%s%s", s ? ", " : "", c->sname[s]);
        if (!err)
            err = rgx_fail(RGX_ERR_CONFIG, "harmonise.ref_site '%s' is not one of the sites: %s",
                           ref, sb.s);
    }
    free(sb.s);
    return err;
}

static void log_summary(const cohort_t *c, const combat_fit_t *f, const size_t why[N_WHY],
                        const settings_t *st, double secs)
{
    strbuf_t sb = {0};
    size_t code_n[4] = {0, 0, 0, 0};
    for (size_t j = 0; j < c->p; j++) code_n[f->code[j] & 3]++;
    for (size_t s = 0; s < c->K; s++)
        sb_printf(&sb, "%s%s %zu", s ? ", " : "", c->sname[s], c->site_n[s]);
    log_info("harmonise: %s%s ComBat%s%s%s over %zu sites (%s); %zu patients", st->method,
             st->mean_only ? " mean-only" : "", st->ref_site ? ", reference site " : "",
             st->ref_site ? st->ref_site : "", st->applied_from ? " (stored parameters)" : "",
             c->K, sb.s ? sb.s : "", c->N);
    for (int w = 1; w < N_WHY; w++)
        if (why[w]) log_info("harmonise: %zu patients left out: %s", why[w], why_text[w]);
    log_info("harmonise: %zu features in %zu group%s: %zu harmonised, %zu with one value "
             "throughout a site, %zu with fewer than 2 values in a site, %zu without a fit "
             "(left as they are); %.2f s",
             c->p, c->n_groups, c->n_groups == 1 ? "" : "s", code_n[0], code_n[1], code_n[2],
             code_n[3], secs);
    for (size_t g = 0; g < c->n_groups; g++)
        if (f->na_group[g])
            log_info("harmonise: group %s has missing values: sva's missing-data estimators",
                     c->gname[g]);
    free(sb.s);
}

/* Sites, covariates and groups of this run: estimated here, or those stored. */
static rgx_err cohort_setup(const cfg_t *cfg, const harmonise_inputs_t *in, cohort_t *c,
                            stored_t *st, size_t why[N_WHY])
{
    rgx_err err = cohort_read(in->run, c);
    if (!err && in->apply) err = stored_open(in->apply, c, st);
    if (!err) err = cohort_batch(c, cfg_str(cfg, "harmonise.batch"), in->covar);
    strbuf_t names = {0};
    for (size_t a = st->K; !err && in->apply && a < st->d; a++)
        err = sb_printf(&names, "%s%s", a > st->K ? "," : "", st->design[a]);
    if (!err)
        err = cohort_covariates(c, in->apply ? names.s : cfg_str(cfg, "harmonise.covariates"),
                                in->covar);
    free(names.s);
    if (!err && !(err = rgx_calloc(&c->why, c->n ? c->n : 1, sizeof *c->why))) cohort_who(c, why);
    if (!err) err = cohort_sites(c, in->apply ? st->sites : NULL, st->K);
    if (err || !in->apply)
        return err ? err : cohort_groups(c, !strcmp(cfg_str(cfg, "harmonise.by"), "all"));
    if ((err = rgx_calloc(&c->group, c->p ? c->p : 1, sizeof *c->group)) ||
        (err = rgx_calloc(&c->gname, st->G ? st->G : 1, sizeof *c->gname)))
        return err;
    for (size_t j = 0; j < c->p; j++) c->group[j] = st->group[j];
    for (size_t g = 0; g < st->G && !err; g++) err = rgx_strdup(&c->gname[g], st->groups[g]);
    c->n_groups = st->G;
    return err;
}

rgx_err harmonise_stage(const cfg_t *cfg, const harmonise_inputs_t *in, h5out_t *h)
{
    cohort_t c = {0};
    stored_t st = {0};
    combat_fit_t fit = {0};
    tiles_t T = {0};
    double *Y = NULL, *Z = NULL, *adj = NULL, t0 = wall_clock();
    size_t why[N_WHY] = {0};
    int have_fit = 0, have_t = 0;
    settings_t set = {cfg_str(cfg, "harmonise.method"), cfg_str(cfg, "harmonise.batch"),
                      cfg_str(cfg, "harmonise.by"),     cfg_str(cfg, "harmonise.ref_site"),
                      in->apply, cfg_bool(cfg, "harmonise.mean_only"),
                      cfg_int(cfg, "harmonise.min_site_size")};
    long ref = -1;
    rgx_err err = cohort_setup(cfg, in, &c, &st, why);
    if (!err && in->apply) {
        set.method = st.method, set.by = st.by, set.mean_only = (long)st.mean_only;
        set.ref_site = st.ref[0] ? st.ref : NULL;
    } else if (!err) {
        err = check_sites(&c, set.min_site_size, set.ref_site, &ref);
    }
    if (!err && !(err = tiles_init(&T, c.site_n, c.K, tiles_rows_for(c.N), h->comm))) have_t = 1;
    if (!err) {
        size_t n = T.n_rows ? T.n_rows : 1, p = c.p ? c.p : 1;
        if (!(err = rgx_calloc(&Y, n * p, sizeof *Y)) &&
            !(err = rgx_calloc(&adj, n * p, sizeof *adj)) &&
            !(err = rgx_calloc(&Z, n * (c.q ? c.q : 1), sizeof *Z)))
            err = read_local(in->run, &c, &T, Y, Z);
    }
    if ((err = agree(h->comm, err))) goto out;
    if (in->apply) {
        err = stored_fit(in->apply, &st, &c, &fit);
    } else {
        combat_in_t ci = {c.K, c.q, c.p, c.n_groups, c.group, ref,
                          !strcmp(set.method, "nonparametric"), (int)set.mean_only, &T, Y, Z,
                          c.site_n, c.sname, c.qname, c.gname};
        err = combat_fit(&ci, &fit);
    }
    have_fit = !err;
    if ((err = agree(h->comm, err))) goto out;
    for (size_t t = T.t0; t < T.t1; t++)
        for (size_t i = T.first[t] - T.row0; i < T.first[t + 1] - T.row0; i++)
            combat_adjust(&fit, T.site[t], Y + i * c.p, Z + i * c.q, adj + i * c.p);
    if (!(err = h5out_group(h, RF_HARM)) && !(err = write_values(h, &c, &T, adj)))
        err = write_params(h, &c, &fit, &set);
    if (!err && h->rank == 0) log_summary(&c, &fit, why, &set, wall_clock() - t0);
out:
    if (have_fit) combat_fit_free(&fit);
    if (have_t) tiles_free(&T);
    free(Y), free(Z), free(adj);
    stored_free(&st);
    cohort_free(&c);
    return err;
}
