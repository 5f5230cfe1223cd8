/* util.h — small helpers shared by every module: checked allocation, a growable
 * string buffer, path joining, file facts and SHA-256. */
#ifndef RGX_UTIL_H
#define RGX_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

/* *(void **)pp = calloc(n, size); RGX_ERR_MEMORY (with a message) when that fails. */
rgx_err rgx_calloc(void *pp, size_t n, size_t size);
/* *(void **)pp = realloc(*(void **)pp, n * size), keeping the old block on failure. */
rgx_err rgx_realloc(void *pp, size_t n, size_t size);
/* *(void **)pp = bytes of memory, freed with free(): on transparent huge pages where the
 * kernel offers them when large (faulting in 100 MB in 4 KB pages costs a third of reading a
 * CT), and then not zeroed; zeroed below 2 MB. */
rgx_err rgx_big_alloc(void *pp, size_t bytes);
/* calloc (zeroed, freed with free()) of n x size bytes, on transparent huge pages where the
 * kernel offers them when large. */
rgx_err rgx_big_calloc(void *pp, size_t n, size_t size);
/* Room for at least n items of size bytes in *(void **)pp, whose room is *cap items: the
 * room doubled as often as needed (n at first), the old block kept on failure. */
rgx_err rgx_reserve(void *pp, size_t *cap, size_t n, size_t size);
/* Duplicates s into *out (NULL stays NULL). */
rgx_err rgx_strdup(char **out, const char *s);

/* A growable NUL-terminated string. Zero-initialise, append, then free(sb.s). */
typedef struct {
    char *s;
    size_t len, cap;
} strbuf_t;
rgx_err sb_append(strbuf_t *sb, const char *s);
rgx_err sb_printf(strbuf_t *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* dir + "/" + rel unless rel is absolute; result in *out (caller frees). */
rgx_err path_join(char **out, const char *dir, const char *rel);
/* Directory part of path ("." when there is none); caller frees. */
rgx_err path_dirname(char **out, const char *path);
/* Removes a file or a folder with everything in it (symbolic links are removed, not
 * followed); 0 on success, -1 otherwise. */
int path_remove_tree(const char *path);

/* SHA-256 of a file as 64 lowercase hex digits plus NUL. */
rgx_err sha256_file(const char *path, char hex[65]);
/* SHA-256 of a buffer. */
void sha256_buf(const void *data, size_t n, char hex[65]);

/* Whole file into *out (NUL-terminated; *len without the NUL). */
rgx_err read_file(const char *path, char **out, size_t *len);

/* Seconds since the epoch as ISO 8601 UTC ("2026-11-24T10:11:12Z"). */
void iso8601_utc(double t, char buf[32]);
double wall_clock(void); /* seconds since the epoch, sub-second resolution */
double cpu_clock(void);  /* this process's CPU seconds (user + system, all its threads) */

/* strtod, faster on plain decimals (at most 15 significant digits, as text tables and VCF
 * dosages have) and bitwise equal to it on every input. */
double rgx_strtod(const char *s, char **end);
/* snprintf(buf, RGX_FMT_G_LEN, "%.*g", prec, x), byte for byte, and its length; faster where
 * the exported statistics lie (about 10^(prec-23) <= |x| < 10^prec).  buf holds at least
 * RGX_FMT_G_LEN bytes. */
enum { RGX_FMT_G_LEN = 32 };
int rgx_fmt_g(char *buf, double x, int prec);
/* Levenshtein distance, for "did you mean" hints on misspelt keys. */
size_t edit_distance(const char *a, const char *b);
/* Ascending order of ints, for qsort. */
int rgx_cmp_int(const void *a, const void *b);
/* Sorts n doubles (no NaN) ascending, stably, -0 and +0 as equal: the order qsort with a
 * (x > y) - (x < y) comparison gives, by an LSD radix sort (qsort if memory is short). */
void sort_doubles(double *x, size_t n);

#endif
