/* rsum.c — see rsum.h. */
#include "rsum.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

rgx_err rsum_init(rsum_t *r, size_t n_sites, int active, int rank, MPI_Comm comm, size_t cap)
{
    memset(r, 0, sizeof *r);
    r->n_sites = n_sites, r->comm = comm, r->cap = cap;
    rgx_err err;
    if ((err = rgx_calloc(&r->site, n_sites ? n_sites : 1, sizeof *r->site)) ||
        (err = rgx_calloc(&r->lo, n_sites + 1, sizeof *r->lo)) ||
        (err = rgx_calloc(&r->part, (n_sites ? n_sites : 1) * (cap ? cap : 1), sizeof *r->part)))
        return err;
    for (size_t st = 0; st < n_sites; st++)
        if ((int)(st % (size_t)active) == rank) r->site[r->nseg++] = st;
    return RGX_OK;
}

void rsum_free(rsum_t *r)
{
    free(r->site), free(r->lo), free(r->part);
    memset(r, 0, sizeof *r);
}

void rsum_begin(rsum_t *r, size_t len)
{
    memset(r->part, 0, r->n_sites * len * sizeof *r->part);
}

void rsum_end(rsum_t *r, size_t len, double *out)
{
    MPI_Allreduce(MPI_IN_PLACE, r->part, (int)(r->n_sites * len), MPI_DOUBLE, MPI_SUM, r->comm);
    r->calls++, r->doubles += (double)(r->n_sites * len);
    for (size_t x = 0; x < len; x++) {
        double s = 0;
        for (size_t st = 0; st < r->n_sites; st++) s += r->part[st * len + x];
        out[x] = s;
    }
}
