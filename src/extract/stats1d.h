/* stats1d.h — the first-order statistics that intensity statistics (stat_*) and the
 * intensity histogram (ih_*) share: the same definitions (IBSI 1, sections 3.3 and 3.4) on
 * intensities or on discretised grey levels. */
#ifndef RGX_STATS1D_H
#define RGX_STATS1D_H

#include <stddef.h>

typedef struct {
    double mean, var, skew, kurt, median, min, p10, p25, p75, p90, max, iqr, range, mad, rmad,
        medad, cov, qcod, energy, rms;
} stats1d_t;

/* x (n values) is sorted in place.  Percentiles interpolate linearly between order
 * statistics (position q (n - 1)), as the IBSI reference implementations do.  Variance is
 * the population variance (1/n); skewness and excess kurtosis are the moment ratios (NAN
 * when the variance is 0). */
void stats1d(double *x, size_t n, stats1d_t *s);
/* The q-quantile (0..1) of sorted x. */
double stats1d_quantile(const double *x, size_t n, double q);

#endif
