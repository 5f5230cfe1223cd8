/* scan_sites.c — see scan_sites.h. */
#include "scan_sites.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comm.h"
#include "scan_sites_fit.h"
#include "util.h"

/* Doubles of one block's sums: room for the larger model's. */
static size_t sums_len(const scan_sites_t *c)
{
    if (c->F) return sites_fit_len(c, (size_t)c->o->block);
    size_t B = (size_t)c->o->block, a = scan_sums_len(&c->M[c->mi[0]], B),
           x = scan_sums_len(&c->M[c->mi[1]], B);
    return a > x ? a : x;
}

static const scan_model_t *model_of(const scan_sites_t *c, size_t j)
{
    return &c->M[c->mi[c->blk[j].kind]];
}

rgx_err scan_sites_init(scan_sites_t *c, const scan_opts_t *o, const scan_model_t *M,
                        const int mi[2], const joined_t *J, geno_t *gs, const scan_rows_t *rows,
                        const gblock_t *blk, size_t n_blk, int active, MPI_Comm comm,
                        double gemm[2], scan_fit_t *F)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    size_t n_sites = J->n_sites, B = (size_t)o->block;
    *c = (scan_sites_t){.o = o, .M = M, .mi = mi, .J = J, .n_sites = n_sites, .active = active,
                        .rank = rank, .comm = comm, .blk = blk, .n_blk = n_blk, .gemm = gemm,
                        .F = F};
    size_t L = sums_len(c), vmax = (size_t)active * B, nmine = 0, maxns = 1;
    for (size_t st = 0; st < n_sites; st++) {
        size_t ns = J->site_row[st + 1] - J->site_row[st];
        if ((int)(st % (size_t)active) == rank) nmine += ns;
        if (ns > maxns) maxns = ns;
    }
    rgx_err err;
    if ((err = rgx_calloc(&c->rr, n_sites, sizeof *c->rr)) ||
        (err = rgx_calloc(&c->map, B, sizeof *c->map)) ||
        (err = rgx_calloc(&c->qc, n_sites * vmax * 6, sizeof *c->qc)) ||
        (err = rgx_calloc(&c->G, vmax * (nmine ? nmine : 1), sizeof *c->G)) ||
        /* (the binary and time-to-event sums take a whole block of scratch) */
        (err = rgx_calloc(&c->G2, c->F ? B * (maxns ? maxns : 1) : scan_scratch_len(maxns),
                          sizeof *c->G2)) ||
        (err = rgx_calloc(&c->S, L, sizeof *c->S)) ||
        (err = rgx_calloc(&c->D, vmax, sizeof *c->D)) ||
        (err = rgx_calloc(&c->pass, vmax, sizeof *c->pass)) ||
        (err = rgx_calloc(&c->part, n_sites * (size_t)active * L, sizeof *c->part)))
        return err;
    for (size_t st = 0; st < n_sites; st++) c->rr[st] = (rowreader_t){&gs[st], rows, 0, 0, 0};
    c->nmine = nmine;
    return F ? sites_fit_init(c) : RGX_OK;
}

void scan_sites_free(scan_sites_t *c)
{
    if (c->F) sites_fit_free(c);
    free(c->rr), free(c->map), free(c->pass), free(c->qc), free(c->G), free(c->G2), free(c->S);
    free(c->D), free(c->part);
    memset(c, 0, sizeof *c);
}

static uint64_t variant_hash(const geno_t *g)
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

static int mine(const scan_sites_t *c, size_t st)
{
    return (int)(st % (size_t)c->active) == c->rank;
}

static size_t site_n(const scan_sites_t *c, size_t st)
{
    return c->J->site_row[st + 1] - c->J->site_row[st];
}

/* Reads this rank's sites' dosages of the round's blocks into c->G (per site: vars x n_s) and
 * their QC sums into c->qc; the finisher keeps its block's strings and positions in k. */
static rgx_err read_round(scan_sites_t *c, size_t first, size_t n_round, size_t vars,
                          size_t my_blk, scan_blk_t *k)
{
    rgx_err err = RGX_OK;
    size_t off = 0;
    for (size_t st = 0; st < c->n_sites && !err; st++) {
        if (!mine(c, st)) continue;
        rowreader_t *rr = &c->rr[st];
        size_t ns = site_n(c, st), v0 = 0;
        for (size_t j = first; j < first + n_round && !err; j++) {
            const gblock_t *bk = &c->blk[j];
            if ((err = rr_seek(rr, bk->row0))) break;
            for (size_t v = 0; v < bk->b && !err; v++) {
                double *d = c->G + off + (v0 + v) * ns;
                if ((err = rr_next(rr, d))) break;
                double *q = c->qc + (st * vars + v0 + v) * 6;
                vqc_sums(d, ns, q);
                q[5] = (double)variant_hash(rr->g);
                if (j == my_blk && st == (size_t)c->rank) scan_blk_site(k, v, rr->g);
            }
            v0 += bk->b;
        }
        off += vars * ns;
    }
    return err;
}

/* The pooled QC of the round's variants (sums in site order); every file must hold the same
 * variants.  The finisher records its block's QC numbers. */
