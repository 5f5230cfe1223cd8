/* report_sites.h — the site section of the report (docs/cmd-run.md): patients per site
 * (in the run, extracted, harmonised), the harmonisation's settings, per-site box plots of the
 * features most affected by site before and after harmonisation (sites_<feature>.png), and the
 * first two principal components of the features coloured by site, before and after
 * (sites_pca.png), with their shares of the variance and the shares of their variance between
 * the sites (eta^2 of a one-way ANOVA of the scores) in a table.
 *
 * The features shown: the three with the largest between-site F statistic of the raw values
 * (location) and the one with the largest ratio of its sites' largest to smallest SD (scale),
 * among the features harmonised (code 0).  Cohorts of more than 3,000 extracted patients are
 * shown by every k-th of them (said on the page).  The principal components are those of the
 * features standardised over the patients shown (missing values at the mean; features without
 * variance or with half their values missing left out), by subspace iteration from a fixed
 * start until no loading moves by more than 1e-10; before and after are computed separately. */
#ifndef RGX_REPORT_SITES_H
#define RGX_REPORT_SITES_H

#include <hdf5.h>
#include <stdio.h>

#include "err.h"

/* Writes the section's HTML to o and its PNGs into dir; nothing when the run has fewer than two
 * sites among its extracted patients, or no /samples/site or /features (a scan of an external
 * phenotype table). */
rgx_err report_sites(FILE *o, hid_t run, const char *dir);

#endif
