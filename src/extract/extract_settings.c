/* extract_settings.c — see extract_settings.h. */
#include "extract_settings.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "filter_settings.h"
#include "log.h"
#include "util.h"

typedef struct {
    const cfg_t *cfg;
    const char *channel;
    char path[512], fallback[512];
} pick_t;

/* The path to read for a key: the channel's when set, else the default block's. */
static const char *key(pick_t *p, const char *k)
{
    snprintf(p->fallback, sizeof p->fallback, "extract.default.%s", k);
    if (!p->channel) return p->fallback;
    snprintf(p->path, sizeof p->path, "extract.channels.%s.%s", p->channel, k);
    return cfg_pick(p->cfg, p->path, p->fallback);
}

static rgx_err bad(pick_t *p, const char *k, const char *what)
{
    const char *path = key(p, k);
    const char *file = cfg_file(p->cfg);
    /* A key that is not in the file: point at the closest section that is. */
    char up[256];
    snprintf(up, sizeof up, "%s", path);
    int line = cfg_line(p->cfg, up), absent = line == 0;
    for (char *dot; !line && (dot = strrchr(up, '.'));) *dot = '\0', line = cfg_line(p->cfg, up);
    if (!line)
        return rgx_fail(RGX_ERR_CONFIG, "%s: %s%s: %s", file ? file : "(defaults)", path,
                        absent ? " (not set)" : "", what);
    return rgx_fail(RGX_ERR_CONFIG, "%s:%d: %s%s: %s", file ? file : "(defaults)", line, path,
                    absent ? " (not set)" : "", what);
}

static interp_t interp_of(const char *s)
{
    return !strcmp(s, "nearest")  ? INTERP_NEAREST
           : !strcmp(s, "linear") ? INTERP_LINEAR
           : !strcmp(s, "cubic")  ? INTERP_CUBIC
                                  : INTERP_NONE;
}

static disc_t disc_of(const char *s)
{
    return !strcmp(s, "fbs") ? DISC_FBS : !strcmp(s, "fbn") ? DISC_FBN : DISC_NONE;
}

const char *const modality_name[4] = {"unknown", "CT", "PET", "MR"};

modality_t extract_modality_of_name(const char *name)
{
    static const struct {
        const char *word;
        modality_t m;
    } words[] = {{"PET", MOD_PET},  {"FDG", MOD_PET},   {"PT", MOD_PET},    {"SUV", MOD_PET},
                 {"CT", MOD_CT},    {"CTAC", MOD_CT},   {"CECT", MOD_CT},   {"MR", MOD_MR},
                 {"MRI", MOD_MR},   {"T1", MOD_MR},     {"T1W", MOD_MR},    {"T1C", MOD_MR},
                 {"T1CE", MOD_MR},  {"T1GD", MOD_MR},   {"T2", MOD_MR},     {"T2W", MOD_MR},
                 {"FLAIR", MOD_MR}, {"ADC", MOD_MR},    {"DWI", MOD_MR},    {"PD", MOD_MR},
                 {"SWI", MOD_MR}};
    char w[16];
    size_t n = 0;
    for (; name[n] && !strchr("_-. ", name[n]) && n + 1 < sizeof w; n++)
        w[n] = (char)toupper((unsigned char)name[n]);
    w[n] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(w, words[i].word)) return words[i].m;
    return MOD_UNKNOWN;
}

/* A block's modality: declared (not auto), else what its name says (NULL: the default block,
 * whose name says nothing). */
static modality_t block_modality(const cfg_t *cfg, const char *block)
{
    char path[512];
    if (block)
        snprintf(path, sizeof path, "extract.channels.%s.modality", block);
    else
        snprintf(path, sizeof path, "extract.default.modality");
    const char *d = cfg_str(cfg, path);
    for (int m = MOD_CT; d && m <= MOD_MR; m++)
        if (!strcmp(d, modality_name[m])) return (modality_t)m;
    return block ? extract_modality_of_name(block) : MOD_UNKNOWN;
}

