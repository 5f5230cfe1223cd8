/* cmd_extract.c — `radiogx extract`: the [extract] stage as its own MPI job. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt.h"
#include "cli.h"
#include "cmd.h"
#include "opts.h"
#include "extract.h"
#include "job.h"
#include "log.h"
#include "mpienv.h"
#include "signals.h"
#include "util.h"

static void usage(FILE *f)
{
    fprintf(
        f,
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
        "Options:\n"
        "  -m, --manifest FILE   cohort manifest (default: study.manifest of the config)\n"
        "  -o, --out FILE        run file to write (default: <study.out_dir>/features.h5 when the\n"
        "                        config sets study.out_dir; otherwise required)\n"
        "  -g, --genotypes FILE  genotype file (VCF/BCF, .bed, BGEN) whose sample ids are\n"
        "                        checked against (default: study.genotypes; none: no\n"
        "                        check)\n"
        "      --fresh           ignore checkpoints of an earlier run and start over\n"
        "      --no-checksums    skip the SHA-256 of every image in /provenance/inputs\n"
        "                        (size and mtime are still recorded)\n"
        "%s"
        "\n"
        "The feature settings are the config's extract section (docs/config.md); ready\n"
        "profiles: config/ct_default.yaml, config/mri_default.yaml, config/ibsi/*.yaml.\n"
        "\n"
        "Examples:\n"
        "  mpirun -np 4 radiogx extract -m cohort/manifest.tsv -c config/ct_default.yaml \\\n"
        "         -o results/study/run.h5\n"
        "  radiogx export results/study/run.h5 --features results/study/features.tsv\n",
        cli_common_help);
}

int cmd_extract(int argc, char **argv)
{
    static const struct option longopts[] = {{"manifest", required_argument, 0, 'm'},
                                             {"out", required_argument, 0, 'o'},
                                             {"genotypes", required_argument, 0, 'g'},
                                             {"fresh", no_argument, 0, 1},
                                             {"no-checksums", no_argument, 0, 2},
                                             {"help", no_argument, 0, 'h'},
                                             CLI_COMMON_LONG,
                                             {0, 0, 0, 0}};
    cli_common_t common = {0};
    const char *manifest_opt = NULL, *out_opt = NULL, *geno_opt = NULL;
    int fresh = 0, checksums = 1, opt;
    if (opts_check_table("extract", argc, argv, longopts, "m:o:g:h" CLI_COMMON_SHORT))
        return RGX_ERR_USAGE;
    while ((opt = getopt_long(argc, argv, "m:o:g:h" CLI_COMMON_SHORT, longopts, NULL)) != -1) {
        int k = cli_common_opt(&common, opt, optarg);
        if (k > 0) continue;
        if (k < 0) return RGX_ERR_USAGE;
        switch (opt) {
        case 'm':
            manifest_opt = optarg;
            break;
        case 'o':
            out_opt = optarg;
            break;
        case 'g':
            geno_opt = optarg;
            break;
        case 1:
            fresh = 1;
            break;
        case 2:
            checksums = 0;
            break;
        case 'h':
            usage(stdout);
            return RGX_OK;
        default:
            usage(stderr);
            return RGX_ERR_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "radiogx extract: unexpected argument '%s'\n", argv[optind]);
        return RGX_ERR_USAGE;
    }
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
    if (err && (job.have_plan || err == RGX_ERR_USAGE)) {
        if (err != RGX_ERR_REQUEUE)
            log_error("extract: %s", rgx_errmsg());
        else if (rank == 0)
            log_warn("%s; rerun the same command to resume (exit status 75)", rgx_errmsg());
    }
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
