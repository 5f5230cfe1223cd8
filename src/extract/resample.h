/* resample.h — IBSI interpolation of an image and its ROI mask to a new voxel spacing
 * (IBSI 1, 2.4).
 *
 * The new grid follows the IBSI "align grid centres" rule: along an axis with n_a voxels of
 * spacing s_a, the new grid has n_b = ceil(n_a s_a / s_b) voxels of spacing s_b, and the
 * centres of both grids coincide.  In original voxel units, new voxel m sits at
 *   x(m) = m r + ((n_a - 1) - (n_b - 1) r) / 2,   r = s_b / s_a.
 * Intensities are interpolated by nearest neighbour, linear or cubic B-spline (the
 * interpolating spline: the image is first turned into spline coefficients by the recursive
 * filter of Unser, 1999); positions past the image edge take the edge value.  The mask is
 * interpolated as a 0/1 image (nearest or linear) and kept where it reaches the
 * partial-volume threshold.  Only a box of the new grid is computed, so the work follows the
 * ROI, not the image. */
#ifndef RGX_RESAMPLE_H
#define RGX_RESAMPLE_H

#include "err.h"
#include "features.h"
#include "image.h"

/* How one axis of the new grid maps onto the old one. */
typedef struct {
    int n;         /* voxels of the whole new grid along the axis */
    double s;      /* new spacing, mm */
    double r, off; /* x(m) = m r + off, in old voxel units */
} axis_map_t;

/* The new grid of img under the settings (axes not resampled map one to one). */
void resample_grid(const image_t *img, const feat_settings_t *s, axis_map_t map[3]);

/* The old voxels lo .. hi (clipped to the image) that resample_box reads for the box o, n. */
rgx_err resample_source(const image_t *img, const feat_settings_t *s, const axis_map_t map[3],
                        const int o[3], const int n[3], int lo[3], int hi[3]);

/* Samples the box o[a] .. o[a] + n[a] - 1 of the new grid: the intensity (rounded when the
 * settings say so) into intensity[], and the mask of `label` into morph[] (0/1). */
rgx_err resample_box(const image_t *img, const image_t *msk, float label, const feat_settings_t *s,
                     const axis_map_t map[3], const int o[3], const int n[3], double *intensity,
                     uint8_t *morph);

#endif
