/* scan_join.c — see scan_join.h. */
#include "scan_join.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "util.h"

/* The first genotype file (site) whose header has the sample, or -1. */
static int site_of(geno_t *hdrs, size_t n_hdr, const char *id)
{
    for (size_t s = 0; s < n_hdr; s++)
        if (geno_sample_col(&hdrs[s], id) >= 0) return (int)s;
    return -1;
}

/* The analysis rows: phenotype row, covariate row and site of each, grouped by site. */
static rgx_err pick_rows(table_t *ph, table_t *cv, geno_t *hdrs, size_t n_hdr, joined_t *J,
                         size_t *rows, size_t *crow, int rank)
{
    size_t qc = cv ? cv->p : 0, n = 0, no_geno = 0, no_cov = 0;
    int *srow = NULL;
    size_t *r2 = NULL, *c2 = NULL;
    size_t m = ph->n ? ph->n : 1;
    rgx_err err = RGX_OK;
    if ((err = rgx_calloc(&srow, m, sizeof *srow)) || (err = rgx_calloc(&r2, m, sizeof *r2)) ||
        (err = rgx_calloc(&c2, m, sizeof *c2)) || (cv && (err = table_index(cv))))
        goto out;
    for (size_t i = 0; i < ph->n; i++) {
        int site = site_of(hdrs, n_hdr, ph->id[i]);
        if (site < 0) {
            no_geno++;
            continue;
        }
        long r = cv ? table_row(cv, ph->id[i]) : 0;
        int complete = r >= 0;
        for (size_t j = 0; complete && cv && j < qc; j++)
            complete = !isnan(cv->v[(size_t)r * qc + j]);
        if (!complete) {
            no_cov++;
            continue;
        }
        crow[n] = (size_t)r, srow[n] = site, rows[n++] = i;
    }
    if (rank == 0)
        log_info("scan: %zu samples in the analysis (%zu with phenotypes; %zu not in the genotype "
                 "file, %zu without complete covariates)",
                 n, ph->n, no_geno, no_cov);
    /* Grouped by site (stable), so that each site's rows are contiguous. */
    size_t k = 0;
    for (size_t st = 0; st < n_hdr; st++) {
        J->site_row[st] = k;
        for (size_t i = 0; i < n; i++)
            if (srow[i] == (int)st) r2[k] = rows[i], c2[k++] = crow[i];
    }
    J->site_row[n_hdr] = k;
    memcpy(rows, r2, n * sizeof *rows), memcpy(crow, c2, n * sizeof *crow);
    J->n = n;
out:
    free(srow), free(r2), free(c2);
    return err;
}

/* Values beyond mean +- K SD of the analysis samples become missing. */
static void remove_outliers(const scan_opts_t *o, joined_t *J, int rank)
{
    size_t n_out = 0, p_out = 0;
    for (size_t j = 0; j < J->p && o->outlier_sd > 0; j++) {
        double s1 = 0, s2 = 0;
        size_t m = 0, before = n_out;
        for (size_t k = 0; k < J->n; k++) {
            double y = J->Y[k * J->p + j];
            if (!isnan(y)) s1 += y, m++;
        }
        if (m < 2) continue;
        double mean = s1 / (double)m;
        for (size_t k = 0; k < J->n; k++) {
            double y = J->Y[k * J->p + j];
            if (!isnan(y)) s2 += (y - mean) * (y - mean);
        }
        double lim = o->outlier_sd * sqrt(s2 / (double)(m - 1));
        for (size_t k = 0; k < J->n; k++) {
            double *y = &J->Y[k * J->p + j];
            if (!isnan(*y) && fabs(*y - mean) > lim) *y = NAN, n_out++;
        }
        p_out += n_out > before;
    }
    if (rank == 0 && o->outlier_sd > 0)
        log_info(
            "scan: %zu phenotype values beyond mean +- %g SD set to missing (in %zu phenotypes)",
            n_out, o->outlier_sd, p_out);
}

/* Per-phenotype QC (enough observations, some variance), then the transform.  The counts
 * are taken row by row (Y is row-major: a column's walk strides across all of it). */
