/* hull.h — the convex hull of integer points in 3D (Quickhull, exact orientation tests in
 * 64-bit integers), for the convex-hull densities and the maximum diameter. */
#ifndef RGX_HULL_H
#define RGX_HULL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct {
    double volume, area; /* after scaling each axis by scale[] */
    double diameter;     /* the largest distance between two hull vertices, scaled */
} hull_t;

/* p: n points; coordinates are multiplied by scale[axis] for the measures.  Fewer than four
 * non-coplanar points give a hull of volume 0 (area and diameter still measured). */
rgx_err hull_measure(const int32_t (*p)[3], size_t n, const double scale[3], hull_t *h);

#endif
