/* pca_prune.c — see pca_prune.h. */
#include "pca_prune.h"

#include <gsl/gsl_cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The widest band of pairs a window can hold on [a, b): in variants, or the most variants
 * within window_kb of any variant. */
static size_t band_width(const pca_geno_t *G, const pca_opts_t *o, size_t a, size_t b)
{
    if (o->prune_window_kb <= 0) return (size_t)o->prune_window;
    size_t w = 1;
    double span = o->prune_window_kb * 1000;
    for (size_t i = a, j = a; i < b; i++) {
        while (j < b && (double)(G->pos[j] - G->pos[i]) < span) j++;
        if (j - i > w) w = j - i;
    }
    return w;
}

/* r^2 of the pairs (j - d, j), 0 < d < W, of variants [a, b): band[(j - a) W + d]. */
static rgx_err band_r2(const pca_geno_t *G, const pca_tiles_t *T, size_t a, size_t b, size_t W,
                       double *band)
{
    size_t C = W < 64 ? 64 : W, nm = T->n_mine ? T->n_mine : 1, n_all = T->n;
    double *panel = NULL, *part = NULL, *sum = NULL;
    size_t rows_max = C + W, len_max = rows_max * C + 2 * rows_max;
    rgx_err err;
    if ((err = rgx_calloc(&panel, rows_max * PCA_TILE, sizeof *panel)) ||
        (err = rgx_calloc(&part, nm * len_max, sizeof *part)) ||
        (err = rgx_calloc(&sum, len_max, sizeof *sum)))
        goto out;
    for (size_t c0 = a; c0 < b && !err; c0 += C) {
        size_t c1 = b - c0 < C ? b : c0 + C, r0 = c0 - a >= W - 1 ? c0 - (W - 1) : a;
        size_t nr = c1 - r0, nc = c1 - c0, len = nr * nc + 2 * nr;
        for (size_t mt = 0; mt < T->n_mine; mt++) {
            size_t n = G->store[mt].n;
            double *p = part + mt * len, *sx = p + nr * nc, *sxx = sx + nr;
            for (size_t j = 0; j < nr; j++) {
                double *x = panel + j * n, s = 0, ss = 0;
                pca_geno_decode(G, mt, r0 + j, x);
                for (size_t i = 0; i < n; i++) s += x[i], ss += x[i] * x[i];
                sx[j] = s, sxx[j] = ss;
            }
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nr, (int)nc, (int)n, 1.0,
                        panel, (int)n, panel + (c0 - r0) * n, (int)n, 0.0, p, (int)nc);
        }
        if ((err = pca_tiles_sum(T, part, len, sum))) break;
        const double *sx = sum + nr * nc, *sxx = sx + nr, N = (double)n_all;
        for (size_t jc = 0; jc < nc; jc++) {
            size_t j = c0 + jc;
            for (size_t d = 1; d < W && j >= a + d; d++) {
                size_t ir = j - d - r0;
                if (j - d < r0) break;
                double cov = sum[ir * nc + jc] - sx[ir] * sx[j - r0] / N;
                double vi = sxx[ir] - sx[ir] * sx[ir] / N,
                       vj = sxx[j - r0] - sx[j - r0] * sx[j - r0] / N;
                band[(j - a) * W + d] = vi > 0 && vj > 0 ? cov * cov / (vi * vj) : 0;
            }
        }
    }
out:
    free(panel), free(part), free(sum);
    return err;
}

static double maf_of(const pca_geno_t *G, size_t j)
{
    return G->af[j] < 0.5 ? G->af[j] : 1 - G->af[j];
}

/* The windows over [a, b): pairs above the threshold lose their lower-MAF variant. */
static void prune_segment(const pca_geno_t *G, const pca_opts_t *o, size_t a, size_t b, size_t W,
                          const double *band, char *drop)
{
    for (size_t w = a; w < b; w += (size_t)o->prune_step) {
        size_t e = w;
        if (o->prune_window_kb > 0)
            while (e < b && (double)(G->pos[e] - G->pos[w]) < o->prune_window_kb * 1000) e++;
        else
            e = b - w < (size_t)o->prune_window ? b : w + (size_t)o->prune_window;
        for (size_t i = w; i < e; i++) {
            if (drop[i]) continue;
            for (size_t j = i + 1; j < e; j++) {
                if (drop[j] || j - i >= W || !(band[(j - a) * W + (j - i)] > o->prune_r2)) continue;
                if (maf_of(G, i) < maf_of(G, j)) {
                    drop[i] = 1;
                    break;
                }
                drop[j] = 1;
            }
        }
        if (e >= b) break;
    }
}

rgx_err pca_prune(const pca_geno_t *G, const pca_tiles_t *T, const pca_opts_t *o, size_t **sel,
                  size_t *ms)
{
    char *drop = NULL;
    double *band = NULL;
    size_t cap = 0;
    rgx_err err = rgx_calloc(&drop, G->m ? G->m : 1, 1);
    if (!err) err = rgx_calloc(sel, G->m ? G->m : 1, sizeof **sel);
    for (size_t a = 0; o->prune && a < G->m && !err;) {
        size_t b = a;
        while (b < G->m && G->chrom[b] == G->chrom[a]) b++;
        size_t W = band_width(G, o, a, b);
        if (W < 2) W = 2;
        if (!(err = rgx_reserve(&band, &cap, (b - a) * W, sizeof *band))) {
            memset(band, 0, (b - a) * W * sizeof *band);
            err = band_r2(G, T, a, b, W, band);
        }
        if (!err) prune_segment(G, o, a, b, W, band, drop);
        a = b;
    }
    *ms = 0;
    for (size_t j = 0; j < G->m && !err; j++)
        if (!drop[j]) (*sel)[(*ms)++] = j;
    free(drop), free(band);
    return err;
}
