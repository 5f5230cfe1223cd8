/* cmd_run.c — `radiogx run --config study.yaml`: plan -> extract -> join -> scan -> exports in
 * one MPI job, writing <study.out_dir>/<study.name>/. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ckpt.h"
#include "comm.h"
#include "cli.h"
#include "cmd.h"
#include "opts.h"
#include "export_features.h"
#include "export_sumstats.h"
#include "extract.h"
#include "harmonise.h"
#include "job.h"
#include "loci.h"
#include "pca_stage.h"
#include "log.h"
#include "mpienv.h"
#include "pheno.h"
#include "report.h"
#include "scan_stage.h"
#include "signals.h"
#include "util.h"
#include "runfile.h"

/* err, or if another rank failed (and this one did not) a failure naming what it could not
 * do: every rank learns of any rank's failure. */
static rgx_err all_ranks(MPI_Comm comm, rgx_err err, const char *what)
{
    return comm_agree(comm, err, what);
}

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: mpirun -np P radiogx run --config study.yaml [-P key=value]...\n"
            "       srun --mpi=pmix radiogx run --config study.yaml\n"
            "\n"
            "The whole analysis in one MPI job: checks the config, manifest and every patient's\n"
            "inputs (plan), extracts the IBSI features of every patient (extract), harmonises\n"
            "them across sites when harmonise.enabled (ComBat: docs/cmd-harmonise.md), joins them\n"
            "to the genotypes and covariates and scans every feature against every variant\n"
            "(scan), then writes the tables.  Everything goes to <study.out_dir>/<study.name>/:\n"
            "  run.h5          /provenance, /samples, /features, /variants, /assoc, /phenotypes, "
            "/hits\n"
            "  features.h5     the extraction (and /features_harmonised with harmonise.enabled),\n"
            "                  kept so the scan can be rerun\n"
            "  features.tsv    the feature table\n"
            "  hits.tsv        (variant, phenotype) pairs at -log10 p >= scan.hits_threshold\n"
            "  loci.tsv        the hits clumped into loci across phenotypes\n"
            "  pca.h5, pca.eigenvec, pca.eigenval, pca.kin0   with scan.pcs > 0: the\n"
            "                  ancestry PCs (radiogx pca) the scan adjusts for\n"
            "  sumstats/       GWAS-SSF v1.1 summary statistics per phenotype\n"
            "  report.html     cohort, failures, QC, lambda GC, study-wide threshold, loci;\n"
            "                  Manhattan and QQ PNGs\n"
            "A signal (SIGUSR1, SIGTERM) during extraction checkpoints and exits with status 75;\n"
            "the same command resumes.  The config: docs/config.md; an example: config/demo.yaml.\n"
            "\n"
            "Options:\n"
            "  -o, --out DIR  write there instead of <study.out_dir>/<study.name>/\n"
            "      --fresh    ignore checkpoints of an earlier run\n"
            "%s"
            "\n"
            "Example:\n"
            "  mpirun -np 4 radiogx run --config config/demo.yaml\n",
            cli_common_help);
}

int cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {{"fresh", no_argument, 0, 1},
                                             {"out", required_argument, 0, 'o'},
                                             {"help", no_argument, 0, 'h'},
                                             CLI_COMMON_LONG,
                                             {0, 0, 0, 0}};
    const char *out_opt = NULL;
    cli_common_t common = {0};
    int fresh = 0, opt;
    if (opts_check_table("run", argc, argv, longopts, "o:h" CLI_COMMON_SHORT)) return RGX_ERR_USAGE;
    while ((opt = getopt_long(argc, argv, "o:h" CLI_COMMON_SHORT, longopts, NULL)) != -1) {
        int k = cli_common_opt(&common, opt, optarg);
        if (k > 0) continue;
        if (k < 0) return RGX_ERR_USAGE;
        switch (opt) {
        case 1:
            fresh = 1;
            break;
        case 'o':
            out_opt = optarg;
            break;
        case 'h':
            usage(stdout);
            return RGX_OK;
        default:
            usage(stderr);
            return RGX_ERR_USAGE;
        }
    }
    if (optind < argc || !common.config) {
        fprintf(stderr, "radiogx run: give --config study.yaml (`radiogx run --help`)\n");
        return RGX_ERR_USAGE;
    }
    cli_common_apply(&common);
    if (mpienv_init(&argc, &argv, common.threads)) rgx_die(RGX_ERR_MPI, "run", "%s", rgx_errmsg());
    signals_install();
    MPI_Comm comm = MPI_COMM_WORLD;
    int rank = rgx_mpi.rank;
    job_t job;
    extract_cols_t cols = {0};
    prov_inputs_t inputs = {0};
    h5out_t h = {0};
    int have_h = 0, have_cols = 0;
    job_lock_t lock = {0};
    char *root = NULL, *dir = NULL, *feat = NULL, *runf = NULL, *ckdir = NULL, *covar = NULL,
         *pcaf = NULL;
    strbuf_t sb = {0}, sck = {0}; /* the extraction's and the scan's checkpoint folders */
    strbuf_t sites = {0};         /* one genotype file per site, comma-separated */
    rgx_err err = job_open(&job, "run", &common, NULL, NULL, comm);
    if (err) goto out;
    /* The summary statistics at the end need the genome build: said now, not after the scan. */
    if ((err = export_sumstats_check(job.cfg))) {
        if (rank == 0) fprintf(stderr, "radiogx run: %s\n", rgx_errmsg());
        goto out;
    }
    /* The scan's genotypes: study.genotypes, else one file per site (the manifest's genotypes
     * column) as a comma list: the scan then adds the sites' sums (docs/cmd-scan.md). */
    const char *geno = job.genotypes;
    if (!geno) {
        const char **files = NULL;
        size_t nf = 0;
        err = manifest_genotype_files(&job.m, &files, &nf);
        for (size_t k = 0; !err && k < nf; k++)
            err = sb_printf(&sites, "%s%s", k ? "," : "", files[k]);
        free(files);
        if (err) goto out;
        geno = sites.s;
    }
    if (!geno) {
        if (rank == 0)
            fprintf(stderr, "radiogx run: study.genotypes is not set and the manifest has no "
                            "genotypes column: the scan needs a genotype file\n");
        err = RGX_ERR_CONFIG;
        goto out;
    }
    int harmonise = cfg_bool(job.cfg, "harmonise.enabled");
    if (!harmonise && !strcmp(cfg_str(job.cfg, "scan.features"), "harmonised")) {
        if (rank == 0)
            fprintf(stderr, "radiogx run: scan.features is harmonised but harmonise.enabled is "
                            "false: there would be no harmonised features to scan\n");
        err = RGX_ERR_CONFIG;
        goto out;
    }
    /* <out_dir>/<name>/ */
    if (out_opt)
        err = rgx_strdup(&dir, out_opt);
    else if (!(err = cli_config_path(job.cfg, "study.out_dir", &root)))
        err = path_join(&dir, root ? root : "results", cfg_str(job.cfg, "study.name"));
    if (err) goto out;
    if (rank == 0) {
        char *p = NULL;
        if (path_dirname(&p, dir) == RGX_OK) mkdir(p, 0750), free(p);
        if (mkdir(dir, 0750) != 0 && errno != EEXIST)
            err = rgx_fail(RGX_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
    }
    int e = err != RGX_OK;
    MPI_Bcast(&e, 1, MPI_INT, 0, comm);
    if (e) {
        if (!err) err = RGX_ERR_IO;
        goto out;
    }
    if ((err = path_join(&feat, dir, "features.h5")) || (err = path_join(&runf, dir, "run.h5")) ||
        (err = sb_printf(&sb, "%s.ckpt", feat)))
        goto out;
    /* One job per output folder: a second one is refused (outfile.h), by the locks of the two
     * run files, which `extract -o` and `scan -o` take too. */
    if ((err = job_lock(&lock, (const char *const[]){feat, runf}, 2, comm))) {
        log_error("run: %s", rgx_errmsg());
        goto out;
    }
    ckdir = sb.s;
    if ((err = sb_printf(&sck, "%s.ckpt", runf))) goto out;

    /* [extract] -> features.h5 */
    if ((err = extract_cols_init(&cols, job.cfg, &job.m, &job.plan))) goto report;
    have_cols = 1;
    extract_opt_t eopt = {.ckpt_dir = ckdir, .stop = signals_stop_requested};
    if ((err = extract_run_key(job.cfg, &job.m, &cols, eopt.run_key))) goto report;
    if (fresh && rank == 0) ckpt_remove(ckdir), ckpt_remove(sck.s);
    MPI_Barrier(comm);
    if ((err = job_inputs(&job, &inputs))) goto report;
    if (cli_config_path(job.cfg, "study.covariates", &covar) == RGX_OK && covar)
        prov_inputs_add(&inputs, "covariates", covar);
    if (!(err = h5out_create(&h, feat, comm))) have_h = 1;
    if (!err) err = provenance_begin(&h, argc, argv, job.cfg, job.manifest_path, &inputs, 1);
    if (!err) err = extract_stage(&job.m, &job.plan, &cols, &eopt, &h);
    if (!err) err = provenance_end(&h);
    if (!err && !(err = h5out_commit(&h))) have_h = 0;
    if (err) goto report;
    /* The extraction's checkpoints stay until the end: a rerun after a stop in the scan
     * rebuilds features.h5 from them without reading an image. */

    /* [harmonise] -> /features_harmonised in features.h5 (rewritten beside the extraction's
     * objects, renamed over it when complete), where the scan reads its phenotypes */
    if (harmonise) {
        if (!(err = h5out_create(&h, feat, comm))) have_h = 1;
        const char *objs[] = {RF_PROVENANCE, RF_SAMPLES, RF_FEATURES};
        if (!err) err = h5out_copy_from(&h, feat, objs, 3);
        harmonise_inputs_t hin = {feat, covar, NULL};
        if (!err) err = harmonise_stage(job.cfg, &hin, &h);
        if (!err && !(err = h5out_commit(&h))) have_h = 0;
        if (err) goto report;
    }
    pheno_run_features(!strcmp(cfg_str(job.cfg, "scan.features"), "harmonised")
                           ? RF_HARM
                           : RF_FEATURES);

    /* [pca] -> pca.h5 (+ pca.eigenvec, .eigenval, .kin0) when the scan takes PCs
     * (scan.pcs > 0) and the config names no run file with them (scan.pca). */
    int with_pca = cfg_int(job.cfg, "scan.pcs") > 0 && cfg_is_null(job.cfg, "scan.pca");
    if (with_pca) {
        char *prefix = NULL;
        if ((err = path_join(&pcaf, dir, "pca.h5")) || (err = path_join(&prefix, dir, "pca")))
            goto report;
        if (!(err = h5out_create(&h, pcaf, comm))) have_h = 1;
        if (!err) err = provenance_begin(&h, argc, argv, job.cfg, job.manifest_path, &inputs, 1);
        pca_inputs_t pin = {geno, feat, NULL, prefix, NULL};
        if (!err) err = pca_stage(job.cfg, &pin, &h);
        if (!err) err = provenance_end(&h);
        if (!err && !(err = h5out_commit(&h))) have_h = 0;
        free(prefix);
        if (err) goto report;
    }

    /* [join] + [scan] -> run.h5, carrying /samples, /features (and /pca) forward */
    if (!(err = h5out_create(&h, runf, comm))) have_h = 1;
    if (!err) err = provenance_begin(&h, argc, argv, job.cfg, job.manifest_path, &inputs, 1);
    if (!err) {
        const char *objs[] = {RF_SAMPLES, RF_FEATURES, RF_HARM};
        err = h5out_copy_from(&h, feat, objs, harmonise ? 3 : 2);
    }
    if (!err && with_pca) {
        const char *objs[] = {RF_PCA};
        err = h5out_copy_from(&h, pcaf, objs, 1);
    }
    scan_inputs_t in = {.genotypes = geno, .run = feat, .covar = covar, .ckpt_dir = sck.s,
                        .stop = signals_stop_requested,
                        .covar_sha = prov_inputs_sha(&inputs, "covariates"), .pca = pcaf};
    if (!err) err = scan_stage(job.cfg, &in, &h);
    if (!err) err = provenance_end(&h);
    if (!err && !(err = h5out_commit(&h))) have_h = 0;
    if (err) goto report;
    MPI_Barrier(comm);
    if (rank == 0) ckpt_remove(ckdir), ckpt_remove(sck.s);

    /* Summary statistics: the phenotypes shared among the ranks (formatting and compression
     * are the cost); then the tables on rank 0, and the report. */
    {
        char *t = NULL;
        if (!(err = path_join(&t, dir, "sumstats")))
            err = export_sumstats(runf, t, rank, rgx_mpi.size, NULL, 0);
        free(t);
        if ((err = all_ranks(comm, err, "writing its summary statistics"))) goto report;
    }
    if (rank == 0) {
        char *t = NULL;
        if (!(err = path_join(&t, dir, "features.tsv"))) err = export_features_tsv(runf, t);
        free(t), t = NULL;
        if (!err && !(err = path_join(&t, dir, "hits.tsv"))) err = export_hits(runf, t, 0);
        free(t), t = NULL;
        if (!err && !(err = path_join(&t, dir, "loci.tsv"))) err = export_loci(runf, t, 0);
        free(t);
    }
    /* The report: the phenotypes' plots shared among the ranks, the page on rank 0. */
    if (!err) err = report_write(runf, dir, rank, rgx_mpi.size);
    err = all_ranks(comm, err, "writing its tables or its part of the report");
    if (!err && rank == 0)
        log_info("run: done: %s (run.h5, features.tsv, hits.tsv, loci.tsv, sumstats/, "
                 "report.html)",
                 dir);
report:
    if (err == RGX_ERR_REQUEUE) {
        if (rank == 0)
            log_warn("%s; rerun the same command to resume (exit status 75)", rgx_errmsg());
    } else if (err) {
        log_error("run: %s", rgx_errmsg());
    }
out:
    if (have_h) h5out_discard(&h);
    if (have_cols) extract_cols_free(&cols);
    job_unlock(&lock);
    prov_inputs_free(&inputs);
    job_close(&job);
    cli_common_free(&common);
    free(root), free(dir), free(feat), free(runf), free(ckdir), free(covar), free(sck.s),
        free(sites.s);
    free(pcaf);
    mpienv_finalize();
    return err;
}
