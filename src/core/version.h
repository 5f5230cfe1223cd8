/* version.h — radiogx's version (git describe at build time). */
#ifndef RGX_VERSION_H
#define RGX_VERSION_H
const char *rgx_version(void);
#endif
