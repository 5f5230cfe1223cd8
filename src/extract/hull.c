/* hull.c — incremental 3D convex hull.
 *
 * A point between two others on a line cannot be a hull vertex, so along each axis every
 * line of points keeps only its two end points first.  Then Quickhull: each remaining point
 * waits in the outside set of one face it sees; the farthest point of a face's set becomes a
 * vertex, the faces it sees (found by walking across edges from the face whose point it is:
 * they form one patch) are removed and the horizon (edges between a seen and an unseen face)
 * is joined to it, and only the removed faces' points are tested again, against the new faces
 * (points inside are dropped for good).  The orientation test is exact in integers, so
 * coplanar points never create slivers. */
#include "hull.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct {
    int a, b, c;   /* counter-clockwise seen from outside */
    int nb[3];     /* the faces across the edges a -> b, b -> c, c -> a */
    int alive;
    int head;      /* first point of the face's outside set (-1: none) */
    unsigned seen; /* the last apex that tested the face */
} face_t;

/* An edge u -> v of a face that goes (key u << 32 | v) and the face across it. */
typedef struct {
    int64_t key;
    int across;
} hedge_t;

static int corner(const face_t *g, int s)
{
    return s == 0 ? g->a : s == 1 ? g->b : g->c;
}

/* The slot of edge u -> v in face g (-1: none). */
static int slot_of(const face_t *g, int u, int v)
{
    for (int s = 0; s < 3; s++)
        if (corner(g, s) == u && corner(g, (s + 1) % 3) == v) return s;
    return -1;
}

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
    const int64_t a = ((const hedge_t *)x)->key, b = ((const hedge_t *)y)->key;
    return (a > b) - (a < b);
}

/* The largest squared distance from point (x, y, z)[a] to the points after it (coordinates
 * one array per axis, so that neighbouring points are neighbouring SIMD lanes). */
__attribute__((target_clones("avx512f", "avx2", "default"))) static double
farthest2(const int32_t *x, const int32_t *y, const int32_t *z, size_t a, size_t n, const double *s)
{
    double best = 0;
#pragma omp simd reduction(max : best)
    for (size_t b = a + 1; b < n; b++) {
        double dx = (double)(x[a] - x[b]) * s[0], dy = (double)(y[a] - y[b]) * s[1],
               dz = (double)(z[a] - z[b]) * s[2];
        double d = dx * dx + dy * dy + dz * dz;
        best = d > best ? d : best;
    }
    return best;
}

/* The largest distance between two of the n points q (mm, after scaling). */
static rgx_err diameter(const int32_t (*q)[3], size_t n, const double *s, double *out)
{
    int32_t *x = NULL, *y = NULL, *z = NULL;
    rgx_err err;
    *out = 0;
    size_t m = n ? n : 1;
    if (!(err = rgx_calloc(&x, m, sizeof *x)) && !(err = rgx_calloc(&y, m, sizeof *y)) &&
        !(err = rgx_calloc(&z, m, sizeof *z))) {
        for (size_t a = 0; a < n; a++) x[a] = q[a][0], y[a] = q[a][1], z[a] = q[a][2];
        double best = 0;
        for (size_t a = 0; a + 1 < n; a++) {
            double d = farthest2(x, y, z, a, n, s);
            if (d > best) best = d;
        }
        *out = sqrt(best);
    }
    free(x), free(y), free(z);
    return err;
}

