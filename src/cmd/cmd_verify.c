/* cmd_verify.c — `radiogx verify RUN.h5`: rerun the command recorded in a run file's
 * provenance and compare the results bit for bit.
 *
 * The inputs are checked by checksum first (a changed input makes a rerun meaningless);
 * then the recorded arguments are run again in the recorded working directory, with only
 * the output redirected to a temporary folder, and the result groups are compared.
 * verify itself does not use MPI: the rerun is a child process, under the launcher given
 * with --launcher (e.g. "mpirun -np 4"), because results must not depend on the rank count. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "opts.h"
#include "h5cmp.h"
#include "h5in.h"
#include "log.h"
#include "util.h"
#include "version.h"
#include "runfile.h"

static const opts_own_t own[] = {
    {"launcher", required_argument, 'l', "CMD",
     "run the command under this launcher, split at spaces (default: none, one process); any "
     "rank count must give the same bits, so this is also a reproducibility check"},
    {"tmp", required_argument, 't', "DIR", "where the rerun writes (default: $TMPDIR or /tmp)"},
    {"keep", no_argument, 'k', NULL, "keep the rerun's files"},
    {NULL, 0, 0, NULL, NULL},
};

static void usage(FILE *f, const opts_t *o)
{
    fprintf(f,
            "Usage: radiogx verify RUN.h5 [--launcher \"mpirun -np 4\"] [--keep]\n"
            "\n"
            "Reruns the analysis recorded in RUN.h5's /provenance and reports \"identical\" or\n"
            "the first difference.  First every input listed in /provenance/inputs (manifest,\n"
            "config, images, masks, genotypes, covariates) is checked against its recorded\n"
            "SHA-256; a missing or changed input stops verify before the rerun.  The rerun uses\n"
            "the recorded arguments in the recorded working directory, writing to a temporary\n"
            "folder; then /samples (without timings), /features, /variants, /assoc,\n"
            "/phenotypes and /hits are compared bit for bit.\n"
            "\n"
            "Options:\n");
    opts_help(f, o, own);
    fprintf(f,
            "\n"
            "Exit status: 0 identical, 10 a difference, 5 an input is missing or changed.\n"
            "\n"
            "Examples:\n"
            "  radiogx verify results/demo/run.h5\n"
            "  radiogx verify results/demo/run.h5 --launcher \"mpirun -np 3 --oversubscribe\"\n");
}

/* The recorded argv with the output redirected: -o X, --out X or --out=X. */
static rgx_err rerun_argv(char **argv, size_t argc, const char *out, char ***res, size_t *n)
{
    rgx_err err = rgx_calloc(res, argc + 3, sizeof **res);
    if (err) return err;
    size_t k = 0;
    int replaced = 0;
    for (size_t i = 0; i < argc; i++) {
        if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--out")) && i + 1 < argc) {
            (*res)[k++] = argv[i];
            (*res)[k++] = (char *)out;
            i++;
            replaced = 1;
        } else if (!strncmp(argv[i], "--out=", 6)) {
            (*res)[k++] = "--out";
            (*res)[k++] = (char *)out;
            replaced = 1;
        } else {
            (*res)[k++] = argv[i];
        }
    }
    if (!replaced) (*res)[k++] = "--out", (*res)[k++] = (char *)out;
    *n = k;
    return RGX_OK;
}

