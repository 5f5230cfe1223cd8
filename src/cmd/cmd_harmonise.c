/* cmd_harmonise.c — `radiogx harmonise RUN.h5`: ComBat across sites as its own MPI job. */
#include <getopt.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "comm.h"
#include "harmonise.h"
#include "log.h"
#include "mpienv.h"
#include "opts.h"
#include "provenance.h"
#include "runfile.h"
#include "schema.h"
#include "util.h"

enum { O_COVAR = 256, O_APPLY };

/* The options of `radiogx harmonise` that are no config key; the others are the keys of the
 * harmonise section with a flag (schema_harmonise.c). */
static const opts_own_t own[] = {
    {"out", required_argument, 'o', "FILE",
     "run file to write [RUN.h5 itself, replaced when complete]"},
    {"covar", required_argument, O_COVAR, "FILE",
     "covariate table, plink2 style; text columns are categorical [study.covariates]"},
    {"apply", required_argument, O_APPLY, "FILE",
     "apply FILE's stored harmonisation to this run's patients instead of estimating one"},
    {NULL, 0, 0, NULL, NULL},
};

static void usage(FILE *f, const opts_t *o)
{
    fprintf(
        f,
        "Usage: mpirun -np P radiogx harmonise RUN.h5 [--covar C.tsv] [options] [-o OUT.h5]\n"
        "       mpirun -np P radiogx harmonise RUN.h5 --apply FITTED.h5 [--covar C.tsv] [-o "
        "OUT.h5]\n"
        "\n"
        "ComBat (Johnson et al. 2007, as sva::ComBat computes it) of the run's /features across\n"
        "sites: per feature a site location and scale, shrunk by empirical Bayes towards priors\n"
        "shared by the features of one image channel and ROI label, with the design covariates'\n"
        "effects preserved.  Writes /features_harmonised (values, and the site parameters and\n"
        "priors for the record) beside /features, which stays raw; the scan reads them with\n"
        "--features harmonised.  Ranks hold disjoint tiles of patients and exchange only\n"
        "per-site sums; the result is bitwise identical for any number of ranks.\n"
        "With --apply, the parameters stored in FITTED.h5 by an earlier harmonisation map this\n"
        "run's patients (a validation cohort onto the discovery cohort): same features, sites\n"
        "among the stored ones, the stored covariates.  Manual: docs/cmd-harmonise.md.\n"
        "\n");
    opts_help(f, o, own);
    fprintf(f, "\n"
               "Examples:\n"
               "  mpirun -np 4 radiogx harmonise run.h5 --covar cohort/covariates.tsv --covariates "
               "age,sex\n"
               "  mpirun -np 2 radiogx harmonise validation.h5 --apply run.h5 --covar "
               "val_covariates.tsv\n");
}

/* The top-level objects of a run file but /provenance and /features_harmonised: what the
 * new file carries over. */
static herr_t collect(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g, (void)info;
    strbuf_t *sb = data;
    if (!strcmp(name, RF_PROVENANCE + 1) || !strcmp(name, RF_HARM + 1)) return 0;
    return sb_printf(sb, "/%s\n", name) ? -1 : 0;
}

static rgx_err carry_over(h5out_t *h, const char *run)
{
    strbuf_t sb = {0};
    const char *objs[64];
    size_t n = 0;
    rgx_err err = RGX_OK;
    hid_t f = H5Fopen(run, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) err = rgx_fail(RGX_ERR_INPUT, "%s: cannot open as HDF5", run);
    if (!err && H5Literate(f, H5_INDEX_NAME, H5_ITER_INC, NULL, collect, &sb) < 0)
        err = rgx_fail(RGX_ERR_INPUT, "%s: cannot list its objects", run);
    if (f >= 0) H5Fclose(f);
    for (char *s = sb.s, *e; !err && s && *s && n < 64; s = e + 1) {
        e = strchr(s, '\n');
        *e = '\0';
        objs[n++] = s;
    }
    if (!err) err = h5out_copy_from(h, run, objs, n);
    free(sb.s);
    return err;
}

typedef struct {
    const char *out, *covar, *apply;
} args_t;

static int take(void *ctx, int opt, const char *arg)
{
    args_t *a = ctx;
    *(opt == 'o' ? &a->out : opt == O_COVAR ? &a->covar : &a->apply) = arg;
    return 0;
}

static const opts_cmd_t cmd = {"harmonise", own, "harmonise", schema_harmonise, 0, usage, take};

int cmd_harmonise(int argc, char **argv)
{
    cli_common_t common = {0};
    opts_t o;
    args_t a = {0};
    int p = opts_parse(&o, &cmd, argc, argv, &common, &a);
    if (!p && optind + 1 != argc) {
        fprintf(stderr, "radiogx harmonise: give one run file (`radiogx harmonise --help`)\n");
        p = -1;
    }
    rgx_err err = p < 0 ? RGX_ERR_USAGE : RGX_OK;
    if (p) goto early;
    const char *out = a.out, *covar = a.covar, *apply = a.apply;
    const char *run = argv[optind];
    if (!out) out = run;
    cli_common_apply(&common);
    if (mpienv_init(&argc, &argv, common.threads))
        rgx_die(RGX_ERR_MPI, "harmonise", "%s", rgx_errmsg());
    int rank = rgx_mpi.rank;
    cfg_t *cfg = NULL;
    char *ccov = NULL;
    h5out_t h = {0};
    int have_h = 0;
    prov_inputs_t inputs = {0};
    err = cli_load_config(&common, &cfg);
    if (err) {
        if (rank == 0) fprintf(stderr, "radiogx harmonise: %s\n", rgx_errmsg());
        goto out;
    }
    if (!covar) cli_config_path(cfg, "study.covariates", &ccov), covar = ccov;
    err = prov_inputs_add(&inputs, "run", run);
    if (!err && covar) err = prov_inputs_add(&inputs, "covariates", covar);
    if (!err && apply) err = prov_inputs_add(&inputs, "harmonisation", apply);
    if (!err && !(err = h5out_create(&h, out, MPI_COMM_WORLD))) have_h = 1;
    if (!err) err = provenance_begin(&h, argc, argv, cfg, NULL, &inputs, 1);
    if (!err) err = carry_over(&h, run);
    harmonise_inputs_t in = {run, covar, apply};
    if (!err) err = harmonise_stage(cfg, &in, &h);
    if (!err) err = provenance_end(&h);
    if (!err && !(err = h5out_commit(&h))) {
        have_h = 0;
        if (rank == 0) log_info("harmonise: wrote %s", out);
    }
    comm_log_failure(MPI_COMM_WORLD, err, "harmonise"); /* once (every rank comes here) */
out:
    if (have_h) h5out_discard(&h);
    prov_inputs_free(&inputs);
    cfg_free(cfg);
    free(ccov);
    cli_common_free(&common);
    opts_free(&o);
    mpienv_finalize();
    return err;
early:
    cli_common_free(&common);
    opts_free(&o);
    return err;
}
