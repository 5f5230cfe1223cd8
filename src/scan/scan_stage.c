/* scan_stage.c — see scan_stage.h. */
#include "scan_stage.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ckpt.h"
#include "geno.h"
#include "h5in.h"
#include "log.h"
#include "pheno.h"
#include "scan.h"
#include "util.h"
#include "version.h"

enum { HIST_BINS = 2000 }; /* lambda_GC: -log10 p in [0, 2) by 0.001 */

typedef struct {
    double maf, mac, call_rate, hwe, hits, min_obs;
    long block, unit_bp;
    int int_transform, compress;
    double outlier_sd; /* 0: no outlier removal */
    double ckpt_after; /* seconds of scanning before blocks are checkpointed */
    const char *dosage, *chroms, *region, *pheno_names, *covar_names;
} opts_t;

static void read_opts(const cfg_t *cfg, opts_t *o)
{
    o->maf = cfg_float(cfg, "scan.maf");
    o->mac = cfg_float(cfg, "scan.mac");
    o->call_rate = cfg_float(cfg, "scan.call_rate");
    o->hwe = cfg_float(cfg, "scan.hwe");
    o->hits = cfg_float(cfg, "scan.hits_threshold");
    o->ckpt_after = cfg_float(cfg, "scan.checkpoint_after");
    o->min_obs = (double)cfg_int(cfg, "scan.min_obs");
    o->block = cfg_int(cfg, "scan.block_size");
    o->unit_bp = cfg_int(cfg, "scan.unit_mb") * 1000000L;
    o->int_transform = !strcmp(cfg_str(cfg, "scan.pheno_transform"), "int");
    o->compress = (int)cfg_int(cfg, "scan.compress");
    double k = cfg_float(cfg, "scan.pheno_outliers");
    o->outlier_sd = isnan(k) ? 0 : k;
    o->dosage = cfg_str(cfg, "scan.dosage");
    o->chroms = cfg_str(cfg, "scan.chr");
    o->region = cfg_str(cfg, "scan.region");
    o->pheno_names = cfg_str(cfg, "scan.pheno_names");
    o->covar_names = cfg_str(cfg, "scan.covar_names");
}

/* Per-variant QC sums over the analysis samples. */
typedef struct {
    double af, call_rate, hwe_p, mac;
    long n_obs;
    int pass; /* 1 tested; else the first filter that removed it */
} vqc_t;

enum { Q_PASS = 1, Q_CALL = 2, Q_MAF = 3, Q_MAC = 4, Q_HWE = 5, Q_MONO = 6 };
static const char *qc_name[] = {"", "tested", "call_rate", "maf", "mac", "hwe", "monomorphic"};

/* QC from the sums over the analysis samples: the dosage sum, the observed calls, the
 * hard-call counts (0, 1, 2) and the number of samples. */
static void variant_qc_sums(const opts_t *o, double s, long obs, const double cnt[3], size_t n,
                            vqc_t *v, double *mean)
{
    v->n_obs = obs;
    v->call_rate = n ? (double)obs / (double)n : 0;
    v->af = obs ? s / (2.0 * (double)obs) : NAN;
    double maf = v->af < 0.5 ? v->af : 1 - v->af;
    v->mac = obs ? (s < 2.0 * (double)obs - s ? s : 2.0 * (double)obs - s) : 0;
    v->hwe_p = scan_hwe_p((long)cnt[0], (long)cnt[1], (long)cnt[2]);
    *mean = obs ? s / (double)obs : 0;
    if (v->call_rate < o->call_rate || obs == 0)
        v->pass = Q_CALL;
    else if (!(maf >= o->maf))
        v->pass = Q_MAF;
    else if (v->mac < o->mac)
        v->pass = Q_MAC;
    else if (o->hwe > 0 && v->hwe_p < o->hwe)
        v->pass = Q_HWE;
    else if (v->mac <= 0)
        v->pass = Q_MONO;
    else
        v->pass = Q_PASS;
}

/* The hard call of a dosage: lround (halves away from zero), without the library call for
 * the usual case (d - trunc(d) is exact). */
static inline long hard_call(double d)
{
    if (!(d >= 0 && d < 1e15)) return lround(d);
    long t = (long)d;
    return t + (d - (double)t >= 0.5);
}

/* Adds the dosages' QC sums to q: q[0] the sum, q[1] the observed calls, q[2..4] the hard-call
 * counts of 0, 1 and 2. */
static void dose_sums(const double *d, size_t n, double q[5])
{
    double s = q[0]; /* in locals: q could alias d, which made every term a store */
    long obs = 0, c[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++)
        if (!isnan(d[i])) {
            s += d[i], obs++;
            long h = hard_call(d[i]);
            if (h >= 0 && h <= 2) c[h]++;
        }
    q[0] = s, q[1] += (double)obs;
    for (int h = 0; h < 3; h++) q[2 + h] += (double)c[h];
}

static void variant_qc(const opts_t *o, const double *d, size_t n, vqc_t *v, double *mean)
{
    double q[5] = {0, 0, 0, 0, 0};
    dose_sums(d, n, q);
    variant_qc_sums(o, q[0], (long)q[1], q + 2, n, v, mean);
}

/* ---- joining the tables ---- */

typedef struct {
    size_t n, p, q;
    char **sample; /* analysis samples (pheno order), borrowed from the pheno table */
    double *Y;     /* n x p */
    double *C;     /* n x q, intercept first */
    char **cname;  /* q */
    int *keep;     /* p */
    size_t n_pheno_dropped;
    size_t *site_row; /* n_sites + 1: the first row of each site's samples (grouped by site) */
} joined_t;

/* The first genotype file (site) whose header has the sample, or -1. */
static int site_of(geno_t *hdrs, size_t n_hdr, const char *id)
{
    for (size_t s = 0; s < n_hdr; s++)
        if (geno_sample_col(&hdrs[s], id) >= 0) return (int)s;
    return -1;
}

