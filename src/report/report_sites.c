/* report_sites.c — see report_sites.h. */
#include "report_sites.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "export_sumstats.h"
#include "h5in.h"
#include "plot_sites.h"
#include "runfile.h"
#include "util.h"

/* MAX_SHOWN bounds rank 0's memory (three shown-patients x features matrices of doubles) and
 * the subspace iteration's time; PCA_ROUNDS caps the iteration, PCA_TOL ends it once no loading
 * moves by more. */
enum { MAX_SHOWN = 3000, N_BOX = 4, PCA_ROUNDS = 500 };
static const double PCA_TOL = 1e-10;

typedef struct {
    size_t n_all, K, n, p;
    char **site_col, **sname, **fname;
    long *status, *code, *incl;
    size_t *cnt_all, *cnt_ext, *cnt_harm;
    size_t *rows, stride;
    int *site;
    double *raw, *harm; /* n x p; harm NULL without /features_harmonised */
} sites_t;

static void sites_free(sites_t *s)
{
    h5in_free_strings(s->site_col, s->n_all), h5in_free_strings(s->fname, s->p);
    free(s->sname), free(s->status), free(s->code), free(s->incl), free(s->cnt_all);
    free(s->cnt_ext), free(s->cnt_harm), free(s->rows), free(s->site), free(s->raw), free(s->harm);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sites, counts and the patients shown (every stride-th extracted patient). */
static rgx_err sites_read(hid_t f, sites_t *s)
{
    size_t n2 = 0, n3 = 0, p2 = 0;
    rgx_err err;
    /* A scan of an external phenotype table has no patients' sites or features: no section. */
    if (!h5in_exists(f, RF_SAMPLES_SITE) || !h5in_exists(f, RF_SAMPLES_STATUS) ||
        !h5in_exists(f, RF_FEATURES_VALUES) || !h5in_exists(f, RF_FEATURES_NAMES))
        return RGX_OK;
    if ((err = h5in_read_strings(f, RF_SAMPLES_SITE, &s->n_all, &s->site_col)) ||
        (err = h5in_read_longs(f, RF_SAMPLES_STATUS, &n2, &s->status)) ||
        (err = h5in_read_strings(f, RF_FEATURES_NAMES, &s->p, &s->fname)))
        return err;
    int harmonised = h5in_exists(f, RF_HARM_VALUES);
    if (harmonised && ((err = h5in_read_longs(f, RF_HARM_CODE, &p2, &s->code)) ||
                       (err = h5in_read_longs(f, RF_HARM_INCLUDED, &n3, &s->incl))))
        return err;
    if (n2 != s->n_all || (harmonised && (p2 != s->p || n3 != s->n_all)))
        return rgx_fail(RGX_ERR_INPUT, "/samples, /features and /features_harmonised disagree");
    if ((err = rgx_calloc(&s->sname, s->n_all + 1, sizeof *s->sname))) return err;
    size_t k = 0, n_ext = 0;
    for (size_t i = 0; i < s->n_all; i++)
        if (s->status[i] != 1) s->sname[k++] = s->site_col[i], n_ext++;
    qsort(s->sname, k, sizeof *s->sname, cmp_str);
    for (size_t i = 0; i < k; i++)
        if (!s->K || strcmp(s->sname[s->K - 1], s->sname[i])) s->sname[s->K++] = s->sname[i];
    if (s->K < 2) return RGX_OK;
    s->stride = (n_ext + MAX_SHOWN - 1) / MAX_SHOWN;
    if (s->stride < 1) s->stride = 1;
    if ((err = rgx_calloc(&s->cnt_all, s->K, sizeof *s->cnt_all)) ||
        (err = rgx_calloc(&s->cnt_ext, s->K, sizeof *s->cnt_ext)) ||
        (err = rgx_calloc(&s->cnt_harm, s->K, sizeof *s->cnt_harm)) ||
        (err = rgx_calloc(&s->rows, n_ext + 1, sizeof *s->rows)) ||
        (err = rgx_calloc(&s->site, n_ext + 1, sizeof *s->site)))
        return err;
    for (size_t i = 0, e = 0; i < s->n_all; i++) {
        size_t b = 0;
        while (b < s->K && strcmp(s->sname[b], s->site_col[i])) b++;
        if (b < s->K) s->cnt_all[b]++;
        if (s->status[i] == 1 || b == s->K) continue;
        s->cnt_ext[b]++;
        if (s->incl && s->incl[i]) s->cnt_harm[b]++;
        if (e++ % s->stride == 0) s->rows[s->n] = i, s->site[s->n++] = (int)b;
    }
    size_t np = (s->n ? s->n : 1) * (s->p ? s->p : 1);
    if ((err = rgx_calloc(&s->raw, np, sizeof *s->raw)) ||
        (err = h5in_read_rows_at(f, RF_FEATURES_VALUES, s->n, s->rows, s->raw)))
        return err;
    if (harmonised && ((err = rgx_calloc(&s->harm, np, sizeof *s->harm)) ||
                       (err = h5in_read_rows_at(f, RF_HARM_VALUES, s->n, s->rows, s->harm))))
        return err;
    return RGX_OK;
}

/* Between-site F statistic (one-way ANOVA of the finite values) and the ratio of the sites'
 * largest to smallest SD of column j; w: 3 K doubles of workspace. */
static void site_stats(const sites_t *s, size_t j, double *w, double *F, double *ratio)
{
    size_t K = s->K;
    double *sum = w, *sq = w + K, *cnt = w + 2 * K, tot = 0, n = 0;
    memset(w, 0, 3 * K * sizeof *w);
    for (size_t i = 0; i < s->n; i++) {
        double v = s->raw[i * s->p + j];
        if (!isfinite(v)) continue;
        sum[s->site[i]] += v, cnt[s->site[i]]++, tot += v, n++;
    }
    for (size_t i = 0; i < s->n; i++) {
        double v = s->raw[i * s->p + j];
        if (!isfinite(v)) continue;
        double d = v - sum[s->site[i]] / cnt[s->site[i]];
        sq[s->site[i]] += d * d;
    }
    double ssb = 0, ssw = 0, lo = INFINITY, hi = 0;
    for (size_t b = 0; b < K; b++) {
        if (cnt[b] < 2) continue;
        double m = sum[b] / cnt[b] - tot / n, sd = sqrt(sq[b] / (cnt[b] - 1));
        ssb += cnt[b] * m * m, ssw += sq[b];
        if (sd < lo) lo = sd;
        if (sd > hi) hi = sd;
    }
    *F = ssw > 0 && n > (double)K ? ssb / (double)(K - 1) / (ssw / (n - (double)K)) : 0;
    *ratio = lo > 0 ? hi / lo : 0;
}

/* Up to N_BOX features: the largest F (location), then the largest SD ratio (scale). */
static rgx_err pick_features(const sites_t *s, size_t pick[N_BOX], size_t *n_pick)
{
    double *F = NULL, *r = NULL, *w = NULL;
    rgx_err err;
    *n_pick = 0;
    if ((err = rgx_calloc(&F, s->p + 1, sizeof *F)) ||
        (err = rgx_calloc(&r, s->p + 1, sizeof *r)) ||
        (err = rgx_calloc(&w, 3 * s->K, sizeof *w))) {
        free(F), free(r);
        return err;
    }
    for (size_t j = 0; j < s->p; j++) {
        if (s->code && s->code[j] != 0) continue; /* left as they are: nothing to compare */
        site_stats(s, j, w, &F[j], &r[j]);
    }
    for (size_t k = 0; k < N_BOX; k++) {
        double *key = k < N_BOX - 1 ? F : r;
        size_t best = (size_t)-1;
        for (size_t j = 0; j < s->p; j++) {
            int taken = 0;
            for (size_t a = 0; a < *n_pick; a++) taken |= pick[a] == j;
            if (!taken && key[j] > 0 && (best == (size_t)-1 || key[j] > key[best])) best = j;
        }
        if (best != (size_t)-1) pick[(*n_pick)++] = best;
    }
    free(F), free(r), free(w);
    return RGX_OK;
}

/* Z's columns standardised from X's (n x p, both row-major with stride p), packed to the left:
 * missing values at the mean (0); columns without variance or with half their values missing
 * left out.  Returns the number of columns kept. */
static size_t standardise(const double *X, size_t n, size_t p, double *Z)
{
    size_t q = 0;
    for (size_t j = 0; j < p; j++) {
        double s = 0, ss = 0, m = 0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(X[i * p + j])) s += X[i * p + j], m++;
        if (m < 2 || 2 * m < (double)n) continue;
        double mu = s / m;
        for (size_t i = 0; i < n; i++)
            if (isfinite(X[i * p + j])) ss += (X[i * p + j] - mu) * (X[i * p + j] - mu);
        double sd = sqrt(ss / (m - 1));
        if (!(sd > 0)) continue;
        for (size_t i = 0; i < n; i++)
            Z[i * p + q] = isfinite(X[i * p + j]) ? (X[i * p + j] - mu) / sd : 0;
        q++;
    }
    return q;
}

