/* test_geno_bed.c — the PLINK .bed source against a fileset this test encodes itself from a
 * known random genotype matrix: every unit's records and dosages for several sample subsets
 * (the whole-byte path and the per-sample path), units that start past the .bim's marks,
 * and records without allele 1 skipped and counted; the packed hard calls (geno_next_calls:
 * whole bytes, a run of columns shifted into place, sample by sample) against the matrix. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geno.h"
#include "tap.h"

enum { NS = 37, NV = 3000, NC = 3 };

static int geno[NV][NS]; /* copies of allele 1 (0, 1, 2), or -1 missing */
static long pos[NV];
static int chrom[NV], no_alt[NV];

static void write_fileset(const char *prefix)
{
    char path[600];
    snprintf(path, sizeof path, "%s.fam", prefix);
    FILE *f = fopen(path, "w");
    for (int s = 0; s < NS; s++) fprintf(f, "F%d I%02d 0 0 %d -9\n", s % 3, s, 1 + s % 2);
    fclose(f);
    snprintf(path, sizeof path, "%s.bim", prefix);
    f = fopen(path, "w");
    for (int v = 0; v < NV; v++)
        fprintf(f, "c%d\trs%d\t0\t%ld\t%s\tG\n", chrom[v] + 1, v, pos[v], no_alt[v] ? "0" : "T");
    fclose(f);
    snprintf(path, sizeof path, "%s.bed", prefix);
    f = fopen(path, "wb");
    fputc(0x6c, f), fputc(0x1b, f), fputc(0x01, f);
    static const int code[3] = {3, 2, 0}; /* 0 copies: 11, 1: 10, 2: 00; missing 01 */
    for (int v = 0; v < NV; v++)
        for (int b = 0; b < (NS + 3) / 4; b++) {
            int byte = 0;
            for (int k = 0; k < 4 && 4 * b + k < NS; k++) {
                int gt = geno[v][4 * b + k];
                byte |= (gt < 0 ? 1 : code[gt]) << (2 * k);
            }
            fputc(byte, f);
        }
    fclose(f);
}

/* Reads every unit for the samples ids[0..n) and compares with the matrix; the number of
 * records read. */
static long read_all(const char *prefix, const int *which, int n, long unit_bp, int *good)
{
    char *ids[NS], buf[NS][8];
    for (int i = 0; i < n; i++) snprintf(buf[i], sizeof buf[i], "I%02d", which[i]), ids[i] = buf[i];
    geno_t g;
    if (geno_open(&g, prefix, NULL, ids, n, NULL)) {
        printf("# %s\n", rgx_errmsg());
        *good = 0;
        return 0;
    }
    geno_unit_t *u;
    size_t nu;
    geno_units(&g, unit_bp, NULL, NULL, &u, &nu);
    long seen = 0;
    int v = 0;
    double dose[NS];
    rgx_err err;
    for (size_t k = 0; k < nu; k++) {
        geno_begin(&g, &u[k]);
        while (geno_next(&g, dose, &err) > 0) {
            while (v < NV && no_alt[v]) v++;
            char id[16];
            snprintf(id, sizeof id, "rs%d", v);
            if (v >= NV || g.v_pos != pos[v] || g.v_rid != chrom[v] || strcmp(g.v_id, id) ||
                strcmp(g.v_alt, "T") || strcmp(g.v_ref, "G")) {
                *good = 0;
                return seen;
            }
            for (int i = 0; i < n; i++) {
                int gt = geno[v][which[i]];
                if (gt < 0 ? !isnan(dose[i]) : dose[i] != gt) *good = 0;
            }
            v++, seen++;
        }
    }
    long skipped = g.n_skip[GENO_SKIP_NO_ALT];
    long want = 0;
    for (int k = 0; k < NV; k++) want += no_alt[k];
    if (skipped != want) *good = 0;
    free(u);
    geno_close(&g);
    return seen;
}

/* geno_next_calls for the samples which[0..n) against the matrix: 1 when every record's
 * calls (and the unused bits of the last byte, 0) are as written. */
