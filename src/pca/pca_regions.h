/* pca_regions.h — long-range LD regions excluded from the PCA.
 *
 * A few regions of the human genome (the MHC on chromosome 6, the inversions on 8p23 and
 * 17q21, ...) carry LD over megabases; left in, their variants make principal components of
 * their own instead of ancestry (Price et al. 2008, AJHG 83:132).  The coordinates are the
 * published list of those regions for GRCh37 and its liftover to GRCh38, as the University of
 * Michigan Center for Statistical Genetics lists them ("Regions of high linkage disequilibrium
 * (LD)").  Chromosome names match with or without a "chr" prefix. */
#ifndef RGX_PCA_REGIONS_H
#define RGX_PCA_REGIONS_H

/* build: "GRCh37", "GRCh38" or "none".  1 when chrom:pos lies in one of the build's regions. */
int pca_in_ld_region(const char *build, const char *chrom, long pos);
/* The number of regions of a build (0 for "none"; -1 for an unknown name). */
int pca_ld_regions_count(const char *build);

#endif
