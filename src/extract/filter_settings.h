/* filter_settings.h — a channel's `filters:` list (schema_filter.c) into its settings. */
#ifndef RGX_FILTER_SETTINGS_H
#define RGX_FILTER_SETTINGS_H

#include "cfg.h"
#include "err.h"
#include "features.h"

/* Reads the list at path (extract.default.filters or extract.channels.<c>.filters) into
 * s->filter and s->n_filters.  A missing type or parameter, a key that does not apply to the
 * item's type, a bad value (unknown Laws kernel or wavelet, an even mean support, ...) or two
 * filters with the same tag are RGX_ERR_CONFIG naming the file, line and key. */
rgx_err filter_settings_load(const cfg_t *cfg, const char *path, feat_settings_t *s);

#endif
