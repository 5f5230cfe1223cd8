/* scan_fit.h — the scan's binary and time-to-event outcomes in the driver: the outcomes taken
 * from the joined phenotypes (binary columns recoded and checked, TIME:EVENT pairs looked up),
 * their models (outcome_bin.h, outcome_tte.h), a block's results, and what /phenotypes keeps
 * about them.  One kind per scan (scan.outcome). */
#ifndef RGX_SCAN_FIT_H
#define RGX_SCAN_FIT_H

#include <stddef.h>
#include <stdint.h>

#include "h5out.h"
#include "outcome_bin.h"
#include "outcome_tte.h"
#include "pheno.h"
#include "scan_join.h"
#include "scan_opts.h"

typedef struct {
    int kind;            /* SCAN_BINARY or SCAN_SURVIVAL */
    size_t p;            /* outcomes */
    const char **names;  /* p: the phenotype (binary) or time column (survival) names */
    double *n_obs, *n_a, *n_b; /* p: observed; cases and controls, or events and censored */
    bin_model_t bin;
    tte_model_t tte;
    double *sums, *scratch;
    uint8_t *test, *want; /* b x p */
} scan_fit_t;

/* From the joined phenotypes J (of table ph); B: the largest block.  Fails naming the sample,
 * column and value of a bad binary, time or event value. */
rgx_err scan_fit_init(scan_fit_t *f, const scan_opts_t *o, const joined_t *J, const table_t *ph,
                      size_t B, int rank);
void scan_fit_free(scan_fit_t *f);

/* t tested variants (G: t x n centred dosages, mean: their means) into beta, se, mlp, lr and
 * test (t x p each; test as the LOGIT_* code). */
void scan_fit_block(scan_fit_t *f, const double *G, const double *mean, size_t t, double *beta,
                    double *se, double *mlp, double *lr, double *test);

/* /phenotypes/n and the counts (n_case and n_control, or n_events and n_censored). */
rgx_err scan_fit_write(const scan_fit_t *f, h5out_t *h);

#endif
