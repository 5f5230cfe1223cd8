/* scan_sites_fit.c — see scan_sites_fit.h. */
#include "scan_sites_fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int binary(const scan_sites_t *c)
{
    return c->F->kind == SCAN_BINARY;
}

static size_t site_n(const scan_sites_t *c, size_t st)
{
    return c->J->site_row[st + 1] - c->J->site_row[st];
}

/* The largest reduction of a fit: the information matrix (logistic), or a Newton iteration's
 * per-event-time sums (Cox). */
static size_t fit_cap(const scan_sites_t *c)
{
    if (binary(c)) {
        size_t k = c->F->bin.q + 1;
        return k * k > 2 ? k * k : 2;
    }
    size_t cap = 1;
    for (size_t j = 0; j < c->F->p; j++) {
        size_t L = cox_sites_len(&c->F->tte.nul[j], c->F->tte.q + 1);
        if (L > cap) cap = L;
    }
    return cap;
}

rgx_err sites_fit_init(scan_sites_t *c)
{
    size_t B = (size_t)c->o->block, p = c->F->p, N = c->nmine ? c->nmine : 1, cap = fit_cap(c);
    rgx_err err = rsum_init(&c->rs, c->n_sites, c->active, c->rank, c->comm, cap);
    if (err) return err;
    if (binary(c)) {
        if ((err = logit_ws_init(&c->lws, c->nmine, c->F->bin.q))) return err;
        c->lws.rs = &c->rs;
    } else {
        if ((err = cox_ws_init(&c->cws, c->nmine, c->F->tte.q))) return err;
        c->cws.rs = &c->rs;
        if ((err = rgx_calloc(&c->cws.grp, N, sizeof *c->cws.grp)) ||
            (err = rgx_calloc(&c->cws.isev, N, sizeof *c->cws.isev)) ||
            (err = rgx_calloc(&c->cws.acc, cap, sizeof *c->cws.acc)))
            return err;
    }
    if ((err = rgx_calloc(&c->graw, N, sizeof *c->graw)) ||
        (err = rgx_calloc(&c->gp, c->n_sites ? c->n_sites : 1, sizeof *c->gp)) ||
        (err = rgx_calloc(&c->mt, B, sizeof *c->mt)) ||
        (err = rgx_calloc(&c->res, 5 * B * p, sizeof *c->res)) ||
        (err = rgx_calloc(&c->test, B * p, sizeof *c->test)) ||
        (err = rgx_calloc(&c->want, B * p, sizeof *c->want)))
        return err;
    for (size_t s = 0, off = 0; s < c->rs.nseg; s++) {
        c->gp[s] = c->graw + off;
        off += site_n(c, c->rs.site[s]);
    }
    return RGX_OK;
}

void sites_fit_free(scan_sites_t *c)
{
    free(c->cws.grp), free(c->cws.isev), free(c->cws.acc);
    logit_ws_free(&c->lws), cox_ws_free(&c->cws);
    rsum_free(&c->rs);
    free(c->graw), free(c->gp), free(c->mt), free(c->res), free(c->test), free(c->want);
}

size_t sites_fit_len(const scan_sites_t *c, size_t b)
{
    if (binary(c)) return bin_sums_len(&c->F->bin, b);
    return tte_sums_len(&c->F->tte, b) + tte_quad_len(&c->F->tte, b);
}

void sites_fit_sums(scan_sites_t *c, const double *Gb, size_t t, size_t st, double *P)
{
    size_t row0 = c->J->site_row[st], ns = site_n(c, st);
    double t0 = wall_clock();
    if (binary(c)) {
        bin_block_sums(&c->F->bin, Gb, t, row0, ns, c->G2, P);
    } else {
        const tte_model_t *m = &c->F->tte;
        tte_block_sums(m, Gb, t, row0, ns, c->G2, P);
        double *Gt = c->G2; /* the site's block sample-major, for the risk-set walks */
        for (size_t i = 0; i < ns; i++)
            for (size_t v = 0; v < t; v++) Gt[i * t + v] = Gb[v * ns + i];
        size_t off = tte_sums_len(m, t);
        for (size_t j = 0; j < m->p; j++) {
            cox_quad_sums(&m->nul[j], Gt, t, row0, ns, P + off);
            off += 2 * m->nul[j].n_evt * t;
        }
    }
    c->gemm[0] += wall_clock() - t0;
}

