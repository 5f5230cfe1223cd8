/* fuzz_config.c — libFuzzer harness for the config (src/core/cfg.c over libyaml, checked
 * against the whole schema, rgx_schema): the input is a YAML file; when it parses, the
 * effective config (defaults applied) must parse again, and the settings every stage takes
 * from it are loaded (extraction with its filters, the scan, the pca).  Any input must give
 * RGX_OK or an error, never a crash, a leak or a read out of bounds.
 *
 * Seed corpus: tests/fuzz/corpus/config/ (the ready profiles of config/ and the tests'). */
#include "cfg.h"
#include "extract_settings.h"
#include "fuzz.h"
#include "pca_opts.h"
#include "scan_opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    cfg_t *cfg = NULL;
    if (cfg_parse(&cfg, text, "fuzz.yaml", rgx_schema, NULL, 0) == RGX_OK) {
        char *eff = NULL;
        cfg_t *again = NULL;
        if (cfg_effective_yaml(cfg, &eff) == RGX_OK &&
            cfg_parse(&again, eff, "effective.yaml", rgx_schema, NULL, 0) != RGX_OK)
            abort(); /* radiogx must read back what it writes into every run file */
        cfg_free(again);
        free(eff);
        feat_settings_t s;
        extract_settings_load(cfg, NULL, &s);
        scan_opts_t so;
        scan_opts_read(cfg, &so);
        pca_opts_t po;
        pca_opts_read(cfg, &po);
    }
    cfg_free(cfg);
    free(text);
    return 0;
}
