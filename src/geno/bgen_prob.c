/* bgen_prob.c — see bgen_prob.h. */
#include "bgen_prob.h"

#include <endian.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bgen_prob_init(bgen_prob_t *p, int n_file, const int *col, int n)
{
    memset(p, 0, sizeof *p);
    p->n_file = n_file, p->col = col, p->n = n;
    p->identity = 1;
    for (int i = 0; i < n; i++) p->identity &= col[i] == i;
    p->bit = malloc((n_file ? (size_t)n_file : 1) * sizeof *p->bit);
    return p->bit ? 0 : -1;
}

void bgen_prob_free(bgen_prob_t *p)
{
    free(p->bit);
    for (int b = 0; b < 11; b++) free(p->table[b]);
    memset(p, 0, sizeof *p);
}

/* The dosage of numerator num (in units of 1 / max): clamped at 0. */
static inline double by_division(int64_t num, double max)
{
    return num > 0 ? (double)num / max : 0.0;
}

/* B <= 10: the dosage of every a * v0 + v1 (2 * max - that, over max), so a lookup gives
 * the division's bits. */
static const double *table_for(bgen_prob_t *p, int B)
{
    if (B > 10) return NULL;
    if (!p->table[B]) {
        int64_t max = ((int64_t)1 << B) - 1;
        double *t = malloc((size_t)(3 * max + 1) * sizeof *t);
        if (!t) return NULL; /* (the division gives the same values) */
        for (int64_t k = 0; k <= 3 * max; k++) t[k] = by_division(2 * max - k, (double)max);
        p->table[B] = t;
    }
    return p->table[B];
}

/* B bits at bit offset bit of q[0..n) (little-endian; the caller checked they are there). */
static inline uint64_t get_bits(const uint8_t *q, size_t n, uint64_t bit, int B)
{
    size_t by = (size_t)(bit >> 3);
    uint64_t w = 0;
    if (by + 8 <= n) {
        memcpy(&w, q + by, 8);
        w = le64toh(w);
    } else {
        for (size_t k = 0; by + k < n && k < 8; k++) w |= (uint64_t)q[by + k] << (8 * k);
    }
    return (w >> (bit & 7)) & (((uint64_t)1 << B) - 1);
}

typedef struct { /* one record's layout-2 header */
    const uint8_t *ploidy, *q; /* the ploidy bytes; the probabilities */
    size_t q_len;
    int pmin, pmax, phased, B;
} rec2_t;

static const char *parse_header(bgen_prob_t *p, const uint8_t *d, size_t len, int n_allele,
                                rec2_t *r, char *msg, size_t msg_len)
{
    if (len < 10) return "the probability data is shorter than its 10-byte header";
    uint32_t N = (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
                 (uint32_t)d[3] << 24;
    unsigned K = (unsigned)d[4] | (unsigned)d[5] << 8;
    if (N != (uint32_t)p->n_file) {
        snprintf(msg, msg_len, "its probability data holds %u samples, the header %d", N,
                 p->n_file);
        return msg;
    }
    if (K != (unsigned)n_allele) {
        snprintf(msg, msg_len, "its probability data has %u alleles, the variant %d", K,
                 n_allele);
        return msg;
    }
    r->pmin = d[6], r->pmax = d[7];
    if (r->pmin > r->pmax || r->pmax > 63) {
        snprintf(msg, msg_len, "ploidy range %d..%d (at most 63)", r->pmin, r->pmax);
        return msg;
    }
    if (len < 10 + (size_t)N) return "the probability data ends inside the ploidy bytes";
    r->ploidy = d + 8;
    r->phased = d[8 + N], r->B = d[9 + N];
    if (r->phased > 1) {
        snprintf(msg, msg_len, "phased flag %d (0 or 1)", r->phased);
        return msg;
    }
    if (r->B < 1 || r->B > 32) {
        snprintf(msg, msg_len, "bit depth %d (1 to 32)", r->B);
        return msg;
    }
    r->q = d + 10 + N, r->q_len = len - 10 - N;
    return NULL;
}

/* Whether every one of the n ploidy bytes says 2 (the missing bit aside), 8 at a time. */
static int all_diploid(const uint8_t *pl, size_t n)
{
    const uint64_t low6 = 0x3f3f3f3f3f3f3f3full, two = 0x0202020202020202ull;
    uint64_t odd = 0;
    size_t c = 0;
    for (; c + 8 <= n; c += 8) {
        uint64_t w;
        memcpy(&w, pl + c, 8);
        odd |= (w & low6) ^ two;
    }
    for (; c < n; c++) odd |= (uint64_t)((pl[c] & 0x3f) ^ 2);
    return !odd;
}

/* The analysis samples are the file's first n, in order, all diploid, at 8 or 16 bits:
 * one loop without branches that the compiler vectorises.  The dosage is the same exact
 * division as by_division's (and the 8-bit table's), so the bits do not depend on the path;
 * a missing sample's value is replaced by NaN through a mask.  Cloned for AVX: the divisions
 * of SSE2's two lanes were a third of a BGEN scan's decoding time. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void
decode_in_order(const uint8_t *q, const uint8_t *pl, int n, int B, int a, double *dose)
{
    uint64_t nan_bits;
    const double nan = NAN;
    memcpy(&nan_bits, &nan, 8);
    if (B == 8) {
#pragma omp simd
        for (int i = 0; i < n; i++) {
            int32_t num = 2 * 255 - a * (int32_t)q[2 * i] - (int32_t)q[2 * i + 1];
            double d = (double)num / 255.0;
            d = d > 0 ? d : 0.0;
            uint64_t bits, miss = (uint64_t)0 - (uint64_t)(pl[i] >> 7); /* all ones: missing */
            memcpy(&bits, &d, 8);
            bits = (bits & ~miss) | (nan_bits & miss);
            memcpy(&dose[i], &bits, 8);
        }
        return;
    }
