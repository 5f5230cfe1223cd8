/* cmd_filter.c — `radiogx filter IMAGE --out MAP`: the response map of one of the config's
 * filters over the whole image (after the channel's interpolation), as NIfTI, no MPI. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nifti2_io.h>

#include "cli.h"
#include "cmd.h"
#include "extract_settings.h"
#include "filter.h"
#include "image.h"
#include "log.h"
#include "mpienv.h"
#include "opts.h"
#include "resample.h"
#include "util.h"

enum { O_CHANNEL = 256 };

static const opts_own_t own[] = {
    {"out", required_argument, 'o', "FILE", "the response map (.nii or .nii.gz)"},
    {"filter", required_argument, 'f', "N", "which filter of the list, from 1 (default 1)"},
    {"channel", required_argument, O_CHANNEL, "NAME",
     "which extract.channels block to use (default: the default block)"},
    {NULL, 0, 0, NULL, NULL},
};

static void usage(FILE *f, const opts_t *o)
{
    fprintf(f, "Usage: radiogx filter IMAGE --config C.yaml --out MAP.nii.gz [--filter N]\n"
               "                      [--channel NAME] [-P key=value]...\n"
               "\n"
               "Writes the response map of a filter of the config (extract.default.filters, or\n"
               "the channel's list) over the whole image, as NIfTI float32 on the image's grid\n"
               "(or on the interpolated grid when the channel's settings interpolate).  No MPI\n"
               "launcher needed.  For inspection, and for the IBSI 2 response-map tests\n"
               "(config/ibsi2/); the filters and their keys are in docs/features.md.\n"
               "\n"
               "Options:\n");
    opts_help(f, o, own);
    fprintf(f,
            "\n"
            "Examples:\n"
            "  radiogx filter impulse.nii.gz -c config/ibsi2/2_a.yaml -o log.nii.gz\n"
            "  radiogx filter ct.nii.gz -c study.yaml --channel CT --filter 3 -o wavelet.nii.gz\n");
}

typedef struct {
    const char *out, *channel;
    long which;
} args_t;

static int take(void *ctx, int opt, const char *arg)
{
    args_t *a = ctx;
    if (opt == 'o') return a->out = arg, 0;
    if (opt == O_CHANNEL) return a->channel = arg, 0;
    return (a->which = cli_positive("--filter", arg)) < 0 ? -1 : 0; /* -f */
}

static const opts_cmd_t cmd = {"filter", own, NULL, NULL, 0, usage, take};

/* The image on the settings' grid: itself, or interpolated (the whole new grid). */
static rgx_err on_grid(const image_t *img, const feat_settings_t *s, double **vals, int dim[3],
                       double spacing[3], double affine[3][4])
{
    axis_map_t map[3];
    resample_grid(img, s, map);
    size_t n = 1;
    for (int a = 0; a < 3; a++) dim[a] = map[a].n, spacing[a] = map[a].s, n *= (size_t)map[a].n;
    /* world(m) = A (m r + off): the columns scale by r, the origin moves by A off */
    for (int r = 0; r < 3; r++) {
        affine[r][3] = img->affine[r][3];
        for (int a = 0; a < 3; a++) {
            affine[r][a] = img->affine[r][a] * map[a].r;
            affine[r][3] += img->affine[r][a] * map[a].off;
        }
    }
    rgx_err err = rgx_calloc(vals, n, sizeof **vals);
    if (err) return err;
    if (s->interp == INTERP_NONE) {
        float run[4096];
        for (size_t i = 0; i < n; i += 4096) {
            size_t m = n - i < 4096 ? n - i : 4096;
            image_values(img, i, m, run);
            for (size_t k = 0; k < m; k++)
                (*vals)[i + k] = s->round_intensities ? nearbyint(run[k]) : run[k];
        }
        return RGX_OK;
    }
    uint8_t *morph = NULL;
    int o[3] = {0, 0, 0};
    if (!(err = rgx_calloc(&morph, n, 1)))
        err = resample_box(img, img, NAN, s, map, o, dim, *vals, morph); /* no mask wanted */
    free(morph);
    return err;
}

static rgx_err run(const char *in, const char *out, const feat_settings_t *s, int which)
{
    image_t img = {0}, res = {0};
    double *x = NULL, *y = NULL;
    float *data;
    rgx_err err = image_read(in, &img);
    if (err) return err;
    if ((err = on_grid(&img, s, &x, res.dim, res.spacing, res.affine))) goto out;
    size_t n = image_nvox(&res);
    if ((err = rgx_calloc(&y, n, sizeof *y))) goto out;
    const feat_filter_t *ff = &s->filter[which];
    log_info("filter %s on %s (%d x %d x %d voxels of %g x %g x %g mm)", ff->tag, in, res.dim[0],
             res.dim[1], res.dim[2], res.spacing[0], res.spacing[1], res.spacing[2]);
    if ((err = filter_apply(&ff->f, x, res.dim, res.spacing, y))) goto out;
    res.affine_source = "sform";
    if ((err = image_alloc(&res, &data))) goto out;
    for (size_t i = 0; i < n; i++) data[i] = (float)y[i];
    err = image_write(out, &res, DT_FLOAT32);
out:
    free(x), free(y);
    image_free(&img), image_free(&res);
    return err;
}

int cmd_filter(int argc, char **argv)
{
    cli_common_t common = {0};
    args_t a = {.which = 1};
    opts_t o;
    int p = opts_parse(&o, &cmd, argc, argv, &common, &a);
    if (!p && (optind + 1 != argc || !a.out)) {
        fprintf(stderr, "radiogx filter: give IMAGE and --out MAP (`radiogx filter --help`)\n");
        p = -1;
    }
    opts_free(&o); /* no config section: nothing of common points into it */
    if (p) {
        cli_common_free(&common);
        return p > 0 ? RGX_OK : RGX_ERR_USAGE;
    }
    const char *channel = a.channel, *out = a.out;
    long which = a.which;
    cli_common_apply(&common);
    mpienv_single(common.threads);
    cfg_t *cfg = NULL;
    feat_settings_t *s = NULL;
    rgx_err err = rgx_calloc(&s, 1, sizeof *s);
    if (!err) err = cli_load_config(&common, &cfg);
    if (!err) err = extract_settings_load(cfg, channel, s);
    if (!err && which > s->n_filters)
        err = rgx_fail(RGX_ERR_CONFIG, "%s: --filter %ld, but the %s lists %d filter%s",
                       cfg_file(cfg) ? cfg_file(cfg) : "(no config)", which,
                       channel ? "channel's block" : "default block", s->n_filters,
                       s->n_filters == 1 ? "" : "s");
    if (!err) err = run(argv[optind], out, s, (int)which - 1);
    if (err) fprintf(stderr, "radiogx filter: %s\n", rgx_errmsg());
    free(s);
    cfg_free(cfg);
    cli_common_free(&common);
    return err;
}