/* The score tests of t tested variants from the sums S added over the sites. */
static void score_block(scan_sites_t *c, const double *S, size_t t, double **x)
{
    scan_fit_t *F = c->F;
    if (binary(c)) {
        bin_block_score(&F->bin, S, c->mt, t, x[0], x[1], x[2], x[3], c->test, c->want);
        return;
    }
    tte_model_t *m = &F->tte;
    const double *quad = S + tte_sums_len(m, t);
    for (size_t j = 0; j < m->p; j++) {
        cox_quad_finish(&m->nul[j], quad, t, m->quad + m->b_max, m->quad);
        tte_block_score(m, j, S, m->quad, t, x[0], x[1], x[2], x[3], c->test, c->want);
        quad += 2 * m->nul[j].n_evt * t;
    }
}

/* Tested variant v's dosages on this rank's sites (the centred values of the block at
 * c->G's rows v0.. of each site, plus the mean) into graw. */
static void load_variant(scan_sites_t *c, size_t vars, size_t v0, size_t v)
{
    size_t off = 0, s = 0;
    for (size_t st = 0; st < c->n_sites; st++) {
        if ((int)(st % (size_t)c->active) != c->rank) continue;
        size_t ns = site_n(c, st);
        const double *g = c->G + off + (v0 + v) * ns;
        double *d = (double *)c->gp[s++];
        for (size_t i = 0; i < ns; i++) d[i] = g[i] + c->mt[v];
        off += vars * ns;
    }
}

/* The full fits of the wanted pairs (every rank, in the same order). */
static void fit_block(scan_sites_t *c, size_t t, size_t vars, size_t v0, int mine, double **x)
{
    scan_fit_t *F = c->F;
    size_t p = F->p;
    for (size_t v = 0; v < t; v++) {
        int loaded = 0;
        for (size_t j = 0; j < p; j++) {
            size_t o = v * p + j;
            if (!c->want[o]) continue;
            if (!loaded) load_variant(c, vars, v0, v), loaded = 1;
            if (binary(c)) {
                bin_model_t *m = &F->bin;
                logit_res_t r;
                logit_full_sites(&m->nul[j], m->y + j * m->n, m->C, c->gp, c->J->site_row,
                                 m->firth, &c->lws, &r);
                bin_take_full(m, &r, o, x[0], x[1], x[2], x[3], c->test, mine);
            } else {
                tte_model_t *m = &F->tte;
                cox_res_t r;
                cox_full_sites(&m->nul[j], m->C, c->gp, c->J->site_row, &c->cws, &r);
                tte_take_full(m, &r, o, x[0], x[1], x[2], x[3], c->test, mine);
            }
        }
    }
}

void sites_fit_round(scan_sites_t *c, size_t first, size_t n_round, size_t vars, size_t L,
                     size_t my_blk, scan_blk_t *k)
{
    size_t p = c->F->p, v0 = 0, B = (size_t)c->o->block;
    double t0 = wall_clock();
    double *x[4] = {c->res, c->res + B * p, c->res + 2 * B * p, c->res + 3 * B * p};
    for (size_t jj = 0; jj < n_round; jj++) {
        size_t j = first + jj, b = c->blk[j].b, t = 0;
        for (size_t v = 0; v < b; v++)
            if (c->pass[v0 + v]) c->map[t] = v, c->mt[t] = c->D[v0 + v], t++;
        size_t Lt = sites_fit_len(c, t);
        memset(c->S, 0, Lt * sizeof *c->S);
        for (size_t st = 0; st < c->n_sites; st++) { /* in site order: the same bits always */
            const double *P = c->part + (st * n_round + jj) * L;
            for (size_t e = 0; e < Lt; e++) c->S[e] += P[e];
        }
        score_block(c, c->S, t, x);
        fit_block(c, t, vars, v0, j == my_blk, x);
        if (j == my_blk) {
            double *dst[5] = {k->beta, k->se, k->mlp, k->lr, k->test};
            for (int f = 0; f < 4; f++) memcpy(dst[f], x[f], t * p * sizeof *x[f]);
            for (size_t e = 0; e < t * p; e++) k->test[e] = c->test[e];
            k->b = b, k->row0 = c->blk[j].row0;
            scan_blk_expand(k, c->map, t);
        }
        v0 += b;
    }
    c->gemm[0] += wall_clock() - t0;
}
