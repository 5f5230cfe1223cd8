/* extract_settings.h — a channel's feature settings from the config's extract section. */
#ifndef RGX_EXTRACT_SETTINGS_H
#define RGX_EXTRACT_SETTINGS_H

#include "cfg.h"
#include "err.h"
#include "features.h"

/* channel NULL: the default block.  Each key: extract.channels.<channel>.<key> when set,
 * else extract.default.<key>, else the schema default.  Combinations that cannot work
 * (or that this version does not compute) are RGX_ERR_CONFIG naming the file, line and key. */
rgx_err extract_settings_load(const cfg_t *cfg, const char *channel, feat_settings_t *out);
/* One line describing the settings, for per-feature metadata in the run file; malloc'd. */
rgx_err extract_settings_describe(const feat_settings_t *s, char **out);

#endif
