/* cfg.c — YAML configuration checked against a schema (see cfg.h).
 *
 * The file is read with libyaml into a small tree of our own (node_t) that keeps the line of
 * every key.  Overrides (-P a.b=value) are grafted into the same tree, so one validation pass
 * checks the file and the command line alike.  Lookups walk the schema and the tree in step;
 * a value absent from the tree comes from the key's default, parsed from its YAML text. */
#include "cfg.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "util.h"

enum { N_NULL, N_SCALAR, N_SEQ, N_MAP };

typedef struct node {
    int kind;
    char *str;   /* N_SCALAR text */
    int plain;   /* an unquoted scalar: "null" and "~" mean null only when plain */
    int line;    /* 1-based line in the file; 0 for an override or a default */
    const char *origin; /* for overrides: the -P text */
    size_t n;
    char **keys;        /* N_MAP */
    int *key_lines;     /* N_MAP: line of each key */
    struct node **kids; /* N_MAP values, N_SEQ items */
} node_t;

typedef struct cache {
    const void *tag; /* the cfg_key_t of a default, or an interned path */
    char *path;
    node_t *node;    /* a parsed default */
    void *array;     /* a list returned by cfg_strings/cfg_floats/cfg_map_keys */
    struct cache *next;
} cache_t;

struct cfg {
    char *file;
    char *text;
    node_t *root;
    const cfg_key_t *schema;
    cache_t *cache;
};

/* ---- the tree ---- */

static void node_free(node_t *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->n; i++) {
        node_free(n->kids[i]);
        if (n->keys) free(n->keys[i]);
    }
    free(n->kids);
    free(n->keys);
    free(n->key_lines);
    free(n->str);
    free(n);
}

static node_t *node_new(int kind, int line)
{
    node_t *n = calloc(1, sizeof *n);
    if (n) n->kind = kind, n->line = line;
    return n;
}

static int node_is_null(const node_t *n)
{
    if (!n || n->kind == N_NULL) return 1;
    if (n->kind != N_SCALAR || !n->plain) return 0;
    const char *s = n->str;
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static rgx_err node_add(node_t *map, const char *key, int key_line, node_t *val)
{
    rgx_err err;
    if ((err = rgx_realloc(&map->kids, map->n + 1, sizeof *map->kids))) return err;
    if (map->kind == N_MAP) {
        if ((err = rgx_realloc(&map->keys, map->n + 1, sizeof *map->keys))) return err;
        if ((err = rgx_realloc(&map->key_lines, map->n + 1, sizeof *map->key_lines))) return err;
        if ((err = rgx_strdup(&map->keys[map->n], key))) return err;
        map->key_lines[map->n] = key_line;
    }
    map->kids[map->n++] = val;
    return RGX_OK;
}

static node_t *map_get(const node_t *map, const char *key, int *line)
{
    if (!map || map->kind != N_MAP) return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (!strcmp(map->keys[i], key)) {
            if (line) *line = map->key_lines[i];
            return map->kids[i];
        }
    return NULL;
}

/* Converts libyaml's document node into our tree. */
static rgx_err from_yaml(yaml_document_t *doc, yaml_node_t *y, const char *name, node_t **out,
                         int depth)
{
    *out = NULL;
    if (depth > 64) return rgx_fail(RGX_ERR_CONFIG, "%s: nesting too deep", name);
    int line = (int)y->start_mark.line + 1;
    rgx_err err = RGX_OK;
    node_t *n = NULL;
    switch (y->type) {
    case YAML_SCALAR_NODE:
        n = node_new(N_SCALAR, line);
        if (!n) return rgx_fail(RGX_ERR_MEMORY, "out of memory");
        n->plain = y->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        err = rgx_strdup(&n->str, (const char *)y->data.scalar.value);
        break;
    case YAML_SEQUENCE_NODE:
        n = node_new(N_SEQ, line);
        if (!n) return rgx_fail(RGX_ERR_MEMORY, "out of memory");
        for (yaml_node_item_t *it = y->data.sequence.items.start;
             !err && it < y->data.sequence.items.top; it++) {
            node_t *kid;
            if (!(err = from_yaml(doc, yaml_document_get_node(doc, *it), name, &kid, depth + 1)))
                if ((err = node_add(n, NULL, 0, kid))) node_free(kid);
        }
        break;
    case YAML_MAPPING_NODE:
        n = node_new(N_MAP, line);
        if (!n) return rgx_fail(RGX_ERR_MEMORY, "out of memory");
        for (yaml_node_pair_t *p = y->data.mapping.pairs.start;
             !err && p < y->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key);
            int kline = (int)k->start_mark.line + 1;
            if (k->type != YAML_SCALAR_NODE) {
                err = rgx_fail(RGX_ERR_CONFIG, "%s:%d: a key must be a plain word", name, kline);
                break;
            }
            const char *key = (const char *)k->data.scalar.value;
            int prev;
            if (map_get(n, key, &prev)) {
                err = rgx_fail(RGX_ERR_CONFIG, "%s:%d: key '%s' given twice (first on line %d)",
                               name, kline, key, prev);
                break;
            }
            node_t *kid;
            if (!(err = from_yaml(doc, yaml_document_get_node(doc, p->value), name, &kid,
                                  depth + 1)))
                if ((err = node_add(n, key, kline, kid))) node_free(kid);
        }
        break;
    default:
        n = node_new(N_NULL, line);
        if (!n) return rgx_fail(RGX_ERR_MEMORY, "out of memory");
    }
    if (err) {
        node_free(n);
        return err;
    }
    *out = n;
    return RGX_OK;
}

