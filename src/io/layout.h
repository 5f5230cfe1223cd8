/* layout.h — a cohort manifest from a folder layout: one folder per patient, its image and
 * mask files found by file-name patterns (`radiogx manifest`).
 *
 * Patterns are shell globs (fnmatch) on a file's name, searched through the patient's folder
 * and its subfolders.  With no pattern given, every file named like `*<CH>_image*` is channel
 * CH's image and `*<CH>_mask*` its mask (the layout of the IBSI sarcoma and many TCIA
 * collections: STS_001/STS_001_CT_image.nii.gz, STS_001_CT_mask.nii.gz, ...), and a single
 * `*mask*` without a channel is shared.  A patient is kept when each channel has exactly one
 * image and one mask (or the one shared mask); otherwise left out, with the reason.  Every
 * file that no pattern took is a leftover. */
#ifndef RGX_LAYOUT_H
#define RGX_LAYOUT_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

typedef struct {
    const char *channel; /* NULL for a shared mask */
    const char *pattern;
} layout_pat_t;

typedef struct {
    char *patient;
    char **image, **mask; /* per channel; mask[0] alone when the mask is shared */
    char *reason;         /* NULL: kept; else why it is left out */
} layout_patient_t;

typedef struct {
    char **channel;
    size_t n_channels;
    int shared_mask;
    layout_patient_t *p;
    size_t n;
    char **leftover; /* paths relative to the folder */
    size_t n_leftover;
} layout_t;

/* images/masks: the patterns (n each; 0: the defaults above). */
rgx_err layout_scan(const char *dir, const layout_pat_t *images, size_t n_images,
                    const layout_pat_t *masks, size_t n_masks, layout_t *out);
void layout_free(layout_t *l);

/* The manifest of the kept patients (patient_id, image_<CH>..., mask or mask_<CH>...); paths
 * relative to the manifest's folder (manifest_dir) when under it, else absolute. */
rgx_err layout_write(const layout_t *l, const char *dir, const char *manifest_dir, FILE *f);

#endif
