/* scan_sites.h — the sample-partitioned scan: one genotype file per site (the same variants
 * in each), each site read by one rank (site s by rank s % active), only sums crossing ranks.
 *
 * Work goes in rounds of `active` blocks.  Every rank reads its sites' samples of every block
 * of the round; the per-site QC sums and model sums cross ranks by an all-reduce of disjoint
 * slices (each element has one contributor, so the sums are exact copies) and are added in
 * site order by the block's finisher (block j of the round: rank j): the same bits for any
 * number of ranks. */
#ifndef RGX_SCAN_SITES_H
#define RGX_SCAN_SITES_H

#include <mpi.h>
#include <stddef.h>

#include "scan.h"
#include "scan_blk.h"
#include "scan_join.h"
#include "rsum.h"
#include "scan_fit.h"
#include "scan_opts.h"
#include "scan_rows.h"

typedef struct {
    const scan_opts_t *o;
    const scan_model_t *M; /* the models, by index (M[mi[kind]]) */
    const int *mi;
    const joined_t *J;
    rowreader_t *rr;  /* n_sites readers; open only for this rank's sites */
    size_t n_sites;
    int active, rank; /* ranks that own sites */
    MPI_Comm comm;
    const gblock_t *blk;
    size_t n_blk;
    size_t *map;      /* the rows of a block's tested variants */
    double *qc;       /* n_sites x vars of a round x 6: sum, observed, 3 genotype counts, id */
    double *G, *G2, *S, *D; /* this rank's sites' dosages; scratch; summed sums; means */
    char *pass;       /* the round's variants: QC passed */
    double *part;     /* n_sites x round blocks x scan_sums_len(block): each site's sums */
    double *gemm;     /* the stage's GEMM time and flops */
    /* Binary and time-to-event outcomes (F set; scan_sites_fit.h) */
    scan_fit_t *F;
    size_t nmine;     /* this rank's sites' samples */
    rsum_t rs;
    logit_ws_t lws;
    cox_ws_t cws;
    double *graw, *mt, *res; /* one variant's dosages here; tested means; b x p x 5 results */
    const double **gp;       /* per site of this rank: its part of graw */
    uint8_t *test, *want;
} scan_sites_t;

/* The state for this rank: readers over gs (the site files, opened by the caller for the
 * sites this rank owns), rows, blocks and scratch.  F: binary or time-to-event outcomes
 * (instead of the models M), or NULL. */
rgx_err scan_sites_init(scan_sites_t *c, const scan_opts_t *o, const scan_model_t *M,
                        const int mi[2], const joined_t *J, geno_t *gs, const scan_rows_t *rows,
                        const gblock_t *blk, size_t n_blk, int active, MPI_Comm comm,
                        double gemm[2], scan_fit_t *F);
void scan_sites_free(scan_sites_t *c);

/* One round (collective): k gets this rank's block of the round (k->b = 0: none). */
rgx_err scan_sites_round(scan_sites_t *c, long round, scan_blk_t *k);

#endif
