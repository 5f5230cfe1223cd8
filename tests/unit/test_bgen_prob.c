/* test_bgen_prob.c — BGEN probability decoding against records this test packs itself (its
 * own bit writer): every bit depth 1..32, unphased and phased, any ploidy, missing samples,
 * sample subsets in any order, layout 1; and each malformed record refused with its reason. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgen_prob.h"
#include "tap.h"

enum { N = 13, CAP = 1 << 12 };

typedef struct {
    uint8_t d[CAP];
    size_t len;
    uint64_t acc;
    int nacc;
} buf_t;

static void put8(buf_t *b, unsigned x)
{
    b->d[b->len++] = (uint8_t)x;
}
static void put16(buf_t *b, unsigned x)
{
    put8(b, x & 0xff), put8(b, x >> 8);
}
static void put32(buf_t *b, uint32_t x)
{
    put16(b, x & 0xffff), put16(b, x >> 16);
}
/* The bit writer: values least significant bit first. */
static void put_bits(buf_t *b, uint64_t v, int bits)
{
    for (int k = 0; k < bits; k++) {
        b->acc |= ((v >> k) & 1) << b->nacc;
        if (++b->nacc == 8) put8(b, (unsigned)b->acc), b->acc = 0, b->nacc = 0;
    }
}
static void flush_bits(buf_t *b)
{
    if (b->nacc) put8(b, (unsigned)b->acc), b->acc = 0, b->nacc = 0;
}

static uint64_t rnd(uint64_t n) /* 0 .. n */
{
    uint64_t r = ((uint64_t)rand() << 31) ^ (uint64_t)rand();
    return n ? r % (n + 1) : 0;
}

/* A record of N samples with ploidy pl[i] (0x80: missing), B bits; the expected dosages. */
static void make(buf_t *b, const int *pl, int phased, int B, double *want)
{
    memset(b, 0, sizeof *b);
    uint64_t max = ((uint64_t)1 << B) - 1;
    int lo = 63, hi = 0;
    for (int i = 0; i < N; i++) {
        int z = pl[i] & 0x3f;
        lo = z < lo ? z : lo, hi = z > hi ? z : hi;
    }
    put32(b, N), put16(b, 2), put8(b, (unsigned)lo), put8(b, (unsigned)hi);
    for (int i = 0; i < N; i++) put8(b, (unsigned)pl[i]);
    put8(b, (unsigned)phased), put8(b, (unsigned)B);
    for (int i = 0; i < N; i++) {
        int z = pl[i] & 0x3f;
        long double sum_b = 0; /* expected copies of allele B */
        if (z == 2 && !phased) {
            uint64_t v0 = rnd(max), v1 = rnd(max - v0);
            put_bits(b, v0, B), put_bits(b, v1, B);
            sum_b = (long double)v1 / max + 2.0L * (long double)(max - v0 - v1) / max;
        } else {
            for (int h = 0; h < z; h++) { /* phased, or haploid, or ploidy 3 */
                uint64_t v = rnd(max);
                put_bits(b, v, B);
                sum_b += (long double)(max - v) / max;
            }
            if (z == 1) sum_b *= 2; /* a haploid call counts 0 or 2 */
        }
        want[i] = (pl[i] & 0x80) || z == 0 || z > 2 ? NAN : (double)sum_b;
    }
    flush_bits(b);
}

static int same(const double *got, const double *want, const int *col, int n)
{
    for (int i = 0; i < n; i++) {
        double w = want[col[i]];
        if (isnan(w) != isnan(got[i])) return 0;
        if (!isnan(w) && fabs(got[i] - w) > 1e-15) return 0;
    }
    return 1;
}

