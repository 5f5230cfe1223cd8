/* schema_extract.c — the `extract` section: feature settings per image channel, with one
 * default block (docs/config.md).  A channel's key falls back to default's, then to the
 * value here (extract_settings.c). */
#include "schema.h"

static const cfg_key_t interpolation[] = {
    {.name = "method",
     .type = CFG_ENUM,
     .choices = "none|nearest|linear|cubic",
     .def = "none",
     .doc = "image interpolation to `spacing`; none keeps the native grid"},
    {.name = "dims",
     .type = CFG_ENUM,
     .choices = "2d|3d",
     .def = "3d",
     .doc = "2d: in-plane only (keeps the slice spacing); 3d: every axis"},
    {.name = "spacing",
     .type = CFG_FLOAT_LIST,
     .list_len = 3,
     .min = 0.01,
     .max = 100,
     .null_ok = 1,
     .doc = "target voxel spacing in mm (x, y, z)"},
    {.name = "round_intensities",
     .type = CFG_BOOL,
     .def = "false",
     .doc = "round intensities to integers after interpolation (CT in HU)"},
    {.name = "mask_method",
     .type = CFG_ENUM,
     .choices = "nearest|linear",
     .def = "linear",
     .doc = "mask interpolation"},
    {.name = "mask_threshold",
     .type = CFG_FLOAT,
     .def = "0.5",
     .min = 0,
     .max = 1,
     .doc = "partial-volume threshold of the interpolated mask"},
    {NULL},
};

static const cfg_key_t resegmentation[] = {
    {.name = "range",
     .type = CFG_FLOAT_LIST,
     .list_len = 2,
     .null_ok = 1,
     .doc = "[min, max] intensities kept in the intensity mask; .inf / -.inf for an open end"},
    {.name = "outlier_sigma",
     .type = CFG_FLOAT,
     .null_ok = 1,
     .min = 0.1,
     .max = 100,
     .doc = "remove voxels outside mean +- sigma x SD (IBSI: 3); null: no outlier filter"},
    {NULL},
};

static const cfg_key_t discretisation[] = {
    {.name = "method",
     .type = CFG_ENUM,
     .choices = "none|fbs|fbn",
     .def = "fbn",
     .doc = "fixed bin size, fixed bin number, or none (integer intensities are the levels)"},
    {.name = "bin_width",
     .type = CFG_FLOAT,
     .def = "25",
     .min = 1e-9,
     .max = 1e9,
     .doc = "FBS bin width, in intensity units; bins start at the re-segmentation minimum"},
    {.name = "bins", .type = CFG_INT, .def = "32", .min = 1, .max = 100000, .doc = "FBN bins"},
    {NULL},
};

static const cfg_key_t ivh[] = {
    {.name = "method",
     .type = CFG_ENUM,
     .choices = "none|fbs|fbn",
     .def = "none",
     .doc = "discretisation of the intensity-volume histogram"},
    {.name = "bin_width", .type = CFG_FLOAT, .def = "2.5", .min = 1e-9, .max = 1e9, .doc = "FBS"},
    {.name = "bins", .type = CFG_INT, .def = "1000", .min = 1, .max = 1000000, .doc = "FBN"},
    {NULL},
};

static const cfg_key_t features[] = {
    {.name = "families",
     .type = CFG_STRING_LIST,
     .def = "[morph, loc, stat, ih, ivh, cm, rlm, szm, dzm, ngt, ngl]",
     .choices = "morph|loc|stat|ih|ivh|cm|rlm|szm|dzm|ngt|ngl",
     .doc = "IBSI feature families (default: all of them; see docs/features.md)"},
    {.name = "texture_dims",
     .type = CFG_STRING_LIST,
     .def = "[3d]",
     .choices = "2d|2.5d|3d",
     .doc = "aggregations of the texture families"},
    {.name = "glcm_distance", .type = CFG_INT, .def = "1", .min = 1, .max = 10, .doc = "GLCM"},
    {.name = "ngtdm_distance", .type = CFG_INT, .def = "1", .min = 1, .max = 10, .doc = "NGTDM"},
    {.name = "ngldm_distance", .type = CFG_INT, .def = "1", .min = 1, .max = 10, .doc = "NGLDM"},
    {.name = "ngldm_alpha", .type = CFG_INT, .def = "0", .min = 0, .max = 1000, .doc = "NGLDM"},
    {NULL},
};

static const cfg_key_t block[] = {
    {.name = "modality",
     .type = CFG_ENUM,
     .choices = "auto|CT|PET|MR",
     .def = "auto",
     .doc = "the images' modality; auto: recognised from the channel's name (PET, FDG, PT, SUV: "
            "PET; CT: CT; MR, T1, T2, FLAIR, ADC, DWI, ...: MR).  A channel without its own "
            "block takes the block of a channel of its modality, else the default block, with a "
            "warning when that is another modality's"},
    {.name = "interpolation", .type = CFG_SECTION, .children = interpolation},
    {.name = "resegmentation", .type = CFG_SECTION, .children = resegmentation},
    {.name = "discretisation", .type = CFG_SECTION, .children = discretisation},
    {.name = "ivh", .type = CFG_SECTION, .children = ivh},
    {.name = "features", .type = CFG_SECTION, .children = features},
    {.name = "filters", .type = CFG_LIST, .children = schema_filter,
     .doc = "IBSI 2 filters whose response maps add features (docs/features.md)"},
    {NULL},
};

const cfg_key_t schema_extract[] = {
    {.name = "labels",
     .type = CFG_FLOAT_LIST,
     .null_ok = 1,
     .min = 1,
     .max = 1e9,
     .doc = "ROI labels to extract; null: every non-zero label of the masks"},
    {.name = "default",
     .type = CFG_SECTION,
     .children = block,
     .doc = "settings of every channel unless its own block says otherwise"},
    {.name = "channels",
     .type = CFG_MAP,
     .children = block,
     .doc = "per image channel (the manifest's image_<channel>): CT, PET, T1, ..."},
    {NULL},
};