/* Parses YAML text into a tree; an empty text gives a null node. */
static rgx_err parse_yaml(const char *text, const char *name, int line_offset, node_t **out)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    *out = NULL;
    if (!yaml_parser_initialize(&parser))
        return rgx_fail(RGX_ERR_MEMORY, "YAML parser init failed");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
    rgx_err err = RGX_OK;
    if (!yaml_parser_load(&parser, &doc)) {
        err = rgx_fail(RGX_ERR_CONFIG, "%s:%zu:%zu: YAML syntax error: %s%s%s", name,
                       parser.problem_mark.line + 1 + (size_t)line_offset,
                       parser.problem_mark.column + 1, parser.problem ? parser.problem : "?",
                       parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return err;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) *out = node_new(N_NULL, 0);
    else err = from_yaml(&doc, root, name, out, 0);
    if (!err && !*out) err = rgx_fail(RGX_ERR_MEMORY, "out of memory");
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return err;
}

/* ---- the schema ---- */

static const cfg_key_t *schema_find(const cfg_key_t *table, const char *name)
{
    for (const cfg_key_t *k = table; k && k->name; k++)
        if (!strcmp(k->name, name)) return k;
    return NULL;
}

static const char *type_word(const cfg_key_t *k)
{
    switch (k->type) {
    case CFG_BOOL: return "true or false";
    case CFG_INT: return "an integer";
    case CFG_FLOAT: return "a number";
    case CFG_STRING: return "a string";
    case CFG_ENUM: return "one of";
    case CFG_FLOAT_LIST: return "a list of numbers";
    case CFG_STRING_LIST: return "a list of words";
    case CFG_SECTION: return "a section (key: value lines)";
    case CFG_MAP: return "a section of named entries";
    case CFG_LIST: return "a list of sections (- key: value items)";
    }
    return "?";
}

static int parse_bool(const char *s, int *v)
{
    static const char *t[] = {"true", "True", "TRUE", "yes", "Yes", "on", "On"};
    static const char *f[] = {"false", "False", "FALSE", "no", "No", "off", "Off"};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (!strcmp(s, t[i])) return *v = 1, 1;
        if (!strcmp(s, f[i])) return *v = 0, 1;
    }
    return 0;
}

static int parse_long(const char *s, long *v)
{
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (!*s || *end || errno) return 0;
    *v = x;
    return 1;
}

static int parse_double(const char *s, double *v)
{
    const char *p = s;
    int neg = 0;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    if (!strcasecmp(p, ".inf") || !strcasecmp(p, "inf")) return *v = neg ? -INFINITY : INFINITY, 1;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (!*s || *end || errno == ERANGE || !isfinite(x)) return 0;
    *v = x;
    return 1;
}

