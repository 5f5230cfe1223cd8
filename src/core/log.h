/* log.h — rank-aware logging, progress lines and the fatal path.
 *
 * Every line carries the elapsed wall time, the MPI rank and a level:
 *     [radiogx +12.3s r0 INFO] extract: 120/300 patients (40%), ETA 18s
 * Rank 0 prints INFO lines; other ranks print only warnings and errors unless
 * log_set_all_ranks(1) (the -v flag).  Output goes to stderr, one write per line,
 * so lines from different ranks do not interleave mid-line. */
#ifndef RGX_LOG_H
#define RGX_LOG_H

#include "err.h"

enum { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* Called once, as early as possible: records the start time. rank/size may be 0/1
 * before MPI is up and set again later by log_set_rank(). */
void log_init(void);
void log_set_rank(int rank, int size);
void log_set_level(int level);
void log_set_all_ranks(int on);
double log_elapsed(void); /* seconds since log_init() */

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Ends the job from any rank: logs "rank R, stage S: message" at ERROR and calls
 * MPI_Abort when MPI is running (exit() otherwise).  Only stage drivers call this;
 * library code returns an rgx_err instead. */
_Noreturn void rgx_die(rgx_err err, const char *stage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Progress of a long stage, printed by rank 0 only: at most every few seconds on a
 * terminal (with \r), at most every 10% or 60 s otherwise (plain lines, no \r). */
typedef struct {
    const char *what; /* "extract", "scan", ... */
    const char *unit; /* "patients", "variants", ... */
    long total;
    double t0, last;
    int last_pct, tty;
} progress_t;

void progress_init(progress_t *p, const char *what, const char *unit, long total);
void progress_update(progress_t *p, long done);
void progress_done(progress_t *p, long done);

/* The run's closing line: wall time, CPU time and peak resident memory of this rank. */
void log_resources(const char *what);

#endif