static rgx_err prepare_phenotypes(const scan_opts_t *o, const table_t *ph, joined_t *J,
                                  int rank)
{
    size_t p = J->p, *obs = NULL;
    double *first = NULL;
    unsigned char *varies = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&obs, p ? p : 1, sizeof *obs)) ||
        (err = rgx_calloc(&first, p ? p : 1, sizeof *first)) ||
        (err = rgx_calloc(&varies, p ? p : 1, sizeof *varies)))
        goto out;
    for (size_t k = 0; k < J->n; k++) {
        const double *row = J->Y + k * p;
        for (size_t j = 0; j < p; j++) {
            double y = row[j];
            if (isnan(y)) continue;
            if (!obs[j]++)
                first[j] = y;
            else if (y != first[j])
                varies[j] = 1;
        }
    }
    /* The first few dropped phenotypes by name, then a count (4,000 imaging phenotypes can
     * drop hundreds: every name with -v). */
    enum { NAMED = 10 };
    size_t flat = 0;
    for (size_t j = 0; j < p; j++) {
        size_t m = obs[j];
        int few = (double)m < o->min_obs || (double)m <= (double)J->q + 1;
        J->keep[j] = !few && varies[j];
        if (!J->keep[j]) {
            flat += !few;
            if (rank == 0)
                log_msg(J->n_pheno_dropped < NAMED ? LOG_WARN : LOG_DEBUG,
                        "scan: phenotype %s not scanned: %s (%zu observations)", ph->name[j],
                        few ? "too few observations" : "no variance", m);
            J->n_pheno_dropped++;
        } else if (o->int_transform) {
            pheno_int(J->Y, J->n, J->p, j);
        }
    }
    if (rank == 0 && J->n_pheno_dropped > NAMED)
        log_warn("scan: %zu of %zu phenotypes not scanned (%zu too few observations, %zu no "
                 "variance; the first %d named above, all of them with -v)",
                 J->n_pheno_dropped, p, J->n_pheno_dropped - flat, flat, (int)NAMED);
out:
    free(obs), free(first), free(varies);
    return err;
}

/* Every phenotype row in the analysis, in the table's order: the table's values are the
 * joined ones as they are (10,000 x 1,000 phenotypes: no 80 MB copy). */
static int rows_are_table(const table_t *ph, const size_t *rows, size_t n)
{
    if (n != ph->n || !ph->v) return 0;
    for (size_t k = 0; k < n; k++)
        if (rows[k] != k) return 0;
    return 1;
}

rgx_err scan_join(const scan_opts_t *o, table_t *ph, table_t *cv, const double *sex,
                  const char *sex_name, geno_t *hdrs, size_t n_hdr, joined_t *J, int rank)
{
    memset(J, 0, sizeof *J);
    J->sex_in_c = -1;
    size_t qc = cv ? cv->p : 0, m = ph->n ? ph->n : 1;
    size_t *rows = NULL, *crow = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&rows, m, sizeof *rows)) || (err = rgx_calloc(&crow, m, sizeof *crow)) ||
        (err = rgx_calloc(&J->site_row, n_hdr + 1, sizeof *J->site_row)))
        goto out;
    J->n_sites = n_hdr;
    if ((err = pick_rows(ph, cv, hdrs, n_hdr, J, rows, crow, rank))) goto out;
    J->p = ph->p, J->q = 1 + qc;
    size_t n = J->n ? J->n : 1;
    int take = rows_are_table(ph, rows, J->n); /* ph->v becomes J->Y */
    if ((err = rgx_calloc(&J->sample, n, sizeof *J->sample)) ||
        (!take && (err = rgx_big_alloc(&J->Y, n * (J->p ? J->p : 1) * sizeof *J->Y))) ||
        (err = rgx_calloc(&J->C, n * J->q, sizeof *J->C)) ||
        (err = rgx_calloc(&J->cname, J->q, sizeof *J->cname)) ||
        (err = rgx_calloc(&J->keep, J->p ? J->p : 1, sizeof *J->keep)))
        goto out;
    J->cname[0] = "intercept";
    for (size_t j = 0; j < qc; j++) {
        J->cname[1 + j] = cv->name[j];
        if (sex_name && !strcasecmp(cv->name[j], sex_name)) J->sex_in_c = (long)(1 + j);
    }
    if (sex && (err = rgx_calloc(&J->sex, n, sizeof *J->sex))) goto out;
    for (size_t k = 0; sex && k < J->n; k++) J->sex[k] = sex[crow[k]];
    if (take) J->Y = ph->v, ph->v = NULL;
    for (size_t k = 0; k < J->n; k++) {
        J->sample[k] = ph->id[rows[k]];
        if (!take) memcpy(J->Y + k * J->p, ph->v + rows[k] * ph->p, J->p * sizeof *J->Y);
        J->C[k * J->q] = 1;
        for (size_t j = 0; j < qc; j++) J->C[k * J->q + 1 + j] = cv->v[crow[k] * qc + j];
    }
    remove_outliers(o, J, rank);
    err = prepare_phenotypes(o, ph, J, rank);
out:
    free(rows), free(crow);
    return err;
}

void scan_joined_free(joined_t *J)
{
    free(J->sample), free(J->Y), free(J->C), free(J->cname), free(J->keep);
    free(J->site_row), free(J->sex);
    memset(J, 0, sizeof *J);
}
