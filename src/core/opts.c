/* opts.c — see opts.h. */
#include "opts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "util.h"

enum { ID_KEY = 1000, ID_PLINK2 = 2000, HELP_COL = 26, HELP_WIDTH = 90 };

/* plink2 names typed by habit.  SAME and ONE_MINUS are taken (the latter as 1 - X: plink2's
 * --geno is a missing-call rate, radiogx's key a call rate); REFUSE says what to do instead. */
typedef enum { PL_SAME, PL_ONE_MINUS, PL_REFUSE } pl_kind;
static const struct {
    const char *name, *section, *key;
    pl_kind kind;
    const char *say;
} plink2[] = {
    {"geno", "scan", "call_rate", PL_ONE_MINUS,
     "plink2's --geno X, taken as --call-rate 1-X (variants missing more than X of the calls "
     "are not tested)"},
    {"pheno-name", "scan", "pheno_names", PL_SAME, "plink2's name for --pheno-names"},
    {"covar-name", "scan", "covar_names", PL_SAME, "plink2's name for --covar-names"},
    {"mind", NULL, NULL, PL_REFUSE,
     "radiogx has no per-sample missing-call filter (plink2 --mind): list the samples with "
     "`plink2 --mind X --write-samples` and drop them from the phenotype table or manifest"},
    {"keep", NULL, NULL, PL_REFUSE,
     "radiogx scans the samples of the phenotype table (--pheno) or the run's patients "
     "(--run): keep samples by listing only them there (or in the manifest)"},
    {"remove", NULL, NULL, PL_REFUSE,
     "radiogx scans the samples of the phenotype table (--pheno) or the run's patients "
     "(--run): remove samples by dropping their rows there (or in the manifest)"},
    {"extract", NULL, NULL, PL_REFUSE,
     "radiogx selects variants with --chr and --region; for a list of variant ids, subset "
     "the genotypes first: bcftools view -i 'ID=@ids.txt'"},
    {"exclude", NULL, NULL, PL_REFUSE,
     "radiogx selects variants with --chr and --region; to leave out a list of variant ids, "
     "subset the genotypes first: bcftools view -e 'ID=@ids.txt'"},
};
enum { N_PLINK2 = sizeof plink2 / sizeof plink2[0] };

static int section_has_key(const opts_t *o, const char *section, const char *key)
{
    if (!o->section || !section || strcmp(o->section, section)) return 0;
    for (const cfg_key_t *k = o->keys; k && k->name; k++)
        if (!strcmp(k->name, key)) return 1;
    return 0;
}

/* The options every command that takes a config has (cli_common_opt takes them), then -h. */
static const opts_own_t shared[] = {
    {"config", required_argument, 'c', "FILE",
     "YAML config (docs/config.md); every key is checked"},
    {"set", required_argument, 'P', "KEY=VALUE",
     "override a config key, repeatable (-P scan.maf=0.05)"},
    {"threads", required_argument, 'T', "N",
     "threads per rank for the scan's GEMM (default: cores / ranks on the host); results are "
     "the same bits for any N"},
    {"verbose", no_argument, 'v', NULL, "more log lines, from every rank"},
    {"quiet", no_argument, 'q', NULL, "only warnings and errors"},
    {"help", no_argument, 'h', NULL, "this help"},
    {NULL, 0, 0, NULL, NULL},
};
enum { N_SHARED = sizeof shared / sizeof shared[0] - 1 };
static const opts_own_t *const help_only = &shared[N_SHARED - 1];

/* Adds a table's options to getopt's tables. */
static void add_own(opts_t *o, const opts_own_t *own, size_t *ns)
{
    for (const opts_own_t *w = own; w && w->name; w++) {
        o->lo[o->n_lo++] = (struct option){w->name, w->has_arg, 0, w->val};
        if (w->val > 0 && w->val < 128 && *ns + 3 < sizeof o->so) {
            o->so[(*ns)++] = (char)w->val;
            if (w->has_arg == required_argument) o->so[(*ns)++] = ':';
        }
    }
}

