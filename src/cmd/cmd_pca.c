/* cmd_pca.c — `radiogx pca`: ancestry principal components and kinship as their own MPI job. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "comm.h"
#include "log.h"
#include "mpienv.h"
#include "opts.h"
#include "pca_stage.h"
#include "runfile.h"
#include "provenance.h"
#include "schema.h"
#include "util.h"

enum { O_KEEP = 256, O_EIGENVEC, O_PROJECT, O_NO_PRUNE, O_NO_KING, O_REMOVE_RELATED };

/* The options of `radiogx pca` that are no config key (or switch one); the others are the
 * keys of the pca section with a flag (schema_pca.c). */
static const opts_own_t own[] = {
    {"genotypes", required_argument, 'g', "FILE",
     "VCF, VCF.gz or BCF; or one file per site, comma-separated (the same variants in each): "
     "only sums leave a site [study.genotypes]"},
    {"run", required_argument, 'r', "FILE",
     "the samples: a run file's extracted patients (its /samples and /features are carried "
     "over to OUT)"},
    {"keep", required_argument, O_KEEP, "FILE",
     "the samples: one id per line (neither --run nor --keep: every sample of the files)"},
    {"out", required_argument, 'o', "FILE", "run file to write (may be RUN itself)"},
    {"eigenvec", required_argument, O_EIGENVEC, "PREFIX",
     "PREFIX.eigenvec, .eigenval and .kin0 [OUT without .h5]"},
    {"project", required_argument, O_PROJECT, "REF.h5",
     "instead of computing PCs: the samples' scores on the PCs of REF (its /pca: variants, "
     "allele frequencies, loadings)"},
    {"no-prune", no_argument, O_NO_PRUNE, NULL, "use every variant that passes QC (pca.prune)"},
    {"no-king", no_argument, O_NO_KING, NULL, "no kinship (pca.king)"},
    {"remove-related", no_argument, O_REMOVE_RELATED, NULL,
     "PCs from a maximal unrelated set (the sample with the most relatives left out first); "
     "the others are projected onto them (pca.remove_related)"},
    {NULL, 0, 0, NULL, NULL},
};

static void usage(FILE *f, const opts_t *o)
{
    fprintf(f,
            "Usage: mpirun -np P radiogx pca --genotypes G [--run RUN.h5 | --keep IDS] --out "
            "OUT.h5 [options]\n"
            "       mpirun -np P radiogx pca --genotypes G --project REF.h5 --out OUT.h5\n"
            "\n"
            "The top K principal components of the genotypes (ancestry) and KING kinship,\n"
            "computed inside the MPI job: variants filtered by MAF, call rate and HWE,\n"
            "long-range LD regions left out, LD-pruned as plink2 --indep-pairwise, standardised\n"
            "as plink2 does; then a randomized block Krylov iteration whose products are sums\n"
            "over samples (ranks hold their own samples' genotypes; with one file per site only\n"
            "sums leave a site, and kinship is computed within sites).  Bitwise identical for any\n"
            "number of ranks and threads.  Writes /pca to OUT.h5 and, as plink2 does,\n"
            "PREFIX.eigenvec, PREFIX.eigenval and PREFIX.kin0 (docs/cmd-pca.md).  `scan --pcs K`\n"
            "adds the PCs as covariates.\n"
            "\n");
    opts_help(f, o, own);
    fprintf(f, "\n"
               "Examples:\n"
               "  mpirun -np 2 radiogx pca -g cohort/genotypes.vcf.gz -o pca.h5\n"
               "  mpirun -np 4 radiogx pca -g cohort/genotypes.vcf.gz --run run.h5 -o run.h5\n"
               "  mpirun -np 2 radiogx pca -g new.vcf.gz --project pca.h5 -o new_pcs.h5\n");
}

/* PREFIX: OUT without its .h5 (caller frees). */
static rgx_err default_prefix(const char *out, char **prefix)
{
    size_t len = strlen(out);
    rgx_err err = rgx_strdup(prefix, out);
    if (!err && len > 3 && !strcmp(out + len - 3, ".h5")) (*prefix)[len - 3] = '\0';
    return err;
}

typedef struct {
    const char *geno, *run, *keep, *out, *prefix, *proj;
    cli_common_t *common; /* the switches are config overrides */
} args_t;

