/* combat_fit.c — see combat_fit.h. */
#include "combat_fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

/* The working state of a fit: the input, the output, and what the passes share. */
typedef struct {
    const combat_in_t *in;
    combat_fit_t *f;
    size_t d, p_na;
    long *na_idx;   /* p: the feature's slot among the per-feature X'X, or -1 */
    size_t na_c0, na_c1; /* the slots of the chunk being summed */
    double *xrow;   /* d: one row of the design */
    double *fit;    /* p: one row's fitted values, or its standardised values */
    double *rbar;   /* p: the pooled mean of the residuals (missing-data groups) */
    double *smean;  /* K x p: the site means of s */
} work_t;

static int missing(double y)
{
    return !isfinite(y);
}

/* Row i's design: site columns (the reference's all ones), then the covariates. */
static void design_row(const work_t *w, size_t site, size_t i, double *x)
{
    const combat_in_t *in = w->in;
    for (size_t b = 0; b < in->K; b++) x[b] = b == site || (long)b == in->ref ? 1.0 : 0.0;
    for (size_t c = 0; c < in->q; c++) x[in->K + c] = in->Z[i * in->q + c];
}

/* x'beta per feature, over the columns that are not zero (site indicators mostly are). */
static void fitted(const work_t *w, const double *x, const double *beta, double *out)
{
    size_t p = w->in->p;
    memset(out, 0, p * sizeof *out);
    for (size_t a = 0; a < w->d; a++) {
        if (x[a] == 0) continue;
        const double *br = beta + a * p;
        for (size_t j = 0; j < p; j++) out[j] += x[a] * br[j];
    }
}

/* ---- pass 2: X'X, X'Y and, for features with missing values, X'X on their rows ---- */

static void fill_xtx(void *ctx, size_t site, size_t row, size_t n_rows, double *out)
{
    work_t *w = ctx;
    const combat_in_t *in = w->in;
    size_t d = w->d, p = in->p;
    double *xtx = out, *xty = out + d * d, *x = w->xrow;
    for (size_t i = row; i < row + n_rows; i++) {
        const double *y = in->Y + i * p;
        design_row(w, site, i, x);
        for (size_t a = 0; a < d; a++)
            for (size_t c = 0; c < d; c++) xtx[a * d + c] += x[a] * x[c];
        for (size_t a = 0; a < d; a++) {
            if (x[a] == 0) continue;
            for (size_t j = 0; j < p; j++)
                if (w->f->code[j] == COMBAT_ADJUSTED && !missing(y[j]))
                    xty[a * p + j] += x[a] * y[j];
        }
    }
}

/* X'X on the observed rows of the features in slots [na_c0, na_c1) (d x d each). */
static void fill_xtxj(void *ctx, size_t site, size_t row, size_t n_rows, double *out)
{
    work_t *w = ctx;
    const combat_in_t *in = w->in;
    size_t d = w->d, p = in->p;
    double *x = w->xrow;
    for (size_t i = row; i < row + n_rows; i++) {
        const double *y = in->Y + i * p;
        design_row(w, site, i, x);
        for (size_t j = 0; j < p; j++) {
            long k = w->na_idx[j];
            if (k < (long)w->na_c0 || k >= (long)w->na_c1 || missing(y[j])) continue;
            double *m = out + (size_t)(k - (long)w->na_c0) * d * d;
            for (size_t a = 0; a < d; a++)
                for (size_t c = 0; c < d; c++) m[a * d + c] += x[a] * x[c];
        }
    }
}

/* Names the column where X'X is singular: a covariate confounded with the sites, or the
 * covariates confounded among themselves (sva's two messages). */
