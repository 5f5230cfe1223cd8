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

enum { O_WINDOW = 'w' };

static const opts_own_t own[] = {
    {"features", required_argument, 'f', "FILE",
     "/features as a TSV: one row per manifest patient (patient_id, sample_id, site, status "
     "ok|failed|no_genotypes), one column per feature (<channel>.<label>.<IBSI tag>); NA for a "
     "missing value; 17 significant digits, so the doubles read back exactly.  Written under a "
     "temporary name, mode 0640."},
    {"sumstats", required_argument, 's', "DIR",
     "GWAS-SSF v1.1 summary statistics: DIR/<phenotype>.tsv.gz (bgzipped, tabix-indexed, "
     "effect allele = ALT) and its -meta.yaml sidecar, for every scanned phenotype; the genome "
     "build and genotyping technology come from the run's config (study.genome_build, "
     "study.genotyping_technology)"},
    {"set", required_argument, 'P', "KEY=VALUE",
     "override a key of the run's recorded config for the metadata, repeatable "
     "(-P study.genome_build=GRCh37)"},
    {"hits", required_argument, 'H', "FILE",
     "the (variant, phenotype) pairs at or above the scan's threshold: variant_id chrom pos "
     "ref alt phenotype beta se neg_log10_p study_wide locus (study_wide: at or above "
     "5e-8 / Meff, the effective number of phenotypes)"},
    {"loci", required_argument, 'L', "FILE",
     "the hits clumped into loci across phenotypes: the strongest pair leads, every pair "
     "within +- the window joins: locus chrom start end lead_variant lead_pos lead_phenotype "
     "lead_beta lead_se lead_neg_log10_p study_wide n_phenotypes n_variants n_pairs families "
     "phenotypes"},
    {"locus-window", required_argument, O_WINDOW, "KB",
     "the loci's half-window [the scan's scan.locus_window_kb]"},
    {"report", required_argument, 'r', "DIR",
     "DIR/report.html: the analysis (version, date, where the phenotypes came from and any "
     "harmonisation, the model, transform, covariates, samples, cases or events, variant QC in "
     "words), the cohort and its failures, lambda GC, loci, with Manhattan and QQ plots as "
     "PNG: all phenotypes, and one pair for every phenotype with hits (a run file without a "
     "scan: the extraction's report)"},
    {NULL, 0, 0, NULL, NULL},
};

static void usage(FILE *f, const opts_t *o)
{
    fprintf(f, "Usage: radiogx export RUN.h5 [--features FILE.tsv] [--sumstats DIR] [--hits FILE]\n"
               "                      [--loci FILE] [--locus-window KB] [--report DIR]\n"
               "\n"
               "Writes tables out of a run file (no MPI launcher needed; under mpirun the\n"
               "phenotypes' summary statistics and plots are shared out across the ranks).\n"
               "\n"
               "Options:\n");
    opts_help(f, o, own);
    fprintf(f, "\n"
               "Examples:\n"
               "  radiogx export results/demo/run.h5 --features results/demo/features.tsv\n"
               "  radiogx export results/demo/run.h5 --sumstats results/demo/sumstats\n"
               "  radiogx export results/demo/run.h5 --loci results/demo/loci.tsv\n"
               "  radiogx export results/demo/run.h5 --report results/demo\n");
}

typedef struct {
    const char *paths[5]; /* --features --sumstats --hits --loci --report */
    double window_kb;
} args_t;

static int take(void *ctx, int opt, const char *arg)
{
    static const char letters[] = "fsHLr"; /* paths' order */
    args_t *a = ctx;
    if (opt == O_WINDOW) {
        char *end;
        a->window_kb = strtod(arg, &end);
        if (*end || !(a->window_kb > 0 && a->window_kb <= 1e6))
            return fprintf(stderr, "radiogx export: --locus-window '%s': expected kb in (0, 1e6]\n",
                           arg), -1;
        return 0;
    }
    a->paths[strchr(letters, opt) - letters] = arg;
    return 0;
}

/* Bare: no config, but -P (its own option here) overrides the run's recorded config. */
static const opts_cmd_t cmd = {"export", own, NULL, NULL, 1, usage, take};

int cmd_export(int argc, char **argv)
{
    args_t a = {0};
    cli_common_t common = {0}; /* only its -P list */
    opts_t o;
    int p = opts_parse(&o, &cmd, argc, argv, &common, &a);
    opts_free(&o); /* -P's strings are argv's */
    if (p) {
        cli_common_free(&common);
        return p > 0 ? RGX_OK : RGX_ERR_USAGE;
    }
    double window_kb = a.window_kb;
    const char *features = a.paths[0], *sumstats = a.paths[1], *hits = a.paths[2],
               *loci = a.paths[3], *report = a.paths[4];
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
    if (sumstats) { /* (every rank: said done only when every rank's share is) */
        if (!err)
            err = export_sumstats(run, sumstats, rank, size, common.overrides, common.n_overrides);
        if (mpi) err = comm_agree(MPI_COMM_WORLD, err, "writing the summary statistics");
        if (!err && rank == 0) log_info("export: summary statistics in %s", sumstats);
    }
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
    if (mpi) { /* each distinct message once, naming the ranks that gave it */
        comm_log_failure(MPI_COMM_WORLD, err, "export");
        err = comm_agree(MPI_COMM_WORLD, err, "exporting");
        mpienv_finalize();
    } else if (err) {
        fprintf(stderr, "radiogx export: %s\n", rgx_errmsg());
    }
    cli_common_free(&common);
    return err;
}
