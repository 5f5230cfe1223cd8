/* cmd_scan.c — `radiogx scan`: the association scan as its own MPI job. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt.h"
#include "cli.h"
#include "cmd.h"
#include "geno.h"
#include "log.h"
#include "mpienv.h"
#include "provenance.h"
#include "scan_stage.h"
#include "signals.h"
#include "util.h"

static void usage(FILE *f)
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
        "ranks.  A stop signal (USR1, TERM) checkpoints finished blocks in OUT.ckpt and exits\n"
        "75; the same command resumes.  Writes /variants, /assoc (g'y~ per pair), /phenotypes, /hits to OUT.h5\n"
        "(with --run, /samples and /features are carried over; OUT may be RUN itself).\n"
        "\n"
        "Inputs:\n"
        "  -g, --genotypes FILE   VCF, VCF.gz or BCF (indexed: .tbi/.csi, or not), a PLINK\n"
        "                         .bed (+ .bim, .fam; or the fileset's prefix), or BGEN\n"
        "                         v1.1-v1.3 (+ .sample, .bgi when present); or one file\n"
        "                         per site, comma-separated (the same variants in each):\n"
        "                         samples are then split across ranks and only sums\n"
        "                         cross them (docs/formats.md)\n"
        "  -p, --pheno FILE       phenotype table, plink2 style (#IID or #FID IID header,\n"
        "                         NA for missing)\n"
        "  -r, --run FILE         or: the /features of a run file (patients with status ok)\n"
        "      --covar FILE       covariate table, plink2 style; text columns are categorical\n"
        "  -o, --out FILE         run file to write\n"
        "Options (config keys scan.*; defaults in brackets):\n"
        "      --pheno-names L    comma list of phenotype columns [all]\n"
        "      --covar-names L    comma list of covariate columns [all]\n"
        "      --genotype-format F  vcf, bed, bgen, or auto (from the file name) [auto]\n"
        "      --dosage D         VCF: DS, GT or auto (DS when present) [auto]\n"
        "      --maf X            minimum minor allele frequency [0.01]\n"
        "      --mac X            minimum minor allele count [0]\n"
        "      --call-rate X      minimum call rate [0.95]\n"
        "      --hwe P            remove variants with HWE exact p < P; 0: off [0]\n"
        "      --pheno-transform int|none   rank-based inverse normal transform [int]\n"
        "      --pheno-outliers K values beyond mean +- K SD become missing [off]\n"
        "      --compress L       deflate level of /assoc, 0: none [0]; 1 halves the\n"
        "                         file and doubles the scan time\n"
        "      --min-obs N        phenotypes with fewer observations are skipped [20]\n"
        "      --block-size N     variants per GEMM block [1024]\n"
        "      --hits-threshold X -log10 p for /hits [7.3]\n"
        "      --chr L            comma list of chromosomes [all]\n"
        "      --region R         chr or chr:from-to [all]\n"
        "      --sex-column NAME  covariate column with sex (1 male, 2 female) for chrX:\n"
        "                         males count 0/2 and sex joins the covariates there,\n"
        "                         as plink2 --glm does [sex]\n"
        "      --split-par B      scan chrX's pseudo-autosomal regions of build B (b37,\n"
        "                         hg19, b38, hg38) as autosomes [none]; chrY and MT are\n"
        "                         skipped (and counted) unless --chr names them\n"
        "      --no-checksums     record the genotype file by size and time only, not by\n"
        "                         SHA-256 (hashing runs at ~400 MB/s on one rank: minutes\n"
        "                         for a genome-wide VCF); tables are always hashed\n"
        "%s"
        "\n"
        "Missing genotypes take the variant's mean over the analysis samples (plink2 drops\n"
        "those samples per variant instead; with no missing calls the two agree).\n"
        "\n"
        "Examples:\n"
        "  mpirun -np 2 radiogx scan -g cohort/genotypes.vcf.gz -p pheno.tsv --covar cov.tsv \\\n"
        "         --pheno-transform none -o scan.h5\n"
        "  mpirun -np 4 radiogx scan -g cohort/genotypes.vcf.gz --run run.h5 -o run.h5\n",
        cli_common_help);
}

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

int cmd_scan(int argc, char **argv)
{
    static const struct {
        const char *opt, *key;
    } keys[] = {{"pheno-names", "scan.pheno_names"},
                {"covar-names", "scan.covar_names"},
                {"genotype-format", "scan.genotype_format"},
                {"dosage", "scan.dosage"},
                {"maf", "scan.maf"},
                {"mac", "scan.mac"},
                {"call-rate", "scan.call_rate"},
                {"hwe", "scan.hwe"},
                {"pheno-transform", "scan.pheno_transform"},
                {"pheno-outliers", "scan.pheno_outliers"},
                {"compress", "scan.compress"},
                {"min-obs", "scan.min_obs"},
                {"block-size", "scan.block_size"},
                {"hits-threshold", "scan.hits_threshold"},
                {"chr", "scan.chr"},
                {"region", "scan.region"},
                {"sex-column", "scan.sex_column"},
                {"split-par", "scan.split_par"}};
    enum { NK = sizeof keys / sizeof keys[0] };
    const struct option common_long[] = {CLI_COMMON_LONG};
    enum { NC = sizeof common_long / sizeof common_long[0], NOWN = 7 }; /* NOWN: those below */
    struct option longopts[NOWN + NK + NC + 1];
    int nl = 0;
    longopts[nl++] = (struct option){"genotypes", required_argument, 0, 'g'};
    longopts[nl++] = (struct option){"pheno", required_argument, 0, 'p'};
    longopts[nl++] = (struct option){"run", required_argument, 0, 'r'};
    longopts[nl++] = (struct option){"covar", required_argument, 0, 1};
    longopts[nl++] = (struct option){"out", required_argument, 0, 'o'};
    longopts[nl++] = (struct option){"help", no_argument, 0, 'h'};
    longopts[nl++] = (struct option){"no-checksums", no_argument, 0, 2};
    for (int k = 0; k < NK; k++)
        longopts[nl++] = (struct option){keys[k].opt, required_argument, 0, 1000 + k};
    for (size_t k = 0; k < NC; k++) longopts[nl++] = common_long[k];
    longopts[nl] = (struct option){0, 0, 0, 0};

    cli_common_t common = {0};
    const char *geno = NULL, *pheno = NULL, *run = NULL, *covar = NULL, *out = NULL;
    char *made[NK];
    int n_made = 0, opt, checksums = 1;
    rgx_err err = RGX_OK;
    while ((opt = getopt_long(argc, argv, "g:p:r:o:h" CLI_COMMON_SHORT, longopts, NULL)) != -1) {
        int k = cli_common_opt(&common, opt, optarg);
        if (k > 0) continue;
        if (k < 0) return RGX_ERR_USAGE;
        if (opt >= 1000 && opt < 1000 + NK) { /* an option is a config override */
            strbuf_t sb = {0};
            if (sb_printf(&sb, "%s=%s", keys[opt - 1000].key, optarg)) return RGX_ERR_MEMORY;
            made[n_made++] = sb.s;
            cli_common_opt(&common, 'P', sb.s);
            continue;
        }
        switch (opt) {
        case 'g':
            geno = optarg;
            break;
        case 'p':
            pheno = optarg;
            break;
        case 'r':
            run = optarg;
            break;
        case 1:
            covar = optarg;
            break;
        case 2:
            checksums = 0;
            break;
        case 'o':
            out = optarg;
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
        fprintf(stderr, "radiogx scan: unexpected argument '%s'\n", argv[optind]);
        return RGX_ERR_USAGE;
    }
    cli_common_apply(&common);
    if (mpienv_init(&argc, &argv, common.threads)) rgx_die(RGX_ERR_MPI, "scan", "%s", rgx_errmsg());
    signals_install();
    int rank = rgx_mpi.rank;
    cfg_t *cfg = NULL;
    char *cgeno = NULL, *ccov = NULL, *cpheno = NULL;
    h5out_t h = {0};
    int have_h = 0;
    prov_inputs_t inputs = {0};
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
    err = add_genotypes(&inputs, geno, cfg_str(cfg, "scan.genotype_format"));
    if (!err) err = prov_inputs_add(&inputs, pheno ? "phenotypes" : "run", pheno ? pheno : run);
    if (!err && covar) err = prov_inputs_add(&inputs, "covariates", covar);
    if (!err && !(err = h5out_create(&h, out, MPI_COMM_WORLD))) have_h = 1;
    if (!err) err = provenance_begin(&h, argc, argv, cfg, NULL, &inputs, checksums);
    if (!err && run) {
        const char *objs[] = {"/samples", "/features"};
        err = h5out_copy_from(&h, run, objs, 2);
    }
    strbuf_t ck = {0}; /* checkpoints beside the output: OUT.ckpt */
    if (!err) err = sb_printf(&ck, "%s.ckpt", out);
    scan_inputs_t in = {geno, pheno, run, covar, ck.s, signals_stop_requested,
                        prov_inputs_sha(&inputs, "phenotypes"), prov_inputs_sha(&inputs, "covariates")};
    if (!err) err = scan_stage(cfg, &in, &h);
    if (!err) err = provenance_end(&h);
    if (!err && !(err = h5out_commit(&h))) {
        have_h = 0;
        MPI_Barrier(MPI_COMM_WORLD);
        if (rank == 0) ckpt_remove(ck.s), log_info("scan: wrote %s", out);
    }
    free(ck.s);
    if (err == RGX_ERR_REQUEUE) {
        if (rank == 0)
            log_warn("%s; rerun the same command to resume (exit status 75)", rgx_errmsg());
    } else if (err && err != RGX_ERR_USAGE) {
        log_error("scan: %s", rgx_errmsg());
    }
out:
    if (have_h) h5out_discard(&h);
    prov_inputs_free(&inputs);
    cfg_free(cfg);
    free(cgeno), free(ccov), free(cpheno);
    for (int k = 0; k < n_made; k++) free(made[k]);
    cli_common_free(&common);
    mpienv_finalize();
    return err;
}