static rgx_err singular_design(const work_t *w, const double *xtx, long col)
{
    const combat_in_t *in = w->in;
    size_t K = in->K, q = in->q, d1 = q + 1;
    if (col < (long)K)
        return rgx_fail(RGX_ERR_NUMERIC, "the site columns of the design are singular (site '%s')",
                        in->site_name[col]);
    /* [1 | Z]'[1 | Z] from the sums: is the covariates' own design singular? */
    double *A = calloc(d1 * d1, sizeof *A);
    if (!A) return rgx_fail(RGX_ERR_MEMORY, "out of memory");
    for (size_t b = 0; b < K; b++) {
        if (in->ref >= 0 && (long)b != in->ref) continue;
        A[0] += xtx[b * w->d + b];
        for (size_t c = 0; c < q; c++) A[1 + c] += xtx[b * w->d + K + c];
    }
    for (size_t c = 0; c < q; c++) {
        A[(1 + c) * d1] = A[1 + c];
        for (size_t e = 0; e < q; e++) A[(1 + c) * d1 + 1 + e] = xtx[(K + c) * w->d + K + e];
    }
    long c2 = combat_chol(A, d1);
    free(A);
    const char *name = in->covar_name[col - (long)K];
    if (c2 >= 0)
        return rgx_fail(RGX_ERR_NUMERIC,
                        "the covariates are confounded with each other (covariate '%s' is a "
                        "combination of the intercept and the covariates before it): remove one",
                        c2 == 0 ? name : in->covar_name[c2 - 1]);
    return rgx_fail(RGX_ERR_NUMERIC,
                    "covariate '%s' is confounded with the site (a combination of the site "
                    "columns and the covariates before it): remove it, ComBat would remove the "
                    "site effect with it",
                    name);
}

/* beta_j = (X'X)^-1 X'y_j, for the features with missing values from their own X'X, in
 * chunks so that the gathered tile sums stay within 32 MB. */
static rgx_err solve_beta(work_t *w, const double *L0, const double *xty)
{
    const combat_in_t *in = w->in;
    combat_fit_t *f = w->f;
    size_t d = w->d, p = in->p, dd = d * d;
    size_t chunk = ((size_t)1 << 22) / ((in->T->n + in->K + 1) * dd);
    if (chunk < 1) chunk = 1;
    double *site = NULL, *tot = NULL, b[64 + 1];
    rgx_err err = RGX_OK;
    if (d > 64) return rgx_fail(RGX_ERR_INPUT, "a design of %zu columns: at most 64", d);
    for (size_t j = 0; j < p; j++) {
        if (f->code[j] != COMBAT_ADJUSTED || w->na_idx[j] >= 0) continue;
        for (size_t a = 0; a < d; a++) b[a] = xty[a * p + j];
        combat_chol_solve(L0, d, b);
        for (size_t a = 0; a < d; a++) f->beta[a * p + j] = b[a];
    }
    size_t cmax = w->p_na < chunk ? w->p_na : chunk;
    if (w->p_na && ((err = rgx_calloc(&site, in->K * cmax * dd, sizeof *site)) ||
                    (err = rgx_calloc(&tot, cmax * dd, sizeof *tot))))
        goto out;
    for (w->na_c0 = 0; w->na_c0 < w->p_na && !err; w->na_c0 = w->na_c1) {
        w->na_c1 = w->na_c0 + chunk < w->p_na ? w->na_c0 + chunk : w->p_na;
        size_t L = (w->na_c1 - w->na_c0) * dd;
        if ((err = tiles_site_sums(in->T, L, fill_xtxj, w, site))) break;
        tiles_total(in->T, L, site, tot);
        for (size_t j = 0; j < p; j++) {
            long k = w->na_idx[j];
            if (k < (long)w->na_c0 || k >= (long)w->na_c1) continue;
            double *A = tot + (size_t)(k - (long)w->na_c0) * dd;
            if (combat_chol(A, d) >= 0) { /* singular on its observed rows */
                f->code[j] = COMBAT_NO_FIT;
                continue;
            }
            for (size_t a = 0; a < d; a++) b[a] = xty[a * p + j];
            combat_chol_solve(A, d, b);
            for (size_t a = 0; a < d; a++) f->beta[a * p + j] = b[a];
        }
    }
out:
    free(site), free(tot);
    return err;
}

