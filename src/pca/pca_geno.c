/* pca_geno.c — see pca_geno.h. */
#include "pca_geno.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "pca_regions.h"
#include "scan_vqc.h"
#include "strmap.h"
#include "util.h"

enum { CHUNK = 512, GRID = 16384, MISSING16 = 0xFFFF };
static const long UNIT_BP = 1L << 30; /* one unit per contig: records in file order */

/* One genotype file read by this rank: its samples are analysis rows row0 .. row0 + n - 1. */
typedef struct {
    geno_t g;
    int open;
    size_t site, row0, n;
    geno_unit_t *units;
    size_t nu, u;
    int begun;
    int packed;     /* the format gives hard calls packed (geno_next_calls): no doubles */
    size_t nb;      /* and then (n + 3) / 4 bytes a record */
    double *dose;   /* CHUNK x n, on plink2's grid */
    uint8_t *calls; /* or CHUNK x nb */
} handle_t;

typedef struct {
    char *chrom, *id, *ref, *alt;
    long pos;
} site_t;

rgx_err pca_ref_key(const char *chrom, long pos, const char *ref, const char *alt, char **out)
{
    if (!strncasecmp(chrom, "chr", 3)) chrom += 3;
    strbuf_t sb = {0};
    rgx_err err = sb_printf(&sb, "%s:%ld:%s:%s", chrom, pos, ref, alt);
    *out = sb.s;
    return err;
}

/* The contigs used: the list given, or the file's autosomes. */
static rgx_err contig_list(const geno_t *g, const char *chroms, char **out)
{
    if (chroms) return rgx_strdup(out, chroms);
    strbuf_t sb = {0};
    rgx_err err = sb_append(&sb, "");
    for (int c = 0; c < g->n_contigs && !err; c++)
        if (geno_contig_class(g->contig[c]) == GENO_AUTOSOME)
            err = sb_printf(&sb, "%s%s", sb.len ? "," : "", g->contig[c]);
    *out = sb.s;
    return err;
}

/* The next record of the file (across its units) into slot c of the chunk: 1, 0 at the end,
 * -1 with *err. */
static int next_record(handle_t *h, size_t c, rgx_err *err)
{
    for (;;) {
        if (h->u >= h->nu) return 0;
        if (!h->begun) {
            if ((*err = geno_begin(&h->g, &h->units[h->u]))) return -1;
            h->begun = 1;
        }
        int r = h->packed ? geno_next_calls(&h->g, h->n ? h->calls + c * h->nb : NULL, err)
                          : geno_next(&h->g, h->n ? h->dose + c * h->n : NULL, err);
        if (r != 0) return r;
        h->u++, h->begun = 0;
    }
}

static void site_free(site_t *s)
{
    free(s->chrom), free(s->id), free(s->ref), free(s->alt);
    memset(s, 0, sizeof *s);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) h = (h ^ c[i]) * 1099511628211u;
    return h;
}

/* This rank's files: one per site whose tiles it owns (for the rows of its tiles there), or,
 * owning no tile, site 0's for the records alone. */
static rgx_err open_handles(const pca_tiles_t *T, char *const *paths, char *const *ids,
                            const pca_opts_t *o, handle_t **hs, size_t *nh)
{
    rgx_err err = rgx_calloc(hs, T->n_sites ? T->n_sites : 1, sizeof **hs);
    *nh = 0;
    for (size_t s = 0; s < T->n_sites && !err; s++) {
        size_t lo = SIZE_MAX, hi = 0;
        for (size_t k = 0; k < T->n_mine; k++) {
            const pca_tile_t *t = &T->tile[T->mine[k]];
            if (t->site != s) continue;
            lo = t->row0 < lo ? t->row0 : lo;
            hi = t->row0 + t->n > hi ? t->row0 + t->n : hi;
        }
        if (lo == SIZE_MAX) continue;
        handle_t *h = &(*hs)[(*nh)++];
        h->site = s, h->row0 = lo, h->n = hi - lo;
        err = geno_open(&h->g, paths[s], NULL, ids + lo, (int)h->n, o->dosage);
        h->open = !err;
    }
    if (!err && !*nh) {
        handle_t *h = &(*hs)[(*nh)++];
        err = geno_open(&h->g, paths[0], NULL, NULL, 0, o->dosage);
        h->open = !err;
    }
    for (size_t k = 0; k < *nh && !err; k++) {
        handle_t *h = &(*hs)[k];
        char *list = NULL;
        if (!(err = contig_list(&h->g, o->chroms, &list)))
            err = geno_units(&h->g, UNIT_BP, list, NULL, &h->units, &h->nu);
        free(list);
        /* Hard calls packed straight from the file; the tiles then start on whole bytes
         * of a record (their rows are PCA_TILE apart: keep_chunk). */
        h->packed = !err && geno_has_calls(&h->g), h->nb = (h->n + 3) / 4;
        if (!err && h->n && h->packed)
            err = rgx_calloc(&h->calls, (size_t)CHUNK * h->nb, 1);
        else if (!err && h->n)
            err = rgx_calloc(&h->dose, (size_t)CHUNK * h->n, sizeof *h->dose);
    }
    return err;
}

