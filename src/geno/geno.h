/* geno.h — genotypes through HTSlib: VCF, VCF.gz and BCF, indexed or not.
 *
 * The genome is cut into units (windows of a contig, fixed by the header alone, so that the
 * same units come out whatever the number of ranks); a rank reads the units it owns: through
 * the index (.tbi or .csi) when there is one, else by one forward pass that parses the
 * genotypes only of the records in its units.  Dosages come from DS, or from GT hard calls
 * (allele counts); missing calls are NAN.
 *
 * VCF text (plain or bgzipped) is parsed here rather than by vcf_parse: a record's first nine
 * fields are split, and of the sample columns only the one FORMAT key needed (DS or GT) is
 * read, where vcf_parse would encode every key of every sample.  Values follow HTSlib's
 * conventions exactly (DS through float, as BCF stores it; "." missing), so VCF, VCF.gz and
 * BCF give the same bits (tests/e2e/scan.t).  Through the index, a unit is read from the
 * first chunk the index gives for its window, sequentially to the window's end (the tabix
 * iterator would scan every whole line to find its position).  Multi-allelic records are
 * skipped and counted (split them first with `bcftools norm -m-` to test each ALT). */
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
    bcf1_t *rec;      /* BCF input: the current record */
    int text;         /* VCF text: records parsed from line */
    int in_window;    /* indexed text: a unit is being read */
    kstring_t line;
    char *cur_line;   /* text: the current line (in line.s; indexed: in BGZF's block or buf) */
    char *buf;        /* indexed text: a line that spans BGZF blocks, assembled */
    size_t buf_cap;
    char *fld[9];     /* text: CHROM .. FORMAT of the current line (NUL-terminated) */
    char *samples;    /* text: the sample columns */
    uint64_t *tabs, *colons; /* text: bitmaps of the sample columns' separators */
    size_t n_words;
    /* The current record, for every format. */
    int v_rid;
    long v_pos; /* 1-based */
    int v_nallele;
    const char *v_id, *v_ref, *v_alt;
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
 * g->v_rid, v_pos, v_id, v_ref and v_alt (v_alt: the one ALT allele). */
int geno_next(geno_t *g, double *dose, rgx_err *err);

/* Counting: the next biallelic record of the unit without decoding genotypes; 1 and the
 * widths of ID, REF and ALT raised into w[0..2], or 0 at the end of the unit. */
int geno_next_site(geno_t *g, long w[3], rgx_err *err);

const char *geno_chrom(const geno_t *g, int rid);

#endif
