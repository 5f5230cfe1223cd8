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
#include "covar_run.h"
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

enum { O_FRESH = 256 };

static const opts_own_t own[] = {
    {"out", required_argument, 'o', "DIR", "write there instead of <study.out_dir>/<study.name>/"},
    {"fresh", no_argument, O_FRESH, NULL, "ignore checkpoints of an earlier run"},
    {NULL, 0, 0, NULL, NULL},
};

static void usage(FILE *f, const opts_t *o)
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
            "Options:\n");
    opts_help(f, o, own);
    fprintf(f, "\n"
               "Example:\n"
               "  mpirun -np 4 radiogx run --config config/demo.yaml\n");
}

/* One `radiogx run`: its options, where it writes, and what the stages hand on. */
typedef struct {
    int argc;
    char **argv;
    const char *out_opt;
    int fresh;
    cli_common_t common;
    MPI_Comm comm;
    int rank;
    job_t job;
    extract_cols_t cols;
    prov_inputs_t inputs;
    h5out_t h;
    int have_h, have_cols, harmonise, with_pca;
    job_lock_t lock;
    const char *geno; /* the scan's genotypes: study.genotypes or sites.s */
    char *root, *dir, *feat, *runf, *ckdir, *covar, *pcaf;
    char *cfr_cov, *cfr_ph; /* scan.covar_from_run: the tables made beside run.h5 */
    strbuf_t sck;           /* the scan's checkpoint folder */
    strbuf_t sites;         /* one genotype file per site, comma-separated */
} run_t;

static int take(void *ctx, int opt, const char *arg)
{
    run_t *r = ctx;
    if (opt == 'o')
        r->out_opt = arg;
    else
        r->fresh = 1; /* O_FRESH */
    return 0;
}

static const opts_cmd_t cmd = {"run", own, NULL, NULL, 0, usage, take};

/* The options; returns -1 to go on, else the exit status (help printed: RGX_OK). */
static int run_options(run_t *r)
{
    opts_t o;
    int p = opts_parse(&o, &cmd, r->argc, r->argv, &r->common, r);
    opts_free(&o); /* no config section: nothing of common points into it */
    if (p) return p > 0 ? RGX_OK : RGX_ERR_USAGE;
    if (optind < r->argc || !r->common.config) {
        fprintf(stderr, "radiogx run: give --config study.yaml (`radiogx run --help`)\n");
        return RGX_ERR_USAGE;
    }
    return -1;
}

/* The scan's genotypes: study.genotypes, else one file per site (the manifest's genotypes
 * column) as a comma list: the scan then adds the sites' sums (docs/cmd-scan.md). */
static rgx_err run_genotypes(run_t *r)
{
    r->geno = r->job.genotypes;
    if (!r->geno) {
        const char **files = NULL;
        size_t nf = 0;
        rgx_err err = manifest_genotype_files(&r->job.m, &files, &nf);
        for (size_t k = 0; !err && k < nf; k++)
            err = sb_printf(&r->sites, "%s%s", k ? "," : "", files[k]);
        free(files);
        if (err) return err;
        r->geno = r->sites.s;
    }
    if (!r->geno) {
        if (r->rank == 0)
            fprintf(stderr, "radiogx run: study.genotypes is not set and the manifest has no "
                            "genotypes column: the scan needs a genotype file\n");
        return RGX_ERR_CONFIG;
    }
    return RGX_OK;
}

/* <out_dir>/<name>/ (or --out) made by rank 0, its files' names, and the job's lock. */
static rgx_err run_folder(run_t *r)
{
    rgx_err err;
    strbuf_t sb = {0};
    if (r->out_opt)
        err = rgx_strdup(&r->dir, r->out_opt);
    else if (!(err = cli_config_path(r->job.cfg, "study.out_dir", &r->root)))
        err = path_join(&r->dir, r->root ? r->root : "results", cfg_str(r->job.cfg, "study.name"));
    if (err) return err;
    if (r->rank == 0) {
        char *p = NULL;
        if (path_dirname(&p, r->dir) == RGX_OK) mkdir(p, 0750), free(p);
        if (mkdir(r->dir, 0750) != 0 && errno != EEXIST)
            err = rgx_fail(RGX_ERR_IO, "%s: cannot create: %s", r->dir, strerror(errno));
    }
    int e = err != RGX_OK;
    MPI_Bcast(&e, 1, MPI_INT, 0, r->comm);
    if (e) return err ? err : RGX_ERR_IO;
    if ((err = path_join(&r->feat, r->dir, "features.h5")) ||
        (err = path_join(&r->runf, r->dir, "run.h5")) ||
        (err = sb_printf(&sb, "%s.ckpt", r->feat))) {
        free(sb.s);
        return err;
    }
    r->ckdir = sb.s;
    /* One job per output folder: a second one is refused (outfile.h), by the locks of the two
     * run files, which `extract -o` and `scan -o` take too. */
    if ((err = job_lock(&r->lock, (const char *const[]){r->feat, r->runf}, 2, r->comm))) {
        log_error("run: %s", rgx_errmsg());
        return err;
    }
    return sb_printf(&r->sck, "%s.ckpt", r->runf);
}