static int enum_has(const char *choices, const char *s)
{
    size_t n = strlen(s);
    for (const char *p = choices; p && *p;) {
        size_t k = strcspn(p, "|");
        if (k == n && !strncmp(p, s, n)) return 1;
        p += k + (p[k] == '|');
    }
    return 0;
}

/* buf = a "." b (or b when a is empty); 0 when it does not fit. */
static int join_path(char *buf, size_t n, const char *a, const char *b)
{
    int k = snprintf(buf, n, "%s%s%s", a, a[0] ? "." : "", b);
    return k >= 0 && (size_t)k < n;
}

typedef struct {
    const char *file;
} vctx_t;

/* "file:line" or "-P a.b=c" for messages. */
static void where(char *buf, size_t n, const vctx_t *c, const node_t *v, int key_line)
{
    if (v && v->origin) snprintf(buf, n, "-P %s", v->origin);
    else snprintf(buf, n, "%s:%d", c->file, key_line ? key_line : v ? v->line : 0);
}

static rgx_err check_number(const vctx_t *c, const cfg_key_t *k, const char *path,
                            const node_t *v, int line, double x, const char *what)
{
    if (k->min < k->max && (x < k->min || x > k->max)) {
        char w[600];
        where(w, sizeof w, c, v, line);
        return rgx_fail(RGX_ERR_CONFIG, "%s: %s: %s %.10g is out of range; expected %.10g to %.10g",
                        w, path, what, x, k->min, k->max);
    }
    return RGX_OK;
}

static rgx_err type_error(const vctx_t *c, const cfg_key_t *k, const char *path, const node_t *v,
                          int line, const char *got)
{
    char w[600];
    where(w, sizeof w, c, v, line);
    if (k->type == CFG_ENUM)
        return rgx_fail(RGX_ERR_CONFIG, "%s: %s: expected one of %s, got '%s'", w, path, k->choices,
                        got);
    if (k->type == CFG_FLOAT_LIST && k->list_len)
        return rgx_fail(RGX_ERR_CONFIG, "%s: %s: expected a list of %d numbers%s, got %s", w, path,
                        k->list_len, k->null_ok ? " (or null)" : "", got);
    return rgx_fail(RGX_ERR_CONFIG, "%s: %s: expected %s%s, got %s", w, path, type_word(k),
                    k->null_ok ? " (or null)" : "", got);
}

static rgx_err check_value(const vctx_t *c, const cfg_key_t *k, const char *path, const node_t *v,
                           int line);

static rgx_err check_section(const vctx_t *c, const cfg_key_t *table, const char *path,
                             const node_t *v, int line)
{
    if (node_is_null(v)) return RGX_OK; /* "extract:" with nothing under it */
    if (v->kind != N_MAP) {
        char w[600];
        where(w, sizeof w, c, v, line);
        return rgx_fail(RGX_ERR_CONFIG, "%s: %s: expected a section of 'key: value' lines", w,
                        path[0] ? path : "top level");
    }
    for (size_t i = 0; i < v->n; i++) {
        char sub[512];
        if (!join_path(sub, sizeof sub, path, v->keys[i]))
            return rgx_fail(RGX_ERR_CONFIG, "%s: key path too long", c->file);
        const cfg_key_t *k = schema_find(table, v->keys[i]);
        if (!k) {
            char w[600], hint[160] = "", known[600] = "";
            where(w, sizeof w, c, v->kids[i], v->key_lines[i]);
            size_t best = 3;
            for (const cfg_key_t *t = table; t && t->name; t++) {
                size_t d = edit_distance(v->keys[i], t->name);
                if (d < best)
                    best = d, snprintf(hint, sizeof hint, "; did you mean '%s'?", t->name);
                size_t len = strlen(known);
                snprintf(known + len, sizeof known - len, "%s%s", len ? ", " : "", t->name);
            }
            return rgx_fail(RGX_ERR_CONFIG, "%s: unknown key '%s' %s%s%s (known keys: %s)", w,
                            v->keys[i], path[0] ? "in section " : "at the top level", path, hint,
                            known[0] ? known : "none");
        }
        rgx_err err = check_value(c, k, sub, v->kids[i], v->key_lines[i]);
        if (err) return err;
    }
    return RGX_OK;
}

