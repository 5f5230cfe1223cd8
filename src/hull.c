/* hull.c — incremental 3D convex hull.
 *
 * A point between two others on a line cannot be a hull vertex, so along each axis every
 * line of points keeps only its two end points first.  Then Quickhull: each remaining point
 * waits in the outside set of one face it sees; the farthest point of a face's set becomes a
 * vertex, the faces it sees are removed and the horizon (edges between a seen and an unseen
 * face) is joined to it, and only the removed faces' points are tested again, against the
 * new faces (points inside are dropped for good).  The orientation test is exact in
 * integers, so coplanar points never create slivers. */
#include "hull.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct {
    int a, b, c; /* counter-clockwise seen from outside */
    int alive;
    int head;    /* first point of the face's outside set (-1: none) */
} face_t;

static int64_t orient(const int32_t *a, const int32_t *b, const int32_t *c, const int32_t *d)
{
    int64_t ux = b[0] - a[0], uy = b[1] - a[1], uz = b[2] - a[2];
    int64_t vx = c[0] - a[0], vy = c[1] - a[1], vz = c[2] - a[2];
    int64_t wx = d[0] - a[0], wy = d[1] - a[1], wz = d[2] - a[2];
    return wx * (uy * vz - uz * vy) - wy * (ux * vz - uz * vx) + wz * (ux * vy - uy * vx);
}

static int cmp_col(const void *x, const void *y)
{
    const int32_t *a = x, *b = y;
    for (int t = 0; t < 3; t++)
        if (a[t] != b[t]) return a[t] < b[t] ? -1 : 1;
    return 0;
}

/* Orders by the two other coordinates, then by the axis's: the lines parallel to the axis. */
#define CMP_LINE(name, axis)                                                                      \
    static int name(const void *x, const void *y)                                                \
    {                                                                                             \
        const int32_t *a = x, *b = y;                                                             \
        const int u = (axis + 1) % 3, v = (axis + 2) % 3;                                         \
        if (a[u] != b[u]) return a[u] < b[u] ? -1 : 1;                                            \
        if (a[v] != b[v]) return a[v] < b[v] ? -1 : 1;                                            \
        return (a[axis] > b[axis]) - (a[axis] < b[axis]);                                         \
    }
CMP_LINE(cmp_line_x, 0)
CMP_LINE(cmp_line_y, 1)
CMP_LINE(cmp_line_z, 2)

/* Keeps the two end points of every line of points parallel to `axis`; returns the count. */
static size_t line_ends(int32_t (*q)[3], size_t n, int axis)
{
    static int (*const cmp[3])(const void *, const void *) = {cmp_line_x, cmp_line_y, cmp_line_z};
    qsort(q, n, sizeof *q, cmp[axis]);
    int u = (axis + 1) % 3, v = (axis + 2) % 3;
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        int first = k == 0 || q[k][u] != q[k - 1][u] || q[k][v] != q[k - 1][v];
        int last = k + 1 == n || q[k][u] != q[k + 1][u] || q[k][v] != q[k + 1][v];
        if (first || last) memmove(q[m++], q[k], sizeof *q);
    }
    return m;
}

