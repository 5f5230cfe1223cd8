/* test_geometry.c — the marching-cubes mesh, the convex hull and the interpolation on shapes
 * whose answers are known in closed form. */
#include <stdlib.h>

#include "hull.h"
#include "mesh.h"
#include "resample.h"
#include "tap.h"

static uint8_t *ball(const int d[3], double r)
{
    uint8_t *m = calloc((size_t)d[0] * d[1] * d[2], 1);
    for (int k = 0; k < d[2]; k++)
        for (int j = 0; j < d[1]; j++)
            for (int i = 0; i < d[0]; i++) {
                double x = i - (d[0] - 1) / 2.0, y = j - (d[1] - 1) / 2.0, z = k - (d[2] - 1) / 2.0;
                m[i + d[0] * (j + d[1] * k)] = x * x + y * y + z * z <= r * r;
            }
    return m;
}

static void test_mesh(void)
{
    /* One voxel: the surface is the octahedron through the six face midpoints,
     * volume 4/3 a^3 and area 2 sqrt(3) a^2 with a = 1/2. */
    const int d1[3] = {1, 1, 1};
    const double unit[3] = {1, 1, 1};
    uint8_t one = 1;
    mesh_t m;
    is_int(mesh_build(&one, d1, unit, &m), RGX_OK, "mesh of one voxel");
    is_double(m.volume, 4.0 / 3 / 8, 1e-12, "one voxel: octahedron volume");
    is_double(m.area, sqrt(3), 1e-12,
              "one voxel: octahedron area (8 equilateral faces of side 1/sqrt 2)");
    is_int(m.n_vert, 6, "one voxel: six vertices");
    mesh_free(&m);

    /* A ball of radius 12 voxels: the mesh volume approaches 4/3 pi r^3 (to within 1%);
     * spacing scales the volume by the product of the spacings, exactly. */
    const int d[3] = {29, 29, 29};
    uint8_t *b = ball(d, 12);
    double vol1;
    is_int(mesh_build(b, d, unit, &m), RGX_OK, "mesh of a ball");
    vol1 = m.volume;
    printf("# ball r = 12: mesh volume %.2f, 4/3 pi r^3 = %.2f\n", vol1, 4.0 / 3 * M_PI * 1728);
    /* Marching cubes cuts the voxel corners: a little under the true ball (-1.5% here). */
    ok(fabs(vol1 / (4.0 / 3 * M_PI * 12 * 12 * 12) - 1) < 0.03, "ball: volume within 3%");
    /* The ball is convex, so its hull holds the mesh and is not much larger. */
    hull_t h;
    is_int(hull_measure((const int32_t(*)[3])m.vert, m.n_vert, (double[3]){0.5, 0.5, 0.5}, &h),
           RGX_OK, "hull of the ball's vertices");
    printf("# hull volume %.2f, diameter %.3f\n", h.volume, h.diameter);
    ok(h.volume >= vol1 && h.volume < vol1 * 1.06, "ball: hull volume just above the mesh volume");
    ok(fabs(h.diameter - 2 * 12.5) < 0.6, "ball: diameter about 2 r + 1");
    mesh_free(&m);
    const double aniso[3] = {0.5, 2, 3};
    is_int(mesh_build(b, d, aniso, &m), RGX_OK, "mesh with anisotropic spacing");
    is_double(m.volume, vol1 * 3, 1e-9 * vol1, "volume scales by the spacing product");
    mesh_free(&m);

    /* The surface does not depend on the axis order: a shape and its transpose. */
    const int e[3] = {6, 5, 4};
    uint8_t s[120], t[120];
    unsigned seed = 7;
    for (int q = 0; q < 120; q++) seed = seed * 1103515245u + 12345u, s[q] = (seed >> 16) & 1;
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < 5; j++)
            for (int i = 0; i < 6; i++) t[k + 4 * (j + 5 * i)] = s[i + 6 * (j + 5 * k)];
    mesh_t ms, mt;
    const int et[3] = {4, 5, 6};
    is_int(mesh_build(s, e, unit, &ms), RGX_OK, "mesh of a random shape");
    is_int(mesh_build(t, et, unit, &mt), RGX_OK, "mesh of its transpose");
    is_double(ms.volume, mt.volume, 1e-9, "random shape: volume independent of axis order");
    is_double(ms.area, mt.area, 1e-9, "random shape: area independent of axis order");
    mesh_free(&ms), mesh_free(&mt);
    free(b);

    /* Cube of 4 points: hull volume and area. */
    const int32_t c[8][3] = {{0, 0, 0}, {2, 0, 0}, {0, 2, 0}, {2, 2, 0},
                             {0, 0, 2}, {2, 0, 2}, {0, 2, 2}, {2, 2, 2}};
    is_int(hull_measure(c, 8, unit, &h), RGX_OK, "hull of a cube");
    is_double(h.volume, 8, 1e-12, "cube hull volume");
    is_double(h.area, 24, 1e-12, "cube hull area");
    is_double(h.diameter, sqrt(12), 1e-12, "cube diameter");
    is_int(hull_measure(c, 4, unit, &h), RGX_OK, "hull of coplanar points");
    is_double(h.volume, 0, 0, "coplanar points: volume 0");

    /* Polytopes among many points inside and on their faces (coplanar faces everywhere):
     * the hull is the polytope, whatever the order of the points. */
    enum { NP = 3000 };
    int32_t(*p)[3] = malloc(NP * sizeof *p);
    seed = 17;
    for (int shape = 0; shape < 2; shape++) {
        int n = 0;
        if (shape == 0) /* the cube [0, 20]^3: corners, then points inside and on faces */
            for (int k = 0; k < 8; k++)
                for (int a = 0; a < 3; a++) p[n + k][a] = (k >> a & 1) * 20;
        else /* the octahedron |x| + |y| + |z| <= 12 */
            for (int k = 0; k < 6; k++)
                for (int a = 0; a < 3; a++) p[n + k][a] = k / 2 == a ? (k % 2 ? -12 : 12) : 0;
        n = shape == 0 ? 8 : 6;
        while (n < NP) {
            int32_t v[3];
            for (int a = 0; a < 3; a++) {
                seed = seed * 1103515245u + 12345u;
                v[a] = shape == 0 ? (int32_t)(seed >> 16) % 21 : (int32_t)(seed >> 16) % 25 - 12;
            }
            if (shape == 0 && seed % 3 == 0) v[seed % 7 % 3] = seed % 2 ? 0 : 20; /* on a face */
            if (shape == 1 && abs(v[0]) + abs(v[1]) + abs(v[2]) > 12) continue;
            memcpy(p[n++], v, sizeof v);
        }
        for (int pass = 0; pass < 2; pass++) {
            if (pass) /* reversed and interleaved: another order of the same points */
                for (int i = 0; i < NP / 2; i += 2) {
                    int32_t sw[3];
                    memcpy(sw, p[i], sizeof sw), memcpy(p[i], p[NP - 1 - i], sizeof sw);
                    memcpy(p[NP - 1 - i], sw, sizeof sw);
                }
            char name[96];
            snprintf(name, sizeof name, "%s with %d points (order %d)",
                     shape ? "octahedron" : "cube", NP, pass);
            is_int(hull_measure((const int32_t(*)[3])p, NP, unit, &h), RGX_OK, name);
            if (shape == 0) {
                is_double(h.volume, 8000, 1e-9, "its hull volume: the cube's");
                is_double(h.area, 2400, 1e-9, "its hull area: the cube's");
                is_double(h.diameter, sqrt(1200), 1e-12, "its diameter: the cube's diagonal");
            } else {
                is_double(h.volume, 4.0 / 3 * 12 * 12 * 12, 1e-9,
                          "its hull volume: the octahedron's");
                is_double(h.area, 4 * sqrt(3) * 12 * 12, 1e-9, "its hull area: the octahedron's");
                is_double(h.diameter, 24, 1e-12, "its diameter: 24");
            }
        }
    }
    free(p);
}

