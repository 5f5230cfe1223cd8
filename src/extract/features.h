/* features.h — the interface between preprocessing and the IBSI feature families.
 *
 * Preprocessing (preprocess.c) turns an image, a mask label and the channel's settings
 * into a roi_t; every family (feat_<family>.c) reads a roi_t and appends its features,
 * named by their IBSI tags (morph_volume, stat_mean, cm_joint_max_3D_avg, ...), to a
 * featvec_t.
 *
 * Contract of a family function: for given settings it appends the same names in the
 * same order whatever the ROI (a value that is undefined for this ROI is NAN), because
 * the columns of /features are the names produced for a probe ROI (features_names()). */
#ifndef RGX_FEATURES_H
#define RGX_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "filter.h"

typedef enum { INTERP_NONE = 0, INTERP_NEAREST, INTERP_LINEAR, INTERP_CUBIC } interp_t;
typedef enum { DISC_NONE = 0, DISC_FBN, DISC_FBS } disc_t;

/* Feature families (bit flags). */
enum {
    FAM_MORPH = 1u << 0, /* morph_*  morphology */
    FAM_LOCAL = 1u << 1, /* loc_*    local intensity */
    FAM_STAT = 1u << 2,  /* stat_*   intensity statistics */
    FAM_IH = 1u << 3,    /* ih_*     intensity histogram */
    FAM_IVH = 1u << 4,   /* ivh_*    intensity-volume histogram */
    FAM_GLCM = 1u << 5,  /* cm_*     grey level co-occurrence matrix */
    FAM_GLRLM = 1u << 6, /* rlm_*    grey level run length matrix */
    FAM_GLSZM = 1u << 7, /* szm_*    grey level size zone matrix */
    FAM_GLDZM = 1u << 8, /* dzm_*    grey level distance zone matrix */
    FAM_NGTDM = 1u << 9, /* ngt_*    neighbourhood grey tone difference matrix */
    FAM_NGLDM = 1u << 10, /* ngl_*   neighbouring grey level dependence matrix */
    FAM_ALL = (1u << 11) - 1,
};

/* Texture aggregation dimensions (bit flags): which of the 2D, 2.5D and 3D variants to emit. */
enum { TEX_2D = 1u << 0, TEX_2_5D = 1u << 1, TEX_3D = 1u << 2 };

enum { FEAT_MAX_FILTERS = 64 };

/* One filter of a channel and the features of its response map (named "<tag>.<feature>"). */
typedef struct {
    filter_t f;
    char tag[FILT_TAG_LEN]; /* filter_tag() */
    unsigned families;      /* FAM_STAT, FAM_IH and texture families */
    disc_t disc;            /* DISC_FBN or DISC_FBS, for ih and texture */
    int n_bins;
    double bin_width;       /* FBS: from the ROI's lowest response */
} feat_filter_t;

/* The settings of one image channel (one block of the config's extract section). */
typedef struct {
    /* Interpolation (IBSI 2.4). */
    interp_t interp;          /* image interpolation; INTERP_NONE keeps the native grid */
    int interp_2d;            /* 1: interpolate in-plane only (keep the slice spacing) */
    double spacing[3];        /* target voxel spacing in mm (x, y, z) */
    int round_intensities;    /* round to the nearest integer after interpolation (CT in HU) */
    interp_t mask_interp;     /* mask interpolation */
    double mask_threshold;    /* partial-volume threshold of the interpolated mask (0.5) */
    /* Re-segmentation (IBSI 2.5). */
    double reseg_min, reseg_max; /* intensity range kept; -INFINITY / INFINITY when open */
    double outlier_sigma;     /* > 0: remove voxels outside mean +- sigma * SD (IBSI uses 3) */
    /* Discretisation (IBSI 2.7) for texture families and the intensity histogram. */
    disc_t disc;              /* DISC_NONE: grey levels are the (integer) intensities */
    int n_bins;               /* FBN */
    double
        bin_width; /* FBS; the lowest bin starts at reseg_min when finite, else the ROI minimum */
    /* Separate discretisation for the intensity-volume histogram. */
    disc_t ivh_disc;
    int ivh_bins;
    double ivh_bin_width;
    /* Features. */
    unsigned families;        /* FAM_* flags */
    unsigned texture_dims;    /* TEX_* flags */
    int glcm_distance;        /* Chebyshev distance delta (1) */
    int ngtdm_distance;       /* (1) */
    int ngldm_distance;       /* (1) */
    int ngldm_alpha;          /* coarseness parameter alpha (0) */
    /* Filters (IBSI 2), run on the interpolated image before re-segmentation. */
    int n_filters;
    feat_filter_t filter[FEAT_MAX_FILTERS];
} feat_settings_t;

