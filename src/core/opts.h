/* opts.h — command-line options generated from one declaration.
 *
 * Each option is declared once: a config key with a .flag in a schema table (schema_*.c: key,
 * type, default, range, doc, long and short flag) or, for what is not a config key (input and
 * output paths, --fresh), an opts_own_t entry of its command.  From these opts_init() builds
 * getopt_long's table and opts_help() the help text, defaults and ranges included; a config
 * option given as `--flag V` becomes the override `-P section.key=V`, checked by cfg like any
 * other.  Long names must be spelt out (opts_check_argv: getopt_long would take `--geno` for
 * `--genotypes`); the plink2 names users type by habit are taken with plink2's meaning where
 * radiogx has it (--geno, --pheno-name, --covar-name; --maf and --hwe are radiogx's own) and
 * otherwise refused with radiogx's way of doing it. */
#ifndef RGX_OPTS_H
#define RGX_OPTS_H

#include <getopt.h>
#include <stdio.h>

#include "cfg.h"
#include "cli.h"
#include "err.h"

/* An option of one command that is no config key.  val: the short letter, or an id >= 256. */
typedef struct {
    const char *name;
    int has_arg; /* no_argument or required_argument */
    int val;
    const char *metavar;
    const char *doc; /* may hold '\n': continuation lines */
} opts_own_t;

typedef struct {
    struct option *lo; /* getopt_long's table, {0} terminated */
    size_t n_lo;
    char so[160]; /* getopt's short options */
    const char *section;
    const cfg_key_t *keys; /* the section's keys (schema_<section>.c) */
    char **made;           /* override strings made from config options, owned */
    size_t n_made;
    int bare; /* opts_init_own: the command's own options and -h only */
} opts_t;

/* own: the command's own options ({NULL} terminated); the shared ones (-c, -P, -T, -v, -q,
 * -h) and the options of the config section `section` (keys; NULL: none) are added. */
rgx_err opts_init(opts_t *o, const opts_own_t *own, const char *section, const cfg_key_t *keys);
/* A command that takes no config (export, manifest, verify): its own options and -h only. */
rgx_err opts_init_own(opts_t *o, const opts_own_t *own);
void opts_free(opts_t *o);

/* Refuses, with a message on stderr naming what to type instead, a long option that is not
 * spelt exactly as declared (abbreviations, unknown names, plink2 names radiogx has no
 * equivalent of).  Returns RGX_OK or RGX_ERR_USAGE. */
rgx_err opts_check_argv(const opts_t *o, const char *cmd, int argc, char **argv);

/* getopt_long over the table; like it, returns -1 at the end. */
int opts_next(opts_t *o, int argc, char **argv);

/* Takes the option getopt returned when it is a shared or config option: 1 taken, 0 not
 * one of those, -1 a bad value (message printed).  A config option becomes an override. */
int opts_take(opts_t *o, int opt, const char *arg, cli_common_t *common);

/* A command's options, for opts_parse. */
typedef struct {
    const char *name; /* "scan": messages say `radiogx scan` */
    const opts_own_t *own;
    const char *section;   /* the config section whose keys are options, or NULL */
    const cfg_key_t *keys; /* its keys (schema_<section>.c) */
    int bare;              /* no config: its own options and -h only (opts_init_own) */
    void (*usage)(FILE *f, const opts_t *o);
    /* Takes one of the command's own options into ctx: 0, or -1 for a bad value (said on
     * stderr). */
    int (*take)(void *ctx, int opt, const char *arg);
} opts_cmd_t;
/* The option loop of every command: initialises o (opts_free it afterwards, also after an
 * error: common's overrides may point into it), refuses misspelt long options, takes the
 * shared and config options into common (NULL for a bare command) and hands the command's own
 * to cmd->take.  Returns 0: go on, the operands start at optind; 1: the help was printed;
 * -1: a usage error, said on stderr. */
int opts_parse(opts_t *o, const opts_cmd_t *cmd, int argc, char **argv, cli_common_t *common,
               void *ctx);
/* The options' help: own, then the section's (with [default] and range), then the shared. */
void opts_help(FILE *f, const opts_t *o, const opts_own_t *own);

#endif
