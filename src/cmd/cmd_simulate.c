/* cmd_simulate.c — `radiogx simulate`: a synthetic cohort that exercises the whole pipeline.
 * The options are the keys of the simulate section (schema_simulate.c, through opts.h); the
 * cohort is sim_cohort.c's.  No MPI: one process, with threads for the images and the
 * compression. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cmd.h"
#include "opts.h"
#include "schema.h"
#include "sim_cohort.h"

enum { O_MASK_PER_CHANNEL = 256, O_OUTCOMES, O_INJECT_FAILURES };

/* The options of `radiogx simulate` that are no key of the simulate section (or switch one);
 * the others are its keys with a flag (schema_simulate.c). */
static const opts_own_t own[] = {
    {"out", required_argument, 'o', "DIR", "output folder (created; required)"},
    {"mask-per-channel", no_argument, O_MASK_PER_CHANNEL, NULL,
     "one mask per channel, channels after the first on their own grid (1 x 1 x 3 mm), as real "
     "multi-modal data (simulate.mask_per_channel)"},
    {"outcomes", no_argument, O_OUTCOMES, NULL,
     "radiotherapy outcomes (needs --chromosomes >= 6): a dose covariate, a binary toxicity "
     "(liability model; variant on chr 5) and a Weibull time to event with censoring (variant "
     "on chr 6) in DIR/outcomes.tsv, both in truth.tsv (simulate.outcomes)"},
    {"inject-failures", no_argument, O_INJECT_FAILURES, NULL,
     "add one patient of each failure: truncated image, empty mask, mask on another grid, "
     "all-NaN image, sample absent from the VCF (simulate.inject_failures)"},
    {NULL, 0, 0, NULL, NULL},
};

static void usage(FILE *f, const opts_t *o)
{
    fprintf(f,
            "Usage: radiogx simulate --patients N --variants M --out DIR [options]\n"
            "\n"
            "Writes a synthetic cohort that exercises the whole pipeline (model: "
            "docs/cmd-simulate.md):\n"
            "  DIR/manifest.tsv        patient_id, image_<CH>..., mask (or mask_<CH>), sample_id, "
            "site\n"
            "  DIR/images/, DIR/masks/ NIfTI .nii.gz: int16 images, uint8 label masks; with\n"
            "                          --format dicom DIR/dicom/<patient>/: a series per channel,\n"
            "                          RS.dcm (RTSTRUCT: GTV, Normal) and RD.dcm (RTDOSE)\n"
            "  DIR/genotypes.vcf.gz    bgzipped VCF with GT:DS, LD blocks, realistic frequencies, "
            "+ .tbi\n"
            "  DIR/covariates.tsv      #IID age sex site, as plink2 --covar reads it (sex: 1 "
            "male, 2 female)\n"
            "  DIR/truth.tsv           the planted causal variants and the features they drive\n"
            "  DIR/properties.tsv      #IID and the standardised lesion properties drawn (truth)\n"
            "  DIR/ancestry.tsv        #IID and ancestral group (with --ancestries K > 1)\n"
            "  DIR/outcomes.tsv        with --outcomes: #IID toxicity event_time event\n"
            "Lesion volume, mean intensity, heterogeneity and elongation each depend on one "
            "planted\n"
            "variant (chromosomes 1-4) and on covariates (age, sex, a per-site intensity "
            "offset);\n"
            "the other chromosomes are null.  The same arguments give the same bytes, whatever\n"
            "the threads (-T: images and compression; default 2).  -c FILE reads the options\n"
            "from a YAML file with a simulate: section (its keys: the options' names with\n"
            "underscores).\n"
            "\n");
    opts_help(f, o, own);
    fprintf(f, "\n"
               "Example:\n"
               "  radiogx simulate --patients 300 --variants 50000 --seed 7 --out cohort\n");
}

typedef struct {
    const char *out;
    cli_common_t *common; /* the switches are config overrides */
} args_t;

static int take(void *ctx, int opt, const char *arg)
{
    args_t *a = ctx;
    const char *set = opt == O_MASK_PER_CHANNEL ? "simulate.mask_per_channel=true"
                      : opt == O_OUTCOMES       ? "simulate.outcomes=true"
                      : opt == O_INJECT_FAILURES ? "simulate.inject_failures=true"
                                                 : NULL;
    if (!set) return a->out = arg, 0; /* -o */
    return cli_common_opt(a->common, 'P', set) < 0 ? -1 : 0;
}

static const opts_cmd_t cmd = {"simulate", own, "simulate", schema_simulate, 0, usage, take};

int cmd_simulate(int argc, char **argv)
{
    cli_common_t common = {0};
    opts_t o;
    args_t a = {.common = &common};
    cfg_t *cfg = NULL;
    sim_opt_t *so = NULL;
    int p = opts_parse(&o, &cmd, argc, argv, &common, &a);
    if (!p && optind < argc) {
        fprintf(stderr, "radiogx simulate: unexpected argument '%s'\n", argv[optind]);
        p = -1;
    }
    rgx_err err = p < 0 ? RGX_ERR_USAGE : RGX_OK;
    if (p) goto out;
    const char *out = a.out;
    cli_common_apply(&common);
    /* Typed and range-checked by cfg: a bad value on the command line is a usage error. */
    err = cfg_load(&cfg, common.config, schema_simulate_root, common.overrides,
                   common.n_overrides);
    if (err && !common.config) err = RGX_ERR_USAGE;
    if (!err && !(so = calloc(1, sizeof *so))) err = rgx_fail(RGX_ERR_MEMORY, "out of memory");
    if (!err) err = sim_opts_init(so, cfg, out, common.threads > 0 ? common.threads : 2);
    if (!err) err = sim_cohort_write(so);
    if (err) fprintf(stderr, "radiogx simulate: %s\n", rgx_errmsg());
out:
    free(so);
    cfg_free(cfg);
    opts_free(&o);
    cli_common_free(&common);
    return err;
}
