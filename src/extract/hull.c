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

/* The hull under construction: the points, the faces, and the scratch of the steps. */
typedef struct {
    int32_t (*q)[3]; /* the candidate points */
    size_t m;
    face_t *f;
    size_t nf, capf;
    int *nxt;            /* per point: the next point of its outside set (-1: the last) */
    int *moved;          /* the outside points of removed faces, to assign again */
    int *start, *end;    /* per horizon vertex: the new face starting, ending there */
    int *vis, *stack;    /* the faces the apex sees; the walk's stack */
    size_t capv, caps;
    hedge_t *edges;      /* the edges of the faces the apex sees */
    size_t cape;
    unsigned stamp;      /* the walks so far */
} qh_t;

static void qh_free(qh_t *c)
{
    free(c->q), free(c->f), free(c->nxt), free(c->moved), free(c->start), free(c->end);
    free(c->vis), free(c->stack), free(c->edges);
}

/* A first tetrahedron: i1, i2, i3 the first points off the point, line and plane of those
 * before; returns 0 when there is none (the points are coplanar). */
static int qh_tetrahedron(const qh_t *c, size_t t[4])
{
    int32_t(*q)[3] = c->q;
    size_t m = c->m, i1, i2, i3;
    for (i1 = 1; i1 < m && !cmp_col(q[i1], q[0]); i1++) {}
    for (i2 = i1 + 1; i2 < m; i2++) {
        int64_t ux = q[i1][0] - q[0][0], uy = q[i1][1] - q[0][1], uz = q[i1][2] - q[0][2];
        int64_t vx = q[i2][0] - q[0][0], vy = q[i2][1] - q[0][1], vz = q[i2][2] - q[0][2];
        if (uy * vz - uz * vy || uz * vx - ux * vz || ux * vy - uy * vx) break;
    }
    for (i3 = i2 + 1; i3 < m && i2 < m; i3++)
        if (orient(q[0], q[i1], q[i2], q[i3])) break;
    t[0] = 0, t[1] = i1, t[2] = i2, t[3] = i3;
    return i3 < m;
}

/* The tetrahedron's four faces, and every other point in the outside set of the first of
 * them it sees (points inside are dropped for good). */
static rgx_err qh_seed(qh_t *c, const size_t i[4])
{
    int32_t(*q)[3] = c->q;
    rgx_err err;
    if ((err = rgx_reserve(&c->f, &c->capf, 4, sizeof *c->f)) ||
        (err = rgx_calloc(&c->nxt, c->m, sizeof *c->nxt)) ||
        (err = rgx_calloc(&c->moved, c->m, sizeof *c->moved)) ||
        (err = rgx_calloc(&c->start, c->m, sizeof *c->start)) ||
        (err = rgx_calloc(&c->end, c->m, sizeof *c->end)))
        return err;
    face_t *f = c->f;
    int t[4] = {0, (int)i[1], (int)i[2], (int)i[3]};
    if (orient(q[0], q[i[1]], q[i[2]], q[i[3]]) > 0) t[1] = (int)i[2], t[2] = (int)i[1];
    /* Now orient(t0, t1, t2, t3) < 0: t3 is below face (t0, t1, t2). */
    const int tri[4][3] = {{t[0], t[1], t[2]}, {t[0], t[3], t[1]}, {t[1], t[3], t[2]},
                           {t[2], t[3], t[0]}};
    for (int a = 0; a < 4; a++)
        f[a] = (face_t){tri[a][0], tri[a][1], tri[a][2], {0, 0, 0}, 1, -1, 0};
    for (int a = 0; a < 4; a++)
        for (int e = 0; e < 3; e++)
            for (int j = 0; j < 4; j++)
                if (j != a && slot_of(&f[j], corner(&f[a], (e + 1) % 3), corner(&f[a], e)) >= 0)
                    f[a].nb[e] = j;
    c->nf = 4;
    for (size_t k = 0; k < c->m; k++) {
        if (k == i[1] || k == i[2] || k == i[3] || k == 0) continue;
        for (size_t a = 0; a < 4; a++)
            if (orient(q[f[a].a], q[f[a].b], q[f[a].c], q[k]) > 0) {
                c->nxt[k] = f[a].head, f[a].head = (int)k;
                break;
            }
    }
    return RGX_OK;
}

/* The faces the apex sees: a connected patch around face cur (the hull is convex), found by
 * walking across edges, each neighbour tested once; then put in creation order, the order a
 * scan of every face would find them in. */
static rgx_err qh_visible(qh_t *c, size_t cur, int apex, size_t *nvis)
{
    rgx_err err;
    if ((err = rgx_reserve(&c->vis, &c->capv, c->nf, sizeof *c->vis)) ||
        (err = rgx_reserve(&c->stack, &c->caps, c->nf, sizeof *c->stack)))
        return err;
    face_t *f = c->f;
    size_t nv = 0, ns = 0;
    f[cur].seen = ++c->stamp, c->stack[ns++] = (int)cur;
    while (ns) {
        int x = c->stack[--ns];
        c->vis[nv++] = x;
        for (int e = 0; e < 3; e++) {
            face_t *g = &f[f[x].nb[e]];
            if (g->seen == c->stamp) continue;
            g->seen = c->stamp;
            if (orient(c->q[g->a], c->q[g->b], c->q[g->c], c->q[apex]) > 0)
                c->stack[ns++] = f[x].nb[e];
        }
    }
    qsort(c->vis, nv, sizeof *c->vis, rgx_cmp_int);
    *nvis = nv;
    return RGX_OK;
}

/* The visible faces go; their horizon is joined to the apex; their outside points (but the
 * apex) are handed to the new faces. */
