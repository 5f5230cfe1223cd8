/* dot.h — x'y in a fixed order: the same bits for the same x and y wherever they lie in
 * memory, so for any number of ranks and threads. */
#ifndef RGX_DOT_H
#define RGX_DOT_H

#include <stddef.h>

/* Eight partial sums written out, not an omp simd reduction: a vectorised reduction may peel
 * iterations to align its loads, and then its order (so its bits) would depend on where
 * malloc put the arrays — which differs between processes.  The compiler keeps this order
 * whatever it vectorises.  (x may be y: nothing is written through them.) */
static inline double rgx_dot(const double *restrict x, const double *restrict y, size_t n)
{
    double s[8] = {0, 0, 0, 0, 0, 0, 0, 0}, t = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) s[l] += x[i + (size_t)l] * y[i + (size_t)l];
    for (; i < n; i++) t += x[i] * y[i];
    return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7])) + t;
}

#endif