rgx_err hull_measure(const int32_t (*p)[3], size_t n, const double scale[3], hull_t *h)
{
    memset(h, 0, sizeof *h);
    int32_t(*q)[3] = NULL;
    face_t *f = NULL;
    hedge_t *edges = NULL;
    int *hv = NULL;
    size_t nf = 0, capf = 0, cape = 0;
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
        err = diameter((const int32_t(*)[3])q, m, scale, &h->diameter);
        goto out;
    }
    int *nxt = NULL, *moved = NULL, *start = NULL, *end = NULL, *vis = NULL, *stack = NULL;
    size_t capv = 0, caps = 0;
    if ((err = rgx_reserve(&f, &capf, 4, sizeof *f)) || (err = rgx_calloc(&nxt, m, sizeof *nxt)) ||
        (err = rgx_calloc(&moved, m, sizeof *moved)) ||
        (err = rgx_calloc(&start, m, sizeof *start)) ||
        (err = rgx_calloc(&end, m, sizeof *end)))
        goto hull_out;
    {
        int t[4] = {0, (int)i1, (int)i2, (int)i3};
        if (orient(q[0], q[i1], q[i2], q[i3]) > 0) t[1] = (int)i2, t[2] = (int)i1;
        /* Now orient(t0, t1, t2, t3) < 0: t3 is below face (t0, t1, t2). */
        const int tri[4][3] = {{t[0], t[1], t[2]}, {t[0], t[3], t[1]}, {t[1], t[3], t[2]},
                               {t[2], t[3], t[0]}};
        for (int i = 0; i < 4; i++)
            f[i] = (face_t){tri[i][0], tri[i][1], tri[i][2], {0, 0, 0}, 1, -1, 0};
        for (int i = 0; i < 4; i++)
            for (int e = 0; e < 3; e++)
                for (int j = 0; j < 4; j++)
                    if (j != i && slot_of(&f[j], corner(&f[i], (e + 1) % 3), corner(&f[i], e)) >= 0)
                        f[i].nb[e] = j;
        nf = 4;
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
    unsigned stamp = 0;
    for (size_t cur = 0; cur < nf && !err; cur++) {
        if (!f[cur].alive || f[cur].head < 0) continue;
        int apex = f[cur].head;
        int64_t best = orient(q[f[cur].a], q[f[cur].b], q[f[cur].c], q[apex]);
        for (int k = nxt[apex]; k >= 0; k = nxt[k]) {
            int64_t o = orient(q[f[cur].a], q[f[cur].b], q[f[cur].c], q[k]);
            if (o > best) best = o, apex = k;
        }
        /* The faces the apex sees: a connected patch around cur (the hull is convex), found
         * by walking across edges, each neighbour tested once; then put in creation order,
         * the order a scan of every face would find them in. */
        if ((err = rgx_reserve(&vis, &capv, nf, sizeof *vis)) ||
            (err = rgx_reserve(&stack, &caps, nf, sizeof *stack)))
            break;
        size_t nvis = 0, ns = 0;
        f[cur].seen = ++stamp, stack[ns++] = (int)cur;
        while (ns) {
            int x = stack[--ns];
            vis[nvis++] = x;
            for (int e = 0; e < 3; e++) {
                face_t *g = &f[f[x].nb[e]];
                if (g->seen == stamp) continue;
                g->seen = stamp;
                if (orient(q[g->a], q[g->b], q[g->c], q[apex]) > 0) stack[ns++] = f[x].nb[e];
            }
        }
        qsort(vis, nvis, sizeof *vis, rgx_cmp_int);
        /* They go; their horizon is joined to the apex; their outside points (but the apex)
         * are handed to the new faces. */
        if ((err = rgx_reserve(&edges, &cape, 3 * nvis, sizeof *edges))) break;
        size_t ne = 0, nmoved = 0, first_new = nf;
        for (size_t i = 0; i < nvis; i++) {
            face_t *g = &f[vis[i]];
            g->alive = 0;
            for (int k = g->head; k >= 0; k = nxt[k])
                if (k != apex) moved[nmoved++] = k;
            g->head = -1;
            for (int e = 0; e < 3; e++) {
                int64_t key = (int64_t)corner(g, e) << 32 | (uint32_t)corner(g, (e + 1) % 3);
                edges[ne++] = (hedge_t){key, g->nb[e]};
            }
        }
        qsort(edges, ne, sizeof *edges, cmp_edge);
        for (size_t e = 0; e < ne && !err; e++) {
            int a = (int)(edges[e].key >> 32), b = (int)(uint32_t)edges[e].key;
            hedge_t rev = {(int64_t)b << 32 | (uint32_t)a, 0};
            if (bsearch(&rev, edges, ne, sizeof *edges, cmp_edge)) continue; /* interior edge */
            if ((err = rgx_reserve(&f, &capf, nf + 1, sizeof *f))) break;
            face_t *out = &f[edges[e].across]; /* unseen: it keeps its edge b -> a */
            out->nb[slot_of(out, b, a)] = (int)nf;
            f[nf] = (face_t){a, b, apex, {edges[e].across, 0, 0}, 1, -1, 0};
            start[a] = end[b] = (int)nf++;
        }
        /* The new faces around the apex: across b -> apex is the one that starts at b,
         * across apex -> a the one that ends at a (the horizon is a loop). */
        for (size_t g = first_new; g < nf && !err; g++)
            f[g].nb[1] = start[f[g].b], f[g].nb[2] = end[f[g].a];
        for (size_t i = 0; i < nmoved && !err; i++) {
            int k = moved[i];
            for (size_t a = first_new; a < nf; a++)
                if (orient(q[f[a].a], q[f[a].b], q[f[a].c], q[k]) > 0) {
                    nxt[k] = f[a].head, f[a].head = k;
                    break;
                }
        }
    }
hull_out:
    free(start), free(end), free(vis), free(stack);
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
    err = diameter((const int32_t(*)[3])q, nh, scale, &h->diameter);
out:
    free(q), free(f), free(edges), free(hv);
    return err;
}