static rgx_err check_inputs(hid_t f, size_t *n_checked)
{
    char **path = NULL, **sha = NULL;
    size_t n = 0, ns = 0;
    *n_checked = 0;
    rgx_err err = h5in_read_strings(f, RF_PROV_INPUTS_PATH, &n, &path);
    if (!err) err = h5in_read_strings(f, RF_PROV_INPUTS_SHA256, &ns, &sha);
    if (err) return rgx_fail(RGX_ERR_INPUT, "no input table in /provenance: %s", rgx_errmsg());
    progress_t prog;
    progress_init(&prog, "verify: checksums", "inputs", (long)n);
    size_t bad = 0;
    strbuf_t why = {0};
    for (size_t i = 0; i < n && i < ns && !err; i++) {
        if (!sha[i][0]) continue; /* recorded without a checksum (--no-checksums) */
        char now[65];
        if (sha256_file(path[i], now)) {
            if (bad++ < 5) err = sb_printf(&why, "\n  %s: missing or unreadable", path[i]);
        } else if (strcmp(now, sha[i])) {
            if (bad++ < 5)
                err = sb_printf(&why, "\n  %s: changed (SHA-256 %.12s..., recorded %.12s...)",
                                path[i], now, sha[i]);
        }
        (*n_checked)++;
        progress_update(&prog, (long)i + 1);
    }
    progress_done(&prog, (long)n);
    if (!err && bad)
        err = rgx_fail(RGX_ERR_INPUT,
                       "%zu of %zu inputs differ from the run's record; a rerun "
                       "would not test the analysis:%s%s",
                       bad, *n_checked, why.s, bad > 5 ? "\n  ..." : "");
    free(why.s);
    h5in_free_strings(path, n);
    h5in_free_strings(sha, ns);
    return err;
}

static rgx_err run_child(char **argv, const char *cwd, const char *launcher, int *status)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) return rgx_fail(RGX_ERR_INTERNAL, "cannot find the radiogx binary");
    exe[len] = '\0';
    char *lcopy = NULL, **full = NULL;
    size_t n = 0, nl = 0;
    while (argv[n]) n++;
    rgx_err err = rgx_strdup(&lcopy, launcher ? launcher : "");
    if (!err) err = rgx_calloc(&full, n + strlen(lcopy) + 3, sizeof *full);
    if (err) goto out;
    for (char *t = strtok(lcopy, " "); t; t = strtok(NULL, " ")) full[nl++] = t;
    full[nl] = exe;
    for (size_t i = 0; i < n; i++) full[nl + 1 + i] = argv[i];
    pid_t pid = fork();
    if (pid < 0) {
        err = rgx_fail(RGX_ERR_INTERNAL, "fork: %s", strerror(errno));
        goto out;
    }
    if (pid == 0) {
        if (chdir(cwd) != 0) {
            fprintf(stderr, "radiogx verify: cannot enter %s: %s\n", cwd, strerror(errno));
            _exit(RGX_ERR_INPUT);
        }
        execvp(full[0], full);
        fprintf(stderr, "radiogx verify: cannot run %s: %s\n", full[0], strerror(errno));
        _exit(127);
    }
    int ws;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) continue;
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
out:
    free(lcopy);
    free(full);
    return err;
}

typedef struct {
    const char *launcher, *tmp;
    int keep;
} args_t;

static int take(void *ctx, int opt, const char *arg)
{
    args_t *a = ctx;
    if (opt == 'l')
        a->launcher = arg;
    else if (opt == 't')
        a->tmp = arg;
    else
        a->keep = 1; /* -k */
    return 0;
}

static const opts_cmd_t cmd = {"verify", own, NULL, NULL, 1, usage, take};

