/* geno.h — genotype sources: every format behind one interface.
 *
 * A source is opened with a sample subset, iterates records as dosages plus site metadata,
 * and starts reading at a region (a unit) — through an index where the format has one.  The
 * join, QC, blocks, checkpoints and both decompositions of the scan see only this interface,
 * so a new format is one file (geno_<format>.c) and one line in the format table (geno.c).
 *
 * The genome is cut into units: windows of a contig, fixed by the file's header (or its
 * variant list) alone, so that the same units come out whatever the number of ranks.  A rank
 * reads the units it owns.  Dosages are of the ALT allele (the second allele), in [0, 2];
 * missing calls are NAN.  Records that are not biallelic are skipped and counted by reason
 * (geno_skip_t), decided from the site alone so that counting and reading agree on the rows.
 * A call the format cannot give as a dosage in [0, 2] (a ploidy above 2) is missing and counted
 * (n_bad_calls); haploid calls count 0 or 2 (counted on autosomes: n_haploid_calls); a call
 * with one allele missing (0/.) is missing and counted (n_half_calls).  The counts are of the
 * analysis samples' calls decoded; the scan logs them.  A value that is no call at all (GT
 * 0|X, an allele beyond the record's, a DS outside [0, 2] or not a number) is an error naming
 * the record and the sample. */
#ifndef RGX_GENO_H
#define RGX_GENO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strmap.h"

typedef struct {
    int rid;       /* contig index (geno_t.contig) */
    long beg, end; /* 1-based, inclusive */
} geno_unit_t;

/* Why a record was skipped. */
typedef enum {
    GENO_SKIP_MULTIALLELIC, /* more than one ALT allele (split them first: bcftools norm -m-) */
    GENO_SKIP_NO_ALT,       /* no ALT allele (a monomorphic site written with ALT ".") */
    GENO_SKIP_N
} geno_skip_t;
extern const char *const geno_skip_name[GENO_SKIP_N];

typedef struct geno geno_t;

/* A list of file names (geno_files). */
typedef struct {
    char **name;
    int n;
    size_t cap;
} geno_file_list_t;
/* Adds path (copied) to the list; when optional, only if it can be read. */
rgx_err geno_file_add(geno_file_list_t *l, const char *path, int optional);

/* One format.  open() reads the header: the file's samples (n_file, sample()) and contigs;
 * select() is told the analysis samples (g->col, g->n) before the first record; begin()
 * positions at a unit; next() gives the unit's next record's site (g->v_*, every record, the
 * multi-allelic ones too), 0 at its end; dosages() decodes the current record for the analysis
 * samples (dose[i] for column g->col[i]).  next() and dosages() return -1 with *err on failure. */
typedef struct {
    const char *name;       /* "vcf", "bed", "bgen" */
    const char *extensions; /* space-separated endings that select the format */
    rgx_err (*open)(geno_t *g, const char *dosage);
    const char *(*sample)(const geno_t *g, int col);
    rgx_err (*select)(geno_t *g);
    rgx_err (*begin)(geno_t *g, const geno_unit_t *u);
    int (*next)(geno_t *g, rgx_err *err);
    int (*dosages)(geno_t *g, double *dose, rgx_err *err);
    void (*close)(geno_t *g);
    /* Optional (NULL: the format has no hard calls of its own): the current record's hard
     * calls, packed as geno_next_calls gives them. */
    int (*calls)(geno_t *g, uint8_t *packed, rgx_err *err);
    /* The files path stands for (geno_files); NULL: path alone. */
    rgx_err (*files)(const char *path, geno_file_list_t *list);
} geno_format_t;

struct geno {
    const geno_format_t *fmt;
    void *impl; /* the format's own state */
    char *path;
    /* The header. */
    int n_file;           /* samples in the file */
    int n_contigs;
    char **contig;        /* names */
    long *contig_len;     /* 0: unknown (the contig is then one unit) */
    int indexed;          /* begin() seeks (else: one forward pass) */
    const char *values;   /* what the dosages are, for the log ("DS dosages", "GT hard calls") */
    /* The analysis samples. */
    int n;
    int *col; /* analysis sample -> file column */
    /* The current record. */
    int v_rid;
    long v_pos; /* 1-based */
    int v_nallele;
    const char *v_id, *v_ref, *v_alt; /* v_alt: the first ALT allele ("." when none) */
    long n_skip[GENO_SKIP_N]; /* records skipped */
    long n_bad_calls;         /* calls made missing (ploidy 0 or above 2: BGEN has ploidy 0) */
    long n_half_calls;        /* calls made missing (one allele missing: 0/.) */
    long n_haploid_calls;     /* haploid calls counted 0 or 2 on an autosome */
    void *sample_index; /* id -> column hash, built on demand (geno_sample_col) */
};