int main(void)
{
    srand(3);
    int all[N], rev[N], sub[5] = {12, 0, 7, 3, 11};
    for (int i = 0; i < N; i++) all[i] = i, rev[i] = N - 1 - i;
    bgen_prob_t pa, ps, pr; /* in order (the vector loops at 8 and 16 bits), a subset, reversed */
    ok(!bgen_prob_init(&pa, N, all, N) && !bgen_prob_init(&ps, N, sub, 5) &&
           !bgen_prob_init(&pr, N, rev, N),
       "decoders made");
    static buf_t b;
    double want[N], got[N];
    long bad = 0;

    /* Every bit depth, diploid, unphased then phased, three missing samples. */
    int dip[N];
    for (int i = 0; i < N; i++) dip[i] = i % 5 == 1 ? 0x82 : 2;
    int good_u = 1, good_p = 1, bits_agree = 1;
    double got_r[N];
    for (int B = 1; B <= 32; B++)
        for (int ph = 0; ph < 2; ph++)
            for (int rep = 0; rep < 4; rep++) {
                make(&b, dip, ph, B, want);
                const char *w1 = bgen_prob_layout2(&pa, b.d, b.len, 2, got, &bad);
                int g = !w1 && same(got, want, all, N);
                /* The in-order and the per-sample paths: the same bits. */
                g &= !bgen_prob_layout2(&pr, b.d, b.len, 2, got_r, &bad);
                for (int i = 0; i < N; i++)
                    bits_agree &= !memcmp(&got_r[i], &got[rev[i]], sizeof *got);
                const char *w2 = bgen_prob_layout2(&ps, b.d, b.len, 2, got, &bad);
                g &= !w2 && same(got, want, sub, 5);
                if (!g) printf("# B %d phased %d: %s\n", B, ph, w1 ? w1 : w2 ? w2 : "values");
                if (ph) good_p &= g; else good_u &= g;
            }
    ok(good_u, "unphased diploid, bit depths 1..32: dosages 2 - 2 P(AA) - P(AB), all samples "
               "and a subset out of order");
    ok(good_p, "phased diploid, bit depths 1..32: dosages 2 - h1 - h2");
    ok(bits_agree, "every bit depth: samples in order and reversed give the same bits");
    is_int(bad, 0, "no call counted bad");

    /* Ploidy 0..3 mixed: haploid counts 0 or 2; 0 and 3 missing and counted. */
    int mix[N] = {2, 1, 3, 2, 0, 1, 2, 0x81, 2, 3, 1, 2, 2};
    int good = 1;
    for (int B = 1; B <= 32; B += 3)
        for (int ph = 0; ph < 2; ph++) {
            make(&b, mix, ph, B, want);
            good &= !bgen_prob_layout2(&pa, b.d, b.len, 2, got, &bad) && same(got, want, all, N);
        }
    ok(good, "ploidies 0..3 in one record, phased and unphased: haploid 0..2, others missing");
    is_int(bad, 66, "ploidy 0 and 3 counted: 3 samples x 22 records");

    /* Stored values that sum above 1 (off the specification): the dosage stays at 0. */
    for (int B = 8; B <= 16; B += 8) {
        memset(&b, 0, sizeof b);
        put32(&b, N), put16(&b, 2), put8(&b, 2), put8(&b, 2);
        for (int i = 0; i < N; i++) put8(&b, i == 3 ? 0x82 : 2);
        put8(&b, 0), put8(&b, (unsigned)B);
        for (int i = 0; i < N; i++) put_bits(&b, (1u << B) - 1, B), put_bits(&b, (1u << B) - 1, B);
        int good0 = !bgen_prob_layout2(&pa, b.d, b.len, 2, got, &bad) && isnan(got[3]);
        for (int i = 0; i < N; i++) good0 &= i == 3 || (got[i] == 0 && !signbit(got[i]));
        ok(good0, B == 8 ? "P(AA) + P(AB) above 1, 8 bits: dosage 0, not negative"
                         : "P(AA) + P(AB) above 1, 16 bits: dosage 0, not negative");
    }

    /* Malformed records: each refused with its reason. */
    make(&b, dip, 0, 8, want);
    static const struct {
        int at, val;
        const char *why;
    } bad_cases[] = {{N + 9, 0, "bit depth 0 (1 to 32)"},
                     {N + 9, 33, "bit depth 33 (1 to 32)"},
                     {N + 8, 2, "phased flag 2"},
                     {0, N + 1, "holds 14 samples, the header 13"},
                     {4, 3, "has 3 alleles, the variant 2"},
                     {6, 3, "ploidy range 3..2"},
                     {8, 1, "a sample's ploidy is not 2"}};
    for (size_t k = 0; k < sizeof bad_cases / sizeof *bad_cases; k++) {
        buf_t c = b;
        c.d[bad_cases[k].at] = (uint8_t)bad_cases[k].val;
        like(bgen_prob_layout2(&pa, c.d, c.len, 2, got, &bad), bad_cases[k].why,
             bad_cases[k].why);
    }
    like(bgen_prob_layout2(&pa, b.d, b.len - 1, 2, got, &bad), "shorter than its samples' values",
         "one byte short");
    like(bgen_prob_layout2(&pa, b.d, 9, 2, got, &bad), "shorter than its 10-byte header",
         "shorter than the header");
    like(bgen_prob_layout2(&pa, b.d, 12, 2, got, &bad), "ends inside the ploidy bytes",
         "inside the ploidy bytes");

    /* Layout 1: three 16-bit probabilities, normalised by their sum; all zero is missing. */
    memset(&b, 0, sizeof b);
    unsigned v[N][3];
    for (int i = 0; i < N; i++) {
        for (int k = 0; k < 3; k++) v[i][k] = i == 4 ? 0 : (unsigned)rnd(20000);
        for (int k = 0; k < 3; k++) put16(&b, v[i][k]);
        unsigned s = v[i][0] + v[i][1] + v[i][2];
        want[i] = s ? (double)((long double)(v[i][1] + 2 * v[i][2]) / s) : NAN;
    }
    ok(!bgen_prob_layout1(&pa, b.d, b.len, got) && same(got, want, all, N),
       "layout 1: (P(AB) + 2 P(BB)) / sum, a sample of zeros missing");
    like(bgen_prob_layout1(&pa, b.d, b.len - 1, got), "shorter than 6 bytes a sample",
         "layout 1: short data refused");
    bgen_prob_free(&pa), bgen_prob_free(&ps), bgen_prob_free(&pr);
    return tap_done();
}
