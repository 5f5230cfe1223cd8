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

/* want_hwe 0: the exact HWE test (O(sqrt n) a variant) only where the filter needs it. */
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

/* Four doubles in a vector (GCC's vector extension: AVX registers in the avx2 and avx512f
 * clones, pairs of SSE2 registers in the default one).  Macros, not functions: a function
 * returning one would have a different ABI in each clone. */
typedef double v4d __attribute__((vector_size(32)));
typedef double v4d_u __attribute__((vector_size(32), aligned(8), may_alias));
typedef long v4l __attribute__((vector_size(32)));
#define V4(x) ((v4d){x, x, x, x})
#define VLD(p) (*(const v4d_u *)(p))           /* four doubles from any address */
#define ONES(m) ((v4d)((v4l)V4(1.0) & (m)))    /* 1.0 where mask m is true, else 0 */

/* The sums in 8 lanes fixed by the index (two vectors: i % 8 < 4 and >= 4), added up in lane
 * order, so that the sum is the same bits wherever the dosages lie in memory and whichever
 * clone runs; the counts are doubles too (exact below 2^53).  A dosage's hard call is
 * lround's (halves away from zero): 0 on (-0.5, 0.5), 1 on [0.5, 1.5), 2 on [1.5, 2.5);
 * other calls are not counted, and NaN (missing) fails every comparison.  (Arrays of 8
 * accumulators under `omp simd` stayed on the stack: 4 ns a dosage against 0.44 here.) */
__attribute__((target_clones("avx512f", "avx2", "default"))) void
vqc_sums(const double *d, size_t n, double q[5])
{
    v4d s[2] = {V4(0), V4(0)}, o = V4(0), c0 = V4(0), c1 = V4(0), c2 = V4(0);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int h = 0; h < 2; h++) {
            v4d x = VLD(d + i + 4 * h);
            v4l seen = x == x;
            s[h] += (v4d)((v4l)x & seen);
            o += ONES(seen);
            c0 += ONES((x > V4(-0.5)) & (x < V4(0.5)));
            c1 += ONES((x >= V4(0.5)) & (x < V4(1.5)));
            c2 += ONES((x >= V4(1.5)) & (x < V4(2.5)));
        }
    double t = q[0]; /* in locals: q could alias d */
    for (int h = 0; h < 2; h++)
        for (int l = 0; l < 4; l++) t += s[h][l];
    for (int l = 0; l < 4; l++) q[1] += o[l], q[2] += c0[l], q[3] += c1[l], q[4] += c2[l];
    for (; i < n; i++) { /* the last n % 8, in order */
        double x = d[i];
        if (x != x) continue;
        t += x, q[1] += 1;
        q[2] += x > -0.5 && x < 0.5;
        q[3] += x >= 0.5 && x < 1.5;
        q[4] += x >= 1.5 && x < 2.5;
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
