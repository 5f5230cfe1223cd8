/* util.c — see util.h. */
#include "util.h"

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

rgx_err rgx_calloc(void *pp, size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) return rgx_fail(RGX_ERR_MEMORY, "cannot allocate %zu x %zu bytes", n, size);
    *(void **)pp = p;
    return RGX_OK;
}

rgx_err rgx_realloc(void *pp, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return rgx_fail(RGX_ERR_MEMORY, "allocation of %zu x %zu bytes overflows", n, size);
    void *p = realloc(*(void **)pp, n * size > 0 ? n * size : 1);
    if (!p) return rgx_fail(RGX_ERR_MEMORY, "cannot allocate %zu x %zu bytes", n, size);
    *(void **)pp = p;
    return RGX_OK;
}

rgx_err rgx_big_alloc(void *pp, size_t bytes)
{
    size_t align = (size_t)2 << 20;
    void *p = NULL;
    if (bytes < align) return rgx_calloc(pp, bytes ? bytes : 1, 1);
    if (posix_memalign(&p, align, bytes) != 0)
        return rgx_fail(RGX_ERR_MEMORY, "out of memory for %zu MB", bytes >> 20);
    madvise(p, bytes, MADV_HUGEPAGE); /* advice only: ignored where THP is off */
    *(void **)pp = p;
    return RGX_OK;
}

rgx_err rgx_big_calloc(void *pp, size_t n, size_t size)
{
    /* calloc leaves a large block's fresh pages untouched (the kernel zeroes them as they are
     * first written), so the advice still applies to the aligned interior: 240 MB took 0.05 s
     * of CPU so, 0.12-0.17 s allocated on huge pages and zeroed, 1.1 s in 4 kB pages (the
     * development VM, loaded). */
    if (size && n > SIZE_MAX / size)
        return rgx_fail(RGX_ERR_MEMORY, "allocation of %zu x %zu bytes overflows", n, size);
    rgx_err err = rgx_calloc(pp, n, size);
    if (err) return err;
    uintptr_t huge = (uintptr_t)2 << 20, p = (uintptr_t) * (void **)pp;
    uintptr_t a = (p + huge - 1) & ~(huge - 1), e = (p + n * size) & ~(huge - 1);
    if (e > a) madvise((void *)a, e - a, MADV_HUGEPAGE); /* advice only */
    return RGX_OK;
}

rgx_err rgx_reserve(void *pp, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap) return RGX_OK;
    size_t c = *cap ? 2 * *cap : n;
    while (c < n) c *= 2;
    rgx_err err = rgx_realloc(pp, c, size);
    if (!err) *cap = c;
    return err;
}

rgx_err rgx_strdup(char **out, const char *s)
{
    *out = NULL;
    if (!s) return RGX_OK;
    *out = strdup(s);
    return *out ? RGX_OK : rgx_fail(RGX_ERR_MEMORY, "cannot allocate a string");
}

static rgx_err sb_reserve(strbuf_t *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap) return RGX_OK;
    size_t cap = sb->cap ? sb->cap : 256;
    while (cap < sb->len + extra + 1) cap *= 2;
    rgx_err err = rgx_realloc(&sb->s, cap, 1);
    if (!err) sb->cap = cap;
    return err;
}

rgx_err sb_append(strbuf_t *sb, const char *s)
{
    size_t n = strlen(s);
    rgx_err err = sb_reserve(sb, n);
    if (err) return err;
    memcpy(sb->s + sb->len, s, n + 1);
    sb->len += n;
    return RGX_OK;
}

rgx_err sb_printf(strbuf_t *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return rgx_fail(RGX_ERR_INTERNAL, "bad format string");
    rgx_err err = sb_reserve(sb, (size_t)n);
    if (err) return err;
    va_start(ap, fmt);
    vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
    return RGX_OK;
}