static rgx_err join(const opts_t *o, table_t *ph, table_t *cv, geno_t *hdrs, size_t n_hdr,
                    joined_t *J, int rank)
{
    memset(J, 0, sizeof *J);
    rgx_err err = RGX_OK;
    size_t qc = cv ? cv->p : 0;
    long *crow = NULL;
    size_t *rows = NULL;
    int *srow = NULL; /* the site of each joined row */
    if ((err = rgx_calloc(&crow, ph->n ? ph->n : 1, sizeof *crow)) ||
        (err = rgx_calloc(&rows, ph->n ? ph->n : 1, sizeof *rows)) ||
        (err = rgx_calloc(&srow, ph->n ? ph->n : 1, sizeof *srow)))
        goto out;
    size_t no_geno = 0, no_cov = 0;
    if (cv && (err = table_index(cv))) goto out;
    for (size_t i = 0; i < ph->n; i++) {
        int site = site_of(hdrs, n_hdr, ph->id[i]);
        if (site < 0) {
            no_geno++;
            continue;
        }
        long r = cv ? table_row(cv, ph->id[i]) : 0;
        int complete = r >= 0;
        for (size_t j = 0; complete && cv && j < qc; j++)
            complete = !isnan(cv->v[(size_t)r * qc + j]);
        if (!complete) {
            no_cov++;
            continue;
        }
        crow[J->n] = r, srow[J->n] = site;
        rows[J->n++] = i;
    }
    if (rank == 0)
        log_info("scan: %zu samples in the analysis (%zu with phenotypes; %zu not in the genotype "
                 "file, %zu without complete covariates)",
                 J->n, ph->n, no_geno, no_cov);
    J->p = ph->p, J->q = 1 + qc;
    size_t n = J->n ? J->n : 1;
    if ((err = rgx_calloc(&J->sample, n, sizeof *J->sample)) ||
        (err = rgx_calloc(&J->Y, n * (J->p ? J->p : 1), sizeof *J->Y)) ||
        (err = rgx_calloc(&J->C, n * J->q, sizeof *J->C)) ||
        (err = rgx_calloc(&J->cname, J->q, sizeof *J->cname)) ||
        (err = rgx_calloc(&J->keep, J->p ? J->p : 1, sizeof *J->keep)) ||
        (err = rgx_calloc(&J->site_row, n_hdr + 1, sizeof *J->site_row)))
        goto out;
    /* Samples grouped by site (stable), so that each site's rows are contiguous. */
    {
        size_t *order = NULL, *crow2 = NULL;
        if ((err = rgx_calloc(&order, n, sizeof *order)) || (err = rgx_calloc(&crow2, n, sizeof *crow2))) {
            free(order);
            goto out;
        }
        size_t k = 0;
        for (size_t st = 0; st < n_hdr; st++) {
            J->site_row[st] = k;
            for (size_t i = 0; i < J->n; i++)
                if (srow[i] == (int)st) order[k] = rows[i], crow2[k++] = (size_t)crow[i];
        }
        J->site_row[n_hdr] = k;
        for (size_t i = 0; i < J->n; i++) rows[i] = order[i], crow[i] = (long)crow2[i];
        free(order), free(crow2);
    }
    J->cname[0] = "intercept";
    for (size_t j = 0; j < qc; j++) J->cname[1 + j] = cv->name[j];
    for (size_t k = 0; k < J->n; k++) {
        J->sample[k] = ph->id[rows[k]];
        memcpy(J->Y + k * J->p, ph->v + rows[k] * ph->p, J->p * sizeof *J->Y);
        J->C[k * J->q] = 1;
        for (size_t j = 0; j < qc; j++) J->C[k * J->q + 1 + j] = cv->v[(size_t)crow[k] * qc + j];
    }
    /* Outliers (optional): values beyond mean +- K SD of the analysis samples become missing. */
    size_t n_out = 0, p_out = 0;
    for (size_t j = 0; j < J->p && o->outlier_sd > 0; j++) {
        double s1 = 0, s2 = 0;
        size_t m = 0, before = n_out;
        for (size_t k = 0; k < J->n; k++) {
            double y = J->Y[k * J->p + j];
            if (!isnan(y)) s1 += y, m++;
        }
        if (m < 2) continue;
        double mean = s1 / (double)m;
        for (size_t k = 0; k < J->n; k++) {
            double y = J->Y[k * J->p + j];
            if (!isnan(y)) s2 += (y - mean) * (y - mean);
        }
        double lim = o->outlier_sd * sqrt(s2 / (double)(m - 1));
        for (size_t k = 0; k < J->n; k++) {
            double *y = &J->Y[k * J->p + j];
            if (!isnan(*y) && fabs(*y - mean) > lim) *y = NAN, n_out++;
        }
        p_out += n_out > before;
    }
    if (rank == 0 && o->outlier_sd > 0)
        log_info("scan: %zu phenotype values beyond mean +- %g SD set to missing (in %zu phenotypes)",
                 n_out, o->outlier_sd, p_out);
    /* Per-phenotype QC, then the transform. */
    for (size_t j = 0; j < J->p; j++) {
        size_t m = 0;
        double s = 0, ss = 0, first = NAN;
        int varies = 0;
        for (size_t k = 0; k < J->n; k++) {
            double y = J->Y[k * J->p + j];
            if (isnan(y)) continue;
            if (m == 0)
                first = y;
            else if (y != first)
                varies = 1;
            m++, s += y, ss += y * y;
        }
        J->keep[j] = (double)m >= o->min_obs && (double)m > (double)J->q + 1 && varies;
        if (!J->keep[j]) {
            J->n_pheno_dropped++;
            if (rank == 0)
                log_warn("scan: phenotype %s not scanned: %s (%zu observations)", ph->name[j],
                         !varies && m ? "no variance" : "too few observations", m);
        } else if (o->int_transform) {
            pheno_int(J->Y, J->n, J->p, j);
        }
    }
out:
    free(crow), free(rows), free(srow);
    return err;
}

static void joined_free(joined_t *J)
{
    free(J->sample), free(J->Y), free(J->C), free(J->cname), free(J->keep);
    free(J->site_row);
    memset(J, 0, sizeof *J);
}

/* ---- units: counting and assignment ---- */

typedef struct {
    long count;
    long id_w, ref_w, alt_w;
} ucount_t;

static rgx_err count_units(geno_t *g, const geno_unit_t *u, size_t nu, int rank, int size,
                           long *count, long w[3])
{
    rgx_err err = RGX_OK;
    for (size_t k = (size_t)rank; k < nu && !err; k += (size_t)size) {
        if ((err = geno_begin(g, &u[k]))) break;
        long c = 0;
        int r;
        while ((r = geno_next_site(g, w, &err)) > 0) c++;
        if (r < 0) break;
        count[k] = c;
    }
    return err;
}

/* Reads variant rows in order across units: the rows are numbered over the units (unit k
 * holds rows offset[k] .. offset[k] + count[k] - 1), so a block of rows may span units. */
typedef struct {
    geno_t *g;
    const geno_unit_t *units;
    const long *offset, *count;
    size_t nu, u; /* u: the unit being read */
    long in_unit; /* records of unit u already read */
    int open;
} rowreader_t;

static rgx_err rr_fail_short(const rowreader_t *r)
{
    return rgx_fail(RGX_ERR_INPUT,
                    "%s: unit %zu ended before its %ld variants (the file changed while reading, "
                    "or, with one file per site, it does not hold the first site's variants)",
                    r->g->path, r->u, r->count[r->u]);
}

/* Positions the reader so that the next row read is row. */
static rgx_err rr_seek(rowreader_t *r, long row)
{
    if (r->open && r->offset[r->u] + r->in_unit == row) return RGX_OK;
    size_t u = 0;
    while (u + 1 < r->nu && r->offset[u] + r->count[u] <= row) u++;
    rgx_err err = geno_begin(r->g, &r->units[u]);
    if (err) return err;
    r->u = u, r->in_unit = 0, r->open = 1;
    for (long k = r->offset[u]; k < row; k++, r->in_unit++) { /* skipped without decoding */
        int got = geno_next(r->g, NULL, &err);
        if (err) return err;
        if (!got) return rr_fail_short(r);
    }
    return RGX_OK;
}

/* The next row's dosages (and its record in r->g->v_*). */
static rgx_err rr_next(rowreader_t *r, double *dose)
{
    rgx_err err = RGX_OK;
    while (r->in_unit >= r->count[r->u]) {
        if (r->u + 1 >= r->nu) return rgx_fail(RGX_ERR_INTERNAL, "read past the last variant");
        r->u++, r->in_unit = 0;
        if ((err = geno_begin(r->g, &r->units[r->u]))) return err;
    }
    int got = geno_next(r->g, dose, &err);
    if (err) return err;
    if (!got) return rr_fail_short(r);
    r->in_unit++;
    return RGX_OK;
}

/* Blocks are fixed runs of block_size rows of the whole variant list, the same whatever the
 * number of ranks; rank r finishes the contiguous share [first, end) of them, so that it reads
 * one stretch of the file. */
static void my_blocks_range(size_t nb, int rank, int size, size_t *first, size_t *end)
{
    *first = nb * (size_t)rank / (size_t)size;
    *end = nb * (size_t)(rank + 1) / (size_t)size;
}

/* Only the variants that pass QC enter the GEMM: their statistics, computed in rows 0 .. t - 1
 * of x (b x p), move to the variants' own rows (map[s]: the row of tested variant s), and the
 * other rows get NaN. */
