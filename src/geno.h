/* geno.h — genotypes through HTSlib: VCF, VCF.gz and BCF, indexed or not.
 *
 * The genome is cut into units (windows of a contig, fixed by the header alone, so that the
 * same units come out whatever the number of ranks); a rank reads the units it owns: through
 * the index (.tbi or .csi) when there is one, else by one forward pass that parses the
 * genotypes only of the records in its units.  Dosages come from DS, or from GT hard calls
 * (allele counts); missing calls are NAN.  Multi-allelic records are skipped and counted
 * (split them first with `bcftools norm -m-` to test each ALT). */
#ifndef RGX_GENO_H
#define RGX_GENO_H

#include <htslib/hts.h>
#include <htslib/kstring.h>
#include <htslib/tbx.h>
#include <htslib/vcf.h>
#include <stddef.h>

#include "err.h"

typedef struct {
    int rid;       /* contig index in the header */
    long beg, end; /* 1-based, inclusive */
} geno_unit_t;

typedef struct {
    char *path;
    htsFile *fp;
    bcf_hdr_t *hdr;
    tbx_t *tbx;     /* VCF.gz index */
    hts_idx_t *idx; /* BCF index */
    hts_itr_t *itr;
    int indexed;
    int use_ds; /* 1: DS, 0: GT */
    int n;      /* analysis samples */
    int *col;   /* analysis sample -> VCF column */
    bcf1_t *rec;
    kstring_t line;
    float *ds;
    int32_t *gt;
    int nds, ngt;
    geno_unit_t cur; /* the unit being read */
    int pending;     /* unindexed: rec holds a record read ahead */
    int last_rid;    /* unindexed: the last record consumed (-1: none) */
    long last_pos;
    long n_multi; /* multi-allelic records skipped */
} geno_t;

/* Opens path for the given samples (every one must be in the header: RGX_ERR_INPUT names the
 * first missing one).  dosage: "DS", "GT", or NULL/"auto" (DS when the header has it). */
rgx_err geno_open(geno_t *g, const char *path, char *const *samples, int n, const char *dosage);
void geno_close(geno_t *g);

/* The units: every contig of the header (restricted to chroms, a comma list, and to region
 * "chr:from-to" or "chr" when given), cut into windows of unit_bp.  Caller frees *units. */
rgx_err geno_units(const geno_t *g, long unit_bp, const char *chroms, const char *region,
                   geno_unit_t **units, size_t *n_units);

/* Starts reading unit u. */
rgx_err geno_begin(geno_t *g, const geno_unit_t *u);
/* The next biallelic record of the unit: 1 with the dosages of the n samples in dose
 * (NAN when missing; dose NULL: only count), 0 at the end of the unit.  The record is
 * g->rec (for dose == NULL on indexed VCF only CHROM/POS are known). */
int geno_next(geno_t *g, double *dose, rgx_err *err);

/* Counting: the next biallelic record of the unit without decoding genotypes (on indexed
 * VCF.gz only the text's first five fields are read); 1 and the widths of ID, REF and ALT
 * raised into w[0..2], or 0 at the end of the unit. */
int geno_next_site(geno_t *g, long w[3], rgx_err *err);

const char *geno_chrom(const geno_t *g, int rid);

#endif
