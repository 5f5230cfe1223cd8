/* sim_geno.c — see sim_geno.h. */
#include "sim_geno.h"

#include <htslib/bgzf.h>
#include <htslib/kstring.h>
#include <htslib/tbx.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sim_rng.h"
#include "util.h"

enum { KIND_BLOCK = 11, KIND_POS = 12, N_FOUNDERS = 6 };

/* GRCh38 chromosome lengths. */
static const long chrom_len[22] = {248956422, 242193529, 198295559, 190214555, 181538259, 170805979,
                                   159345973, 145138636, 138394717, 133797422, 135086622, 133275309,
                                   114364328, 107043718, 101991189, 90338345,  83257441,  80373285,
                                   58617616,  64444167,  46709983,  50818468};

static void put_int(kstring_t *s, long v)
{
    char buf[24];
    int n = 0;
    if (v == 0) buf[n++] = '0';
    while (v > 0) buf[n++] = (char)('0' + v % 10), v /= 10;
    while (n) kputc(buf[--n], s);
}

/* A dosage in [0, 2] with three decimals ("1.034"); whole numbers as "1". */
static void put_dose(kstring_t *s, double d)
{
    long m = lround(d * 1000.0);
    if (m % 1000 == 0) {
        kputc((char)('0' + m / 1000), s);
        return;
    }
    kputc((char)('0' + m / 1000), s);
    kputc('.', s);
    kputc((char)('0' + m / 100 % 10), s);
    kputc((char)('0' + m / 10 % 10), s);
    kputc((char)('0' + m % 10), s);
}

static rgx_err write_header(BGZF *fp, const sim_geno_t *g)
{
    kstring_t s = {0, 0, NULL};
    ksprintf(&s, "##fileformat=VCFv4.2\n##source=radiogx simulate (seed %llu)\n",
             (unsigned long long)g->seed);
    for (int c = 0; c < g->n_chrom; c++)
        ksprintf(&s, "##contig=<ID=%d,length=%ld,assembly=GRCh38>\n", c + 1, chrom_len[c]);
    kputs("##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
          "##FORMAT=<ID=DS,Number=A,Type=Float,Description=\"Alternate allele dosage\">\n"
          "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT",
          &s);
    for (int i = 0; i < g->n_samples; i++) {
        kputc('\t', &s);
        kputs(g->sample[i], &s);
    }
    kputc('\n', &s);
    ssize_t w = bgzf_write(fp, s.s, s.l);
    free(s.s);
    return w < 0 ? rgx_fail(RGX_ERR_IO, "cannot write the VCF header") : RGX_OK;
}

/* Balding-Nichols frequencies per group around the haplotypes' ALT frequency p, and each
 * haplotype moved to its group's (sim_geno.h). */
static void structure(const sim_geno_t *g, rng_t *r, uint8_t *h, double *pk)
{
    long alt = 0;
    for (int k = 0; k < 2 * g->n_samples; k++) alt += h[k];
    double p = (double)alt / (2.0 * g->n_samples), F = g->fst;
    if (alt == 0 || alt == 2L * g->n_samples) return; /* monomorphic: nothing to move */
    double a = p * (1 - F) / F, b = (1 - p) * (1 - F) / F;
    for (int k = 0; k < g->n_anc; k++) pk[k] = rng_beta(r, a, b);
    for (int i = 0; i < g->n_samples; i++) {
        double q = pk[g->anc[i]];
        for (int c = 0; c < 2; c++) {
            uint8_t *x = &h[2 * i + c];
            double u = rng_unif(r);
            if (q < p && *x && u < (p - q) / p) *x = 0;
            if (q > p && !*x && u < (q - p) / (1 - p)) *x = 1;
        }
    }
}