static rgx_err pass_beta(work_t *w)
{
    const combat_in_t *in = w->in;
    combat_fit_t *f = w->f;
    size_t d = w->d, p = in->p, L = d * d + d * p;
    double *site = NULL, *tot = NULL, *A = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&site, in->K * L, sizeof *site)) ||
        (err = rgx_calloc(&tot, L, sizeof *tot)) || (err = rgx_calloc(&A, d * d, sizeof *A)))
        goto out;
    if ((err = tiles_site_sums(in->T, L, fill_xtx, w, site))) goto out;
    tiles_total(in->T, L, site, tot);
    memcpy(A, tot, d * d * sizeof *A);
    long col = combat_chol(A, d);
    if (col >= 0) {
        err = singular_design(w, tot, col);
        goto out;
    }
    if ((err = solve_beta(w, A, tot + d * d))) goto out;
    /* sva's grand mean: the reference site's coefficient, or the sites' weighted by size. */
    double n = 0;
    for (size_t s = 0; s < in->K; s++) n += (double)in->site_n[s];
    for (size_t j = 0; j < p; j++) {
        double g = 0;
        if (in->ref >= 0)
            g = f->beta[(size_t)in->ref * p + j];
        else
            for (size_t s = 0; s < in->K; s++) g += (double)in->site_n[s] / n * f->beta[s * p + j];
        f->grand[j] = g;
    }
out:
    free(site), free(tot), free(A);
    return err;
}

/* ---- pass 3: the residuals' sums, then their squares ---- */

static void fill_resid(void *ctx, size_t site, size_t row, size_t n_rows, double *out)
{
    work_t *w = ctx;
    const combat_in_t *in = w->in;
    size_t p = in->p;
    double *sum = out, *cnt = out + p;
    for (size_t i = row; i < row + n_rows; i++) {
        const double *y = in->Y + i * p;
        design_row(w, site, i, w->xrow);
        fitted(w, w->xrow, w->f->beta, w->fit);
        for (size_t j = 0; j < p; j++)
            if (w->f->code[j] == COMBAT_ADJUSTED && !missing(y[j]))
                sum[j] += y[j] - w->fit[j], cnt[j]++;
    }
}

static void fill_resid2(void *ctx, size_t site, size_t row, size_t n_rows, double *out)
{
    work_t *w = ctx;
    const combat_in_t *in = w->in;
    size_t p = in->p;
    double *sq = out, *dev = out + p;
    for (size_t i = row; i < row + n_rows; i++) {
        const double *y = in->Y + i * p;
        design_row(w, site, i, w->xrow);
        fitted(w, w->xrow, w->f->beta, w->fit);
        for (size_t j = 0; j < p; j++) {
            if (w->f->code[j] != COMBAT_ADJUSTED || missing(y[j])) continue;
            double r = y[j] - w->fit[j], e = r - w->rbar[j];
            sq[j] += r * r, dev[j] += e * e;
        }
    }
}

static int used_site(const combat_in_t *in, size_t s)
{
    return in->ref < 0 || (long)s == in->ref;
}

static rgx_err pass_var(work_t *w)
{
    const combat_in_t *in = w->in;
    combat_fit_t *f = w->f;
    size_t p = in->p, K = in->K;
    double *s1 = NULL, *s2 = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&s1, K * 2 * p, sizeof *s1)) ||
        (err = rgx_calloc(&s2, K * 2 * p, sizeof *s2)) ||
        (err = tiles_site_sums(in->T, 2 * p, fill_resid, w, s1)))
        goto out;
    for (size_t j = 0; j < p; j++) { /* the pooled residual mean over the sites used */
        double sum = 0, cnt = 0;
        for (size_t s = 0; s < K; s++)
            if (used_site(in, s)) sum += s1[s * 2 * p + j], cnt += s1[s * 2 * p + p + j];
        w->rbar[j] = cnt > 0 ? sum / cnt : 0;
    }
    if ((err = tiles_site_sums(in->T, 2 * p, fill_resid2, w, s2))) goto out;
    for (size_t j = 0; j < p; j++) {
        if (f->code[j] != COMBAT_ADJUSTED) continue;
        double sq = 0, dev = 0, cnt = 0, n = 0;
        for (size_t s = 0; s < K; s++) {
            if (!used_site(in, s)) continue;
            sq += s2[s * 2 * p + j], dev += s2[s * 2 * p + p + j];
            cnt += s1[s * 2 * p + p + j], n += (double)in->site_n[s];
        }
        /* sva: the mean square of the residuals; with missing values their variance */
        double v = f->na_group[in->group[j]] ? dev / (cnt - 1) : sq / n;
        f->var_pooled[j] = v;
        if (!(v > 0) || !isfinite(v)) f->code[j] = COMBAT_NO_FIT;
    }
