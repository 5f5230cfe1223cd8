/* test_util.c — util.c: SHA-256 against FIPS 180-4 vectors, strbuf, paths, edit distance,
 * rgx_strtod, sort_doubles. */
#include "tap.h"
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One value: rgx_fmt_g's text and length against snprintf's; the first few differences shown. */
static void fmt_g_check(double x, int prec, int *bad)
{
    char a[RGX_FMT_G_LEN], b[RGX_FMT_G_LEN];
    int la = rgx_fmt_g(a, x, prec);
    snprintf(b, sizeof b, "%.*g", prec, x);
    if ((strcmp(a, b) || la != (int)strlen(b)) && (*bad)++ < 5)
        printf("# %%.%dg of %a: %s, snprintf %s\n", prec, x, a, b);
}

/* rgx_fmt_g: byte for byte snprintf's %.*g, for precisions 1-17 (and two outside, which go to
 * snprintf): on edge cases (zeros, infinities, NaN, subnormals, the largest double, ties at
 * the digit after the last — 2^-15 = 0.000030517578125 at 10 digits —, values next to powers
 * of ten and to the style's switch at 10^-4 and 10^prec), on ties k / 2^j, and on random
 * doubles: any bit pattern, and magnitudes 10^-30 to 10^30 with random mantissas. */
static void test_fmt_g(void)
{
    const int precs[] = {1, 2, 6, 10, 15, 16, 17, 0, 18};
    const double fixed[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, 5e-324,
                            2.2250738585072014e-308, 1.7976931348623157e308, 1.0, -1.0, 0.5,
                            2.5, 1e-4, 1e-5, 9.5, 0.000030517578125, -0.000030517578125,
                            0.0001220703125, 0.00006103515625, 9.9999999995, 99999.5,
                            0.099999999995, 0.00009999999999, 123456789012.0, 1e22, 1e23,
                            4503599627370497.5};
    int bad = 0;
    long n = 0;
    for (size_t pi = 0; pi < sizeof precs / sizeof precs[0]; pi++) {
        int P = precs[pi];
        for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++, n++)
            fmt_g_check(fixed[i], P, &bad);
        for (int e = -12; e <= 12; e++, n += 2) { /* either side of 10^e */
            fmt_g_check(nextafter(pow(10, e), 0), P, &bad);
            fmt_g_check(nextafter(pow(10, e), INFINITY), P, &bad);
        }
        for (int j = 1; j <= 60; j++) /* exact decimals of many digits: ties */
            for (int k = 1; k < 200; k += 2, n++) fmt_g_check(ldexp((double)k, -j), P, &bad);
    }
    srand(11);
    for (int i = 0; i < 3000000; i++, n++) {
        double x;
        if (i % 3 == 0) { /* any bit pattern */
            uint64_t u = 0;
            for (int r = 0; r < 4; r++) u = u << 16 ^ (uint64_t)(rand() & 0xffff);
            memcpy(&x, &u, sizeof x);
        } else { /* a random mantissa at 10^-30 .. 10^30 */
            x = ((double)rand() / RAND_MAX + (double)rand() / RAND_MAX / RAND_MAX) *
                pow(10, rand() % 61 - 30);
            if (rand() % 2) x = -x;
        }
        fmt_g_check(x, precs[rand() % 7], &bad);
    }
    char what[96];
    snprintf(what, sizeof what, "rgx_fmt_g is snprintf's %%.*g byte for byte (%ld cases)", n);
    is_int(bad, 0, what);
}

