/* plot.h — the two plots of a GWAS report, drawn with cairo into PNG files: a Manhattan plot
 * (−log10 p along the genome, chromosomes in alternating colours, the significance line) and
 * a QQ plot (observed against expected −log10 p under the null, with the diagonal).
 *
 * Drawn in C with cairo rather than by a plotting script so that the report needs nothing at
 * run time beyond the library radiogx already links; cairo's text API is enough for axes. */
#ifndef RGX_PLOT_H
#define RGX_PLOT_H

#include <cairo.h>
#include <stddef.h>

#include "err.h"

/* n variants in genome order: chrom[v] (a run of equal names per chromosome), pos[v] in bp,
 * m[v] = −log10 p (NaN: not drawn).  threshold: the horizontal line (≤ 0: none). */
rgx_err plot_manhattan(const char *png, const char *title, char *const *chrom, const double *pos,
                       const double *m, size_t n, double threshold);

/* n points (expected, observed), both −log10 p, in any order; lambda printed when finite. */
rgx_err plot_qq(const char *png, const char *title, const double *expected, const double *observed,
                size_t n, double lambda);

/* Frees cairo's font and surface caches (call when no more plots are drawn): without it they
 * stay allocated until exit, which leak checkers report. */
void plot_finish(void);

/* The surface as a PNG, under a temporary name renamed when complete (outfile.h). */
rgx_err plot_png_write(cairo_surface_t *s, const char *png);

#endif