/* Opens path for the given samples (NULL, 0: the header only, for geno_sample_col).  format:
 * "vcf", "bed", "bgen", or NULL/"auto" (from the file name).  dosage: the VCF's FORMAT key,
 * "DS", "GT" or NULL/"auto"; other formats take NULL/"auto" only.  Every sample must be in
 * the file: RGX_ERR_INPUT names the first missing one. */
rgx_err geno_open(geno_t *g, const char *path, const char *format, char *const *samples, int n,
                  const char *dosage);
void geno_close(geno_t *g);

/* The file column of a sample id, or -1. */
int geno_sample_col(geno_t *g, const char *id);

/* The units: every contig (restricted to chroms, a comma list, and to region "chr:from-to"
 * or "chr" when given), cut into windows of unit_bp.  Caller frees *units. */
rgx_err geno_units(const geno_t *g, long unit_bp, const char *chroms, const char *region,
                   geno_unit_t **units, size_t *n_units);

/* Starts reading unit u. */
rgx_err geno_begin(geno_t *g, const geno_unit_t *u);
/* The next record of the unit that gives dosages: 1 with the dosages of the n samples in
 * dose (dose NULL: the site only, not decoded), 0 at the end of the unit, -1 with *err.
 * The record is g->v_rid, v_pos, v_id, v_ref and v_alt. */
int geno_next(geno_t *g, double *dose, rgx_err *err);
/* A format that holds hard calls (.bed) also gives them packed, without doubles: 2 bits per
 * analysis sample, 0, 1 or 2 ALT alleles or 3 missing; sample i in bits 2 (i % 4) of byte
 * i / 4, the last byte's unused bits 0 ((n + 3) / 4 bytes).  geno_has_calls: whether g's
 * format can; geno_next_calls is then geno_next with the calls (packed NULL: the site only). */
int geno_has_calls(const geno_t *g);
int geno_next_calls(geno_t *g, uint8_t *packed, rgx_err *err);
/* Counting: geno_next without dosages, and the widths of ID, REF and ALT raised into w[0..2]. */
int geno_next_site(geno_t *g, long w[3], rgx_err *err);

const char *geno_chrom(const geno_t *g, int rid);

/* What a contig is, by its name (plink2's names and codes: X, chrX, 23; Y, 24; XY, PAR1, PAR2,
 * 25; MT, M, 26; with or without "chr"). */
typedef enum { GENO_AUTOSOME, GENO_X, GENO_Y, GENO_PAR, GENO_MT } geno_contig_class_t;
geno_contig_class_t geno_contig_class(const char *name);
/* The pseudo-autosomal regions of chrX in a build ("b37"/"hg19", "b38"/"hg38"): two
 * inclusive ranges; 0 for an unknown build. */
int geno_par_ranges(const char *build, long par[2][2]);
/* The contig index of a name, or -1. */
int geno_contig_id(const geno_t *g, const char *name);

/* For the formats (geno_*.c): set the contig table (names copied). */
rgx_err geno_set_contigs(geno_t *g, int n, char *const *names, const long *len);
/* For the formats' pass over their variants (.bim, BGEN headers): the contigs in file order
 * with their lengths (the largest position seen), and the order every format requires —
 * a chromosome's records together and sorted by position. */
typedef struct {
    char **name;
    long *len;
    size_t n, cap;
    strmap_t index;
    int rid; /* the last record's contig (-1: none yet) and position */
    long pos;
} geno_pass_t;
typedef enum { GENO_PASS_OK, GENO_PASS_REPEATED, GENO_PASS_UNSORTED } geno_pass_order_t;
rgx_err geno_pass_init(geno_pass_t *p);
/* A record at chrom:pos; *rid its contig.  *order says which rule it breaks (the caller names
 * the record in its error; p->pos is then the position it came after). */
rgx_err geno_pass_add(geno_pass_t *p, const char *chrom, long pos, int *rid,
                      geno_pass_order_t *order);
/* The contigs found become g's (geno_set_contigs). */
rgx_err geno_pass_set(geno_t *g, const geno_pass_t *p);
void geno_pass_free(geno_pass_t *p);
/* For the formats: a record the format found malformed, named by its contig and position. */
rgx_err geno_bad_record(const geno_t *g, const char *what);

/* Whether path can be opened: a readable file, or the prefix of a PLINK fileset (PATH.bed
 * exists and PATH does not). */
int geno_readable(const char *path);
int geno_bed_prefix(const char *path);
/* The files of a genotype input (a comma list, as the scan takes it; format as geno_open's):
 * each file itself (a PLINK prefix as PREFIX.bed) and the files read with it (PREFIX.bim and
 * PREFIX.fam).  For provenance and the scan's run key.  Free with geno_files_free. */
rgx_err geno_files(const char *list, const char *format, char ***files, int *n);
void geno_files_free(char **files, int n);

extern const geno_format_t geno_vcf, geno_bed, geno_bgen;

#endif
