/* mesh.h — the marching-cubes surface of a binary mask (IBSI 1, 3.1: the mesh-based
 * morphological features).
 *
 * The mask is padded by one empty voxel on every side and meshed at the iso-level 0.5, so
 * every vertex lies at the midpoint of a grid edge between an ROI and a non-ROI voxel centre.
 * Vertices are returned in doubled voxel units (integers: 2 * voxel index, +-1 along the
 * edge), which keeps the convex hull exact. */
#ifndef RGX_MESH_H
#define RGX_MESH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct {
    double volume, area; /* mm^3, mm^2 */
    int32_t (*vert)[3];  /* distinct vertices, doubled voxel units, in no set order */
    size_t n_vert;
} mesh_t;

/* mask: dim[0] * dim[1] * dim[2] bytes, x fastest; spacing in mm. */
rgx_err mesh_build(const uint8_t *mask, const int dim[3], const double spacing[3], mesh_t *m);
void mesh_free(mesh_t *m);

#endif
