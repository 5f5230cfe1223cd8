/* strmap.c — see strmap.h. */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

rgx_err strmap_init(strmap_t *m, size_t n)
{
    memset(m, 0, sizeof *m);
    size_t cap = 16;
    while (cap < 2 * n) cap *= 2;
    rgx_err err = rgx_calloc(&m->key, cap, sizeof *m->key);
    if (!err) err = rgx_calloc(&m->val, cap, sizeof *m->val);
    if (err) {
        strmap_free(m);
        return err;
    }
    m->cap = cap;
    return RGX_OK;
}

void strmap_free(strmap_t *m)
{
    free(m->key), free(m->val);
    memset(m, 0, sizeof *m);
}

/* The slot of key, or the empty slot where it would go. */
static size_t slot(const strmap_t *m, const char *key)
{
    size_t i = (size_t)hash(key) & (m->cap - 1);
    while (m->key[i] && strcmp(m->key[i], key)) i = (i + 1) & (m->cap - 1);
    return i;
}

static rgx_err grow(strmap_t *m)
{
    strmap_t bigger;
    rgx_err err = strmap_init(&bigger, m->cap);
    if (err) return err;
    for (size_t i = 0; i < m->cap; i++)
        if (m->key[i]) {
            size_t j = slot(&bigger, m->key[i]);
            bigger.key[j] = m->key[i], bigger.val[j] = m->val[i];
        }
    bigger.n = m->n;
    strmap_free(m);
    *m = bigger;
    return RGX_OK;
}

rgx_err strmap_put(strmap_t *m, const char *key, long val, long *old)
{
    if (old) *old = -1;
    if (2 * (m->n + 1) > m->cap) {
        rgx_err err = grow(m);
        if (err) return err;
    }
    size_t i = slot(m, key);
    if (m->key[i]) {
        if (old) *old = m->val[i];
        return RGX_OK;
    }
    m->key[i] = key, m->val[i] = val, m->n++;
    return RGX_OK;
}

long strmap_get(const strmap_t *m, const char *key)
{
    if (!m->cap) return -1;
    size_t i = slot(m, key);
    return m->key[i] ? m->val[i] : -1;
}
