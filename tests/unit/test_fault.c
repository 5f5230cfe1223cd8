/* test_fault.c — the kill points of fault.h: the N-th pass of the armed site (and only it)
 * fires, a wrong rank or site never does, a malformed RGX_KILL_AT is refused; and a SIGKILL
 * in the middle of a checkpoint record leaves a torn record that ckpt_read_all drops, with
 * every record before it kept.  Each case runs in a child process (the variable is read
 * once per process). */
#include "tap.h"
#include "ckpt.h"
#include "fault.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t n_usr1;
static void on_usr1(int sig)
{
    (void)sig;
    n_usr1++;
}

/* Runs fn in a child with RGX_KILL_AT=spec; returns its wait status. */
static int child(const char *spec, int (*fn)(void *), void *arg)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("RGX_KILL_AT", spec, 1);
        if (!freopen("/dev/null", "w", stderr)) _exit(98); /* the points' own lines */
        _exit(fn(arg));
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return st;
}

/* Exit status: the pass (1..) at which USR1 arrived, 0 for none, 99 for a second one. */
static int passes(void *arg)
{
    const char *what = arg;
    signal(SIGUSR1, on_usr1);
    int at = 0;
    for (int k = 1; k <= 6; k++) {
        fault_point("unit", what);
        if (n_usr1 == 1 && !at) at = k;
    }
    return n_usr1 > 1 ? 99 : at;
}

static const char KEY[65] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static int records(void *arg)
{
    ckpt_writer_t w;
    if (ckpt_open(&w, arg, "unit", 0, KEY) != RGX_OK) return 1;
    double v[64];
    for (int i = 0; i < 64; i++) v[i] = i;
    for (uint64_t k = 0; k < 5; k++)
        if (ckpt_append(&w, k, v, sizeof v) != RGX_OK) return 2;
    ckpt_close(&w);
    return 0;
}

static rgx_err count(void *ctx, uint64_t key, const void *p, size_t len)
{
    (void)p;
    size_t *n = ctx;
    if (len == 64 * sizeof(double) && key == *n) ++*n;
    return RGX_OK;
}

int main(void)
{
    int st = child("unit.x:3:0:USR1", passes, "x");
    is_int(WEXITSTATUS(st), 3, "the 3rd pass of unit.x fires, and only it");
    st = child("unit.x:3:*:USR1", passes, "x");
    is_int(WEXITSTATUS(st), 3, "rank '*': any rank");
    st = child("unit.x:3:1:USR1", passes, "x");
    is_int(WEXITSTATUS(st), 0, "another rank's point does not fire here (rank 0)");
    st = child("unit.y:3:0:USR1", passes, "x");
    is_int(WEXITSTATUS(st), 0, "another site does not fire");
    st = child("unit:3:0:USR1", passes, "x");
    is_int(WEXITSTATUS(st), 0, "'unit' is not 'unit.x'");
    const char *bad[] = {"unit.x", "unit.x:0", "unit.x:2x", "unit.x:2:-1", "unit.x:2:0:HUP"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        st = child(bad[i], passes, "x");
        char name[80];
        snprintf(name, sizeof name, "'%s' is refused (never fires)", bad[i]);
        is_int(WEXITSTATUS(st), 0, name);
    }

    char dir[] = "/tmp/rgx_fault_XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char sub[256];
    snprintf(sub, sizeof sub, "%s/t.ckpt", dir);
    st = child("unit.torn:3", records, sub);
    ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "unit.torn #3: the writer dies of SIGKILL");
    size_t n = 0, nrec = 0;
    ok(ckpt_read_all(sub, "unit", KEY, count, &n, &nrec) == RGX_OK, "the log reads");
    is_int(n, 2, "the two records before the torn one are kept, the torn one dropped");
    char cmd[300];
    snprintf(cmd, sizeof cmd, "stat -c %%s %s/unit.*.log", sub);
    FILE *p = popen(cmd, "r");
    long size = 0;
    if (p && fscanf(p, "%ld", &size) != 1) size = 0;
    if (p) pclose(p);
    long rec = 16 + 64 * 8 + 4;
    is_int(size, 73 + 2 * rec + 16 + 32 * 8, "the file ends half way through record 3");
    st = child("unit.after:2", records, sub);
    ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "unit.after #2: killed after the record");
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) return 1;
    return tap_done();
}
