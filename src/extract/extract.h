/* extract.h — the [extract] stage: every rank computes the IBSI features of its patients
 * (cost-balanced by the plan), checkpoints each patient as it finishes, and the ranks write
 * /samples and /features of the run file together.
 *
 * Columns: for each image channel, each ROI label found in the cohort's masks, each IBSI
 * feature of the channel's settings: "<channel>.<label>.<tag>" (CT.1.morph_volume); for the
 * dose channel, each structure's DVH features: "DOSE.<structure>.<tag>" (dose.h), and the
 * structures' cumulative DVH curves in /dvh.  A patient
 * whose files cannot be read, whose image and mask disagree or whose image is all NaN is
 * marked failed (NaN row, reason in /samples/reason); an ROI that is absent or fails in one
 * patient leaves only its columns NaN and is noted in the reason.  The values of a patient
 * do not depend on which rank computed it, so /features is bitwise identical for any number
 * of ranks, and after a resume. */
#ifndef RGX_EXTRACT_H
#define RGX_EXTRACT_H

#include <mpi.h>

#include "cfg.h"
#include "dose.h"
#include "err.h"
#include "features.h"
#include "h5out.h"
#include "image.h"
#include "manifest.h"
#include "plan.h"

/* The column set of a cohort. */
typedef struct {
    int n_channels;
    feat_settings_t *settings; /* per channel */
    size_t n;                  /* columns */
    char **name;               /* "CT.1.morph_volume" */
    char **tag;                /* "morph_volume" */
    char **family;             /* "morph" */
    char **channel;            /* "CT" */
    int *label;                /* 1 */
    int *col_channel;          /* channel index of each column */
    size_t *first;             /* per channel x label: first column (channel-major) */
    size_t *n_tags;            /* per channel: features per ROI */
    dose_opt_t dose;           /* the dose channel (dose.channel -1: none) */
    size_t n_curve;            /* DVH curve values per patient (structures x bins; /dvh) */
} extract_cols_t;

/* Settings per channel from the config, and the columns for the plan's labels. */
rgx_err extract_cols_init(extract_cols_t *cols, const cfg_t *cfg, const manifest_t *m,
                          const plan_t *plan);
void extract_cols_free(extract_cols_t *cols);

/* Reads a channel's mask (the box of its labels) and, of its image, only the voxels that
 * preprocessing reads for the labels (the box around them): the image is streamed through,
 * never held whole.  Fails, with the reason, for an unreadable file, image and mask on
 * different grids, or an image whose every voxel is NaN.  On failure both are freed. */
rgx_err extract_read(const char *image, const char *mask, const int *labels, int n_labels,
                     const feat_settings_t *s, double tol_mm, image_t *img, image_t *msk);

/* The features of one ROI (preprocessing + every enabled family), in the order of the
 * channel's tags.  nan (may be NULL): the ROI's voxels whose intensity is NaN, left out of the
 * intensity mask, and the ROI's voxels. */
rgx_err extract_roi(const image_t *img, const image_t *mask, int label, const feat_settings_t *s,
                    featvec_t *out, size_t nan[2]);

typedef struct {
    const char *ckpt_dir; /* checkpoint folder (NULL: none) */
    char run_key[65];     /* what the checkpoints must match */
    int (*stop)(void);    /* polled between patients: nonzero = checkpoint and stop */
} extract_opt_t;

/* Runs the stage collectively and writes /samples and /features into h.  Returns
 * RGX_ERR_REQUEUE when stopped by opt->stop (work so far is in the checkpoints). */
rgx_err extract_stage(const manifest_t *m, const plan_t *plan, const extract_cols_t *cols,
                      const extract_opt_t *opt, h5out_t *h);

/* The run key: SHA-256 of the version, the effective config, the manifest's checksum and
 * the column names. */
rgx_err extract_run_key(const cfg_t *cfg, const manifest_t *m, const extract_cols_t *cols,
                        char key[65]);

#endif
