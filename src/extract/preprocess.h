/* preprocess.h — IBSI preprocessing of one ROI: image + mask + label + settings -> roi_t.
 *
 * In IBSI order: interpolation to the settings' spacing when asked (resample.c), intensity
 * rounding, the morphological mask (the label, interpolated with its partial-volume
 * threshold), re-segmentation by range and outlier filtering (the intensity mask), and
 * discretisation (fixed bin number or size) into grey levels 1..N_g.  Only the ROI's
 * bounding box is kept, with a margin that covers the local-intensity sphere (6.2 mm), so
 * the work is proportional to the ROI, not the image. */
#ifndef RGX_PREPROCESS_H
#define RGX_PREPROCESS_H

#include "err.h"
#include "features.h"
#include "image.h"

typedef struct {
    roi_t roi; /* points into the buffers below */
    double *intensity;
    uint8_t *morph, *mask;
    int *level;
    /* Voxels of the morphological mask, and those whose intensity is NaN: left out of the
     * intensity mask (as out of the re-segmentation range), and noted by the caller. */
    size_t n_morph, n_nan;
} preproc_t;

/* Fails (RGX_ERR_INPUT, with the reason) when the label has no voxel, when every ROI
 * intensity is NaN, when one is infinite, or when no voxel is left after re-segmentation. */
rgx_err preprocess_roi(const image_t *img, const image_t *mask, int label, const feat_settings_t *s,
                       preproc_t *out);
void preprocess_free(preproc_t *pp);

/* Grey levels 1..N_g (into level, where mask is 1) of the values x: fixed bin number
 * between the masked minimum and maximum, fixed bin size from fbs_min (when finite, else the
 * masked minimum), or none (whole-number values >= 1 are the levels; others an error). */
rgx_err preprocess_discretise(const double *x, const uint8_t *mask, size_t nv, disc_t disc,
                              int n_bins, double bin_width, double fbs_min, int *level,
                              int *n_levels);

/* The image voxels lo .. hi that preprocess_roi reads for the label (from the image's
 * header and the mask); hi[0] = -1 when the label has no voxel. */
rgx_err preprocess_source(const image_t *img, const image_t *msk, int label,
                          const feat_settings_t *s, int lo[3], int hi[3]);

#endif