/* One round of subspace iteration on Z'Z (Z: n x q, stride p) for two vectors V (q x 2,
 * orthonormal on return; U: n x 2 workspace); returns the largest change of a loading. */
static double subspace_round(const double *Z, size_t n, size_t q, size_t p, double *V, double *U,
                             double *W)
{
    for (size_t i = 0; i < n; i++) { /* U = Z V */
        double a = 0, b = 0;
        for (size_t j = 0; j < q; j++)
            a += Z[i * p + j] * V[2 * j], b += Z[i * p + j] * V[2 * j + 1];
        U[2 * i] = a, U[2 * i + 1] = b;
    }
    memset(W, 0, 2 * q * sizeof *W); /* W = Z'U, then Gram-Schmidt */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < q; j++)
            W[2 * j] += Z[i * p + j] * U[2 * i], W[2 * j + 1] += Z[i * p + j] * U[2 * i + 1];
    double n0 = 0, d = 0, n1 = 0, change = 0;
    for (size_t j = 0; j < q; j++) n0 += W[2 * j] * W[2 * j];
    n0 = sqrt(n0);
    for (size_t j = 0; j < q; j++) W[2 * j] /= n0, d += W[2 * j] * W[2 * j + 1];
    for (size_t j = 0; j < q; j++) W[2 * j + 1] -= d * W[2 * j], n1 += W[2 * j + 1] * W[2 * j + 1];
    n1 = sqrt(n1);
    for (size_t j = 0; j < q; j++) W[2 * j + 1] /= n1;
    for (size_t j = 0; j < 2 * q; j++) {
        if (fabs(W[j] - V[j]) > change) change = fabs(W[j] - V[j]);
        V[j] = W[j];
    }
    return change;
}

