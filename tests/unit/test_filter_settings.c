/* test_filter_settings.c — a channel's `filters:` list from the config: values, defaults,
 * per-channel lists, tags, and every error with file, line and key. */
#include "tap.h"

#include <stdlib.h>

#include "cfg.h"
#include "extract_settings.h"

static feat_settings_t s;

static rgx_err load(const char *text, const char *channel)
{
    cfg_t *c = NULL;
    rgx_err err = cfg_parse(&c, text, "f.yaml", rgx_schema, NULL, 0);
    if (!err) err = extract_settings_load(c, channel, &s);
    cfg_free(c);
    return err;
}

int main(void)
{
    rgx_err err = load("extract:\n"
                       "  default:\n"
                       "    filters:\n"
                       "      - {type: log, sigma: 1.5}\n"
                       "      - {type: laws, kernel: L5E5E5, energy_distance: 7,\n"
                       "         rotation_invariant: true}\n"
                       "      - type: wavelet\n"
                       "        wavelet: coif1\n"
                       "        bands: LLH\n"
                       "        features: {families: [stat, ih, cm],\n"
                       "                   discretisation: {method: fbn, bins: 16}}\n"
                       "  channels:\n"
                       "    PET:\n"
                       "      filters:\n"
                       "        - {type: mean, support: 5, dims: 2d, padding: nearest}\n",
                       NULL);
    is_int(err, RGX_OK, "a filter list loads");
    if (err) printf("# %s\n", rgx_errmsg());
    is_int(s.n_filters, 3, "three filters");
    is_str(s.filter[0].tag, "log_s1p5", "LoG tag");
    is_double(s.filter[0].f.truncate, 4, 0, "LoG truncate default");
    ok(s.filter[0].families == FAM_STAT, "statistics by default");
    is_str(s.filter[1].tag, "laws_l5e5e5_en7_rimax", "Laws tag (max pooling by default)");
    is_str(s.filter[2].tag, "wav_coif1_llh_l1", "wavelet tag");
    ok(s.filter[2].families == (FAM_STAT | FAM_IH | FAM_GLCM), "response-map families");
    is_int(s.filter[2].n_bins, 16, "response-map bins");
    is_int(load("extract:\n  default:\n    filters:\n      - {type: log, sigma: 1}\n"
                "  channels:\n    PET:\n      filters:\n"
                "        - {type: mean, support: 5, dims: 2d, padding: nearest}\n",
                "PET"),
           RGX_OK, "a channel's own list");
    is_int(s.n_filters, 1, "replaces the default list");
    is_str(s.filter[0].tag, "mean2d_s5_nearest", "2D mean tag");
    is_int(load("extract:\n  default:\n    filters:\n      - {type: log, sigma: 1}\n", "CT"),
           RGX_OK, "a channel without a list");
    is_int(s.n_filters, 1, "takes the default list");
    is_int(load("", NULL), RGX_OK, "no filters");
    is_int(s.n_filters, 0, "none by default");

    /* Errors: file, line, key. */
    is_int(load("extract:\n  default:\n    filters:\n      - {sigma: 1}\n", NULL), RGX_ERR_CONFIG,
           "no type");
    like(rgx_errmsg(), "f.yaml:4: extract.default.filters.0.type (filter 1 of the list)",
         "names the item");
    is_int(load("extract:\n  default:\n    filters:\n      - {type: mean}\n"
                "      - {type: mean, sigma: 2}\n",
                NULL),
           RGX_ERR_CONFIG, "key of another type");
    like(rgx_errmsg(),
         "f.yaml:5: extract.default.filters.1.sigma (filter 2 of the list): does not "
         "apply to a mean filter",
         "its message");
    is_int(load("extract:\n  default:\n    filters:\n      - {type: log}\n", NULL), RGX_ERR_CONFIG,
           "LoG without sigma");
    like(rgx_errmsg(), "a log filter needs sigma", "its message");
    is_int(load("extract:\n  default:\n    filters:\n      - {type: wavelet, wavelet: db42, "
                "bands: LLL}\n",
                NULL),
           RGX_ERR_CONFIG, "unknown wavelet");
    like(rgx_errmsg(), "unknown family 'db42' (known: haar (db1), db2 .. db8",
         "lists the families");
    is_int(load("extract:\n  default:\n    filters:\n      - {type: laws, kernel: L5Q5E5}\n", NULL),
           RGX_ERR_CONFIG, "unknown Laws kernel");
    like(rgx_errmsg(), "'L5Q5E5': unknown kernel", "its message");
    is_int(load("extract:\n  default:\n    filters:\n      - {type: laws, kernel: L5E5}\n", NULL),
           RGX_ERR_CONFIG, "2 Laws kernels for 3D");
    like(rgx_errmsg(),
         "f.yaml:4: extract.default.filters.0 (filter 1 of the list): a 3d Laws "
         "filter needs 3 kernels",
         "its message");
    is_int(load("extract:\n  default:\n    filters:\n      - {type: mean, support: 4}\n", NULL),
           RGX_ERR_CONFIG, "even support");
    like(rgx_errmsg(), "support must be odd", "its message");
    is_int(load("extract:\n  default:\n    filters:\n      - {type: log, sigma: 1}\n"
                "      - {type: log, sigma: 1.0}\n",
                NULL),
           RGX_ERR_CONFIG, "the same filter twice");
    like(rgx_errmsg(), "the same filter as number 1 (log_s1)", "its message");
    is_int(load("extract:\n  default:\n    filters:\n      - {type: log, sigma: 1, riesz: [0.5, 0, "
                "0]}\n",
                NULL),
           RGX_ERR_CONFIG, "fractional Riesz order");
    is_int(load("extract:\n  default:\n    filters:\n      - {type: log, sigma: 1,\n"
                "         features: {families: [ih], discretisation: {method: fbs}}}\n",
                NULL),
           RGX_ERR_CONFIG, "fbs without a bin width");
    like(rgx_errmsg(), "fbs needs a bin width", "its message");
    is_int(load("extract:\n  default:\n    filters:\n      - {type: gabor, sigma: 2, lambda: 1, "
                "theta_step: 7}\n",
                NULL),
           RGX_ERR_CONFIG, "a theta step that does not divide 360");
    is_int(
        load("extract:\n  default:\n    filters:\n      - {type: log, sigma: 1, typo: 2}\n", NULL),
        RGX_ERR_CONFIG, "unknown key in an item");
    like(rgx_errmsg(), "f.yaml:4: unknown key 'typo' in section extract.default.filters.0",
         "the schema names it");
    is_int(load("extract:\n  default:\n    filters:\n      - {type: log, sigma: 1, engine: fft}\n",
                NULL),
           RGX_OK, "LoG engine");
    is_int(s.filter[0].f.engine, 2, "fft");
    is_int(load("extract:\n  default:\n    filters:\n      - {type: mean, engine: fft}\n", NULL),
           RGX_ERR_CONFIG, "engine on a mean filter");
    return tap_done();
}