/* Up to CHUNK records from every file of this rank, which must agree record by record. */
static rgx_err read_chunk(handle_t *hs, size_t nh, site_t *sites, size_t *c, long *n_rec)
{
    rgx_err err = RGX_OK;
    *c = 0;
    while (*c < CHUNK) {
        int got = 0;
        for (size_t k = 0; k < nh; k++) {
            handle_t *h = &hs[k];
            int r = next_record(h, *c, &err);
            if (r < 0) return err;
            if (k && r != got)
                return rgx_fail(RGX_ERR_INPUT,
                                "%s and %s do not hold the same variants (one "
                                "ends before the other)",
                                hs[0].g.path, h->g.path);
            got = r;
            if (!r) continue;
            const geno_t *g = &h->g;
            if (!k) {
                site_t *s = &sites[*c];
                s->pos = g->v_pos;
                if ((err = rgx_strdup(&s->chrom, geno_chrom(g, g->v_rid))) ||
                    (err = rgx_strdup(&s->id, g->v_id)) || (err = rgx_strdup(&s->ref, g->v_ref)) ||
                    (err = rgx_strdup(&s->alt, g->v_alt)))
                    return err;
            } else {
                const site_t *s = &sites[*c];
                if (s->pos != g->v_pos || strcmp(s->chrom, geno_chrom(g, g->v_rid)) ||
                    strcmp(s->ref, g->v_ref) || strcmp(s->alt, g->v_alt))
                    return rgx_fail(RGX_ERR_INPUT,
                                    "%s has %s:%ld:%s:%s where %s has %s:%ld:%s:%s: "
                                    "one file per site must hold the same variants "
                                    "in the same order",
                                    h->g.path, geno_chrom(g, g->v_rid), g->v_pos, g->v_ref,
                                    g->v_alt, hs[0].g.path, s->chrom, s->pos, s->ref, s->alt);
            }
        }
        if (!got) break;
        ++*c, ++*n_rec;
    }
    /* Dosages on plink2's grid of 1/16384: lround, without the library call (6% of a PCA's
     * CPU at 10,000 x 100,000) where x - trunc(x) is exact. */
    for (size_t k = 0; k < nh; k++)
        for (size_t i = 0; !hs[k].packed && i < *c * hs[k].n; i++) {
            double *d = &hs[k].dose[i];
            if (isnan(*d)) continue;
            double x = *d * GRID;
            long q = x >= 0 && x < 1e15 ? (long)x + (x - (double)(long)x >= 0.5) : lround(x);
            *d = (double)(q < 0 ? 0 : q > 2 * GRID ? 2 * GRID : q) / GRID;
        }
    return RGX_OK;
}

/* Every rank has read the same records (count and keys). */
static rgx_err agree(const pca_tiles_t *T, const site_t *sites, size_t c, const char *path)
{
    uint64_t h = fnv(1469598103934665603u, &c, sizeof c), mn[2], mx[2];
    for (size_t r = 0; r < c; r++) {
        h = fnv(h, sites[r].chrom, strlen(sites[r].chrom) + 1);
        h = fnv(h, &sites[r].pos, sizeof sites[r].pos);
        h = fnv(h, sites[r].ref, strlen(sites[r].ref) + 1);
        h = fnv(h, sites[r].alt, strlen(sites[r].alt) + 1);
    }
    uint64_t v[2] = {h, (uint64_t)c};
    MPI_Allreduce(v, mn, 2, MPI_UINT64_T, MPI_MIN, T->comm);
    MPI_Allreduce(v, mx, 2, MPI_UINT64_T, MPI_MAX, T->comm);
    if (mn[0] != mx[0] || mn[1] != mx[1])
        return rgx_fail(RGX_ERR_INPUT,
                        "the genotype files do not hold the same variants in the "
                        "same order (near %s:%ld of %s): one file per site must",
                        c ? sites[0].chrom : "the end", c ? sites[0].pos : 0L, path);
    return RGX_OK;
}

