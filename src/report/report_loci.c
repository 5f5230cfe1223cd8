/* report_loci.c — see report_loci.h. */
#include "report_loci.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "h5in.h"
#include "report_analysis.h"
#include "loci.h"
#include "outfile.h"
#include "util.h"
#include "runfile.h"

enum { TOP_LOCI = 50 }; /* rows of the page's table; loci.html has them all */

/* The threshold paragraph. */
static void threshold_text(FILE *o, hid_t f, const loci_t *L)
{
    double lj = NAN, ny = NAN, ga = NAN, thr = NAN, alpha = NAN;
    char *method = NULL;
    if (isnan(L->meff)) {
        fputs("<p>This run file has no phenotype-wide threshold (made before radiogx computed "
              "Meff).</p>\n",
              o);
        return;
    }
    h5in_attr_double(f, RF_PHENOTYPES, "meff_li_ji", &lj);
    h5in_attr_double(f, RF_PHENOTYPES, "meff_nyholt", &ny);
    h5in_attr_double(f, RF_PHENOTYPES, "meff_galwey", &ga);
    h5in_attr_double(f, RF_PHENOTYPES, "study_threshold_p", &thr);
    h5in_attr_double(f, RF_PHENOTYPES, "genome_wide_p", &alpha);
    if (h5in_attr_str(f, RF_PHENOTYPES, "meff_method", &method) != RGX_OK) method = NULL;
    fprintf(o,
            "<p><b>Phenotype-wide threshold.</b> %zu phenotypes count as M<sub>eff</sub> = %.2f "
            "independent ones (%s; Li &amp; Ji %.2f, Nyholt %.2f, Galwey %.2f, from the "
            "eigenvalues of the residualised phenotypes' correlation), so the study-wide "
            "threshold is %.3g / %.2f = <b>p &lt; %.3g</b> (&minus;log10 p &ge; %.2f).</p>\n",
            L->np, L->meff, method ? method : "?", lj, ny, ga, alpha, L->meff, thr,
            L->study_log10p);
    free(method);
}

/* DIR/loci.html: every locus, its pairs strongest first. */
static rgx_err pairs_page(const loci_t *L, const char *dir)
{
    strbuf_t sb = {0};
    size_t *ord = NULL, n = 0;
    rgx_err err = sb_printf(&sb, "%s/loci.html", dir);
    if (!err) err = rgx_calloc(&ord, L->nh ? L->nh : 1, sizeof *ord);
    outfile_t of = {0}; /* under a temporary name, renamed when complete (outfile.h) */
    if (!err) err = outfile_open(&of, sb.s);
    if (err) goto out;
    FILE *o = of.f;
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>radiogx loci</title>\n"
          "<style>body{font-family:sans-serif;max-width:1250px;margin:auto}"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;"
          "text-align:left}</style></head><body>\n<h1>Loci: every (variant, phenotype) pair</h1>\n",
          o);
    fprintf(o,
            "<p>%zu pairs at &minus;log10 p &ge; %g in %zu loci (&plusmn; %.0f kb around each "
            "lead). <a href=\"report.html\">Back to the report</a>.</p>\n",
            L->nh, L->hits_threshold, L->nl, L->window_bp / 1000);
    for (size_t l = 0; l < L->nl; l++) {
        const locus_t *lc = &L->loc[l];
        fprintf(o, "<h2 id=\"locus-%zu\">Locus %zu: ", l + 1, l + 1);
        report_html_text(o, L->chrom[L->hit[lc->lead].row]);
        fprintf(o,
                ":%.0f&ndash;%.0f</h2>\n<table><tr><th>variant</th><th>pos</th>"
                "<th>phenotype</th><th>beta</th><th>se</th><th>&minus;log10 p</th></tr>\n",
                lc->start, lc->end);
        n = 0;
        for (size_t i = 0; i < L->nh; i++)
            if (L->hit[i].locus == l) ord[n++] = i;
        for (size_t a = 1; a < n; a++) /* strongest first (insertion: stable, loci are small) */
            for (size_t b = a; b > 0 && L->hit[ord[b]].mlp > L->hit[ord[b - 1]].mlp; b--) {
                size_t t = ord[b];
                ord[b] = ord[b - 1], ord[b - 1] = t;
            }
        for (size_t k = 0; k < n; k++) {
            const loci_hit_t *h = &L->hit[ord[k]];
            fputs("<tr><td>", o), report_html_text(o, L->id[h->row]);
            fprintf(o, "</td><td>%.0f</td><td>", L->pos[h->row]);
            report_html_text(o, L->pname[h->pheno]);
            fprintf(o, "</td><td>%.4g</td><td>%.3g</td><td>%.2f</td></tr>\n", h->beta, h->se,
                    h->mlp);
        }
        fputs("</table>\n", o);
    }
    fputs("</body></html>\n", o);
    err = outfile_commit(&of);
