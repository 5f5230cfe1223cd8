/* scan_rows.c — see scan_rows.h. */
#include "scan_rows.h"

#include <stdlib.h>
#include <string.h>

#include "comm.h"
#include "util.h"

static rgx_err count_units(geno_t *g, scan_rows_t *r, int rank, int size)
{
    rgx_err err = RGX_OK;
    for (size_t k = (size_t)rank; k < r->nu && !err; k += (size_t)size) {
        if ((err = geno_begin(g, &r->units[k]))) break;
        long c = 0;
        int got;
        while ((got = geno_next_site(g, r->w + 1, &err)) > 0) c++;
        if (got < 0) break;
        r->count[k] = c;
    }
    return err;
}

static int named(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && !strncmp(p, name, n)) return 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

/* Appends the part [beg, end] of unit u (if not empty) with its kind. */
static rgx_err add_unit(scan_rows_t *r, size_t *cap, const geno_unit_t *u, long beg, long end,
                        int kind)
{
    if (beg > end) return RGX_OK;
    rgx_err err = rgx_reserve(&r->units, cap, r->nu + 1, sizeof *r->units);
    size_t kcap = *cap;
    if (!err) err = rgx_realloc(&r->kind, kcap, sizeof *r->kind);
    if (err) return err;
    r->units[r->nu] = (geno_unit_t){u->rid, beg, end};
    r->kind[r->nu++] = kind;
    return RGX_OK;
}

/* The kind of every unit; chrX's units cut at the pseudo-autosomal boundaries. */
static rgx_err classify(scan_rows_t *r, const geno_t *g, geno_unit_t *raw, size_t n_raw,
                        const scan_opts_t *o)
{
    long par[2][2];
    int split = geno_par_ranges(o->split_par, par);
    size_t cap = 0;
    rgx_err err = RGX_OK;
    for (size_t k = 0; k < n_raw && !err; k++) {
        const geno_unit_t *u = &raw[k];
        const char *name = geno_chrom(g, u->rid);
        geno_contig_class_t c = geno_contig_class(name);
        if (c == GENO_Y || c == GENO_MT) {
            err = add_unit(r, &cap, u, u->beg, u->end,
                           named(o->chroms, name) ? ROWS_AUTO : ROWS_SKIP);
        } else if (c != GENO_X || !split) {
            err = add_unit(r, &cap, u, u->beg, u->end, c == GENO_X ? ROWS_X : ROWS_AUTO);
        } else { /* PAR1, the rest, PAR2 */
            long b = u->beg, e = u->end;
            long p1 = par[0][1] < e ? par[0][1] : e, p2 = par[1][0] > b ? par[1][0] : b;
            if (!(err = add_unit(r, &cap, u, b, p1, ROWS_AUTO)))
                err =
                    add_unit(r, &cap, u, b > p1 + 1 ? b : p1 + 1, e < p2 - 1 ? e : p2 - 1, ROWS_X);
            if (!err) err = add_unit(r, &cap, u, p2, e, ROWS_AUTO);
        }
    }
    return err;
}

rgx_err scan_rows_count(geno_t *g, const scan_opts_t *o, MPI_Comm comm, scan_rows_t *r)
{
    memset(r, 0, sizeof *r);
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    geno_unit_t *raw = NULL;
    size_t n_raw = 0;
    rgx_err err = geno_units(g, o->unit_bp, o->chroms, o->region, &raw, &n_raw);
    if (!err) err = classify(r, g, raw, n_raw, o);
    free(raw);
    if (!err) err = rgx_calloc(&r->count, r->nu + 1, sizeof *r->count);
    if (!err) err = rgx_calloc(&r->offset, r->nu + 1, sizeof *r->offset);
    if (err) return err;
    r->w[0] = r->w[1] = r->w[2] = r->w[3] = 1;
    for (size_t k = 0; k < r->nu; k++) { /* /variants/chrom as wide as the longest name */
        long l = (long)strlen(geno_chrom(g, r->units[k].rid));
        if (l > r->w[0]) r->w[0] = l;
    }
    err = count_units(g, r, rank, size);
    if ((err = comm_agree(comm, err, "reading the genotypes"))) return err;
    MPI_Allreduce(MPI_IN_PLACE, r->count, (int)r->nu, MPI_LONG, MPI_SUM, comm);
    MPI_Allreduce(MPI_IN_PLACE, r->w, 4, MPI_LONG, MPI_MAX, comm);
    MPI_Allreduce(g->n_skip, r->n_skip, GENO_SKIP_N, MPI_LONG, MPI_SUM, comm);
    for (size_t k = 0; k < r->nu; k++) {
        if (r->kind[k] == ROWS_SKIP) r->n_skip_contig += r->count[k], r->count[k] = 0;
        r->offset[k] = r->n_rows, r->n_rows += r->count[k];
    }
    /* A selection that selects nothing is no silent "0 variants tested". */
    int selected = (o->chroms && *o->chroms) || (o->region && *o->region);
    if (selected && !r->n_rows)
        return rgx_fail(RGX_ERR_USAGE, "%s%s%s%s%s: no biallelic record of %s there",
                        o->chroms && *o->chroms ? "--chr " : "", o->chroms ? o->chroms : "",
                        o->chroms && *o->chroms && o->region && *o->region ? ", " : "",
                        o->region && *o->region ? "--region " : "", o->region ? o->region : "",
                        g->path);
    return RGX_OK;
}