static rgx_err check_value(const vctx_t *c, const cfg_key_t *k, const char *path, const node_t *v,
                           int line)
{
    rgx_err err;
    if (k->type == CFG_SECTION) return check_section(c, k->children, path, v, line);
    if (k->type == CFG_MAP) {
        if (node_is_null(v)) return RGX_OK;
        if (v->kind != N_MAP) return type_error(c, k, path, v, line, "something else");
        for (size_t i = 0; i < v->n; i++) {
            char sub[512];
            if (!join_path(sub, sizeof sub, path, v->keys[i]))
                return rgx_fail(RGX_ERR_CONFIG, "%s: key path too long", c->file);
            if ((err = check_section(c, k->children, sub, v->kids[i], v->key_lines[i]))) return err;
        }
        return RGX_OK;
    }
    if (k->type == CFG_LIST) {
        if (node_is_null(v)) return RGX_OK;
        if (v->kind != N_SEQ) return type_error(c, k, path, v, line, "something else");
        for (size_t i = 0; i < v->n; i++) {
            char sub[512], num[32];
            snprintf(num, sizeof num, "%zu", i);
            if (!join_path(sub, sizeof sub, path, num))
                return rgx_fail(RGX_ERR_CONFIG, "%s: key path too long", c->file);
            const node_t *e = v->kids[i];
            if (node_is_null(e) || e->kind != N_MAP) {
                char w[600];
                where(w, sizeof w, c, e, e->line);
                return rgx_fail(RGX_ERR_CONFIG, "%s: %s: item %zu of the list must be a section "
                                "of 'key: value' lines", w, path, i);
            }
            if ((err = check_section(c, k->children, sub, e, e->line))) return err;
        }
        return RGX_OK;
    }
    if (node_is_null(v)) {
        if (k->null_ok || !k->def) return RGX_OK;
        return type_error(c, k, path, v, line, "null");
    }
    if (k->type == CFG_FLOAT_LIST || k->type == CFG_STRING_LIST) {
        if (v->kind != N_SEQ) {
            char got[160];
            snprintf(got, sizeof got, "'%.100s'", v->kind == N_SCALAR ? v->str : "a section");
            return type_error(c, k, path, v, line, got);
        }
        if (k->list_len && (int)v->n != k->list_len) {
            char got[64];
            snprintf(got, sizeof got, "%zu", v->n);
            return type_error(c, k, path, v, line, got);
        }
        for (size_t i = 0; i < v->n; i++) {
            const node_t *e = v->kids[i];
            if (k->type == CFG_FLOAT_LIST && node_is_null(e) && k->null_ok) continue;
            if (e->kind != N_SCALAR) return type_error(c, k, path, v, line, "a nested list");
            double x;
            if (k->type == CFG_FLOAT_LIST) {
                if (!parse_double(e->str, &x)) {
                    char got[160];
                    snprintf(got, sizeof got, "element '%.100s'", e->str);
                    return type_error(c, k, path, v, line, got);
                }
                if ((err = check_number(c, k, path, v, line, x, "element"))) return err;
            } else if (k->choices && !enum_has(k->choices, e->str)) {
                char w[600];
                where(w, sizeof w, c, v, line);
                return rgx_fail(RGX_ERR_CONFIG, "%s: %s: '%s' is not one of %s", w, path, e->str,
                                k->choices);
            }
        }
        return RGX_OK;
    }
    if (v->kind != N_SCALAR)
        return type_error(c, k, path, v, line, v->kind == N_SEQ ? "a list" : "a section");
    const char *s = v->str;
    char got[160];
    snprintf(got, sizeof got, "'%.100s'", s);
    switch (k->type) {
    case CFG_BOOL: {
        int b;
        if (!parse_bool(s, &b)) return type_error(c, k, path, v, line, got);
        return RGX_OK;
    }
    case CFG_INT: {
        long x;
        if (!parse_long(s, &x)) return type_error(c, k, path, v, line, got);
        return check_number(c, k, path, v, line, (double)x, "value");
    }
    case CFG_FLOAT: {
        double x;
        if (!parse_double(s, &x)) return type_error(c, k, path, v, line, got);
        return check_number(c, k, path, v, line, x, "value");
    }
    case CFG_ENUM:
        if (!enum_has(k->choices, s)) return type_error(c, k, path, v, line, s);
        return RGX_OK;
    default: return RGX_OK; /* CFG_STRING: anything */
    }
}