rgx_err sim_geno_write(sim_geno_t *g, const char *path)
{
    rgx_err err = RGX_OK;
    int n = g->n_samples;
    BGZF *fp = bgzf_open(path, "w6");
    if (!fp) return rgx_fail(RGX_ERR_IO, "%s: cannot create", path);
    if (g->threads > 1) bgzf_mt(fp, g->threads, 256);
    kstring_t s = {0, 0, NULL};
    int *founder = NULL; /* per haplotype: its founder in the current block */
    uint8_t *h = NULL;   /* per haplotype: allele at the current variant */
    double *pk = NULL;   /* per ancestral group: the variant's ALT frequency */
    if ((err =
             rgx_calloc(&g->causal, (size_t)(g->n_causal ? g->n_causal : 1), sizeof *g->causal)) ||
        (err = rgx_calloc(&founder, 2 * (size_t)n, sizeof *founder)) ||
        (err = rgx_calloc(&h, 2 * (size_t)n, 1)) ||
        (err = rgx_calloc(&pk, (size_t)(g->n_anc > 1 ? g->n_anc : 1), sizeof *pk)))
        goto out;
    if ((err = write_header(fp, g))) goto out;
    double total_len = 0;
    for (int c = 0; c < g->n_chrom; c++) total_len += (double)chrom_len[c];
    progress_t prog;
    progress_init(&prog, "simulate: genotypes", "variants", g->n_variants);
    long done = 0, block_id = 0, assigned = 0;
    for (int c = 0; c < g->n_chrom && !err; c++) {
        /* Variants in proportion to length; the last chromosome takes the remainder. */
        long m = c == g->n_chrom - 1
                     ? g->n_variants - assigned
                     : lround((double)g->n_variants * (double)chrom_len[c] / total_len);
        if (m < 1) m = 1;
        if (assigned + m > g->n_variants) m = g->n_variants - assigned;
        assigned += m;
        long causal_at = c < g->n_causal ? m / 2 : -1;
        double spacing = (double)chrom_len[c] / (double)(m + 1);
        rng_t rp;
        rng_stream(&rp, g->seed, KIND_POS, (uint64_t)c);
        long v = 0;
        while (v < m && !err) {
            rng_t r;
            rng_stream(&r, g->seed, KIND_BLOCK, (uint64_t)block_id++);
            long len = 10 + (long)(rng_unif(&r) * 51);
            if (len > m - v) len = m - v;
            /* Founder weights (Dirichlet(1)) and each haplotype's founder. */
            double w[N_FOUNDERS], cum = 0;
            for (int f = 0; f < N_FOUNDERS; f++) cum += (w[f] = -log(1.0 - rng_unif(&r)));
            for (int k = 0; k < 2 * n; k++) {
                double u = rng_unif(&r) * cum, a = 0;
                int f = 0;
                while (f < N_FOUNDERS - 1 && (a += w[f]) <= u) f++;
                founder[k] = f;
            }
            for (long b = 0; b < len && !err; b++, v++) {
                int causal = v == causal_at;
                double maf = causal ? 0.4 : 0.005 * pow(100.0, rng_unif(&r));
                uint8_t fa[N_FOUNDERS];
                for (int f = 0; f < N_FOUNDERS; f++) fa[f] = rng_unif(&r) < maf;
                if (causal) /* exactly the planted frequency among founders */
                    for (int f = 0; f < N_FOUNDERS; f++) fa[f] = f < 2 || f == 4;
                int multi = !causal && rng_unif(&r) < g->multiallelic;
                int imputed = !causal && rng_unif(&r) < 1.0 / 3.0;
                double noise_sd = imputed ? 0.15 * rng_unif(&r) : 0;
                static const char bases[] = "ACGT";
                int ri = (int)(rng_unif(&r) * 4), ai = (ri + 1 + (int)(rng_unif(&r) * 3)) % 4;
                int a2 = (ai + 1) % 4 == ri ? (ai + 2) % 4 : (ai + 1) % 4;
                long pos =
                    (long)((double)(v + 1) * spacing + (rng_unif(&rp) - 0.5) * spacing * 0.6);
                if (pos < 1) pos = 1;
                s.l = 0;
                put_int(&s, c + 1);
                kputc('\t', &s);
                put_int(&s, pos);
                sim_variant_t *cv = causal ? &g->causal[c] : NULL;
                char id[48];
                snprintf(id, sizeof id, "%d:%ld:%c:%c", c + 1, pos, bases[ri], bases[ai]);
                ksprintf(&s, "\t%s\t%c\t%c", id, bases[ri], bases[ai]);
                if (multi) ksprintf(&s, ",%c", bases[a2]);
                kputs("\t.\tPASS\t.\tGT:DS", &s);
                if (cv) {
                    cv->chrom = c + 1, cv->pos = pos, cv->ref = bases[ri], cv->alt = bases[ai];
                    snprintf(cv->id, sizeof cv->id, "%s", id);
                    if ((err = rgx_calloc(&cv->g, (size_t)n, 1))) break;
                }
                for (int k = 0; k < 2 * n; k++) {
                    uint8_t a = fa[founder[k]];
                    if (rng_unif(&r) < 0.01) a = rng_unif(&r) < maf; /* mutation */
                    h[k] = a;
                }
                if (g->n_anc > 1 && !causal) structure(g, &r, h, pk);
                for (int i = 0; i < n; i++) {
                    kputc('\t', &s);
                    int missing = g->missing_rate > 0 && !causal && rng_unif(&r) < g->missing_rate;
                    if (missing) {
                        kputs(multi ? "./.:.,." : "./.:.", &s);
                        continue;
                    }
                    int x = h[2 * i], y = h[2 * i + 1];
                    /* A third allele for some carriers of a multi-allelic site. */
                    int x2 = multi && x && rng_unif(&r) < 0.3,
                        y2 = multi && y && rng_unif(&r) < 0.3;
                    int ax = x2 ? 2 : x, ay = y2 ? 2 : y; /* unphased: smaller allele first */
                    kputc((char)('0' + (ax < ay ? ax : ay)), &s);
                    kputc('/', &s);
                    kputc((char)('0' + (ax < ay ? ay : ax)), &s);
                    kputc(':', &s);
                    double d1 = (x && !x2) + (y && !y2), d2 = x2 + y2;
                    if (imputed) {
                        double e = noise_sd * rng_norm(&r);
                        if (e > 0.45) e = 0.45;
                        if (e < -0.45) e = -0.45;
                        d1 += e;
                        if (d1 < 0) d1 = 0;
                        if (d1 > 2) d1 = 2;
                    }
                    put_dose(&s, d1);
                    if (multi) {
                        kputc(',', &s);
                        put_dose(&s, d2);
                    }
                    if (cv) cv->g[i] = (uint8_t)(x + y);
                }
                kputc('\n', &s);
                if (bgzf_write(fp, s.s, s.l) < 0)
                    err = rgx_fail(RGX_ERR_IO, "%s: write failed", path);
                progress_update(&prog, ++done);
            }
        }
    }
    progress_done(&prog, done);
out:
    if (bgzf_close(fp) < 0 && !err) err = rgx_fail(RGX_ERR_IO, "%s: cannot close", path);
    if (!err && tbx_index_build(path, 0, &tbx_conf_vcf) != 0)
        err = rgx_fail(RGX_ERR_IO, "%s: cannot build the tabix index", path);
    free(s.s), free(founder), free(h), free(pk);
    return err;
}

void sim_geno_free(sim_geno_t *g)
{
    for (int c = 0; g->causal && c < g->n_causal; c++) free(g->causal[c].g);
    free(g->causal);
    g->causal = NULL;
}
