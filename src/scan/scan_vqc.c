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

/* The sums in 8 lanes fixed by the index, so that the vectorised loop adds in one order
 * wherever the dosages lie in memory and whichever clone runs; the counts too are doubles
 * (exact below 2^53) so that every lane is one vector.  A dosage's hard call is lround's
 * (halves away from zero): 0 on (-0.5, 0.5), 1 on [0.5, 1.5), 2 on [1.5, 2.5); other calls
 * are not counted, and NaN (missing) fails every comparison. */
__attribute__((target_clones("avx512f", "avx2", "default"))) void
vqc_sums(const double *d, size_t n, double q[5])
{
    double s[8] = {0}, obs[8] = {0}, c0[8] = {0}, c1[8] = {0}, c2[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
#pragma omp simd
        for (size_t l = 0; l < 8; l++) {
            double x = d[i + l];
            s[l] += x == x ? x : 0;
            obs[l] += x == x ? 1 : 0;
            c0[l] += x > -0.5 && x < 0.5 ? 1 : 0;
            c1[l] += x >= 0.5 && x < 1.5 ? 1 : 0;
            c2[l] += x >= 1.5 && x < 2.5 ? 1 : 0;
        }
    }
    for (; i < n; i++) { /* the tail in lane i % 8 */
        double x = d[i];
        size_t l = i % 8;
        s[l] += x == x ? x : 0;
        obs[l] += x == x ? 1 : 0;
        c0[l] += x > -0.5 && x < 0.5 ? 1 : 0;
        c1[l] += x >= 0.5 && x < 1.5 ? 1 : 0;
        c2[l] += x >= 1.5 && x < 2.5 ? 1 : 0;
    }
    double t = q[0]; /* in locals: q could alias d */
    for (size_t l = 0; l < 8; l++) {
        t += s[l], q[1] += obs[l];
        q[2] += c0[l], q[3] += c1[l], q[4] += c2[l];
    }
    q[0] = t;
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void
vqc_center(const double *d, size_t n, double mean, double *g)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) g[i] = d[i] == d[i] ? d[i] - mean : 0;
}

void vqc_variant(const scan_opts_t *o, const double *d, size_t n, vqc_t *v, double *mean)
{
    double q[5] = {0, 0, 0, 0, 0};
    vqc_sums(d, n, q);
    vqc_from_sums(o, q[0], (long)q[1], q + 2, n, v, mean);
}
