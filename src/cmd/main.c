/* main.c — `radiogx <command> [options]`: dispatches to cmd_<name>(). */
#include <stdio.h>
#include <string.h>

#include "blas_core.h"
#include "cmd.h"
#include "err.h"
#include "log.h"
#include "mpienv.h"
#include "version.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"export", cmd_export, "write tables out of a run file (features.tsv)"},
    {"extract", cmd_extract, "IBSI features of a whole cohort into a run file (MPI)"},
    {"features", cmd_features, "IBSI features of one image and mask, as tag<TAB>value lines"},
    {"filter", cmd_filter, "an IBSI 2 filter's response map of one image, as NIfTI"},
    {"harmonise", cmd_harmonise, "ComBat of the features across sites (MPI); --apply: stored ones"},
    {"manifest", cmd_manifest, "build a manifest from a folder per patient (image/mask by name)"},
    {"pca", cmd_pca, "ancestry principal components (and kinship) of the genotypes (MPI)"},
    {"plan", cmd_plan, "validate a manifest and config before any work; print the rank plan"},
    {"run", cmd_run, "the whole analysis in one MPI job: plan, extract, scan, tables"},
    {"scan", cmd_scan, "genome-wide association scan of phenotypes against genotypes (MPI)"},
    {"simulate", cmd_simulate, "write a synthetic cohort (images, masks, VCF, covariates, truth)"},
    {"verify", cmd_verify, "rerun a run file's recorded analysis and compare bit for bit"},
};

static void usage(FILE *f)
{
    fprintf(f, "radiogx %s — cohort-scale radiogenomics: IBSI radiomics + GWAS on MPI\n\n",
            rgx_version());
    fprintf(f, "Usage: radiogx <command> [options]\n\nCommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n`radiogx <command> --help` explains a command, with its defaults and examples.\n"
               "MPI commands run under mpirun or srun: mpirun -np 4 radiogx extract ...\n"
               "Exit status: 0 ok, 2 usage, 3 config, 4 manifest, 5 input, 6 I/O, 7 memory,\n"
               "8 MPI, 9 numerical, 10 verify found a difference, 70 internal, 75 interrupted\n"
               "(requeue to resume).  Manual: docs/ in the source tree.\n");
}

int main(int argc, char **argv)
{
    blas_core_fix(argv); /* may restart radiogx: before anything else */
    log_init();
    if (argc < 2) {
        usage(stderr);
        return RGX_ERR_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return RGX_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("radiogx %s\nOpenBLAS kernels: %s\n", rgx_version(), blas_core_note());
        return RGX_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) {
            int rc = commands[i].fn(argc - 1, argv + 1);
            /* Every run ends with its wall time, CPU time and peak memory (rank 0's; every
             * rank's with -v). */
            if (rgx_mpi.started) log_resources(commands[i].name);
            return rc;
        }
    fprintf(stderr, "radiogx: unknown command '%s'. `radiogx --help` lists the commands.\n",
            argv[1]);
    return RGX_ERR_USAGE;
}
