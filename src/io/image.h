/* image.h — 3D images: NIfTI-1 and NIfTI-2 (.nii, .nii.gz, .hdr/.img) read through
 * nifticlib's header reader, and DICOM (a series folder, a list of files, a multi-frame file;
 * RTSTRUCT and SEG masks; RTDOSE grids: dicom.h).  The path says which source reads it.
 *
 * Voxel (i, j, k) is voxel number i + nx * (j + ny * k): x varies fastest, as stored in NIfTI.
 * The voxels are kept as the file stores them (in native byte order): a 512 x 512 x 200 CT
 * is 100 MB of int16 but 200 MB as float, and extraction reads only the box around a ROI.
 * image_values() gives them as float with scl_slope/scl_inter applied; masks are read the
 * same way and hold integer labels (exact in float up to 2^24). */
#ifndef RGX_IMAGE_H
#define RGX_IMAGE_H

#include <stddef.h>

#include "err.h"

typedef struct {
    int dim[3];          /* nx, ny, nz */
    double spacing[3];   /* voxel size in mm along i, j, k */
    double affine[3][4]; /* voxel index (i, j, k, 1) -> world mm; sform, else qform, else pixdim */
    const char *affine_source; /* "sform", "qform", "pixdim" or "dicom" */
    int datatype;        /* NIfTI datatype code of vox: the file's, DT_FLOAT32 from image_alloc() */
    void *vox;           /* the stored voxels (owned); NULL after image_read_header() */
    double slope, inter; /* value = stored * slope + inter (1 and 0 when the file does not scale) */
    /* A windowed image holds only the voxels of a box: vox is win_n[0] x win_n[1] x win_n[2]
     * voxels from win_lo, and every voxel outside reads as `outside` (0 for a mask read by
     * image_read_mask, which keeps the box of its labels; NaN for image_read_box). */
    int windowed, win_lo[3], win_n[3];
    float outside;
    int has_number;      /* 0: a float image whose every voxel is NaN */
    char frame_of_ref[68]; /* DICOM Frame of Reference UID ("" for NIfTI): an RTSTRUCT must
                              be in the same one */
} image_t;

/* Reads header and voxels; fails for 4D images with more than one volume, complex or
 * RGB data, or a file that ends early.  Any NaN voxel is kept (callers decide). */
rgx_err image_read(const char *path, image_t *img);
/* Reads a label map, keeping only the box of its non-zero voxels (a map with scaling is read
 * whole).  The file is streamed: the full map never sits in memory. */
rgx_err image_read_mask(const char *path, image_t *img);
/* The same, on the grid of an image (its header is enough): an RTSTRUCT's ROI
 * ("rtstruct.dcm:GTV-1") is rasterised onto it; a label map is read as image_read_mask reads
 * it (check it against the grid with image_same_geometry). */
rgx_err image_read_mask_on(const char *path, const image_t *grid, image_t *img);
/* Reads the voxels in the box lo .. hi (clipped to the image) and checks the whole file as
 * image_read does; a voxel outside the box reads as NaN. */
rgx_err image_read_box(const char *path, image_t *img, const int lo[3], const int hi[3]);
/* Reads only the header (cheap: for validation before any work). */
rgx_err image_read_header(const char *path, image_t *img);
void image_free(image_t *img);
/* Voxels for an image built in memory (dim set, no voxels yet): DT_FLOAT32, zeroed,
 * returned in *data. */
rgx_err image_alloc(image_t *img, float **data);

/* The values of voxels first .. first + n - 1 as float, scaled: the same float whatever
 * the stored type (the stored value converted to float, then value * slope + inter). */
void image_values(const image_t *img, size_t first, size_t n, float *out);
static inline float image_value(const image_t *img, size_t i)
{
    float v;
    image_values(img, i, 1, &v);
    return v;
}
/* 1 when row (y, z) of the grid has stored voxels: always, but for a windowed image whose
 * window it misses (its voxels all read as `outside`). */
static inline int image_row_kept(const image_t *img, int y, int z)
{
    const int *lo = img->win_lo, *n = img->win_n;
    return !img->windowed ||
           (y >= lo[1] && y < lo[1] + n[1] && z >= lo[2] && z < lo[2] + n[2]);
}

/* The bounding box lo .. hi (voxel indices) of the voxels whose value is `value`
 * (hi[0] = -1 when there is none). */
rgx_err image_box_of(const image_t *img, float value, int lo[3], int hi[3]);
/* 1 when no voxel holds a number (never for an integer type); known from reading. */
static inline int image_all_nan(const image_t *img)
{
    return !img->has_number;
}

static inline size_t image_nvox(const image_t *img)
{
    return (size_t)img->dim[0] * (size_t)img->dim[1] * (size_t)img->dim[2];
}

/* The inverse of an affine (world mm -> voxel index i, j, k); 0, or -1 when it is singular. */
int image_affine_invert(const double a[3][4], double inv[3][4]);

/* RGX_OK when image and mask share dimensions and their affines agree within tol_mm
 * (largest absolute difference of the 3x4 matrices); otherwise RGX_ERR_INPUT with a
 * message that says what differs. */
rgx_err image_same_geometry(const image_t *img, const image_t *mask, double tol_mm);

/* Writes an image's values as NIfTI-1 .nii or .nii.gz of the given datatype (DT_UINT8,
 * DT_INT16, DT_INT32: rounded and clamped; DT_FLOAT32) with its geometry; used by the
 * simulator and tests.  A .nii.gz is compressed fast (ISA-L level 1), not small. */
rgx_err image_write(const char *path, const image_t *img, int datatype);

#endif