static rgx_err init(opts_t *o, const opts_own_t *own, const char *section, const cfg_key_t *keys,
                    int bare)
{
    memset(o, 0, sizeof *o);
    o->section = section, o->keys = keys, o->bare = bare;
    size_t n = N_SHARED + N_PLINK2 + 1, ns = 0;
    for (const opts_own_t *w = own; w && w->name; w++) n++;
    for (const cfg_key_t *k = keys; k && k->name; k++) n++;
    rgx_err err = rgx_calloc(&o->lo, n, sizeof *o->lo);
    if (err) return err;
    add_own(o, own, &ns);
    for (size_t i = 0; keys && keys[i].name; i++) {
        if (!keys[i].flag) continue;
        o->lo[o->n_lo++] = (struct option){keys[i].flag, required_argument, 0, ID_KEY + (int)i};
        if (keys[i].short_flag && ns + 3 < sizeof o->so)
            o->so[ns++] = keys[i].short_flag, o->so[ns++] = ':';
    }
    for (size_t i = 0; i < N_PLINK2; i++)
        if (plink2[i].kind != PL_REFUSE && section_has_key(o, plink2[i].section, plink2[i].key))
            o->lo[o->n_lo++] =
                (struct option){plink2[i].name, required_argument, 0, ID_PLINK2 + (int)i};
    add_own(o, bare ? help_only : shared, &ns);
    return RGX_OK;
}

rgx_err opts_init(opts_t *o, const opts_own_t *own, const char *section, const cfg_key_t *keys)
{
    return init(o, own, section, keys, 0);
}

rgx_err opts_init_own(opts_t *o, const opts_own_t *own)
{
    return init(o, own, NULL, NULL, 1);
}

void opts_free(opts_t *o)
{
    for (size_t i = 0; i < o->n_made; i++) free(o->made[i]);
    free(o->made), free(o->lo);
    memset(o, 0, sizeof *o);
}

static const struct option *find_long(const struct option *lo, const char *name, size_t len)
{
    for (; lo->name; lo++)
        if (strlen(lo->name) == len && !strncmp(lo->name, name, len)) return lo;
    return NULL;
}

/* A config key of any section whose flag is name: the -P spelling for commands without it. */
static int other_section_key(const char *name, size_t len, char *buf, size_t size)
{
    for (const cfg_key_t *s = rgx_schema; s->name; s++)
        for (const cfg_key_t *k = s->children; k && k->name; k++)
            if (k->flag && strlen(k->flag) == len && !strncmp(k->flag, name, len)) {
                snprintf(buf, size, "-P %s.%s=%s", s->name, k->name,
                         k->metavar ? k->metavar : "VALUE");
                return 1;
            }
    return 0;
}

/* Why a long option is refused, on stderr. */
static void refuse(const struct option *lo, const char *cmd, const char *name, size_t len)
{
    fprintf(stderr, "radiogx %s: --%.*s: ", cmd, (int)len, name);
    for (size_t i = 0; i < N_PLINK2; i++)
        if (strlen(plink2[i].name) == len && !strncmp(plink2[i].name, name, len)) {
            if (plink2[i].kind == PL_REFUSE)
                fprintf(stderr, "not an option of radiogx: %s\n", plink2[i].say);
            else
                fprintf(stderr, "%s, is an option of `radiogx %s` only\n", plink2[i].say,
                        plink2[i].section);
            return;
        }
    char alt[160];
    if (other_section_key(name, len, alt, sizeof alt)) {
        fprintf(stderr, "not an option of `radiogx %s`; give it as %s\n", cmd, alt);
        return;
    }
    const char *best = NULL, *prefix_of = NULL;
    size_t best_d = (size_t)-1;
    char *nm = strndup(name, len);
    for (; nm && lo->name; lo++) {
        if (!strncmp(lo->name, name, len) && !prefix_of) prefix_of = lo->name;
        size_t d = edit_distance(nm, lo->name);
        if (d < best_d) best_d = d, best = lo->name;
    }
    free(nm);
    if (prefix_of)
        fprintf(stderr, "no such option (options are spelt out in full: --%s?)", prefix_of);
    else if (best && best_d <= 2)
        fprintf(stderr, "no such option; did you mean --%s?", best);
    else
        fprintf(stderr, "no such option");
    fprintf(stderr, " (`radiogx %s --help` lists them)\n", cmd);
}

