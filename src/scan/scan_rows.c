/* scan_rows.c — see scan_rows.h. */
#include "scan_rows.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static rgx_err count_units(geno_t *g, scan_rows_t *r, int rank, int size)
{
    rgx_err err = RGX_OK;
    for (size_t k = (size_t)rank; k < r->nu && !err; k += (size_t)size) {
        if ((err = geno_begin(g, &r->units[k]))) break;
        long c = 0;
        int got;
        while ((got = geno_next_site(g, r->w, &err)) > 0) c++;
        if (got < 0) break;
        r->count[k] = c;
    }
    return err;
}

rgx_err scan_rows_count(geno_t *g, long unit_bp, const char *chroms, const char *region,
                        MPI_Comm comm, scan_rows_t *r)
{
    memset(r, 0, sizeof *r);
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    rgx_err err = geno_units(g, unit_bp, chroms, region, &r->units, &r->nu);
    if (!err) err = rgx_calloc(&r->count, r->nu + 1, sizeof *r->count);
    if (!err) err = rgx_calloc(&r->offset, r->nu + 1, sizeof *r->offset);
    if (err) return err;
    r->w[0] = r->w[1] = r->w[2] = 1;
    err = count_units(g, r, rank, size);
    int bad = err != RGX_OK, anybad;
    MPI_Allreduce(&bad, &anybad, 1, MPI_INT, MPI_MAX, comm);
    if (anybad)
        return err ? err : rgx_fail(RGX_ERR_INPUT, "another rank could not read %s", g->path);
    MPI_Allreduce(MPI_IN_PLACE, r->count, (int)r->nu, MPI_LONG, MPI_SUM, comm);
    MPI_Allreduce(MPI_IN_PLACE, r->w, 3, MPI_LONG, MPI_MAX, comm);
    MPI_Allreduce(g->n_skip, r->n_skip, GENO_SKIP_N, MPI_LONG, MPI_SUM, comm);
    for (size_t k = 0; k < r->nu; k++) r->offset[k] = r->n_rows, r->n_rows += r->count[k];
    return RGX_OK;
}

void scan_rows_free(scan_rows_t *r)
{
    free(r->units), free(r->count), free(r->offset);
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

rgx_err scan_blocks(long n_rows, size_t B, gblock_t **blk, size_t *nb)
{
    size_t V = (size_t)n_rows;
    *nb = (V + B - 1) / B;
    rgx_err err = rgx_calloc(blk, *nb ? *nb : 1, sizeof **blk);
    for (size_t j = 0; !err && j < *nb; j++)
        (*blk)[j] = (gblock_t){(long)(j * B), V - j * B < B ? V - j * B : B};
    return err;
}

void scan_my_blocks(size_t nb, int rank, int size, size_t *first, size_t *end)
{
    *first = nb * (size_t)rank / (size_t)size;
    *end = nb * (size_t)(rank + 1) / (size_t)size;
}