out:
    free(s1), free(s2);
    return err;
}

/* ---- passes 4 and 5: the standardised values' site means and squared deviations ---- */

/* Row i's standardised values into w->fit (NaN where missing or not adjusted). */
static void standardise(work_t *w, size_t site, size_t i)
{
    const combat_in_t *in = w->in;
    const combat_fit_t *f = w->f;
    size_t p = in->p;
    const double *y = in->Y + i * p;
    design_row(w, site, i, w->xrow);
    for (size_t s = 0; s < in->K; s++) w->xrow[s] = 0; /* the stand mean: covariates only */
    fitted(w, w->xrow, f->beta, w->fit);
    for (size_t j = 0; j < p; j++)
        w->fit[j] = f->code[j] != COMBAT_ADJUSTED || missing(y[j])
                        ? NAN
                        : (y[j] - (f->grand[j] + w->fit[j])) / sqrt(f->var_pooled[j]);
}

static void fill_s(void *ctx, size_t site, size_t row, size_t n_rows, double *out)
{
    work_t *w = ctx;
    size_t p = w->in->p;
    for (size_t i = row; i < row + n_rows; i++) {
        standardise(w, site, i);
        for (size_t j = 0; j < p; j++)
            if (!isnan(w->fit[j])) out[j] += w->fit[j], out[p + j]++;
    }
}

static void fill_s2(void *ctx, size_t site, size_t row, size_t n_rows, double *out)
{
    work_t *w = ctx;
    size_t p = w->in->p;
    const double *m = w->smean + site * p;
    for (size_t i = row; i < row + n_rows; i++) {
        standardise(w, site, i);
        for (size_t j = 0; j < p; j++)
            if (!isnan(w->fit[j])) out[j] += (w->fit[j] - m[j]) * (w->fit[j] - m[j]);
    }
}

/* gamma_hat, delta_hat and the site sums the empirical-Bayes step needs (ss into *ss_out). */
static rgx_err pass_site(work_t *w, double **ss_out)
{
    const combat_in_t *in = w->in;
    combat_fit_t *f = w->f;
    size_t p = in->p, K = in->K;
    double *s1 = NULL, *ss = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&s1, K * 2 * p, sizeof *s1)) ||
        (err = rgx_calloc(&ss, K * p, sizeof *ss)) ||
        (err = tiles_site_sums(in->T, 2 * p, fill_s, w, s1)))
        goto out;
    for (size_t s = 0; s < K; s++)
        for (size_t j = 0; j < p; j++) {
            double n = s1[s * 2 * p + p + j];
            f->n_obs[s * p + j] = n;
            w->smean[s * p + j] = n > 0 ? s1[s * 2 * p + j] / n : NAN;
        }
    if ((err = tiles_site_sums(in->T, p, fill_s2, w, ss))) goto out;
    for (size_t s = 0; s < K; s++)
        for (size_t j = 0; j < p; j++) {
            size_t k = s * p + j;
            if (f->code[j] != COMBAT_ADJUSTED) {
                f->ghat[k] = f->dhat[k] = f->gstar[k] = f->dstar[k] = NAN;
                continue;
            }
            /* The site-design regression of s: site means; with a reference site r the
             * others are differences from r's mean (its column is the intercept). */
            double m = w->smean[k];
            f->ghat[k] =
                in->ref >= 0 && (long)s != in->ref ? m - w->smean[(size_t)in->ref * p + j] : m;
            f->dhat[k] = in->mean_only ? 1.0 : ss[k] / (f->n_obs[k] - 1);
        }
    *ss_out = ss;
    ss = NULL;