static void expand_one(const size_t *map, size_t t, size_t b, size_t p, double *x)
{
    for (size_t s = t; s-- > 0;) /* backwards: map[s] >= s, and rows above s have moved */
        if (map[s] != s) memcpy(x + map[s] * p, x + s * p, p * sizeof *x);
    for (size_t j = 0, s = 0; j < b; j++) {
        if (s < t && map[s] == j) {
            s++;
            continue;
        }
        for (size_t k = 0; k < p; k++) x[j * p + k] = NAN;
    }
}

static void expand_tested(const size_t *map, size_t t, size_t b, size_t p, double *beta,
                          double *se, double *mlp)
{
    expand_one(map, t, b, p, beta), expand_one(map, t, b, p, se), expand_one(map, t, b, p, mlp);
}

/* scan_block_sums, its time and GEMM flops added to gemm[0] and gemm[1] (the GEMM phase that
 * the scan logs and scripts/bench_scan compares with a bare DGEMM). */
static void timed_block_sums(const scan_model_t *M, const double *G, size_t t, size_t row0,
                             size_t nrows, double *scratch, double *sums, double gemm[2])
{
    double t0 = wall_clock();
    scan_block_sums(M, G, t, row0, nrows, scratch, sums);
    gemm[0] += wall_clock() - t0;
    gemm[1] += 2.0 * (double)t * (double)nrows * (double)(M->rhs_cols + M->mask_cols);
}

/* The record's CHROM, ID, REF and ALT as fixed-width strings (widths 64, w[0..2], each
 * NUL-padded: the padding must be zeros, not stale bytes). */
static void variant_strings(geno_t *g, char *s, size_t sw, const long w[3])
{
    memset(s, 0, sw);
    snprintf(s, 65, "%s", geno_chrom(g, g->v_rid));
    snprintf(s + 65, (size_t)w[0] + 1, "%s", g->v_id);
    snprintf(s + 66 + w[0], (size_t)w[1] + 1, "%s", g->v_ref);
    snprintf(s + 67 + w[0] + w[1], (size_t)w[2] + 1, "%s", g->v_alt);
}

/* ---- one genotype file per site: samples split across ranks ---- */

/* A block: b rows from row0. */
typedef struct {
    long row0;
    size_t b;
} gblock_t;

typedef struct {
    const opts_t *o;
    const scan_model_t *M;
    const joined_t *J;
    rowreader_t *rr;  /* n_sites readers; open only for this rank's sites */
    size_t n_sites, sw;
    int active, rank; /* ranks that own sites (site s: rank s % active) */
    MPI_Comm comm;
    const gblock_t *blk;
    size_t n_blk;
    size_t *map;      /* B: the rows of a block's tested variants */
    double *qc;       /* n_sites x vars of a round x 6: sum, observed, 3 genotype counts, id */
    double *G, *G2, *S, *D; /* this rank's sites' centred dosages; scratch; summed sums; means */
    char *pass;             /* the round's variants: QC passed */
    double *part;     /* n_sites x round blocks x scan_sums_len(block): each site's sums */
    long w[3];        /* widths of ID, REF, ALT (the string layout of the main loop) */
    double *gemm;     /* the stage's GEMM time and flops (timed_block_sums) */
} sites_t;

static uint64_t variant_hash(geno_t *g)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a of CHROM:POS:REF:ALT */
    char buf[64];
    snprintf(buf, sizeof buf, "%s:%ld:", geno_chrom(g, g->v_rid), g->v_pos - 1);
    for (const char *c = buf; *c; c++) h = (h ^ (unsigned char)*c) * 1099511628211u;
    const char *al[2] = {g->v_ref, g->v_alt};
    for (int a = 0; a < 2; a++)
        for (const char *c = al[a]; *c; c++) h = (h ^ (unsigned char)*c) * 1099511628211u;
    return h >> 12; /* exact in a double */
}

/* One round: blocks first .. first + active - 1 of the genome.  Every rank reads its sites'
 * samples of every block of the round; the per-site sums cross ranks by an all-reduce of
 * disjoint slices (each element has one contributor, so the sums are exact copies) and are
 * added in site order by the block's finisher: the same bits for any number of ranks. */
static rgx_err sites_round(sites_t *c, long round, size_t *b_out, long *row0_out, char *sbuf,
                           double *num, double *beta, double *se, double *mlp, long qc_count[7])
{
    const scan_model_t *M = c->M;
    size_t n_round = 0, first = (size_t)round * (size_t)c->active, vars = 0,
           B = (size_t)c->o->block, L = scan_sums_len(M, B);
    for (size_t j = first; j < c->n_blk && j < first + (size_t)c->active; j++) n_round++, vars += c->blk[j].b;
    size_t qn = c->n_sites * vars * 6, pn = c->n_sites * n_round * L;
    memset(c->qc, 0, qn * sizeof *c->qc);
    memset(c->part, 0, pn * sizeof *c->part);
    rgx_err err = RGX_OK;
    size_t mine = (size_t)c->rank < (size_t)c->active ? first + (size_t)c->rank : (size_t)-1;
    /* Read: QC sums per site and the dosages, kept for the second pass. */
    double *dose_all = c->G; /* sites x vars x n_s, packed per site */
    size_t off = 0;
    for (size_t st = 0; st < c->n_sites && !err; st++) {
        if ((int)(st % (size_t)c->active) != c->rank) continue;
        rowreader_t *rr = &c->rr[st];
        geno_t *g = rr->g;
        size_t ns = c->J->site_row[st + 1] - c->J->site_row[st];
        size_t v0 = 0;
        for (size_t j = first; j < first + n_round && !err; j++) {
            const gblock_t *bk = &c->blk[j];
            if ((err = rr_seek(rr, bk->row0))) break;
            for (size_t v = 0; v < bk->b && !err; v++) {
                double *d = dose_all + off + (v0 + v) * ns;
                if ((err = rr_next(rr, d))) break;
                double *q = c->qc + (st * vars + v0 + v) * 6;
                dose_sums(d, ns, q);
                q[5] = (double)variant_hash(g);
                if (j == mine && st == (size_t)c->rank) { /* the finisher's own strings */
                    variant_strings(g, sbuf + v * c->sw, c->sw, c->w);
                    num[v * 7] = (double)g->v_pos;
                }
            }
            v0 += bk->b;
        }
        off += vars * ns;
    }
    int e = err != RGX_OK, anye;
    MPI_Allreduce(&e, &anye, 1, MPI_INT, MPI_MAX, c->comm);
    if (anye) return err ? err : rgx_fail(RGX_ERR_INPUT, "another rank could not read its site's genotypes");
    MPI_Allreduce(MPI_IN_PLACE, c->qc, (int)qn, MPI_DOUBLE, MPI_SUM, c->comm);
    /* Global QC and means (site order), the same variants in every file. */
    double *mean = c->D;        /* vars doubles of scratch */
    char *pass = c->pass;       /* vars: QC passed */
    for (size_t v = 0; v < vars; v++) {
        double sum = 0, obs = 0, cnt[3] = {0, 0, 0};
        for (size_t st = 0; st < c->n_sites; st++) {
            const double *q = c->qc + (st * vars + v) * 6;
            if (q[5] != c->qc[v * 6 + 5])
                return rgx_fail(RGX_ERR_INPUT, "genotype file %s differs from %s at variant %zu of "
                                "round %ld: every site's file must hold the same variants in the "
                                "same order (harmonise them first)",
                                c->rr[st].g->path ? c->rr[st].g->path : "(a site)",
                                c->rr[0].g->path ? c->rr[0].g->path : "the first site's", v, round);
            sum += q[0], obs += q[1], cnt[0] += q[2], cnt[1] += q[3], cnt[2] += q[4];
        }
        vqc_t vq;
        variant_qc_sums(c->o, sum, (long)obs, cnt, c->J->n, &vq, &mean[v]);
        pass[v] = vq.pass == Q_PASS;
        size_t j = first, v0 = 0; /* the finisher's numbers (and counts: summed over ranks) */
        while (j < first + n_round && v >= v0 + c->blk[j].b) v0 += c->blk[j].b, j++;
        if (j == mine) {
            qc_count[vq.pass]++;
            double *nm = num + (v - v0) * 7;
            nm[1] = vq.af, nm[2] = vq.call_rate, nm[3] = vq.hwe_p, nm[4] = (double)vq.n_obs;
            nm[5] = vq.mac, nm[6] = vq.pass;
        }
    }
    /* Partial sums per site and block: centred dosages (missing: the mean) x the model. */
    off = 0;
    for (size_t st = 0; st < c->n_sites; st++) {
        if ((int)(st % (size_t)c->active) != c->rank) continue;
        size_t ns = c->J->site_row[st + 1] - c->J->site_row[st], v0 = 0;
        for (size_t jj = 0; jj < n_round; jj++) {
            size_t b = c->blk[first + jj].b, t = 0;
            double *Gb = dose_all + off + v0 * ns;
            for (size_t v = 0; v < b; v++) { /* tested variants only, moved to the front */
                if (!pass[v0 + v]) continue;
                double *x = Gb + t * ns, *y = Gb + v * ns;
                for (size_t i = 0; i < ns; i++) x[i] = isnan(y[i]) ? 0 : y[i] - mean[v0 + v];
                t++;
            }
            double *P = c->part + (st * n_round + jj) * L;
            timed_block_sums(M, Gb, t, c->J->site_row[st], ns, c->G2, P, c->gemm);
            v0 += b;
        }
        off += vars * ns;
    }
    MPI_Allreduce(MPI_IN_PLACE, c->part, (int)pn, MPI_DOUBLE, MPI_SUM, c->comm);
    *b_out = 0, *row0_out = 0;
    if (mine >= first + n_round || mine == (size_t)-1) return RGX_OK;
    /* The finisher: add the sites' sums in site order, then the statistics. */
    size_t jj = mine - first, b = c->blk[mine].b, t = 0, v0 = 0;
    for (size_t j = first; j < mine; j++) v0 += c->blk[j].b;
    for (size_t v = 0; v < b; v++)
        if (pass[v0 + v]) c->map[t++] = v;
    size_t Lt = scan_sums_len(M, t);
    memset(c->S, 0, Lt * sizeof *c->S);
    for (size_t st = 0; st < c->n_sites; st++) {
        const double *P = c->part + (st * n_round + jj) * L;
        for (size_t x = 0; x < Lt; x++) c->S[x] += P[x];
    }
    scan_block_finish(M, c->S, t, beta, se, mlp);
    expand_tested(c->map, t, b, M->p, beta, se, mlp);
    *b_out = b, *row0_out = c->blk[mine].row0;
    return RGX_OK;
}