rgx_err path_join(char **out, const char *dir, const char *rel)
{
    if (rel[0] == '/' || !dir || !dir[0] || strcmp(dir, ".") == 0) return rgx_strdup(out, rel);
    size_t n = strlen(dir) + strlen(rel) + 2;
    rgx_err err = rgx_calloc(out, n, 1);
    if (err) return err;
    snprintf(*out, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", rel);
    return RGX_OK;
}

rgx_err path_dirname(char **out, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return rgx_strdup(out, ".");
    if (slash == path) return rgx_strdup(out, "/");
    rgx_err err = rgx_calloc(out, (size_t)(slash - path) + 1, 1);
    if (err) return err;
    memcpy(*out, path, (size_t)(slash - path));
    return RGX_OK;
}

rgx_err read_file(const char *path, char **out, size_t *len)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return rgx_fail(RGX_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
    /* Straight into one block of the file's size (+ 2: the NUL, and room to see the end), on
     * huge pages when large: through a 64 kB buffer into a doubling string, an 85 MB
     * phenotype table cost 0.4 s of CPU on the development VM, nearly all of it 4 kB page
     * faults (~17 us each there); on 2 MB pages 0.03 s. Pipes, and files that grow, take
     * more room as they go. */
    struct stat st;
    size_t cap = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0
                     ? (size_t)st.st_size + 2
                     : 65536,
           n = 0;
    char *s = NULL;
    rgx_err err = rgx_big_alloc(&s, cap);
    for (size_t got = 1; !err && got > 0;) {
        if (n + 1 == cap && (err = rgx_realloc(&s, cap *= 2, 1))) break;
        got = fread(s + n, 1, cap - n - 1, f);
        n += got;
    }
    if (!err && ferror(f))
        err = rgx_fail(RGX_ERR_INPUT, "%s: read error: %s", path, strerror(errno));
    fclose(f);
    if (err) {
        free(s);
        return err;
    }
    s[n] = '\0';
    *out = s;
    if (len) *len = n;
    return RGX_OK;
}

double wall_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double cpu_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void iso8601_utc(double t, char buf[32])
{
    time_t s = (time_t)t;
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

size_t edit_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 64 || nb > 64) return (size_t)-1;
    size_t row[65];
    for (size_t j = 0; j <= nb; j++) row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

/* ---- SHA-256 (FIPS 180-4), by OpenSSL's libcrypto ---- */
/* Its assembly runs at ~400 MB/s here, where a portable C version ran at 170: hashing the
 * inputs for provenance is on every run's critical path. */

static void hex_digest(const unsigned char *md, char hex[65])
{
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

void sha256_buf(const void *data, size_t n, char hex[65])
{
    unsigned char md[32];
    SHA256(data, n, md);
    hex_digest(md, hex);
}

rgx_err sha256_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f) return rgx_fail(RGX_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
    enum { PIECE = 1 << 20 };
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned char *buf = malloc(PIECE);
    int ok = c && buf && EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    size_t n;
    while (ok && (n = fread(buf, 1, PIECE, f)) > 0) ok = EVP_DigestUpdate(c, buf, n);
    int bad = ferror(f);
    fclose(f);
    free(buf);
    unsigned char md[32];
    unsigned len = 0;
    if (ok && !bad) ok = EVP_DigestFinal_ex(c, md, &len) && len == 32;
    EVP_MD_CTX_free(c);
    if (bad) return rgx_fail(RGX_ERR_INPUT, "%s: read error", path);
    if (!ok) return rgx_fail(RGX_ERR_MEMORY, "%s: SHA-256 failed (libcrypto)", path);
    hex_digest(md, hex);
    return RGX_OK;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path) != 0 && errno != ENOENT;
}

