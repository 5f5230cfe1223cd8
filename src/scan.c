/* scan.c — see scan.h. */
#include "scan.h"

#include <gsl/gsl_cblas.h> /* the CBLAS API; linked to OpenBLAS (make check-blas) */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tdist.h"
#include "util.h"

/* ---- the model ---- */

static int same_pattern(const double *Y, size_t n, size_t p, size_t a, size_t b)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(Y[i * p + a]) != isnan(Y[i * p + b])) return 0;
    return 1;
}

rgx_err scan_model_init(scan_model_t *m, const double *Y, size_t n, size_t p, const int *keep,
                        const double *C, size_t q)
{
    memset(m, 0, sizeof *m);
    m->n = n, m->q = q;
    rgx_err err = RGX_OK;
    size_t *cols = NULL;
    if ((err = rgx_calloc(&cols, p ? p : 1, sizeof *cols))) return err;
    for (size_t j = 0; j < p; j++)
        if (keep[j]) cols[m->p++] = j;
    size_t P = m->p ? m->p : 1;
    if ((err = rgx_calloc(&m->ytil, n * P, sizeof *m->ytil)) ||
        (err = rgx_calloc(&m->yty, P, sizeof *m->yty)) ||
        (err = rgx_calloc(&m->group, P, sizeof *m->group)) ||
        (err = rgx_calloc(&m->n_obs, P, sizeof *m->n_obs)) ||
        (err = rgx_calloc(&m->g, P, sizeof *m->g)))
        goto out;
    /* Groups of identical missingness, in the order of their first phenotype. */
    size_t *rep = NULL;
    if ((err = rgx_calloc(&rep, P, sizeof *rep))) goto out;
    for (size_t k = 0; k < m->p; k++) {
        size_t g;
        for (g = 0; g < m->n_groups; g++)
            if (same_pattern(Y, n, p, rep[g], cols[k])) break;
        if (g == m->n_groups) rep[m->n_groups++] = cols[k];
        m->group[k] = (int)g;
    }
    size_t G = m->n_groups;
    m->rhs_cols = m->p + G * q;
    if ((err = rgx_calloc(&m->rhs, n * (m->rhs_cols ? m->rhs_cols : 1), sizeof *m->rhs)) ||
        (err = rgx_calloc(&m->masks, n * (G ? G : 1), sizeof *m->masks)) ||
        (err = rgx_calloc(&m->tails, G ? G : 1, sizeof *m->tails))) {
        free(rep);
        goto out;
    }
    gsl_matrix *A = gsl_matrix_alloc(q, q), *inv = gsl_matrix_alloc(q, q);
    gsl_permutation *perm = gsl_permutation_alloc(q);
    double *cty = malloc(q * sizeof *cty), *alpha = malloc(q * sizeof *alpha);
    for (size_t g = 0; g < G && !err; g++) {
        scan_group_t *gr = &m->g[g];
        if ((err = rgx_calloc(&gr->cmask, n * q, sizeof *gr->cmask)) ||
            (err = rgx_calloc(&gr->mask, n, sizeof *gr->mask)) ||
            (err = rgx_calloc(&gr->ctc_inv, q * q, sizeof *gr->ctc_inv)))
            break;
        for (size_t i = 0; i < n; i++)
            if (!isnan(Y[i * p + rep[g]])) {
                gr->mask[i] = 1;
                gr->n_rows++;
                memcpy(gr->cmask + i * q, C + i * q, q * sizeof *C);
            }
        /* C'C over the group's rows, inverted by LU (q is small). */
        for (size_t a = 0; a < q; a++)
            for (size_t b = 0; b < q; b++) {
                double s = 0;
                for (size_t i = 0; i < n; i++) s += gr->cmask[i * q + a] * gr->cmask[i * q + b];
                gsl_matrix_set(A, a, b, s);
            }
        int sign;
        gsl_set_error_handler_off();
        if (gsl_linalg_LU_decomp(A, perm, &sign) || fabs(gsl_linalg_LU_det(A, sign)) < 1e-300 ||
            gsl_linalg_LU_invert(A, perm, inv)) {
            err = rgx_fail(RGX_ERR_NUMERIC,
                           "the covariates are collinear on the %zu samples of "
                           "phenotype group %zu",
                           gr->n_rows, g + 1);
            break;
        }
        for (size_t a = 0; a < q; a++)
            for (size_t b = 0; b < q; b++) gr->ctc_inv[a * q + b] = gsl_matrix_get(inv, a, b);
        for (size_t i = 0; i < n; i++) m->masks[i * G + g] = gr->mask[i];
        /* One t-tail table per distinct df (groups of equal size share it). */
        double df = (double)gr->n_rows - (double)q - 1;
        size_t t;
        for (t = 0; t < m->n_tails; t++)
            if (m->tails[t].df == df) break;
        if (t == m->n_tails) tdist_table_init(&m->tails[m->n_tails++], df);
        gr->tail = t;
        for (size_t a = 0; a < q; a++)
            for (size_t i = 0; i < n; i++)
                m->rhs[i * m->rhs_cols + m->p + g * q + a] = gr->cmask[i * q + a];
    }
    /* Residualise each phenotype on its group's covariates. */
    for (size_t k = 0; k < m->p && !err; k++) {
        scan_group_t *gr = &m->g[m->group[k]];
        size_t j = cols[k];
        for (size_t a = 0; a < q; a++) {
            double s = 0;
            for (size_t i = 0; i < n; i++)
                if (gr->mask[i]) s += C[i * q + a] * Y[i * p + j];
            cty[a] = s;
        }
        for (size_t a = 0; a < q; a++) {
            double s = 0;
            for (size_t b = 0; b < q; b++) s += gr->ctc_inv[a * q + b] * cty[b];
            alpha[a] = s;
        }
        double yy = 0;
        for (size_t i = 0; i < n; i++) {
            double r = 0;
            if (gr->mask[i]) {
                r = Y[i * p + j];
                for (size_t a = 0; a < q; a++) r -= C[i * q + a] * alpha[a];
            }
            m->ytil[i * m->p + k] = r;
            m->rhs[i * m->rhs_cols + k] = r;
            yy += r * r;
        }
        m->yty[k] = yy;
        m->n_obs[k] = gr->n_rows;
    }
    gsl_matrix_free(A), gsl_matrix_free(inv), gsl_permutation_free(perm);
    free(cty), free(alpha), free(rep);
out:
    free(cols);
    if (err) scan_model_free(m);
    return err;
}