/* ---- overrides ---- */

/* Grafts "a.b.c=value" into the tree, creating sections on the way. */
static rgx_err apply_override(node_t *root, const char *text)
{
    const char *eq = strchr(text, '=');
    if (!eq || eq == text)
        return rgx_fail(RGX_ERR_CONFIG, "-P %s: expected section.key=value", text);
    char path[512];
    size_t plen = (size_t)(eq - text);
    if (plen >= sizeof path) return rgx_fail(RGX_ERR_CONFIG, "-P %s: key too long", text);
    memcpy(path, text, plen);
    path[plen] = '\0';
    node_t *val;
    char name[600];
    snprintf(name, sizeof name, "-P %s", text);
    rgx_err err = parse_yaml(eq + 1, name, 0, &val);
    if (err) return err;
    if (val->kind == N_NULL && eq[1]) { /* "a=" is an empty string; "a=null" parses as plain */
        node_free(val);
        val = node_new(N_SCALAR, 0);
        if (!val || rgx_strdup(&val->str, "")) {
            node_free(val);
            return rgx_fail(RGX_ERR_MEMORY, "out of memory");
        }
    }
    /* Mark the new subtree as coming from the command line. */
    node_t *stack[256];
    int sp = 0;
    stack[sp++] = val;
    while (sp) {
        node_t *n = stack[--sp];
        n->origin = text, n->line = 0;
        for (size_t i = 0; i < n->n && sp < 256; i++) stack[sp++] = n->kids[i];
    }
    node_t *cur = root;
    char *save, *tok = strtok_r(path, ".", &save);
    while (tok) {
        char *next = strtok_r(NULL, ".", &save);
        if (cur->kind == N_NULL) cur->kind = N_MAP;
        if (cur->kind != N_MAP) {
            node_free(val);
            return rgx_fail(RGX_ERR_CONFIG, "-P %s: '%s' is not a section", text, tok);
        }
        int line;
        node_t *kid = map_get(cur, tok, &line);
        if (!next) {
            if (kid) { /* replace in place */
                for (size_t i = 0; i < cur->n; i++)
                    if (cur->kids[i] == kid) cur->kids[i] = val;
                node_free(kid);
            } else if ((err = node_add(cur, tok, 0, val))) {
                node_free(val);
                return err;
            }
            return RGX_OK;
        }
        if (!kid) {
            kid = node_new(N_MAP, 0);
            if (!kid || node_add(cur, tok, 0, kid)) {
                node_free(kid); /* node_add failed: not in the tree */
                node_free(val);
                return rgx_fail(RGX_ERR_MEMORY, "out of memory");
            }
            kid->origin = text;
        }
        cur = kid;
        tok = next;
    }
    node_free(val);
    return rgx_fail(RGX_ERR_CONFIG, "-P %s: empty key", text);
}

/* ---- loading ---- */

rgx_err cfg_parse(cfg_t **out, const char *text, const char *name, const cfg_key_t *schema,
                  char *const *overrides, int n_overrides)
{
    *out = NULL;
    cfg_t *c = calloc(1, sizeof *c);
    if (!c) return rgx_fail(RGX_ERR_MEMORY, "out of memory");
    c->schema = schema;
    rgx_err err;
    if ((err = rgx_strdup(&c->file, name ? name : "(config)"))) goto out;
    if ((err = rgx_strdup(&c->text, text ? text : ""))) goto out;
    if ((err = parse_yaml(c->text, c->file, 0, &c->root))) goto out;
    if (node_is_null(c->root)) c->root->kind = N_MAP, free(c->root->str), c->root->str = NULL;
    if (c->root->kind != N_MAP) {
        err = rgx_fail(RGX_ERR_CONFIG, "%s:%d: expected sections (study:, extract:, scan:) at the "
                       "top level", c->file, c->root->line);
        goto out;
    }
    for (int i = 0; i < n_overrides; i++)
        if ((err = apply_override(c->root, overrides[i]))) goto out;
    vctx_t vc = {c->file};
    err = check_section(&vc, schema, "", c->root, 0);
out:
    if (err) cfg_free(c);
    else *out = c;
    return err;
}