const char *extract_channel_block(const cfg_t *cfg, const char *channel, int log,
                                  modality_t *modality)
{
    const char *const *keys;
    size_t nk = cfg_map_keys(cfg, "extract.channels", &keys);
    for (size_t i = 0; i < nk; i++)
        if (!strcmp(keys[i], channel)) return *modality = block_modality(cfg, channel), channel;
    /* No block of its own: its modality from its name, then a block of that modality. */
    modality_t m = extract_modality_of_name(channel);
    *modality = m;
    for (size_t i = 0; m != MOD_UNKNOWN && i < nk; i++)
        if (block_modality(cfg, keys[i]) == m) {
            if (log)
                log_info("extract: channel %s (%s by its name) takes the settings of "
                         "extract.channels.%s (%s)",
                         channel, modality_name[m], keys[i], modality_name[m]);
            return keys[i];
        }
    modality_t dm = block_modality(cfg, NULL);
    double r[2] = {NAN, NAN};
    if (dm == MOD_UNKNOWN && cfg_floats(cfg, "extract.default.resegmentation.range", r, 2) == 2 &&
        r[0] < 0)
        dm = MOD_CT; /* a range in Hounsfield units */
    if (log && m != MOD_UNKNOWN && dm != MOD_UNKNOWN && m != dm)
        log_warn("extract: channel %s is %s by its name, but takes the default settings, which "
                 "are for %s (their range and bins may not fit its intensities): give it a "
                 "block, extract.channels.%s, or name its modality in one "
                 "(extract.channels.<name>.modality)",
                 channel, modality_name[m], modality_name[dm], channel);
    else if (log && m == MOD_UNKNOWN)
        log_info("extract: channel %s: modality neither declared nor recognised from its name; "
                 "it takes the default settings",
                 channel);
    return NULL;
}

