/* scan_join.h — [join]: the phenotype and covariate tables joined to the genotype files'
 * samples, then the phenotypes prepared (optional outlier removal, per-phenotype QC, the
 * rank-based inverse normal transform).
 *
 * A sample is in the analysis when it has a phenotype row, is in a genotype file (the first
 * file whose header has it is its site) and has every covariate.  Rows are grouped by site, in
 * the phenotype table's order within a site, so that each site's samples are contiguous. */
#ifndef RGX_SCAN_JOIN_H
#define RGX_SCAN_JOIN_H

#include <stddef.h>

#include "geno.h"
#include "pheno.h"
#include "scan_opts.h"

typedef struct {
    size_t n, p, q;
    char **sample;    /* analysis samples, borrowed from the phenotype table */
    double *Y;        /* n x p */
    double *C;        /* n x q, intercept first */
    char **cname;     /* q, borrowed */
    int *keep;        /* p: the phenotype is scanned */
    size_t n_pheno_dropped;
    size_t n_sites;
    size_t *site_row; /* n_sites + 1: the first row of each site's samples */
    double *sex;      /* n: each sample's sex (1 male, 2 female; NaN unknown), or NULL: none */
    long sex_in_c;    /* the column of C that is sex, or -1 */
} joined_t;

/* hdrs: the genotype files opened for their headers (one per site).  sex: the covariate
 * table's sex column by table row (NULL: none), sex_name its name.  Logs on rank 0.  When
 * every phenotype row is in the analysis, in order, ph->v becomes J->Y (ph->v is NULL after:
 * no copy of n x p values); the table's ids and names stay. */
rgx_err scan_join(const scan_opts_t *o, table_t *ph, table_t *cv, const double *sex,
                  const char *sex_name, geno_t *hdrs, size_t n_hdr, joined_t *J, int rank);
void scan_joined_free(joined_t *J);

#endif
