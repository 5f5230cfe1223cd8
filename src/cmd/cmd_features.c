/* cmd_features.c — `radiogx features IMAGE MASK`: the features of one ROI, no MPI. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "opts.h"
#include "extract.h"
#include "extract_settings.h"
#include "features.h"
#include "image.h"
#include "log.h"
#include "mpienv.h"
#include "preprocess.h"

enum { O_CHANNEL = 256 };

static const opts_own_t own[] = {
    {"label", required_argument, 'l', "N", "ROI label (default 1)"},
    {"channel", required_argument, O_CHANNEL, "NAME",
     "which extract.channels block to use (default: the default block)"},
    {NULL, 0, 0, NULL, NULL},
};

static void usage(FILE *f, const opts_t *o)
{
    fprintf(f,
            "Usage: radiogx features IMAGE MASK [--config C.yaml] [--label N] [--channel NAME]\n"
            "                        [-P key=value]...\n"
            "\n"
            "Prints the IBSI features of one ROI as `tag<TAB>value` lines (17 significant\n"
            "digits; nan when undefined).  No MPI launcher needed.  IMAGE is a NIfTI file\n"
            "(.nii or .nii.gz) or a DICOM series (a folder, a .list of files, a multi-frame\n"
            "file); MASK a label map on IMAGE's grid (NIfTI or DICOM), an RTSTRUCT's ROIs\n"
            "(RS.dcm:GTV-1, names ignoring case; several, comma-separated, are labels 1, 2, ...)\n"
            "or a DICOM-SEG's segments (SEG.dcm:Liver) rasterised on it (docs/formats.md,\n"
            "DICOM inputs).  The ROI is the voxels of MASK equal to the label.  Settings: the\n"
            "config's extract section (the channel's block, else the default block;\n"
            "docs/config.md).\n"
            "\n"
            "Options:\n");
    opts_help(f, o, own);
    fprintf(f, "\n"
               "Examples:\n"
               "  radiogx features phantom.nii.gz mask.nii.gz --config config/ibsi/phantom.yaml\n"
               "  radiogx features ct.nii.gz seg.nii.gz -c config/ct_default.yaml --label 2\n"
               "  radiogx features CT/ CT/RS.dcm:GTV-1 -c config/ct_default.yaml\n");
}

typedef struct {
    long label;
    const char *channel;
} args_t;

static int take(void *ctx, int opt, const char *arg)
{
    args_t *a = ctx;
    if (opt == O_CHANNEL) return a->channel = arg, 0;
    return (a->label = cli_positive("--label", arg)) < 0 ? -1 : 0; /* -l */
}

static const opts_cmd_t cmd = {"features", own, NULL, NULL, 0, usage, take};

int cmd_features(int argc, char **argv)
{
    cli_common_t common = {0};
    args_t a = {.label = 1};
    opts_t o;
    int p = opts_parse(&o, &cmd, argc, argv, &common, &a);
    if (!p && optind + 2 != argc) {
        fprintf(stderr, "radiogx features: give IMAGE and MASK (`radiogx features --help`)\n");
        p = -1;
    }
    opts_free(&o); /* no config section: nothing of common points into it */
    if (p) {
        cli_common_free(&common);
        return p > 0 ? RGX_OK : RGX_ERR_USAGE;
    }
    cli_common_apply(&common);
    mpienv_single(common.threads); /* --threads (it was accepted and ignored) */
    cfg_t *cfg = NULL;
    image_t img = {0}, msk = {0};
    featvec_t v = {0};
    preproc_t pp;
    feat_settings_t s;
    rgx_err err = cli_load_config(&common, &cfg);
    if (!err) err = extract_settings_load(cfg, a.channel, &s);
    int want = (int)a.label;
    if (!err)
        err = extract_read(argv[optind], argv[optind + 1], &want, 1, &s,
                           cfg_float(cfg, "study.affine_tolerance_mm"), &img, &msk);
    if (!err && !(err = preprocess_roi(&img, &msk, (int)a.label, &s, &pp))) {
        err = features_compute(&pp.roi, &s, &v);
        preprocess_free(&pp);
    }
    if (err) fprintf(stderr, "radiogx features: %s\n", rgx_errmsg());
    for (size_t i = 0; !err && i < v.n; i++) printf("%s\t%.17g\n", v.name[i], v.value[i]);
    featvec_free(&v);
    image_free(&img), image_free(&msk);
    cfg_free(cfg);
    cli_common_free(&common);
    return err;
}
