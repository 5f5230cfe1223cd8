/* test_cfg.c — the config parser: values and defaults, every kind of error with file, line
 * and key, overrides, per-entry maps and the effective config. */
#include "tap.h"
#include "cfg.h"

#include <stdlib.h>

static const cfg_key_t block[] = {
    {.name = "method", .type = CFG_ENUM, .def = "none", .choices = "none|fbs|fbn"},
    {.name = "bins", .type = CFG_INT, .def = "32", .min = 1, .max = 100000},
    {.name = "range", .type = CFG_FLOAT_LIST, .list_len = 2, .null_ok = 1},
    {NULL},
};
static const cfg_key_t ex[] = {
    {.name = "threshold", .type = CFG_FLOAT, .def = "0.5", .min = 0, .max = 1},
    {.name = "round", .type = CFG_BOOL, .def = "false"},
    {.name = "families", .type = CFG_STRING_LIST, .def = "[stat, ih]", .choices = "stat|ih|cm"},
    {.name = "default", .type = CFG_SECTION, .children = block},
    {.name = "channels", .type = CFG_MAP, .children = block},
    {.name = "items", .type = CFG_LIST, .children = block},
    {NULL},
};
static const cfg_key_t schema[] = {
    {.name = "name", .type = CFG_STRING, .def = "study"},
    {.name = "extract", .type = CFG_SECTION, .children = ex},
    {NULL},
};

static rgx_err parse(const char *text, cfg_t **c)
{
    return cfg_parse(c, text, "t.yaml", schema, NULL, 0);
}