out:
    free(s1), free(ss);
    return err;
}

/* ---- pass 1: counts, minima and maxima per site (exact in any order: one all-reduce) ---- */

static rgx_err pass_counts(work_t *w)
{
    const combat_in_t *in = w->in;
    const tiles_t *T = in->T;
    combat_fit_t *f = w->f;
    size_t p = in->p, K = in->K, Kp = K * p;
    double *buf = NULL;
    rgx_err err = rgx_calloc(&buf, 3 * Kp, sizeof *buf);
    if (err) return err;
    double *cnt = buf, *mn = buf + Kp, *mx = buf + 2 * Kp;
    for (size_t k = 0; k < Kp; k++) mn[k] = INFINITY, mx[k] = -INFINITY;
    for (size_t t = T->t0; t < T->t1; t++) {
        size_t s = T->site[t];
        for (size_t i = T->first[t] - T->row0; i < T->first[t + 1] - T->row0; i++)
            for (size_t j = 0; j < p; j++) {
                double y = in->Y[i * p + j];
                if (missing(y)) continue;
                cnt[s * p + j]++;
                if (y < mn[s * p + j]) mn[s * p + j] = y;
                if (y > mx[s * p + j]) mx[s * p + j] = y;
            }
    }
    if (MPI_Allreduce(MPI_IN_PLACE, cnt, (int)Kp, MPI_DOUBLE, MPI_SUM, T->comm) != MPI_SUCCESS ||
        MPI_Allreduce(MPI_IN_PLACE, mn, (int)Kp, MPI_DOUBLE, MPI_MIN, T->comm) != MPI_SUCCESS ||
        MPI_Allreduce(MPI_IN_PLACE, mx, (int)Kp, MPI_DOUBLE, MPI_MAX, T->comm) != MPI_SUCCESS) {
        free(buf);
        return rgx_fail(RGX_ERR_MPI, "reducing the per-site counts failed");
    }
    for (size_t j = 0; j < p; j++) {
        int zero = 0, few = 0, any_missing = 0;
        for (size_t s = 0; s < K; s++) {
            size_t k = s * p + j;
            double n = (double)in->site_n[s];
            /* sva: var(x) == 0 in a site of two or more (NA when a value is missing) */
            zero |= n > 1 && cnt[k] == n && mn[k] == mx[k];
            few |= cnt[k] < 2;
            any_missing |= cnt[k] < n;
        }
        f->code[j] = zero ? COMBAT_ZERO_VAR : few ? COMBAT_FEW_OBS : COMBAT_ADJUSTED;
        if (f->code[j] == COMBAT_ADJUSTED && any_missing) {
            f->na_group[in->group[j]] = 1;
            w->na_idx[j] = (long)w->p_na++;
        }
    }
    free(buf);
    return RGX_OK;
}

/* ---- the empirical-Bayes step, per group and site ---- */

