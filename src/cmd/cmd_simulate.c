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

/* The options into common (the simulate section's as overrides) and *out; returns -1 to go
 * on, else the exit status. */
static int simulate_options(opts_t *o, int argc, char **argv, cli_common_t *common,
                            const char **out)
{
    int opt;
    if (opts_check_argv(o, "simulate", argc, argv)) return RGX_ERR_USAGE;
    while ((opt = opts_next(o, argc, argv)) != -1) {
        int k = opts_take(o, opt, optarg, common);
        if (k > 0) continue;
        if (k < 0) return RGX_ERR_USAGE;
        switch (opt) {
        case 'o':
            *out = optarg;
            break;
        case O_MASK_PER_CHANNEL:
            cli_common_opt(common, 'P', "simulate.mask_per_channel=true");
            break;
        case O_OUTCOMES:
            cli_common_opt(common, 'P', "simulate.outcomes=true");
            break;
        case O_INJECT_FAILURES:
            cli_common_opt(common, 'P', "simulate.inject_failures=true");
            break;
        case 'h':
            usage(stdout, o);
            return RGX_OK;
        default:
            fprintf(stderr, "(`radiogx simulate --help` lists the options)\n");
            return RGX_ERR_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "radiogx simulate: unexpected argument '%s'\n", argv[optind]);
        return RGX_ERR_USAGE;
    }
    return -1;
}

int cmd_simulate(int argc, char **argv)
{
    cli_common_t common = {0};
    opts_t o;
    const char *out = NULL;
    cfg_t *cfg = NULL;
    sim_opt_t *so = NULL;
    rgx_err err = opts_init(&o, own, "simulate", schema_simulate);
    if (err) {
        fprintf(stderr, "radiogx simulate: %s\n", rgx_errmsg());
        return err;
    }
    int rc = simulate_options(&o, argc, argv, &common, &out);
    if (rc >= 0) {
        err = rc;
        goto out;
    }
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
