/* image.h — 3D images read through nifticlib (NIfTI-1 and NIfTI-2, .nii and .nii.gz).
 *
 * Voxel (i, j, k) is data[i + nx * (j + ny * k)]: x varies fastest, as stored in NIfTI.
 * Intensities are converted to float with scl_slope/scl_inter applied; masks are read
 * the same way and hold integer labels (exact in float up to 2^24). */
#ifndef RGX_IMAGE_H
#define RGX_IMAGE_H

#include <stddef.h>

#include "err.h"

typedef struct {
    int dim[3];          /* nx, ny, nz */
    double spacing[3];   /* voxel size in mm along i, j, k */
    double affine[3][4]; /* voxel index (i, j, k, 1) -> world mm; sform, else qform, else pixdim */
    const char *affine_source; /* "sform", "qform" or "pixdim" */
    int datatype;        /* NIfTI datatype code of the file */
    float *data;         /* NULL after image_read_header(); owned */
} image_t;

/* Reads header and voxels; fails for 4D images with more than one volume, complex or
 * RGB data, or a file that ends early.  Any NaN voxel is kept (callers decide). */
rgx_err image_read(const char *path, image_t *img);
/* Reads only the header (cheap: for validation before any work). */
rgx_err image_read_header(const char *path, image_t *img);
void image_free(image_t *img);

static inline size_t image_nvox(const image_t *img)
{
    return (size_t)img->dim[0] * (size_t)img->dim[1] * (size_t)img->dim[2];
}

/* RGX_OK when image and mask share dimensions and their affines agree within tol_mm
 * (largest absolute difference of the 3x4 matrices); otherwise RGX_ERR_INPUT with a
 * message that says what differs. */
rgx_err image_same_geometry(const image_t *img, const image_t *mask, double tol_mm);

/* Writes a float image (or labels when is_label) as NIfTI-1 .nii or .nii.gz with the
 * given geometry; used by the simulator and tests. datatype: a NIfTI DT_* code. */
rgx_err image_write(const char *path, const image_t *img, int datatype);

#endif