/* Features [j0, j1) of the site's non-parametric estimates, shared among the ranks. */
static rgx_err nonparam_shared(const tiles_t *T, const combat_site_t *cs, double *gstar,
                               double *dstar)
{
    size_t m = cs->m;
    int *cnt = NULL, *displ = NULL;
    double *mine = NULL, *all = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&cnt, (size_t)T->size, sizeof *cnt)) ||
        (err = rgx_calloc(&displ, (size_t)T->size, sizeof *displ)) ||
        (err = rgx_calloc(&mine, 2 * m + 1, sizeof *mine)) ||
        (err = rgx_calloc(&all, 2 * m + 1, sizeof *all)))
        goto out;
    for (int r = 0; r < T->size; r++) {
        size_t a = m * (size_t)r / (size_t)T->size, b = m * (size_t)(r + 1) / (size_t)T->size;
        cnt[r] = (int)(2 * (b - a)), displ[r] = (int)(2 * a);
    }
    size_t j0 = (size_t)displ[T->rank] / 2, j1 = j0 + (size_t)cnt[T->rank] / 2;
    combat_nonparametric(cs, j0, j1, mine, mine + (j1 - j0));
    /* pairs (gamma*, delta*) in feature order */
    for (size_t j = j0; j < j1; j++)
        all[2 * j] = mine[j - j0], all[2 * j + 1] = mine[j1 - j0 + j - j0];
    if (MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, all, cnt, displ, MPI_DOUBLE,
                       T->comm) != MPI_SUCCESS) {
        err = rgx_fail(RGX_ERR_MPI, "gathering the non-parametric estimates failed");
        goto out;
    }
    for (size_t j = 0; j < m; j++) gstar[j] = all[2 * j], dstar[j] = all[2 * j + 1];
out:
    free(cnt), free(displ), free(mine), free(all);
    return err;
}

static rgx_err eb_group(work_t *w, size_t g, const double *ss, size_t *idx, double *buf)
{
    const combat_in_t *in = w->in;
    combat_fit_t *f = w->f;
    size_t p = in->p, m = 0;
    for (size_t j = 0; j < p; j++)
        if (in->group[j] == (int)g && f->code[j] == COMBAT_ADJUSTED) idx[m++] = j;
    if (m == 0) return RGX_OK;
    if (m == 1)
        return rgx_fail(RGX_ERR_INPUT,
                        "feature group '%s' has one feature to harmonise: the empirical-Bayes "
                        "priors are fitted over the features of a group and need two or more "
                        "(harmonise.by: all pools every feature)",
                        in->group_name[g]);
    double *n = buf, *mean = buf + m, *s2 = buf + 2 * m, *gh = buf + 3 * m, *dh = buf + 4 * m;
    double *gs = buf + 5 * m, *ds = buf + 6 * m;
    for (size_t s = 0; s < in->K; s++) {
        for (size_t k = 0; k < m; k++) {
            size_t x = s * p + idx[k];
            n[k] = f->n_obs[x], mean[k] = w->smean[x], s2[k] = ss[x];
            gh[k] = f->ghat[x], dh[k] = f->dhat[x];
        }
        combat_site_t cs = {m, n, mean, s2, gh, dh};
        combat_prior_t *pr = &f->prior[g * in->K + s];
        combat_priors(&cs, pr);
        rgx_err err = RGX_OK;
        if ((long)s == in->ref) { /* the reference site is left as it is */
            for (size_t k = 0; k < m; k++) gs[k] = 0, ds[k] = 1;
        } else if (in->method == COMBAT_PARAMETRIC) {
            err = combat_parametric(&cs, in->mean_only, pr, gs, ds);
            if (err)
                return rgx_fail(err, "site '%s', feature group '%s': %s", in->site_name[s],
                                in->group_name[g], rgx_errmsg());
        } else {
            if ((err = nonparam_shared(in->T, &cs, gs, ds))) return err;
        }
        for (size_t k = 0; k < m; k++)
            f->gstar[s * p + idx[k]] = gs[k], f->dstar[s * p + idx[k]] = ds[k];
    }
    return RGX_OK;
}

/* ---- the fit ---- */