/* ---- the stage ---- */

typedef struct {
    long row;
    int pheno;
    double beta, se, mlp;
} hit_t;

/* Hits by variant row, then phenotype. */
static int hit_order(const void *a, const void *b)
{
    const hit_t *x = a, *y = b;
    if (x->row != y->row) return x->row < y->row ? -1 : 1;
    return (x->pheno > y->pheno) - (x->pheno < y->pheno);
}

/* ---- checkpoints ---- */

/* A run file's phenotypes by content (its bytes also hold times and provenance, which differ
 * between two runs that extracted the same numbers). */
static rgx_err hash_run_content(const char *path, strbuf_t *sb)
{
    hid_t f;
    rgx_err err = h5in_open(path, &f);
    if (err) return err;
    size_t nr = 0, nc = 0, nn = 0, ns = 0, n1;
    double *v = NULL, *st = NULL;
    char **names = NULL, **sid = NULL, sha[65];
    if (!(err = h5in_read_doubles(f, "/features/values", &nr, &nc, &v)) &&
        !(err = h5in_read_doubles(f, "/samples/status", &ns, &n1, &st)) &&
        !(err = h5in_read_strings(f, "/features/names", &nn, &names)) &&
        !(err = h5in_read_strings(f, "/samples/sample_id", &ns, &sid))) {
        sha256_buf(v, nr * (nc ? nc : 1) * sizeof *v, sha);
        err = sb_printf(sb, "features %zu x %zu %s\n", nr, nc, sha);
        sha256_buf(st, ns * sizeof *st, sha);
        if (!err) err = sb_printf(sb, "status %s\n", sha);
        for (size_t i = 0; i < nn && !err; i++) err = sb_printf(sb, "%s\n", names[i]);
        for (size_t i = 0; i < ns && !err; i++) err = sb_printf(sb, "%s\n", sid[i]);
    }
    free(v), free(st);
    h5in_free_strings(names, nn), h5in_free_strings(sid, ns);
    h5in_close(f);
    return err;
}

/* Everything that decides the scan's numbers: version, effective config, the phenotype and
 * covariate files by content, the run file's /features and /samples by content, the genotype
 * file by path, size and time (hashing a genome-wide VCF at every start would cost as much as
 * reading it). */
static rgx_err scan_run_key(const cfg_t *cfg, const scan_inputs_t *in, char key[65])
{
    strbuf_t sb = {0};
    char *eff = NULL, sha[65];
    struct stat st;
    rgx_err err = cfg_effective_yaml(cfg, &eff);
    if (!err) err = sb_printf(&sb, "radiogx %s\n%s\n", rgx_version(), eff);
    const char *files[2] = {in->pheno, in->covar}, *known[2] = {in->pheno_sha, in->covar_sha};
    for (int k = 0; k < 2 && !err; k++) {
        if (!files[k]) continue;
        if (known[k]) snprintf(sha, sizeof sha, "%s", known[k]);
        else if ((err = sha256_file(files[k], sha))) break;
        err = sb_printf(&sb, "%d %s\n", k, sha);
    }
    if (!err && in->run) err = hash_run_content(in->run, &sb);
    /* Each genotype file (one, or one per site in a comma list) by path, size and time. */
    for (const char *g = in->genotypes; !err && g && *g;) {
        size_t len = strcspn(g, ",");
        char path[4096];
        snprintf(path, sizeof path, "%.*s", (int)len, g);
        if (stat(path, &st) != 0)
            err = rgx_fail(RGX_ERR_INPUT, "%s: cannot stat", path);
        else
            err = sb_printf(&sb, "genotypes %s %lld %lld\n", path, (long long)st.st_size,
                            (long long)st.st_mtime);
        g += len + (g[len] == ',');
    }
    if (!err) sha256_buf(sb.s, sb.len, key);
    free(eff), free(sb.s);
    return err;
}

/* A finished block: b variants' fixed-width strings (sw bytes each), their 7 numbers, then
 * beta, se and -log10 p (b x p each). */
typedef struct {
    long row0;
    size_t b;
    char *data;
} block_rec_t;

typedef struct {
    long B;                 /* rows per block */
    size_t first, end, stride, sw, p; /* this rank's blocks: first, first + stride, ... < end */
    block_rec_t *rec;
    size_t n, cap;
} restore_t;

static size_t block_bytes(size_t b, size_t sw, size_t p)
{
    return b * sw + b * 7 * sizeof(double) + 3 * b * p * sizeof(double);
}