/* The first two principal components' scores (score[i * 2 + k]) of X (n x p), standardised
 * (standardise above), by subspace iteration from a fixed start until no loading moves by more
 * than PCA_TOL; frac: their shares of the total variance (NaN when fewer than two columns are
 * kept or n < 3).  Signs: each component's largest loading positive. */
static rgx_err pca2(const double *X, size_t n, size_t p, double *score, double frac[2])
{
    double *Z = NULL, *V = NULL, *U = NULL, *W = NULL;
    rgx_err err;
    frac[0] = frac[1] = NAN;
    for (size_t i = 0; i < 2 * n; i++) score[i] = NAN;
    if ((err = rgx_calloc(&Z, (n ? n : 1) * (p ? p : 1), sizeof *Z))) return err;
    size_t q = standardise(X, n, p, Z);
    if (q < 2 || n < 3) goto out;
    if ((err = rgx_calloc(&V, 2 * q, sizeof *V)) || (err = rgx_calloc(&W, 2 * q, sizeof *W)) ||
        (err = rgx_calloc(&U, 2 * n, sizeof *U)))
        goto out;
    for (size_t j = 0; j < q; j++) V[2 * j] = 1, V[2 * j + 1] = j % 2 ? 1 : -1 + 0.5 * (j % 3);
    for (int it = 0; it < PCA_ROUNDS; it++)
        if (subspace_round(Z, n, q, p, V, U, W) <= PCA_TOL) break;
    double total = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < q; j++) total += Z[i * p + j] * Z[i * p + j];
    for (int k = 0; k < 2; k++) {
        size_t big = 0;
        double var = 0;
        for (size_t j = 0; j < q; j++)
            if (fabs(V[2 * j + k]) > fabs(V[2 * big + k])) big = j;
        double sg = V[2 * big + k] < 0 ? -1 : 1;
        for (size_t i = 0; i < n; i++) {
            double a = 0;
            for (size_t j = 0; j < q; j++) a += Z[i * p + j] * V[2 * j + k];
            score[2 * i + k] = sg * a, var += a * a;
        }
        frac[k] = total > 0 ? var / total : NAN;
    }