static rgx_err check_table(const char *cmd, int argc, char **argv, const struct option *lo,
                           const char *so)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) break;
        if (a[0] != '-' || !a[1]) continue;
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            const struct option *hit = find_long(lo, name, len);
            if (!hit) {
                refuse(lo, cmd, name, len);
                return RGX_ERR_USAGE;
            }
            if (hit->has_arg == required_argument && !eq) i++;
            continue;
        }
        for (const char *c = a + 1; *c; c++) { /* -abc, -oFILE, -o FILE */
            const char *p = strchr(so, *c);
            if (!p || *c == ':') break; /* getopt reports it */
            if (p[1] == ':') {
                if (!c[1]) i++;
                break;
            }
        }
    }
    return RGX_OK;
}

rgx_err opts_check_argv(const opts_t *o, const char *cmd, int argc, char **argv)
{
    return check_table(cmd, argc, argv, o->lo, o->so);
}

int opts_next(opts_t *o, int argc, char **argv)
{
    return getopt_long(argc, argv, o->so, o->lo, NULL);
}

static int add_override(opts_t *o, cli_common_t *common, const char *key, const char *val)
{
    strbuf_t sb = {0};
    char **m = realloc(o->made, (o->n_made + 1) * sizeof *m);
    if (!m) return -1;
    o->made = m;
    if (sb_printf(&sb, "%s.%s=%s", o->section, key, val)) return -1;
    o->made[o->n_made++] = sb.s;
    return cli_common_opt(common, 'P', sb.s) > 0 ? 1 : -1;
}

int opts_take(opts_t *o, int opt, const char *arg, cli_common_t *common)
{
    int k = cli_common_opt(common, opt, arg);
    if (k) return k;
    if (opt >= ID_KEY && opt < ID_PLINK2)
        return add_override(o, common, o->keys[opt - ID_KEY].name, arg);
    for (const cfg_key_t *key = o->keys; opt > 0 && opt < 128 && key && key->name; key++)
        if (key->flag && key->short_flag == opt) /* getopt returns the letter itself */
            return add_override(o, common, key->name, arg);
    if (opt < ID_PLINK2 || opt >= ID_PLINK2 + N_PLINK2) return 0;
    size_t i = (size_t)(opt - ID_PLINK2);
    if (plink2[i].kind == PL_SAME) return add_override(o, common, plink2[i].key, arg);
    char *end, buf[64];
    double x = strtod(arg, &end);
    if (!*arg || *end || !(x >= 0 && x <= 1)) {
        fprintf(stderr, "radiogx: --%s expects a fraction of missing calls in [0, 1], got '%s'\n",
                plink2[i].name, arg);
        return -1;
    }
    snprintf(buf, sizeof buf, "%.17g", 1 - x);
    return add_override(o, common, plink2[i].key, buf);
}

int opts_parse(opts_t *o, const opts_cmd_t *cmd, int argc, char **argv, cli_common_t *common,
               void *ctx)
{
    int opt;
    if (cmd->bare ? opts_init_own(o, cmd->own) : opts_init(o, cmd->own, cmd->section, cmd->keys))
        return fprintf(stderr, "radiogx %s: %s\n", cmd->name, rgx_errmsg()), -1;
    if (opts_check_argv(o, cmd->name, argc, argv)) return -1;
    while ((opt = opts_next(o, argc, argv)) != -1) {
        int k = common ? opts_take(o, opt, optarg, common) : 0;
        if (k > 0) continue;
        if (k < 0) return -1;
        if (opt == 'h') return cmd->usage(stdout, o), 1;
        if (opt == '?' || opt == ':') {
            /* getopt has said what was wrong */
            fprintf(stderr, "(`radiogx %s --help` lists the options)\n", cmd->name);
            return -1;
        }
        if (cmd->take(ctx, opt, optarg)) return -1;
    }
    return 0;
}

