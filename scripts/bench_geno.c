/* bench_geno.c — how fast a genotype source gives dosages: every record of FILE read through
 * the source interface (src/geno/geno.h) for every sample of the file, as the scan reads
 * them, with CPU and wall seconds (opening, its one pass or index included, separately).
 * Built by `make bench-geno`; run by scripts/bench_geno.
 *
 *   bench_geno FILE [R]        best of R runs (default 3); prints
 *                              "file open_cpu_s read_cpu_s read_wall_s variants samples Mdos_s"
 *                              (Mdos_s: million dosages per CPU second of the read)
 *   bench_geno --inflate FILE  a zlib-compressed BGEN's probability blocks inflated by zlib's
 *                              uncompress and by ISA-L, best of 3; prints
 *                              "file blocks MB_out zlib_cpu_s isal_cpu_s ratio" */
#include <isa-l/igzip_lib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "geno.h"

static double clk(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One run: every unit, every record decoded.  0, or -1 with a message. */
static int read_all(const char *path, char **ids, int n, double t[3], long *m, double *sum)
{
    geno_t g;
    double c0 = clk(CLOCK_PROCESS_CPUTIME_ID);
    if (geno_open(&g, path, NULL, ids, n, NULL)) return -1;
    double c1 = clk(CLOCK_PROCESS_CPUTIME_ID), w1 = clk(CLOCK_MONOTONIC);
    geno_unit_t *u = NULL;
    size_t nu = 0;
    double *dose = malloc((size_t)(n ? n : 1) * sizeof *dose);
    int r = dose && !geno_units(&g, 1L << 40, NULL, NULL, &u, &nu) ? 0 : -1;
    rgx_err err = RGX_OK;
    *m = 0;
    for (size_t k = 0; !r && k < nu; k++) {
        if (geno_begin(&g, &u[k])) r = -1;
        int got = 0;
        while (!r && (got = geno_next(&g, dose, &err)) > 0) *sum += dose[(*m)++ % n];
        if (!r && got < 0) r = -1;
    }
    t[0] = c1 - c0, t[1] = clk(CLOCK_PROCESS_CPUTIME_ID) - c1, t[2] = clk(CLOCK_MONOTONIC) - w1;
    free(u), free(dose);
    geno_close(&g);
    return r;
}

static int bench_read(const char *path, int runs)
{
    geno_t h;
    if (geno_open(&h, path, NULL, NULL, 0, NULL)) return 1;
    int n = h.n_file;
    char **ids = calloc((size_t)(n ? n : 1), sizeof *ids);
    for (int i = 0; ids && i < n; i++) ids[i] = strdup(h.fmt->sample(&h, i));
    geno_close(&h);
    double best[3] = {1e30, 1e30, 1e30}, sum = 0;
    long m = 0;
    for (int r = 0; r < runs; r++) {
        double t[3];
        if (read_all(path, ids, n, t, &m, &sum)) return 1;
        for (int k = 0; k < 3; k++) best[k] = t[k] < best[k] ? t[k] : best[k];
    }
    printf("%s\t%.3f\t%.3f\t%.3f\t%ld\t%d\t%.1f\n", path, best[0], best[1], best[2], m, n,
           (double)m * n / best[1] / 1e6);
    fprintf(stderr, "# (checksum %g)\n", sum); /* the reads are used */
    for (int i = 0; i < n; i++) free(ids[i]);
    free(ids);
    return 0;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The blocks of a layout-2 zlib BGEN (header checks are the reader's job, not this one's). */
static int bench_inflate(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END)) return 1;
    long size = ftell(f);
    uint8_t *b = malloc((size_t)size);
    rewind(f);
    if (!b || fread(b, 1, (size_t)size, f) != (size_t)size) return 1;
    fclose(f);
    uint32_t flags = le32(b + 4 + le32(b + 4) - 4), M = le32(b + 8);
    if ((flags & 3) != 1 || ((flags >> 2) & 15) != 2) {
        fprintf(stderr, "bench_geno: %s: not a layout-2 zlib BGEN\n", path);
        return 1;
    }
    size_t p = 4 + (size_t)le32(b), cap = 0;
    const uint8_t **in = calloc(M, sizeof *in);
    uint32_t *in_len = calloc(M, sizeof *in_len), *out_len = calloc(M, sizeof *out_len);
    double mb = 0;
    for (uint32_t k = 0; k < M; k++) {
        for (int s = 0; s < 3; s++) p += 2 + (size_t)(b[p] | b[p + 1] << 8);
        p += 4;
        unsigned K = b[p] | b[p + 1] << 8;
        p += 2;
        for (unsigned a = 0; a < K; a++) p += 4 + le32(b + p);
        uint32_t C = le32(b + p);
        out_len[k] = le32(b + p + 4), in[k] = b + p + 8, in_len[k] = C - 4;
        cap = out_len[k] > cap ? out_len[k] : cap, mb += out_len[k] / 1e6;
        p += 4 + C;
    }
    uint8_t *out = malloc(cap + 1);
    double best[2] = {1e30, 1e30};
    for (int r = 0; r < 3; r++) {
        double t = clk(CLOCK_PROCESS_CPUTIME_ID);
        for (uint32_t k = 0; k < M; k++) {
            uLongf got = cap + 1;
            if (uncompress(out, &got, in[k], in_len[k]) != Z_OK || got != out_len[k]) return 1;
        }
        t = clk(CLOCK_PROCESS_CPUTIME_ID) - t, best[0] = t < best[0] ? t : best[0];
        struct inflate_state st;
        t = clk(CLOCK_PROCESS_CPUTIME_ID);
        for (uint32_t k = 0; k < M; k++) {
            isal_inflate_init(&st);
            st.next_in = (uint8_t *)(uintptr_t)in[k], st.avail_in = in_len[k];
            st.next_out = out, st.avail_out = (uint32_t)cap + 1, st.crc_flag = ISAL_ZLIB;
            if (isal_inflate(&st) != ISAL_DECOMP_OK || st.total_out != out_len[k]) return 1;
        }
        t = clk(CLOCK_PROCESS_CPUTIME_ID) - t, best[1] = t < best[1] ? t : best[1];
    }
    printf("%s\t%u\t%.1f\t%.3f\t%.3f\t%.2f\n", path, M, mb, best[0], best[1], best[0] / best[1]);
    free(b), free(in), free(in_len), free(out_len), free(out);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "--inflate")) return bench_inflate(argv[2]);
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: bench_geno FILE [RUNS] | bench_geno --inflate FILE.bgen\n");
        return 2;
    }
    return bench_read(argv[1], argc > 2 ? atoi(argv[2]) : 3);
}
