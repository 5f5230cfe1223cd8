/* scan_blk.h — a finished block of variants: what the scan computes, checkpoints, restores
 * and writes, in one shape whichever path produced it.
 *
 * Per variant: its strings (CHROM, ID, REF, ALT, fixed width, NUL-padded), eight numbers
 * (position, allele frequency, call rate, HWE p, observed calls, minor allele count, QC code,
 * model: 0 the covariates, 1 chrX's, with sex added)
 * and g~'g~ per missingness group; per (variant, phenotype): g'y~.  These are what the run file
 * and the checkpoints keep; beta, se and -log10 p follow from them (scan_stats) and are held
 * for the hits and lambda_GC only.  NaN for variants not tested. */
#ifndef RGX_SCAN_BLK_H
#define RGX_SCAN_BLK_H

#include <stddef.h>

#include "err.h"
#include "geno.h"
#include "scan.h"
#include "scan_vqc.h"

enum { BLK_NUM = 8 };

typedef struct {
    long row0;
    size_t b;       /* variants in the block (0: this rank has none this round) */
    int model;      /* the model of its variants (scan_rows: a block has one kind of rows) */
    size_t B, p, ng; /* capacity (variants), phenotypes, missingness groups */
    long w[4];      /* string widths: CHROM, ID, REF, ALT (without the NUL) */
    size_t sw;      /* bytes of one variant's strings */
    char *sbuf;     /* B x sw */
    double *num;    /* B x BLK_NUM */
    double *xty;    /* B x p */
    double *gtg;    /* B x ng */
    double *beta, *se, *mlp; /* B x p, derived */
    /* Binary and time-to-event outcomes (fitted: no xty and gtg): the likelihood-ratio
     * -log10 p and the test of each pair (B x p), kept with beta, se and mlp. */
    int fitted;
    double *lr, *test;
} scan_blk_t;

/* A block of capacity B for p phenotypes in ng groups; w: the widest CHROM, ID, REF and ALT;
 * fitted: binary or time-to-event outcomes (ng = 0). */
rgx_err scan_blk_init(scan_blk_t *k, size_t B, size_t p, size_t ng, const long w[4], int fitted);
void scan_blk_free(scan_blk_t *k);

/* Variant j's strings and position from the source's current record. */
void scan_blk_site(scan_blk_t *k, size_t j, const geno_t *g);
/* Variant j's QC numbers (and the block's model). */
void scan_blk_qc(scan_blk_t *k, size_t j, const vqc_t *v);
/* Counts the block's QC codes into qc_count[Q_N]. */
void scan_blk_count_qc(const scan_blk_t *k, long *qc_count);

/* Only tested variants enter the GEMM: their xty and gtg, computed in rows 0 .. t - 1, move to
 * the variants' own rows (map[s]: the row of tested variant s), and the other rows get NaN. */
void scan_blk_expand(scan_blk_t *k, const size_t *map, size_t t);
/* beta, se and -log10 p of the block's variants from its xty and gtg. */
void scan_blk_stats(scan_blk_t *k, const scan_params_t *par);

/* Bytes of a block's record (its b, strings, numbers, xty and gtg) and the record itself. */
size_t scan_blk_bytes(const scan_blk_t *k, size_t b);
void scan_blk_pack(const scan_blk_t *k, char *rec);
/* The inverse; 0 when the record does not fit this block's shape. */
int scan_blk_unpack(scan_blk_t *k, const char *rec, size_t len);

#endif
