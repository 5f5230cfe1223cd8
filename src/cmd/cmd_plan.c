/* cmd_plan.c — `radiogx plan`: check a manifest and config before any work. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "opts.h"
#include "log.h"
#include "manifest.h"
#include "mpienv.h"
#include "plan.h"

static const opts_own_t own[] = {
    {"manifest", required_argument, 'm', "FILE",
     "cohort manifest (default: study.manifest of the config)"},
    {"genotypes", required_argument, 'g', "FILE",
     "genotype file (VCF/BCF, .bed, BGEN) the sample ids must be in (default: "
     "study.genotypes, or the manifest's genotypes column)"},
    {"ranks", required_argument, 'n', "N",
     "show the assignment for N ranks (default: the MPI "
     "size)"},
    {NULL, 0, 0, NULL, NULL},
};

static void usage(FILE *f, const opts_t *o)
{
    fprintf(f,
            "Usage: radiogx plan [--manifest M] [--config C] [options]\n"
            "       mpirun -np P radiogx plan --manifest M ...   (the checks shared by P ranks)\n"
            "\n"
            "Checks everything a run needs before any work starts, and prints one line per\n"
            "problem with its file and line: the config (unknown or misspelt keys, wrong types,\n"
            "values out of range), the manifest (header, columns, duplicate ids, empty cells,\n"
            "wrong field counts), and each patient's inputs (missing or unreadable files, NIfTI\n"
            "headers, DICOM series (one series, no missing or uneven slices), RTSTRUCT/SEG ROI\n"
            "names, dose grids covering their structures, image/mask grids, empty ROIs, sample\n"
            "ids absent from the genotype file).\n"
            "Then it shows how patients would be shared among ranks (by estimated cost: ROI\n"
            "voxels). extract and run make the same checks at their start: a broken manifest or\n"
            "config stops them; a bad patient is marked and the run goes on without it.\n"
            "\n"
            "Options:\n");
    opts_help(f, o, own);
    fprintf(f, "\n"
               "Exit status: 0 no problem, 3 config error, 4 manifest or patient problems.\n"
               "\n"
               "Examples:\n"
               "  radiogx plan --manifest cohort/manifest.tsv --config config/ct_default.yaml\n"
               "  radiogx plan --config study.yaml --ranks 64\n");
}

typedef struct {
    const char *manifest, *geno;
    long n_ranks;
} args_t;

static int take(void *ctx, int opt, const char *arg)
{
    args_t *a = ctx;
    if (opt == 'm') return a->manifest = arg, 0;
    if (opt == 'g') return a->geno = arg, 0;
    return (a->n_ranks = cli_positive("--ranks", arg)) < 0 ? -1 : 0; /* -n */
}

static const opts_cmd_t cmd = {"plan", own, NULL, NULL, 0, usage, take};

