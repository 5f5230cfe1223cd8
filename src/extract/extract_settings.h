/* extract_settings.h — a channel's feature settings from the config's extract section. */
#ifndef RGX_EXTRACT_SETTINGS_H
#define RGX_EXTRACT_SETTINGS_H

#include "cfg.h"
#include "err.h"
#include "features.h"

typedef enum { MOD_UNKNOWN, MOD_CT, MOD_PET, MOD_MR } modality_t;
extern const char *const modality_name[4]; /* "unknown", "CT", "PET", "MR" */

/* The modality a channel name says: its first word (up to '_', '-', '.' or a space), in any
 * case: PET, FDG, PT, SUV -> PET; CT, CTAC, CECT -> CT; MR, MRI, T1, T1W, T1C, T1CE, T1GD,
 * T2, T2W, FLAIR, ADC, DWI, PD, SWI -> MR; else unknown. */
modality_t extract_modality_of_name(const char *name);

/* The settings block a manifest channel takes (a name under extract.channels, or NULL for
 * the default block) and its modality: its own block; else, when its modality is declared or
 * recognised, the first block of a channel of that modality; else the default.  Logs (rank 0,
 * log = 1) the choice when it is not the channel's own block, and warns when the default
 * block is for another modality (declared, or CT when its resegmentation range starts below
 * 0: Hounsfield units). */
const char *extract_channel_block(const cfg_t *cfg, const char *channel, int log,
                                  modality_t *modality);

/* channel NULL: the default block.  Each key: extract.channels.<block>.<key> when set, else
 * extract.default.<key>, else the schema default, where <block> is extract_channel_block's
 * choice for the channel.  Combinations that cannot work (or that this version does not
 * compute) are RGX_ERR_CONFIG naming the file, line and key. */
rgx_err extract_settings_load(const cfg_t *cfg, const char *channel, feat_settings_t *out);
/* One line describing the settings, for per-feature metadata in the run file; malloc'd. */
rgx_err extract_settings_describe(const feat_settings_t *s, char **out);

#endif
