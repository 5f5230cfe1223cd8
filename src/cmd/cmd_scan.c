/* cmd_scan.c — `radiogx scan`: the association scan as its own MPI job. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt.h"
#include "cli.h"
#include "cmd.h"
#include "comm.h"
#include "covar_run.h"
#include "geno.h"
#include "h5in.h"
#include "job.h"
#include "log.h"
#include "mpienv.h"
#include "opts.h"
#include "pheno.h"
#include "provenance.h"
#include "scan_stage.h"
#include "schema.h"
#include "signals.h"
#include "util.h"
#include "runfile.h"

enum { O_COVAR = 256, O_NO_CHECKSUMS };

/* The options of `radiogx scan` that are no config key; the others are the keys of the scan
 * section with a flag (schema_scan.c). */
static const opts_own_t own[] = {
    {"genotypes", required_argument, 'g', "FILE",
     "VCF, VCF.gz or BCF (indexed: .tbi/.csi, or not), a PLINK .bed (+ .bim, .fam; or the "
     "fileset's prefix), or BGEN v1.1-v1.3 (+ .sample, .bgi when present); or one file per "
     "site, comma-separated (the same variants in each): samples are then split across ranks "
     "and only sums cross them (docs/formats.md) [study.genotypes]"},
    {"pheno", required_argument, 'p', "FILE",
     "phenotype table, plink2 style (#IID or #FID IID header, NA for missing) [scan.pheno]"},
    {"run", required_argument, 'r', "FILE",
     "or: the /features of a run file (patients with status ok)"},
    {"covar", required_argument, O_COVAR, "FILE",
     "covariate table, plink2 style; text columns are categorical [study.covariates]"},
    {"out", required_argument, 'o', "FILE", "run file to write"},
    {"no-checksums", no_argument, O_NO_CHECKSUMS, NULL,
     "record the genotype file by size and time only, not by SHA-256 (hashing runs at ~400 "
     "MB/s on one rank: minutes for a genome-wide VCF); tables are always hashed"},
    {NULL, 0, 0, NULL, NULL},
};

/* The genotype files in the provenance: each of the list, and those read with it. */
static rgx_err add_genotypes(prov_inputs_t *inputs, const char *list, const char *format)
{
    char **files;
    int n;
    rgx_err err = geno_files(list, format, &files, &n);
    for (int k = 0; k < n && !err; k++) err = prov_inputs_add(inputs, "genotypes", files[k]);
    geno_files_free(files, n);
    return err;
}

static void usage(FILE *f, const opts_t *o)
{
    fprintf(
        f,
        "Usage: mpirun -np P radiogx scan --genotypes G (--pheno P.tsv | --run RUN.h5)\n"
        "                                [--covar C.tsv] [QC options] --out OUT.h5\n"
        "\n"
        "Genome-wide association scan of every phenotype against every biallelic variant:\n"
        "y = C a + g b + e by least squares (a t test per variant and phenotype), with\n"
        "phenotypes that share a missingness pattern scanned together on their complete\n"
        "cases.  One GEMM per block of variants (docs/cmd-scan.md).  Ranks read disjoint\n"
        "genome windows through the index; results are bitwise identical for any number of\n"
        "ranks and threads.  A stop signal (USR1, TERM) checkpoints finished blocks in\n"
        "OUT.ckpt and exits 75; the same command resumes.  Writes /variants, /assoc (g'y~ per\n"
        "pair), /phenotypes, /hits to OUT.h5 (with --run, /samples and /features are carried\n"
        "over; OUT may be RUN itself).\n"
        "\n");
    opts_help(f, o, own);
    fprintf(
        f,
        "\n"
        "Missing genotypes take the variant's mean over the analysis samples (plink2 drops\n"
        "those samples per variant instead; with no missing calls the two agree).  chrX:\n"
        "males count 0/2 and sex joins the covariates there, as plink2 --glm does; chrY and\n"
        "MT are skipped (and counted) unless --chr names them.\n"
        "\n"
        "Examples:\n"
        "  mpirun -np 2 radiogx scan -g cohort/genotypes.vcf.gz -p pheno.tsv --covar cov.tsv \\\n"
        "         --pheno-transform none -o scan.h5\n"
        "  mpirun -np 4 radiogx scan -g cohort/genotypes.vcf.gz --run run.h5 -o run.h5\n"
        "  mpirun -np 2 radiogx scan -g g.vcf.gz -p tox.tsv --covar cov.tsv --outcome binary \\\n"
        "         --pheno-names fibrosis_g2 -o tox.h5     (binary: docs/cmd-scan.md)\n"
        "  mpirun -np 2 radiogx scan -g g.vcf.gz -p surv.tsv --covar cov.tsv \\\n"
        "         --survival time_to_recurrence:recurrence -o surv.h5   (time to event)\n");
}

typedef struct {
    const char *geno, *pheno, *run, *covar, *out;
    int checksums;
} args_t;

static int take(void *ctx, int opt, const char *arg)
{
    args_t *a = ctx;
    switch (opt) {
    case 'g': a->geno = arg; break;
    case 'p': a->pheno = arg; break;
    case 'r': a->run = arg; break;
    case O_COVAR: a->covar = arg; break;
    case 'o': a->out = arg; break;
    default: a->checksums = 0; /* O_NO_CHECKSUMS */
    }
    return 0;
}

static const opts_cmd_t cmd = {"scan", own, "scan", schema_scan, 0, usage, take};

