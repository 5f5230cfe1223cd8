/* dvh.c — see dvh.h. */
#include "dvh.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

/* "2", "0p1", "95": x for a feature name. */
static void num_tag(double x, char *buf, size_t n)
{
    snprintf(buf, n, "%g", x);
    for (char *p = buf; *p; p++)
        if (*p == '.') *p = 'p';
}

/* The k-th largest of d (sorted descending), k from 1; NaN when k is out of 1 .. n. */
static double kth(const double *d, size_t n, double k)
{
    if (!(k >= 1) || k > (double)n) return NAN;
    return d[(size_t)k - 1];
}

/* Voxels with dose >= x (d descending): a binary search. */
static size_t count_at_least(const double *d, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d[mid] >= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Mean, min, max, D<x>% and D<x>cc of d (descending) under a prefix ("dvh_", "dvh_eqd2_"). */
static rgx_err dose_stats(const dvh_opt_t *o, const double *d, size_t n, double voxel_cc,
                          const char *pre, featvec_t *out)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += d[i];
    rgx_err err = featvec_add(out, n ? sum / (double)n : NAN, "%sdmean", pre);
    if (!err) err = featvec_add(out, n ? d[n - 1] : NAN, "%sdmin", pre);
    if (!err) err = featvec_add(out, n ? d[0] : NAN, "%sdmax", pre);
    char t[32];
    for (size_t i = 0; i < o->n_d_pct && !err; i++) {
        num_tag(o->d_pct[i], t, sizeof t);
        /* the rank, with a tolerance so that x N / 100 a whole number in exact arithmetic
         * is not pushed up by rounding */
        double k = ceil(o->d_pct[i] * (double)n / 100.0 - 1e-9);
        err = featvec_add(out, kth(d, n, k < 1 ? 1 : k), "%sd%spct", pre, t);
    }
    for (size_t i = 0; i < o->n_d_cc && !err; i++) {
        num_tag(o->d_cc[i], t, sizeof t);
        double k = ceil(o->d_cc[i] / voxel_cc - 1e-9);
        err = featvec_add(out, kth(d, n, k < 1 ? 1 : k), "%sd%scc", pre, t);
    }
    return err;
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

rgx_err dvh_compute(const dvh_opt_t *o, double *d, size_t n, double voxel_cc, double alpha_beta,
                    featvec_t *out, double *curve)
{
    if (n) qsort(d, n, sizeof *d, cmp_desc);
    rgx_err err = dose_stats(o, d, n, voxel_cc, "dvh_", out);
    char t[32];
    for (size_t i = 0; i < o->n_v_gy && !err; i++) {
        num_tag(o->v_gy[i], t, sizeof t);
        size_t c = count_at_least(d, n, o->v_gy[i]);
        err = featvec_add(out, n ? 100.0 * (double)c / (double)n : NAN, "dvh_v%sgy", t);
        if (!err) err = featvec_add(out, n ? (double)c * voxel_cc : NAN, "dvh_v%sgy_cc", t);
    }
    for (size_t i = 0; i < o->n_v_pct && !err; i++) {
        num_tag(o->v_pct[i], t, sizeof t);
        double x = o->v_pct[i] / 100.0 * o->prescription_gy;
        size_t c = count_at_least(d, n, x);
        err = featvec_add(out, n && isfinite(x) ? 100.0 * (double)c / (double)n : NAN, "dvh_v%spct",
                          t);
    }
    if (!err) err = featvec_add(out, (double)n * voxel_cc, "dvh_volume_cc");
    if (!err && o->fractions > 0) {
        /* EQD2 is increasing in D: the descending order of the doses is kept. */
        double *e = NULL;
        if ((err = rgx_calloc(&e, n ? n : 1, sizeof *e))) return err;
        double nf = (double)o->fractions, ab = alpha_beta;
        for (size_t i = 0; i < n; i++) e[i] = d[i] * (d[i] / nf + ab) / (2.0 + ab);
        err = dose_stats(o, e, n, voxel_cc, "dvh_eqd2_", out);
        free(e);
    }
    for (size_t k = 0; curve && k < o->n_bins; k++)
        curve[k] =
            n ? 100.0 * (double)count_at_least(d, n, (double)k * o->bin_gy) / (double)n : NAN;
    return err;
}
