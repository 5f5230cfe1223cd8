/* tiles.c — see tiles.h. */
#include "tiles.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

size_t tiles_rows_for(size_t n)
{
    size_t r = (n + 255) / 256;
    return r < 64 ? 64 : r;
}

void tiles_free(tiles_t *T)
{
    free(T->site), free(T->first), free(T->rank_t);
    memset(T, 0, sizeof *T);
}

rgx_err tiles_init(tiles_t *T, const size_t *site_n, size_t n_sites, size_t tile_rows,
                   MPI_Comm comm)
{
    memset(T, 0, sizeof *T);
    T->comm = comm;
    MPI_Comm_rank(comm, &T->rank);
    MPI_Comm_size(comm, &T->size);
    T->n_sites = n_sites;
    size_t n = 0;
    for (size_t b = 0; b < n_sites; b++) n += (site_n[b] + tile_rows - 1) / tile_rows;
    rgx_err err;
    if ((err = rgx_calloc(&T->site, n ? n : 1, sizeof *T->site)) ||
        (err = rgx_calloc(&T->first, n + 1, sizeof *T->first)) ||
        (err = rgx_calloc(&T->rank_t, (size_t)T->size + 1, sizeof *T->rank_t))) {
        tiles_free(T);
        return err;
    }
    size_t t = 0, row = 0;
    for (size_t b = 0; b < n_sites; b++)
        for (size_t done = 0; done < site_n[b]; done += tile_rows) {
            size_t len = site_n[b] - done < tile_rows ? site_n[b] - done : tile_rows;
            T->site[t] = b, T->first[t] = row;
            row += len, t++;
        }
    T->first[n] = row;
    T->n = n;
    for (int r = 0; r <= T->size; r++) T->rank_t[r] = n * (size_t)r / (size_t)T->size;
    T->t0 = T->rank_t[T->rank], T->t1 = T->rank_t[T->rank + 1];
    T->row0 = T->first[T->t0];
    T->n_rows = T->first[T->t1] - T->row0;
    return RGX_OK;
}

rgx_err tiles_site_sums(const tiles_t *T, size_t L, tiles_fill_fn fill, void *ctx, double *out)
{
    double *buf = NULL;
    int *cnt = NULL, *displ = NULL;
    MPI_Datatype row_t = MPI_DATATYPE_NULL;
    memset(out, 0, T->n_sites * L * sizeof *out);
    if (L == 0) return RGX_OK;
    if (L > INT_MAX)
        return rgx_fail(RGX_ERR_MEMORY, "%zu sums per tile: more than one MPI message holds", L);
    rgx_err err;
    if ((err = rgx_calloc(&buf, (T->n ? T->n : 1) * L, sizeof *buf)) ||
        (err = rgx_calloc(&cnt, (size_t)T->size, sizeof *cnt)) ||
        (err = rgx_calloc(&displ, (size_t)T->size, sizeof *displ)))
        goto out;
    for (size_t t = T->t0; t < T->t1; t++)
        fill(ctx, T->site[t], T->first[t] - T->row0, T->first[t + 1] - T->first[t], buf + t * L);
    for (int r = 0; r < T->size; r++) {
        cnt[r] = (int)(T->rank_t[r + 1] - T->rank_t[r]);
        displ[r] = (int)T->rank_t[r];
    }
    /* One element per tile: every tile's sums travel as a unit, whatever L. */
    if (MPI_Type_contiguous((int)L, MPI_DOUBLE, &row_t) != MPI_SUCCESS ||
        MPI_Type_commit(&row_t) != MPI_SUCCESS ||
        MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buf, cnt, displ, row_t, T->comm) !=
            MPI_SUCCESS) {
        err = rgx_fail(RGX_ERR_MPI, "gathering the per-tile sums failed");
        goto out;
    }
    for (size_t t = 0; t < T->n; t++) { /* tile order: the same additions on every rank */
        double *o = out + T->site[t] * L;
        const double *x = buf + t * L;
        for (size_t k = 0; k < L; k++) o[k] += x[k];
    }
out:
    if (row_t != MPI_DATATYPE_NULL) MPI_Type_free(&row_t);
    free(buf), free(cnt), free(displ);
    return err;
}

void tiles_total(const tiles_t *T, size_t L, const double *site_sums, double *total)
{
    memset(total, 0, L * sizeof *total);
    for (size_t b = 0; b < T->n_sites; b++)
        for (size_t k = 0; k < L; k++) total[k] += site_sums[b * L + k];
}
