/* report_extract.c — the report of a run file that holds an extraction only (see report.h). */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5in.h"
#include "report_analysis.h"
#include "log.h"
#include "outfile.h"
#include "report_sites.h"
#include "runfile.h"
#include "util.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median [first quartile, third quartile] of v (n finite values, sorted here), as text. */
static void quartiles(double *v, size_t n, char *buf, size_t len)
{
    if (!n) {
        snprintf(buf, len, "&ndash;");
        return;
    }
    qsort(v, n, sizeof *v, cmp_double);
    snprintf(buf, len, "%.4g [%.4g, %.4g]", v[n / 2], v[n / 4], v[(3 * n) / 4]);
}

/* The distinct sites, in the order of their first patient. */
static rgx_err site_list(char **site, size_t np, size_t **of, char ***names, size_t *ns)
{
    rgx_err err = rgx_calloc(of, np ? np : 1, sizeof **of);
    if (!err) err = rgx_calloc(names, np ? np : 1, sizeof **names);
    for (size_t i = 0; !err && i < np; i++) {
        size_t s = 0;
        while (s < *ns && strcmp((*names)[s], site[i])) s++;
        if (s == *ns) (*names)[(*ns)++] = site[i];
        (*of)[i] = s;
    }
    return err;
}

static void cohort(FILE *o, char **pid, char **reason, const double *st, const size_t *of,
                   char **sites, size_t ns, size_t np)
{
    fputs("<h2>Cohort</h2>\n<table><tr><th>site</th><th>patients</th><th>extracted</th>"
          "<th>failed</th></tr>\n", o);
    for (size_t s = 0; s < ns; s++) {
        size_t n = 0, ok = 0;
        for (size_t i = 0; i < np; i++)
            if (of[i] == s) n++, ok += st[i] != 1;
        fputs("<tr><td>", o), report_html_text(o, sites[s]);
        fprintf(o, "</td><td>%zu</td><td>%zu</td><td>%zu</td></tr>\n", n, ok, n - ok);
    }
    fputs("</table>\n", o);
    int any = 0;
    for (size_t i = 0; i < np; i++)
        if (st[i] == 1 || reason[i][0]) {
            if (!any++) fputs("<h3>Failures and notes</h3>\n<table><tr><th>patient</th>"
                              "<th>reason</th></tr>\n", o);
            fputs("<tr><td>", o), report_html_text(o, pid[i]), fputs("</td><td>", o),
                report_html_text(o, reason[i]);
            fputs("</td></tr>\n", o);
        }
    if (any) fputs("</table>\n", o);
}

rgx_err report_extraction(const char *run_path, const char *dir)
{
    hid_t f;
    rgx_err err = h5in_open(run_path, &f);
    if (err) return err;
    char **pid = NULL, **reason = NULL, **site = NULL, **names = NULL, **sites = NULL;
    char *ver = NULL, *when = NULL, *cst = NULL;
    double *st = NULL, *x = NULL, *col = NULL;
    size_t np = 0, nf = 0, r = 0, c = 0, c0, ns = 0, *of = NULL;
    size_t n_reason = 0, n_site = 0, n_st = 0; /* each column's own length, checked below */
    strbuf_t path = {0};
    FILE *o = NULL;
    outfile_t page = {0}; /* under a temporary name until complete (outfile.h) */
    if ((err = h5in_read_strings(f, RF_SAMPLES_PATIENT_ID, &np, &pid)) ||
        (err = h5in_read_strings(f, RF_SAMPLES_REASON, &n_reason, &reason)) ||
        (err = h5in_read_strings(f, RF_SAMPLES_SITE, &n_site, &site)) ||
        (err = h5in_read_doubles(f, RF_SAMPLES_STATUS, &n_st, &c0, &st)) ||
        (err = h5in_read_strings(f, RF_FEATURES_NAMES, &nf, &names)) ||
        (err = h5in_read_doubles(f, RF_FEATURES_VALUES, &r, &c, &x)))
        goto out;
    if (n_reason != np || n_site != np || n_st != np || r != np || c != nf) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: /samples and /features disagree in size", run_path);
        goto out;
    }
    if (h5in_attr_str(f, RF_PROVENANCE, "radiogx_version", &ver)) ver = NULL;
    if (h5in_attr_str(f, RF_PROVENANCE, "start_time", &when)) when = NULL;
    if (h5in_attr_str(f, RF_FEATURES, "constant", &cst)) cst = NULL;
    rgx_errclear();
    if ((err = site_list(site, np, &of, &sites, &ns)) ||
        (err = rgx_calloc(&col, np ? np : 1, sizeof *col)) ||
        (err = sb_printf(&path, "%s/report.html", dir)))
        goto out;
    if ((err = outfile_open(&page, path.s))) goto out;
    o = page.f;
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>radiogx report</title>\n"
          "<style>body{font-family:sans-serif;max-width:1250px;margin:auto}"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;"
          "text-align:left}</style></head><body>\n<h1>radiogx report: extraction</h1>\n<p>Run "
          "file: ",
          o);
    report_html_text(o, run_path), fputs("<br>radiogx ", o),
        report_html_text(o, ver ? ver : "(version not recorded)");
    fputs(", run started ", o), report_html_text(o, when ? when : "(not recorded)");
    fputs(". No scan in this file: features only.</p>\n", o);
    cohort(o, pid, reason, st, of, sites, ns, np);
    if (cst && *cst) fputs("<p>Constant over the cohort (no information for a scan): ", o),
        report_html_text(o, cst), fputs("</p>\n", o);
    /* Two sites or more: box plots and components per site, before and after harmonisation
     * when the file has it (report_sites.h). */
    if ((err = report_sites(o, f, dir))) goto out;
    fputs("<h2>Feature distributions per site</h2>\n<p>Median [first, third quartile] over "
          "the extracted patients of each site.</p>\n<table><tr><th>feature</th>",
          o);
    for (size_t s = 0; s < ns; s++)
        fputs("<th>", o), report_html_text(o, sites[s]), fputs("</th>", o);
    fputs("</tr>\n", o);
    for (size_t j = 0; j < nf; j++) {
        fputs("<tr><td>", o), report_html_text(o, names[j]), fputs("</td>", o);
        for (size_t s = 0; s < ns; s++) {
            size_t n = 0;
            for (size_t i = 0; i < np; i++)
                if (of[i] == s && st[i] != 1 && isfinite(x[i * nf + j])) col[n++] = x[i * nf + j];
            char q[96];
            quartiles(col, n, q, sizeof q);
            fprintf(o, "<td>%s</td>", q);
        }
        fputs("</tr>\n", o);
    }
    fputs("</table>\n</body></html>\n", o);
    o = NULL;
    if (!(err = outfile_commit(&page))) log_info("report: %s (extraction only)", path.s);
out:
    outfile_abort(&page);
    h5in_free_strings(pid, np), h5in_free_strings(reason, n_reason);
    h5in_free_strings(site, n_site);
    h5in_free_strings(names, nf);
    free(sites), free(of), free(st), free(x), free(col), free(ver), free(when), free(cst);
    free(path.s);
    h5in_close(f);
    return err;
}
