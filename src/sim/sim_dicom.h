/* sim_dicom.h — a simulated patient as DICOM (`radiogx simulate --format dicom`): each
 * channel's image as a series (one file per slice, explicit VR little endian; CT as CT in HU,
 * PET as PT in SUV with Units GML, anything else as MR), the mask's labels as RTSTRUCT ROIs
 * (contours along the voxel edges, so that rasterising them by voxel centres gives the mask
 * back exactly) and a plan dose as RTDOSE (docs/cmd-simulate.md).  Deterministic: every UID
 * derives from the seed, the patient and the object. */
#ifndef RGX_SIM_DICOM_H
#define RGX_SIM_DICOM_H

#include <stdint.h>

#include "err.h"
#include "image.h"
#include "sim_image.h"

typedef struct {
    char patient_id[32];
    uint64_t seed;
    long patient;
    char study_uid[64], frame_uid[64];
} sim_dicom_t;

/* The patient's study and frame of reference UIDs. */
void sim_dicom_init(sim_dicom_t *c, uint64_t seed, long patient, const char *patient_id);

/* The series of img (float values, rounded to int16) in folder dir (created), modality from
 * the channel name; channel numbers the series. */
rgx_err sim_dicom_series(const char *dir, const image_t *img, const char *channel_name, int channel,
                         const sim_dicom_t *c);
/* An RTSTRUCT at path with one ROI per label 1 .. n_labels of msk, named names[label - 1]
 * (empty: an ROI without contours). */
rgx_err sim_dicom_rtstruct(const char *path, const image_t *msk, int n_labels,
                           const char *const *names, int empty, const sim_dicom_t *c);
/* An RTDOSE at path on a grid of twice ref's in-plane spacing over ref's field of view: a
 * prescription of 60 Gy falling off around the lesion l (radius of its volume plus 5 mm,
 * 3 mm penumbra) over a 5 Gy bath. */
rgx_err sim_dicom_rtdose(const char *path, const image_t *ref, const sim_lesion_t *l,
                         const sim_dicom_t *c);

#endif