int main(void)
{
    char hex[65];
    sha256_buf("abc", 3, hex);
    is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 abc");
    sha256_buf("", 0, hex);
    is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 empty");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_buf(m, strlen(m), hex);
    is_str(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
           "sha256 448 bits");
    /* A file read in pieces: FIPS 180-4's one million 'a', twice over a piece boundary. */
    char tmp[] = "/tmp/rgx_sha_XXXXXX";
    int fd = mkstemp(tmp);
    FILE *tf = fd >= 0 ? fdopen(fd, "wb") : NULL;
    for (int i = 0; tf && i < 1000000; i++) fputc('a', tf);
    if (tf) fclose(tf);
    is_int(sha256_file(tmp, hex), RGX_OK, "sha256_file reads a file");
    is_str(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
           "sha256_file: one million 'a'");
    remove(tmp);
    is_int(sha256_file("/nonexistent/file", hex), RGX_ERR_INPUT, "sha256_file: a missing file");

    strbuf_t sb = {0};
    for (int i = 0; i < 1000; i++) sb_printf(&sb, "%d,", i);
    ok(sb.len == strlen(sb.s), "strbuf length");
    ok(strncmp(sb.s, "0,1,2,", 6) == 0 && strstr(sb.s, "999,") != NULL, "strbuf content");
    free(sb.s);

    char *p;
    path_join(&p, "a/b", "c.nii.gz");
    is_str(p, "a/b/c.nii.gz", "path_join relative");
    free(p);
    path_join(&p, "a/b", "/abs/c");
    is_str(p, "/abs/c", "path_join absolute");
    free(p);
    path_dirname(&p, "x/y/manifest.tsv");
    is_str(p, "x/y", "dirname");
    free(p);
    path_dirname(&p, "manifest.tsv");
    is_str(p, ".", "dirname of a bare name");
    free(p);

    is_int(edit_distance("rnage", "range"), 2, "edit distance of a swap");
    is_int(edit_distance("bin_width", "bin_widht"), 2, "edit distance");
    is_int(edit_distance("same", "same"), 0, "edit distance of equal strings");

    /* rgx_strtod: bitwise strtod, end pointer included, on fixed edge cases (the fast path's
     * limits: 2^53 and one above it, 19 and 20 digits, 10^+-22 and beyond) and on two million
     * random decimals of 1-20 digits, every sign, dot position and exponent. */
    const char *cases[] = {"0", "-0", "+1", "1.", ".5", "0.000123", "123456789012345",
                           "1234567890123456", "0.1234567890123456789", "1e22", "1e23", "1e-22",
                           "9.5e-23", "1e", "1e+", "2E-3x", "0x1p3", "inf", "-nan", "NA", "",
                           ".", "-", "1.2.3", "00012.50", "1e00005", "7e0000001", "3.14abc",
                           "1e-400", "4.9e-324", "1.7976931348623157e308", "1e309",
                           "9007199254740992", "9007199254740993", "-9007199254740993e-22",
                           "900719925474099.2e7", "1234567890123456789", "123456789012345678",
                           "12345678901234567890", "0.0000000000000000000000009007199254740991",
                           "9007199254740991e22", "9007199254740991e23", "4503599627370497.5",
                           "1.00000000000000000000", "2.2250738585072011e-308"};
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *e1, *e2;
        double a = rgx_strtod(cases[i], &e1), b = strtod(cases[i], &e2);
        if (memcmp(&a, &b, sizeof a) && !(a != a && b != b))
            bad++, printf("# value differs: %s\n", cases[i]);
        if (e1 != e2) bad++, printf("# end differs: %s\n", cases[i]);
    }
    srand(5);
    for (int i = 0; i < 2000000; i++) {
        char buf[64];
        int nd = 1 + rand() % 20, dot = rand() % (nd + 1), len = 0;
        if (rand() % 3 == 0) buf[len++] = '-';
        for (int d = 0; d < nd; d++) {
            if (d == dot) buf[len++] = '.';
            buf[len++] = (char)('0' + rand() % 10);
        }
        if (rand() % 4 == 0) len += sprintf(buf + len, "e%d", rand() % 61 - 30);
        buf[len] = '\0';
        char *e1, *e2;
        double a = rgx_strtod(buf, &e1), b = strtod(buf, &e2);
        if ((memcmp(&a, &b, sizeof a) || e1 != e2) && bad++ < 5) printf("# differs: %s\n", buf);
    }
    char what_td[96];
    snprintf(what_td, sizeof what_td, "rgx_strtod is bitwise strtod (%zu edge cases, 2000000 "
                                      "random decimals)", sizeof cases / sizeof cases[0]);
    is_int(bad, 0, what_td);

    test_fmt_g();

    /* sort_doubles: the very bits a stable comparison sort gives (glibc's qsort is a merge
     * sort here), with ties, both zeros, infinities, subnormals and long runs of one value. */
    for (int trial = 0; trial < 4; trial++) {
        size_t n = trial == 0 ? 100 : trial == 1 ? 5000 : 200000;
        double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
        for (size_t i = 0; i < n; i++) {
            int k = rand() % 10;
            x[i] = k == 0   ? 0.0
                   : k == 1 ? -0.0
                   : k == 2 ? (rand() % 2 ? INFINITY : -INFINITY)
                   : k == 3 ? 4.9e-324 * (rand() % 5 - 2)
                   : k == 4 && trial == 3 ? 42.0
                            : (rand() - RAND_MAX / 2) * pow(10, rand() % 40 - 20);
        }
        memcpy(y, x, n * sizeof *x);
        sort_doubles(x, n);
        qsort(y, n, sizeof *y, cmp_dbl);
        char what[64];
        snprintf(what, sizeof what, "sort_doubles is a stable sort (%zu values)", n);
        ok(memcmp(x, y, n * sizeof *x) == 0, what);
        free(x), free(y);
    }
    return tap_done();
}