void scan_model_free(scan_model_t *m)
{
    for (size_t g = 0; m->g && g < m->n_groups; g++) {
        free(m->g[g].cmask), free(m->g[g].mask), free(m->g[g].ctc_inv);
    }
    free(m->g), free(m->ytil), free(m->yty), free(m->group), free(m->n_obs), free(m->rhs),
        free(m->masks), free(m->tails);
    memset(m, 0, sizeof *m);
}

/* ---- the block kernel ---- */

/* g~'g~ = g'g - (C'g)' (C'C)^-1 (C'g) on group gi's rows; NAN when the variant does not vary
 * there (up to rounding): no test. */
static double gtg_of(const scan_model_t *m, const double *row, double gg, size_t gi)
{
    size_t q = m->q;
    const double *cg = row + m->p + gi * q, *inv = m->g[gi].ctc_inv;
    double quad = 0;
    for (size_t a = 0; a < q; a++) {
        double s = 0;
        for (size_t c = 0; c < q; c++) s += inv[a * q + c] * cg[c];
        quad += cg[a] * s;
    }
    double v = gg - quad;
    return v > 1e-8 * gg && v > 0 ? v : NAN;
}

void scan_block_sums(const scan_model_t *m, const double *G, size_t b, size_t row0, size_t nrows,
                     double *G2, double *S, double *D)
{
    size_t R = m->rhs_cols, NG = m->n_groups;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)R, (int)nrows, 1.0, G,
                (int)nrows, m->rhs + row0 * R, (int)R, 0.0, S, (int)R);
    for (size_t i = 0; i < b * nrows; i++) G2[i] = G[i] * G[i];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)NG, (int)nrows, 1.0, G2,
                (int)nrows, m->masks + row0 * NG, (int)NG, 0.0, D, (int)NG);
}

