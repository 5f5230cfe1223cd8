/* scan_sites_fit.h — binary and time-to-event outcomes in the sample-partitioned scan (one
 * genotype file per site; scan_sites.h): what crosses ranks is sums over samples only.
 *
 *   per block   each site's score sums (outcome_bin.h, outcome_tte.h: b x p (q + 2) doubles)
 *               and, for time to event, Q's inputs (2 b doubles per event time and outcome:
 *               cox_quad_sums) travel with the linear scan's reduction; every rank adds them
 *               in site order and computes the score tests of every block of the round
 *   per fit     the pairs that pass the screen are fitted by every rank together, in a fixed
 *               order: each Newton/IRLS iteration reduces its gradient, information and
 *               log-likelihood across the sites (logit_full_sites, cox_full_sites; rsum.h), so
 *               no dosage leaves its site
 * The block's finisher keeps its block's numbers (and counts its full fits). */
#ifndef RGX_SCAN_SITES_FIT_H
#define RGX_SCAN_SITES_FIT_H

#include "scan_sites.h"

rgx_err sites_fit_init(scan_sites_t *c);
void sites_fit_free(scan_sites_t *c);

/* Doubles of a block's sums (b tested variants) from one site. */
size_t sites_fit_len(const scan_sites_t *c, size_t b);
/* Site st's sums of t tested variants (Gb: t x its samples, centred) into P. */
void sites_fit_sums(scan_sites_t *c, const double *Gb, size_t t, size_t st, double *P);

/* After the reduction of the round's sums (c->part, L doubles per site and block): the score
 * tests and full fits of every block of the round (collective), this rank's block into k. */
void sites_fit_round(scan_sites_t *c, size_t first, size_t n_round, size_t vars, size_t L,
                     size_t my_blk, scan_blk_t *k);

#endif