out:
    free(Z), free(V), free(U), free(W);
    return err;
}

static void html(FILE *o, const char *s)
{
    for (; *s; s++)
        if (*s == '&')
            fputs("&amp;", o);
        else if (*s == '<')
            fputs("&lt;", o);
        else if (*s == '>')
            fputs("&gt;", o);
        else
            fputc(*s, o);
}

/* An attribute string that says nothing (the run file stores "" as one space). */
static int blank(const char *s)
{
    if (!s) return 1;
    while (*s == ' ') s++;
    return !*s;
}

/* The settings line of the harmonisation, from /features_harmonised's attributes (optional
 * for the page: a missing one is shown as such, not an error). */
static void settings_html(FILE *o, hid_t f, const sites_t *s)
{
    if (!s->harm) {
        fputs("<p>Not harmonised: the plots show the raw features only "
              "(<code>harmonise.enabled: true</code>, or <code>radiogx harmonise</code>; "
              "docs/cmd-harmonise.md).</p>\n",
              o);
        return;
    }
    char *method = NULL, *ref = NULL, *from = NULL, *batch = NULL, **design = NULL;
    size_t nd = 0, nk = 0, c1 = 0, left = 0;
    double *sn = NULL, mo = 0;
    h5in_attr_str(f, RF_HARM, "method", &method);
    h5in_attr_str(f, RF_HARM, "ref_site", &ref);
    h5in_attr_str(f, RF_HARM, "applied_from", &from);
    h5in_attr_str(f, RF_HARM, "batch", &batch);
    h5in_attr_double(f, RF_HARM, "mean_only", &mo);
    h5in_read_strings(f, RF_HARM_DESIGN, &nd, &design);
    h5in_read_doubles(f, RF_HARM_SITE_N, &nk, &c1, &sn);
    rgx_errclear();
    for (size_t j = 0; j < s->p; j++) left += s->code[j] != 0;
    fputs("<p>Harmonised by ComBat (docs/cmd-harmonise.md): ", o);
    html(o, method ? method : "?");
    fputs(mo != 0 ? " empirical Bayes, site means only" : " empirical Bayes", o);
    if (!blank(ref)) fputs(", reference site ", o), html(o, ref);
    if (!blank(from)) fputs(", with the parameters stored in ", o), html(o, from);
    fputs("; design covariates: ", o);
    size_t nq = nd > nk ? nd - nk : 0;
    for (size_t a = 0; a < nq; a++) fputs(a ? ", " : "", o), html(o, design[nk + a]);
    if (!nq) fputs("none", o);
    fprintf(o,
            ". %zu of %zu features harmonised, %zu left as they are "
            "(<code>/features_harmonised/code</code>).",
            s->p - left, s->p, left);
    if (!blank(batch) && strcmp(batch, "site")) {
        fputs(" The batches were the covariate table's column <code>", o), html(o, batch);
        fputs("</code>; the table and the plots below group the patients by the manifest's "
              "site.",
              o);
    }
    fputs("</p>\n", o);
    free(method), free(ref), free(from), free(batch), free(sn);
    h5in_free_strings(design, nd);
}

