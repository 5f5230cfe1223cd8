/* report_analysis.c — see report_analysis.h. */
#include "report_analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "h5in.h"
#include "runfile.h"
#include "util.h"

void report_html_text(FILE *o, const char *s)
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

/* An attribute as text, or NULL (an older run file lacks it). */
static char *attr_or_null(hid_t f, const char *obj, const char *name)
{
    char *s = NULL;
    if (!h5in_exists(f, obj) || h5in_attr_str(f, obj, name, &s)) s = NULL;
    rgx_errclear();
    return s;
}

/* The path of the run's input of this role (its first), or NULL. */
static char *input_of_role(hid_t f, const char *role)
{
    char **r = NULL, **p = NULL, *out = NULL;
    size_t nr = 0, np = 0;
    if (h5in_exists(f, RF_PROV_INPUTS_ROLE) &&
        !h5in_read_strings(f, RF_PROV_INPUTS_ROLE, &nr, &r) &&
        !h5in_read_strings(f, RF_PROV_INPUTS_PATH, &np, &p))
        for (size_t i = 0; i < nr && i < np && !out; i++)
            if (!strcmp(r[i], role) && rgx_strdup(&out, p[i])) out = NULL;
    h5in_free_strings(r, nr), h5in_free_strings(p, np);
    rgx_errclear();
    return out;
}

/* Which feature group the scan read (the recorded scan.features): 1 harmonised, 0 raw, -1
 * not recorded. */
static int scanned_harmonised(hid_t f)
{
    char **txt = NULL;
    size_t nt = 0;
    cfg_t *cfg = NULL;
    int h = -1;
    if (h5in_exists(f, RF_PROV_CONFIG) && !h5in_read_strings(f, RF_PROV_CONFIG, &nt, &txt) &&
        nt == 1 && !cfg_parse(&cfg, txt[0], "the run's recorded config", rgx_schema, NULL, 0))
        h = !strcmp(cfg_str(cfg, "scan.features"), "harmonised");
    cfg_free(cfg);
    h5in_free_strings(txt, nt);
    rgx_errclear();
    return h;
}

/* ComBat as the run file records it (docs/cmd-harmonise.md). */
static void harmonisation_text(FILE *o, hid_t f)
{
    char *batch = attr_or_null(f, RF_HARM, "batch"), *method = attr_or_null(f, RF_HARM, "method");
    char *from = attr_or_null(f, RF_HARM, "applied_from");
    char **sites = NULL, **design = NULL;
    size_t ns = 0, nd = 0, np = 0, c0, kept = 0;
    double *code = NULL, mean_only = 0;
    if (h5in_read_strings(f, RF_HARM_SITES, &ns, &sites)) ns = 0;
    if (h5in_read_strings(f, RF_HARM_DESIGN, &nd, &design)) nd = 0;
    if (h5in_read_doubles(f, RF_HARM_CODE, &np, &c0, &code)) np = 0;
    if (h5in_attr_double(f, RF_HARM, "mean_only", &mean_only)) mean_only = 0;
    rgx_errclear();
    for (size_t j = 0; j < np; j++) kept += code[j] != 0;
    fputs(" after ComBat harmonisation across ", o);
    fprintf(o, "%zu sites (batch: ", ns);
    report_html_text(o, batch && *batch ? batch : "not recorded");
    fputs("; ", o), report_html_text(o, method && *method ? method : "not recorded");
    fputs(mean_only != 0 ? " empirical Bayes, location only" : " empirical Bayes", o);
    fputs("; covariates preserved: ", o);
    if (nd <= ns) fputs("none", o);
    for (size_t a = ns; a < nd; a++) fputs(a > ns ? ", " : "", o), report_html_text(o, design[a]);
    if (from && strspn(from, " ") < strlen(from))
        fputs("; site effects from ", o), report_html_text(o, from);
    fprintf(o, "; %zu of %zu features harmonised, %zu left as they were)", np - kept, np, kept);
    free(batch), free(method), free(from), free(code);
    h5in_free_strings(sites, ns), h5in_free_strings(design, nd);
}

/* Where the phenotypes came from. */
static void source_text(FILE *o, hid_t f)
{
    char *table = input_of_role(f, "phenotypes");
    fputs("<br>Phenotypes: ", o);
    if (table) {
        fputs("the table ", o), report_html_text(o, table);
    } else {
        int h = scanned_harmonised(f);
        fputs("the run's radiomic features", o);
        if (h == 1 && h5in_exists(f, RF_HARM_VALUES)) harmonisation_text(o, f);
        else if (h == 0) fputs(" as extracted (not harmonised)", o);
    }
    free(table);
}

/* The model of the outcome kind, the covariates, and what beta is per. */
static void model_text(FILE *o, int outcome, const char *tr, const char *cov)
{
    static const char *const what[3] = {
        "regressed on the ALT allele dosage and the covariates (%s), least squares with a t test; "
        "beta is per ALT allele",
        "(binary: case 1, control 0) by logistic regression on the ALT allele dosage and the "
        "covariates (%s): a score test, and where its p is below the screen (or the variant is "
        "rare in the smaller class) the full fit's Wald test, Firth's penalised fit where the "
        "fit separates; beta is the log odds ratio per ALT allele",
        "(time to event, censored) by Cox proportional hazards (Efron ties) on the ALT allele "
        "dosage and the covariates (%s): a score test, and where its p is below the screen the "
        "full fit's Wald test; beta is the log hazard ratio per ALT allele"};
    int k = outcome >= 0 && outcome <= 2 ? outcome : 0;
    int transformed = k == 0 && tr && strcmp(tr, "none");
    fputs(".<br>Model: each phenotype ", o);
    if (transformed) fputs("after a ", o), report_html_text(o, tr), fputs(" transform ", o);
    const char *p = strstr(what[k], "%s");
    fwrite(what[k], 1, (size_t)(p - what[k]), o);
    report_html_text(o, cov ? (*cov ? cov : "none besides the intercept") : "not recorded");
    fputs(p + 2, o);
    if (transformed) fputs(", in SDs of the transformed phenotype", o);
}