#pragma omp simd
    for (int i = 0; i < n; i++) {
        uint32_t w;
        memcpy(&w, q + 4 * (size_t)i, 4);
        w = le32toh(w);
        int32_t num = 2 * 65535 - a * (int32_t)(w & 0xffff) - (int32_t)(w >> 16);
        double d = (double)num / 65535.0;
        d = d > 0 ? d : 0.0;
        uint64_t bits, miss = (uint64_t)0 - (uint64_t)(pl[i] >> 7);
        memcpy(&bits, &d, 8);
        bits = (bits & ~miss) | (nan_bits & miss);
        memcpy(&dose[i], &bits, 8);
    }
}

/* Every sample diploid: sample c's two values at bit 2 B c.  a: 2 unphased, 1 phased. */
static const char *decode_diploid(bgen_prob_t *p, const rec2_t *r, double *dose)
{
    const int B = r->B, n = p->n, a = r->phased ? 1 : 2;
    const int *col = p->col;
    const uint8_t *pl = r->ploidy, *q = r->q;
    if (!all_diploid(pl, (size_t)p->n_file))
        return "a sample's ploidy is not 2, though the record's range is 2..2";
    if ((uint64_t)p->n_file * 2 * (uint64_t)B > (uint64_t)r->q_len * 8)
        return "the probability data is shorter than its samples' values";
    const int64_t max = ((int64_t)1 << B) - 1;
    const double dmax = (double)max;
    const double *t = table_for(p, B);
    if ((B == 8 || B == 16) && p->identity) { /* every sample in order: SIMD, no branches */
        decode_in_order(q, pl, n, B, a, dose);
    } else if (B == 8 && t) {
        for (int i = 0; i < n; i++) {
            int c = col[i];
            dose[i] = pl[c] & 0x80 ? NAN : t[a * q[2 * c] + q[2 * c + 1]];
        }
    } else if (B == 16) {
        for (int i = 0; i < n; i++) {
            const uint8_t *s = q + 4 * (size_t)col[i];
            int64_t v0 = s[0] | s[1] << 8, v1 = s[2] | s[3] << 8;
            dose[i] = pl[col[i]] & 0x80 ? NAN : by_division(2 * max - a * v0 - v1, dmax);
        }
    } else {
        for (int i = 0; i < n; i++) {
            int c = col[i];
            uint64_t bit = 2 * (uint64_t)B * (uint64_t)c;
            int64_t v0 = (int64_t)get_bits(q, r->q_len, bit, B);
            int64_t v1 = (int64_t)get_bits(q, r->q_len, bit + (uint64_t)B, B);
            dose[i] = pl[c] & 0x80 ? NAN
                      : t          ? t[a * v0 + v1]
                                   : by_division(2 * max - a * v0 - v1, dmax);
        }
    }
    return NULL;
}

/* Any ploidy: each sample's first bit from the ploidy bytes of those before it. */
static const char *decode_any(bgen_prob_t *p, const rec2_t *r, double *dose, long *bad)
{
    const int B = r->B;
    const uint8_t *pl = r->ploidy;
    uint64_t bit = 0;
    for (int c = 0; c < p->n_file; c++) {
        p->bit[c] = bit;
        bit += (uint64_t)(pl[c] & 0x3f) * (uint64_t)B; /* biallelic: as many values as ploidy */
    }
    if (bit > (uint64_t)r->q_len * 8)
        return "the probability data is shorter than its samples' values";
    const int64_t max = ((int64_t)1 << B) - 1;
    const double dmax = (double)max;
    for (int i = 0; i < p->n; i++) {
        int c = p->col[i], z = pl[c] & 0x3f;
        if (pl[c] & 0x80) {
            dose[i] = NAN;
        } else if (z == 2) {
            int64_t v0 = (int64_t)get_bits(r->q, r->q_len, p->bit[c], B);
            int64_t v1 = (int64_t)get_bits(r->q, r->q_len, p->bit[c] + (uint64_t)B, B);
            dose[i] = by_division(2 * max - (r->phased ? 1 : 2) * v0 - v1, dmax);
        } else if (z == 1) { /* haploid: 0 or 2 copies */
            int64_t v0 = (int64_t)get_bits(r->q, r->q_len, p->bit[c], B);
            dose[i] = by_division(2 * (max - v0), dmax);
        } else { /* no dosage in [0, 2] */
            dose[i] = NAN;
            ++*bad;
        }
    }
    return NULL;
}

const char *bgen_prob_layout2(bgen_prob_t *p, const uint8_t *d, size_t len, int n_allele,
                              double *dose, long *bad)
{
    static __thread char msg[160];
    rec2_t r;
    const char *why = parse_header(p, d, len, n_allele, &r, msg, sizeof msg);
    if (why) return why;
    if (n_allele != 2) return "not a biallelic record";
    if (r.pmin == 2 && r.pmax == 2) return decode_diploid(p, &r, dose);
    return decode_any(p, &r, dose, bad);
}

const char *bgen_prob_layout1(const bgen_prob_t *p, const uint8_t *d, size_t len, double *dose)
{
    if (len < 6 * (size_t)p->n_file) return "the probability data is shorter than 6 bytes a sample";
    for (int i = 0; i < p->n; i++) {
        const uint8_t *s = d + 6 * (size_t)p->col[i];
        unsigned v0 = s[0] | s[1] << 8, v1 = s[2] | s[3] << 8, v2 = s[4] | s[5] << 8;
        unsigned sum = v0 + v1 + v2;
        dose[i] = sum ? (double)(v1 + 2 * v2) / (double)sum : NAN;
    }
    return NULL;
}
