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

/* The neighbours of a voxel within Chebyshev distance delta, in its slice (dz 0) or also dz
 * slices either side: their offsets in the grid, z then y then x ascending (the order of the
 * loops they replace), the voxel itself left out. */
typedef struct {
    int n, delta, dz;
    ptrdiff_t *off;
    int (*step)[3]; /* each neighbour's (dx, dy, dz) */
} tex_nbhd_t;
rgx_err tex_nbhd(const int *d, int delta, int dz, tex_nbhd_t *nb);
void tex_nbhd_free(tex_nbhd_t *nb);
/* 1 when every neighbour of (x, y, z) lies in the grid (no bounds test needed). */
static inline int tex_nbhd_inside(const int *d, const tex_nbhd_t *nb, int x, int y, int z)
{
    return x >= nb->delta && x < d[0] - nb->delta && y >= nb->delta && y < d[1] - nb->delta &&
           z >= nb->dz && z < d[2] - nb->dz;
}
/* 1 when neighbour q of (x, y, z) lies in the grid. */
static inline int tex_nbhd_has(const int *d, const tex_nbhd_t *nb, int q, int x, int y, int z)
{
    int a = x + nb->step[q][0], b = y + nb->step[q][1], c = z + nb->step[q][2];
    return a >= 0 && b >= 0 && c >= 0 && a < d[0] && b < d[1] && c < d[2];
}

/* A per-voxel int field of the grid d (the levels, or a border-distance map) for slices
 * z0 .. z0 + nz - 1, copied into *out: a grid padded by one voxel of 0 on every side (along
 * z only when pad_z), rows of d[0] + 2 and planes of (d[0] + 2) (d[1] + 2) values, voxel
 * (x, y, z0 + k) at tex_padded_idx(d, x, y, k, pad_z).  Runs and zones then end at the
 * padding, and a neighbour needs no bounds test. */
rgx_err tex_padded(const int *d, const int *field, int z0, int nz, int pad_z, int **out);
static inline size_t tex_padded_idx(const int *d, int x, int y, int k, int pad_z)
{
    return (size_t)x + 1 +
           ((size_t)d[0] + 2) * ((size_t)y + 1 + ((size_t)d[1] + 2) * (size_t)(k + pad_z));
}


/* Zones (GLSZM, GLDZM): connected voxels of one grey level, 26-connected in 3D or
 * 8-connected within a slice. */
typedef struct {
    int *gl, *size, *dist; /* grey level, voxel count, smallest border distance */
    size_t n, cap;
    size_t voxels;         /* sum of the sizes */
} tex_zones_t;

/* Appends the zones of slice z (z >= 0, in-slice connectivity) or of the whole ROI (z < 0).
 * dmap: border distance per voxel (tex_border_distance), or NULL. */
rgx_err tex_find_zones(const roi_t *r, int z, const int *dmap, tex_zones_t *zs);
void tex_zones_free(tex_zones_t *zs);

/* City-block distance of every voxel of the morphological mask to the nearest voxel outside
 * it (the grid's outside counts as outside): 1 on the border.  The morphological mask, not
 * the re-segmented one: holes left by re-segmentation are not borders (IBSI 1, 3.9; the
 * reference values of configuration A depend on it).  in_slice: 4-connected within each slice
 * (2D), else 6-connected (3D).  dmap has one int per voxel, 0 outside the mask. */
void tex_border_distance(const roi_t *r, int in_slice, int *dmap);

/* GLSZM (by_distance 0: j = zone size) and GLDZM (1: j = smallest border distance) for the
 * enabled dimensions: _2D (per slice, averaged over slices with ROI voxels), _2_5D (the zones of
 * every slice in one matrix), _3D.  names: the 16 feature names after "<prefix>_". */
rgx_err tex_zone_family(const roi_t *r, const feat_settings_t *s, int by_distance,
                        const char *prefix, const char *const *names, featvec_t *out);

#endif
