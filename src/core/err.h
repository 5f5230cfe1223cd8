/* err.h — the one error enum of radiogx, and the message that goes with it.
 *
 * Every function that can fail returns an rgx_err; results go through out parameters.
 * The value is also the process exit status, so scripts can tell a bad config (3) from
 * a broken input file (5) from an interrupted job that asks to be requeued (75).
 *
 * A failing function records a human message with rgx_fail(); the caller that ends
 * the stage prints it with rgx_errmsg().  The message buffer is per thread. */
#ifndef RGX_ERR_H
#define RGX_ERR_H

typedef enum {
    RGX_OK = 0,
    RGX_ERR_USAGE = 2,     /* bad command line */
    RGX_ERR_CONFIG = 3,    /* config file: syntax, unknown key, wrong type, out of range */
    RGX_ERR_MANIFEST = 4,  /* cohort manifest or its inputs failed validation */
    RGX_ERR_INPUT = 5,     /* an input file is missing, unreadable or malformed */
    RGX_ERR_IO = 6,        /* writing an output failed */
    RGX_ERR_MEMORY = 7,    /* allocation failed or a memory limit would be exceeded */
    RGX_ERR_MPI = 8,       /* MPI call failed */
    RGX_ERR_NUMERIC = 9,   /* numerical failure (singular matrix, no valid data) */
    RGX_ERR_VERIFY = 10,   /* radiogx verify found a difference */
    RGX_ERR_INTERNAL = 70, /* a bug: an invariant did not hold */
    RGX_ERR_REQUEUE = 75,  /* stopped on a signal after a checkpoint; rerun to resume */
} rgx_err;

/* Records a formatted message for err and returns err, so that
 *     return rgx_fail(RGX_ERR_INPUT, "%s: not a NIfTI file", path);
 * reads as one statement.  A later rgx_fail() replaces the message. */
rgx_err rgx_fail(rgx_err err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#ifdef __clang_analyzer__
/* For clang's static analyzer only (make analyze): that rgx_fail returns its err, which
 * the analyzer cannot see in another file; else it follows paths where a failure returned 0. */
#define rgx_fail(err, ...) (rgx_fail((err), __VA_ARGS__), (err))
#endif

/* The message recorded by the last rgx_fail() in this thread ("" if none). */
const char *rgx_errmsg(void);

/* Clears the recorded message. */
void rgx_errclear(void);

/* A short name for the category ("config error", "input error", ...). */
const char *rgx_errname(rgx_err err);

#endif
