/* dose.h — the dose channel: per structure, the dose grid sampled at the structure's voxels
 * and the structure's dose-volume features (dvh.h).
 *
 * The manifest's dose channel (config dose.channel, "DOSE") names in image_DOSE an RTDOSE
 * (or a NIfTI dose in Gy) and in mask_DOSE the structures: an RTSTRUCT, whose ROIs named in
 * dose.structures are rasterised (as masks are: voxel centres, even-odd) on the grid of
 * dose.grid_channel's image (by default the first other channel; without one, the dose
 * grid), or a label map whose labels dose.structures lists.  At each structure voxel's centre
 * the dose is interpolated trilinearly in patient coordinates; a centre more than half a dose
 * voxel outside the dose grid is an error (the grid does not cover the structure), and
 * between the last dose voxel centre and the grid's edge the edge value holds.
 *
 * Features: DOSE.<structure>.dvh_* (the structure's name as dose.structures gives it);
 * the cumulative DVH curve of every structure goes to /dvh. */
#ifndef RGX_DOSE_H
#define RGX_DOSE_H

#include <stddef.h>

#include "cfg.h"
#include "dvh.h"
#include "err.h"
#include "features.h"
#include "image.h"
#include "manifest.h"

enum { DOSE_MAX_STRUCTURES = 64 };

typedef struct {
    int channel;      /* the dose channel's index in the manifest, -1: none */
    int grid_channel; /* -1: the dose grid */
    const char *structure[DOSE_MAX_STRUCTURES]; /* cfg-owned */
    double alpha_beta[DOSE_MAX_STRUCTURES];
    size_t n_structures;
    dvh_opt_t dvh;
} dose_opt_t;

/* The dose settings for manifest m (o->channel -1 when m has no dose channel).  An error
 * (RGX_ERR_CONFIG) for a dose channel without structures, an unknown grid channel, too many
 * structures, or a structure map entry that is not in the list. */
rgx_err dose_opt_load(const cfg_t *cfg, const manifest_t *m, dose_opt_t *o);

/* The feature tags of one structure, in column order. */
rgx_err dose_names(const dose_opt_t *o, featvec_t *names);

/* A patient's doses: the features of every structure, in dose.structures' order, appended to
 * out; the curves (o->dvh.n_bins values per structure) into curves (NULL: not wanted).
 * dose_path, struct_path: the channel's image and mask; grid_path: the grid channel's image
 * (NULL: the dose grid).  RGX_ERR_INPUT for bad inputs. */
rgx_err dose_patient(const dose_opt_t *o, const char *dose_path, const char *struct_path,
                     const char *grid_path, featvec_t *out, double *curves);

/* Plan: every structure present, not empty and covered by the dose grid; *voxels the
 * structures' voxels (the patient's cost). */
rgx_err dose_check(const dose_opt_t *o, const char *dose_path, const char *struct_path,
                   const char *grid_path, long *voxels);

#endif
