/* rsum.h — sums over samples when the samples are split by site across ranks (one genotype
 * file per site): each rank computes its sites' partial sums separately, the partials cross
 * ranks by an all-reduce of disjoint slices (one contributor per element, so every rank gets
 * exact copies) and are added in site order.  The result has the same bits for any number of
 * ranks; it differs from one sum over all samples only in the order of the additions.
 *
 * Use: rsum_begin(r, len) zeroes the partials; for each of this rank's sites (segment s, in
 * ascending site order) write its sums into rsum_part(r, s, len); rsum_end(r, len, out)
 * reduces them into out (len doubles; every rank, those without sites too, must call it). */
#ifndef RGX_RSUM_H
#define RGX_RSUM_H

#include <mpi.h>
#include <stddef.h>

#include "err.h"

typedef struct {
    size_t n_sites;    /* all sites */
    size_t nseg;       /* this rank's sites */
    size_t *site;      /* nseg: their indices, ascending */
    size_t *lo;        /* nseg + 1: segment s is local rows lo[s] .. lo[s + 1] - 1 (set by the
                        * caller before each use) */
    MPI_Comm comm;
    double *part;      /* n_sites x cap */
    size_t cap;        /* the largest len */
    long calls;        /* reductions done, and the doubles they moved (n_sites x len each) */
    double doubles;
} rsum_t;

/* Sites s with s % active == rank are this rank's; cap: the largest len to be reduced. */
rgx_err rsum_init(rsum_t *r, size_t n_sites, int active, int rank, MPI_Comm comm, size_t cap);
void rsum_free(rsum_t *r);

void rsum_begin(rsum_t *r, size_t len);
static inline double *rsum_part(rsum_t *r, size_t s, size_t len)
{
    return r->part + r->site[s] * len;
}
void rsum_end(rsum_t *r, size_t len, double *out);

#endif