static int take(void *ctx, int opt, const char *arg)
{
    args_t *a = ctx;
    switch (opt) {
    case 'g': a->geno = arg; break;
    case 'r': a->run = arg; break;
    case O_KEEP: a->keep = arg; break;
    case 'o': a->out = arg; break;
    case O_EIGENVEC: a->prefix = arg; break;
    case O_PROJECT: a->proj = arg; break;
    case O_NO_PRUNE: return cli_common_opt(a->common, 'P', "pca.prune=false") < 0 ? -1 : 0;
    case O_NO_KING: return cli_common_opt(a->common, 'P', "pca.king=false") < 0 ? -1 : 0;
    default: /* O_REMOVE_RELATED */
        return cli_common_opt(a->common, 'P', "pca.remove_related=true") < 0 ? -1 : 0;
    }
    return 0;
}

static const opts_cmd_t cmd = {"pca", own, "pca", schema_pca, 0, usage, take};

int cmd_pca(int argc, char **argv)
{
    cli_common_t common = {0};
    opts_t o;
    args_t a = {.common = &common};
    int p = opts_parse(&o, &cmd, argc, argv, &common, &a);
    if (!p && optind < argc) {
        fprintf(stderr, "radiogx pca: unexpected argument '%s'\n", argv[optind]);
        p = -1;
    }
    rgx_err err = p < 0 ? RGX_ERR_USAGE : RGX_OK;
    if (p) goto early;
    const char *geno = a.geno, *run = a.run, *keep = a.keep, *out = a.out, *prefix = a.prefix,
               *proj = a.proj;
    cli_common_apply(&common);
    if (mpienv_init(&argc, &argv, common.threads)) rgx_die(RGX_ERR_MPI, "pca", "%s", rgx_errmsg());
    int rank = rgx_mpi.rank;
    cfg_t *cfg = NULL;
    char *cgeno = NULL, *dprefix = NULL;
    h5out_t h = {0};
    int have_h = 0;
    prov_inputs_t inputs = {0};
    if ((err = cli_load_config(&common, &cfg))) {
        if (rank == 0) fprintf(stderr, "radiogx pca: %s\n", rgx_errmsg());
        goto out;
    }
    if (!geno) cli_config_path(cfg, "study.genotypes", &cgeno), geno = cgeno;
    if (!geno || !out || (run && keep)) {
        if (rank == 0)
            fprintf(stderr, "radiogx pca: give --genotypes and --out, and at most one of --run "
                            "and --keep (`radiogx pca --help`)\n");
        err = RGX_ERR_USAGE;
        goto out;
    }
    if (!prefix && !(err = default_prefix(out, &dprefix))) prefix = dprefix;
    if (!err) err = prov_inputs_add(&inputs, "genotypes", geno);
    if (!err && (run || keep))
        err = prov_inputs_add(&inputs, run ? "run" : "keep", run ? run : keep);
    if (!err && proj) err = prov_inputs_add(&inputs, "reference", proj);
    if (!err && !(err = h5out_create(&h, out, MPI_COMM_WORLD))) have_h = 1;
    if (!err) err = provenance_begin(&h, argc, argv, cfg, NULL, &inputs, 1);
    if (!err && run) {
        const char *objs[] = {RF_SAMPLES, RF_FEATURES};
        err = h5out_copy_from(&h, run, objs, 2);
    }
    if (!err && proj && rank == 0) log_info("pca: projecting onto the PCs of %s", proj);
    pca_inputs_t in = {geno, run, keep, prefix, proj};
    if (!err) err = pca_stage(cfg, &in, &h);
    if (!err) err = provenance_end(&h);
    if (!err && !(err = h5out_commit(&h))) {
        have_h = 0;
        if (rank == 0) log_info("pca: wrote %s", out);
    }
    comm_log_failure(MPI_COMM_WORLD, err, "pca"); /* once for the job (every rank comes here) */
out:
    if (have_h) h5out_discard(&h);
    prov_inputs_free(&inputs);
    cfg_free(cfg);
    free(cgeno), free(dprefix);
    cli_common_free(&common);
    opts_free(&o);
    mpienv_finalize();
    return err;
early: /* before MPI */
    cli_common_free(&common);
    opts_free(&o);
    return err;
}