static rgx_err grow(pca_geno_t *G, const pca_tiles_t *T)
{
    if (G->m < G->cap) return RGX_OK;
    size_t cap = G->cap ? 2 * G->cap : 4096;
    rgx_err err;
    if ((err = rgx_realloc(&G->chrom, cap, sizeof *G->chrom)) ||
        (err = rgx_realloc(&G->pos, cap, sizeof *G->pos)) ||
        (err = rgx_realloc(&G->id, cap, sizeof *G->id)) ||
        (err = rgx_realloc(&G->ref, cap, sizeof *G->ref)) ||
        (err = rgx_realloc(&G->alt, cap, sizeof *G->alt)) ||
        (err = rgx_realloc(&G->af, cap, sizeof *G->af)) ||
        (err = rgx_realloc(&G->call, cap, sizeof *G->call)) ||
        (err = rgx_realloc(&G->mu, cap, sizeof *G->mu)) ||
        (err = rgx_realloc(&G->inv_sd, cap, sizeof *G->inv_sd)) ||
        (err = rgx_realloc(&G->ref_index, cap, sizeof *G->ref_index)))
        return err;
    for (size_t k = 0; k < T->n_mine; k++) {
        pca_tile_store_t *st = &G->store[k];
        if ((err = rgx_realloc(&st->off, cap, sizeof *st->off)) ||
            (err = rgx_realloc(&st->wide, cap, sizeof *st->wide)))
            return err;
    }
    G->cap = cap;
    return RGX_OK;
}

/* The chromosome's index in G->chrom_name (added when new). */
static rgx_err chrom_index(pca_geno_t *G, const char *name, int *ci)
{
    for (size_t k = G->n_chrom; k-- > 0;)
        if (!strcmp(G->chrom_name[k], name)) return *ci = (int)k, RGX_OK;
    rgx_err err = rgx_realloc(&G->chrom_name, G->n_chrom + 1, sizeof *G->chrom_name);
    if (!err) err = rgx_strdup(&G->chrom_name[G->n_chrom], name);
    if (!err) *ci = (int)G->n_chrom++;
    return err;
}

/* A tile's dosages of one variant as a record: 2 bits a sample when all are hard calls. */
static rgx_err encode(pca_tile_store_t *st, size_t j, const double *d)
{
    size_t n = st->n;
    int wide = 0;
    for (size_t i = 0; i < n && !wide; i++) wide = !isnan(d[i]) && d[i] != floor(d[i]);
    size_t bytes = wide ? 2 * n : (n + 3) / 4;
    rgx_err err = rgx_reserve(&st->data, &st->cap, st->len + bytes, 1);
    if (err) return err;
    uint8_t *p = st->data + st->len;
    st->off[j] = st->len, st->wide[j] = (uint8_t)wide;
    if (wide) {
        for (size_t i = 0; i < n; i++) {
            uint16_t q = isnan(d[i]) ? MISSING16 : (uint16_t)lround(d[i] * GRID);
            p[2 * i] = (uint8_t)(q & 0xFF), p[2 * i + 1] = (uint8_t)(q >> 8);
        }
    } else {
        memset(p, 0, bytes);
        for (size_t i = 0; i < n; i++) {
            unsigned code = isnan(d[i]) ? 3u : (unsigned)d[i];
            p[i / 4] |= (uint8_t)(code << (2 * (i % 4)));
        }
    }
    st->len += bytes;
    return RGX_OK;
}

/* A byte's four packed calls counted: calls 0, 1, 2 and missing in 16 bits each. */
static uint64_t byte_count[256];

static void init_count(void)
{
    static int done;
    if (done) return;
    for (unsigned b = 0; b < 256; b++)
        for (unsigned k = 0; k < 4; k++) byte_count[b] += (uint64_t)1 << (16 * (b >> 2 * k & 3));
    done = 1;
}

/* vqc_sums of n packed calls (a tile: n <= PCA_TILE, so no count passes 16 bits): the same
 * sums as of their dosages, whole numbers all.  Unused bits of the last byte are 0, counted
 * as calls 0 and taken off. */
static void packed_sums(const uint8_t *p, size_t n, double q[5])
{
    uint64_t t = 0;
    for (size_t k = 0; k < (n + 3) / 4; k++) t += byte_count[p[k]];
    double c[3] = {(double)(t & 0xFFFF) - (double)((4 - n % 4) % 4), (double)(t >> 16 & 0xFFFF),
                   (double)(t >> 32 & 0xFFFF)};
    q[0] += c[1] + 2 * c[2], q[1] += c[0] + c[1] + c[2];
    for (int h = 0; h < 3; h++) q[2 + h] += c[h];
}

