/* cfg.h — YAML configuration checked against a schema.
 *
 * The schema is a tree of cfg_key_t tables.  Loading a file (libyaml) checks every key:
 * an unknown or misspelt key, a wrong type or an out-of-range value is an error naming
 * the file, line and key ("study.yaml:12: unknown key 'extract.default.resegment.rnage';
 * did you mean 'range'?").  Command-line overrides (-P section.key=value) are applied
 * on top and checked the same way.  Lookups by dotted path then cannot fail: they return
 * the value from the file, or the schema's default.  cfg_effective_yaml() writes every
 * key with its effective value, for the outputs' provenance.
 *
 * A CFG_MAP key holds entries whose names the user chooses (extract.channels.CT,
 * extract.channels.PET): each entry is checked against the map's children table.  A CFG_LIST
 * key holds a YAML list of such sections (extract.default.filters); item i is addressed as
 * <list>.<i> (extract.default.filters.0.sigma), counting from 0. */
#ifndef RGX_CFG_H
#define RGX_CFG_H

#include <stddef.h>

#include "err.h"

typedef enum {
    CFG_BOOL,
    CFG_INT,
    CFG_FLOAT,        /* also accepts .inf, -.inf */
    CFG_STRING,
    CFG_ENUM,         /* one of the '|'-separated words in choices */
    CFG_FLOAT_LIST,   /* [a, b, ...]; null elements allowed where null_ok */
    CFG_STRING_LIST,
    CFG_SECTION,      /* a mapping with the fixed keys of children */
    CFG_MAP,          /* a mapping of user-named entries, each a section of children */
    CFG_LIST,         /* a list of sections of children (null or absent: empty) */
} cfg_type_t;

typedef struct cfg_key {
    const char *name;
    cfg_type_t type;
    const char *def;   /* default as YAML text ("0.5", "[2, 2, 2]", "linear"); NULL: unset */
    double min, max;   /* inclusive range for numbers and list elements (when min < max) */
    int list_len;      /* CFG_FLOAT_LIST: required length, 0 = any */
    const char *choices;              /* CFG_ENUM */
    const struct cfg_key *children;   /* CFG_SECTION, CFG_MAP; ends with a {NULL} entry */
    const char *doc;                  /* one line, for docs and --help */
    int null_ok;       /* the value (or a list element) may be null, meaning "none" */
    /* On the command line (opts.h): the long option of the commands that take this section
     * (without "--"; NULL: config only), its one-letter form (0: none) and the help's name
     * for its value ("X", "N", "LIST"; NULL: "VALUE").  `--flag V` means `-P section.key=V`. */
    const char *flag;
    char short_flag;
    const char *metavar;
} cfg_key_t;

typedef struct cfg cfg_t;

/* path may be NULL: an empty config (every default).  overrides: "a.b.c=value" strings. */
rgx_err cfg_load(cfg_t **out, const char *path, const cfg_key_t *schema, char *const *overrides,
                 int n_overrides);
/* The same from text in memory; name is used in messages. */
rgx_err cfg_parse(cfg_t **out, const char *text, const char *name, const cfg_key_t *schema,
                  char *const *overrides, int n_overrides);
void cfg_free(cfg_t *cfg);

const char *cfg_file(const cfg_t *cfg);  /* file name, or NULL */
const char *cfg_text(const cfg_t *cfg);  /* the file's text as read ("" for none) */

/* 1 when the path was given in the file or by an override (null counts as given). */
int cfg_is_set(const cfg_t *cfg, const char *path);
/* 1 when the effective value is null (given as null, or no default). */
int cfg_is_null(const cfg_t *cfg, const char *path);
/* path when cfg_is_set(path), else fallback: per-channel settings fall back to defaults. */
const char *cfg_pick(const cfg_t *cfg, const char *path, const char *fallback);

int cfg_bool(const cfg_t *cfg, const char *path);
long cfg_int(const cfg_t *cfg, const char *path);
double cfg_float(const cfg_t *cfg, const char *path);     /* NAN when null */
const char *cfg_str(const cfg_t *cfg, const char *path);  /* NULL when null; also for CFG_ENUM */
/* Fills up to max elements (null elements become NAN); returns the list length. */
size_t cfg_floats(const cfg_t *cfg, const char *path, double *out, size_t max);
/* Returns the number of strings; *out points to cfg-owned strings. */
size_t cfg_strings(const cfg_t *cfg, const char *path, const char *const **out);
/* Entry names of a CFG_MAP, in file order. */
size_t cfg_map_keys(const cfg_t *cfg, const char *path, const char *const **out);
/* Number of items of a CFG_LIST (0 when null or absent). */
size_t cfg_list_len(const cfg_t *cfg, const char *path);
/* Line of the key in the file (0 when not from the file), for messages. */
int cfg_line(const cfg_t *cfg, const char *path);

/* Every key of the schema with its effective value, as YAML; caller frees. */
rgx_err cfg_effective_yaml(const cfg_t *cfg, char **out);

/* The schema of radiogx's config files (schema.c). */
extern const cfg_key_t rgx_schema[];

#endif