rgx_err cfg_load(cfg_t **out, const char *path, const cfg_key_t *schema, char *const *overrides,
                 int n_overrides)
{
    char *text = NULL;
    rgx_err err = RGX_OK;
    if (path && read_file(path, &text, NULL)) {
        *out = NULL;
        return rgx_fail(RGX_ERR_CONFIG, "%s", rgx_errmsg());
    }
    err = cfg_parse(out, text ? text : "", path ? path : "(no config file)", schema, overrides,
                    n_overrides);
    free(text);
    if (!err && !path) {
        free((*out)->file);
        (*out)->file = NULL;
    }
    return err;
}

void cfg_free(cfg_t *c)
{
    if (!c) return;
    node_free(c->root);
    for (cache_t *e = c->cache, *next; e; e = next) {
        next = e->next;
        node_free(e->node);
        free(e->array);
        free(e->path);
        free(e);
    }
    free(c->file);
    free(c->text);
    free(c);
}

const char *cfg_file(const cfg_t *c)
{
    return c->file;
}

const char *cfg_text(const cfg_t *c)
{
    return c->text;
}

/* ---- lookups ---- */

_Noreturn static void bad_path(const char *path, const char *why)
{
    fprintf(stderr, "radiogx: internal error: config path '%s' %s\n", path, why);
    abort();
}

/* Finds the schema key and the tree node (NULL when absent) of a dotted path. */
static const cfg_key_t *resolve(const cfg_t *c, const char *path, const node_t **node, int *line)
{
    char buf[512];
    if (strlen(path) >= sizeof buf) bad_path(path, "is too long");
    strcpy(buf, path);
    const cfg_key_t *table = c->schema, *k = NULL;
    const node_t *cur = c->root;
    int in_map = 0, in_list = 0;
    *line = 0;
    char *save, *tok = strtok_r(buf, ".", &save);
    while (tok) {
        if (in_map) { /* an entry name of a CFG_MAP */
            cur = map_get(cur, tok, line);
            in_map = 0;
            table = k->children;
        } else if (in_list) { /* an item number of a CFG_LIST */
            char *end;
            unsigned long i = strtoul(tok, &end, 10);
            if (*end || !*tok) bad_path(path, "indexes a list with a non-number");
            cur = cur && cur->kind == N_SEQ && i < cur->n ? cur->kids[i] : NULL;
            if (cur) *line = cur->line;
            in_list = 0;
            table = k->children;
        } else {
            if (!table) bad_path(path, "goes below a value");
            k = schema_find(table, tok);
            if (!k) bad_path(path, "is not in the schema");
            cur = map_get(cur, tok, line);
            if (k->type == CFG_MAP) in_map = 1;
            if (k->type == CFG_LIST) in_list = 1;
            table = k->type == CFG_SECTION ? k->children : NULL;
        }
        tok = strtok_r(NULL, ".", &save);
    }
    if (!k) bad_path(path, "is empty");
    *node = cur;
    return k;
}

static cache_t *cache_add(cfg_t *c)
{
    cache_t *e = calloc(1, sizeof *e);
    if (!e) {
        fprintf(stderr, "radiogx: out of memory\n");
        abort();
    }
    e->next = c->cache;
    c->cache = e;
    return e;
}

