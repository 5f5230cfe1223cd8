/* version.c — the version string, from `git describe` at build time. */
#include "version.h"

#ifndef RGX_VERSION
#define RGX_VERSION "unknown"
#endif

const char *rgx_version(void)
{
    return RGX_VERSION;
}
