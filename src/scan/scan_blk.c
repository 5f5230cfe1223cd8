/* scan_blk.c — see scan_blk.h. */
#include "scan_blk.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

rgx_err scan_blk_init(scan_blk_t *k, size_t B, size_t p, size_t ng, const long w[4], int fitted)
{
    memset(k, 0, sizeof *k);
    k->B = B, k->p = p, k->ng = ng, k->fitted = fitted;
    memcpy(k->w, w, sizeof k->w);
    k->sw = 0;
    for (int s = 0; s < 4; s++) k->sw += (size_t)k->w[s] + 1;
    size_t P = p ? p : 1;
    rgx_err err; /* the B x p arrays on huge pages (8 MB each at 1,024 x 1,000) */
    if ((err = rgx_calloc(&k->sbuf, B * k->sw, 1)) ||
        (err = rgx_calloc(&k->num, B * BLK_NUM, sizeof *k->num)) ||
        (err = rgx_big_calloc(&k->xty, B * P, sizeof *k->xty)) ||
        (err = rgx_calloc(&k->gtg, B * (ng ? ng : 1), sizeof *k->gtg)) ||
        (err = rgx_big_calloc(&k->beta, B * P, sizeof *k->beta)) ||
        (err = rgx_big_calloc(&k->se, B * P, sizeof *k->se)) ||
        (err = rgx_big_calloc(&k->mlp, B * P, sizeof *k->mlp)) ||
        (fitted && ((err = rgx_big_calloc(&k->lr, B * P, sizeof *k->lr)) ||
                    (err = rgx_big_calloc(&k->test, B * P, sizeof *k->test)))))
        scan_blk_free(k);
    return err;
}

void scan_blk_free(scan_blk_t *k)
{
    free(k->sbuf), free(k->num), free(k->xty), free(k->gtg), free(k->beta), free(k->se);
    free(k->mlp), free(k->lr), free(k->test);
    memset(k, 0, sizeof *k);
}

void scan_blk_site(scan_blk_t *k, size_t j, const geno_t *g)
{
    char *s = k->sbuf + j * k->sw;
    const char *v[4] = {geno_chrom(g, g->v_rid), g->v_id, g->v_ref, g->v_alt};
    memset(s, 0, k->sw); /* the padding must be zeros, not stale bytes */
    for (int f = 0; f < 4; f++) {
        snprintf(s, (size_t)k->w[f] + 1, "%s", v[f]);
        s += k->w[f] + 1;
    }
    k->num[j * BLK_NUM] = (double)g->v_pos;
}

void scan_blk_qc(scan_blk_t *k, size_t j, const vqc_t *v)
{
    double *nm = k->num + j * BLK_NUM;
    nm[1] = v->af, nm[2] = v->call_rate, nm[3] = v->hwe_p, nm[4] = (double)v->n_obs;
    nm[5] = v->mac, nm[6] = v->pass, nm[7] = k->model;
}

void scan_blk_count_qc(const scan_blk_t *k, long *qc_count)
{
    for (size_t j = 0; j < k->b; j++) qc_count[(int)k->num[j * BLK_NUM + 6]]++;
}

static void expand_one(const size_t *map, size_t t, size_t b, size_t p, double *x)
{
    for (size_t s = t; s-- > 0;) /* backwards: map[s] >= s, and rows above s have moved */
        if (map[s] != s) memcpy(x + map[s] * p, x + s * p, p * sizeof *x);
    for (size_t j = 0, s = 0; j < b; j++) {
        if (s < t && map[s] == j) {
            s++;
            continue;
        }
        for (size_t c = 0; c < p; c++) x[j * p + c] = NAN;
    }
}

void scan_blk_expand(scan_blk_t *k, const size_t *map, size_t t)
{
    if (k->fitted) {
        double *x[5] = {k->beta, k->se, k->mlp, k->lr, k->test};
        for (int f = 0; f < 5; f++) expand_one(map, t, k->b, k->p, x[f]);
        return;
    }
    expand_one(map, t, k->b, k->p, k->xty);
    expand_one(map, t, k->b, k->ng, k->gtg);
}

/* The per-pair arrays a record holds: xty and gtg, or the fitted outcomes' five. */
static int rec_arrays(const scan_blk_t *k, double **x, size_t *w)
{
    if (!k->fitted) {
        x[0] = k->xty, w[0] = k->p, x[1] = k->gtg, w[1] = k->ng;
        return 2;
    }
    double *f[5] = {k->beta, k->se, k->mlp, k->lr, k->test};
    for (int a = 0; a < 5; a++) x[a] = f[a], w[a] = k->p;
    return 5;
}

void scan_blk_stats(scan_blk_t *k, const scan_params_t *par)
{
    scan_stats(par, k->xty, k->gtg, k->b, k->beta, k->se, k->mlp);
}

size_t scan_blk_bytes(const scan_blk_t *k, size_t b)
{
    size_t per = k->fitted ? 5 * k->p : k->p + k->ng;
    return sizeof(uint64_t) + b * k->sw + b * (BLK_NUM + per) * sizeof(double);
}

void scan_blk_pack(const scan_blk_t *k, char *d)
{
    uint64_t b64 = k->b;
    size_t b = k->b;
    memcpy(d, &b64, sizeof b64), d += sizeof b64;
    memcpy(d, k->sbuf, b * k->sw), d += b * k->sw;
    memcpy(d, k->num, b * BLK_NUM * sizeof(double)), d += b * BLK_NUM * sizeof(double);
    double *x[5];
    size_t w[5];
    for (int a = 0, na = rec_arrays(k, x, w); a < na; a++)
        memcpy(d, x[a], b * w[a] * sizeof(double)), d += b * w[a] * sizeof(double);
}

int scan_blk_unpack(scan_blk_t *k, const char *d, size_t len)
{
    uint64_t b64;
    if (len < sizeof b64) return 0;
    memcpy(&b64, d, sizeof b64);
    if (b64 > k->B || len != scan_blk_bytes(k, (size_t)b64)) return 0;
    size_t b = (size_t)b64;
    d += sizeof b64;
    memcpy(k->sbuf, d, b * k->sw), d += b * k->sw;
    memcpy(k->num, d, b * BLK_NUM * sizeof(double)), d += b * BLK_NUM * sizeof(double);
    double *x[5];
    size_t w[5];
    for (int a = 0, na = rec_arrays(k, x, w); a < na; a++)
        memcpy(x[a], d, b * w[a] * sizeof(double)), d += b * w[a] * sizeof(double);
    k->b = b;
    k->model = b ? (int)k->num[7] : 0;
    return 1;
}
