/* cmd_harmonise.c — `radiogx harmonise RUN.h5`: ComBat across sites as its own MPI job. */
#include <getopt.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "harmonise.h"
#include "log.h"
#include "mpienv.h"
#include "provenance.h"
#include "util.h"

static void usage(FILE *f)
{
    fprintf(
        f,
        "Usage: mpirun -np P radiogx harmonise RUN.h5 [--covar C.tsv] [options] [-o OUT.h5]\n"
        "       mpirun -np P radiogx harmonise RUN.h5 --apply FITTED.h5 [--covar C.tsv] [-o OUT.h5]\n"
        "\n"
        "ComBat (Johnson et al. 2007, as sva::ComBat computes it) of the run's /features across\n"
        "sites: per feature a site location and scale, shrunk by empirical Bayes towards priors\n"
        "shared by the features of one image channel and ROI label, with the design covariates'\n"
        "effects preserved.  Writes /features_harmonised (values, and the site parameters and\n"
        "priors for the record) beside /features, which stays raw; the scan reads them with\n"
        "-P scan.features=harmonised.  Ranks hold disjoint tiles of patients and exchange only\n"
        "per-site sums; the result is bitwise identical for any number of ranks.\n"
        "With --apply, the parameters stored in FITTED.h5 by an earlier harmonisation map this\n"
        "run's patients (a validation cohort onto the discovery cohort): same features, sites\n"
        "among the stored ones, the stored covariates.  Manual: docs/cmd-harmonise.md.\n"
        "\n"
        "Options (config keys harmonise.*; defaults in brackets):\n"
        "  -o, --out FILE          run file to write [RUN.h5 itself, replaced when complete]\n"
        "      --covar FILE        covariate table, plink2 style [study.covariates]\n"
        "      --apply FILE        apply FILE's stored parameters instead of estimating\n"
        "      --batch B           site (the manifest's) or a covariate-table column [site]\n"
        "      --covariates L      comma list of covariate columns in the design [none]\n"
        "      --method M          parametric or nonparametric [parametric]\n"
        "      --mean-only         adjust the site means only\n"
        "      --ref-site S        leave site S as it is and map the others onto it [none]\n"
        "      --min-site-size N   refuse sites with fewer patients [5]\n"
        "      --by B              priors per channel_label, or over all features [channel_label]\n"
        "%s"
        "\n"
        "Examples:\n"
        "  mpirun -np 4 radiogx harmonise run.h5 --covar cohort/covariates.tsv --covariates age,sex\n"
        "  mpirun -np 2 radiogx harmonise validation.h5 --apply run.h5 --covar val_covariates.tsv\n",
        cli_common_help);
}

/* The top-level objects of a run file but /provenance and /features_harmonised: what the
 * new file carries over. */
static herr_t collect(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g, (void)info;
    strbuf_t *sb = data;
    if (!strcmp(name, "provenance") || !strcmp(name, "features_harmonised")) return 0;
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

int cmd_harmonise(int argc, char **argv)
{
    static const struct {
        const char *opt, *key;
    } keys[] = {{"batch", "harmonise.batch"},   {"covariates", "harmonise.covariates"},
                {"method", "harmonise.method"}, {"ref-site", "harmonise.ref_site"},
                {"min-site-size", "harmonise.min_site_size"}, {"by", "harmonise.by"}};
    enum { NK = sizeof keys / sizeof keys[0] };
    const struct option common_long[] = {CLI_COMMON_LONG};
    enum { NC = sizeof common_long / sizeof common_long[0], NOWN = 5 };
    struct option longopts[NOWN + NK + NC + 1];
    int nl = 0;
    longopts[nl++] = (struct option){"out", required_argument, 0, 'o'};
    longopts[nl++] = (struct option){"covar", required_argument, 0, 1};
    longopts[nl++] = (struct option){"apply", required_argument, 0, 2};
    longopts[nl++] = (struct option){"mean-only", no_argument, 0, 3};
    longopts[nl++] = (struct option){"help", no_argument, 0, 'h'};
    for (int k = 0; k < NK; k++)
        longopts[nl++] = (struct option){keys[k].opt, required_argument, 0, 1000 + k};
    for (size_t k = 0; k < NC; k++) longopts[nl++] = common_long[k];
    longopts[nl] = (struct option){0, 0, 0, 0};

    cli_common_t common = {0};
    const char *out = NULL, *covar = NULL, *apply = NULL;
    char *made[NK + 1];
    int n_made = 0, opt;
    while ((opt = getopt_long(argc, argv, "o:h" CLI_COMMON_SHORT, longopts, NULL)) != -1) {
        int k = cli_common_opt(&common, opt, optarg);
        if (k > 0) continue;
        if (k < 0) return RGX_ERR_USAGE;
        if ((opt >= 1000 && opt < 1000 + NK) || opt == 3) { /* a config override */
            strbuf_t sb = {0};
            if (opt == 3 ? sb_printf(&sb, "harmonise.mean_only=true")
                         : sb_printf(&sb, "%s=%s", keys[opt - 1000].key, optarg))
                return RGX_ERR_MEMORY;
            made[n_made++] = sb.s;
            cli_common_opt(&common, 'P', sb.s);
            continue;
        }
        switch (opt) {
        case 'o':
            out = optarg;
            break;
        case 1:
            covar = optarg;
            break;
        case 2:
            apply = optarg;
            break;
        case 'h':
            usage(stdout);
            return RGX_OK;
        default:
            usage(stderr);
            return RGX_ERR_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "radiogx harmonise: give one run file (`radiogx harmonise --help`)\n");
        return RGX_ERR_USAGE;
    }
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
    rgx_err err = cli_load_config(&common, &cfg);
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
    if (err) log_error("harmonise: %s", rgx_errmsg());
out:
    if (have_h) h5out_discard(&h);
    prov_inputs_free(&inputs);
    cfg_free(cfg);
    free(ccov);
    for (int k = 0; k < n_made; k++) free(made[k]);
    cli_common_free(&common);
    mpienv_finalize();
    return err;
}
