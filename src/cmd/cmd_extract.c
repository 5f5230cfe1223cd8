/* cmd_extract.c — `radiogx extract`: the [extract] stage as its own MPI job. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt.h"
#include "cli.h"
#include "cmd.h"
#include "comm.h"
#include "opts.h"
#include "extract.h"
#include "job.h"
#include "log.h"
#include "mpienv.h"
#include "signals.h"
#include "util.h"

enum { O_FRESH = 256, O_NO_CHECKSUMS };

static const opts_own_t own[] = {
    {"manifest", required_argument, 'm', "FILE",
     "cohort manifest (default: study.manifest of the config)"},
    {"out", required_argument, 'o', "FILE",
     "run file to write (default: <study.out_dir>/features.h5 when the config sets "
     "study.out_dir; otherwise required)"},
    {"genotypes", required_argument, 'g', "FILE",
     "genotype file (VCF/BCF, .bed, BGEN) whose sample ids are checked against (default: "
     "study.genotypes; none: no check)"},
    {"fresh", no_argument, O_FRESH, NULL, "ignore checkpoints of an earlier run and start over"},
    {"no-checksums", no_argument, O_NO_CHECKSUMS, NULL,
     "skip the SHA-256 of every image in /provenance/inputs (size and mtime are still "
     "recorded)"},
    {NULL, 0, 0, NULL, NULL},
};

static void usage(FILE *f, const opts_t *o)
{
    fprintf(f,
            "Usage: mpirun -np P radiogx extract --manifest M --config C --out RUN.h5 [options]\n"
            "\n"
            "Computes the IBSI features of every patient x image channel x ROI label of the\n"
            "manifest and writes /samples and /features of the run file RUN.h5 (see\n"
            "docs/formats.md).  Ranks share the patients by estimated cost (ROI voxels).  A\n"
            "patient whose inputs are bad (unreadable file, empty ROI, image and mask on\n"
            "different grids, all-NaN image) is marked failed with its reason and the run goes\n"
            "on; a broken manifest or config stops before any work.  Each finished patient is\n"
            "checkpointed in RUN.h5.ckpt/: after a kill, a time-out or a signal (SIGUSR1,\n"
            "SIGTERM: exit status 75) the same command resumes, with any number of ranks, and\n"
            "gives the same file as an uninterrupted run.\n"
            "\n"
            "Options:\n");
    opts_help(f, o, own);
    fprintf(f,
            "\n"
            "The feature settings are the config's extract section (docs/config.md); ready\n"
            "profiles: config/ct_default.yaml, config/mri_default.yaml, config/ibsi/*.yaml.\n"
            "\n"
            "Examples:\n"
            "  mpirun -np 4 radiogx extract -m cohort/manifest.tsv -c config/ct_default.yaml \\\n"
            "         -o results/study/run.h5\n"
            "  radiogx export results/study/run.h5 --features results/study/features.tsv\n");
}

typedef struct {
    const char *manifest, *out, *geno;
    int fresh, checksums;
} args_t;

static int take(void *ctx, int opt, const char *arg)
{
    args_t *a = ctx;
    switch (opt) {
    case 'm': a->manifest = arg; break;
    case 'o': a->out = arg; break;
    case 'g': a->geno = arg; break;
    case O_FRESH: a->fresh = 1; break;
    default: a->checksums = 0; /* O_NO_CHECKSUMS */
    }
    return 0;
}

static const opts_cmd_t cmd = {"extract", own, NULL, NULL, 0, usage, take};

int cmd_extract(int argc, char **argv)
{
    cli_common_t common = {0};
    args_t a = {.checksums = 1};
    opts_t o;
    int p = opts_parse(&o, &cmd, argc, argv, &common, &a);
    if (!p && optind < argc) {
        fprintf(stderr, "radiogx extract: unexpected argument '%s'\n", argv[optind]);
        p = -1;
    }
    opts_free(&o); /* no config section: nothing of common points into it */
    if (p) {
        cli_common_free(&common);
        return p > 0 ? RGX_OK : RGX_ERR_USAGE;
    }
    const char *manifest_opt = a.manifest, *out_opt = a.out, *geno_opt = a.geno;
    int fresh = a.fresh, checksums = a.checksums;
    cli_common_apply(&common);
    if (mpienv_init(&argc, &argv, common.threads))
        rgx_die(RGX_ERR_MPI, "extract", "%s", rgx_errmsg());
    signals_install();
    MPI_Comm comm = MPI_COMM_WORLD;
    int rank = rgx_mpi.rank;

    job_t job;
    extract_cols_t cols = {0};
    prov_inputs_t inputs = {0};
    h5out_t h = {0};
    int have_h = 0, have_cols = 0;
    char *out = NULL, *ckdir = NULL;
    job_lock_t lock = {0};
    rgx_err err = job_open(&job, "extract", &common, manifest_opt, geno_opt, comm);
    if (err) goto out;
    if (out_opt) {
        err = rgx_strdup(&out, out_opt);
    } else if (!cfg_is_set(job.cfg, "study.out_dir")) {
        /* Not the schema's default "results" beside the config file: a ready profile's folder
         * (config/) is no place for a cohort's run file. */
        err = rgx_fail(RGX_ERR_USAGE, "say where to write: --out RUN.h5 (or study.out_dir in "
                                      "the config, for <out_dir>/features.h5)");
    } else {
        char *dir = NULL;
        err = cli_config_path(job.cfg, "study.out_dir", &dir);
        if (!err) err = path_join(&out, dir ? dir : ".", "features.h5");
        free(dir);
    }
    /* One job per output: a second one is refused (outfile.h). */
    if (!err) err = job_lock(&lock, (const char *const[]){out}, 1, comm);
    if (!err && !(err = extract_cols_init(&cols, job.cfg, &job.m, &job.plan))) have_cols = 1;
    extract_opt_t eopt = {0};
    eopt.stop = signals_stop_requested;
    if (!err) err = extract_run_key(job.cfg, &job.m, &cols, eopt.run_key);
    strbuf_t ck = {0};
    if (!err && !(err = sb_printf(&ck, "%s.ckpt", out))) {
        eopt.ckpt_dir = ckdir = ck.s;
        if (fresh && rank == 0) ckpt_remove(ckdir);
        MPI_Barrier(comm);
    }
    if (!err && rank == 0)
        log_info("extract: %zu features per patient (%d channel%s x ROI labels x IBSI features) "
                 "-> %s",
                 cols.n, job.m.n_channels, job.m.n_channels == 1 ? "" : "s", out);
    if (!err) err = job_inputs(&job, &inputs);
    if (!err && !(err = h5out_create(&h, out, comm))) have_h = 1;
    if (!err)
        err = provenance_begin(&h, argc, argv, job.cfg, job.manifest_path, &inputs, checksums);
    if (!err) err = extract_stage(&job.m, &job.plan, &cols, &eopt, &h);
    if (!err) err = provenance_end(&h);
    if (!err && !(err = h5out_commit(&h))) {
        have_h = 0;
        if (rank == 0) {
            ckpt_remove(ckdir);
            log_info("extract: wrote %s", out);
        }
    }
    /* Once for the job (every rank comes here); a failure to plan was said already (a stop
     * request comes after the plan). */
    comm_log_failure(comm, job.have_plan || err == RGX_ERR_USAGE ? err : RGX_OK, "extract");
out:
    if (have_h) h5out_discard(&h);
    if (have_cols) extract_cols_free(&cols);
    job_unlock(&lock);
    prov_inputs_free(&inputs);
    job_close(&job);
    cli_common_free(&common);
    free(out), free(ckdir);
    mpienv_finalize();
    return err;
}