int main(void)
{
    cfg_t *c;
    rgx_err err = parse("name: lung\n"
                        "extract:\n"
                        "  threshold: 0.25\n"
                        "  round: yes\n"
                        "  default:\n"
                        "    method: fbs\n"
                        "    range: [-1000, .inf]\n"
                        "  channels:\n"
                        "    CT: {bins: 64}\n"
                        "    PET: {method: fbn}\n",
                        &c);
    is_int(err, RGX_OK, "a valid config loads");
    if (err) printf("# %s\n", rgx_errmsg());
    is_str(cfg_str(c, "name"), "lung", "string");
    is_double(cfg_float(c, "extract.threshold"), 0.25, 0, "float");
    is_int(cfg_bool(c, "extract.round"), 1, "bool yes");
    is_str(cfg_str(c, "extract.default.method"), "fbs", "enum");
    is_int(cfg_int(c, "extract.default.bins"), 32, "default int");
    double r[2];
    is_int(cfg_floats(c, "extract.default.range", r, 2), 2, "list length");
    ok(r[0] == -1000 && isinf(r[1]) && r[1] > 0, "list with .inf");
    const char *const *names;
    is_int(cfg_map_keys(c, "extract.channels", &names), 2, "two channels");
    is_str(names[1], "PET", "channel names in file order");
    is_int(cfg_int(c, cfg_pick(c, "extract.channels.CT.bins", "extract.default.bins")), 64,
           "channel overrides default");
    is_str(cfg_str(c, cfg_pick(c, "extract.channels.CT.method", "extract.default.method")), "fbs",
           "channel falls back to default");
    const char *const *fam;
    is_int(cfg_strings(c, "extract.families", &fam), 2, "default string list");
    is_int(cfg_line(c, "extract.default.method"), 6, "line of a key");
    char *yaml;
    cfg_effective_yaml(c, &yaml);
    like(yaml, "  threshold: 0.25\n", "effective config has the value");
    like(yaml, "    bins: 32\n", "effective config has the default");
    like(yaml, "    PET:\n      method: fbn\n", "effective config has the map entries");
    cfg_t *c2;
    is_int(cfg_parse(&c2, yaml, "effective", schema, NULL, 0), RGX_OK, "effective config reloads");
    if (c2) is_str(cfg_str(c2, "extract.channels.PET.method"), "fbn", "and round-trips");
    cfg_free(c2);
    free(yaml);
    cfg_free(c);

    /* Errors: file, line and key, and what was expected. */
    is_int(parse("extract:\n  default:\n    rnage: [1, 2]\n", &c), RGX_ERR_CONFIG, "misspelt key");
    like(rgx_errmsg(), "t.yaml:3: unknown key 'rnage' in section extract.default", "names line");
    like(rgx_errmsg(), "did you mean 'range'?", "suggests the key");
    is_int(parse("extract:\n  threshold: high\n", &c), RGX_ERR_CONFIG, "wrong type");
    like(rgx_errmsg(), "t.yaml:2: extract.threshold: expected a number, got 'high'",
         "type message");
    is_int(parse("extract:\n  threshold: 1.5\n", &c), RGX_ERR_CONFIG, "out of range");
    like(rgx_errmsg(), "1.5 is out of range; expected 0 to 1", "range message");
    is_int(parse("extract:\n  default:\n    method: fixed\n", &c), RGX_ERR_CONFIG, "bad enum");
    like(rgx_errmsg(), "expected one of none|fbs|fbn, got 'fixed'", "enum message");
    is_int(parse("extract:\n  default:\n    range: [1]\n", &c), RGX_ERR_CONFIG, "list length");
    like(rgx_errmsg(), "expected a list of 2 numbers", "list length message");
    is_int(parse("extract:\n  families: [stat, glcm]\n", &c), RGX_ERR_CONFIG, "bad list word");
    like(rgx_errmsg(), "'glcm' is not one of stat|ih|cm", "list word message");
    is_int(parse("extract:\n  channels:\n    CT: {bin: 3}\n", &c), RGX_ERR_CONFIG, "map entry key");
    like(rgx_errmsg(), "unknown key 'bin' in section extract.channels.CT", "map entry message");
    is_int(parse("extract: [1, 2]\n", &c), RGX_ERR_CONFIG, "section given a list");
    is_int(parse("extract:\n  round: 1\n  round: 0\n", &c), RGX_ERR_CONFIG, "duplicate key");
    like(rgx_errmsg(), "t.yaml:3: key 'round' given twice (first on line 2)", "duplicate message");
    is_int(parse("extract:\n  default: {method: fbs\n", &c), RGX_ERR_CONFIG, "YAML syntax error");
    like(rgx_errmsg(), "t.yaml:", "syntax error names the file");
    is_int(parse("extrct:\n  round: 1\n", &c), RGX_ERR_CONFIG, "unknown section");
    like(rgx_errmsg(), "did you mean 'extract'?", "section suggestion");

    /* Overrides. */
    char *ov[] = {"extract.default.bins=16", "extract.channels.MR.method=fbn", "name=x y"};
    is_int(cfg_parse(&c, "extract:\n  default:\n    bins: 8\n", "t.yaml", schema, ov, 3), RGX_OK,
           "overrides apply");
    is_int(cfg_int(c, "extract.default.bins"), 16, "override replaces a value");
    is_str(cfg_str(c, "extract.channels.MR.method"), "fbn", "override creates a map entry");
    is_str(cfg_str(c, "name"), "x y", "override string");
    cfg_free(c);
    char *bad[] = {"extract.default.bins=zero"};
    is_int(cfg_parse(&c, "", "t.yaml", schema, bad, 1), RGX_ERR_CONFIG, "bad override");
    like(rgx_errmsg(), "-P extract.default.bins=zero: extract.default.bins: expected an integer",
         "override message");
    char *bad2[] = {"extract.defualt.bins=3"};
    is_int(cfg_parse(&c, "", "t.yaml", schema, bad2, 1), RGX_ERR_CONFIG, "misspelt override");
    like(rgx_errmsg(), "did you mean 'default'?", "override suggestion");

    /* Lists of sections. */
    is_int(parse("extract:\n  items:\n    - {method: fbs, bins: 4}\n    - method: fbn\n"
                 "      range: [1, 2]\n", &c), RGX_OK, "a list of sections loads");
    is_int(cfg_list_len(c, "extract.items"), 2, "two items");
    is_int(cfg_int(c, "extract.items.0.bins"), 4, "item 0's value");
    is_int(cfg_int(c, "extract.items.1.bins"), 32, "item 1's default");
    is_str(cfg_str(c, "extract.items.1.method"), "fbn", "item 1's value");
    is_int(cfg_line(c, "extract.items.1.range"), 5, "line of an item's key");
    ok(!cfg_is_set(c, "extract.items.1.bins") && cfg_is_set(c, "extract.items.0.bins"),
       "set and unset keys of items");
    cfg_effective_yaml(c, &yaml);
    like(yaml, "  items:\n    -\n      method: fbs\n      bins: 4\n",
         "effective config lists items");
    is_int(cfg_parse(&c2, yaml, "effective", schema, NULL, 0), RGX_OK, "and reloads");
    if (c2) is_int(cfg_int(c2, "extract.items.0.bins"), 4, "round-trips an item");
    if (c2) is_int(cfg_list_len(c2, "extract.items"), 2, "round-trips the length");
    cfg_free(c2);
    free(yaml);
    cfg_free(c);
    is_int(parse("", &c), RGX_OK, "no list");
    is_int(cfg_list_len(c, "extract.items"), 0, "an absent list is empty");
    cfg_free(c);
    is_int(parse("extract:\n  items:\n    - {method: fbs}\n    - {bns: 3}\n", &c), RGX_ERR_CONFIG,
           "misspelt key in an item");
    like(rgx_errmsg(), "t.yaml:4: unknown key 'bns' in section extract.items.1", "names the item");
    is_int(parse("extract:\n  items: 3\n", &c), RGX_ERR_CONFIG, "a list given a number");
    like(rgx_errmsg(), "expected a list of sections", "its message");
    is_int(parse("extract:\n  items: [fbs]\n", &c), RGX_ERR_CONFIG, "an item that is no section");
    like(rgx_errmsg(), "item 0 of the list must be a section", "its message");
    char *ovl[] = {"extract.items=[{bins: 7}]"};
    is_int(cfg_parse(&c, "", "t.yaml", schema, ovl, 1), RGX_OK, "an override gives a whole list");
    is_int(cfg_int(c, "extract.items.0.bins"), 7, "its item");
    cfg_free(c);

    is_int(cfg_load(&c, "/nonexistent/x.yaml", schema, NULL, 0), RGX_ERR_CONFIG, "missing file");
    like(rgx_errmsg(), "/nonexistent/x.yaml: cannot open", "missing file message");
    is_int(cfg_load(&c, NULL, schema, NULL, 0), RGX_OK, "no file: all defaults");
    is_double(cfg_float(c, "extract.threshold"), 0.5, 0, "default float");
    cfg_free(c);
    return tap_done();
}
