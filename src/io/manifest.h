/* manifest.h — the cohort manifest: one patient per line of a TSV with a header.
 *
 *   patient_id  image_CT  mask  sample_id  site
 *   P0001       images/P0001_CT.nii.gz  masks/P0001.nii.gz  S0001  site1
 *
 * Columns: patient_id (required, unique); one or more image_<channel> columns; either one
 * shared `mask` column or one mask_<channel> per image channel (each mask on its channel's
 * grid); sample_id (the genotype sample; defaults to patient_id; unique); site (defaults to
 * "all"); genotypes (optional: this patient's VCF/BCF, for one genotype file per site).
 * Paths are relative to the manifest's folder.  Lines starting with '#' after the header and
 * blank lines are ignored.  Any other column is an error (a misspelt column must not be
 * silently ignored).
 *
 * manifest_read() checks the structure only (header, columns, duplicate ids, empty cells):
 * a broken manifest stops the run before any work.  Whether each patient's files exist and
 * agree is the plan's job (plan.h), which marks bad patients and lets the run go on. */
#ifndef RGX_MANIFEST_H
#define RGX_MANIFEST_H

#include <stddef.h>

#include "err.h"

typedef struct {
    char *patient_id, *sample_id, *site;
    char *genotypes; /* resolved path or NULL */
    char **image;    /* n_channels resolved paths */
    char **mask;     /* n_channels resolved paths (all the same for a shared mask column) */
    int line;        /* 1-based line in the manifest */
} manifest_row_t;

typedef struct {
    char *path;      /* as given */
    char *dir;       /* folder that relative paths start from */
    int n_channels;
    char **channel;  /* "CT", "PET", ... in column order */
    int shared_mask; /* 1: one `mask` column */
    int has_genotypes;
    size_t n;
    manifest_row_t *row;
    size_t n_problems;
    char **problem; /* "manifest.tsv:7: duplicate patient_id 'P0003' (also on line 4)" */
} manifest_t;

/* Reads and checks the structure.  Every problem is recorded in m->problem (one line each,
 * "file:line: what"); rows with a problem are left out.  Returns RGX_ERR_MANIFEST when there
 * is any problem (the message is the first one).  Call manifest_free() in every case. */
rgx_err manifest_read(const char *path, manifest_t *m);
void manifest_free(manifest_t *m);

/* The distinct per-patient genotype files (one per site), in order of first appearance:
 * *files (caller frees the array; the strings belong to m), *n of them (0 without the
 * genotypes column). */
rgx_err manifest_genotype_files(const manifest_t *m, const char ***files, size_t *n);

/* Index of a channel name, or -1 (used by the manifest's fuzz harness as an invariant). */
int manifest_channel(const manifest_t *m, const char *name);

#endif
