/* scan_out.h — the scan's outputs in the run file: /variants (every biallelic variant, the
 * filtered ones with their QC code), /assoc (the association store: g'y~ per pair and g~'g~
 * per variant and missingness group, from which assoc.h derives beta, se and -log10 p),
 * /phenotypes (with what the derivation needs), /hits; the lambda_GC histograms and the hits
 * collected block by block. */
#ifndef RGX_SCAN_OUT_H
#define RGX_SCAN_OUT_H

#include <stddef.h>

#include "h5out.h"
#include "pheno.h"
#include "scan.h"
#include "scan_blk.h"
#include "scan_fit.h"
#include "scan_join.h"
#include "scan_opts.h"
#include "scan_rows.h"

typedef struct {
    long row;
    int pheno;
    double beta, se, mlp;
} scan_hit_t;

typedef struct {
    h5out_t *h;
    const scan_opts_t *o;
    size_t p;
    long w[4];
    hid_t ds[4 + BLK_NUM]; /* /variants: chrom, id, ref, alt, then BLK_NUM numbers */
    hid_t str_t[4];
    size_t ng;        /* missingness groups */
    int fitted;       /* binary or time-to-event outcomes */
    hid_t assoc[5];   /* /assoc: xty (V x p), gtg (V x ng); fitted: beta, se, log10p,
                       * lr_log10p, test (V x p each) */
    unsigned *hist;   /* p x (HIST_BINS + 1): -log10 p binned for lambda_GC */
    scan_hit_t *hits; /* this rank's */
    size_t n_hits, cap_hits;
    char *col;        /* a string column of a block */
    double *numcol;   /* a number column of a block */
} scan_out_t;

/* Creates the datasets for n_rows variants and p phenotypes (collective). */
rgx_err scan_out_open(scan_out_t *out, h5out_t *h, const scan_opts_t *o, long n_rows, size_t p,
                      const scan_blk_t *shape);
/* The block's -log10 p into the histograms and its hits (this rank's blocks). */
rgx_err scan_out_tally(scan_out_t *out, const scan_blk_t *k);
/* Writes the block (collective: every rank calls it each round, with b = 0 if it has none). */
rgx_err scan_out_write(scan_out_t *out, const scan_blk_t *k);
/* The pooled outputs: lambda_GC, /phenotypes (with chrX's y~'y~ and df when M[1] is its
 * model), the attributes, /hits (collective).  F: the fitted outcomes (binary,
 * time-to-event), or NULL (M: the linear models). */
rgx_err scan_out_finish(scan_out_t *out, const scan_model_t *M, int n_models, const scan_fit_t *F,
                        const joined_t *J, const table_t *ph, const long qc_count[Q_N],
                        const scan_rows_t *rows);
void scan_out_close(scan_out_t *out);

#endif
