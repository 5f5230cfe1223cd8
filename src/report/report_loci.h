/* report_loci.h — the report's study-wide part: the phenotype-wide threshold (Meff, alpha /
 * Meff) and the locus table (loci.h: one row per locus, strongest first, its lead pair), with
 * every locus's (variant, phenotype) pairs on a second page, DIR/loci.html, that each row
 * links to. */
#ifndef RGX_REPORT_LOCI_H
#define RGX_REPORT_LOCI_H

#include <hdf5.h>
#include <stdio.h>

#include "err.h"

/* Writes the section into the open page o and DIR/loci.html. */
rgx_err report_loci(FILE *o, hid_t f, const char *run_path, const char *dir);

#endif
