/* report_analysis.h — the report's "Analysis" section: what a reviewer needs before the
 * numbers, read from the run file alone (its /provenance, /phenotypes, /assoc, /variants and
 * /features_harmonised): the radiogx version and the run's start, where the phenotypes came
 * from (a table; the run's features as extracted; or harmonised across sites by ComBat, with
 * its batch, method and preserved covariates), the model of the outcome kind (least squares,
 * logistic, Cox) with its test and what beta is per, the transform, the covariates, the
 * samples per phenotype (cases and controls, events and censored), variant QC in words and
 * the features that were constant over the cohort.  Objects an older run file lacks are said
 * to be "not recorded". */
#ifndef RGX_REPORT_ANALYSIS_H
#define RGX_REPORT_ANALYSIS_H

#include <hdf5.h>
#include <stddef.h>
#include <stdio.h>

/* outcome: assoc_t.outcome (0 quantitative, 1 binary, 2 time-to-event); qc: /variants/qc (nv);
 * n: /phenotypes/n (nph). */
void report_analysis(FILE *o, hid_t f, int outcome, const double *qc, size_t nv, const double *n,
                     size_t nph);

/* The per-phenotype table of sample counts and lambda GC (with cases and controls, or events
 * and censored samples, for those outcomes). */
void report_lambda_table(FILE *o, hid_t f, int outcome, char *const *names, const double *n,
                         const double *lambda, size_t nph);

/* Text into HTML: &, < and > escaped. */
void report_html_text(FILE *o, const char *s);

#endif
