/* sim_image.h — one simulated patient's images and masks.
 *
 * A body-like background (an elliptic cylinder of soft tissue in air) and a lesion: an
 * ellipsoid of the given volume and elongation, turned in-plane by a random angle, whose
 * intensity is a mean plus a smooth noise field of the given amplitude (heterogeneity).  The
 * lesion is defined in world millimetres, so each channel may have its own grid.  Label 1 is
 * the lesion; with two labels, label 2 is a small sphere of normal tissue away from it. */
#ifndef RGX_SIM_IMAGE_H
#define RGX_SIM_IMAGE_H

#include <stdint.h>

#include "err.h"
#include "image.h"

typedef struct {
    double volume_mm3;    /* lesion volume */
    double elongation;    /* long axis / short axes */
    double angle;         /* in-plane rotation, radians */
    double centre[3];     /* mm, relative to the image centre */
    double mean;          /* lesion mean intensity */
    double heterogeneity; /* SD of the lesion's smooth noise */
    double background;    /* soft tissue level */
    double air;           /* outside the body */
    double noise;         /* white noise SD everywhere */
    int n_labels;         /* 1 or 2 */
} sim_lesion_t;

typedef struct {
    int dim[3];
    double spacing[3];
    int datatype; /* NIfTI code of the image (DT_INT16 for CT) */
} sim_grid_t;

/* Makes image and mask on grid from the lesion with the RNG stream of (seed, patient,
 * channel), as float images in memory (the caller frees them with image_free). */
rgx_err sim_image_make(const sim_lesion_t *l, const sim_grid_t *grid, uint64_t seed, long patient,
                       int channel, image_t *img, image_t *msk);
/* The same, written as NIfTI (mask_path NULL: no mask for this channel). */
rgx_err sim_image_write(const sim_lesion_t *l, const sim_grid_t *grid, uint64_t seed, long patient,
                        int channel, const char *image_path, const char *mask_path);

#endif
