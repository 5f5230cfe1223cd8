/* mesh.c — marching cubes on a binary mask, without the classic 256-case triangle table:
 * each cube's polygons are found by walking its faces.  On a face, the edges whose corners
 * differ are joined by segments; a face with two diagonal ROI corners (the ambiguous case) is
 * cut so that each ROI corner is separated from the other.  Every cut edge then has exactly two
 * segments (one per face), so the segments form closed loops: the polygons.  Each polygon is
 * triangulated (see triangulate) and oriented so that its normal points from the ROI corners of its
 * edges to the others; the volume follows from the divergence theorem.  The face rule only
 * looks at the face's own corners, so neighbouring cubes agree and the surface is closed. */
#include "mesh.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Corner c of a cube is at (c & 1, c >> 1 & 1, c >> 2 & 1). */
typedef struct {
    int n;              /* number of polygons */
    int len[4];         /* vertices per polygon */
    int8_t edge[4][12]; /* the cut edges, in loop order */
    int8_t tri[4][10][3]; /* each polygon's len - 2 triangles, as positions in its loop */
} cube_case_t;

/* The 12 edges by their two corners: 4 along x, 4 along y, 4 along z. */
static const int edge_a[12] = {0, 2, 4, 6, 0, 1, 4, 5, 0, 1, 2, 3};
static const int edge_b[12] = {1, 3, 5, 7, 2, 3, 6, 7, 4, 5, 6, 7};

static int edge_of(int a, int b)
{
    for (int e = 0; e < 12; e++)
        if ((edge_a[e] == a && edge_b[e] == b) || (edge_a[e] == b && edge_b[e] == a)) return e;
    return -1;
}

static void edge_mid(int e, double p[3])
{
    for (int t = 0; t < 3; t++) p[t] = ((edge_a[e] >> t & 1) + (edge_b[e] >> t & 1)) / 2.0;
}

/* Every triangulation of the loop p[0..n-1], by splitting the pending stretches i..j at each
 * k; calls visit() with the triangles, their total area and their signed volume about the
 * cube's centre (at most Catalan(10) = 16,796 for the largest polygon, 12 vertices). */
typedef struct {
    const double (*p)[3];
    int pass, nt;
    int8_t cur[10][3];
    double best_area, vol_seen[64];
    int vol_count[64], n_vol, mode;
    int8_t (*out)[3];
    int done;
} tri_search_t;

static void tri_visit(tri_search_t *t, double area, double vol)
{
    const double eps = 1e-9;
    if (t->pass == 0) {
        if (area > t->best_area + eps) t->best_area = area, t->n_vol = 0;
        if (area < t->best_area - eps) return;
        int q = 0;
        while (q < t->n_vol && fabs(t->vol_seen[q] - vol) > eps) q++;
        if (q == t->n_vol && q < 64) t->vol_seen[q] = vol, t->vol_count[q] = 0, t->n_vol++;
        if (q < 64) t->vol_count[q]++;
    } else if (!t->done && area > t->best_area - eps && fabs(vol - t->vol_seen[t->mode]) <= eps) {
        memcpy(t->out, t->cur, (size_t)t->nt * sizeof t->cur[0]);
        t->done = 1;
    }
}

static void tri_enum(tri_search_t *t, int (*stack)[2], int top, double area, double vol)
{
    while (top && stack[top - 1][1] - stack[top - 1][0] < 2) top--;
    if (!top) {
        tri_visit(t, area, vol);
        return;
    }
    int i = stack[top - 1][0], j = stack[top - 1][1];
    for (int k = i + 1; k < j; k++) {
        int next[12][2];
        memcpy(next, stack, (size_t)(top - 1) * sizeof next[0]);
        next[top - 1][0] = i, next[top - 1][1] = k;
        next[top][0] = k, next[top][1] = j;
        double c[3], e1[3], e2[3], o = 0;
        for (int u = 0; u < 3; u++)
            e1[u] = t->p[k][u] - t->p[i][u], e2[u] = t->p[j][u] - t->p[i][u];
        c[0] = e1[1] * e2[2] - e1[2] * e2[1];
        c[1] = e1[2] * e2[0] - e1[0] * e2[2];
        c[2] = e1[0] * e2[1] - e1[1] * e2[0];
        for (int u = 0; u < 3; u++) o += (t->p[i][u] - 0.5) * c[u];
        t->cur[t->nt][0] = (int8_t)i, t->cur[t->nt][1] = (int8_t)k, t->cur[t->nt][2] = (int8_t)j;
        t->nt++;
        tri_enum(t, next, top + 1, area + sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]) / 2,
                 vol + o / 6);
        t->nt--;
    }
}

