/* report.c — see report.h. */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_sumstats.h"
#include "assoc.h"
#include "h5in.h"
#include "log.h"
#include "outfile.h"
#include "plot.h"
#include "report_analysis.h"
#include "report_loci.h"
#include "report_sites.h"
#include "util.h"
#include "runfile.h"

/* Phenotypes plotted one by one are read GROUP at a time (one pass over /assoc each). */
enum { GROUP = 16, ROWS = 2048 };
/* The pooled QQ plot bins -log10 p by 0.01 up to 50; larger values are kept one by one. */
#define QQ_BIN 0.01
#define QQ_TOP 50.0

typedef struct {
    size_t v, ph;
    double beta, se, m;
} hit_t;

static int cmp_hit(const void *a, const void *b)
{
    const hit_t *x = a, *y = b;
    return (x->m < y->m) - (x->m > y->m);
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* The exact QQ points of one phenotype's -log10 p (sorted here, descending). */
static rgx_err qq_exact(const char *png, const char *title, double *m, size_t n, double lambda)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(m[i])) m[k++] = m[i];
    qsort(m, k, sizeof *m, cmp_desc);
    double *e = NULL;
    rgx_err err = rgx_calloc(&e, k ? k : 1, sizeof *e);
    if (err) return err;
    for (size_t i = 0; i < k; i++) e[i] = -log10((i + 0.5) / (double)k);
    err = plot_qq(png, title, e, m, k, lambda);
    free(e);
    return err;
}

static rgx_err png_path(strbuf_t *sb, const char *dir, const char *kind, const char *pheno)
{
    char nm[512];
    sb->len = 0;
    if (!pheno) return sb_printf(sb, "%s/%s.png", dir, kind);
    export_safe_name(pheno, nm, sizeof nm);
    return sb_printf(sb, "%s/%s_%s.png", dir, kind, nm);
}

/* What report_write reads from the run file, and what it derives for the plots and the page. */
typedef struct {
    const char *run_path, *dir;
    hid_t f;
    char **pid, **reason, **chrom, **pname, **hph;
    char *codes, *study;
    long *status;
    double *pos, *qc, *lambda, *pn, *hv, threshold;
    size_t np, nv, nph, nh, hc;
    size_t n_reason, n_hph; /* as read, checked equal to np and nh */
    size_t *sel, nsel; /* the phenotypes plotted one by one, in order */
    assoc_t as;
} rep_t;

static void rep_free(rep_t *r)
{
    assoc_close(&r->as);
    h5in_free_strings(r->pid, r->np), h5in_free_strings(r->reason, r->n_reason);
    h5in_free_strings(r->chrom, r->nv), h5in_free_strings(r->pname, r->nph);
    h5in_free_strings(r->hph, r->n_hph);
    free(r->codes), free(r->study), free(r->status), free(r->pos), free(r->qc), free(r->lambda);
    free(r->pn), free(r->hv), free(r->sel);
}

/* Refuses a column whose length is not that of its group (a run file is an input here). */
static rgx_err same_rows(const char *path, const char *name, size_t n, const char *of, size_t want)
{
    if (n == want) return RGX_OK;
    return rgx_fail(RGX_ERR_INPUT, "%s: %s has %zu rows, %s %zu", path, name, n, of, want);
}

/* The cohort, the variants, the phenotypes and the hits of a scanned run file.  Every column
 * is read with its own length, and the lengths are checked: rep_free frees each string
 * column with the length it was read with. */
