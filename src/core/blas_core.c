/* blas_core.c — see blas_core.h. */
#include "blas_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cblas.h>

/* Set in the restarted process: the kernels OpenBLAS had chosen (and the loop guard). */
#define WAS_VAR "RADIOGX_OPENBLAS_DETECTED"

/* OpenBLAS's x86-64 kernels that use AVX2 or AVX-512 (openblas_get_corename()). */
static int modern(const char *core)
{
    static const char *const names[] = {"Haswell",    "Excavator",     "Zen",
                                        "SkylakeX",   "Cooperlake",    "SapphireRapids"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(core, names[i])) return 1;
    return 0;
}

/* The kernels this CPU can run, or NULL: none better than OpenBLAS's own choice. */
static const char *wanted(void)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return NULL;
}

static int under_valgrind(void)
{
    const char *p = getenv("LD_PRELOAD");
    return p && strstr(p, "vgpreload");
}

void blas_core_fix(char **argv)
{
    const char *core = openblas_get_corename(), *want = wanted();
    if (!want || !core || modern(core) || getenv("OPENBLAS_CORETYPE") || getenv(WAS_VAR) ||
        under_valgrind())
        return;
    if (setenv(WAS_VAR, core, 1) != 0 || setenv("OPENBLAS_CORETYPE", want, 1) != 0) return;
    /* The binary by its own path, so that the process keeps its name (ps, top, pkill: a
     * process started from /proc/self/exe is called "exe"); /proc/self/exe when that path is
     * gone (a binary replaced while running). */
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n > 0) {
        path[n] = '\0';
        execv(path, argv);
    }
    execv("/proc/self/exe", argv);
    /* Not restarted (no /proc): the slow kernels, said in the log. */
    unsetenv("OPENBLAS_CORETYPE");
}

const char *blas_core_note(void)
{
    static char note[160];
    const char *core = openblas_get_corename(), *was = getenv(WAS_VAR);
    if (was && getenv("OPENBLAS_CORETYPE") && strcasecmp(was, core))
        snprintf(note, sizeof note, "%s (chosen by radiogx: OpenBLAS took %s for this CPU)",
                 core, was);
    else if (was)
        snprintf(note, sizeof note, "%s (OpenBLAS's choice for this CPU; radiogx could not "
                 "restart with better kernels)", core);
    else
        snprintf(note, sizeof note, "%s", core);
    return note;
}
