/* texture.h — what the texture families share.
 *
 * GLRLM, GLSZM, GLDZM and NGLDM are all "grey level x j" count matrices (j = run length, zone
 * size, zone distance, dependence count) with the same 16 features in the same order
 * (IBSI 1, 3.7-3.11): short/long j emphasis, low/high grey level emphasis, their four
 * products, grey level non-uniformity (plain, normalised), j non-uniformity (plain,
 * normalised), percentage, grey level variance, j variance, j entropy; NGLDM adds energy.
 * Features averaged over several matrices (slices, directions) use tex_avg_t. */
#ifndef RGX_TEXTURE_H
#define RGX_TEXTURE_H

#include <stddef.h>

#include "features.h"

enum { TEX_ZONE_NF = 17 }; /* the 16 shared features + energy (used by NGLDM only) */

/* Features of a count matrix m (ng rows = grey levels 1..ng, nj columns whose j values are
 * jv[c]); nv is the voxel count the percentage divides by.  An empty matrix gives NaN. */
void tex_zone_features(const double *m, int ng, int nj, const double *jv, double nv,
                       double f[TEX_ZONE_NF]);

/* Features of a list of (grey level, j) items (zones, runs): the matrix is built with the
 * distinct j values as columns, so a zone size of 100,000 costs no more than one of 2. */
rgx_err tex_zone_list_features(const int *gl, const int *j, size_t n, int ng, double nv,
                               double f[TEX_ZONE_NF]);

/* Mean of feature vectors over the matrices that have any count (IBSI averages only over
 * slices/directions where the matrix is defined). */
typedef struct {
    double sum[32];
    int nf, n;
} tex_avg_t;
void tex_avg_add(tex_avg_t *a, const double *f, int nf);
/* The mean of feature k; NaN when no matrix was added. */
double tex_avg_get(const tex_avg_t *a, int k);

/* Appends nf features named "<prefix>_<name[k]><suffix>". */
rgx_err tex_emit(featvec_t *out, const char *prefix, const char *const *name, int nf,
                 const double *f, const char *suffix);

/* Index of voxel (x, y, z) of a roi grid. */
static inline size_t tex_idx(const int *d, int x, int y, int z)
{
    return (size_t)x + (size_t)d[0] * ((size_t)y + (size_t)d[1] * (size_t)z);
}

#endif
