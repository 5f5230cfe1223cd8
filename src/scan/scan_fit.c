/* scan_fit.c — see scan_fit.h. */
#include "scan_fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "runfile.h"
#include "util.h"

/* Binary columns: the kept phenotypes, recoded from 1/2 when asked, every value checked. */
static rgx_err binary_outcomes(scan_fit_t *f, const scan_opts_t *o, const joined_t *J,
                               const table_t *ph, double **Y)
{
    size_t n = J->n, p = 0;
    for (size_t j = 0; j < J->p; j++) p += J->keep[j] != 0;
    rgx_err err = rgx_calloc(Y, (n ? n : 1) * (p ? p : 1), sizeof **Y);
    if (!err) err = rgx_calloc(&f->names, p ? p : 1, sizeof *f->names);
    for (size_t j = 0, k = 0; j < J->p && !err; j++) {
        if (!J->keep[j]) continue;
        f->names[k] = ph->name[j];
        for (size_t i = 0; i < n; i++) {
            double y = J->Y[i * J->p + j], v = o->coding12 ? y - 1 : y;
            if (!isnan(y) && v != 0 && v != 1)
                return rgx_fail(RGX_ERR_INPUT, "phenotype table: sample %s, column %s: %g is not "
                                "a binary value (%s expected, NA missing; scan.binary_coding)",
                                J->sample[i], ph->name[j], y, o->coding12 ? "1 or 2" : "0 or 1");
            (*Y)[i * p + k] = v;
        }
        k++;
    }
    f->p = p;
    return err;
}

static long column_of(const table_t *ph, const char *name, size_t len)
{
    for (size_t j = 0; j < ph->p; j++)
        if (strlen(ph->name[j]) == len && !strncmp(ph->name[j], name, len)) return (long)j;
    return -1;
}

/* TIME:EVENT pairs of columns. */
static rgx_err survival_outcomes(scan_fit_t *f, const scan_opts_t *o, const joined_t *J,
                                 const table_t *ph, double **T, double **E)
{
    if (!o->survival)
        return rgx_fail(RGX_ERR_USAGE, "outcome survival needs scan.survival (--survival "
                        "TIME:EVENT,...)");
    size_t p = 1, n = J->n;
    for (const char *c = o->survival; *c; c++) p += *c == ',';
    rgx_err err;
    if ((err = rgx_calloc(T, (n ? n : 1) * p, sizeof **T)) ||
        (err = rgx_calloc(E, (n ? n : 1) * p, sizeof **E)) ||
        (err = rgx_calloc(&f->names, p, sizeof *f->names)))
        return err;
    const char *s = o->survival;
    for (size_t k = 0; k < p; k++) {
        size_t len = strcspn(s, ","), tl = strcspn(s, ":");
        if (tl >= len)
            return rgx_fail(RGX_ERR_USAGE, "scan.survival: '%.*s' is not TIME:EVENT", (int)len,
                            s);
        long tc = column_of(ph, s, tl), ec = column_of(ph, s + tl + 1, len - tl - 1);
        if (tc < 0 || ec < 0)
            return rgx_fail(RGX_ERR_INPUT, "scan.survival: no column '%.*s' in the phenotype "
                            "table", tc < 0 ? (int)tl : (int)(len - tl - 1),
                            tc < 0 ? s : s + tl + 1);
        f->names[k] = ph->name[tc];
        for (size_t i = 0; i < n; i++) {
            double t = J->Y[i * J->p + (size_t)tc], e = J->Y[i * J->p + (size_t)ec];
            if (!isnan(t) && !(t > 0 && isfinite(t)))
                return rgx_fail(RGX_ERR_INPUT, "phenotype table: sample %s, column %s: time %g "
                                "(a positive time expected, NA missing)", J->sample[i],
                                ph->name[tc], t);
            if (!isnan(e) && e != 0 && e != 1)
                return rgx_fail(RGX_ERR_INPUT, "phenotype table: sample %s, column %s: event %g "
                                "(1 event, 0 censored, NA missing)", J->sample[i], ph->name[ec],
                                e);
            int miss = isnan(t) || isnan(e); /* one missing: the outcome is missing */
            (*T)[i * p + k] = miss ? NAN : t, (*E)[i * p + k] = miss ? NAN : e;
        }
        s += len + (s[len] == ',');
    }
    f->p = p;
    return RGX_OK;
}