static rgx_err rep_read(rep_t *r)
{
    hid_t f = r->f;
    const char *path = r->run_path;
    size_t c0, ns = 0, npos = 0, nqc = 0, nl = 0, nn = 0;
    rgx_err err = RGX_OK;
    /* A scan of a phenotype table has no /samples (no patients were extracted). */
    if (h5in_exists(f, RF_SAMPLES_PATIENT_ID) &&
        ((err = h5in_read_strings(f, RF_SAMPLES_PATIENT_ID, &r->np, &r->pid)) ||
         (err = h5in_read_strings(f, RF_SAMPLES_REASON, &r->n_reason, &r->reason)) ||
         (err = same_rows(path, RF_SAMPLES_REASON, r->n_reason, RF_SAMPLES_PATIENT_ID, r->np)) ||
         (err = h5in_read_longs(f, RF_SAMPLES_STATUS, &ns, &r->status)) ||
         (err = same_rows(path, RF_SAMPLES_STATUS, ns, RF_SAMPLES_PATIENT_ID, r->np))))
        return err;
    if ((err = assoc_open(&r->as, f, r->run_path))) return err;
    if ((err = h5in_read_strings(f, RF_VARIANTS_CHROM, &r->nv, &r->chrom)) ||
        (err = h5in_read_doubles(f, RF_VARIANTS_POS, &npos, &c0, &r->pos)) ||
        (err = same_rows(path, RF_VARIANTS_POS, npos, RF_VARIANTS_CHROM, r->nv)) ||
        (err = h5in_read_doubles(f, RF_VARIANTS_QC, &nqc, &c0, &r->qc)) ||
        (err = same_rows(path, RF_VARIANTS_QC, nqc, RF_VARIANTS_CHROM, r->nv)) ||
        (err = h5in_attr_str(f, RF_VARIANTS_QC, "codes", &r->codes)) ||
        (err = h5in_read_strings(f, RF_PHENOTYPES_NAMES, &r->nph, &r->pname)) ||
        (err = h5in_read_doubles(f, RF_PHENOTYPES_LAMBDA_GC, &nl, &c0, &r->lambda)) ||
        (err = same_rows(path, RF_PHENOTYPES_LAMBDA_GC, nl, RF_PHENOTYPES_NAMES, r->nph)) ||
        (err = h5in_read_doubles(f, RF_PHENOTYPES_N, &nn, &c0, &r->pn)) ||
        (err = same_rows(path, RF_PHENOTYPES_N, nn, RF_PHENOTYPES_NAMES, r->nph)) ||
        (err = export_check_names(r->pname, r->nph, r->run_path)))
        return err;
    if (h5in_exists(f, RF_HITS_VALUES) &&
        ((err = h5in_read_doubles(f, RF_HITS_VALUES, &r->nh, &r->hc, &r->hv)) ||
         (err = h5in_read_strings(f, RF_HITS_PHENOTYPE, &r->n_hph, &r->hph)) ||
         (err = same_rows(path, RF_HITS_PHENOTYPE, r->n_hph, RF_HITS_VALUES, r->nh))))
        return err;
    r->threshold = 7.3;
    h5in_attr_double(f, RF_HITS, "threshold", &r->threshold);
    if (h5in_attr_str(f, RF_PROVENANCE, "config_file", &r->study) != RGX_OK) r->study = NULL;
    return RGX_OK;
}

/* The phenotypes plotted one by one: first the strongest hit's at each locus (1 Mb apart), so
 * that every signal is shown, then the next strongest. */
static rgx_err rep_select(rep_t *r)
{
    size_t nph = r->nph, nv = r->nv, nloc = 0, *locus = NULL;
    hit_t *hits = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&hits, r->nh ? r->nh : 1, sizeof *hits)) ||
        (err = rgx_calloc(&r->sel, nph ? nph : 1, sizeof *r->sel)) ||
        (err = rgx_calloc(&locus, nph ? nph : 1, sizeof *locus)))
        goto out;
    for (size_t i = 0; i < r->nh && r->hc == 4; i++) {
        const double *h = r->hv + 4 * i;
        /* a row out of range (nv) is skipped below; converting it to size_t is undefined */
        size_t v = h[0] >= 0 && h[0] < (double)nv ? (size_t)h[0] : nv;
        hits[i] = (hit_t){v, nph, h[1], h[2], h[3]};
        for (size_t j = 0; j < nph; j++)
            if (!strcmp(r->hph[i], r->pname[j])) hits[i].ph = j;
    }
    qsort(hits, r->nh, sizeof *hits, cmp_hit);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < r->nh; i++) {
            size_t j = 0, v = hits[i].v, l = 0;
            while (j < r->nsel && r->sel[j] != hits[i].ph) j++;
            if (j < r->nsel || hits[i].ph >= nph || v >= nv) continue;
            while (l < nloc && !(strcmp(r->chrom[locus[l]], r->chrom[v]) == 0 &&
                                 fabs(r->pos[locus[l]] - r->pos[v]) < 1e6))
                l++;
            if (pass == 0 && l < nloc) continue;
            if (l == nloc) locus[nloc++] = v;
            r->sel[r->nsel++] = hits[i].ph;
        }