/* A preprocessed region of interest.  The grid is the image after interpolation,
 * cropped to the ROI's bounding box plus a margin of at least the local-intensity sphere
 * radius (clipped at the image border), so families that look outside the ROI (local
 * intensity) see real neighbours.  Voxel (i, j, k) is at index i + dim[0] * (j + dim[1] * k);
 * k is the slice index for 2D and 2.5D features. */
typedef struct {
    int dim[3];
    double spacing[3];       /* mm */
    const double *intensity; /* every voxel of the crop, after interpolation and rounding */
    const uint8_t *morph;    /* morphological mask: 1 inside the ROI (after mask interpolation) */
    const uint8_t *mask;     /* intensity mask: morph after re-segmentation and outlier removal */
    const int *level;        /* grey level 1..n_levels where mask is 1, 0 elsewhere */
    int n_levels;            /* N_g: number of grey levels of the discretisation */
    size_t n_morph, n_mask;  /* voxel counts of the two masks */
    int names_only;          /* a probe for the feature names: filters are not run */
} roi_t;

/* Feature names and values of one ROI, appended in order. */
typedef struct {
    size_t n, m;
    char **name;   /* IBSI tags, owned */
    double *value;
} featvec_t;

/* Appends one feature; the name is printf-formatted ("cm_%s_3D_avg"). */
rgx_err featvec_add(featvec_t *v, double value, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void featvec_clear(featvec_t *v); /* n = 0, keeps the memory */
void featvec_free(featvec_t *v);
/* The family of a tag: its prefix before the first '_' ("cm" for "cm_joint_max_3D_avg"),
 * after the last '.' for a response map's feature ("stat" for "log_s1p5.stat_mean"). */
void feat_family_of(const char *tag, char *buf, size_t n);

/* The 13 unique directions to a Chebyshev neighbour at distance 1, as (dx, dy, dz).
 * The first 4 have dz = 0: they are the 2D (in-slice) directions. */
extern const int feat_dir[13][3];

/* The families.  Each appends every feature of its family for the texture dimensions
 * enabled in s->texture_dims (morphology, local intensity, statistics, IH and IVH are
 * always 3D). */
rgx_err feat_morph(const roi_t *roi, const feat_settings_t *s, featvec_t *out);
rgx_err feat_local(const roi_t *roi, const feat_settings_t *s, featvec_t *out);
rgx_err feat_stat(const roi_t *roi, const feat_settings_t *s, featvec_t *out);
rgx_err feat_ih(const roi_t *roi, const feat_settings_t *s, featvec_t *out);
rgx_err feat_ivh(const roi_t *roi, const feat_settings_t *s, featvec_t *out);
rgx_err feat_glcm(const roi_t *roi, const feat_settings_t *s, featvec_t *out);
rgx_err feat_glrlm(const roi_t *roi, const feat_settings_t *s, featvec_t *out);
rgx_err feat_glszm(const roi_t *roi, const feat_settings_t *s, featvec_t *out);
rgx_err feat_gldzm(const roi_t *roi, const feat_settings_t *s, featvec_t *out);
rgx_err feat_ngtdm(const roi_t *roi, const feat_settings_t *s, featvec_t *out);
rgx_err feat_ngldm(const roi_t *roi, const feat_settings_t *s, featvec_t *out);

/* The families in `families`, in the order above. */
rgx_err features_families(const roi_t *roi, const feat_settings_t *s, unsigned families,
                          featvec_t *out);
/* The features of every filter's response map (feat_filters.c): "<tag>.<feature>". */
rgx_err feat_filters(const roi_t *roi, const feat_settings_t *s, featvec_t *out);

/* Every enabled family, in the order above, then the filters' features. */
rgx_err features_compute(const roi_t *roi, const feat_settings_t *s, featvec_t *out);

#endif
