/* cmd_export.c — `radiogx export RUN.h5 ...`: tables out of a run file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "comm.h"
#include "cmd.h"
#include "opts.h"
#include "export_features.h"
#include "export_sumstats.h"
#include "loci.h"
#include "log.h"
#include "mpienv.h"
#include "report.h"

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: radiogx export RUN.h5 [--features FILE.tsv] [--sumstats DIR] [--hits FILE]\n"
            "                      [--loci FILE] [--locus-window KB] [--report DIR]\n"
            "\n"
            "Writes tables out of a run file (no MPI launcher needed; under mpirun the\n"
            "phenotypes' summary statistics and plots are shared out across the ranks).\n"
            "\n"
            "Options:\n"
            "  -f, --features FILE  /features as a TSV: one row per manifest patient\n"
            "                       (patient_id, sample_id, site, status ok|failed|no_genotypes),\n"
            "                       one column per feature (<channel>.<label>.<IBSI tag>); NA for\n"
            "                       a missing value; 17 significant digits, so the doubles read\n"
            "                       back exactly.  Written under a temporary name, mode 0640.\n"
            "  -s, --sumstats DIR   GWAS-SSF v1.1 summary statistics: DIR/<phenotype>.tsv.gz\n"
            "                       (bgzipped, tabix-indexed, effect allele = ALT) and its\n"
            "                       -meta.yaml sidecar, for every scanned phenotype; the\n"
            "                       genome build and genotyping technology come from the run's\n"
            "                       config (study.genome_build, study.genotyping_technology)\n"
            "  -P, --set KEY=VALUE  override a key of the run's recorded config for the\n"
            "                       metadata, repeatable (-P study.genome_build=GRCh37)\n"
            "  -H, --hits FILE      the (variant, phenotype) pairs at or above the scan's\n"
            "                       threshold: variant_id chrom pos ref alt phenotype beta se\n"
            "                       neg_log10_p study_wide locus (study_wide: at or above\n"
            "                       5e-8 / Meff, the effective number of phenotypes)\n"
            "  -L, --loci FILE      the hits clumped into loci across phenotypes: the strongest\n"
            "                       pair leads, every pair within +- the window joins: locus\n"
            "                       chrom start end lead_variant lead_pos lead_phenotype\n"
            "                       lead_beta lead_se lead_neg_log10_p study_wide n_phenotypes\n"
            "                       n_variants n_pairs families phenotypes\n"
            "  -w, --locus-window KB  the loci's half-window [the scan's scan.locus_window_kb]\n"
            "  -r, --report DIR     DIR/report.html: the analysis (version, date, where the\n"
            "                       phenotypes came from and any harmonisation, the model,\n"
            "                       transform, covariates, samples, cases or events, variant\n"
            "                       QC in words), the cohort and its failures, lambda GC,\n"
            "                       loci, with Manhattan and QQ plots as PNG: all phenotypes,\n"
            "                       and one pair for every phenotype with hits (a run file\n"
            "                       without a scan: the extraction's report)\n"
            "\n"
            "Examples:\n"
            "  radiogx export results/demo/run.h5 --features results/demo/features.tsv\n"
            "  radiogx export results/demo/run.h5 --sumstats results/demo/sumstats\n"
            "  radiogx export results/demo/run.h5 --loci results/demo/loci.tsv\n"
            "  radiogx export results/demo/run.h5 --report results/demo\n");
}

int cmd_export(int argc, char **argv)
{
    static const struct option longopts[] = {{"features", required_argument, 0, 'f'},
                                             {"sumstats", required_argument, 0, 's'},
                                             {"hits", required_argument, 0, 'H'},
                                             {"loci", required_argument, 0, 'L'},
                                             {"locus-window", required_argument, 0, 'w'},
                                             {"report", required_argument, 0, 'r'},
                                             {"set", required_argument, 0, 'P'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *features = NULL, *sumstats = NULL, *hits = NULL, *report = NULL, *loci = NULL;
    double window_kb = 0;
    int opt;
    char *end;
    cli_common_t common = {0}; /* only its -P list */
    if (opts_check_table("export", argc, argv, longopts, "f:s:H:L:w:r:P:h")) return RGX_ERR_USAGE;
    while ((opt = getopt_long(argc, argv, "f:s:H:L:w:r:P:h", longopts, NULL)) != -1) {
        if (opt == 'P') {
            if (cli_common_opt(&common, opt, optarg) < 0) return RGX_ERR_MEMORY;
            continue;
        }
        switch (opt) {
        case 'f':
            features = optarg;
            break;
        case 's':
            sumstats = optarg;
            break;
        case 'H':
            hits = optarg;
            break;
        case 'r':
            report = optarg;
            break;
        case 'L':
            loci = optarg;
            break;
        case 'w':
            window_kb = strtod(optarg, &end);
            if (*end || !(window_kb > 0 && window_kb <= 1e6)) {
                fprintf(stderr, "radiogx export: --locus-window '%s': expected kb in (0, 1e6]\n",
                        optarg);
                return RGX_ERR_USAGE;
            }
            break;
        case 'h':
            usage(stdout);
            cli_common_free(&common);
            return RGX_OK;
        default:
            usage(stderr);
            cli_common_free(&common);
            return RGX_ERR_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "radiogx export: give one run file (`radiogx export --help`)\n");
        cli_common_free(&common);
        return RGX_ERR_USAGE;
    }
    if (!features && !sumstats && !hits && !report && !loci) {
        fprintf(stderr, "radiogx export: nothing to export: give --features, --sumstats, --hits, "
                        "--loci or --report\n");
        cli_common_free(&common);
        return RGX_ERR_USAGE;
    }
    const char *run = argv[optind];
    /* Under an MPI launcher the phenotypes' files and plots are shared out across the ranks
     * (rank r writes every size-th phenotype); rank 0 writes the single files. */
    int rank = 0, size = 1, mpi = getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK");
    if (mpi && mpienv_init(&argc, &argv, 1) != RGX_OK) {
        fprintf(stderr, "radiogx export: %s\n", rgx_errmsg());
        return RGX_ERR_MPI;
    }
    if (mpi) rank = rgx_mpi.rank, size = rgx_mpi.size;
    rgx_err err = RGX_OK;
    if (rank == 0 && features && !(err = export_features_tsv(run, features)))
        log_info("export: wrote %s", features);
    if (!err && sumstats &&
        !(err = export_sumstats(run, sumstats, rank, size, common.overrides, common.n_overrides)) &&
        rank == 0)
        log_info("export: summary statistics in %s", sumstats);
    if (!err && rank == 0 && hits && !(err = export_hits(run, hits, window_kb)))
        log_info("export: wrote %s", hits);
    if (!err && rank == 0 && loci && !(err = export_loci(run, loci, window_kb)))
        log_info("export: wrote %s", loci);
    if (!err && report) {
        if (mkdir(report, 0750) != 0 && errno != EEXIST)
            err = rgx_fail(RGX_ERR_IO, "%s: cannot create: %s", report, strerror(errno));
        else
            err = report_write(run, report, rank, size);
    }
    if (err) fprintf(stderr, "radiogx export: %s%s\n", size > 1 ? "(a rank) " : "", rgx_errmsg());
    if (mpi) {
        err = comm_agree(MPI_COMM_WORLD, err, "exporting");
        mpienv_finalize();
    }
    cli_common_free(&common);
    return err;
}
