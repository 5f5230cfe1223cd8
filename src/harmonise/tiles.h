/* tiles.h — fixed tiles of patients and per-site sums that do not depend on the rank count
 * (DESIGN.md, "Reproducibility").
 *
 * The patients of the analysis are listed site by site (site 0's first, in a fixed order
 * within each site) and cut into tiles of at most tile_rows consecutive patients of one site.
 * The tiles depend only on the sites' sizes and tile_rows, never on the number of ranks; each
 * rank holds the rows of a contiguous range of tiles.  A sum is computed per tile by the rank
 * that holds it (row by row, in list order), the tiles' sums are gathered by every rank, and
 * added per site in tile order: every rank gets the same bits for any number of ranks.  Only
 * these sums cross ranks, never a patient's row. */
#ifndef RGX_TILES_H
#define RGX_TILES_H

#include <mpi.h>
#include <stddef.h>

#include "err.h"

typedef struct {
    size_t n_sites;
    size_t n;       /* tiles */
    size_t *site;   /* n: the site of each tile */
    size_t *first;  /* n + 1: tile t holds list rows first[t] .. first[t + 1] - 1 */
    size_t *rank_t; /* size + 1: rank r holds tiles rank_t[r] .. rank_t[r + 1] - 1 */
    size_t t0, t1;  /* this rank's tiles */
    size_t row0, n_rows; /* this rank's rows: list rows row0 .. row0 + n_rows - 1 */
    MPI_Comm comm;
    int rank, size;
} tiles_t;

/* site_n: patients per site (n_sites).  Collective only in the sense that every rank must
 * pass the same numbers; no communication. */
rgx_err tiles_init(tiles_t *T, const size_t *site_n, size_t n_sites, size_t tile_rows,
                   MPI_Comm comm);
void tiles_free(tiles_t *T);

/* The tile size for n patients: at least 64 rows, and at most about 256 tiles (so that the
 * gathered sums stay small whatever the cohort). */
size_t tiles_rows_for(size_t n);

/* A tile's sums: rows [row, row + n_rows) of this rank (local indices, 0 = its first row),
 * all of site `site`, added into out (L values, zeroed by the caller). */
typedef void (*tiles_fill_fn)(void *ctx, size_t site, size_t row, size_t n_rows, double *out);

/* Per-site sums out (n_sites x L): collective over T->comm. */
rgx_err tiles_site_sums(const tiles_t *T, size_t L, tiles_fill_fn fill, void *ctx, double *out);

/* The sum over sites (in site order) of per-site sums: total (L). */
void tiles_total(const tiles_t *T, size_t L, const double *site_sums, double *total);

#endif