int cmd_scan(int argc, char **argv)
{
    cli_common_t common = {0};
    opts_t o;
    args_t a = {.checksums = 1};
    int p = opts_parse(&o, &cmd, argc, argv, &common, &a);
    if (!p && optind < argc) {
        fprintf(stderr, "radiogx scan: unexpected argument '%s'\n", argv[optind]);
        p = -1;
    }
    rgx_err err = p < 0 ? RGX_ERR_USAGE : RGX_OK;
    if (p) goto early;
    const char *geno = a.geno, *pheno = a.pheno, *run = a.run, *covar = a.covar, *out = a.out;
    int checksums = a.checksums;
    cli_common_apply(&common);
    if (mpienv_init(&argc, &argv, common.threads)) rgx_die(RGX_ERR_MPI, "scan", "%s", rgx_errmsg());
    signals_install();
    int rank = rgx_mpi.rank;
    cfg_t *cfg = NULL;
    char *cgeno = NULL, *ccov = NULL, *cpheno = NULL, *cfr_cov = NULL, *cfr_ph = NULL;
    char cfr_sha[2][65];
    h5out_t h = {0};
    int have_h = 0;
    prov_inputs_t inputs = {0};
    job_lock_t lock = {0};
    if ((err = cli_load_config(&common, &cfg))) {
        if (rank == 0) fprintf(stderr, "radiogx scan: %s\n", rgx_errmsg());
        goto out;
    }
    if (!geno) cli_config_path(cfg, "study.genotypes", &cgeno), geno = cgeno;
    if (!covar) cli_config_path(cfg, "study.covariates", &ccov), covar = ccov;
    if (!pheno && !run) cli_config_path(cfg, "scan.pheno", &cpheno), pheno = cpheno;
    if (!geno || (!pheno && !run) || !out || (pheno && run)) {
        if (rank == 0)
            fprintf(stderr, "radiogx scan: give --genotypes, one of --pheno or --run, and --out "
                            "(`radiogx scan --help`)\n");
        err = RGX_ERR_USAGE;
        goto out;
    }
    /* One job per output: a second one is refused (outfile.h). */
    if ((err = job_lock(&lock, (const char *const[]){out}, 1, MPI_COMM_WORLD))) {
        if (rank == 0) fprintf(stderr, "radiogx scan: %s\n", rgx_errmsg());
        goto out;
    }
    /* Features of the run as covariates: tables beside the output, written by rank 0. */
    const char *cfr = cfg_str(cfg, "scan.covar_from_run");
    if (cfr && !run) {
        if (rank == 0) fprintf(stderr, "radiogx scan: --covar-from-run needs --run\n");
        err = RGX_ERR_USAGE;
        goto out;
    }
    if (cfr && (err = covar_run_prepare(MPI_COMM_WORLD, out, run, cfr, covar, &cfr_cov, &cfr_ph,
                                        cfr_sha))) {
        if (rank == 0) fprintf(stderr, "radiogx scan: %s\n", rgx_errmsg());
        goto out;
    }
    err = add_genotypes(&inputs, geno, cfg_str(cfg, "scan.genotype_format"));
    if (!err) err = prov_inputs_add(&inputs, pheno ? "phenotypes" : "run", pheno ? pheno : run);
    if (!err && covar) err = prov_inputs_add(&inputs, "covariates", covar);
    if (!err && !(err = h5out_create(&h, out, MPI_COMM_WORLD))) have_h = 1;
    if (!err) err = provenance_begin(&h, argc, argv, cfg, NULL, &inputs, checksums);
    /* scan.features: the run's raw or harmonised features (docs/cmd-harmonise.md) */
    int harmonised = !strcmp(cfg_str(cfg, "scan.features"), "harmonised");
    pheno_run_features(harmonised ? RF_HARM : RF_FEATURES);
    if (!err && run) {
        /* /features_harmonised and /pca travel with /features when the run has them (radiogx
         * harmonise, radiogx pca --run RUN -o RUN) */
        const char *objs[4] = {RF_SAMPLES, RF_FEATURES};
        size_t nobj = 2;
        hid_t rf;
        if (h5in_open(run, &rf) == RGX_OK) {
            if (h5in_exists(rf, RF_HARM_VALUES)) objs[nobj++] = RF_HARM;
            if (h5in_exists(rf, RF_PCA)) objs[nobj++] = RF_PCA;
            h5in_close(rf);
        }
        err = h5out_copy_from(&h, run, objs, nobj);
    }
    strbuf_t ck = {0}; /* checkpoints beside the output: OUT.ckpt */
    if (!err) err = sb_printf(&ck, "%s.ckpt", out);
    scan_inputs_t in = {geno, cfr ? cfr_ph : pheno, run, cfr ? cfr_cov : covar, ck.s,
                        signals_stop_requested,
                        cfr ? cfr_sha[1] : prov_inputs_sha(&inputs, "phenotypes"),
                        cfr ? cfr_sha[0] : prov_inputs_sha(&inputs, "covariates"), NULL};
    if (!err) err = scan_stage(cfg, &in, &h);
    if (!err) err = provenance_end(&h);
    if (!err && !(err = h5out_commit(&h))) {
        have_h = 0;
        MPI_Barrier(MPI_COMM_WORLD);
        if (rank == 0) ckpt_remove(ck.s), log_info("scan: wrote %s", out);
        if (rank == 0 && cfr) remove(cfr_cov), remove(cfr_ph);
    }
    free(ck.s);
    /* Every non-zero exit says why, once for the job (every rank comes here). */
    comm_log_failure(MPI_COMM_WORLD, err, "scan");
out:
    if (have_h) h5out_discard(&h);
    job_unlock(&lock);
    prov_inputs_free(&inputs);
    cfg_free(cfg);
    free(cgeno), free(ccov), free(cpheno), free(cfr_cov), free(cfr_ph);
    cli_common_free(&common);
    opts_free(&o);
    mpienv_finalize();
    return err;
early: /* before MPI */
    cli_common_free(&common);
    opts_free(&o);
    return err;
}