/* The effective node of a path: from the tree, else the parsed default (NULL for none). */
static const node_t *value_of(const cfg_t *cc, const char *path, const cfg_key_t **key)
{
    cfg_t *c = (cfg_t *)cc; /* the cache is logically const */
    const node_t *n;
    int line;
    const cfg_key_t *k = resolve(c, path, &n, &line);
    if (key) *key = k;
    if (n) return n;
    if (!k->def) return NULL;
    for (cache_t *e = c->cache; e; e = e->next)
        if (e->tag == k && e->node) return e->node;
    cache_t *e = cache_add(c);
    e->tag = k;
    if (parse_yaml(k->def, "(schema default)", 0, &e->node)) bad_path(path, "has a bad default");
    return e->node;
}

int cfg_is_set(const cfg_t *c, const char *path)
{
    const node_t *n;
    int line;
    resolve(c, path, &n, &line);
    return n != NULL;
}

int cfg_is_null(const cfg_t *c, const char *path)
{
    return node_is_null(value_of(c, path, NULL));
}

const char *cfg_pick(const cfg_t *c, const char *path, const char *fallback)
{
    return cfg_is_set(c, path) ? path : fallback;
}

int cfg_line(const cfg_t *c, const char *path)
{
    const node_t *n;
    int line;
    resolve(c, path, &n, &line);
    return n ? line : 0;
}

static const node_t *scalar_of(const cfg_t *c, const char *path, cfg_type_t want)
{
    const cfg_key_t *k;
    const node_t *n = value_of(c, path, &k);
    if (k->type != want && !(want == CFG_STRING && k->type == CFG_ENUM))
        bad_path(path, "is read with the wrong type");
    return node_is_null(n) ? NULL : n;
}

int cfg_bool(const cfg_t *c, const char *path)
{
    const node_t *n = scalar_of(c, path, CFG_BOOL);
    int b = 0;
    if (n) parse_bool(n->str, &b);
    return b;
}

long cfg_int(const cfg_t *c, const char *path)
{
    const node_t *n = scalar_of(c, path, CFG_INT);
    long x = 0;
    if (n) parse_long(n->str, &x);
    return x;
}

double cfg_float(const cfg_t *c, const char *path)
{
    const node_t *n = scalar_of(c, path, CFG_FLOAT);
    double x = NAN;
    if (n) parse_double(n->str, &x);
    return x;
}

const char *cfg_str(const cfg_t *c, const char *path)
{
    const node_t *n = scalar_of(c, path, CFG_STRING);
    return n ? n->str : NULL;
}

size_t cfg_floats(const cfg_t *c, const char *path, double *out, size_t max)
{
    const cfg_key_t *k;
    const node_t *n = value_of(c, path, &k);
    if (k->type != CFG_FLOAT_LIST) bad_path(path, "is not a list of numbers");
    if (node_is_null(n) || n->kind != N_SEQ) return 0;
    for (size_t i = 0; i < n->n && i < max; i++) {
        double x = NAN;
        if (!node_is_null(n->kids[i])) parse_double(n->kids[i]->str, &x);
        out[i] = x;
    }
    return n->n;
}

/* Caches an array of string pointers into the tree for the caller. */
static size_t list_out(const cfg_t *cc, const node_t *n, int keys, const char *const **out)
{
    cfg_t *c = (cfg_t *)cc;
    *out = NULL;
    if (!n || (keys ? n->kind != N_MAP : n->kind != N_SEQ) || n->n == 0) return 0;
    cache_t *e = cache_add(c);
    const char **a = calloc(n->n, sizeof *a);
    if (!a) {
        fprintf(stderr, "radiogx: out of memory\n");
        abort();
    }
    for (size_t i = 0; i < n->n; i++) a[i] = keys ? n->keys[i] : n->kids[i]->str;
    e->array = a;
    *out = a;
    return n->n;
}

size_t cfg_strings(const cfg_t *c, const char *path, const char *const **out)
{
    const cfg_key_t *k;
    const node_t *n = value_of(c, path, &k);
    if (k->type != CFG_STRING_LIST) bad_path(path, "is not a list of words");
    return list_out(c, n, 0, out);
}

size_t cfg_map_keys(const cfg_t *c, const char *path, const char *const **out)
{
    const cfg_key_t *k;
    const node_t *n = value_of(c, path, &k);
    if (k->type != CFG_MAP) bad_path(path, "is not a map");
    return list_out(c, n, 1, out);
}