/* Writes text wrapped at HELP_WIDTH, continuation lines indented to HELP_COL; col: where the
 * cursor is. */
static void wrap(FILE *f, const char *text, size_t col)
{
    const char *s = text;
    int space = 0; /* a space is owed before the next word */
    while (*s) {
        if (*s == '\n') { /* an explicit break */
            fprintf(f, "\n%*s", HELP_COL, "");
            col = HELP_COL, space = 0, s++;
            continue;
        }
        size_t w = strcspn(s, " \n");
        if (col > HELP_COL && col + (size_t)space + w > HELP_WIDTH) {
            fprintf(f, "\n%*s", HELP_COL, "");
            col = HELP_COL, space = 0;
        }
        if (space) fputc(' ', f), col++;
        fprintf(f, "%.*s", (int)w, s);
        col += w, s += w, space = 0;
        while (*s == ' ') s++, space = 1;
    }
    fputc('\n', f);
}

static void head(FILE *f, int shortc, const char *name, const char *metavar, size_t *col)
{
    char buf[128];
    int n;
    if (shortc > 0 && shortc < 128)
        n = snprintf(buf, sizeof buf, "  -%c, --%s%s%s", shortc, name, metavar ? " " : "",
                     metavar ? metavar : "");
    else
        n = snprintf(buf, sizeof buf, "      --%s%s%s", name, metavar ? " " : "",
                     metavar ? metavar : "");
    fputs(buf, f);
    if (n < HELP_COL - 1)
        fprintf(f, "%*s", HELP_COL - n, ""), *col = HELP_COL;
    else
        fputc(' ', f), *col = (size_t)n + 1;
}

static void help_table(FILE *f, const opts_own_t *own)
{
    size_t col;
    for (const opts_own_t *w = own; w && w->name; w++) {
        head(f, w->val, w->name, w->has_arg == required_argument ? w->metavar : NULL, &col);
        wrap(f, w->doc, col);
    }
}

void opts_help(FILE *f, const opts_t *o, const opts_own_t *own)
{
    size_t col;
    help_table(f, own);
    if (o->keys) {
        fprintf(f,
                "Options of the config section %s (key names: dashes become underscores;\n"
                "defaults in brackets):\n",
                o->section);
        for (const cfg_key_t *k = o->keys; k->name; k++) {
            if (!k->flag) continue;
            const char *mv = k->metavar ? k->metavar : k->type == CFG_ENUM ? k->choices : "VALUE";
            head(f, k->short_flag, k->flag, mv, &col);
            strbuf_t sb = {0};
            sb_printf(&sb, "%s", k->doc ? k->doc : "");
            if ((k->type == CFG_INT || k->type == CFG_FLOAT) && k->min < k->max)
                sb_printf(&sb, " (%.10g to %.10g)", k->min, k->max);
            sb_printf(&sb, " [%s]", k->def ? k->def : k->null_ok ? "none" : "required");
            wrap(f, sb.s ? sb.s : "", col);
            free(sb.s);
        }
        int any = 0;
        for (size_t i = 0; i < N_PLINK2; i++)
            if (plink2[i].kind != PL_REFUSE &&
                section_has_key(o, plink2[i].section, plink2[i].key)) {
                if (!any++) fprintf(f, "plink2's names, taken with plink2's meaning:\n");
                head(f, 0, plink2[i].name, "X", &col);
                wrap(f, plink2[i].say, col);
            }
    }
    help_table(f, o->bare ? help_only : shared);
}