void scan_block_finish(const scan_model_t *m, const double *S, const double *D, size_t b,
                       double *beta, double *se, double *mlog10p)
{
    size_t p = m->p, q = m->q, NG = m->n_groups, R = m->rhs_cols;
    double gtg[64];
    for (size_t j = 0; j < b; j++) {
        const double *row = S + j * R;
        for (size_t gi = 0; gi < NG && gi < 64; gi++) gtg[gi] = gtg_of(m, row, D[j * NG + gi], gi);
        for (size_t k = 0; k < p; k++) {
            size_t gi = (size_t)m->group[k];
            /* Many groups (per-phenotype missingness): computed per phenotype instead. */
            double v = gi < 64 ? gtg[gi] : gtg_of(m, row, D[j * NG + gi], gi);
            double df = (double)m->n_obs[k] - (double)q - 1;
            double bt = row[k] / v, rss = m->yty[k] - bt * row[k];
            if (rss < 0) rss = 0;
            double s = sqrt(rss / df / v);
            beta[j * p + k] = bt;
            se[j * p + k] = s;
            mlog10p[j * p + k] =
                isnan(v) || df < 1 ? NAN : tdist_table_mlog10p(&m->tails[m->g[gi].tail], bt / s);
        }
    }
}

void scan_block(const scan_model_t *m, const double *G, size_t b, double *G2, double *work,
                double *beta, double *se, double *mlog10p)
{
    double *S = work, *D = work + b * m->rhs_cols;
    scan_block_sums(m, G, b, 0, m->n, G2, S, D);
    scan_block_finish(m, S, D, b, beta, se, mlog10p);
}

/* ---- Hardy-Weinberg ---- */

double scan_hwe_p(long n_aa, long n_ab, long n_bb)
{
    long n = n_aa + n_ab + n_bb;
    if (n == 0) return 1;
    long rare = 2 * (n_aa < n_bb ? n_aa : n_bb) + n_ab;  /* copies of the rarer allele */
    long hom_c = n - (n_aa < n_bb ? n_aa : n_bb) - n_ab; /* unused; kept for clarity */
    (void)hom_c;
    double *prob = calloc((size_t)rare + 1, sizeof *prob);
    if (!prob) return NAN;
    long mid = rare * (2 * n - rare) / (2 * n);
    if ((mid % 2) != (rare % 2)) mid++;
    prob[mid] = 1.0;
    double sum = 1.0;
    long hom_r = (rare - mid) / 2, hom_cc = n - mid - hom_r;
    for (long het = mid; het > 1; het -= 2) {
        prob[het - 2] = prob[het] * het * (het - 1.0) / (4.0 * (hom_r + 1.0) * (hom_cc + 1.0));
        sum += prob[het - 2];
        hom_r++, hom_cc++;
    }
    hom_r = (rare - mid) / 2, hom_cc = n - mid - hom_r;
    for (long het = mid; het <= rare - 2; het += 2) {
        prob[het + 2] = prob[het] * 4.0 * hom_r * hom_cc / ((het + 2.0) * (het + 1.0));
        sum += prob[het + 2];
        hom_r--, hom_cc--;
    }
    double pv = 0, obs = prob[n_ab];
    for (long h = 0; h <= rare; h++)
        if (prob[h] <= obs * (1 + 1e-12)) pv += prob[h];
    free(prob);
    pv /= sum;
    return pv > 1 ? 1 : pv;
}
