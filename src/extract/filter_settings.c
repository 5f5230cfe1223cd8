/* filter_settings.c — see filter_settings.h. */
#include "filter_settings.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const cfg_t *cfg;
    char base[256]; /* "extract.default.filters.3" */
    int item;       /* 0-based */
} item_t;

static const char *key(item_t *it, const char *k)
{
    static char path[320];
    snprintf(path, sizeof path, "%s.%s", it->base, k);
    return path;
}

static rgx_err bad(item_t *it, const char *k, const char *fmt, const char *a, const char *b)
{
    char what[400], path[320];
    snprintf(what, sizeof what, fmt, a, b);
    snprintf(path, sizeof path, "%s%s%s", it->base, k ? "." : "", k ? k : "");
    int line = k ? cfg_line(it->cfg, path) : 0;
    if (!line) line = cfg_line(it->cfg, it->base);
    const char *file = cfg_file(it->cfg);
    return rgx_fail(RGX_ERR_CONFIG, "%s:%d: %s (filter %d of the list): %s",
                    file ? file : "(config)", line, path, it->item + 1, what);
}

static const char *type_names[] = {"mean", "log", "laws", "gabor", "wavelet", "simoncelli"};

/* The keys each type reads, besides type, dims, padding and features. */
static const char *type_keys[] = {
    "support",
    "sigma truncate riesz engine",
    "kernel energy_distance rotation_invariant pooling",
    "sigma truncate lambda gamma theta theta_step response rotation_invariant pooling",
    "wavelet bands level rotation_invariant pooling",
    "level riesz",
};

static int word_in(const char *words, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = words; *p;) {
        size_t k = strcspn(p, " ");
        if (k == n && !strncmp(p, w, n)) return 1;
        p += k + (p[k] == ' ');
    }
    return 0;
}

static rgx_err check_keys(item_t *it, int type)
{
    static const char *all[] = {
        "support", "sigma",  "truncate", "kernel", "energy_distance", "rotation_invariant",
        "pooling", "lambda", "gamma",    "theta",  "theta_step",      "response",
        "wavelet", "bands",  "level",    "riesz",  "engine"};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (cfg_is_set(it->cfg, key(it, all[i])) && !word_in(type_keys[type], all[i]))
            return bad(it, all[i], "does not apply to a %s filter (its keys: %s)", type_names[type],
                       type_keys[type]);
    return RGX_OK;
}

static rgx_err need(item_t *it, const char *k, const char *type)
{
    if (cfg_is_null(it->cfg, key(it, k))) return bad(it, k, "a %s filter needs %s", type, k);
    return RGX_OK;
}

static filt_pad_t pad_of(const char *s)
{
    return !strcmp(s, "constant")   ? PAD_CONSTANT
           : !strcmp(s, "nearest")  ? PAD_NEAREST
           : !strcmp(s, "periodic") ? PAD_PERIODIC
                                    : PAD_MIRROR;
}

/* The type's own parameters. */
static rgx_err params(item_t *it, int type, filter_t *f)
{
    const cfg_t *c = it->cfg;
    rgx_err err = RGX_OK;
    const char *tn = type_names[type];
    if (word_in(type_keys[type], "support")) f->support = (int)cfg_int(c, key(it, "support"));
    if (word_in(type_keys[type], "sigma")) {
        if ((err = need(it, "sigma", tn))) return err;
        f->sigma = cfg_float(c, key(it, "sigma"));
        f->truncate = cfg_float(c, key(it, "truncate"));
    }
    if (type == FILT_LAWS) {
        if ((err = need(it, "kernel", tn))) return err;
        const char *k = cfg_str(c, key(it, "kernel"));
        size_t n = strlen(k);
        if (n % 2 || n / 2 < 1 || n / 2 > FILT_LAWS_MAX)
            return bad(it, "kernel", "'%s' is not 1 to 3 two-character kernels (L5E5E5)%s", k, "");
        for (size_t i = 0; i < n / 2; i++)
            if ((f->laws[i] = filter_laws_find(k + 2 * i)) < 0)
                return bad(it, "kernel",
                           "'%s': unknown kernel in it (known: L5 E5 S5 W5 R5 L3 "
                           "E3 S3)%s",
                           k, "");
        f->energy = (int)cfg_int(c, key(it, "energy_distance"));
    }
    if (type == FILT_GABOR) {
        if ((err = need(it, "lambda", tn))) return err;
        f->lambda = cfg_float(c, key(it, "lambda"));
        f->gamma = cfg_float(c, key(it, "gamma"));
        f->theta = cfg_float(c, key(it, "theta"));
        double st = cfg_float(c, key(it, "theta_step"));
        f->theta_step = isnan(st) ? 0 : st;
        const char *r = cfg_str(c, key(it, "response"));
        f->response = !strcmp(r, "real")        ? RESP_REAL
                      : !strcmp(r, "imaginary") ? RESP_IMAG
                      : !strcmp(r, "phase")     ? RESP_PHASE
                                                : RESP_MODULUS;
    }
    if (type == FILT_WAVELET) {
        if ((err = need(it, "wavelet", tn)) || (err = need(it, "bands", tn))) return err;
        const char *w = cfg_str(c, key(it, "wavelet"));
        if ((f->wavelet = filter_wavelet_find(w)) < 0)
            return bad(it, "wavelet", "unknown family '%s' (known: %s)", w, filter_wavelet_names());
        const char *b = cfg_str(c, key(it, "bands"));
        if (strlen(b) >= sizeof f->bands)
            return bad(it, "bands", "'%s': one L or H per axis%s", b, "");
        strcpy(f->bands, b);
    }
    if (word_in(type_keys[type], "level")) f->level = (int)cfg_int(c, key(it, "level"));
    if (word_in(type_keys[type], "rotation_invariant"))
        f->rot_inv = cfg_bool(c, key(it, "rotation_invariant"));
    if (word_in(type_keys[type], "pooling") && !cfg_is_null(c, key(it, "pooling"))) {
        const char *p = cfg_str(c, key(it, "pooling"));
        f->pool = !strcmp(p, "max") ? POOL_MAX : !strcmp(p, "min") ? POOL_MIN : POOL_MEAN;
    }
    if (type == FILT_LOG) {
        const char *e = cfg_str(c, key(it, "engine"));
        f->engine = !strcmp(e, "separable") ? 1 : !strcmp(e, "fft") ? 2 : 0;
    }
    if (word_in(type_keys[type], "riesz")) {
        double o[3] = {0, 0, 0};
        if (cfg_floats(c, key(it, "riesz"), o, 3) == 3)
            for (int a = 0; a < 3; a++) {
                if (o[a] != floor(o[a]) || isnan(o[a]))
                    return bad(it, "riesz", "orders must be whole numbers 0 .. 8%s%s", "", "");
                f->riesz[a] = (int)o[a];
            }
    }
    return RGX_OK;
}

