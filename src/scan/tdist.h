/* tdist.h — -log10 of the two-sided p-value of Student's t, exact and tabulated.
 *
 * The scan needs one p-value per (variant, phenotype): 20 million of them for 20,000 variants
 * and 1,000 phenotypes.  The exact tail (a continued fraction of the incomplete beta function)
 * costs about half a microsecond, which made it the largest item of the scan's profile.  All
 * phenotypes of a missingness group share their degrees of freedom, so the scan tabulates
 * -log10 p as a function of |t| once per df: piecewise Chebyshev interpolants on [0, 12) (where
 * nearly every statistic falls) reproduce the exact tail to 1e-13 relative for df up to a few
 * thousand (1e-12 at df 20,000, the exact tail's own accuracy there), and any |t|
 * beyond that range takes the exact path, which stays finite far below p = 1e-308. */
#ifndef RGX_TDIST_H
#define RGX_TDIST_H

#include <stddef.h>

#define TDIST_SEGS 24   /* segments of width TDIST_WIDTH covering [0, 12) */
#define TDIST_WIDTH 0.5
#define TDIST_DEG 16    /* Chebyshev coefficients per segment */

typedef struct {
    double df;  /* degrees of freedom; the table is unusable (NaN results) when df < 1 */
    double lnb; /* ln B(df / 2, 1 / 2) */
    double c[TDIST_SEGS][TDIST_DEG];
} tdist_table_t;

/* Exact -log10 p for t with df degrees of freedom, finite for any finite or infinite t;
 * NaN for NaN t. */
double tdist_mlog10p(double t, double df);

/* Fills the table for df (TDIST_SEGS * TDIST_DEG exact evaluations). */
void tdist_table_init(tdist_table_t *tab, double df);

/* -log10 p from the table; the exact path outside its range (tests/unit/test_scan.c measures
 * the agreement with tdist_mlog10p). */
double tdist_table_mlog10p(const tdist_table_t *tab, double t);

/* In place: x[k] (a t statistic) becomes -log10 p from tabs[k]'s table, k < n.  The same
 * values as tdist_table_mlog10p, sixteen evaluations at a time in vectors (each is a chain of
 * dependent multiply-adds, so one at a time leaves the core idle). */
void tdist_table_mlog10p_n(const tdist_table_t *const *tabs, double *x, size_t n);

#endif
