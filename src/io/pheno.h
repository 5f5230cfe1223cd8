/* pheno.h — phenotype and covariate tables (plink2 style) and the phenotype matrix of a run.
 *
 * A table is tab- or space-separated with a header line starting with "#IID" or "#FID IID"
 * (or "FID IID" / "IID"); one row per sample; NA, na, NaN, nan and "." are missing (unlike
 * plink2, -9 is a value, not a missing code: imaging phenotypes can be -9).  A column name
 * given twice, an IID on two rows, and a number that is not finite ("inf", "1e999") are errors
 * naming the line; a UTF-8 byte-order mark, CRLF line ends, blank lines, '#' comment lines
 * after the header and whitespace at the ends of lines are read past (docs/reliability.md).
 * A covariate column with any non-numeric cell is categorical and becomes indicator columns
 * (one per level but the first, in sorted order, named "<column>=<level>"). */
#ifndef RGX_PHENO_H
#define RGX_PHENO_H

#include <mpi.h>
#include <stddef.h>

#include "err.h"

typedef struct {
    size_t n;    /* samples (rows) */
    char **id;   /* IID per row */
    size_t p;    /* value columns */
    char **name; /* per column */
    double *v;   /* n x p, row-major, NAN when missing */
    void *index; /* IID -> row, built by table_index() */
    size_t n_inf; /* from a run file: infinite values made missing (a text table refuses them) */
} table_t;

/* what: "phenotype" or "covariate" (for messages); categorical: expand text columns
 * (covariates), else a text cell is an error with its file, line and column. */
rgx_err table_read(const char *path, const char *what, int categorical, table_t *t);
/* The same table, read collectively by every rank of comm, each parsing a share of the rows:
 * the parse of a large phenotype table takes 1/size of the time (MPI_COMM_NULL: alone). */
rgx_err table_read_comm(const char *path, const char *what, int categorical, MPI_Comm comm,
                        table_t *t);
void table_free(table_t *t);
/* Keeps only the named columns (a comma list), in that order; an unknown name is an error. */
rgx_err table_select(table_t *t, const char *names, const char *path);
/* One column of a table as text (a batch label such as a scanner): ids[k] and cells[k] for
 * each of *n rows (NULL where missing); the caller frees both arrays and their strings.  An
 * unknown column is an error naming the file and the columns it has. */
rgx_err table_read_text(const char *path, const char *column, size_t *n, char ***ids,
                        char ***cells);
/* Hashes the IIDs, so that table_row is a hash lookup (a linear search without it). */
rgx_err table_index(table_t *t);
/* The row of a sample id, or -1. */
long table_row(const table_t *t, const char *id);

/* /features of a run file as a phenotype table: rows are the patients with status 0 (ok),
 * keyed by sample_id; columns are the feature names.  Reads the group chosen by
 * pheno_run_features() (/features unless told otherwise). */
rgx_err table_from_run(const char *run, table_t *t);
/* The same from a named group with values and names ("/features", "/features_harmonised"). */
rgx_err table_from_run_group(const char *run, const char *group, table_t *t);
/* Which group table_from_run reads from now on: "/features" or "/features_harmonised" (the
 * config's scan.features, set by the command before the scan stage, which reads its
 * phenotypes through table_from_run).  The string must outlive the calls. */
void pheno_run_features(const char *group);

/* Rank-based inverse normal transform of column j over its non-missing values: ties get
 * their average rank; z = Phi^-1((rank - 0.5) / n). */
void pheno_int(double *v, size_t n, size_t p, size_t j);

#endif
