/* assoc.h — reading the association store of a run file.
 *
 * The scan keeps per (variant, phenotype) one number, g'y~ (/assoc/xty), and per variant and
 * missingness group g~'g~ (/assoc/gtg); with each phenotype's y~'y~, residual degrees of
 * freedom and group (/phenotypes/yty, df, group), beta, se and -log10 p follow exactly, by the
 * same code the scan uses (scan_stats): exports and reports read the bits the scan computed.
 * 8 bytes per pair instead of 24 for beta, se and -log10 p (docs/formats.md).  Variants of
 * chrX scanned with sex as an extra covariate (/variants/model 1) use /phenotypes/chrx_yty and
 * chrx_df instead.  Binary and time-to-event outcomes (/assoc attribute outcome) keep beta,
 * se, -log10 p, the likelihood-ratio -log10 p and the test per pair, read as they are. */
#ifndef RGX_ASSOC_H
#define RGX_ASSOC_H

#include <hdf5.h>
#include <stddef.h>

#include "err.h"
#include "scan.h"
#include "tdist.h"

typedef struct {
    double *yty, *df;
    tdist_table_t *tabs; /* one per distinct df */
    const tdist_table_t **ktail;
    scan_params_t par;
} assoc_model_t;

typedef struct {
    hid_t f;
    int outcome; /* 0 quantitative (xty, gtg); 1 binary, 2 time-to-event (beta, se, log10p) */
    size_t n_rows, p, ng;
    int *group;
    assoc_model_t m[2]; /* the covariates; chrX's (sex added), when the scan had it */
    int n_models;
    double *model;      /* n_rows: each variant's model */
    double *xty, *gtg; /* rows read */
    size_t cap;        /* rows of room in xty and gtg */
    double *sel;       /* the chosen columns of the rows read (assoc_rows_cols) */
    size_t sel_len;    /* doubles of room in sel */
} assoc_t;

/* Opens the store of an open run file (path for messages); RGX_ERR_INPUT when it has none. */
rgx_err assoc_open(assoc_t *a, hid_t f, const char *path);
/* beta, se and -log10 p (nr x p each; any may be NULL) of rows [r0, r0 + nr). */
rgx_err assoc_rows(assoc_t *a, size_t r0, size_t nr, double *beta, double *se, double *mlp);
/* The same for the kn phenotypes cols[0..kn) only (nr x kn each, column k for cols[k]): the
 * same bits as assoc_rows's columns, the statistics computed for those columns alone (an
 * export shares the phenotypes out, and /assoc's chunks hold whole rows, so every part reads
 * every row). */
rgx_err assoc_rows_cols(assoc_t *a, size_t r0, size_t nr, const size_t *cols, size_t kn,
                        double *beta, double *se, double *mlp);
void assoc_close(assoc_t *a);

#endif