/* The before/after box plots of the picked features. */
static rgx_err box_plots(FILE *o, const sites_t *s, const char *dir, strbuf_t *sb)
{
    size_t pick[N_BOX], np;
    double *a = NULL, *b = NULL;
    rgx_err err = pick_features(s, pick, &np);
    if (!err && !(err = rgx_calloc(&a, s->n + 1, sizeof *a)))
        err = rgx_calloc(&b, s->n + 1, sizeof *b);
    for (size_t k = 0; k < np && !err; k++) {
        size_t j = pick[k];
        char nm[512];
        for (size_t i = 0; i < s->n; i++) {
            a[i] = s->raw[i * s->p + j];
            b[i] = s->harm ? s->harm[i * s->p + j] : NAN;
        }
        plot_panel_t pan[2] = {{"raw (/features)", NULL, a, s->site, s->n},
                               {s->harm ? "harmonised (/features_harmonised)" : "not harmonised",
                                NULL, b, s->site, s->harm ? s->n : 0}};
        export_safe_name(s->fname[j], nm, sizeof nm);
        sb->len = 0;
        if ((err = sb_printf(sb, "%s/sites_%s.png", dir, nm)) ||
            (err = plot_site_boxes(sb->s, s->fname[j], pan, s->sname, s->K)))
            break;
        fprintf(o, "<img src=\"sites_%s.png\" alt=\"", nm);
        html(o, s->fname[j]);
        fputs(" per site\" width=\"1100\"><br>\n", o);
    }
    free(a), free(b);
    return err;
}

/* The share of v's variance (finite values) between the sites: eta^2 = SS_between / SS_total;
 * w: 2 K doubles of workspace. */
static double eta2(const double *v, size_t stride, const int *site, size_t n, size_t K, double *w)
{
    double *sum = w, *cnt = w + K, tot = 0, m = 0, sst = 0, ssb = 0;
    memset(w, 0, 2 * K * sizeof *w);
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i * stride]))
            sum[site[i]] += v[i * stride], cnt[site[i]]++, tot += v[i * stride], m++;
    if (m < 2) return NAN;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i * stride])) sst += (v[i * stride] - tot / m) * (v[i * stride] - tot / m);
    for (size_t b = 0; b < K; b++)
        if (cnt[b] > 0) ssb += cnt[b] * (sum[b] / cnt[b] - tot / m) * (sum[b] / cnt[b] - tot / m);
    return sst > 0 ? ssb / sst : NAN;
}

/* sites_pca.png and the table of the components' shares of the variance and of their variance
 * between the sites, raw and harmonised. */