static rgx_err pooled_qc(scan_sites_t *c, long round, size_t first, size_t n_round, size_t vars,
                         size_t my_blk, scan_blk_t *k)
{
    for (size_t v = 0; v < vars; v++) {
        double sum = 0, obs = 0, cnt[3] = {0, 0, 0};
        for (size_t st = 0; st < c->n_sites; st++) {
            const double *q = c->qc + (st * vars + v) * 6;
            if (q[5] != c->qc[v * 6 + 5])
                return rgx_fail(RGX_ERR_INPUT,
                                "genotype file %s differs from %s at variant %zu of round %ld: "
                                "every site's file must hold the same variants in the same order "
                                "(harmonise them first)",
                                c->rr[st].g->path ? c->rr[st].g->path : "(a site)",
                                c->rr[0].g->path ? c->rr[0].g->path : "the first site's", v,
                                round);
            sum += q[0], obs += q[1], cnt[0] += q[2], cnt[1] += q[3], cnt[2] += q[4];
        }
        vqc_t vq;
        vqc_from_sums(c->o, sum, (long)obs, cnt, c->J->n, &vq, &c->D[v]);
        c->pass[v] = vq.pass == Q_PASS;
        size_t j = first, v0 = 0; /* the block of variant v */
        while (j < first + n_round && v >= v0 + c->blk[j].b) v0 += c->blk[j].b, j++;
        if (j == my_blk) scan_blk_qc(k, v - v0, &vq);
    }
    return RGX_OK;
}

/* Each site's sums per block: centred dosages (missing: the mean) of the tested variants. */
static void site_sums(scan_sites_t *c, size_t first, size_t n_round, size_t vars)
{
    const double *mean = c->D;
    size_t L = sums_len(c), off = 0;
    for (size_t st = 0; st < c->n_sites; st++) {
        if (!mine(c, st)) continue;
        size_t ns = site_n(c, st), v0 = 0;
        for (size_t jj = 0; jj < n_round; jj++) {
            size_t b = c->blk[first + jj].b, t = 0;
            double *Gb = c->G + off + v0 * ns;
            for (size_t v = 0; v < b; v++) { /* tested variants only, moved to the front */
                if (!c->pass[v0 + v]) continue;
                double *x = Gb + t * ns, *y = Gb + v * ns;
                vqc_center(y, ns, mean[v0 + v], x);
                t++;
            }
            double *P = c->part + (st * n_round + jj) * L;
            if (c->F) {
                sites_fit_sums(c, Gb, t, st, P);
                v0 += b;
                continue;
            }
            scan_block_sums_timed(model_of(c, first + jj), Gb, t, c->J->site_row[st], ns, c->G2, P,
                                  c->gemm);
            v0 += b;
        }
        off += vars * ns;
    }
}

/* The finisher: the sites' sums added in site order, then what the run file keeps. */
static void finish(scan_sites_t *c, size_t first, size_t n_round, size_t my_blk, scan_blk_t *k)
{
    const scan_model_t *M = model_of(c, my_blk);
    size_t jj = my_blk - first, b = c->blk[my_blk].b, t = 0, v0 = 0, L = sums_len(c);
    for (size_t j = first; j < my_blk; j++) v0 += c->blk[j].b;
    for (size_t v = 0; v < b; v++)
        if (c->pass[v0 + v]) c->map[t++] = v;
    size_t Lt = scan_sums_len(M, t);
    memset(c->S, 0, Lt * sizeof *c->S);
    for (size_t st = 0; st < c->n_sites; st++) {
        const double *P = c->part + (st * n_round + jj) * L;
        for (size_t x = 0; x < Lt; x++) c->S[x] += P[x];
    }
    scan_block_reduce(M, c->S, t, k->xty, k->gtg);
    k->b = b, k->row0 = c->blk[my_blk].row0;
    scan_blk_expand(k, c->map, t);
}

rgx_err scan_sites_round(scan_sites_t *c, long round, scan_blk_t *k)
{
    size_t n_round = 0, first = (size_t)round * (size_t)c->active, vars = 0, L = sums_len(c);
    for (size_t j = first; j < c->n_blk && j < first + (size_t)c->active; j++)
        n_round++, vars += c->blk[j].b;
    size_t qn = c->n_sites * vars * 6, pn = c->n_sites * n_round * L;
    memset(c->qc, 0, qn * sizeof *c->qc);
    memset(c->part, 0, pn * sizeof *c->part);
    size_t my_blk = (size_t)c->rank < (size_t)c->active ? first + (size_t)c->rank : (size_t)-1;
    k->b = 0, k->row0 = 0;
    if (my_blk < first + n_round) k->model = c->mi[c->blk[my_blk].kind];
    rgx_err err = read_round(c, first, n_round, vars, my_blk, k);
    if ((err = comm_agree(c->comm, err, "reading its site's genotypes"))) return err;
    MPI_Allreduce(MPI_IN_PLACE, c->qc, (int)qn, MPI_DOUBLE, MPI_SUM, c->comm);
    if ((err = pooled_qc(c, round, first, n_round, vars, my_blk, k))) return err;
    site_sums(c, first, n_round, vars);
    MPI_Allreduce(MPI_IN_PLACE, c->part, (int)pn, MPI_DOUBLE, MPI_SUM, c->comm);
    if (c->F) sites_fit_round(c, first, n_round, vars, L, my_blk, k);
    else if (my_blk < first + n_round) finish(c, first, n_round, my_blk, k);
    return RGX_OK;
}
