/* log.c — see log.h. */
#include "log.h"

#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static struct {
    double t0;
    int rank, size, level, all_ranks;
} L = {0, 0, 1, LOG_INFO, 0};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void log_init(void)
{
    L.t0 = now();
    const char *lv = getenv("RADIOGX_LOG_LEVEL");
    if (lv && *lv) L.level = atoi(lv);
}

void log_set_rank(int rank, int size)
{
    L.rank = rank;
    L.size = size;
}

void log_set_level(int level)
{
    L.level = level;
}

void log_set_all_ranks(int on)
{
    L.all_ranks = on;
}

double log_elapsed(void)
{
    if (L.t0 == 0) L.t0 = now(); /* a program that never called log_init() */
    return now() - L.t0;
}

static const char *level_name[] = {"ERROR", "WARN", "INFO", "DEBUG"};

static void vlog(int level, const char *fmt, va_list ap)
{
    if (level > L.level) return;
    if (level > LOG_WARN && L.rank != 0 && !L.all_ranks) return;
    char line[4096];
    int n = snprintf(line, sizeof line, "[radiogx +%.1fs r%d %s] ", log_elapsed(), L.rank,
                     level_name[level]);
    n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
    line[n++] = '\n';
    /* One write() per line keeps lines from several ranks whole. */
    ssize_t w = write(STDERR_FILENO, line, (size_t)n);
    (void)w;
}

void log_msg(int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(level, fmt, ap);
    va_end(ap);
}

_Noreturn void rgx_die(rgx_err err, const char *stage, const char *fmt, ...)
{
    char msg[3072];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_msg(LOG_ERROR, "rank %d, stage %s: %s (%s, exit status %d)", L.rank, stage, msg,
            rgx_errname(err), (int)err);
    int up = 0, down = 0;
    MPI_Initialized(&up);
    if (up) MPI_Finalized(&down);
    if (up && !down && L.size > 1) MPI_Abort(MPI_COMM_WORLD, (int)err);
    if (up && !down) MPI_Finalize();
    /* _exit: a dying stage leaves its memory to the system; the leak checker's exit hook
     * would otherwise replace our exit status with its own. */
    fflush(NULL);
    _exit((int)err);
}

void progress_init(progress_t *p, const char *what, const char *unit, long total)
{
    memset(p, 0, sizeof *p);
    p->what = what;
    p->unit = unit;
    p->total = total;
    p->t0 = p->last = now();
    p->last_pct = -1;
    p->tty = isatty(STDERR_FILENO);
}

static void fmt_duration(char *buf, size_t n, double s)
{
    if (s < 120) snprintf(buf, n, "%.0fs", s);
    else if (s < 7200) snprintf(buf, n, "%.0fm%02.0fs", s / 60 - 0.5, s - 60 * (long)(s / 60));
    else snprintf(buf, n, "%.1fh", s / 3600);
}

void progress_update(progress_t *p, long done)
{
    if (L.rank != 0 || L.level < LOG_INFO || p->total <= 0) return;
    double t = now();
    int pct = (int)(100.0 * (double)done / (double)p->total);
    if (p->tty) {
        if (t - p->last < 1.0 && done < p->total) return;
    } else if ((pct / 10 == p->last_pct / 10 || t - p->last < 2) && t - p->last < 60) {
        return; /* a line per 10% at most, none for work that ends within seconds */
    }
    p->last = t;
    p->last_pct = pct;
    char eta[32] = "?";
    if (done > 0)
        fmt_duration(eta, sizeof eta, (t - p->t0) * (double)(p->total - done) / (double)done);
    char line[512];
    int n = snprintf(line, sizeof line, "[radiogx +%.1fs r0 INFO] %s: %ld/%ld %s (%d%%), ETA %s",
                     log_elapsed(), p->what, done, p->total, p->unit, pct, eta);
    if (p->tty) {
        char out[600];
        int m = snprintf(out, sizeof out, "\r%s\033[K", line);
        ssize_t w = write(STDERR_FILENO, out, (size_t)m);
        (void)w;
    } else {
        line[n++] = '\n';
        ssize_t w = write(STDERR_FILENO, line, (size_t)n);
        (void)w;
    }
}

void progress_done(progress_t *p, long done)
{
    if (L.rank != 0 || L.level < LOG_INFO) return;
    if (p->tty) {
        ssize_t w = write(STDERR_FILENO, "\r\033[K", 4);
        (void)w;
    }
    double dt = now() - p->t0;
    log_info("%s: %ld %s in %.1fs (%.1f %s/s)", p->what, done, p->unit, dt,
             dt > 0 ? (double)done / dt : 0.0, p->unit);
}

void log_resources(const char *what)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
                 (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    log_msg(L.all_ranks || L.rank == 0 ? LOG_INFO : LOG_DEBUG,
            "%s done: wall %.2fs, CPU %.2fs, peak RSS %.1f MiB (rank %d)", what, log_elapsed(),
            cpu, (double)ru.ru_maxrss / 1024.0, L.rank);
}
