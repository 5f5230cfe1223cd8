/* cli.c — see cli.h. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "util.h"

long cli_positive(const char *opt, const char *arg)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || v <= 0) {
        fprintf(stderr, "radiogx: %s expects a positive integer, got '%s'\n", opt, arg);
        return -1;
    }
    return v;
}

int cli_common_opt(cli_common_t *c, int opt, const char *arg)
{
    switch (opt) {
    case 'c':
        c->config = arg;
        return 1;
    case 'P': {
        char **o = realloc(c->overrides, (size_t)(c->n_overrides + 1) * sizeof *o);
        if (!o) return -1;
        c->overrides = o;
        c->overrides[c->n_overrides++] = (char *)arg;
        return 1;
    }
    case 'T': {
        long t = cli_positive("--threads", arg);
        if (t < 0) return -1;
        c->threads = (int)t;
        return 1;
    }
    case 'v':
        c->verbose = 1;
        return 1;
    case 'q':
        c->quiet = 1;
        return 1;
    }
    return 0;
}

void cli_common_free(cli_common_t *c)
{
    free(c->overrides);
    c->overrides = NULL;
    c->n_overrides = 0;
}

void cli_common_apply(const cli_common_t *c)
{
    if (c->quiet) log_set_level(LOG_WARN);
    if (c->verbose) {
        log_set_level(LOG_DEBUG);
        log_set_all_ranks(1);
    }
}

rgx_err cli_load_config(const cli_common_t *c, cfg_t **cfg)
{
    return cfg_load(cfg, c->config, rgx_schema, c->overrides, c->n_overrides);
}

rgx_err cli_config_path(const cfg_t *cfg, const char *key, char **out)
{
    *out = NULL;
    const char *v = cfg_str(cfg, key);
    if (!v) return RGX_OK;
    const char *file = cfg_file(cfg);
    if (!file) return rgx_strdup(out, v);
    char *dir;
    rgx_err err = path_dirname(&dir, file);
    if (!err) err = path_join(out, dir, v);
    free(dir);
    return err;
}
