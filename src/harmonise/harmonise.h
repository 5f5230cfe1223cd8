/* harmonise.h — the [harmonise] stage: ComBat of a run's /features across sites, written to
 * /features_harmonised beside them (docs/cmd-harmonise.md; the arithmetic in combat.h, its
 * distribution in combat_fit.h and tiles.h).
 *
 * Who enters: extracted patients (status 0 or 2) whose batch label is known and whose design
 * covariates are complete; the others keep NaN rows in /features_harmonised (counted and
 * logged).  The batch is the manifest's site (/samples/site) or a column of the covariate
 * table (harmonise.batch).  The features are harmonised per image channel and ROI label
 * (harmonise.by), each group with its own empirical-Bayes priors.  With `apply`, the stored
 * parameters of an earlier harmonisation are applied to this run's patients instead (a
 * validation cohort mapped with the discovery cohort's estimates); every site must be one
 * of the stored ones. */
#ifndef RGX_HARMONISE_H
#define RGX_HARMONISE_H

#include "cfg.h"
#include "err.h"
#include "h5out.h"

typedef struct {
    const char *run;   /* run file with /samples and /features */
    const char *covar; /* covariate table (plink2 style) or NULL */
    const char *apply; /* run file whose /features_harmonised parameters are applied, or NULL */
} harmonise_inputs_t;

/* Collective: every rank reads its share of the rows of in->run and writes them to h. */
rgx_err harmonise_stage(const cfg_t *cfg, const harmonise_inputs_t *in, h5out_t *h);

#endif