/* Everything checked before any work: the config, the genotypes, the output folder. */
static rgx_err run_setup(run_t *r)
{
    rgx_err err = job_open(&r->job, "run", &r->common, NULL, NULL, r->comm);
    if (err) return err;
    /* The summary statistics at the end need the genome build: said now, not after the scan. */
    if ((err = export_sumstats_check(r->job.cfg))) {
        if (r->rank == 0) fprintf(stderr, "radiogx run: %s\n", rgx_errmsg());
        return err;
    }
    if ((err = run_genotypes(r))) return err;
    r->harmonise = cfg_bool(r->job.cfg, "harmonise.enabled");
    if (!r->harmonise && !strcmp(cfg_str(r->job.cfg, "scan.features"), "harmonised")) {
        if (r->rank == 0)
            fprintf(stderr, "radiogx run: scan.features is harmonised but harmonise.enabled is "
                            "false: there would be no harmonised features to scan\n");
        return RGX_ERR_CONFIG;
    }
    return run_folder(r);
}

/* Ends a run file being written: its provenance, then the rename (outfile.h). */
static rgx_err run_commit(run_t *r, rgx_err err)
{
    if (!err) err = provenance_end(&r->h);
    if (!err && !(err = h5out_commit(&r->h))) r->have_h = 0;
    return err;
}

/* [extract] -> features.h5.  The extraction's checkpoints stay until the end: a rerun after a
 * stop in the scan rebuilds features.h5 from them without reading an image. */
static rgx_err run_extract(run_t *r)
{
    job_t *job = &r->job;
    rgx_err err = extract_cols_init(&r->cols, job->cfg, &job->m, &job->plan);
    if (err) return err;
    r->have_cols = 1;
    extract_opt_t eopt = {.ckpt_dir = r->ckdir, .stop = signals_stop_requested};
    if ((err = extract_run_key(job->cfg, &job->m, &r->cols, eopt.run_key))) return err;
    if (r->fresh && r->rank == 0) ckpt_remove(r->ckdir), ckpt_remove(r->sck.s);
    MPI_Barrier(r->comm);
    if ((err = job_inputs(job, &r->inputs))) return err;
    if (cli_config_path(job->cfg, "study.covariates", &r->covar) == RGX_OK && r->covar)
        prov_inputs_add(&r->inputs, "covariates", r->covar);
    if (!(err = h5out_create(&r->h, r->feat, r->comm))) r->have_h = 1;
    if (!err)
        err =
            provenance_begin(&r->h, r->argc, r->argv, job->cfg, job->manifest_path, &r->inputs, 1);
    if (!err) err = extract_stage(&job->m, &job->plan, &r->cols, &eopt, &r->h);
    return run_commit(r, err);
}

/* [harmonise] -> /features_harmonised in features.h5 (rewritten beside the extraction's
 * objects, renamed over it when complete), where the scan reads its phenotypes. */
static rgx_err run_harmonise(run_t *r)
{
    rgx_err err = h5out_create(&r->h, r->feat, r->comm);
    if (!err) r->have_h = 1;
    const char *objs[] = {RF_PROVENANCE, RF_SAMPLES, RF_FEATURES};
    if (!err) err = h5out_copy_from(&r->h, r->feat, objs, 3);
    harmonise_inputs_t hin = {r->feat, r->covar, NULL};
    if (!err) err = harmonise_stage(r->job.cfg, &hin, &r->h);
    if (!err && !(err = h5out_commit(&r->h))) r->have_h = 0;
    return err;
}

/* [pca] -> pca.h5 (+ pca.eigenvec, .eigenval, .kin0). */
static rgx_err run_pca(run_t *r)
{
    char *prefix = NULL;
    rgx_err err;
    if ((err = path_join(&r->pcaf, r->dir, "pca.h5")) || (err = path_join(&prefix, r->dir, "pca")))
        goto out;
    if (!(err = h5out_create(&r->h, r->pcaf, r->comm))) r->have_h = 1;
    if (!err)
        err = provenance_begin(&r->h, r->argc, r->argv, r->job.cfg, r->job.manifest_path,
                               &r->inputs, 1);
    pca_inputs_t pin = {r->geno, r->feat, NULL, prefix, NULL};
    if (!err) err = pca_stage(r->job.cfg, &pin, &r->h);
    err = run_commit(r, err);
out:
    free(prefix);
    return err;
}