/* A tile's packed calls of one variant as its record (the file's 2-bit codes as they are). */
static rgx_err store_packed(pca_tile_store_t *st, size_t j, const uint8_t *calls)
{
    size_t bytes = (st->n + 3) / 4;
    rgx_err err = rgx_reserve(&st->data, &st->cap, st->len + bytes, 1);
    if (err) return err;
    uint8_t *p = st->data + st->len;
    st->off[j] = st->len, st->wide[j] = 0;
    memcpy(p, calls, bytes);
    if (st->n % 4) p[bytes - 1] &= (uint8_t)((1u << (2 * (st->n % 4))) - 1);
    st->len += bytes;
    return RGX_OK;
}

/* The chunk's QC (sums over the tiles) and the kept variants stored. */
static rgx_err keep_chunk(pca_geno_t *G, const pca_tiles_t *T, const handle_t *hs, size_t nh,
                          site_t *sites, size_t c, const pca_opts_t *o, const pca_ref_t *ref,
                          double *part, double *tot)
{
    memset(part, 0, (T->n_mine ? T->n_mine : 1) * 5 * c * sizeof *part);
    for (size_t k = 0; k < T->n_mine; k++) {
        const pca_tile_t *t = &T->tile[T->mine[k]];
        const handle_t *h = hs;
        while (h < hs + nh && h->site != t->site) h++;
        size_t at = t->row0 - h->row0; /* a multiple of PCA_TILE: whole bytes */
        for (size_t r = 0; r < c; r++)
            if (h->packed)
                packed_sums(h->calls + r * h->nb + at / 4, t->n, part + (k * c + r) * 5);
            else
                vqc_sums(h->dose + r * h->n + at, t->n, part + (k * c + r) * 5);
    }
    rgx_err err = pca_tiles_sum(T, part, 5 * c, tot);
    for (size_t r = 0; r < c && !err; r++) {
        site_t *s = &sites[r];
        vqc_t v;
        double mean;
        const double *q = tot + 5 * r;
        vqc_decide(&o->qc, q[0], (long)q[1], q + 2, T->n, &v, &mean);
        double p = mean / 2;
        long in_ref = -1;
        if (ref) { /* projection: the reference's variants, its frequencies */
            char *key = NULL;
            if ((err = pca_ref_key(s->chrom, s->pos, s->ref, s->alt, &key))) break;
            in_ref = strmap_get(ref->map, key);
            free(key);
            if (in_ref < 0) {
                G->n_not_in_ref++;
                continue;
            }
            p = ref->af[in_ref];
        } else {
            if (pca_ld_regions_count(o->ld_regions) > 0 &&
                pca_in_ld_region(o->ld_regions, s->chrom, s->pos)) {
                G->n_region++;
                continue;
            }
            G->n_qc[v.pass]++;
            if (v.pass != Q_PASS) continue;
        }
        if ((err = grow(G, T))) break;
        size_t j = G->m;
        if (ref) G->ref_index[j] = (size_t)in_ref;
        if ((err = chrom_index(G, s->chrom, &G->chrom[j]))) break;
        G->pos[j] = s->pos;
        G->id[j] = s->id, G->ref[j] = s->ref, G->alt[j] = s->alt; /* moved */
        s->id = s->ref = s->alt = NULL;
        G->af[j] = p, G->call[j] = v.call_rate;
        G->mu[j] = 2 * p, G->inv_sd[j] = 1 / sqrt(2 * p * (1 - p));
        for (size_t k = 0; k < T->n_mine && !err; k++) {
            const pca_tile_t *t = &T->tile[T->mine[k]];
            const handle_t *h = hs;
            while (h < hs + nh && h->site != t->site) h++;
            size_t at = t->row0 - h->row0;
            err = h->packed ? store_packed(&G->store[k], j, h->calls + r * h->nb + at / 4)
                            : encode(&G->store[k], j, h->dose + r * h->n + at);
        }
        G->m++;
    }
    return err;
}