static void test_resample(void)
{
    /* The CT phantom's grid: 204 x 201 x 60 voxels of 0.977 x 0.977 x 3 mm -> 2 mm gives
     * 100 x 99 x 90 (IBSI's reference diagnostics). */
    image_t img = {.dim = {204, 201, 60}, .spacing = {0.977, 0.977, 3}};
    feat_settings_t s = {.interp = INTERP_LINEAR,
                         .spacing = {2, 2, 2},
                         .mask_interp = INTERP_LINEAR,
                         .mask_threshold = 0.5};
    axis_map_t map[3];
    resample_grid(&img, &s, map);
    is_int(map[0].n, 100, "grid x");
    is_int(map[1].n, 99, "grid y");
    is_int(map[2].n, 90, "grid z");
    is_double(map[2].off, (59 - 89 * 2.0 / 3) / 2, 1e-12, "grid centres aligned");
    s.interp_2d = 1;
    resample_grid(&img, &s, map);
    is_int(map[2].n, 60, "2d: slices kept");

    /* A linear ramp is reproduced by linear and by cubic B-spline interpolation away from the
     * edges (the spline's edge effect decays as 0.27^distance: below 1e-6 at 14 voxels); the
     * mask of a half-space keeps its plane. */
    enum { L = 48 };
    image_t ramp = {.dim = {L, L, L}, .spacing = {1, 1, 1}};
    image_t msk = ramp;
    size_t nv = (size_t)L * L * L;
    float *rv, *mv;
    image_alloc(&ramp, &rv);
    image_alloc(&msk, &mv);
    for (int k = 0; k < L; k++)
        for (int j = 0; j < L; j++)
            for (int i = 0; i < L; i++) {
                rv[i + L * (j + L * k)] = (float)(i + 2 * j + 3 * k);
                mv[i + L * (j + L * k)] = i < 24 ? 4 : 0;
            }
    for (int method = INTERP_LINEAR; method <= INTERP_CUBIC; method++) {
        feat_settings_t r = {.interp = method, .spacing = {0.7, 0.7, 0.7},
                             .mask_interp = INTERP_LINEAR, .mask_threshold = 0.5};
        resample_grid(&ramp, &r, map);
        int o[3] = {28, 28, 28}, n[3] = {10, 10, 10};
        double *x = malloc(1000 * sizeof *x);
        uint8_t *mk = malloc(1000);
        is_int(resample_box(&ramp, &msk, 4, &r, map, o, n, x, mk), RGX_OK, "resample a ramp");
        double worst = 0;
        int mask_ok = 1;
        for (int k = 0; k < 10; k++)
            for (int j = 0; j < 10; j++)
                for (int i = 0; i < 10; i++) {
                    double px = (o[0] + i) * map[0].r + map[0].off,
                           py = (o[1] + j) * map[1].r + map[1].off,
                           pz = (o[2] + k) * map[2].r + map[2].off;
                    double err = fabs(x[i + 10 * (j + 10 * k)] - (px + 2 * py + 3 * pz));
                    if (err > worst) worst = err;
                    /* Linear mask: 1 up to x = 23, 0 from x = 24; 0.5 at x = 23.5. */
                    if (mk[i + 10 * (j + 10 * k)] != (px <= 23.5 + 1e-9)) mask_ok = 0;
                }
        printf("# largest error %g\n", worst);
        ok(worst < 1e-6,
           method == INTERP_LINEAR ? "linear reproduces a ramp" : "cubic spline reproduces a ramp");
        ok(mask_ok, "interpolated mask keeps voxels up to the 0.5 level");
        free(x), free(mk);
    }
    /* The cubic spline interpolates: on the native grid it returns the samples. */
    feat_settings_t c = {.interp = INTERP_CUBIC, .spacing = {1, 1, 1}, .mask_interp = INTERP_LINEAR,
                         .mask_threshold = 0.5};
    for (size_t q = 0; q < nv; q++) rv[q] = (float)((q * 2654435761u) % 1000);
    resample_grid(&ramp, &c, map);
    int o[3] = {0, 0, 0}, n[3] = {L, L, L};
    double *x = malloc(nv * sizeof *x);
    uint8_t *mk = malloc(nv);
    is_int(resample_box(&ramp, &msk, 4, &c, map, o, n, x, mk), RGX_OK, "cubic on the native grid");
    double worst = 0;
    for (size_t q = 0; q < nv; q++)
        if (fabs(x[q] - rv[q]) > worst) worst = fabs(x[q] - rv[q]);
    ok(worst < 1e-6, "cubic spline returns the samples on the native grid");
    free(x), free(mk), image_free(&ramp), image_free(&msk);
}

int main(void)
{
    test_mesh();
    test_resample();
    return tap_done();
}