/* [join] + [scan] -> run.h5, carrying /samples, /features (and /pca) forward. */
static rgx_err run_scan(run_t *r)
{
    rgx_err err = h5out_create(&r->h, r->runf, r->comm);
    if (!err) r->have_h = 1;
    if (!err)
        err = provenance_begin(&r->h, r->argc, r->argv, r->job.cfg, r->job.manifest_path,
                               &r->inputs, 1);
    if (!err) {
        const char *objs[] = {RF_SAMPLES, RF_FEATURES, RF_HARM};
        err = h5out_copy_from(&r->h, r->feat, objs, r->harmonise ? 3 : 2);
    }
    if (!err && r->with_pca) {
        const char *objs[] = {RF_PCA};
        err = h5out_copy_from(&r->h, r->pcaf, objs, 1);
    }
    /* Features as covariates (scan.covar_from_run): tables beside the run file. */
    const char *cfr = cfg_str(r->job.cfg, "scan.covar_from_run");
    char cfr_sha[2][65];
    if (!err && cfr)
        err = covar_run_prepare(r->comm, r->runf, r->feat, cfr, r->covar, &r->cfr_cov, &r->cfr_ph,
                                cfr_sha);
    scan_inputs_t in = {.genotypes = r->geno,
                        .pheno = cfr ? r->cfr_ph : NULL,
                        .run = r->feat,
                        .covar = cfr ? r->cfr_cov : r->covar,
                        .ckpt_dir = r->sck.s,
                        .stop = signals_stop_requested,
                        .pheno_sha = cfr ? cfr_sha[1] : NULL,
                        .covar_sha = cfr ? cfr_sha[0] : prov_inputs_sha(&r->inputs, "covariates"),
                        .pca = r->pcaf};
    if (!err) err = scan_stage(r->job.cfg, &in, &r->h);
    return run_commit(r, err);
}

/* Summary statistics: the phenotypes shared among the ranks (formatting and compression are
 * the cost); then the tables on rank 0, and the report. */
static rgx_err run_outputs(run_t *r)
{
    const char *dir = r->dir, *runf = r->runf;
    char *t = NULL;
    rgx_err err = path_join(&t, dir, "sumstats");
    if (!err) err = export_sumstats(runf, t, r->rank, rgx_mpi.size, NULL, 0);
    free(t), t = NULL;
    if ((err = all_ranks(r->comm, err, "writing its summary statistics"))) return err;
    if (r->rank == 0) {
        if (!(err = path_join(&t, dir, "features.tsv"))) err = export_features_tsv(runf, t);
        free(t), t = NULL;
        if (!err && !(err = path_join(&t, dir, "hits.tsv"))) err = export_hits(runf, t, 0);
        free(t), t = NULL;
        if (!err && !(err = path_join(&t, dir, "loci.tsv"))) err = export_loci(runf, t, 0);
        free(t);
    }
    /* The report: the phenotypes' plots shared among the ranks, the page on rank 0. */
    if (!err) err = report_write(runf, dir, r->rank, rgx_mpi.size);
    err = all_ranks(r->comm, err, "writing its tables or its part of the report");
    if (!err && r->rank == 0)
        log_info("run: done: %s (run.h5, features.tsv, hits.tsv, loci.tsv, sumstats/, "
                 "report.html)",
                 dir);
    return err;
}

/* The stages, in order; a failure is logged (a stop asks for a rerun). */
static rgx_err run_stages(run_t *r)
{
    rgx_err err;
    if ((err = run_extract(r))) goto report;
    if (r->harmonise && (err = run_harmonise(r))) goto report;
    pheno_run_features(!strcmp(cfg_str(r->job.cfg, "scan.features"), "harmonised") ? RF_HARM
                                                                                   : RF_FEATURES);
    /* PCs when the scan takes them (scan.pcs > 0) and the config names no run file with them
     * (scan.pca). */
    r->with_pca = cfg_int(r->job.cfg, "scan.pcs") > 0 && cfg_is_null(r->job.cfg, "scan.pca");
    if (r->with_pca && (err = run_pca(r))) goto report;
    if ((err = run_scan(r))) goto report;
    MPI_Barrier(r->comm);
    if (r->rank == 0) ckpt_remove(r->ckdir), ckpt_remove(r->sck.s);
    if (r->rank == 0 && r->cfr_cov) remove(r->cfr_cov), remove(r->cfr_ph);
    err = run_outputs(r);
report:
    comm_log_failure(r->comm, err, "run"); /* (every rank comes here) */
    return err;
}

int cmd_run(int argc, char **argv)
{
    run_t *r = calloc(1, sizeof *r);
    if (!r) {
        fprintf(stderr, "radiogx run: out of memory\n");
        return RGX_ERR_MEMORY;
    }
    r->argc = argc, r->argv = argv;
    int rc = run_options(r);
    if (rc >= 0) {
        cli_common_free(&r->common);
        free(r);
        return rc;
    }
    cli_common_apply(&r->common);
    if (mpienv_init(&r->argc, &r->argv, r->common.threads))
        rgx_die(RGX_ERR_MPI, "run", "%s", rgx_errmsg());
    signals_install();
    r->comm = MPI_COMM_WORLD;
    r->rank = rgx_mpi.rank;
    rgx_err err = run_setup(r);
    if (!err) err = run_stages(r);
    if (r->have_h) h5out_discard(&r->h);
    if (r->have_cols) extract_cols_free(&r->cols);
    job_unlock(&r->lock);
    prov_inputs_free(&r->inputs);
    job_close(&r->job);
    cli_common_free(&r->common);
    free(r->root), free(r->dir), free(r->feat), free(r->runf), free(r->ckdir), free(r->covar);
    free(r->sck.s), free(r->sites.s), free(r->pcaf), free(r->cfr_cov), free(r->cfr_ph);
    free(r);
    mpienv_finalize();
    return err;
}
