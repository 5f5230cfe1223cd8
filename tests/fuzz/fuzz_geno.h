/* fuzz_geno.h — what the genotype harnesses (vcf, bed, bgen) share: reading a source whole
 * through the genotype interface, with geno.h's promise on every dosage checked. */
#ifndef RGX_FUZZ_GENO_H
#define RGX_FUZZ_GENO_H

#include <stdlib.h>

#include "geno.h"

/* Every unit of g (at most 4,096), every record decoded into dose (g->n values) when dose is
 * given; a dosage outside [0, 2] aborts (NaN passes: missing). */
static inline void fuzz_geno_read_all(geno_t *g, double *dose)
{
    geno_unit_t *u = NULL;
    size_t nu = 0;
    if (geno_units(g, 1000000, NULL, NULL, &u, &nu)) return;
    rgx_err err;
    for (size_t k = 0; k < nu && k < 4096; k++) {
        if (geno_begin(g, &u[k])) break;
        int r;
        while ((r = geno_next(g, dose, &err)) > 0)
            for (int i = 0; dose && i < g->n; i++)
                if (dose[i] < 0 || dose[i] > 2) abort();
        if (r < 0) break;
    }
    free(u);
}

#endif
