/* scan_rows.h — the variant rows of a scan and the blocks they fall into.
 *
 * The units of the genotype source (geno_units) are counted in parallel (each rank counts the
 * units k = rank, rank + size, ...; the counts are summed), which numbers every biallelic
 * record: unit k holds rows offset[k] .. offset[k] + count[k] - 1.  Blocks are fixed runs of
 * block_size rows of the whole list, the same whatever the number of ranks, so a block may
 * span units but not a change of model (an autosome's rows and chrX's are in different
 * blocks); a row reader reads rows in order across units.
 *
 * chrX (docs/cmd-scan.md): its rows are scanned with sex added to the covariates (as plink2
 * --glm does), males' hemizygous calls counting 0 or 2; with a build for split_par, its
 * pseudo-autosomal regions are scanned as autosomes.  chrY and the mitochondrion are skipped
 * (their records counted) unless chroms names them. */
#ifndef RGX_SCAN_ROWS_H
#define RGX_SCAN_ROWS_H

#include <mpi.h>
#include <stddef.h>

#include "geno.h"
#include "scan_opts.h"

enum { ROWS_AUTO = 0, ROWS_X = 1, ROWS_SKIP = 2 }; /* what a unit's rows are */

typedef struct {
    geno_unit_t *units;
    size_t nu;
    int *kind;            /* per unit: ROWS_* */
    long *count, *offset; /* per unit (0 rows for a skipped unit) */
    long n_skip_contig;   /* records of skipped units (chrY, MT) */
    long n_rows;          /* biallelic records in all units */
    long w[4];            /* the widest CHROM (of the units' contigs), ID, REF and ALT */
    long n_skip[GENO_SKIP_N];
} scan_rows_t;

/* Units of g (restricted to o->chroms and o->region; chrX cut at its pseudo-autosomal
 * boundaries when o->split_par names a build), counted by every rank of comm together. */
rgx_err scan_rows_count(geno_t *g, const scan_opts_t *o, MPI_Comm comm, scan_rows_t *r);
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

/* A block: b rows from row0, of one kind (ROWS_AUTO or ROWS_X). */
typedef struct {
    long row0;
    size_t b;
    int kind;
} gblock_t;

/* The blocks: runs of B rows (shorter where the kind of rows changes, and at the end).
 * Caller frees *blk. */
rgx_err scan_blocks(const scan_rows_t *r, size_t B, gblock_t **blk, size_t *nb);
/* The index of the block that starts at row0, or -1. */
long scan_block_at(const gblock_t *blk, size_t nb, long row0);
/* The contiguous share [first, end) of nb blocks that rank finishes, so that it reads one
 * stretch of the file. */
void scan_my_blocks(size_t nb, int rank, int size, size_t *first, size_t *end);

#endif