static int calls_match(const char *prefix, const int *which, int n)
{
    char *ids[NS], buf[NS][8];
    for (int i = 0; i < n; i++) snprintf(buf[i], sizeof buf[i], "I%02d", which[i]), ids[i] = buf[i];
    geno_t g;
    if (geno_open(&g, prefix, NULL, ids, n, NULL)) return 0;
    geno_unit_t *u;
    size_t nu;
    int good = geno_has_calls(&g) && !geno_units(&g, 100000, NULL, NULL, &u, &nu);
    uint8_t packed[(NS + 3) / 4 + 1];
    long seen = 0, want = 0;
    int v = 0;
    rgx_err err;
    for (size_t k = 0; good && k < nu; k++) {
        geno_begin(&g, &u[k]);
        while (good && geno_next_calls(&g, packed, &err) > 0) {
            while (v < NV && no_alt[v]) v++;
            for (int i = 0; i < n; i++) {
                int gt = geno[v][which[i]], c = packed[i / 4] >> (2 * (i % 4)) & 3;
                good &= c == (gt < 0 ? 3 : gt);
            }
            if (n % 4) good &= packed[n / 4] >> (2 * (n % 4)) == 0;
            v++, seen++;
        }
    }
    for (int k = 0; k < NV; k++) want += !no_alt[k];
    if (good) free(u);
    geno_close(&g);
    return good && seen == want;
}

int main(void)
{
    srand(7);
    long p = 0;
    int c = 0;
    for (int v = 0; v < NV; v++) {
        if (v == 1100 || v == 2500) c++, p = 0; /* contigs of 1100, 1400 and 500 records */
        p += rand() % 4 == 0 ? 0 : 1 + rand() % 20000; /* some positions repeat */
        pos[v] = p < 1 ? 1 : p;
        chrom[v] = c;
        no_alt[v] = rand() % 97 == 0;
        for (int s = 0; s < NS; s++) geno[v][s] = rand() % 20 == 0 ? -1 : rand() % 3;
    }
    char dir[] = "/tmp/rgx_bedXXXXXX";
    if (!mkdtemp(dir)) return 1;
    char prefix[512];
    snprintf(prefix, sizeof prefix, "%s/t", dir);
    write_fileset(prefix);
    long real = 0;
    for (int v = 0; v < NV; v++) real += !no_alt[v];

    static int all[NS], rev[NS], few[5] = {0, 1, 2, 3, 4}, odd[3] = {36, 5, 17};
    for (int s = 0; s < NS; s++) all[s] = s, rev[s] = NS - 1 - s;
    static const struct {
        const char *name;
        const int *which;
        int n;
    } sets[] = {{"all samples, in order (four a byte)", all, NS},
                {"all samples, reversed (per sample)", rev, NS},
                {"the first five (four a byte, then one)", few, 5},
                {"three scattered samples", odd, 3}};
    for (size_t k = 0; k < sizeof sets / sizeof *sets; k++) {
        int good = 1;
        long n = read_all(prefix, sets[k].which, sets[k].n, 100000, &good);
        char name[160];
        snprintf(name, sizeof name, "%s: %ld records, sites and dosages as written", sets[k].name,
                 n);
        ok(good && n == real, name);
    }
    static int run1[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, run2[33], run3[3] = {27, 28, 29};
    for (int s = 0; s < 33; s++) run2[s] = s + 2;
    ok(calls_match(prefix, all, NS), "packed calls: all samples (whole bytes)");
    ok(calls_match(prefix, few, 5), "packed calls: the first five (whole bytes, then one)");
    ok(calls_match(prefix, run1, 10), "packed calls: columns 1-10 (shifted by one)");
    ok(calls_match(prefix, run2, 33), "packed calls: columns 2-34 (shifted by two)");
    ok(calls_match(prefix, run3, 3), "packed calls: columns 27-29 (shifted by three, one byte)");
    ok(calls_match(prefix, rev, NS), "packed calls: all samples reversed (sample by sample)");
    ok(calls_match(prefix, odd, 3), "packed calls: three scattered samples");

    int good = 1;
    long n = read_all(prefix, all, NS, 1000000000L, &good);
    ok(good && n == real, "one unit per contig: the same records and dosages");

    /* The .fam's IIDs, FIDs not used. */
    geno_t g;
    ok(geno_open(&g, prefix, "bed", NULL, 0, NULL) == RGX_OK, "the header alone, by prefix");
    is_int(g.n_file, NS, "37 samples");
    is_int(geno_sample_col(&g, "I07"), 7, "IID I07 is column 7");
    is_int(geno_sample_col(&g, "F1"), -1, "a FID is not a sample id");
    is_int(g.n_contigs, NC, "3 contigs");
    is_str(g.contig[1], "c2", "in order of first appearance");
    is_int(g.contig_len[2], pos[NV - 1], "a contig's length: its largest position");
    geno_close(&g);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) return 1;
    return tap_done();
}