/* The response map's features. */
static rgx_err resp_features(item_t *it, feat_filter_t *ff)
{
    static const struct {
        const char *name;
        unsigned flag;
    } fam[] = {{"stat", FAM_STAT}, {"ih", FAM_IH},     {"cm", FAM_GLCM},   {"rlm", FAM_GLRLM},
               {"szm", FAM_GLSZM}, {"dzm", FAM_GLDZM}, {"ngt", FAM_NGTDM}, {"ngl", FAM_NGLDM}};
    const char *const *names;
    size_t n = cfg_strings(it->cfg, key(it, "features.families"), &names);
    ff->families = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof fam / sizeof fam[0]; k++)
            if (!strcmp(names[i], fam[k].name)) ff->families |= fam[k].flag;
    if (!ff->families) return bad(it, "features.families", "no feature family chosen%s%s", "", "");
    const char *m = cfg_str(it->cfg, key(it, "features.discretisation.method"));
    ff->disc = !strcmp(m, "fbs") ? DISC_FBS : DISC_FBN;
    ff->n_bins = (int)cfg_int(it->cfg, key(it, "features.discretisation.bins"));
    ff->bin_width = cfg_float(it->cfg, key(it, "features.discretisation.bin_width"));
    if (ff->disc == DISC_FBS && (ff->families & ~FAM_STAT) && isnan(ff->bin_width))
        return bad(it, "features.discretisation.bin_width",
                   "fbs needs a bin width (in the response's units)%s%s", "", "");
    return RGX_OK;
}

static rgx_err load_item(item_t *it, feat_filter_t *ff)
{
    const cfg_t *c = it->cfg;
    const char *t = cfg_str(c, key(it, "type"));
    if (!t)
        return bad(it, "type", "every filter needs a type (%s)%s",
                   "mean, log, laws, gabor, wavelet or simoncelli", "");
    int type = 0;
    while (strcmp(type_names[type], t)) type++;
    rgx_err err = check_keys(it, type);
    if (err) return err;
    filter_t *f = &ff->f;
    filter_init(f, (filt_type_t)type);
    f->dims = !strcmp(cfg_str(c, key(it, "dims")), "2d") ? 2 : 3;
    f->pad = pad_of(cfg_str(c, key(it, "padding")));
    if ((err = params(it, type, f)) || (err = resp_features(it, ff))) return err;
    if (filter_check(f)) return bad(it, NULL, "%s%s", rgx_errmsg(), "");
    filter_tag(f, ff->tag, sizeof ff->tag);
    return RGX_OK;
}

rgx_err filter_settings_load(const cfg_t *cfg, const char *path, feat_settings_t *s)
{
    size_t n = cfg_list_len(cfg, path);
    s->n_filters = 0;
    if (n > FEAT_MAX_FILTERS) {
        const char *file = cfg_file(cfg);
        return rgx_fail(RGX_ERR_CONFIG, "%s:%d: %s: %zu filters; at most %d per channel",
                        file ? file : "(config)", cfg_line(cfg, path), path, n, FEAT_MAX_FILTERS);
    }
    for (size_t i = 0; i < n; i++) {
        item_t it = {cfg, "", (int)i};
        snprintf(it.base, sizeof it.base, "%s.%zu", path, i);
        feat_filter_t *ff = &s->filter[i];
        rgx_err err = load_item(&it, ff);
        if (err) return err;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->filter[j].tag, ff->tag)) {
                char num[24];
                snprintf(num, sizeof num, "%zu", j + 1);
                return bad(&it, NULL,
                           "the same filter as number %s (%s): its features would "
                           "have the same names",
                           num, ff->tag);
            }
        s->n_filters = (int)i + 1;
    }
    return RGX_OK;
}