int path_remove_tree(const char *path)
{
    /* Depth first, not following symbolic links out of the tree. */
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

/* Clinger's fast path: a decimal whose significant digits (at most 19, read into a 64-bit
 * integer) make an integer m <= 2^53 and whose power of ten is within 10^+-22 is m * 10^e or
 * m / 10^-e with both operands exact doubles, so one IEEE operation rounds it correctly — the
 * same double strtod returns.  Anything else goes to strtod. */
double rgx_strtod(const char *s, char **end)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s;
    int neg = 0;
    if (*p == '-' || *p == '+') neg = *p++ == '-';
    uint64_t m = 0;
    int digits = 0, exp10 = 0, any = 0;
    while (*p == '0') p++, any = 1; /* leading zeros are not significant */
    for (; *p >= '0' && *p <= '9'; p++, any = 1)
        if (digits++ < 19) m = m * 10 + (uint64_t)(*p - '0'); /* (leading zeros are gone) */
        else exp10++;
    if (*p == '.') {
        p++;
        for (; *p >= '0' && *p <= '9'; p++, any = 1) {
            if (m == 0 && *p == '0') {
                exp10--;
                continue;
            }
            if (digits < 19) m = m * 10 + (uint64_t)(*p - '0'), digits++, exp10--;
            else digits++;
        }
    }
    if (!any || digits > 19 || m > ((uint64_t)1 << 53)) return strtod(s, end);
    if (*p == 'e' || *p == 'E') {
        const char *q = p + 1;
        int eneg = 0, e = 0, ed = 0;
        if (*q == '-' || *q == '+') eneg = *q++ == '-';
        for (; *q >= '0' && *q <= '9' && ed < 5; q++, ed++) e = e * 10 + (*q - '0');
        if (!ed || (*q >= '0' && *q <= '9')) return strtod(s, end);
        exp10 += eneg ? -e : e;
        p = q;
    }
    /* Letters or a second dot right after the number (hex, inf, nan, "1.2.3"): strtod's call. */
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '.' || exp10 < -22 ||
        exp10 > 22)
        return strtod(s, end);
    double v = (double)m;
    v = exp10 < 0 ? v / p10[-exp10] : v * p10[exp10];
    if (end) *end = (char *)p;
    return neg ? -v : v;
}

/* Powers of ten up to 10^19 (g_digits, rgx_fmt_g). */
static const uint64_t p10[20] = {1ull,
                                 10ull,
                                 100ull,
                                 1000ull,
                                 10000ull,
                                 100000ull,
                                 1000000ull,
                                 10000000ull,
                                 100000000ull,
                                 1000000000ull,
                                 10000000000ull,
                                 100000000000ull,
                                 1000000000000ull,
                                 10000000000000ull,
                                 100000000000000ull,
                                 1000000000000000ull,
                                 10000000000000000ull,
                                 100000000000000000ull,
                                 1000000000000000000ull,
                                 10000000000000000000ull};

/* The prec digits of |x| = m / 2^s rounded at exponent X (|x| ~ d.ddd x 10^X): N = m 10^k / 2^s
 * with k = prec - 1 - X, to nearest, ties to even (as glibc's printf in the default rounding
 * mode); 0 when 10^k or the product is out of reach of 128 bits. */
static uint64_t g_digits(uint64_t m, int s, int prec, int X)
{
    int k = prec - 1 - X;
    if (k < 0 || k > 22 || s < 1 || s > 127) return 0;
    /* 10^k < 2^74 and m < 2^53: the product fits in 128 bits, exactly */
    unsigned __int128 tk = k > 19 ? (unsigned __int128)p10[19] * p10[k - 19] : p10[k];
    unsigned __int128 prod = (unsigned __int128)m * tk, one = (unsigned __int128)1 << s;
    unsigned __int128 q = prod >> s, r = prod & (one - 1), half = one >> 1;
    if (q >> 64) return 0;
    uint64_t n = (uint64_t)q;
    return n + (r > half || (r == half && (n & 1)));
}