int cmd_verify(int argc, char **argv)
{
    args_t a = {.tmp = getenv("TMPDIR")};
    opts_t o;
    int p = opts_parse(&o, &cmd, argc, argv, NULL, &a);
    opts_free(&o);
    if (p) return p > 0 ? RGX_OK : RGX_ERR_USAGE;
    const char *launcher = a.launcher, *tmp = a.tmp;
    int keep = a.keep;
    if (optind + 1 != argc) {
        fprintf(stderr, "radiogx verify: give one run file (`radiogx verify --help`)\n");
        return RGX_ERR_USAGE;
    }
    const char *run = argv[optind];
    char runabs[PATH_MAX], origcwd[PATH_MAX];
    if (!realpath(run, runabs) || !getcwd(origcwd, sizeof origcwd)) {
        fprintf(stderr, "radiogx verify: %s: %s\n", run, strerror(errno));
        return RGX_ERR_INPUT;
    }
    hid_t f = H5I_INVALID_HID;
    char *wd = NULL, *version = NULL, **rargv = NULL, **child = NULL;
    size_t rargc = 0, nchild = 0;
    char tmpl[PATH_MAX] = "", outpath[PATH_MAX + 32];
    int same = 0;
    char *diff = NULL;
    rgx_err err = h5in_open(runabs, &f);
    if (!err) err = h5in_attr_str(f, RF_PROVENANCE, "working_directory", &wd);
    if (!err) err = h5in_attr_str(f, RF_PROVENANCE, "radiogx_version", &version);
    if (!err) err = h5in_read_strings(f, RF_PROV_ARGV, &rargc, &rargv);
    if (err) {
        fprintf(stderr, "radiogx verify: %s: not a complete run file: %s\n", run, rgx_errmsg());
        goto out;
    }
    if (strcmp(version, rgx_version()))
        log_warn("verify: %s was made by radiogx %s, this is %s: differences may come from the "
                 "version",
                 run, version, rgx_version());
    /* Inputs are recorded relative to the run's working directory. */
    if (chdir(wd) != 0) {
        err = rgx_fail(RGX_ERR_INPUT, "the run's working directory %s: %s", wd, strerror(errno));
        goto report;
    }
    size_t n_checked;
    err = check_inputs(f, &n_checked);
    if (chdir(origcwd) != 0) err = rgx_fail(RGX_ERR_INPUT, "%s: %s", origcwd, strerror(errno));
    if (err) goto report;
    log_info("verify: %zu inputs match their recorded SHA-256", n_checked);

    snprintf(tmpl, sizeof tmpl, "%s/radiogx-verify-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmpl)) {
        err = rgx_fail(RGX_ERR_IO, "cannot make a folder in %s: %s", tmp ? tmp : "/tmp",
                       strerror(errno));
        goto report;
    }
    /* `run` writes a folder (its run file is run.h5 inside); the stages write a file. */
    int is_run = rargc > 0 && !strcmp(rargv[0], "run");
    char rerun_out[PATH_MAX + 16];
    snprintf(rerun_out, sizeof rerun_out, "%s/%s", tmpl, is_run ? "out" : "run.h5");
    snprintf(outpath, sizeof outpath, "%s%s", rerun_out, is_run ? "/run.h5" : "");
    if ((err = rerun_argv(rargv, rargc, rerun_out, &child, &nchild))) goto report;
    strbuf_t shown = {0};
    for (size_t i = 0; i < nchild; i++) sb_printf(&shown, " %s", child[i]);
    log_info("verify: rerunning in %s:%s%s radiogx%s", wd, launcher ? " " : "",
             launcher ? launcher : "", shown.s);
    free(shown.s);
    int status = 0;
    if ((err = run_child(child, wd, launcher, &status))) goto report;
    if (status != 0) {
        err = rgx_fail(RGX_ERR_VERIFY, "the rerun failed with exit status %d", status);
        goto report;
    }
    static const char *objs[] = {RF_SAMPLES_PATIENT_ID, RF_SAMPLES_SAMPLE_ID,
                                 RF_SAMPLES_SITE,       RF_SAMPLES_STATUS,
                                 RF_SAMPLES_REASON,     RF_FEATURES,
                                 RF_VARIANTS,           RF_ASSOC,
                                 RF_PHENOTYPES,         RF_HITS};
    err = h5cmp_files(runabs, outpath, objs, sizeof objs / sizeof objs[0], &same, &diff);
    if (!err && !same) err = rgx_fail(RGX_ERR_VERIFY, "differs: %s", diff ? diff : "?");
report:
    if (err)
        fprintf(stderr, "radiogx verify: %s\n", rgx_errmsg());
    else
        printf("identical: %s reproduced bit for bit (samples, features and any scan results)\n",
               run);
out:
    if (tmpl[0] && !keep) {
        if (path_remove_tree(tmpl) != 0) log_warn("verify: could not remove %s", tmpl);
    } else if (tmpl[0]) {
        log_info("verify: the rerun's files are in %s", tmpl);
    }
    if (f != H5I_INVALID_HID) h5in_close(f);
    h5in_free_strings(rargv, rargc);
    free(child), free(wd), free(version), free(diff);
    return err;
}