out:
    free(hits), free(locus);
    return err;
}

/* The pooled plots, from one pass over /assoc's -log10 p: the smallest p per variant
 * (Manhattan) and a histogram of all of them (QQ; values from QQ_TOP up kept one by one). */
static rgx_err rep_pooled(rep_t *r, double *rows, strbuf_t *sb)
{
    size_t nv = r->nv, nph = r->nph, nbins = (size_t)(QQ_TOP / QQ_BIN) + 1;
    size_t nbig = 0, capbig = 0, pooled = 0, *hist = NULL;
    double *maxm = NULL, *big = NULL, *e = NULL, *ob = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&maxm, nv ? nv : 1, sizeof *maxm)) ||
        (err = rgx_calloc(&hist, nbins, sizeof *hist)))
        goto out;
    for (size_t r0 = 0; r0 < nv; r0 += ROWS) {
        size_t nr = nv - r0 < ROWS ? nv - r0 : ROWS;
        if ((err = assoc_rows(&r->as, r0, nr, NULL, NULL, rows))) goto out;
        for (size_t i = 0; i < nr; i++) {
            double best = NAN;
            for (size_t j = 0; j < nph; j++) {
                double m = rows[i * nph + j]; /* -log10 p */
                if (!isfinite(m)) continue;
                if (!(m <= best)) best = m;
                pooled++;
                if (m < QQ_TOP) { /* p may round a hair above 1: m a hair below 0 */
                    hist[m > 0 ? (size_t)(m / QQ_BIN) : 0]++;
                } else {
                    if (nbig == capbig) {
                        capbig = capbig ? 2 * capbig : 256;
                        if ((err = rgx_realloc(&big, capbig, sizeof *big))) goto out;
                    }
                    big[nbig++] = m;
                }
            }
            maxm[r0 + i] = best;
        }
    }
    if ((err = png_path(sb, r->dir, "manhattan", NULL)) ||
        (err = plot_manhattan(sb->s, "All phenotypes: smallest p per variant", r->chrom, r->pos,
                              maxm, nv, r->threshold)))
        goto out;
    /* Pooled QQ: the large values one by one, then one point per histogram bin at the middle
     * of its ranks. */
    size_t npt = nbig + nbins, k = 0;
    if ((err = rgx_calloc(&e, npt, sizeof *e)) || (err = rgx_calloc(&ob, npt, sizeof *ob)))
        goto out;
    if (nbig) qsort(big, nbig, sizeof *big, cmp_desc);
    for (size_t i = 0; i < nbig; i++, k++)
        e[k] = -log10((i + 0.5) / (double)pooled), ob[k] = big[i];
    size_t rank = nbig;
    for (size_t b = nbins; b-- > 0;) {
        if (!hist[b]) continue;
        double mid = (double)rank + hist[b] / 2.0;
        e[k] = -log10(mid / (double)pooled), ob[k++] = (b + 0.5) * QQ_BIN;
        rank += hist[b];
    }
    if (!(err = png_path(sb, r->dir, "qq", NULL)))
        err = plot_qq(sb->s, "All phenotypes pooled", e, ob, k, NAN);
out:
    free(maxm), free(hist), free(big), free(e), free(ob);
    return err;
}