static rgx_err pca_plot(FILE *o, const sites_t *s, const char *dir, strbuf_t *sb)
{
    double *sc[2] = {NULL, NULL}, *x[2] = {NULL, NULL}, *y[2] = {NULL, NULL}, *w = NULL;
    double fr[2][2] = {{NAN, NAN}, {NAN, NAN}}, et[2][2] = {{NAN, NAN}, {NAN, NAN}};
    int nk = s->harm ? 2 : 1;
    rgx_err err = rgx_calloc(&w, 2 * s->K, sizeof *w);
    for (int k = 0; k < nk && !err; k++) {
        if (!(err = rgx_calloc(&sc[k], 2 * s->n + 2, sizeof *sc[k])) &&
            !(err = rgx_calloc(&x[k], s->n + 1, sizeof *x[k])) &&
            !(err = rgx_calloc(&y[k], s->n + 1, sizeof *y[k])))
            err = pca2(k ? s->harm : s->raw, s->n, s->p, sc[k], fr[k]);
        for (size_t i = 0; !err && i < s->n; i++)
            x[k][i] = sc[k][2 * i], y[k][i] = sc[k][2 * i + 1];
        for (int c = 0; !err && c < 2; c++) et[k][c] = eta2(sc[k] + c, 2, s->site, s->n, s->K, w);
    }
    char t[2][96];
    for (int k = 0; k < 2; k++)
        if (k < nk)
            snprintf(t[k], sizeof t[k], "%s: PC1 %.1f%%, PC2 %.1f%% of the variance",
                     k ? "harmonised" : "raw", 100 * fr[k][0], 100 * fr[k][1]);
        else
            snprintf(t[k], sizeof t[k], "not harmonised");
    plot_panel_t pan[2] = {{t[0], x[0], y[0], s->site, s->n},
                           {t[1], x[1], y[1], s->site, nk > 1 ? s->n : 0}};
    sb->len = 0;
    if (!err && !(err = sb_printf(sb, "%s/sites_pca.png", dir)))
        err = plot_site_scatter(sb->s, "First two principal components of the features, by site",
                                pan, s->sname, s->K, "PC1", "PC2");
    if (!err) {
        fputs("<img src=\"sites_pca.png\" alt=\"principal components by site\" "
              "width=\"1100\">\n<table><tr><th>features</th><th>PC1: % of the variance</th>"
              "<th>PC2: % of the variance</th><th>PC1: % between sites</th>"
              "<th>PC2: % between sites</th></tr>\n",
              o);
        for (int k = 0; k < nk; k++)
            fprintf(o, "<tr><td>%s</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td></tr>\n",
                    k ? "harmonised" : "raw", 100 * fr[k][0], 100 * fr[k][1], 100 * et[k][0],
                    100 * et[k][1]);
        fputs("</table>\n", o);
    }
    for (int k = 0; k < 2; k++) free(sc[k]), free(x[k]), free(y[k]);
    free(w);
    return err;
}

rgx_err report_sites(FILE *o, hid_t run, const char *dir)
{
    sites_t s = {0};
    strbuf_t sb = {0};
    rgx_err err = sites_read(run, &s);
    if (err || s.K < 2) goto out;
    fputs("<h2>Sites</h2>\n", o);
    settings_html(o, run, &s);
    fputs("<table><tr><th>site</th><th>patients</th><th>extracted</th><th>harmonised</th></tr>\n",
          o);
    for (size_t b = 0; b < s.K; b++) {
        fputs("<tr><td>", o), html(o, s.sname[b]);
        fprintf(o, "</td><td>%zu</td><td>%zu</td><td>", s.cnt_all[b], s.cnt_ext[b]);
        if (s.harm)
            fprintf(o, "%zu</td></tr>\n", s.cnt_harm[b]);
        else
            fputs("-</td></tr>\n", o);
    }
    fputs("</table>\n", o);
    if (s.stride > 1)
        fprintf(o, "<p>The plots show every %zu-th extracted patient (%zu of them).</p>\n",
                s.stride, s.n);
    fputs("<h3>The features most affected by site, before and after</h3>\n<p>The three "
          "features with the largest between-site F statistic of their raw values (site means "
          "apart) and the one with the largest ratio of its sites' largest to smallest SD "
          "(site scales apart): box plots per site (median, quartiles, whiskers to 1.5 IQR).</p>\n",
          o);
    if ((err = box_plots(o, &s, dir, &sb))) goto out;
    fputs("<h3>Principal components, before and after</h3>\n<p>The first two principal "
          "components of the standardised features, coloured by site: site clusters before "
          "harmonisation should merge after it, and the share of each component's variance "
          "that lies between the sites (&eta;<sup>2</sup> of a one-way ANOVA of its scores) "
          "should fall to near zero.</p>\n",
          o);
    err = pca_plot(o, &s, dir, &sb);
out:
    sites_free(&s);
    free(sb.s);
    return err;
}
