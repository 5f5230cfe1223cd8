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
#include "report_loci.h"
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

/* HTML text with &, < and > escaped. */
static void html(FILE *o, const char *s)
{
    for (; *s; s++)
        if (*s == '&')
            fputs("&amp;", o);
        else if (*s == '<')
            fputs("&lt;", o);
        else if (*s == '>')
            fputs("&gt;", o);
        else
            fputc(*s, o);
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

/* What a reviewer needs before the numbers: the software and when, the model (transform,
 * covariates), QC in words and the features that carried nothing. */
static void analysis_section(FILE *o, hid_t f, const double *qc, size_t nv, size_t nph,
                             const double *pn)
{
    static const char *const what[] = {"", "tested", "below the call-rate threshold",
                                       "below the minor allele frequency threshold",
                                       "below the minor allele count threshold",
                                       "out of Hardy-Weinberg equilibrium", "monomorphic"};
    char *ver = NULL, *when = NULL, *tr = NULL, *cov = NULL, *cst = NULL;
    if (h5in_attr_str(f, "/provenance", "radiogx_version", &ver)) ver = NULL;
    if (h5in_attr_str(f, "/provenance", "start_time", &when)) when = NULL;
    if (h5in_attr_str(f, "/phenotypes", "transform", &tr)) tr = NULL;
    if (h5in_attr_str(f, "/phenotypes", "covariates", &cov)) cov = NULL;
    if (h5in_attr_str(f, "/features", "constant", &cst)) cst = NULL;
    rgx_errclear();
    fputs("<h2>Analysis</h2>\n<p>radiogx ", o), html(o, ver ? ver : "(version not recorded)");
    fputs(", run started ", o), html(o, when ? when : "(not recorded)");
    fputs(".<br>Model: each phenotype ", o);
    if (tr && strcmp(tr, "none")) fputs("after a ", o), html(o, tr), fputs(" transform ", o);
    fputs("regressed on the ALT allele dosage and the covariates (", o);
    html(o, cov ? (*cov ? cov : "none besides the intercept") : "not recorded");
    fputs("), least squares with a t test; beta is per ALT allele", o);
    if (tr && strcmp(tr, "none")) fputs(", in SDs of the transformed phenotype", o);
    double lo = INFINITY, hi = -INFINITY;
    for (size_t j = 0; j < nph; j++) lo = fmin(lo, pn[j]), hi = fmax(hi, pn[j]);
    if (nph) fprintf(o, ".<br>Samples per phenotype: %.0f to %.0f (the table below)", lo, hi);
    fprintf(o, ".</p>\n<p>Variant QC: of %zu variants,", nv);
    for (int code = 1; code <= 6; code++) {
        size_t cnt = 0;
        for (size_t v = 0; v < nv; v++) cnt += qc[v] == code;
        if (cnt || code == 1) fprintf(o, "%s %zu %s", code > 1 ? ";" : "", cnt, what[code]);
    }
    fputs(".</p>\n", o);
    if (cst && *cst) {
        size_t n = 1;
        for (const char *c = cst; *c; c++) n += *c == ',';
        fprintf(o, "<p>%zu features were constant over the cohort (no information for a scan): ",
                n);
        html(o, cst), fputs("</p>\n", o);
    }
    free(ver), free(when), free(tr), free(cov), free(cst);
}

rgx_err report_write(const char *run_path, const char *dir, int part, int parts)
{
    hid_t f;
    rgx_err err = h5in_open(run_path, &f);
    if (err) return err;
    if (!h5in_exists(f, "/phenotypes/names")) { /* an extraction alone */
        h5in_close(f);
        return part == 0 ? report_extraction(run_path, dir) : RGX_OK;
    }
    char **pid = NULL, **reason = NULL, **chrom = NULL, **pname = NULL, **hph = NULL;
    char *codes = NULL, *study = NULL;
    long *status = NULL;
    double *pos = NULL, *qc = NULL, *lambda = NULL, *pn = NULL, *hv = NULL;
    double *maxm = NULL, *col = NULL, *rows = NULL, *big = NULL;
    size_t np = 0, nv = 0, nph = 0, nh = 0, hc = 0, c0, nbig = 0, capbig = 0;
    size_t *hist = NULL, nbins = (size_t)(QQ_TOP / QQ_BIN) + 1;
    hit_t *hits = NULL;
    size_t *sel = NULL, *locus = NULL, nsel = 0, *mine = NULL, nmine = 0;
    FILE *o = NULL;
    outfile_t of = {0};
    strbuf_t sb = {0};
    assoc_t as = {0};
    /* A scan of a phenotype table has no /samples (no patients were extracted). */
    if (h5in_exists(f, RF_SAMPLES_PATIENT_ID) &&
        ((err = h5in_read_strings(f, RF_SAMPLES_PATIENT_ID, &np, &pid)) ||
         (err = h5in_read_strings(f, RF_SAMPLES_REASON, &np, &reason)) ||
         (err = h5in_read_longs(f, RF_SAMPLES_STATUS, &np, &status))))
        goto out;
    if ((err = assoc_open(&as, f, run_path))) goto out;
    if ((err = h5in_read_strings(f, RF_VARIANTS_CHROM, &nv, &chrom)) ||
        (err = h5in_read_doubles(f, RF_VARIANTS_POS, &nv, &c0, &pos)) ||
        (err = h5in_read_doubles(f, RF_VARIANTS_QC, &nv, &c0, &qc)) ||
        (err = h5in_attr_str(f, RF_VARIANTS_QC, "codes", &codes)) ||
        (err = h5in_read_strings(f, RF_PHENOTYPES_NAMES, &nph, &pname)) ||
        (err = h5in_read_doubles(f, RF_PHENOTYPES_LAMBDA_GC, &nph, &c0, &lambda)) ||
        (err = h5in_read_doubles(f, RF_PHENOTYPES_N, &nph, &c0, &pn)) ||
        (err = export_check_names(pname, nph, run_path)))
        goto out;
    if (h5in_exists(f, RF_HITS_VALUES) &&
        ((err = h5in_read_doubles(f, RF_HITS_VALUES, &nh, &hc, &hv)) ||
         (err = h5in_read_strings(f, RF_HITS_PHENOTYPE, &nh, &hph))))
        goto out;
    double threshold = 7.3;
    h5in_attr_double(f, RF_HITS, "threshold", &threshold);
    if (h5in_attr_str(f, RF_PROVENANCE, "config_file", &study) != RGX_OK) study = NULL;

    /* Hits, strongest first.  The phenotypes plotted one by one: first the strongest at each
     * locus (1 Mb apart), so that every signal is shown, then the next strongest. */
    if ((err = rgx_calloc(&hits, nh ? nh : 1, sizeof *hits))) goto out;
    for (size_t i = 0; i < nh && hc == 4; i++) {
        hits[i] = (hit_t){(size_t)hv[4 * i], nph, hv[4 * i + 1], hv[4 * i + 2], hv[4 * i + 3]};
        for (size_t j = 0; j < nph; j++)
            if (!strcmp(hph[i], pname[j])) hits[i].ph = j;
    }
    qsort(hits, nh, sizeof *hits, cmp_hit);
    size_t nloc = 0;
    if ((err = rgx_calloc(&sel, nph ? nph : 1, sizeof *sel)) ||
        (err = rgx_calloc(&locus, nph ? nph : 1, sizeof *locus)))
        goto out;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < nh; i++) {
            size_t j = 0, v = hits[i].v, l = 0;
            while (j < nsel && sel[j] != hits[i].ph) j++;
            if (j < nsel || hits[i].ph >= nph || v >= nv) continue;
            while (l < nloc && !(strcmp(chrom[locus[l]], chrom[v]) == 0 &&
                                 fabs(pos[locus[l]] - pos[v]) < 1e6))
                l++;
            if (pass == 0 && l < nloc) continue;
            if (l == nloc) locus[nloc++] = v;
            sel[nsel++] = hits[i].ph;
        }

    /* This part's phenotype plots: every parts-th of the selection. */
    if ((err = rgx_calloc(&mine, nsel ? nsel : 1, sizeof *mine))) goto out;
    for (size_t k = (size_t)part; k < nsel; k += (size_t)parts) mine[nmine++] = sel[k];
    /* One pass over /assoc's -log10 p (part 0): the smallest p per variant and the pooled
     * histogram. */
    if ((err = rgx_calloc(&maxm, nv ? nv : 1, sizeof *maxm)) ||
        (err = rgx_calloc(&col, (nv ? nv : 1) * GROUP, sizeof *col)) ||
        (err = rgx_calloc(&rows, (size_t)ROWS * (nph ? nph : 1), sizeof *rows)) ||
        (err = rgx_calloc(&hist, nbins, sizeof *hist)))
        goto out;
    size_t pooled = 0;
    for (size_t r0 = 0; part == 0 && r0 < nv; r0 += ROWS) {
        size_t nr = nv - r0 < ROWS ? nv - r0 : ROWS;
        if ((err = assoc_rows(&as, r0, nr, NULL, NULL, rows))) goto out;
        for (size_t r = 0; r < nr; r++) {
            double best = NAN;
            for (size_t j = 0; j < nph; j++) {
                double m = rows[r * nph + j]; /* -log10 p */
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
            maxm[r0 + r] = best;
        }
    }

    /* Plots: the pooled ones on part 0. */
    if (part == 0 && ((err = png_path(&sb, dir, "manhattan", NULL)) ||
        (err = plot_manhattan(sb.s, "All phenotypes: smallest p per variant", chrom, pos, maxm, nv,
                              threshold))))
        goto out;
    if (part == 0) {
        /* Pooled QQ: the large values one by one, then one point per histogram bin at the
         * middle of its ranks. */
        size_t npt = nbig + nbins, k = 0;
        double *e = NULL, *ob = NULL;
        if ((err = rgx_calloc(&e, npt, sizeof *e)) || (err = rgx_calloc(&ob, npt, sizeof *ob))) {
            free(e);
            goto out;
        }
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
        if (!(err = png_path(&sb, dir, "qq", NULL)))
            err = plot_qq(sb.s, "All phenotypes pooled", e, ob, k, NAN);
        free(e), free(ob);
        if (err) goto out;
    }
    /* This part's phenotypes with hits: each its own Manhattan and QQ plots, GROUP columns
     * per pass over /assoc. */
    for (size_t g0 = 0; g0 < nmine; g0 += GROUP) {
        size_t ng = nmine - g0 < GROUP ? nmine - g0 : GROUP;
        for (size_t r0 = 0; r0 < nv; r0 += ROWS) {
            size_t nr = nv - r0 < ROWS ? nv - r0 : ROWS;
            if ((err = assoc_rows(&as, r0, nr, NULL, NULL, rows))) goto out;
            for (size_t r = 0; r < nr; r++)
                for (size_t k = 0; k < ng; k++) col[k * nv + r0 + r] = rows[r * nph + mine[g0 + k]];
        }
        for (size_t k = 0; k < ng; k++) {
            const char *nm = pname[mine[g0 + k]];
            if ((err = png_path(&sb, dir, "manhattan", nm)) ||
                (err = plot_manhattan(sb.s, nm, chrom, pos, col + k * nv, nv, threshold)) ||
                (err = png_path(&sb, dir, "qq", nm)) ||
                (err = qq_exact(sb.s, nm, col + k * nv, nv, lambda[mine[g0 + k]])))
                goto out;
        }
    }
    if (part != 0) goto out; /* the page: part 0 */

    /* The page. */
    sb.len = 0;
    if ((err = sb_printf(&sb, "%s/report.html", dir))) goto out;
    if ((err = outfile_open(&of, sb.s))) goto out;
    o = of.f;
    size_t nok = 0, nfail = 0, nnog = 0;
    for (size_t i = 0; i < np; i++)
        nok += status[i] == 0, nfail += status[i] == 1, nnog += status[i] == 2;
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>radiogx report</title>\n"
          "<style>body{font-family:sans-serif;max-width:1250px;margin:auto}"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;"
          "text-align:left}</style></head><body>\n<h1>radiogx report</h1>\n<p>Run file: ",
          o);
    html(o, run_path);
    if (study) fputs("<br>Config: ", o), html(o, study);
    fprintf(o, "</p>\n<h2>Cohort</h2>\n<table><tr><th>patients</th><td>%zu</td></tr>"
               "<tr><th>extracted and scanned</th><td>%zu</td></tr>"
               "<tr><th>failed</th><td>%zu</td></tr>"
               "<tr><th>extracted, no genotypes</th><td>%zu</td></tr></table>\n",
            np, nok, nfail, nnog);
    if (nfail + nnog) {
        fputs("<h3>Failures and notes</h3>\n<table><tr><th>patient</th><th>reason</th></tr>\n", o);
        for (size_t i = 0; i < np; i++)
            if (status[i] != 0) {
                fputs("<tr><td>", o), html(o, pid[i]), fputs("</td><td>", o), html(o, reason[i]);
                fputs("</td></tr>\n", o);
            }
        fputs("</table>\n", o);
    }
    analysis_section(o, f, qc, nv, nph, pn);
    fprintf(o, "<h2>Variants</h2>\n<p>QC codes: ");
    html(o, codes);
    fputs("</p>\n<table><tr><th>code</th><th>variants</th></tr>\n", o);
    for (int code = 0; code <= 9; code++) {
        size_t cnt = 0;
        for (size_t v = 0; v < nv; v++) cnt += qc[v] == code;
        if (cnt) fprintf(o, "<tr><td>%d</td><td>%zu</td></tr>\n", code, cnt);
    }
    fprintf(o, "</table>\n<h2>Association</h2>\n<p>%zu phenotypes; %zu (variant, phenotype) "
               "pairs at -log10 p &ge; %g.</p>\n"
               "<img src=\"manhattan.png\" alt=\"Manhattan plot\" width=\"1200\"><br>\n"
               "<img src=\"qq.png\" alt=\"QQ plot\" width=\"520\">\n",
            nph, nh, threshold);
    /* The phenotype-wide threshold and the hits as loci (report_loci.c). */
    if ((err = report_loci(o, f, run_path, dir))) goto out;
    fputs("<h3>Phenotypes with hits</h3>\n", o);
    for (size_t k = 0; k < nsel; k++) {
        char nm[512];
        export_safe_name(pname[sel[k]], nm, sizeof nm);
        fputs("<h4>", o), html(o, pname[sel[k]]), fputs("</h4>\n", o);
        fprintf(o, "<img src=\"manhattan_%s.png\" width=\"1200\"><br><img src=\"qq_%s.png\" "
                   "width=\"520\">\n",
                nm, nm);
    }
    fputs("<h2>Genomic inflation (&lambda;<sub>GC</sub>) per phenotype</h2>\n"
          "<table><tr><th>phenotype</th><th>n</th><th>&lambda;<sub>GC</sub></th></tr>\n",
          o);
    for (size_t j = 0; j < nph; j++) {
        fputs("<tr><td>", o), html(o, pname[j]);
        fprintf(o, "</td><td>%.0f</td><td>%.3f</td></tr>\n", pn[j], lambda[j]);
    }
    fputs("</table>\n</body></html>\n", o);
    o = NULL;
    err = outfile_commit(&of);
    if (!err) log_info("report: %s (and the plots of %zu phenotypes with hits)", sb.s, nsel);
out:
    plot_finish();
    assoc_close(&as);
    outfile_abort(&of);
    h5in_free_strings(pid, np), h5in_free_strings(reason, np), h5in_free_strings(chrom, nv);
    h5in_free_strings(pname, nph), h5in_free_strings(hph, nh);
    free(codes), free(study), free(status), free(pos), free(qc), free(lambda), free(pn), free(hv);
    free(maxm), free(col), free(rows), free(big), free(hist), free(hits), free(sb.s);
    free(sel), free(locus), free(mine);
    h5in_close(f);
    return err;
}
