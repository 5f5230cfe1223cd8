/* plot_sites.h — the site plots of the report, drawn with cairo into PNG files: per-site box
 * plots of a feature before and after harmonisation, side by side on one scale, and a scatter
 * of two principal components coloured by site (before and after as two panels). */
#ifndef RGX_PLOT_SITES_H
#define RGX_PLOT_SITES_H

#include <stddef.h>

#include "err.h"

/* One panel's data: n values (NaN: not drawn) of sites site[i] in 0..n_sites-1. */
typedef struct {
    const char *title;
    const double *x, *y; /* box plots: y only; scatter: both */
    const int *site;
    size_t n;
} plot_panel_t;

/* Two panels of per-site box plots (median, quartiles, whiskers to 1.5 IQR, points beyond),
 * the same y range in both, the site names below. */
rgx_err plot_site_boxes(const char *png, const char *title, const plot_panel_t panel[2],
                        char *const *site_name, size_t n_sites);

/* Two scatter panels (x, y), points coloured by site, with a legend. */
rgx_err plot_site_scatter(const char *png, const char *title, const plot_panel_t panel[2],
                          char *const *site_name, size_t n_sites, const char *xlabel,
                          const char *ylabel);

#endif
