/* export_sumstats.h — the scan results of a run file as GWAS-SSF v1.1 summary statistics:
 * one bgzipped, tabix-indexed TSV per phenotype (DIR/<phenotype>.tsv.gz) with its YAML
 * metadata sidecar (DIR/<phenotype>.tsv.gz-meta.yaml), as the GWAS Catalog specifies. */
#ifndef RGX_EXPORT_SUMSTATS_H
#define RGX_EXPORT_SUMSTATS_H

#include <stddef.h>

#include "cfg.h"
#include "err.h"

/* Columns: chromosome, base_pair_location, effect_allele (ALT), other_allele (REF), beta,
 * standard_error, effect_allele_frequency, p_value, variant_id
 * (<chromosome>_<base_pair_location>_<REF>_<ALT>), n, neg_log_10_p_value; chromosomes as
 * 1-22, X=23, Y=24, MT=25.  Rows: the variants that passed QC, on a contig with such a
 * number and with nucleotide alleles (others counted in the log), that have a test for the
 * phenotype (every value present, as the GWAS Catalog's validator wants).  p below the
 * smallest double is printed from -log10 p ("3.2e-412").  The metadata: genome_assembly and
 * genotyping_technology from the run's recorded config (study.genome_build,
 * study.genotyping_technology: required, see export_sumstats_check), with overrides
 * ("study.genome_build=GRCh38"); the trait, covariates, transform and sample size from the run.
 * part/parts: this call writes phenotypes part, part + parts, ... (ranks share the work;
 * 0/1 for all of them). */
rgx_err export_sumstats(const char *run_path, const char *dir, int part, int parts,
                        char *const *overrides, int n_overrides);

/* RGX_ERR_CONFIG, with a message naming every missing key, when the config lacks what GWAS-SSF
 * metadata must say (study.genome_build, study.genotyping_technology). */
rgx_err export_sumstats_check(const cfg_t *cfg);

/* /hits with the variants' ids and positions, one line per (variant, phenotype), in genome
 * order: variant_id chrom pos ref alt phenotype beta se neg_log10_p study_wide (yes/no: at or
 * above the study-wide threshold alpha / Meff) locus (its locus, loci.h, with the half-window
 * window_kb; <= 0: the scan's). */
rgx_err export_hits(const char *run_path, const char *out_path, double window_kb);

/* A phenotype name as a file name: every byte but ASCII letters, digits, '_', '-', '+', '='
 * and '.' (not first: no hidden files, no "." or "..") becomes '_'; UTF-8 stays. */
void export_safe_name(const char *s, char *out, size_t n);
/* Refuses names that cannot be file names: empty, longer than EXPORT_NAME_MAX bytes, or equal
 * to another's after export_safe_name, ignoring case (the error lists the groups). */
#define EXPORT_NAME_MAX 200
rgx_err export_check_names(char *const *names, size_t n, const char *run_path);

/* p = 10^-m as text, exact in range for any m >= 0. */
void sumstats_p_text(double m, char *buf, size_t n);

#endif