static rgx_err qh_add_apex(qh_t *c, size_t nvis, int apex)
{
    rgx_err err = rgx_reserve(&c->edges, &c->cape, 3 * nvis, sizeof *c->edges);
    if (err) return err;
    hedge_t *edges = c->edges;
    size_t ne = 0, nmoved = 0, first_new = c->nf;
    for (size_t i = 0; i < nvis; i++) {
        face_t *g = &c->f[c->vis[i]];
        g->alive = 0;
        for (int k = g->head; k >= 0; k = c->nxt[k])
            if (k != apex) c->moved[nmoved++] = k;
        g->head = -1;
        for (int e = 0; e < 3; e++) {
            int64_t key = (int64_t)corner(g, e) << 32 | (uint32_t)corner(g, (e + 1) % 3);
            edges[ne++] = (hedge_t){key, g->nb[e]};
        }
    }
    qsort(edges, ne, sizeof *edges, cmp_edge);
    for (size_t e = 0; e < ne; e++) {
        int a = (int)(edges[e].key >> 32), b = (int)(uint32_t)edges[e].key;
        hedge_t rev = {(int64_t)b << 32 | (uint32_t)a, 0};
        if (bsearch(&rev, edges, ne, sizeof *edges, cmp_edge)) continue; /* interior edge */
        if ((err = rgx_reserve(&c->f, &c->capf, c->nf + 1, sizeof *c->f))) return err;
        face_t *out = &c->f[edges[e].across]; /* unseen: it keeps its edge b -> a */
        out->nb[slot_of(out, b, a)] = (int)c->nf;
        c->f[c->nf] = (face_t){a, b, apex, {edges[e].across, 0, 0}, 1, -1, 0};
        c->start[a] = c->end[b] = (int)c->nf++;
    }
    /* The new faces around the apex: across b -> apex is the one that starts at b, across
     * apex -> a the one that ends at a (the horizon is a loop). */
    face_t *f = c->f;
    for (size_t g = first_new; g < c->nf; g++)
        f[g].nb[1] = c->start[f[g].b], f[g].nb[2] = c->end[f[g].a];
    for (size_t i = 0; i < nmoved; i++) {
        int k = c->moved[i];
        for (size_t a = first_new; a < c->nf; a++)
            if (orient(c->q[f[a].a], c->q[f[a].b], c->q[f[a].c], c->q[k]) > 0) {
                c->nxt[k] = f[a].head, f[a].head = k;
                break;
            }
    }
    return RGX_OK;
}

/* Quickhull: faces are taken in creation order; a face with an outside set gives its
 * farthest point as the next hull vertex. */
static rgx_err qh_build(qh_t *c)
{
    rgx_err err = RGX_OK;
    for (size_t cur = 0; cur < c->nf && !err; cur++) {
        const face_t *g = &c->f[cur];
        if (!g->alive || g->head < 0) continue;
        int apex = g->head;
        int64_t best = orient(c->q[g->a], c->q[g->b], c->q[g->c], c->q[apex]);
        for (int k = c->nxt[apex]; k >= 0; k = c->nxt[k]) {
            int64_t o = orient(c->q[g->a], c->q[g->b], c->q[g->c], c->q[k]);
            if (o > best) best = o, apex = k;
        }
        size_t nvis;
        if (!(err = qh_visible(c, cur, apex, &nvis))) err = qh_add_apex(c, nvis, apex);
    }
    return err;
}

/* Area and volume from the live faces (in creation order), the diameter from their
 * vertices. */
static rgx_err qh_measure(qh_t *c, const double scale[3], hull_t *h)
{
    int *hv = NULL;
    rgx_err err = rgx_calloc(&hv, c->m, sizeof *hv);
    if (err) return err;
    for (size_t a = 0; a < c->nf; a++) {
        const face_t *g = &c->f[a];
        if (!g->alive) continue;
        double v[3][3];
        int id[3] = {g->a, g->b, g->c};
        for (int t = 0; t < 3; t++) {
            hv[id[t]] = 1;
            for (int u = 0; u < 3; u++) v[t][u] = c->q[id[t]][u] * scale[u];
        }
        double e1[3], e2[3], x[3];
        for (int u = 0; u < 3; u++) e1[u] = v[1][u] - v[0][u], e2[u] = v[2][u] - v[0][u];
        x[0] = e1[1] * e2[2] - e1[2] * e2[1];
        x[1] = e1[2] * e2[0] - e1[0] * e2[2];
        x[2] = e1[0] * e2[1] - e1[1] * e2[0];
        h->area += sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]) / 2;
        h->volume += (v[0][0] * x[0] + v[0][1] * x[1] + v[0][2] * x[2]) / 6;
    }
    size_t nh = 0;
    for (size_t a = 0; a < c->m; a++)
        if (hv[a]) memmove(c->q[nh++], c->q[a], sizeof *c->q);
    free(hv);
    return diameter((const int32_t(*)[3])c->q, nh, scale, &h->diameter);
}

rgx_err hull_measure(const int32_t (*p)[3], size_t n, const double scale[3], hull_t *h)
{
    memset(h, 0, sizeof *h);
    qh_t c = {0};
    rgx_err err = rgx_calloc(&c.q, n ? n : 1, sizeof *c.q);
    if (err) return err;
    memcpy(c.q, p, n * sizeof *c.q);
    c.m = n;
    for (int axis = 0; axis < 3; axis++) c.m = line_ends(c.q, c.m, axis);
    size_t t[4];
    if (!qh_tetrahedron(&c, t)) /* degenerate: no volume; the diameter from all points */
        err = diameter((const int32_t(*)[3])c.q, c.m, scale, &h->diameter);
    else if (!(err = qh_seed(&c, t)) && !(err = qh_build(&c)))
        err = qh_measure(&c, scale, h);
    qh_free(&c);
    return err;
}