int cmd_plan(int argc, char **argv)
{
    cli_common_t common = {0};
    args_t a = {0};
    opts_t o;
    rgx_err rc = RGX_OK;
    int p = opts_parse(&o, &cmd, argc, argv, &common, &a);
    if (!p && optind < argc) {
        fprintf(stderr, "radiogx plan: unexpected argument '%s'\n", argv[optind]);
        p = -1;
    }
    opts_free(&o); /* no config section: nothing of common points into it */
    if (p) {
        cli_common_free(&common);
        return p > 0 ? RGX_OK : RGX_ERR_USAGE;
    }
    const char *manifest_path = a.manifest, *geno_opt = a.geno;
    long n_ranks = a.n_ranks;
    cli_common_apply(&common);
    MPI_Comm comm = MPI_COMM_NULL;
    if (mpienv_launched()) {
        if (mpienv_init(&argc, &argv, common.threads))
            rgx_die(RGX_ERR_MPI, "plan", "%s", rgx_errmsg());
        comm = MPI_COMM_WORLD;
    }
    int rank = rgx_mpi.rank;

    /* The config first; a broken config is reported, and the manifest is still checked
     * (with defaults) so that one run of plan shows every problem. */
    cfg_t *cfg = NULL;
    rgx_err cerr = cli_load_config(&common, &cfg);
    if (cerr) {
        if (rank == 0) fprintf(stdout, "%s\n", rgx_errmsg());
        rc = cerr;
        cli_common_t none = {0};
        cli_load_config(&none, &cfg);
    }
    char *mpath = NULL, *gpath = NULL;
    if (!manifest_path && cli_config_path(cfg, "study.manifest", &mpath) == RGX_OK && mpath)
        manifest_path = mpath;
    if (geno_opt)
        gpath = strdup(geno_opt);
    else
        cli_config_path(cfg, "study.genotypes", &gpath);
    if (!manifest_path) {
        if (rank == 0)
            fprintf(stderr, "radiogx plan: no manifest: give --manifest or study.manifest in the "
                            "config\n");
        if (!rc) rc = RGX_ERR_USAGE;
        goto out;
    }

    manifest_t m;
    rgx_err merr = manifest_read(manifest_path, &m);
    if (rank == 0)
        for (size_t i = 0; i < m.n_problems; i++) fprintf(stdout, "%s\n", m.problem[i]);
    if (merr == RGX_ERR_MANIFEST && m.n_problems && m.n == 0) {
        if (!rc) rc = merr;
        manifest_free(&m);
        goto out;
    }
    if (merr && merr != RGX_ERR_MANIFEST) {
        if (rank == 0) fprintf(stderr, "radiogx plan: %s\n", rgx_errmsg());
        rc = merr;
        manifest_free(&m);
        goto out;
    }
    if (merr && !rc) rc = merr;

    plan_opt_t popt;
    plan_opt_init(&popt);
    popt.genotypes = gpath;
    popt.geometry_tol_mm = cfg_float(cfg, "study.affine_tolerance_mm");
    dose_opt_t dose;
    rgx_err derr = dose_opt_load(cfg, &m, &dose);
    if (derr) {
        if (rank == 0) fprintf(stderr, "radiogx plan: %s\n", rgx_errmsg());
        rc = derr;
        manifest_free(&m);
        goto out;
    }
    popt.dose = &dose;
    plan_t plan;
    rgx_err perr = plan_make(&m, &popt, comm, (int)n_ranks, &plan);
    if (perr) {
        if (rank == 0) fprintf(stderr, "radiogx plan: %s\n", rgx_errmsg());
        rc = perr;
        manifest_free(&m);
        goto out;
    }
    if (rank == 0) {
        for (size_t i = 0; i < plan.n_problems; i++) fprintf(stdout, "%s\n", plan.problem[i]);
        size_t ok = plan.n - plan.n_bad - plan.n_no_geno;
        printf("plan: %zu patients in %s, %d channel%s: %zu ready, %zu with bad inputs (would be "
               "skipped), %zu without genotypes (features only)\n",
               plan.n, manifest_path, m.n_channels, m.n_channels == 1 ? "" : "s", ok, plan.n_bad,
               plan.n_no_geno);
        if (!gpath && !m.has_genotypes)
            printf("plan: no genotype file given: sample ids not checked\n");
        double total = 0;
        for (int r = 0; r < plan.n_ranks; r++) total += plan.rank_cost[r];
        for (int r = 0; r < plan.n_ranks; r++) {
            size_t np = 0;
            for (size_t i = 0; i < plan.n; i++) np += plan.p[i].rank == r;
            printf("plan: rank %d: %zu patients, %.1f%% of the estimated work\n", r, np,
                   total > 0 ? 100.0 * plan.rank_cost[r] / total : 0.0);
        }
        size_t np = m.n_problems + plan.n_problems + (cerr != RGX_OK);
        if (np) printf("plan: %zu problem%s found\n", np, np == 1 ? "" : "s");
    }
    if (plan.n_problems && !rc) rc = RGX_ERR_MANIFEST;
    plan_free(&plan);
    manifest_free(&m);
out:
    free(mpath);
    free(gpath);
    cfg_free(cfg);
    cli_common_free(&common);
    if (comm != MPI_COMM_NULL) mpienv_finalize();
    return rc;
}