void scan_rows_free(scan_rows_t *r)
{
    free(r->units), free(r->kind), free(r->count), free(r->offset);
    memset(r, 0, sizeof *r);
}

static rgx_err rr_fail_short(const rowreader_t *r)
{
    return rgx_fail(RGX_ERR_INPUT,
                    "%s: unit %zu ended before its %ld variants (the file changed while reading, "
                    "or, with one file per site, it does not hold the first site's variants)",
                    r->g->path, r->u, r->rows->count[r->u]);
}

rgx_err rr_seek(rowreader_t *r, long row)
{
    const scan_rows_t *R = r->rows;
    if (r->open && R->offset[r->u] + r->in_unit == row) return RGX_OK;
    size_t u = 0;
    while (u + 1 < R->nu && R->offset[u] + R->count[u] <= row) u++;
    rgx_err err = geno_begin(r->g, &R->units[u]);
    if (err) return err;
    r->u = u, r->in_unit = 0, r->open = 1;
    for (long k = R->offset[u]; k < row; k++, r->in_unit++) { /* skipped without decoding */
        int got = geno_next(r->g, NULL, &err);
        if (err) return err;
        if (!got) return rr_fail_short(r);
    }
    return RGX_OK;
}

rgx_err rr_next(rowreader_t *r, double *dose)
{
    const scan_rows_t *R = r->rows;
    rgx_err err = RGX_OK;
    while (r->in_unit >= R->count[r->u]) {
        if (r->u + 1 >= R->nu) return rgx_fail(RGX_ERR_INTERNAL, "read past the last variant");
        r->u++, r->in_unit = 0;
        if ((err = geno_begin(r->g, &R->units[r->u]))) return err;
    }
    int got = geno_next(r->g, dose, &err);
    if (err) return err;
    if (!got) return rr_fail_short(r);
    r->in_unit++;
    return RGX_OK;
}

rgx_err scan_blocks(const scan_rows_t *r, size_t B, gblock_t **blk, size_t *nb)
{
    size_t cap = 0;
    *nb = 0, *blk = NULL;
    rgx_err err = RGX_OK;
    for (size_t u = 0; u < r->nu && !err; u++) {
        long left = r->count[u], row = r->offset[u];
        while (left > 0 && !err) {
            gblock_t *last = *nb ? &(*blk)[*nb - 1] : NULL;
            if (!last || last->b == B || last->kind != r->kind[u]) { /* a new block */
                if ((err = rgx_reserve(blk, &cap, *nb + 1, sizeof **blk))) break;
                (*blk)[(*nb)++] = (gblock_t){row, 0, r->kind[u]};
                continue;
            }
            size_t take = B - last->b < (size_t)left ? B - last->b : (size_t)left;
            last->b += take, row += (long)take, left -= (long)take;
        }
    }
    if (!err && !*blk) err = rgx_calloc(blk, 1, sizeof **blk);
    return err;
}

long scan_block_at(const gblock_t *blk, size_t nb, long row0)
{
    size_t lo = 0, hi = nb;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (blk[mid].row0 < row0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < nb && blk[lo].row0 == row0 ? (long)lo : -1;
}

void scan_my_blocks(size_t nb, int rank, int size, size_t *first, size_t *end)
{
    *first = nb * (size_t)rank / (size_t)size;
    *end = nb * (size_t)(rank + 1) / (size_t)size;
}