int rgx_fmt_g(char *buf, double x, int prec)
{
    if (prec < 1 || prec > 17 || !isfinite(x) || x == 0)
        return snprintf(buf, RGX_FMT_G_LEN, "%.*g", prec, x);
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    int be = (int)(u >> 52 & 0x7ff); /* (not 0: subnormals go to snprintf through g_digits) */
    uint64_t m = (u & ((1ull << 52) - 1)) | (be ? 1ull << 52 : 0);
    int s = 1075 - be; /* |x| = m / 2^s, 2^(be - 1023) <= |x| < 2^(be - 1022) */
    /* floor((be - 1023) log10 2), exact for every exponent of a double (78913 / 2^18 is log10 2
     * to 6 digits; an arithmetic shift, as gcc and clang make it): |x|'s decimal exponent is
     * X or X + 1 */
    int X = ((be - 1023) * 78913) >> 18;
    uint64_t lo = p10[prec - 1], n = g_digits(m, s, prec, X);
    if (n >= lo * 10) n = g_digits(m, s, prec, ++X); /* the estimate was one too low */
    if (n == lo * 10) n = lo, X++;                   /* rounded up to the next power of ten */
    if (n < lo || n >= lo * 10) return snprintf(buf, RGX_FMT_G_LEN, "%.*g", prec, x);
    char d[20];
    for (int i = prec - 1; i >= 0; i--) d[i] = (char)('0' + n % 10), n /= 10;
    int nd = prec; /* significant digits kept: %g drops the fraction's trailing zeros */
    while (nd > 1 && d[nd - 1] == '0') nd--;
    char *o = buf;
    if (x < 0) *o++ = '-';
    if (X < -4 || X >= prec) { /* style e */
        *o++ = d[0];
        if (nd > 1) *o++ = '.', memcpy(o, d + 1, (size_t)nd - 1), o += nd - 1;
        int ax = X < 0 ? -X : X;
        *o++ = 'e', *o++ = X < 0 ? '-' : '+';
        if (ax >= 100) *o++ = (char)('0' + ax / 100);
        *o++ = (char)('0' + ax / 10 % 10), *o++ = (char)('0' + ax % 10);
    } else if (X >= 0) { /* style f, an integer part of X + 1 digits */
        memcpy(o, d, (size_t)X + 1), o += X + 1;
        if (nd > X + 1) *o++ = '.', memcpy(o, d + X + 1, (size_t)(nd - X - 1)), o += nd - X - 1;
    } else { /* style f below 1: 0.000ddd */
        *o++ = '0', *o++ = '.';
        for (int i = 0; i < -X - 1; i++) *o++ = '0';
        memcpy(o, d, (size_t)nd), o += nd;
    }
    *o = '\0';
    return (int)(o - buf);
}

int rgx_cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The key of a double whose unsigned order is the numeric order (negatives: every bit
 * flipped; others: the sign bit set); -0 takes +0's key, so the two stay in input order. */
static uint64_t sort_key(double v)
{
    uint64_t u;
    if (v == 0) v = 0.0;
    memcpy(&u, &v, sizeof u);
    return u >> 63 ? ~u : u | (uint64_t)1 << 63;
}

void sort_doubles(double *x, size_t n)
{
    enum { BITS = 11, BUCKETS = 1 << BITS, PASSES = (64 + BITS - 1) / BITS };
    if (n < 256) { /* small: the comparison sort wins */
        qsort(x, n, sizeof *x, cmp_double);
        return;
    }
    typedef struct {
        uint64_t key;
        double v;
    } item_t;
    item_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    size_t(*count)[BUCKETS] = calloc(PASSES, sizeof *count);
    if (!a || !b || !count) {
        free(a), free(b), free(count);
        qsort(x, n, sizeof *x, cmp_double);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        a[i] = (item_t){sort_key(x[i]), x[i]};
        for (int p = 0; p < PASSES; p++) count[p][a[i].key >> (p * BITS) & (BUCKETS - 1)]++;
    }
    for (int p = 0; p < PASSES; p++) {
        size_t *c = count[p], sum = 0;
        if (c[a[0].key >> (p * BITS) & (BUCKETS - 1)] == n) continue; /* one digit: no move */
        for (int k = 0; k < BUCKETS; k++) {
            size_t t = c[k];
            c[k] = sum, sum += t;
        }
        for (size_t i = 0; i < n; i++) b[c[a[i].key >> (p * BITS) & (BUCKETS - 1)]++] = a[i];
        item_t *t = a;
        a = b, b = t;
    }
    for (size_t i = 0; i < n; i++) x[i] = a[i].v;
    free(a), free(b), free(count);
}
