/* scan_rows.h — the variant rows of a scan and the blocks they fall into.
 *
 * The units of the genotype source (geno_units) are counted in parallel (each rank counts the
 * units k = rank, rank + size, ...; the counts are summed), which numbers every biallelic
 * record: unit k holds rows offset[k] .. offset[k] + count[k] - 1.  Blocks are fixed runs of
 * block_size rows of the whole list, the same whatever the number of ranks, so a block may
 * span units; a row reader reads rows in order across units. */
#ifndef RGX_SCAN_ROWS_H
#define RGX_SCAN_ROWS_H

#include <mpi.h>
#include <stddef.h>

#include "geno.h"

typedef struct {
    geno_unit_t *units;
    size_t nu;
    long *count, *offset; /* per unit */
    long n_rows;          /* biallelic records in all units */
    long w[3];            /* the widest ID, REF and ALT */
    long n_skip[GENO_SKIP_N];
} scan_rows_t;

/* Units of g (restricted to chroms and region), counted by every rank of comm together. */
rgx_err scan_rows_count(geno_t *g, long unit_bp, const char *chroms, const char *region,
                        MPI_Comm comm, scan_rows_t *r);
void scan_rows_free(scan_rows_t *r);

/* Reads rows in order across units. */
typedef struct {
    geno_t *g;
    const scan_rows_t *rows;
    size_t u;     /* the unit being read */
    long in_unit; /* records of unit u already read */
    int open;
} rowreader_t;

/* Positions the reader so that the next row read is row. */
rgx_err rr_seek(rowreader_t *r, long row);
/* The next row's dosages (and its record in r->g->v_*). */
rgx_err rr_next(rowreader_t *r, double *dose);

/* A block: b rows from row0. */
typedef struct {
    long row0;
    size_t b;
} gblock_t;

/* The blocks of n_rows rows, B at a time (the last one shorter).  Caller frees *blk. */
rgx_err scan_blocks(long n_rows, size_t B, gblock_t **blk, size_t *nb);
/* The contiguous share [first, end) of nb blocks that rank finishes, so that it reads one
 * stretch of the file. */
void scan_my_blocks(size_t nb, int rank, int size, size_t *first, size_t *end);

#endif