out:
    free(sb.s), free(ord);
    return err;
}

rgx_err report_loci(FILE *o, hid_t f, const char *run_path, const char *dir)
{
    loci_t L = {0};
    size_t *ord = NULL;
    if (!h5in_exists(f, RF_HITS_VALUES)) {
        fputs("<p>No /hits in this run file: no loci.</p>\n", o);
        return RGX_OK;
    }
    rgx_err err = loci_read(&L, f, run_path, 0, NAN);
    if (!err) err = loci_by_strength(&L, &ord);
    if (err) goto out;
    threshold_text(o, f, &L);
    size_t sw = 0;
    for (size_t l = 0; l < L.nl; l++) sw += L.loc[l].study_wide;
    fprintf(o,
            "<h3>Loci</h3>\n<p>%zu (variant, phenotype) pairs at &minus;log10 p &ge; %g form "
            "<b>%zu loci</b> (the strongest pair leads; every pair within &plusmn; %.0f kb "
            "joins it)",
            L.nh, L.hits_threshold, L.nl, L.window_bp / 1000);
    if (!isnan(L.study_log10p))
        fprintf(o, "; %zu lead%s the study-wide threshold", sw, sw == 1 ? " passes" : "s pass");
    fprintf(o, ". The %s by strength; every pair: <a href=\"loci.html\">loci.html</a>.</p>\n",
            L.nl > TOP_LOCI ? "first 50" : "loci");
    fputs("<table><tr><th>locus</th><th>region</th><th>lead variant</th><th>lead phenotype</th>"
          "<th>beta</th><th>se</th><th>&minus;log10 p</th><th>study-wide</th>"
          "<th>phenotypes</th><th>variants</th><th>families</th><th>pairs</th></tr>\n",
          o);
    for (size_t k = 0; k < L.nl && k < TOP_LOCI; k++) {
        const locus_t *lc = &L.loc[ord[k]];
        const loci_hit_t *h = &L.hit[lc->lead];
        fprintf(o, "<tr><td>%zu</td><td>", ord[k] + 1);
        report_html_text(o, L.chrom[h->row]);
        fprintf(o, ":%.0f&ndash;%.0f</td><td>", lc->start, lc->end);
        report_html_text(o, L.id[h->row]);
        fputs("</td><td>", o), report_html_text(o, L.pname[h->pheno]);
        fprintf(o,
                "</td><td>%.4g</td><td>%.3g</td><td>%.2f</td><td>%s</td><td>%zu</td>"
                "<td>%zu</td><td>",
                h->beta, h->se, h->mlp,
                isnan(L.study_log10p) ? "NA"
                : lc->study_wide      ? "yes"
                                      : "no",
                lc->n_pheno, lc->n_var);
        report_html_text(o, lc->families);
        fprintf(o, "</td><td><a href=\"loci.html#locus-%zu\">%zu</a></td></tr>\n", ord[k] + 1,
                lc->n_pairs);
    }
    fputs("</table>\n", o);
    err = pairs_page(&L, dir);
out:
    free(ord);
    loci_free(&L);
    return err;
}