static int cmp_edge(const void *x, const void *y)
{
    const int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static double dist2(const int32_t *a, const int32_t *b, const double *s)
{
    double d = 0;
    for (int t = 0; t < 3; t++) {
        double x = (a[t] - b[t]) * s[t];
        d += x * x;
    }
    return d;
}

rgx_err hull_measure(const int32_t (*p)[3], size_t n, const double scale[3], hull_t *h)
{
    memset(h, 0, sizeof *h);
    int32_t(*q)[3] = NULL;
    face_t *f = NULL;
    int64_t *edges = NULL;
    int *hv = NULL;
    size_t nf = 0, alive = 0, capf = 0, cape = 0; /* alive: faces of the hull so far */
    rgx_err err = rgx_calloc(&q, n ? n : 1, sizeof *q);
    if (err) return err;
    memcpy(q, p, n * sizeof *q);
    size_t m = n;
    for (int axis = 0; axis < 3; axis++) m = line_ends(q, m, axis);
    /* An initial tetrahedron. */
    size_t i1 = 0, i2 = 0, i3 = 0;
    for (i1 = 1; i1 < m && !cmp_col(q[i1], q[0]); i1++) {}
    for (i2 = i1 + 1; i2 < m; i2++) {
        int64_t ux = q[i1][0] - q[0][0], uy = q[i1][1] - q[0][1], uz = q[i1][2] - q[0][2];
        int64_t vx = q[i2][0] - q[0][0], vy = q[i2][1] - q[0][1], vz = q[i2][2] - q[0][2];
        if (uy * vz - uz * vy || uz * vx - ux * vz || ux * vy - uy * vx) break;
    }
    for (i3 = i2 + 1; i3 < m && i2 < m; i3++)
        if (orient(q[0], q[i1], q[i2], q[i3])) break;
    if (i3 >= m) { /* degenerate: no volume; the diameter from all points */
        for (size_t a = 0; a < m; a++)
            for (size_t b = a + 1; b < m; b++) {
                double d = dist2(q[a], q[b], scale);
                if (d > h->diameter) h->diameter = d;
            }
        h->diameter = sqrt(h->diameter);
        goto out;
    }
    capf = 64;
    int *nxt = NULL, *moved = NULL;
    if ((err = rgx_calloc(&f, capf, sizeof *f)) || (err = rgx_calloc(&nxt, m, sizeof *nxt)) ||
        (err = rgx_calloc(&moved, m, sizeof *moved))) {
        free(nxt);
        goto out;
    }
    {
        int t[4] = {0, (int)i1, (int)i2, (int)i3};
        if (orient(q[0], q[i1], q[i2], q[i3]) > 0) t[1] = (int)i2, t[2] = (int)i1;
        /* Now orient(t0, t1, t2, t3) < 0: t3 is below face (t0, t1, t2). */
        f[0] = (face_t){t[0], t[1], t[2], 1, -1};
        f[1] = (face_t){t[0], t[3], t[1], 1, -1};
        f[2] = (face_t){t[1], t[3], t[2], 1, -1};
        f[3] = (face_t){t[2], t[3], t[0], 1, -1};
        nf = alive = 4;
    }
    /* Quickhull: every point outside the hull so far sits in the outside set of one face it
     * sees; points inside are dropped for good.  Faces are taken in creation order; a face
     * with an outside set gives its farthest point as the next hull vertex. */
    for (size_t k = 0; k < m; k++) {
        if (k == i1 || k == i2 || k == i3 || k == 0) continue;
        for (size_t a = 0; a < 4; a++)
            if (orient(q[f[a].a], q[f[a].b], q[f[a].c], q[k]) > 0) {
                nxt[k] = f[a].head, f[a].head = (int)k;
                break;
            }
    }
    for (size_t cur = 0; cur < nf; cur++) {
        if (!f[cur].alive || f[cur].head < 0) continue;
        int apex = f[cur].head;
        int64_t best = orient(q[f[cur].a], q[f[cur].b], q[f[cur].c], q[apex]);
        for (int k = nxt[apex]; k >= 0; k = nxt[k]) {
            int64_t o = orient(q[f[cur].a], q[f[cur].b], q[f[cur].c], q[k]);
            if (o > best) best = o, apex = k;
        }
        /* The faces the apex sees go; their horizon is joined to it; their outside points
         * (but the apex) are handed to the new faces. */
        size_t ne = 0, nmoved = 0, first_new = nf;
        for (size_t a = 0; a < nf; a++) {
            if (!f[a].alive || orient(q[f[a].a], q[f[a].b], q[f[a].c], q[apex]) <= 0) continue;
            if (ne + 3 > cape) {
                cape = cape ? 2 * cape : 256;
                void *e = realloc(edges, cape * sizeof *edges);
                if (!e) {
                    err = rgx_fail(RGX_ERR_MEMORY, "out of memory for the convex hull");
                    break;
                }
                edges = e;
            }
            f[a].alive = 0, alive--;
            for (int k = f[a].head; k >= 0; k = nxt[k])
                if (k != apex) moved[nmoved++] = k;
            f[a].head = -1;
            int v[3] = {f[a].a, f[a].b, f[a].c};
            for (int t = 0; t < 3; t++)
                edges[ne++] = (int64_t)v[t] << 32 | (uint32_t)v[(t + 1) % 3];
        }
        if (err) break;
        qsort(edges, ne, sizeof *edges, cmp_edge);
        for (size_t e = 0; e < ne && !err; e++) {
            int a = (int)(edges[e] >> 32), b = (int)(uint32_t)edges[e];
            int64_t rev = (int64_t)b << 32 | (uint32_t)a;
            if (bsearch(&rev, edges, ne, sizeof *edges, cmp_edge)) continue; /* interior edge */
            if (nf == capf) {
                capf *= 2;
                void *g = realloc(f, capf * sizeof *f);
                if (!g) {
                    err = rgx_fail(RGX_ERR_MEMORY, "out of memory for the convex hull");
                    break;
                }
                f = g;
            }
            f[nf++] = (face_t){a, b, apex, 1, -1}, alive++;
        }
        for (size_t i = 0; i < nmoved && !err; i++) {
            int k = moved[i];
            for (size_t a = first_new; a < nf; a++)
                if (orient(q[f[a].a], q[f[a].b], q[f[a].c], q[k]) > 0) {
                    nxt[k] = f[a].head, f[a].head = k;
                    break;
                }
        }
        /* Removed faces dropped once they are half of the list (which every apex scans),
         * the others kept in creation order. */
        if (2 * alive < nf) {
            size_t w = 0, before = 0;
            for (size_t a = 0; a < nf; a++) {
                if (!f[a].alive) continue;
                before += a <= cur;
                f[w++] = f[a];
            }
            nf = w, cur = before - 1; /* cur itself is gone: the apex sees its face */
        }
    }
    free(nxt), free(moved);
    if (err) goto out;
    /* Measures. */
    if ((err = rgx_calloc(&hv, m, sizeof *hv))) goto out;
    for (size_t a = 0; a < nf; a++) {
        if (!f[a].alive) continue;
        double v[3][3];
        int id[3] = {f[a].a, f[a].b, f[a].c};
        for (int t = 0; t < 3; t++) {
            hv[id[t]] = 1;
            for (int u = 0; u < 3; u++) v[t][u] = q[id[t]][u] * scale[u];
        }
        double e1[3], e2[3], c[3];
        for (int u = 0; u < 3; u++) e1[u] = v[1][u] - v[0][u], e2[u] = v[2][u] - v[0][u];
        c[0] = e1[1] * e2[2] - e1[2] * e2[1];
        c[1] = e1[2] * e2[0] - e1[0] * e2[2];
        c[2] = e1[0] * e2[1] - e1[1] * e2[0];
        h->area += sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]) / 2;
        h->volume += (v[0][0] * c[0] + v[0][1] * c[1] + v[0][2] * c[2]) / 6;
    }
    size_t nh = 0;
    for (size_t a = 0; a < m; a++)
        if (hv[a]) memmove(q[nh++], q[a], sizeof *q);
    for (size_t a = 0; a < nh; a++)
        for (size_t b = a + 1; b < nh; b++) {
            double d = dist2(q[a], q[b], scale);
            if (d > h->diameter) h->diameter = d;
        }
    h->diameter = sqrt(h->diameter);
out:
    free(q), free(f), free(edges), free(hv);
    return err;
}
