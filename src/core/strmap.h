/* strmap.h — a string -> index hash table (open addressing, FNV-1a), for id lookups that run
 * once per sample or per record (a linear search there is O(n^2) at 10^5 samples).
 *
 * Keys are borrowed: the caller keeps them alive and unchanged while the map is used. */
#ifndef RGX_STRMAP_H
#define RGX_STRMAP_H

#include <stddef.h>

#include "err.h"

typedef struct {
    const char **key;
    long *val;
    size_t cap; /* a power of two, at least twice the keys */
    size_t n;
} strmap_t;

/* A map with room for n keys. */
rgx_err strmap_init(strmap_t *m, size_t n);
void strmap_free(strmap_t *m);
/* Adds key -> val; when key is already there, leaves it and returns its value in *old
 * (old may be NULL), else *old = -1.  The map grows as needed. */
rgx_err strmap_put(strmap_t *m, const char *key, long val, long *old);
/* The value of key, or -1. */
long strmap_get(const strmap_t *m, const char *key);

#endif
