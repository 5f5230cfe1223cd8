/* dicom.h — DICOM images as radiogx images (image.h): a series (a folder, a list of files,
 * or one file, single- or multi-frame) becomes one volume, and RTSTRUCT, SEG and RTDOSE
 * objects become masks and dose grids on an image's grid.
 *
 * The volume: voxel i runs along the image rows (the first direction of Image Orientation
 * (Patient)), j down the columns, k through the slices ordered by their position along the
 * slice normal (row x column direction), never by file name or instance number.  The
 * affine maps (i, j, k) to NIfTI's world (RAS: DICOM's patient x and y negated), so that a
 * DICOM series and a NIfTI conversion of it (dcm2niix, the IBSI's phantom) share a grid.
 * Stored values are kept with Rescale Slope/Intercept as the image's scaling when every
 * slice shares them, else converted to float.  PET in Bq/ml is converted to SUV body weight
 * (dicom_pet.c).  docs/formats.md has the rules and every error. */
#ifndef RGX_DICOM_H
#define RGX_DICOM_H

#include "dcm.h"
#include "dcm_pix.h"
#include "err.h"
#include "image.h"

/* One slice: a frame of a file. */
typedef struct {
    char *path;
    long frame;
    double ipp[3];       /* Image Position (Patient), mm, DICOM LPS */
    double d;            /* position along the slice normal */
    double slope, inter; /* rescale (times the SUV factor for PET) */
} dicom_slice_t;

typedef struct {
    char *where;          /* the path as given, for messages */
    int n;                /* slices */
    dicom_slice_t *slice; /* ordered by position */
    dcm_pixfmt_t pf;
    double iop[6]; /* row and column direction cosines */
    double ps[2];  /* Pixel Spacing: between rows, between columns */
    char modality[17];
    char series_uid[68], frame_of_ref[68];
    char sop_class[68];
    double affine_lps[3][4];
    int n_ignored; /* files that are not image slices (RTSTRUCT, SEG, ...) */
} dicom_series_t;

/* 1 when path is a DICOM input for the image source: a folder, a file with the DICM
 * preamble, a list file (.list, .lst: one path per line), or "file:ROI" naming an RTSTRUCT
 * or SEG file's ROI. */
int dicom_claims(const char *path);

/* Finds the series at path and orders its slices; checks orientation, spacing, missing and
 * duplicate slices.  RGX_ERR_INPUT with what was found and where. */
rgx_err dicom_series_scan(const char *path, dicom_series_t *s);
void dicom_series_free(dicom_series_t *s);
/* The image_t geometry of a scanned series (no voxels). */
void dicom_series_geometry(const dicom_series_t *s, image_t *img);

/* The image source (image.c dispatches here for paths dicom_claims). */
rgx_err dicom_read_header(const char *path, image_t *img);
rgx_err dicom_read_box(const char *path, image_t *img, const int lo[3], const int hi[3]);
/* A mask on grid: an RTSTRUCT's or SEG's ROIs (dicom_roi.c), or a DICOM label image. */
rgx_err dicom_read_mask(const char *path, const image_t *grid, image_t *img);

/* An RTSTRUCT's ROI (roi NULL: the only one; "A,B": labels 1, 2) rasterised on grid
 * (dicom_roi.c; f opened without DCM_HEADER). */
rgx_err dicom_rtstruct_mask(const dcm_file_t *f, const char *roi, const image_t *grid,
                            image_t *img);
/* A SEG's segments on grid: want NULL every segment as its Segment Number, else the segment
 * labelled want as label 1 (dicom_seg.c). */
/* The grid's affine (RAS) as DICOM's patient coordinates (LPS), inverted: patient mm -> voxel
 * (i, j, k).  For rasterising RTSTRUCT contours and SEG frames onto the grid. */
rgx_err dicom_lps_to_voxel(const image_t *g, double inv[3][4]);
rgx_err dicom_seg_mask(const dcm_file_t *f, const char *want, const image_t *grid, image_t *img);

/* 1 when path is a DICOM file whose Modality is RTSTRUCT. */
int dicom_is_rtstruct(const char *path);

/* The SUV body-weight factor of a PET slice's data set: *factor multiplies Bq/ml into g/ml.
 * RGX_ERR_INPUT naming the missing or bad tag (dicom_pet.c). */
rgx_err dicom_pet_suv_factor(const dcm_set_t *ds, double *factor);

#endif