/* Samples per phenotype: their range; cases and controls, or events and censored. */
static void counts_text(FILE *o, hid_t f, int outcome, const double *n, size_t nph)
{
    static const char *const obj[3][2] = {{NULL, NULL},
                                          {RF_PHENOTYPES_N_CASE, RF_PHENOTYPES_N_CONTROL},
                                          {RF_PHENOTYPES_N_EVENTS, RF_PHENOTYPES_N_CENSORED}};
    static const char *const word[3][2] = {{NULL, NULL}, {"cases", "controls"},
                                           {"events", "censored"}};
    if (!nph) return;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t j = 0; j < nph; j++) lo = fmin(lo, n[j]), hi = fmax(hi, n[j]);
    fprintf(o, ".<br>Samples per phenotype: %.0f to %.0f", lo, hi);
    for (int s = 0; outcome >= 1 && outcome <= 2 && s < 2; s++) {
        double *v = NULL;
        size_t m = 0, c0;
        if (h5in_exists(f, obj[outcome][s]) &&
            !h5in_read_doubles(f, obj[outcome][s], &m, &c0, &v)) {
            lo = INFINITY, hi = -INFINITY;
            for (size_t j = 0; j < m; j++) lo = fmin(lo, v[j]), hi = fmax(hi, v[j]);
            if (m) fprintf(o, "%s%s %.0f to %.0f", s ? ", " : "; ", word[outcome][s], lo, hi);
        }
        free(v);
        rgx_errclear();
    }
    fputs(" (the table below)", o);
}

/* Variant QC in words, from /variants/qc. */
static void qc_text(FILE *o, const double *qc, size_t nv)
{
    static const char *const what[] = {"", "tested", "below the call-rate threshold",
                                       "below the minor allele frequency threshold",
                                       "below the minor allele count threshold",
                                       "out of Hardy-Weinberg equilibrium", "monomorphic"};
    fprintf(o, ".</p>\n<p>Variant QC: of %zu variants,", nv);
    for (int code = 1; code <= 6; code++) {
        size_t cnt = 0;
        for (size_t v = 0; v < nv; v++) cnt += qc[v] == code;
        if (cnt || code == 1) fprintf(o, "%s %zu %s", code > 1 ? ";" : "", cnt, what[code]);
    }
    fputs(".</p>\n", o);
}

void report_analysis(FILE *o, hid_t f, int outcome, const double *qc, size_t nv, const double *n,
                     size_t nph)
{
    char *ver = attr_or_null(f, RF_PROVENANCE, "radiogx_version");
    char *when = attr_or_null(f, RF_PROVENANCE, "start_time");
    char *tr = attr_or_null(f, RF_PHENOTYPES, "transform");
    char *cov = attr_or_null(f, RF_PHENOTYPES, "covariates");
    char *cst = attr_or_null(f, RF_FEATURES, "constant");
    fputs("<h2>Analysis</h2>\n<p>radiogx ", o);
    report_html_text(o, ver ? ver : "(version not recorded)");
    fputs(", run started ", o), report_html_text(o, when ? when : "(not recorded)");
    source_text(o, f);
    model_text(o, outcome, tr, cov);
    counts_text(o, f, outcome, n, nph);
    qc_text(o, qc, nv);
    if (cst && *cst) {
        size_t k = 1;
        for (const char *c = cst; *c; c++) k += *c == ',';
        fprintf(o, "<p>%zu features were constant over the cohort (no information for a scan): ",
                k);
        report_html_text(o, cst), fputs("</p>\n", o);
    }
    free(ver), free(when), free(tr), free(cov), free(cst);
}

void report_lambda_table(FILE *o, hid_t f, int outcome, char *const *names, const double *n,
                         const double *lambda, size_t nph)
{
    static const char *const obj[3][2] = {{NULL, NULL},
                                          {RF_PHENOTYPES_N_CASE, RF_PHENOTYPES_N_CONTROL},
                                          {RF_PHENOTYPES_N_EVENTS, RF_PHENOTYPES_N_CENSORED}};
    static const char *const head[3] = {"", "<th>cases</th><th>controls</th>",
                                        "<th>events</th><th>censored</th>"};
    int k = outcome >= 1 && outcome <= 2 ? outcome : 0;
    double *v[2] = {NULL, NULL};
    size_t m[2] = {0, 0}, c0;
    for (int s = 0; k && s < 2; s++)
        if (!h5in_exists(f, obj[k][s]) || h5in_read_doubles(f, obj[k][s], &m[s], &c0, &v[s]))
            m[s] = 0;
    rgx_errclear();
    int extra = k && m[0] == nph && m[1] == nph;
    fprintf(o, "<h2>Genomic inflation (&lambda;<sub>GC</sub>) per phenotype</h2>\n"
               "<table><tr><th>phenotype</th><th>n</th>%s<th>&lambda;<sub>GC</sub></th></tr>\n",
            extra ? head[k] : "");
    for (size_t j = 0; j < nph; j++) {
        fputs("<tr><td>", o), report_html_text(o, names[j]);
        fprintf(o, "</td><td>%.0f</td>", n[j]);
        if (extra) fprintf(o, "<td>%.0f</td><td>%.0f</td>", v[0][j], v[1][j]);
        fprintf(o, "<td>%.3f</td></tr>\n", lambda[j]);
    }
    fputs("</table>\n", o);
    free(v[0]), free(v[1]);
}