/* The polygon's triangulation: the one of largest total area, which is the choice the
 * marching-cubes tables behind IBSI's reference values make for the non-planar polygons
 * (the 3-corner pentagon and the twisted hexagons); for planar ones every triangulation has
 * the same area and volume.  Where triangulations of equal largest area enclose different
 * volumes (mirror images of each other, in the 4- and 5-corner cases), the volume most of
 * them share is taken, which keeps the measured volume the same for mirrored shapes where
 * the tie is symmetric.  Computed once per case on the unit cube. */
static void triangulate(const int8_t *edge, int n, int8_t tri[][3])
{
    double p[12][3];
    for (int q = 0; q < n; q++) edge_mid(edge[q], p[q]);
    tri_search_t t = {.p = (const double(*)[3])p, .best_area = -1, .out = tri};
    int stack[12][2] = {{0, n - 1}};
    tri_enum(&t, stack, 1, 0, 0);
    for (int q = 1; q < t.n_vol; q++)
        if (t.vol_count[q] > t.vol_count[t.mode]) t.mode = q;
    t.pass = 1;
    tri_enum(&t, stack, 1, 0, 0);
}

static void build_cases(cube_case_t *cases)
{
    for (int cfg = 0; cfg < 256; cfg++) {
        cube_case_t *cc = &cases[cfg];
        memset(cc, 0, sizeof *cc);
        int link[12][2], nlink[12] = {0};
        for (int axis = 0; axis < 3; axis++)
            for (int side = 0; side < 2; side++) {
                int b = (axis + 1) % 3, c = (axis + 2) % 3, corner[4];
                const int cyc[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
                for (int k = 0; k < 4; k++)
                    corner[k] = side << axis | cyc[k][0] << b | cyc[k][1] << c;
                int in[4], fe[4], ncut = 0;
                for (int k = 0; k < 4; k++) in[k] = cfg >> corner[k] & 1;
                for (int k = 0; k < 4; k++) {
                    fe[k] = edge_of(corner[k], corner[(k + 1) % 4]); /* edge k: corner k..k+1 */
                    ncut += in[k] != in[(k + 1) % 4];
                }
                int seg[2][2], nseg = 0;
                if (ncut == 2) {
                    int s = 0;
                    for (int k = 0; k < 4; k++)
                        if (in[k] != in[(k + 1) % 4]) seg[0][s++] = fe[k];
                    nseg = 1;
                } else if (ncut == 4) { /* cut off each ROI corner: edges k-1 and k meet there */
                    for (int k = 0; k < 4; k++)
                        if (in[k]) seg[nseg][0] = fe[(k + 3) % 4], seg[nseg][1] = fe[k], nseg++;
                }
                for (int s = 0; s < nseg; s++) {
                    int p = seg[s][0], q = seg[s][1];
                    link[p][nlink[p]++] = q;
                    link[q][nlink[q]++] = p;
                }
            }
        int used[12] = {0};
        for (int start = 0; start < 12; start++) {
            if (!nlink[start] || used[start]) continue;
            int prev = -1, cur = start, n = 0;
            do {
                used[cur] = 1;
                cc->edge[cc->n][n++] = (int8_t)cur;
                int next = link[cur][0] != prev ? link[cur][0] : link[cur][1];
                prev = cur, cur = next;
            } while (cur != start);
            triangulate(cc->edge[cc->n], n, cc->tri[cc->n]);
            cc->len[cc->n++] = n;
        }
    }
}

/* Bits 0..3 of s at bits 0, 2, 4, 6: a column of four voxels (dy, dz) as the cube corners
 * (0, dy, dz); shifted left by one, as the corners (1, dy, dz). */
static unsigned spread(unsigned s)
{
    return (s & 1) | (s & 2) << 1 | (s & 4) << 2 | (s & 8) << 3;
}

/* Adds vertex d to m (grown as needed). */
static rgx_err add_vertex(mesh_t *m, size_t *cap, const int32_t d[3])
{
    rgx_err err = rgx_reserve(&m->vert, cap, m->n_vert + 1, sizeof *m->vert);
    if (!err) memcpy(m->vert[m->n_vert++], d, 3 * sizeof(int32_t));
    return err;
}

rgx_err mesh_build(const uint8_t *mask, const int dim[3], const double spacing[3], mesh_t *m)
{
    memset(m, 0, sizeof *m);
    cube_case_t *cases = NULL;
    uint8_t *zero = NULL;
    size_t cap = 0;
    rgx_err err;
    if ((err = rgx_calloc(&cases, 256, sizeof *cases)) ||
        (err = rgx_calloc(&zero, (size_t)dim[0] + 1, 1)))
        goto out;
    build_cases(cases);
    double vol = 0, area = 0;
    const double h[3] = {spacing[0] / 2, spacing[1] / 2, spacing[2] / 2};
    /* Cubes span voxel centres i..i+1 for i = -1 .. dim - 1 (the padding).  Along a row of
     * cubes the four voxel rows (j or j + 1, k or k + 1) are read once each: a cube's corner
     * configuration is its left neighbour's right column and its own right column. */
    for (int k = -1; k < dim[2]; k++)
        for (int j = -1; j < dim[1]; j++) {
            const uint8_t *row[4]; /* (dy, dz) = (t & 1, t >> 1); zero outside the grid */
            int lo = dim[0], hi = -1;  /* the voxels any of them holds */
            for (int t = 0; t < 4; t++) {
                int y = j + (t & 1), z = k + (t >> 1);
                row[t] = zero;
                if (y < 0 || z < 0 || y >= dim[1] || z >= dim[2]) continue;
                const uint8_t *r = mask + (size_t)dim[0] * ((size_t)y + (size_t)dim[1] * (size_t)z);
                int a = 0, b = dim[0] - 1;
                while (a <= b && !r[a]) a++;
                while (b >= a && !r[b]) b--;
                if (a > b) continue;
                row[t] = r;
                if (a < lo) lo = a;
                if (b > hi) hi = b;
            }
            if (hi < 0) continue;
            unsigned left = 0; /* the column at x = i: none left of lo */
            for (int i = lo - 1; i <= hi; i++) {
                int x = i + 1;
                unsigned right = 0;
                if (x <= hi)
                    for (int t = 0; t < 4; t++) right |= (unsigned)(row[t][x] != 0) << t;
                int cfg = (int)(spread(left) | spread(right) << 1);
                left = right;
                if (cfg == 0 || cfg == 255) continue;
                /* The vertices on the cube's three edges from corner 0 (along x, y, z): every
                 * grid edge is such an edge of exactly one cube, so each vertex once. */
                for (int t = 0; t < 3; t++) {
                    int b = 1 << t;
                    if ((cfg & 1) == (cfg >> b & 1)) continue;
                    int32_t d[3] = {2 * i, 2 * j, 2 * k};
                    d[t] += 1;
                    if ((err = add_vertex(m, &cap, d))) goto out;
                }
                const cube_case_t *cc = &cases[cfg];
                for (int p = 0; p < cc->n; p++) {
                    int n = cc->len[p];
                    double v[12][3], out[3] = {0, 0, 0};
                    for (int q = 0; q < n; q++) {
                        int e = cc->edge[p][q], a = edge_a[e], b = edge_b[e];
                        int32_t d[3] = {2 * i + (a & 1) + (b & 1),
                                        2 * j + (a >> 1 & 1) + (b >> 1 & 1),
                                        2 * k + (a >> 2 & 1) + (b >> 2 & 1)};
                        int sgn = (cfg >> a & 1) ? 1 : -1; /* from the ROI corner a to b */
                        for (int t = 0; t < 3; t++) {
                            v[q][t] = d[t] * h[t];
                            out[t] += sgn * (((b >> t) & 1) - ((a >> t) & 1));
                        }
                    }
                    /* The case's triangles keep the loop's orientation; flip the whole
                     * polygon if it faces the ROI. */
                    double nrm[3] = {0, 0, 0}, tv = 0, ta = 0;
                    for (int t = 0; t < n - 2; t++) {
                        const double *p0 = v[cc->tri[p][t][0]], *p1 = v[cc->tri[p][t][1]],
                                     *p2 = v[cc->tri[p][t][2]];
                        double e1[3], e2[3], c[3];
                        for (int u = 0; u < 3; u++) e1[u] = p1[u] - p0[u], e2[u] = p2[u] - p0[u];
                        c[0] = e1[1] * e2[2] - e1[2] * e2[1];
                        c[1] = e1[2] * e2[0] - e1[0] * e2[2];
                        c[2] = e1[0] * e2[1] - e1[1] * e2[0];
                        for (int u = 0; u < 3; u++) nrm[u] += c[u];
                        ta += sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]) / 2;
                        tv += (p0[0] * c[0] + p0[1] * c[1] + p0[2] * c[2]) / 6;
                    }
                    double dot = nrm[0] * out[0] + nrm[1] * out[1] + nrm[2] * out[2];
                    vol += dot >= 0 ? tv : -tv;
                    area += ta;
                }
            }
        }
    m->volume = fabs(vol), m->area = area;
out:
    free(cases), free(zero);
    if (err) mesh_free(m);
    return err;
}

void mesh_free(mesh_t *m)
{
    free(m->vert);
    memset(m, 0, sizeof *m);
}
