/* pca_tiles.h — the analysis samples in fixed tiles, and sums over samples in a fixed order.
 *
 * Samples are grouped by site (genotype file) and cut into tiles of PCA_TILE samples, each
 * site's samples into its own tiles, so the tiles depend on the samples alone, never on the
 * number of ranks.  Each tile has one owner: with one genotype file, rank r owns the
 * contiguous tiles [r nt / P, (r + 1) nt / P); with one file per site, the tiles of site s
 * belong to rank s mod P (a site's genotypes are read on one rank only).  Every product of
 * the PCA and of KING that sums over samples is computed per tile, and the tiles' partial sums
 * are added in tile order, ((p0 + p1) + p2) + ..., passed from owner to owner: the same bits
 * for any number of ranks, and only sums leave a rank. */
#ifndef RGX_PCA_TILES_H
#define RGX_PCA_TILES_H

#include <mpi.h>
#include <stddef.h>

#include "err.h"

enum { PCA_TILE = 256 };

typedef struct {
    size_t site, row0, n; /* its samples: analysis rows row0 .. row0 + n - 1 */
    int owner;
} pca_tile_t;

typedef struct {
    size_t n, n_sites, nt;
    const size_t *site_row; /* n_sites + 1 (borrowed) */
    pca_tile_t *tile;
    size_t *mine, n_mine; /* this rank's tiles, ascending */
    size_t n_rows;        /* this rank's samples */
    size_t *row_of_tile;  /* nt: the first of the tile's rows among this rank's (its own) */
    int rank, size;
    MPI_Comm comm;
} pca_tiles_t;

/* The tiles of n samples in n_sites sites (site s: rows site_row[s] .. site_row[s + 1] - 1). */
rgx_err pca_tiles_init(pca_tiles_t *T, const size_t *site_row, size_t n_sites, MPI_Comm comm);
void pca_tiles_free(pca_tiles_t *T);

/* out[0..len) = the sum over all tiles, in tile order, of their partials: part holds this
 * rank's tiles' partials one after another (n_mine x len).  Every rank gets the same bits.
 * Collective. */
rgx_err pca_tiles_sum(const pca_tiles_t *T, const double *part, size_t len, double *out);

/* The owner of each site's file under this layout: the rank that reads it (-1: none). */
int pca_tiles_site_owner(const pca_tiles_t *T, size_t site);

#endif
