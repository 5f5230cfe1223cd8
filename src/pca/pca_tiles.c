/* pca_tiles.c — see pca_tiles.h. */
#include "pca_tiles.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { TAG_FOLD = 7301 };

rgx_err pca_tiles_init(pca_tiles_t *T, const size_t *site_row, size_t n_sites, MPI_Comm comm)
{
    memset(T, 0, sizeof *T);
    T->site_row = site_row, T->n_sites = n_sites, T->comm = comm;
    T->n = site_row[n_sites];
    MPI_Comm_rank(comm, &T->rank);
    MPI_Comm_size(comm, &T->size);
    size_t nt = 0;
    for (size_t s = 0; s < n_sites; s++)
        nt += (site_row[s + 1] - site_row[s] + PCA_TILE - 1) / PCA_TILE;
    rgx_err err;
    if ((err = rgx_calloc(&T->tile, nt ? nt : 1, sizeof *T->tile)) ||
        (err = rgx_calloc(&T->mine, nt ? nt : 1, sizeof *T->mine)) ||
        (err = rgx_calloc(&T->row_of_tile, nt ? nt : 1, sizeof *T->row_of_tile)))
        return err;
    for (size_t s = 0; s < n_sites; s++)
        for (size_t r = site_row[s]; r < site_row[s + 1]; r += PCA_TILE) {
            size_t m = site_row[s + 1] - r < PCA_TILE ? site_row[s + 1] - r : PCA_TILE;
            T->tile[T->nt++] = (pca_tile_t){s, r, m, 0};
        }
    size_t P = (size_t)T->size;
    for (size_t k = 0; k < T->nt; k++) {
        if (n_sites > 1) {
            T->tile[k].owner = (int)(T->tile[k].site % P);
        } else { /* the largest r with r nt / P <= k */
            size_t r = 0;
            while (r + 1 < P && (r + 1) * T->nt / P <= k) r++;
            T->tile[k].owner = (int)r;
        }
        if (T->tile[k].owner == T->rank) {
            T->row_of_tile[k] = T->n_rows;
            T->mine[T->n_mine++] = k;
            T->n_rows += T->tile[k].n;
        }
    }
    return RGX_OK;
}

void pca_tiles_free(pca_tiles_t *T)
{
    free(T->tile), free(T->mine), free(T->row_of_tile);
    memset(T, 0, sizeof *T);
}

int pca_tiles_site_owner(const pca_tiles_t *T, size_t site)
{
    for (size_t k = 0; k < T->nt; k++)
        if (T->tile[k].site == site) return T->tile[k].owner;
    return -1;
}

/* Point-to-point messages of any length, in pieces an int can count. */
static void send_doubles(const double *x, size_t len, int to, MPI_Comm comm)
{
    for (size_t o = 0; o < len; o += INT_MAX / 2) {
        size_t c = len - o < INT_MAX / 2 ? len - o : INT_MAX / 2;
        MPI_Send(x + o, (int)c, MPI_DOUBLE, to, TAG_FOLD, comm);
    }
}

static void recv_doubles(double *x, size_t len, int from, MPI_Comm comm)
{
    for (size_t o = 0; o < len; o += INT_MAX / 2) {
        size_t c = len - o < INT_MAX / 2 ? len - o : INT_MAX / 2;
        MPI_Recv(x + o, (int)c, MPI_DOUBLE, from, TAG_FOLD, comm, MPI_STATUS_IGNORE);
    }
}

rgx_err pca_tiles_sum(const pca_tiles_t *T, const double *part, size_t len, double *out)
{
    if (!T->nt) {
        memset(out, 0, len * sizeof *out);
        return RGX_OK;
    }
    /* Runs of consecutive tiles with one owner: the fold goes run by run, the running sum
     * passed from each run's owner to the next's.  The last run's owner broadcasts it. */
    size_t k = 0, mi = 0;
    int prev = -1;
    while (k < T->nt) {
        int o = T->tile[k].owner;
        size_t e = k;
        while (e < T->nt && T->tile[e].owner == o) e++;
        if (o == T->rank) {
            if (prev < 0)
                memcpy(out, part + mi * len, len * sizeof *out);
            else
                recv_doubles(out, len, prev, T->comm);
            for (size_t t = prev < 0 ? k + 1 : k; t < e; t++) {
                const double *p = part + (mi + (t - k)) * len;
                for (size_t i = 0; i < len; i++) out[i] += p[i];
            }
            mi += e - k;
            if (e < T->nt) send_doubles(out, len, T->tile[e].owner, T->comm);
        }
        prev = o, k = e;
    }
    int last = T->tile[T->nt - 1].owner;
    for (size_t o = 0; o < len; o += INT_MAX / 2) {
        size_t c = len - o < INT_MAX / 2 ? len - o : INT_MAX / 2;
        MPI_Bcast(out + o, (int)c, MPI_DOUBLE, last, T->comm);
    }
    return RGX_OK;
}
