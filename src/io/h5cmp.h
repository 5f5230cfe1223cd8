/* h5cmp.h — bitwise comparison of groups of two run files (what `radiogx verify` and the
 * reproducibility tests rely on). */
#ifndef RGX_H5CMP_H
#define RGX_H5CMP_H

#include <stddef.h>

#include "err.h"

/* Compares the objects (groups, recursively, or datasets) in both files: same members,
 * shapes, types and bytes (NaN compared by bits).  *same = 1 when identical; otherwise
 * *diff says where the first difference is ("/assoc/beta[12,3]: 0.1234 vs 0.1235").
 * An object absent from both files is not a difference. */
rgx_err h5cmp_files(const char *a, const char *b, const char *const *objs, size_t n, int *same,
                    char **diff);

#endif
