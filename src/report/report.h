/* report.h — the study report of a run file: DIR/report.html with the cohort (patients,
 * failures and their reasons), the sites (report_sites.h: counts, box plots and principal
 * components before and after harmonisation), the variant QC counts, lambda GC per phenotype,
 * the phenotype-wide threshold (Meff) and the hits as loci (report_loci.h; every pair in
 * DIR/loci.html), and its plots as PNG: manhattan.png (every phenotype: each variant at its
 * smallest p), qq.png (every phenotype's p pooled), and manhattan_<phenotype>.png +
 * qq_<phenotype>.png for
 * every phenotype with hits (in the report: the strongest at each locus first).  Reads /assoc
 * in blocks of rows, so memory follows the number of variants, not variants x phenotypes. */
#ifndef RGX_REPORT_H
#define RGX_REPORT_H

#include "err.h"

/* The plots of the phenotypes with hits are shared among parts (part of parts: every parts-th
 * of them); part 0 also writes the pooled plots and the page (call it on every part, then
 * wait for all before the page is complete). */
rgx_err report_write(const char *run_path, const char *dir, int part, int parts);

/* The report of a run file without a scan (report_extract.c): version and date, the cohort
 * per site (patients, extracted, failed), every failure and note, the constant features, the
 * sites before and after harmonisation (report_sites.h), and each feature's median and
 * quartiles per site.  report_write calls it for such a file. */
rgx_err report_extraction(const char *run_path, const char *dir);

#endif