/* This part's share of the selected phenotypes (every parts-th): each its own Manhattan and
 * QQ plots, GROUP columns per pass over /assoc. */
static rgx_err rep_phenotype_plots(rep_t *r, int part, int parts, double *rows, strbuf_t *sb)
{
    size_t nv = r->nv, nph = r->nph, *mine = NULL, nmine = 0;
    double *col = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&mine, r->nsel ? r->nsel : 1, sizeof *mine)) ||
        (err = rgx_calloc(&col, (nv ? nv : 1) * GROUP, sizeof *col)))
        goto out;
    for (size_t k = (size_t)part; k < r->nsel; k += (size_t)parts) mine[nmine++] = r->sel[k];
    for (size_t g0 = 0; g0 < nmine; g0 += GROUP) {
        size_t ng = nmine - g0 < GROUP ? nmine - g0 : GROUP;
        for (size_t r0 = 0; r0 < nv; r0 += ROWS) {
            size_t nr = nv - r0 < ROWS ? nv - r0 : ROWS;
            if ((err = assoc_rows(&r->as, r0, nr, NULL, NULL, rows))) goto out;
            for (size_t i = 0; i < nr; i++)
                for (size_t k = 0; k < ng; k++) col[k * nv + r0 + i] = rows[i * nph + mine[g0 + k]];
        }
        for (size_t k = 0; k < ng; k++) {
            const char *nm = r->pname[mine[g0 + k]];
            if ((err = png_path(sb, r->dir, "manhattan", nm)) ||
                (err = plot_manhattan(sb->s, nm, r->chrom, r->pos, col + k * nv, nv,
                                      r->threshold)) ||
                (err = png_path(sb, r->dir, "qq", nm)) ||
                (err = qq_exact(sb->s, nm, col + k * nv, nv, r->lambda[mine[g0 + k]])))
                goto out;
        }
    }
out:
    free(mine), free(col);
    return err;
}

/* The page's head and its cohort: patients by status, and every failure with its reason. */
static void page_cohort(FILE *o, const rep_t *r)
{
    size_t nok = 0, nfail = 0, nnog = 0;
    for (size_t i = 0; i < r->np; i++)
        nok += r->status[i] == 0, nfail += r->status[i] == 1, nnog += r->status[i] == 2;
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>radiogx report</title>\n"
          "<style>body{font-family:sans-serif;max-width:1250px;margin:auto}"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;"
          "text-align:left}</style></head><body>\n<h1>radiogx report</h1>\n<p>Run file: ",
          o);
    report_html_text(o, r->run_path);
    if (r->study) fputs("<br>Config: ", o), report_html_text(o, r->study);
    if (!h5in_exists(r->f, RF_SAMPLES_PATIENT_ID)) { /* a scan of a phenotype table */
        fputs("</p>\n<h2>Cohort</h2>\n<p>No extraction in this run file: the phenotypes come "
              "from a table (the analysis below).</p>\n",
              o);
        return;
    }
    fprintf(o, "</p>\n<h2>Cohort</h2>\n<table><tr><th>patients</th><td>%zu</td></tr>"
               "<tr><th>extracted and scanned</th><td>%zu</td></tr>"
               "<tr><th>failed</th><td>%zu</td></tr>"
               "<tr><th>extracted, no genotypes</th><td>%zu</td></tr></table>\n",
            r->np, nok, nfail, nnog);
    if (nfail + nnog) {
        fputs("<h3>Failures and notes</h3>\n<table><tr><th>patient</th><th>reason</th></tr>\n", o);
        for (size_t i = 0; i < r->np; i++)
            if (r->status[i] != 0) {
                fputs("<tr><td>", o), report_html_text(o, r->pid[i]), fputs("</td><td>", o);
                report_html_text(o, r->reason[i]), fputs("</td></tr>\n", o);
            }
        fputs("</table>\n", o);
    }
}