/* Keeps the recorded blocks that this rank finishes. */
static rgx_err restore_fn(void *ctx, uint64_t key, const void *payload, size_t len)
{
    restore_t *r = ctx;
    long row0 = (long)key;
    size_t k = (size_t)(row0 / r->B);
    uint64_t b64;
    if (len < sizeof b64 || row0 % r->B || k < r->first || k >= r->end || (k - r->first) % r->stride)
        return RGX_OK;
    memcpy(&b64, payload, sizeof b64);
    if (len != sizeof b64 + block_bytes((size_t)b64, r->sw, r->p)) return RGX_OK;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        rgx_err err = rgx_realloc(&r->rec, r->cap, sizeof *r->rec);
        if (err) return err;
    }
    block_rec_t *x = &r->rec[r->n];
    x->row0 = row0, x->b = (size_t)b64;
    if (!(x->data = malloc(len - sizeof b64)))
        return rgx_fail(RGX_ERR_MEMORY, "out of memory for the scan checkpoints");
    memcpy(x->data, (const char *)payload + sizeof b64, len - sizeof b64);
    r->n++;
    return RGX_OK;
}

static block_rec_t *restore_find(restore_t *r, long row0)
{
    for (size_t k = 0; k < r->n; k++) /* blocks are taken in order: start where we were */
        if (r->rec[k].row0 == row0) return &r->rec[k];
    return NULL;
}

static void restore_free(restore_t *r)
{
    for (size_t k = 0; k < r->n; k++) free(r->rec[k].data);
    free(r->rec);
}

/* A finished block's record: b, then its strings, numbers and statistics. */
static rgx_err record_block(ckpt_writer_t *ck, long row0, size_t b, size_t sw, size_t p,
                            const char *sbuf, const double *num, const double *beta,
                            const double *se, const double *mlp)
{
    size_t len = sizeof(uint64_t) + block_bytes(b, sw, p);
    uint64_t b64 = b;
    char *rec = NULL, *d;
    rgx_err err = rgx_calloc(&rec, len, 1);
    if (err) return err;
    d = rec;
    memcpy(d, &b64, sizeof b64), d += sizeof b64;
    memcpy(d, sbuf, b * sw), d += b * sw;
    memcpy(d, num, b * 7 * sizeof *num), d += b * 7 * sizeof *num;
    memcpy(d, beta, b * p * sizeof *beta), d += b * p * sizeof *beta;
    memcpy(d, se, b * p * sizeof *se), d += b * p * sizeof *se;
    memcpy(d, mlp, b * p * sizeof *mlp);
    err = ckpt_append(ck, (uint64_t)row0, rec, len);
    free(rec);
    return err;
}

/* The inverse: a recorded block into the round's buffers; its QC codes counted. */
static size_t restore_block(const block_rec_t *done, size_t sw, size_t p, char *sbuf, double *num,
                            double *beta, double *se, double *mlp, long qc_count[7])
{
    size_t b = done->b;
    const char *d = done->data;
    memcpy(sbuf, d, b * sw), d += b * sw;
    memcpy(num, d, b * 7 * sizeof *num), d += b * 7 * sizeof *num;
    memcpy(beta, d, b * p * sizeof *beta), d += b * p * sizeof *beta;
    memcpy(se, d, b * p * sizeof *se), d += b * p * sizeof *se;
    memcpy(mlp, d, b * p * sizeof *mlp);
    for (size_t j = 0; j < b; j++) qc_count[(int)num[j * 7 + 6]]++;
    return b;
}