size_t cfg_list_len(const cfg_t *c, const char *path)
{
    const cfg_key_t *k;
    const node_t *n = value_of(c, path, &k);
    if (k->type != CFG_LIST) bad_path(path, "is not a list of sections");
    return node_is_null(n) || n->kind != N_SEQ ? 0 : n->n;
}

/* ---- the effective config ---- */

static rgx_err emit_scalar(strbuf_t *sb, const cfg_key_t *k, const node_t *n)
{
    if (node_is_null(n)) return sb_append(sb, "null");
    if (n->kind == N_SEQ) {
        rgx_err err = sb_append(sb, "[");
        for (size_t i = 0; !err && i < n->n; i++) {
            if (i) err = sb_append(sb, ", ");
            if (!err) err = emit_scalar(sb, k, n->kids[i]);
        }
        return err ? err : sb_append(sb, "]");
    }
    if (n->kind != N_SCALAR) return sb_append(sb, "null");
    if (k->type == CFG_STRING || k->type == CFG_STRING_LIST) {
        /* Double-quoted YAML, escaping what needs it. */
        rgx_err err = sb_append(sb, "\"");
        for (const char *p = n->str; !err && *p; p++) {
            if (*p == '"' || *p == '\\') err = sb_printf(sb, "\\%c", *p);
            else if ((unsigned char)*p < 0x20) err = sb_printf(sb, "\\x%02x", (unsigned char)*p);
            else err = sb_printf(sb, "%c", *p);
        }
        return err ? err : sb_append(sb, "\"");
    }
    return sb_append(sb, n->str);
}

static rgx_err emit_section(const cfg_t *c, strbuf_t *sb, const cfg_key_t *table,
                            const char *path, int indent)
{
    rgx_err err = RGX_OK;
    for (const cfg_key_t *k = table; !err && k && k->name; k++) {
        char sub[512];
        if (!join_path(sub, sizeof sub, path, k->name))
            return rgx_fail(RGX_ERR_INTERNAL, "config path too long");
        if ((err = sb_printf(sb, "%*s%s:", indent, "", k->name))) break;
        if (k->type == CFG_SECTION) {
            if (!(err = sb_append(sb, "\n")))
                err = emit_section(c, sb, k->children, sub, indent + 2);
        } else if (k->type == CFG_MAP) {
            const char *const *names;
            size_t n = cfg_map_keys(c, sub, &names);
            err = sb_append(sb, n ? "\n" : " {}\n");
            for (size_t i = 0; !err && i < n; i++) {
                char ent[512];
                if (!join_path(ent, sizeof ent, sub, names[i]))
                    return rgx_fail(RGX_ERR_INTERNAL, "config path too long");
                if (!(err = sb_printf(sb, "%*s%s:\n", indent + 2, "", names[i])))
                    err = emit_section(c, sb, k->children, ent, indent + 4);
            }
        } else if (k->type == CFG_LIST) {
            size_t n = cfg_list_len(c, sub);
            err = sb_append(sb, n ? "\n" : " []\n");
            for (size_t i = 0; !err && i < n; i++) {
                char ent[512], num[32];
                snprintf(num, sizeof num, "%zu", i);
                if (!join_path(ent, sizeof ent, sub, num))
                    return rgx_fail(RGX_ERR_INTERNAL, "config path too long");
                if (!(err = sb_printf(sb, "%*s-\n", indent + 2, "")))
                    err = emit_section(c, sb, k->children, ent, indent + 4);
            }
        } else {
            if (!(err = sb_append(sb, " "))) err = emit_scalar(sb, k, value_of(c, sub, NULL));
            if (!err) err = sb_append(sb, "\n");
        }
    }
    return err;
}

rgx_err cfg_effective_yaml(const cfg_t *c, char **out)
{
    strbuf_t sb = {0};
    rgx_err err = sb_append(&sb, "# radiogx effective configuration (defaults applied)\n");
    if (!err) err = emit_section(c, &sb, c->schema, "", 0);
    if (err) {
        free(sb.s);
        return err;
    }
    *out = sb.s;
    return RGX_OK;
}