/* The variant QC codes, the association overview, the loci, the plotted phenotypes and λGC. */
static rgx_err page_association(FILE *o, const rep_t *r)
{
    fprintf(o, "<h2>Variants</h2>\n<p>QC codes: ");
    report_html_text(o, r->codes);
    fputs("</p>\n<table><tr><th>code</th><th>variants</th></tr>\n", o);
    for (int code = 0; code <= 9; code++) {
        size_t cnt = 0;
        for (size_t v = 0; v < r->nv; v++) cnt += r->qc[v] == code;
        if (cnt) fprintf(o, "<tr><td>%d</td><td>%zu</td></tr>\n", code, cnt);
    }
    fprintf(o, "</table>\n<h2>Association</h2>\n<p>%zu phenotypes; %zu (variant, phenotype) "
               "pairs at -log10 p &ge; %g.</p>\n"
               "<img src=\"manhattan.png\" alt=\"Manhattan plot\" width=\"1200\"><br>\n"
               "<img src=\"qq.png\" alt=\"QQ plot\" width=\"520\">\n",
            r->nph, r->nh, r->threshold);
    /* The phenotype-wide threshold and the hits as loci (report_loci.c). */
    rgx_err err = report_loci(o, r->f, r->run_path, r->dir);
    if (err) return err;
    fputs("<h3>Phenotypes with hits</h3>\n", o);
    for (size_t k = 0; k < r->nsel; k++) {
        char nm[512];
        export_safe_name(r->pname[r->sel[k]], nm, sizeof nm);
        fputs("<h4>", o), report_html_text(o, r->pname[r->sel[k]]), fputs("</h4>\n", o);
        fprintf(o, "<img src=\"manhattan_%s.png\" width=\"1200\"><br><img src=\"qq_%s.png\" "
                   "width=\"520\">\n",
                nm, nm);
    }
    report_lambda_table(o, r->f, r->as.outcome, r->pname, r->pn, r->lambda, r->nph);
    fputs("</body></html>\n", o);
    return RGX_OK;
}

/* DIR/report.html, written to a temporary name and renamed. */
static rgx_err rep_page(const rep_t *r, strbuf_t *sb)
{
    outfile_t of = {0};
    sb->len = 0;
    rgx_err err = sb_printf(sb, "%s/report.html", r->dir);
    if (!err) err = outfile_open(&of, sb->s);
    if (err) return err;
    page_cohort(of.f, r);
    report_analysis(of.f, r->f, r->as.outcome, r->qc, r->nv, r->pn, r->nph);
    /* The sites: counts, and features before and after harmonisation (report_sites.h). */
    if (!(err = report_sites(of.f, r->f, r->dir)) && !(err = page_association(of.f, r)))
        err = outfile_commit(&of);
    if (!err) log_info("report: %s (and the plots of %zu phenotypes with hits)", sb->s, r->nsel);
    outfile_abort(&of);
    return err;
}

rgx_err report_write(const char *run_path, const char *dir, int part, int parts)
{
    rep_t r = {.run_path = run_path, .dir = dir};
    rgx_err err = h5in_open(run_path, &r.f);
    if (err) return err;
    if (!h5in_exists(r.f, RF_PHENOTYPES_NAMES)) { /* an extraction alone */
        h5in_close(r.f);
        return part == 0 ? report_extraction(run_path, dir) : RGX_OK;
    }
    double *rows = NULL;
    strbuf_t sb = {0};
    if ((err = rep_read(&r)) || (err = rep_select(&r)) ||
        (err = rgx_calloc(&rows, (size_t)ROWS * (r.nph ? r.nph : 1), sizeof *rows)))
        goto out;
    /* The pooled plots and the page on part 0; the phenotypes' plots shared out. */
    if (part == 0 && (err = rep_pooled(&r, rows, &sb))) goto out;
    if ((err = rep_phenotype_plots(&r, part, parts, rows, &sb))) goto out;
    if (part == 0) err = rep_page(&r, &sb);
out:
    plot_finish();
    rep_free(&r);
    free(rows), free(sb.s);
    h5in_close(r.f);
    return err;
}