rgx_err pca_geno_read(pca_geno_t *G, const pca_tiles_t *T, char *const *paths, char *const *ids,
                      const pca_opts_t *o, const pca_ref_t *ref)
{
    memset(G, 0, sizeof *G);
    init_count();
    handle_t *hs = NULL;
    size_t nh = 0, c = 0;
    site_t *sites = NULL;
    double *part = NULL, *tot = NULL;
    rgx_err err = rgx_calloc(&G->store, T->n_mine ? T->n_mine : 1, sizeof *G->store);
    G->n_store = T->n_mine;
    for (size_t k = 0; k < T->n_mine; k++) G->store[k].n = T->tile[T->mine[k]].n;
    int bad = 0;
    if (!err) err = open_handles(T, paths, ids, o, &hs, &nh);
    if (!err && !(err = rgx_calloc(&sites, CHUNK, sizeof *sites)) &&
        !(err = rgx_calloc(&part, (T->n_mine ? T->n_mine : 1) * 5 * CHUNK, sizeof *part)))
        err = rgx_calloc(&tot, 5 * CHUNK, sizeof *tot);
    for (;;) {
        if (!err) err = read_chunk(hs, nh, sites, &c, &G->n_records);
        bad = err != RGX_OK;
        MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, T->comm);
        if (bad) {
            if (!err) err = rgx_fail(RGX_ERR_INPUT, "another rank failed reading its genotypes");
            break;
        }
        if ((err = agree(T, sites, c, paths[0]))) break;
        if (!c) break;
        err = keep_chunk(G, T, hs, nh, sites, c, o, ref, part, tot);
        for (size_t r = 0; r < c; r++) site_free(&sites[r]);
    }
    for (size_t k = 0; k < nh; k++) {
        for (int s = 0; s < GENO_SKIP_N; s++) G->n_skip[s] += hs[k].g.n_skip[s];
        G->n_calls[0] += hs[k].g.n_bad_calls, G->n_calls[1] += hs[k].g.n_half_calls;
        G->n_calls[2] += hs[k].g.n_haploid_calls;
    }
    /* Each rank decoded its own samples' calls (geno.h: the calls made missing or counted). */
    MPI_Allreduce(MPI_IN_PLACE, G->n_calls, 3, MPI_LONG, MPI_SUM, T->comm);
    for (size_t r = 0; sites && r < CHUNK; r++) site_free(&sites[r]);
    for (size_t k = 0; hs && k < nh; k++) {
        if (hs[k].open) geno_close(&hs[k].g);
        free(hs[k].units), free(hs[k].dose), free(hs[k].calls);
    }
    free(hs), free(sites), free(part), free(tot);
    return err;
}

void pca_geno_free(pca_geno_t *G)
{
    for (size_t j = 0; j < G->m; j++) free(G->id[j]), free(G->ref[j]), free(G->alt[j]);
    for (size_t k = 0; k < G->n_chrom; k++) free(G->chrom_name[k]);
    free(G->chrom), free(G->pos), free(G->id), free(G->ref), free(G->alt), free(G->af);
    free(G->call), free(G->mu), free(G->inv_sd), free(G->chrom_name), free(G->ref_index);
    for (size_t k = 0; G->store && k < G->n_store; k++)
        free(G->store[k].data), free(G->store[k].off), free(G->store[k].wide);
    free(G->store);
    memset(G, 0, sizeof *G);
}

void pca_geno_decode(const pca_geno_t *G, size_t mt, size_t j, double *x)
{
    const pca_tile_store_t *st = &G->store[mt];
    const uint8_t *p = st->data + st->off[j];
    double mu = G->mu[j], s = G->inv_sd[j];
    size_t n = st->n;
    if (!st->wide[j]) {
        const double tab[4] = {(0 - mu) * s, (1 - mu) * s, (2 - mu) * s, 0};
        size_t whole = n / 4;
        for (size_t b = 0; b < whole; b++) { /* four samples a byte */
            unsigned c = p[b];
            x[4 * b] = tab[c & 3], x[4 * b + 1] = tab[c >> 2 & 3];
            x[4 * b + 2] = tab[c >> 4 & 3], x[4 * b + 3] = tab[c >> 6];
        }
        for (size_t i = 4 * whole; i < n; i++) x[i] = tab[(p[i / 4] >> (2 * (i % 4))) & 3];
        return;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned q = (unsigned)p[2 * i] | (unsigned)p[2 * i + 1] << 8;
        x[i] = q == MISSING16 ? 0 : ((double)q / GRID - mu) * s;
    }
}

void pca_geno_calls(const pca_geno_t *G, size_t mt, size_t j, uint8_t *c)
{
    const pca_tile_store_t *st = &G->store[mt];
    const uint8_t *p = st->data + st->off[j];
    size_t n = st->n;
    if (!st->wide[j]) {
        for (size_t i = 0; i < n; i++) c[i] = (p[i / 4] >> (2 * (i % 4))) & 3;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned q = (unsigned)p[2 * i] | (unsigned)p[2 * i + 1] << 8;
        double d = (double)q / GRID, k = floor(d + 0.5);
        c[i] = q == MISSING16 || fabs(d - k) > 0.1 ? 3 : (uint8_t)k;
    }
}