rgx_err scan_stage(const cfg_t *cfg, const scan_inputs_t *in, h5out_t *h)
{
    opts_t o;
    read_opts(cfg, &o);
    int rank = h->rank, size = h->size;
    table_t ph = {0}, cv = {0};
    geno_t g = {0};
    joined_t J = {0};
    scan_model_t M = {0};
    geno_unit_t *units = NULL;
    size_t nu = 0;
    long *count = NULL, *offset = NULL;
    double *dose = NULL, *G = NULL, *G2 = NULL, *work = NULL, *beta = NULL, *se = NULL, *mlp = NULL;
    size_t *map = NULL;
    double gemm[2] = {0, 0}; /* seconds in the block GEMMs, and their flops */
    char *sbuf = NULL;
    hit_t *hits = NULL;
    size_t n_hits = 0, cap_hits = 0;
    unsigned *hist = NULL;
    hid_t ds[12];
    for (int k = 0; k < 12; k++) ds[k] = H5I_INVALID_HID;
    hid_t str_t[4] = {H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID};
    restore_t rs = {0};
    ckpt_writer_t ck = {0};
    int ck_open = 0;
    char run_key[65] = "";
    /* One genotype file, or one per site (a comma list): samples then split across ranks. */
    char *gcopy = NULL, *site_path[256];
    size_t n_sites = 0;
    geno_t *gs = NULL;
    sites_t sc = {0};
    gblock_t *gblk = NULL;
    rgx_err err;

    /* Phenotypes and covariates (every rank: they are small). */
    if (in->pheno)
        err = table_read(in->pheno, "phenotype", 0, &ph);
    else
        err = table_from_run(in->run, &ph);
    if (!err && o.pheno_names)
        err = table_select(&ph, o.pheno_names, in->pheno ? in->pheno : in->run);
    if (!err && in->covar) {
        err = table_read(in->covar, "covariate", 1, &cv);
        if (!err && o.covar_names) err = table_select(&cv, o.covar_names, in->covar);
    }
    if (!err) err = rgx_strdup(&gcopy, in->genotypes);
    for (char *t = gcopy, *save = NULL; !err && (t = strtok_r(t, ",", &save)); t = NULL) {
        if (n_sites == 256) err = rgx_fail(RGX_ERR_USAGE, "more than 256 genotype files");
        else site_path[n_sites++] = t;
    }
    if (!err && !n_sites) err = rgx_fail(RGX_ERR_USAGE, "no genotype file given");
    /* The genotype headers decide who is in the analysis (and each sample's site). */
    if (!err) err = rgx_calloc(&gs, n_sites, sizeof *gs);
    for (size_t st = 0; st < n_sites && !err; st++)
        err = geno_open(&gs[st], site_path[st], NULL, NULL, 0, o.dosage);
    if (!err) err = join(&o, &ph, in->covar ? &cv : NULL, gs, n_sites, &J, rank);
    if (!err && J.n < J.q + 2)
        err = rgx_fail(RGX_ERR_INPUT, "only %zu samples have phenotypes, covariates and genotypes",
                       J.n);
    for (size_t st = 0; gs && st < n_sites; st++) geno_close(&gs[st]);
    int sites = n_sites > 1, active = sites ? (size < (int)n_sites ? size : (int)n_sites) : size;
    if (!err && !sites) {
        err = geno_open(&g, site_path[0], NULL, J.sample, (int)J.n, o.dosage);
    } else if (!err) { /* site 0's file for the units; each rank reads its own sites */
        err = geno_open(&g, site_path[0], NULL, NULL, 0, o.dosage);
        for (size_t st = 0; st < n_sites && !err; st++)
            if ((int)(st % (size_t)active) == rank)
                err = geno_open(&gs[st], site_path[st], NULL, J.sample + J.site_row[st],
                                (int)(J.site_row[st + 1] - J.site_row[st]), o.dosage);
        if (!err && rank == 0) {
            log_info("scan: %zu genotype files (sites), samples split across ranks: %zu sites "
                     "read by %d rank%s",
                     n_sites, n_sites, active, active == 1 ? "" : "s");
            for (size_t st = 0; st < n_sites; st++)
                log_info("scan: site %zu: %s, %zu samples", st + 1, site_path[st],
                         J.site_row[st + 1] - J.site_row[st]);
        }
    }
    if (!err) err = scan_model_init(&M, J.Y, J.n, J.p, J.keep, J.C, J.q);
    if (err) goto out;
    if (rank == 0)
        log_info("scan: %zu phenotypes in %zu missingness group%s, %zu covariates + intercept, %s "
                 "from %s (%s)",
                 M.p, M.n_groups, M.n_groups == 1 ? "" : "s", J.q - 1,
                 g.values, in->genotypes,
                 g.indexed ? "indexed" : "no index: one pass per rank");

    /* Units, counted in parallel: they number the variant rows. */
    if ((err = geno_units(&g, o.unit_bp, o.chroms, o.region, &units, &nu))) goto out;
    if ((err = rgx_calloc(&count, nu + 1, sizeof *count)) ||
        (err = rgx_calloc(&offset, nu + 1, sizeof *offset)))
        goto out;
    long w[3] = {1, 1, 1};
    err = count_units(&g, units, nu, rank, size, count, w);
    int bad = err != RGX_OK, anybad;
    MPI_Allreduce(&bad, &anybad, 1, MPI_INT, MPI_MAX, h->comm);
    if (anybad) {
        if (!err) err = rgx_fail(RGX_ERR_INPUT, "another rank could not read %s", in->genotypes);
        goto out;
    }
    MPI_Allreduce(MPI_IN_PLACE, count, (int)nu, MPI_LONG, MPI_SUM, h->comm);
    MPI_Allreduce(MPI_IN_PLACE, w, 3, MPI_LONG, MPI_MAX, h->comm);
    long n_skip[GENO_SKIP_N];
    MPI_Allreduce(g.n_skip, n_skip, GENO_SKIP_N, MPI_LONG, MPI_SUM, h->comm);
    long V = 0;
    for (size_t k = 0; k < nu; k++) offset[k] = V, V += count[k];
    if (rank == 0)
        log_info("scan: %ld biallelic variants in %zu units (skipped: %ld multi-allelic records "
                 "- split them with bcftools norm -m- to test each allele - and %ld %s)",
                 V, nu, n_skip[GENO_SKIP_MULTIALLELIC], n_skip[GENO_SKIP_NO_ALT],
                 geno_skip_name[GENO_SKIP_NO_ALT]);

    /* Datasets: every biallelic variant has a row; filtered ones carry their reason. */
    size_t p = M.p;
    hsize_t chunk = (hsize_t)(o.block < 1 ? 1 : o.block);
    const char *vnum[] = {"/variants/pos",   "/variants/af", "/variants/call_rate",
                          "/variants/hwe_p", "/variants/n",  "/variants/mac",
                          "/variants/qc"};
    long widths[4] = {64, w[0], w[1], w[2]};
    for (int k = 0; k < 4; k++) {
        str_t[k] = H5Tcopy(H5T_C_S1);
        H5Tset_size(str_t[k], (size_t)widths[k] + 1);
    }
    const char *vstr[] = {"/variants/chrom", "/variants/id", "/variants/ref", "/variants/alt"};
    for (int k = 0; k < 4 && !err; k++)
        err = h5out_matrix_create(h, vstr[k], str_t[k], (hsize_t)V, 0, chunk, 0, &ds[k]);
    for (int k = 0; k < 7 && !err; k++)
        err =
            h5out_matrix_create(h, vnum[k], H5T_NATIVE_DOUBLE, (hsize_t)V, 0, chunk, 0, &ds[4 + k]);
    hid_t assoc[3] = {H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID};
    const char *aname[] = {"/assoc/beta", "/assoc/se", "/assoc/log10p"};
    for (int k = 0; k < 3 && !err; k++)
        err = h5out_matrix_create(h, aname[k], H5T_NATIVE_DOUBLE, (hsize_t)V, p, 0, o.compress, &assoc[k]);
    if (err) goto out;

    /* My blocks, then rounds of collective writes (ranks with fewer blocks write nothing). */
    size_t n = J.n, B = (size_t)o.block;
    if ((err = rgx_calloc(&dose, n, sizeof *dose)) || (err = rgx_calloc(&G, B * n, sizeof *G)) ||
        (err = rgx_calloc(&G2, scan_scratch_len(B, n), sizeof *G2)) ||
        (err = rgx_calloc(&work, scan_sums_len(&M, B), sizeof *work)) ||
        (err = rgx_calloc(&beta, B * (p ? p : 1), sizeof *beta)) ||
        (err = rgx_calloc(&se, B * (p ? p : 1), sizeof *se)) ||
        (err = rgx_calloc(&mlp, B * (p ? p : 1), sizeof *mlp)) ||
        (err = rgx_calloc(&hist, (p ? p : 1) * (HIST_BINS + 1), sizeof *hist)))
        goto out;
    size_t sw = 64 + 1 + (size_t)w[0] + 1 + (size_t)w[1] + 1 + (size_t)w[2] + 1;
    if ((err = rgx_calloc(&sbuf, B * sw, 1))) goto out;
    double *num = NULL;
    if ((err = rgx_calloc(&num, B * 7, sizeof *num)) || (err = rgx_calloc(&map, B, sizeof *map)))
        goto out_num;
    /* The blocks of the whole variant list. */
    size_t nb = ((size_t)V + B - 1) / B, first_blk, end_blk;
    if ((err = rgx_calloc(&gblk, nb ? nb : 1, sizeof *gblk))) goto out_num;
    for (size_t j = 0; j < nb; j++)
        gblk[j] = (gblock_t){(long)(j * B), (size_t)V - j * B < B ? (size_t)V - j * B : B};
    my_blocks_range(nb, rank, size, &first_blk, &end_blk);
    /* Checkpoints: the blocks an earlier run finished (those this rank finishes), and a log of
     * ours.  With one file per site, block j is finished by rank j % active. */
    if (in->ckpt_dir) {
        int ke = rank == 0 ? (err = scan_run_key(cfg, in, run_key)) != RGX_OK : 0;
        MPI_Bcast(&ke, 1, MPI_INT, 0, h->comm);
        if (ke) {
            if (!err) err = rgx_fail(RGX_ERR_INPUT, "rank 0 could not hash the scan's inputs");
            goto out_num;
        }
        MPI_Bcast(run_key, 65, MPI_CHAR, 0, h->comm);
        if (!sites)
            rs = (restore_t){(long)B, first_blk, end_blk, 1, sw, p, NULL, 0, 0};
        else if (rank < active)
            rs = (restore_t){(long)B, (size_t)rank, nb, (size_t)active, sw, p, NULL, 0, 0};
        else
            rs = (restore_t){(long)B, 0, 0, 1, sw, p, NULL, 0, 0};
        size_t nrec = 0;
        err = ckpt_read_all(in->ckpt_dir, "scan", run_key, restore_fn, &rs, &nrec);
        if (!err && !(err = ckpt_open(&ck, in->ckpt_dir, "scan", rank, run_key))) ck_open = 1;
        long mine = (long)rs.n, all = 0;
        MPI_Allreduce(&mine, &all, 1, MPI_LONG, MPI_SUM, h->comm);
        if (!err && rank == 0 && all)
            log_info("scan: resuming: %ld blocks already done (checkpoints in %s)", all,
                     in->ckpt_dir);
        if (err) goto out_num;
    }
    long my_blocks = (long)(end_blk - first_blk), all_blocks = (long)((nb + (size_t)size - 1) / (size_t)size);
    rowreader_t rr = {&g, units, offset, count, nu, 0, 0, 0};
    if (sites) { /* block j finished by rank j % active */
        size_t L = scan_sums_len(&M, B), vmax = (size_t)active * B, nmine = 0;
        for (size_t st = 0; st < n_sites; st++)
            if ((int)(st % (size_t)active) == rank) nmine += J.site_row[st + 1] - J.site_row[st];
        sc = (sites_t){.o = &o, .M = &M, .J = &J, .n_sites = n_sites, .sw = sw,
                       .active = active, .rank = rank, .comm = h->comm,
                       .blk = gblk, .n_blk = nb, .map = map, .w = {w[0], w[1], w[2]},
                       .gemm = gemm};
        size_t maxns = 1;
        for (size_t st = 0; st < n_sites; st++)
            if (J.site_row[st + 1] - J.site_row[st] > maxns) maxns = J.site_row[st + 1] - J.site_row[st];
        if ((err = rgx_calloc(&sc.rr, n_sites, sizeof *sc.rr)) ||
            (err = rgx_calloc(&sc.qc, n_sites * vmax * 6, sizeof *sc.qc)) ||
            (err = rgx_calloc(&sc.G, vmax * (nmine ? nmine : 1), sizeof *sc.G)) ||
            (err = rgx_calloc(&sc.G2, scan_scratch_len(B, maxns), sizeof *sc.G2)) ||
            (err = rgx_calloc(&sc.S, L, sizeof *sc.S)) ||
            (err = rgx_calloc(&sc.D, vmax, sizeof *sc.D)) ||
            (err = rgx_calloc(&sc.pass, vmax, sizeof *sc.pass)) ||
            (err = rgx_calloc(&sc.part, n_sites * (size_t)active * L, sizeof *sc.part)))
            goto out_num;
        for (size_t st = 0; st < n_sites; st++)
            sc.rr[st] = (rowreader_t){&gs[st], units, offset, count, nu, 0, 0, 0};
        all_blocks = (long)((nb + (size_t)active - 1) / (size_t)active);
        my_blocks = 0;
        for (size_t j = (size_t)rank; rank < active && j < nb; j += (size_t)active) my_blocks++;
    }
    MPI_Allreduce(MPI_IN_PLACE, &all_blocks, 1, MPI_LONG, MPI_MAX, h->comm);
    long qc_count[7] = {0};
    double scan_t0 = wall_clock();
    progress_t prog;
    progress_init(&prog, "scan (rank 0's blocks)", "blocks", my_blocks);
    for (long round = 0; round < all_blocks; round++) {
        size_t b = 0;
        long row0 = 0;
        size_t kb = first_blk + (size_t)round; /* my block of this round (main path) */
        if (sites) {
            /* A round whose blocks were all recorded is skipped by every rank (its sums need
             * every site's rank); otherwise it is computed whole, recorded blocks included. */
            size_t kj = (size_t)round * (size_t)active + (size_t)rank;
            block_rec_t *done = NULL;
            if (in->ckpt_dir && rank < active && kj < nb) done = restore_find(&rs, gblk[kj].row0);
            int have = rank >= active || kj >= nb || done != NULL, all_have = 0;
            MPI_Allreduce(&have, &all_have, 1, MPI_INT, MPI_MIN, h->comm);
            if (!err && all_have && in->ckpt_dir) {
                if (done) row0 = done->row0, b = restore_block(done, sw, p, sbuf, num, beta, se, mlp, qc_count);
            } else if (!err) {
                err = sites_round(&sc, round, &b, &row0, sbuf, num, beta, se, mlp, qc_count);
                if (!err && b && ck_open && wall_clock() - scan_t0 >= o.ckpt_after)
                    err = record_block(&ck, row0, b, sw, p, sbuf, num, beta, se, mlp);
            }
        } else if (!err && kb < end_blk) {
            row0 = gblk[kb].row0;
            block_rec_t *done = in->ckpt_dir ? restore_find(&rs, row0) : NULL;
            if (done) { /* recorded by an earlier run: its strings, numbers and statistics */
                b = restore_block(done, sw, p, sbuf, num, beta, se, mlp, qc_count);
            } else {
                size_t t = 0; /* tested variants, packed at the front of G */
                err = rr_seek(&rr, row0);
                for (; !err && b < gblk[kb].b; b++) {
                    if ((err = rr_next(&rr, dose))) break;
                    vqc_t v;
                    double mean;
                    variant_qc(&o, dose, n, &v, &mean);
                    qc_count[v.pass]++;
                    if (v.pass == Q_PASS) {
                        double *gj = G + t * n;
                        for (size_t i = 0; i < n; i++) gj[i] = isnan(dose[i]) ? 0 : dose[i] - mean;
                        map[t++] = b;
                    }
                    variant_strings(&g, sbuf + b * sw, sw, w);
                    double *nm = num + b * 7;
                    nm[0] = (double)g.v_pos, nm[1] = v.af, nm[2] = v.call_rate, nm[3] = v.hwe_p;
                    nm[4] = (double)v.n_obs, nm[5] = v.mac, nm[6] = v.pass;
                }
                if (!err && b) {
                    timed_block_sums(&M, G, t, 0, n, G2, work, gemm);
                    scan_block_finish(&M, work, t, beta, se, mlp);
                    expand_tested(map, t, b, p, beta, se, mlp);
                    /* Record it before it is written (a kill after this loses nothing), once the
                     * scan has run long enough for a restart to cost more than the copy. */
                    if (ck_open && wall_clock() - scan_t0 >= o.ckpt_after)
                        err = record_block(&ck, row0, b, sw, p, sbuf, num, beta, se, mlp);
                }
            }
        }
        /* Histograms for lambda GC and the hits, the same for computed and recorded blocks. */
        for (size_t k0 = 0; !err && k0 < p; k0 += 32) /* 32 phenotypes' histograms in cache */
            for (size_t j = 0; !err && j < b; j++)
                for (size_t k = k0; k < k0 + 32 && k < p; k++) {
                    double x = mlp[j * p + k];
                    if (isnan(x)) continue;
                    long bin = x >= 2 ? HIST_BINS : (long)(x * 1000);
                    hist[k * (HIST_BINS + 1) + (size_t)bin]++;
                    if (x >= o.hits) {
                        if (n_hits == cap_hits) {
                            cap_hits = cap_hits ? 2 * cap_hits : 256;
                            if ((err = rgx_realloc(&hits, cap_hits, sizeof *hits))) break;
                        }
                        hits[n_hits++] =
                            (hit_t){row0 + (long)j, (int)k, beta[j * p + k], se[j * p + k], x};
                    }
                }
        /* Everyone writes (maybe nothing): collective I/O needs every rank. */
        int e[2] = {err != RGX_OK, in->stop && in->stop() ? 1 : 0}, anye[2];
        MPI_Allreduce(e, anye, 2, MPI_INT, MPI_MAX, h->comm);
        if (anye[0]) {
            if (!err) err = rgx_fail(RGX_ERR_INTERNAL, "another rank failed during the scan");
            break;
        }
        if (anye[1]) { /* a stop request: this round's blocks are in the checkpoints */
            err = rgx_fail(RGX_ERR_REQUEUE,
                           "scan stopped on request after %ld of %ld rounds of blocks; finished "
                           "blocks are checkpointed in %s",
                           round + 1, all_blocks, in->ckpt_dir ? in->ckpt_dir : "(none: no checkpoints)");
            break;
        }
        /* Strings column by column out of the packed buffer. */
        char *col = NULL;
        if ((err = rgx_calloc(&col, B * (size_t)(64 + w[0] + w[1] + w[2] + 4), 1))) break;
        size_t soff[4] = {0, 65, (size_t)(66 + w[0]), (size_t)(67 + w[0] + w[1])};
        for (int k = 0; k < 4 && !err; k++) {
            size_t cw = (size_t)widths[k] + 1;
            for (size_t j = 0; j < b; j++) memcpy(col + j * cw, sbuf + j * sw + soff[k], cw);
            err = h5out_matrix_write(h, ds[k], str_t[k], (hsize_t)row0, b, col);
        }
        free(col);
        for (int k = 0; k < 7 && !err; k++) {
            double tmp[4096];
            double *c = b <= 4096 ? tmp : malloc(b * sizeof *c);
            for (size_t j = 0; j < b; j++) c[j] = num[j * 7 + (size_t)k];
            err = h5out_matrix_write(h, ds[4 + k], H5T_NATIVE_DOUBLE, (hsize_t)row0, b, c);
            if (c != tmp) free(c);
        }
        if (!err) err = h5out_matrix_write(h, assoc[0], H5T_NATIVE_DOUBLE, (hsize_t)row0, b, beta);
        if (!err) err = h5out_matrix_write(h, assoc[1], H5T_NATIVE_DOUBLE, (hsize_t)row0, b, se);
        if (!err) err = h5out_matrix_write(h, assoc[2], H5T_NATIVE_DOUBLE, (hsize_t)row0, b, mlp);
        if (err) break;
        if (b) progress_update(&prog, round + 1);
    }
    progress_done(&prog, my_blocks);
    if (!err) { /* the GEMM phase (scripts/bench_scan compares it with a bare DGEMM) */
        double tot[2], slow;
        MPI_Allreduce(gemm, tot, 2, MPI_DOUBLE, MPI_SUM, h->comm);
        MPI_Allreduce(&gemm[0], &slow, 1, MPI_DOUBLE, MPI_MAX, h->comm);
        if (rank == 0)
            log_info("scan: GEMM phase %.2f s on the slowest rank, %.1f GFLOP/s per rank",
                     slow, tot[0] > 0 ? tot[1] / tot[0] / 1e9 : 0.0);
    }
out_num:
    free(num);
    for (int k = 0; k < 3; k++)
        if (assoc[k] != H5I_INVALID_HID) H5Dclose(assoc[k]);
    if (err) goto out;

    /* lambda_GC per phenotype from the pooled histograms; the median chi-square over 0.4549. */
    MPI_Allreduce(MPI_IN_PLACE, hist, (int)(p * (HIST_BINS + 1)), MPI_UNSIGNED, MPI_SUM, h->comm);
    MPI_Allreduce(MPI_IN_PLACE, qc_count, 7, MPI_LONG, MPI_SUM, h->comm);
    double *lambda = calloc(p ? p : 1, sizeof *lambda);
    double *nobs = calloc(p ? p : 1, sizeof *nobs);
    for (size_t k = 0; k < p; k++) {
        const unsigned *hk = hist + k * (HIST_BINS + 1);
        unsigned long tot = 0;
        for (int b = 0; b <= HIST_BINS; b++) tot += hk[b];
        double half = 0.5 * (double)tot, acc = 0, med = NAN;
        for (int b = 0; b <= HIST_BINS && tot; b++) {
            if (acc + hk[b] >= half) { /* -log10 p sorted ascending = p descending */
                med = b == HIST_BINS ? 2.0 : (b + (half - acc) / (double)hk[b]) * 0.001;
                break;
            }
            acc += hk[b];
        }
        double pmed = pow(10, -med);
        lambda[k] = tot ? gsl_cdf_chisq_Qinv(pmed, 1) / gsl_cdf_chisq_Qinv(0.5, 1) : NAN;
        nobs[k] = (double)M.n_obs[k];
    }
    /* Phenotype names (kept columns only). */
    const char **pn = calloc(p ? p : 1, sizeof *pn);
    for (size_t j = 0, k = 0; j < J.p; j++)
        if (J.keep[j]) pn[k++] = ph.name[j];
    if (!err) err = h5out_write_strings_all(h, "/phenotypes/names", p, pn);
    if (!err) err = h5out_write_all(h, "/phenotypes/n", H5T_NATIVE_DOUBLE, p, 0, nobs);
    if (!err) err = h5out_write_all(h, "/phenotypes/lambda_gc", H5T_NATIVE_DOUBLE, p, 0, lambda);
    if (!err)
        err = h5out_attr_str(h, "/phenotypes", "transform",
                             o.int_transform ? "rank-based inverse normal" : "none");
    if (!err)
        err = h5out_attr_str(h, "/phenotypes/lambda_gc", "method",
                             "median chi-square (from -log10 p binned by 0.001) / 0.4549");
    if (!err)
        err = h5out_attr_str(h, "/assoc/log10p", "meaning", "-log10 p of the two-sided t test");
    if (!err)
        err = h5out_attr_str(h, "/assoc/beta", "effect_allele", "ALT (per ALT allele dosage)");
    if (!err)
        err = h5out_attr_str(h, "/variants/qc", "codes",
                             "1 tested; 2 call rate; 3 maf; 4 mac; 5 hwe; 6 monomorphic");
    for (int k = 1; k <= 6 && !err; k++) {
        char an[64];
        snprintf(an, sizeof an, "variants_%s", qc_name[k]);
        err = h5out_attr_long(h, "/variants", an, qc_count[k]);
    }
    if (!err)
        err = h5out_attr_long(h, "/variants", "multiallelic_skipped", n_skip[GENO_SKIP_MULTIALLELIC]);
    if (!err) err = h5out_attr_long(h, "/variants", "no_alt_skipped", n_skip[GENO_SKIP_NO_ALT]);
    if (!err) err = h5out_attr_long(h, "/phenotypes", "not_scanned", (long)J.n_pheno_dropped);
    if (!err) err = h5out_attr_long(h, "/phenotypes", "samples", (long)J.n);
    free(lambda), free(nobs);

    /* /hits: gathered on every rank, sorted by variant row then phenotype. */
    if (!err) {
        int mine = (int)n_hits * (int)sizeof(hit_t), *lens = calloc((size_t)size, sizeof *lens),
            *offs = calloc((size_t)size, sizeof *offs), tot = 0;
        MPI_Allgather(&mine, 1, MPI_INT, lens, 1, MPI_INT, h->comm);
        for (int r = 0; r < size; r++) offs[r] = tot, tot += lens[r];
        hit_t *all = malloc((size_t)tot + sizeof(hit_t));
        MPI_Allgatherv(hits ? (void *)hits : (void *)all, mine, MPI_BYTE, all, lens, offs, MPI_BYTE,
                       h->comm);
        size_t nh = (size_t)tot / sizeof(hit_t);
        qsort(all, nh, sizeof *all, hit_order);
        double *hv = calloc((nh ? nh : 1) * 4, sizeof *hv);
        const char **hp = calloc(nh ? nh : 1, sizeof *hp);
        for (size_t i = 0; i < nh; i++) {
            hv[i * 4] = (double)all[i].row, hv[i * 4 + 1] = all[i].beta, hv[i * 4 + 2] = all[i].se;
            hv[i * 4 + 3] = all[i].mlp;
            hp[i] = pn[all[i].pheno];
        }
        err = h5out_write_all(h, "/hits/values", H5T_NATIVE_DOUBLE, nh, 4, hv);
        if (!err) err = h5out_write_strings_all(h, "/hits/phenotype", nh, hp);
        if (!err) err = h5out_attr_str(h, "/hits/values", "columns", "variant_row beta se log10p");
        if (!err) err = h5out_attr_double(h, "/hits", "threshold", o.hits);
        if (rank == 0 && !err)
            log_info("scan: %ld variants tested x %zu phenotypes; %zu hits at -log10 p >= %g",
                     qc_count[Q_PASS], p, nh, o.hits);
        free(all), free(hv), free(hp), free(lens), free(offs);
    }
    free(pn);
out:
    for (int k = 0; k < 12; k++)
        if (ds[k] != H5I_INVALID_HID) H5Dclose(ds[k]);
    for (int k = 0; k < 4; k++)
        if (str_t[k] != H5I_INVALID_HID) H5Tclose(str_t[k]);
    if (ck_open) ckpt_close(&ck);
    restore_free(&rs);
    for (size_t st = 0; gs && st < n_sites; st++) geno_close(&gs[st]);
    free(gs), free(gcopy), free(gblk);
    free(sc.rr), free(sc.pass), free(sc.qc), free(sc.G), free(sc.G2), free(sc.S), free(sc.D), free(sc.part);
    scan_model_free(&M);
    joined_free(&J);
    geno_close(&g);
    table_free(&ph), table_free(&cv);
    free(units), free(count), free(offset), free(dose), free(G), free(G2), free(work);
    free(beta), free(se), free(mlp), free(sbuf), free(hits), free(hist), free(map);
    return err;
}