rgx_err scan_fit_init(scan_fit_t *f, const scan_opts_t *o, const joined_t *J, const table_t *ph,
                      size_t B, int rank)
{
    memset(f, 0, sizeof *f);
    f->kind = o->outcome;
    double *Y = NULL, *E = NULL;
    size_t n = J->n;
    rgx_err err = f->kind == SCAN_BINARY ? binary_outcomes(f, o, J, ph, &Y)
                                         : survival_outcomes(f, o, J, ph, &Y, &E);
    size_t p = f->p, P = p ? p : 1;
    if (!err && !p) err = rgx_fail(RGX_ERR_INPUT, "no outcome to scan");
    if (!err && f->kind == SCAN_BINARY)
        err = bin_model_init(&f->bin, Y, n, p, J->C, J->q, o->screen_p, o->full_fit_mac,
                             o->firth, f->names);
    else if (!err)
        err = tte_model_init(&f->tte, Y, E, n, p, J->C, J->q, o->screen_p, B, f->names);
    size_t len = f->kind == SCAN_BINARY ? bin_sums_len(&f->bin, B) : tte_sums_len(&f->tte, B);
    if (!err && (!(err = rgx_calloc(&f->sums, len ? len : 1, sizeof *f->sums))) &&
        !(err = rgx_calloc(&f->scratch, B * (n ? n : 1), sizeof *f->scratch)) &&
        !(err = rgx_calloc(&f->test, B * P, sizeof *f->test)) &&
        !(err = rgx_calloc(&f->want, B * P, sizeof *f->want)) &&
        !(err = rgx_calloc(&f->n_obs, P, sizeof *f->n_obs)) &&
        !(err = rgx_calloc(&f->n_a, P, sizeof *f->n_a)))
        err = rgx_calloc(&f->n_b, P, sizeof *f->n_b);
    for (size_t k = 0; k < p && !err; k++) {
        if (f->kind == SCAN_BINARY) {
            const logit_null_t *m = &f->bin.nul[k];
            f->n_obs[k] = (double)m->n_obs, f->n_a[k] = (double)m->n_case;
            f->n_b[k] = (double)m->n_ctrl;
        } else {
            const cox_null_t *m = &f->tte.nul[k];
            f->n_obs[k] = (double)m->n_obs, f->n_a[k] = (double)m->n_events;
            f->n_b[k] = (double)(m->n_obs - m->n_events);
        }
        if (rank == 0)
            log_info("scan: %s outcome %s: %.0f samples, %.0f %s, %.0f %s", f->kind == SCAN_BINARY
                     ? "binary" : "time-to-event", f->names[k], f->n_obs[k], f->n_a[k],
                     f->kind == SCAN_BINARY ? "cases" : "events", f->n_b[k],
                     f->kind == SCAN_BINARY ? "controls" : "censored");
    }
    free(Y), free(E);
    if (err) scan_fit_free(f);
    return err;
}

void scan_fit_free(scan_fit_t *f)
{
    if (f->kind == SCAN_BINARY) bin_model_free(&f->bin);
    if (f->kind == SCAN_SURVIVAL) tte_model_free(&f->tte);
    free(f->names), free(f->n_obs), free(f->n_a), free(f->n_b), free(f->sums), free(f->scratch);
    free(f->test), free(f->want);
    memset(f, 0, sizeof *f);
}

void scan_fit_block(scan_fit_t *f, const double *G, const double *mean, size_t t, double *beta,
                    double *se, double *mlp, double *lr, double *test)
{
    size_t n = f->kind == SCAN_BINARY ? f->bin.n : f->tte.n;
    if (f->kind == SCAN_BINARY) {
        bin_block_sums(&f->bin, G, t, 0, n, f->scratch, f->sums);
        bin_block_finish(&f->bin, f->sums, G, mean, t, beta, se, mlp, lr, f->test, f->want);
    } else {
        tte_block_sums(&f->tte, G, t, 0, n, f->scratch, f->sums);
        tte_block_finish(&f->tte, f->sums, G, mean, t, beta, se, mlp, lr, f->test, f->want);
    }
    for (size_t i = 0; i < t * f->p; i++) test[i] = f->test[i];
}

rgx_err scan_fit_write(const scan_fit_t *f, h5out_t *h)
{
    int bin = f->kind == SCAN_BINARY;
    rgx_err err = h5out_write_all(h, RF_PHENOTYPES_N, H5T_NATIVE_DOUBLE, f->p, 0, f->n_obs);
    if (!err)
        err = h5out_write_all(h, bin ? RF_PHENOTYPES_N_CASE : RF_PHENOTYPES_N_EVENTS,
                              H5T_NATIVE_DOUBLE, f->p, 0, f->n_a);
    if (!err)
        err = h5out_write_all(h, bin ? RF_PHENOTYPES_N_CONTROL : RF_PHENOTYPES_N_CENSORED,
                              H5T_NATIVE_DOUBLE, f->p, 0, f->n_b);
    long full = bin ? f->bin.n_full : f->tte.n_full, firth = bin ? f->bin.n_firth : 0;
    long all[2] = {full, firth};
    MPI_Allreduce(MPI_IN_PLACE, all, 2, MPI_LONG, MPI_SUM, h->comm);
    if (!err) err = h5out_attr_long(h, RF_ASSOC, "full_fits", all[0]);
    if (!err && bin) err = h5out_attr_long(h, RF_ASSOC, "firth_fits", all[1]);
    if (!err && h->rank == 0)
        log_info("scan: %ld pairs got the full fit%s", all[0],
                 bin ? " (below the screen or rare in the smaller class)" : " (below the screen)");
    if (!err && h->rank == 0 && bin) log_info("scan: of which %ld by Firth", all[1]);
    return err;
}