rgx_err extract_settings_load(const cfg_t *cfg, const char *channel, feat_settings_t *s)
{
    modality_t mod = MOD_UNKNOWN;
    if (channel) channel = extract_channel_block(cfg, channel, 0, &mod);
    pick_t p = {cfg, channel, "", ""};
    memset(s, 0, sizeof *s);
    s->interp = interp_of(cfg_str(cfg, key(&p, "interpolation.method")));
    s->interp_2d = !strcmp(cfg_str(cfg, key(&p, "interpolation.dims")), "2d");
    double sp[3] = {NAN, NAN, NAN};
    cfg_floats(cfg, key(&p, "interpolation.spacing"), sp, 3);
    for (int d = 0; d < 3; d++) s->spacing[d] = sp[d];
    s->round_intensities = cfg_bool(cfg, key(&p, "interpolation.round_intensities"));
    s->mask_interp = interp_of(cfg_str(cfg, key(&p, "interpolation.mask_method")));
    s->mask_threshold = cfg_float(cfg, key(&p, "interpolation.mask_threshold"));
    if (s->interp != INTERP_NONE) {
        for (int d = 0; d < (s->interp_2d ? 2 : 3); d++)
            if (!isfinite(s->spacing[d]))
                return bad(&p, "interpolation.spacing",
                           "interpolation needs the target spacing [x, y, z] in mm (z is kept "
                           "as it is with dims: 2d, and may be null)");
    }
    double r[2] = {-INFINITY, INFINITY};
    if (cfg_floats(cfg, key(&p, "resegmentation.range"), r, 2) == 2) {
        s->reseg_min = isnan(r[0]) ? -INFINITY : r[0];
        s->reseg_max = isnan(r[1]) ? INFINITY : r[1];
    } else {
        s->reseg_min = -INFINITY, s->reseg_max = INFINITY;
    }
    if (!(s->reseg_min < s->reseg_max))
        return bad(&p, "resegmentation.range", "min must be below max");
    double sig = cfg_float(cfg, key(&p, "resegmentation.outlier_sigma"));
    s->outlier_sigma = isnan(sig) ? 0 : sig;
    s->disc = disc_of(cfg_str(cfg, key(&p, "discretisation.method")));
    s->bin_width = cfg_float(cfg, key(&p, "discretisation.bin_width"));
    s->n_bins = (int)cfg_int(cfg, key(&p, "discretisation.bins"));
    s->ivh_disc = disc_of(cfg_str(cfg, key(&p, "ivh.method")));
    s->ivh_bin_width = cfg_float(cfg, key(&p, "ivh.bin_width"));
    s->ivh_bins = (int)cfg_int(cfg, key(&p, "ivh.bins"));
    static const struct {
        const char *name;
        unsigned flag;
    } fam[] = {{"morph", FAM_MORPH}, {"loc", FAM_LOCAL}, {"stat", FAM_STAT}, {"ih", FAM_IH},
               {"ivh", FAM_IVH},     {"cm", FAM_GLCM},   {"rlm", FAM_GLRLM}, {"szm", FAM_GLSZM},
               {"dzm", FAM_GLDZM},   {"ngt", FAM_NGTDM}, {"ngl", FAM_NGLDM}};
    const char *const *names;
    size_t nf = cfg_strings(cfg, key(&p, "features.families"), &names);
    for (size_t i = 0; i < nf; i++)
        for (size_t k = 0; k < sizeof fam / sizeof fam[0]; k++)
            if (!strcmp(names[i], fam[k].name)) s->families |= fam[k].flag;
    if (!s->families) return bad(&p, "features.families", "no feature family chosen");
    const char *const *dims;
    size_t nd = cfg_strings(cfg, key(&p, "features.texture_dims"), &dims);
    for (size_t i = 0; i < nd; i++)
        s->texture_dims |= !strcmp(dims[i], "2d")     ? TEX_2D
                           : !strcmp(dims[i], "2.5d") ? TEX_2_5D
                                                      : TEX_3D;
    s->glcm_distance = (int)cfg_int(cfg, key(&p, "features.glcm_distance"));
    s->ngtdm_distance = (int)cfg_int(cfg, key(&p, "features.ngtdm_distance"));
    s->ngldm_distance = (int)cfg_int(cfg, key(&p, "features.ngldm_distance"));
    s->ngldm_alpha = (int)cfg_int(cfg, key(&p, "features.ngldm_alpha"));
    return filter_settings_load(cfg, key(&p, "filters"), s);
}

rgx_err extract_settings_describe(const feat_settings_t *s, char **out)
{
    strbuf_t sb = {0};
    static const char *dn[] = {"none", "fbn", "fbs"};
    static const char *in[] = {"none", "nearest", "linear", "cubic"};
    rgx_err err = sb_printf(&sb, "interp=%s", in[s->interp]);
    if (!err && s->interp != INTERP_NONE)
        err = sb_printf(&sb, " %s %gx%gx%g mm, mask %s >= %g", s->interp_2d ? "2d" : "3d",
                        s->spacing[0], s->spacing[1], s->interp_2d ? NAN : s->spacing[2],
                        in[s->mask_interp], s->mask_threshold);
    if (!err)
        err = sb_printf(&sb, "; round=%s; reseg=[%g,%g]", s->round_intensities ? "yes" : "no",
                        s->reseg_min, s->reseg_max);
    if (!err && s->outlier_sigma > 0) err = sb_printf(&sb, "; outliers=%g sd", s->outlier_sigma);
    if (!err) {
        if (s->disc == DISC_FBN)
            err = sb_printf(&sb, "; disc=fbn %d", s->n_bins);
        else if (s->disc == DISC_FBS)
            err = sb_printf(&sb, "; disc=fbs %g", s->bin_width);
        else
            err = sb_printf(&sb, "; disc=%s", dn[s->disc]);
    }
    for (int i = 0; !err && i < s->n_filters; i++)
        err = sb_printf(&sb, "%s%s", i ? ", " : "; filters=", s->filter[i].tag);
    *out = sb.s;
    return err;
}
