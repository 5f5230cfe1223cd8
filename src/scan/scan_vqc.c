/* scan_vqc.c — see scan_vqc.h. */
#include "scan_vqc.h"

#include <math.h>

#include "scan.h"

const char *const vqc_name[Q_N] = {"", "tested", "call_rate", "maf", "mac", "hwe", "monomorphic"};

/* hwe_p, computed when not yet. */
static double hwe_of(vqc_t *v, const double cnt[3])
{
    if (isnan(v->hwe_p)) v->hwe_p = scan_hwe_p((long)cnt[0], (long)cnt[1], (long)cnt[2]);
    return v->hwe_p;
}

/* want_hwe 0: the exact HWE test (O(n) a variant) only where the filter needs it. */
static void from_sums(const scan_opts_t *o, double s, long obs, const double cnt[3], size_t n,
                      vqc_t *v, double *mean, int want_hwe)
{
    v->n_obs = obs;
    v->call_rate = n ? (double)obs / (double)n : 0;
    v->af = obs ? s / (2.0 * (double)obs) : NAN;
    double maf = v->af < 0.5 ? v->af : 1 - v->af;
    v->mac = obs ? (s < 2.0 * (double)obs - s ? s : 2.0 * (double)obs - s) : 0;
    v->hwe_p = want_hwe ? scan_hwe_p((long)cnt[0], (long)cnt[1], (long)cnt[2]) : NAN;
    *mean = obs ? s / (double)obs : 0;
    if (v->call_rate < o->call_rate || obs == 0)
        v->pass = Q_CALL;
    else if (!(maf >= o->maf))
        v->pass = Q_MAF;
    else if (v->mac < o->mac)
        v->pass = Q_MAC;
    else if (o->hwe > 0 && hwe_of(v, cnt) < o->hwe)
        v->pass = Q_HWE;
    else if (v->mac <= 0)
        v->pass = Q_MONO;
    else
        v->pass = Q_PASS;
}

void vqc_from_sums(const scan_opts_t *o, double s, long obs, const double cnt[3], size_t n,
                   vqc_t *v, double *mean)
{
    from_sums(o, s, obs, cnt, n, v, mean, 1);
}

void vqc_decide(const scan_opts_t *o, double s, long obs, const double cnt[3], size_t n,
                vqc_t *v, double *mean)
{
    from_sums(o, s, obs, cnt, n, v, mean, 0);
}

/* The hard call of a dosage: lround (halves away from zero), without the library call for
 * the usual case (d - trunc(d) is exact). */
static inline long hard_call(double d)
{
    if (!(d >= 0 && d < 1e15)) return lround(d);
    long t = (long)d;
    return t + (d - (double)t >= 0.5);
}

void vqc_sums(const double *d, size_t n, double q[5])
{
    double s = q[0]; /* in locals: q could alias d, which made every term a store */
    long obs = 0, c[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++)
        if (!isnan(d[i])) {
            s += d[i], obs++;
            long h = hard_call(d[i]);
            if (h >= 0 && h <= 2) c[h]++;
        }
    q[0] = s, q[1] += (double)obs;
    for (int h = 0; h < 3; h++) q[2 + h] += (double)c[h];
}

void vqc_variant(const scan_opts_t *o, const double *d, size_t n, vqc_t *v, double *mean)
{
    double q[5] = {0, 0, 0, 0, 0};
    vqc_sums(d, n, q);
    vqc_from_sums(o, q[0], (long)q[1], q + 2, n, v, mean);
}
