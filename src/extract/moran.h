/* moran.h — Moran's I and Geary's C of the intensity mask (IBSI 1, 3.1.24-25), over every
 * pair of ROI voxels with weight 1 / distance, in O(N log N) by FFT (moran.c says how). */
#ifndef RGX_MORAN_H
#define RGX_MORAN_H

#include "err.h"
#include "features.h"

/* NAN for both when the ROI has fewer than 2 voxels or no spread. */
rgx_err moran_geary(const roi_t *r, double *moran, double *geary);

#endif
