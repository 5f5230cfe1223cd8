/* err.c — see err.h. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char errbuf[2048];

/* The name in parentheses: not err.h's macro for the static analyzer. */
rgx_err(rgx_fail)(rgx_err err, const char *fmt, ...)
{
    /* Format into a scratch buffer first: the arguments may include rgx_errmsg() itself,
     * which is how a caller adds context to a message from below. */
    char tmp[sizeof errbuf];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    memcpy(errbuf, tmp, sizeof errbuf);
    return err;
}

const char *rgx_errmsg(void)
{
    return errbuf;
}

void rgx_errclear(void)
{
    errbuf[0] = '\0';
}

const char *rgx_errname(rgx_err err)
{
    switch (err) {
    case RGX_OK: return "ok";
    case RGX_ERR_USAGE: return "usage error";
    case RGX_ERR_CONFIG: return "config error";
    case RGX_ERR_MANIFEST: return "manifest error";
    case RGX_ERR_INPUT: return "input error";
    case RGX_ERR_IO: return "I/O error";
    case RGX_ERR_MEMORY: return "out of memory";
    case RGX_ERR_MPI: return "MPI error";
    case RGX_ERR_NUMERIC: return "numerical error";
    case RGX_ERR_VERIFY: return "verification failed";
    case RGX_ERR_INTERNAL: return "internal error";
    case RGX_ERR_REQUEUE: return "interrupted, requeue to resume";
    }
    return "error";
}
