/* cli.h — options every command shares, in one place:
 *   -c, --config FILE     YAML config (see docs/config.md)
 *   -P, --set KEY=VALUE   override a config key (repeatable), e.g. -P scan.maf=0.05
 *   -T, --threads N       threads per rank (default: cores / ranks on the host; pgemm.h)
 *   -v, --verbose         more log lines (every rank logs)
 *   -q, --quiet           warnings and errors only */
#ifndef RGX_CLI_H
#define RGX_CLI_H

#include <getopt.h>

#include "cfg.h"
#include "err.h"

typedef struct {
    const char *config;
    char **overrides;
    int n_overrides;
    int threads;
    int verbose, quiet;
} cli_common_t;

/* Takes a shared option (declared in opts.c: -c -P -T -v -q); returns 1 when opt was one, 0 when
 * not, -1 on a bad value. */
int cli_common_opt(cli_common_t *c, int opt, const char *arg);
void cli_common_free(cli_common_t *c);
/* Applies -v/-q to the log. */
void cli_common_apply(const cli_common_t *c);

/* Loads the config (or only defaults when none) with the overrides, against rgx_schema. */
rgx_err cli_load_config(const cli_common_t *c, cfg_t **cfg);

/* A path from the config, relative to the config file's folder; NULL when unset. */
rgx_err cli_config_path(const cfg_t *cfg, const char *key, char **out);

/* A strictly positive integer option value, or -1 with a message on stderr. */
long cli_positive(const char *opt, const char *arg);

#endif
