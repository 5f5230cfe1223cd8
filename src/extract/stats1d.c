/* stats1d.c — see stats1d.h. */
#include "stats1d.h"

#include <math.h>
#include <stdlib.h>

#include "util.h"

double stats1d_quantile(const double *x, size_t n, double q)
{
    if (n == 0) return NAN;
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    if (lo + 1 >= n) return x[n - 1];
    double f = pos - (double)lo;
    return x[lo] + f * (x[lo + 1] - x[lo]);
}

void stats1d(double *x, size_t n, stats1d_t *s)
{
    sort_doubles(x, n);
    double sum = 0, e = 0;
    for (size_t i = 0; i < n; i++) sum += x[i], e += x[i] * x[i];
    double mean = n ? sum / (double)n : NAN;
    double m2 = 0, m3 = 0, m4 = 0, mad = 0;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - mean;
        m2 += d * d, m3 += d * d * d, m4 += d * d * d * d, mad += fabs(d);
    }
    double nn = (double)n;
    m2 /= nn, m3 /= nn, m4 /= nn;
    s->mean = mean;
    s->var = m2;
    s->skew = m2 > 0 ? m3 / pow(m2, 1.5) : NAN;
    s->kurt = m2 > 0 ? m4 / (m2 * m2) - 3 : NAN;
    s->median = stats1d_quantile(x, n, 0.5);
    s->min = n ? x[0] : NAN;
    s->max = n ? x[n - 1] : NAN;
    s->p10 = stats1d_quantile(x, n, 0.10);
    s->p25 = stats1d_quantile(x, n, 0.25);
    s->p75 = stats1d_quantile(x, n, 0.75);
    s->p90 = stats1d_quantile(x, n, 0.90);
    s->iqr = s->p75 - s->p25;
    s->range = s->max - s->min;
    s->mad = mad / nn;
    /* Robust mean absolute deviation: over the values between P10 and P90 (inclusive). */
    double rs = 0, rm = 0;
    size_t rn = 0;
    for (size_t i = 0; i < n; i++)
        if (x[i] >= s->p10 && x[i] <= s->p90) rs += x[i], rn++;
    double rmean = rn ? rs / (double)rn : NAN;
    for (size_t i = 0; i < n; i++)
        if (x[i] >= s->p10 && x[i] <= s->p90) rm += fabs(x[i] - rmean);
    s->rmad = rn ? rm / (double)rn : NAN;
    double md = 0;
    for (size_t i = 0; i < n; i++) md += fabs(x[i] - s->median);
    s->medad = md / nn;
    s->cov = sqrt(m2) / mean;
    s->qcod = s->iqr / (s->p75 + s->p25);
    s->energy = e;
    s->rms = sqrt(e / nn);
}