rgx_err combat_fit_alloc(combat_fit_t *f, size_t K, size_t q, size_t p, size_t n_groups)
{
    memset(f, 0, sizeof *f);
    f->K = K, f->q = q, f->p = p, f->d = K + q, f->n_groups = n_groups, f->ref = -1;
    size_t Kp = (K ? K : 1) * (p ? p : 1), P = p ? p : 1;
    rgx_err err;
    if ((err = rgx_calloc(&f->code, P, sizeof *f->code)) ||
        (err = rgx_calloc(&f->na_group, n_groups ? n_groups : 1, sizeof *f->na_group)) ||
        (err = rgx_calloc(&f->beta, f->d * P, sizeof *f->beta)) ||
        (err = rgx_calloc(&f->grand, P, sizeof *f->grand)) ||
        (err = rgx_calloc(&f->var_pooled, P, sizeof *f->var_pooled)) ||
        (err = rgx_calloc(&f->n_obs, Kp, sizeof *f->n_obs)) ||
        (err = rgx_calloc(&f->ghat, Kp, sizeof *f->ghat)) ||
        (err = rgx_calloc(&f->dhat, Kp, sizeof *f->dhat)) ||
        (err = rgx_calloc(&f->gstar, Kp, sizeof *f->gstar)) ||
        (err = rgx_calloc(&f->dstar, Kp, sizeof *f->dstar)) ||
        (err = rgx_calloc(&f->prior, (n_groups ? n_groups : 1) * (K ? K : 1), sizeof *f->prior)))
        combat_fit_free(f);
    return err;
}

void combat_fit_free(combat_fit_t *f)
{
    free(f->code), free(f->na_group), free(f->beta), free(f->grand), free(f->var_pooled);
    free(f->n_obs), free(f->ghat), free(f->dhat), free(f->gstar), free(f->dstar), free(f->prior);
    memset(f, 0, sizeof *f);
}

rgx_err combat_fit(const combat_in_t *in, combat_fit_t *f)
{
    work_t w = {.in = in, .f = f, .d = in->K + in->q};
    double *ss = NULL, *buf = NULL;
    size_t *idx = NULL, p = in->p;
    rgx_err err = combat_fit_alloc(f, in->K, in->q, p, in->n_groups);
    if (err) return err;
    f->ref = in->ref, f->method = in->method, f->mean_only = in->mean_only;
    if ((err = rgx_calloc(&w.na_idx, p ? p : 1, sizeof *w.na_idx)) ||
        (err = rgx_calloc(&w.xrow, w.d, sizeof *w.xrow)) ||
        (err = rgx_calloc(&w.fit, p ? p : 1, sizeof *w.fit)) ||
        (err = rgx_calloc(&w.rbar, p ? p : 1, sizeof *w.rbar)) ||
        (err = rgx_calloc(&w.smean, (in->K ? in->K : 1) * (p ? p : 1), sizeof *w.smean)) ||
        (err = rgx_calloc(&idx, p ? p : 1, sizeof *idx)) ||
        (err = rgx_calloc(&buf, 7 * (p ? p : 1), sizeof *buf)))
        goto out;
    for (size_t j = 0; j < p; j++) w.na_idx[j] = -1;
    if ((err = pass_counts(&w)) || (err = pass_beta(&w)) || (err = pass_var(&w)) ||
        (err = pass_site(&w, &ss)))
        goto out;
    for (size_t g = 0; g < in->n_groups && !err; g++) err = eb_group(&w, g, ss, idx, buf);
out:
    free(w.na_idx), free(w.xrow), free(w.fit), free(w.rbar), free(w.smean);
    free(ss), free(idx), free(buf);
    if (err) combat_fit_free(f);
    return err;
}

void combat_adjust(const combat_fit_t *f, size_t site, const double *y, const double *z,
                   double *out)
{
    size_t p = f->p;
    if ((long)site == f->ref) {
        memcpy(out, y, p * sizeof *out);
        return;
    }
    for (size_t j = 0; j < p; j++) {
        size_t k = site * p + j;
        if (f->code[j] != COMBAT_ADJUSTED || missing(y[j])) {
            out[j] = y[j];
            continue;
        }
        double acc = 0; /* the stand mean, summed as the fit's passes sum it */
        for (size_t c = 0; c < f->q; c++)
            if (z[c] != 0) acc += z[c] * f->beta[(f->K + c) * p + j];
        double sm = f->grand[j] + acc, sd = sqrt(f->var_pooled[j]);
        double s = (y[j] - sm) / sd;
        out[j] = (s - f->gstar[k]) / sqrt(f->dstar[k]) * sd + sm;
    }
}
