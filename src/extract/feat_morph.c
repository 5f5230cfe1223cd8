/* feat_morph.c — morphological features (IBSI 1, 3.1), from the morphological mask (and the
 * intensity mask for the centre-of-mass shift, integrated intensity, Moran's I and Geary's
 * C), in mm:
 *   mesh (mesh.c): volume, area and the shape ratios built on them;
 *   voxel counting: morph_vol_approx;
 *   PCA of the voxel centres: the axis lengths (4 sqrt(lambda)), elongation, flatness and the
 *   approximate enclosing ellipsoid;
 *   mesh vertices: axis-aligned bounding box, convex hull (hull.c), maximum diameter.
 * The oriented minimum bounding box and the minimum-volume enclosing ellipsoid densities are
 * not computed: IBSI gives them no reference value (no consensus).
 * Moran's I and Geary's C use every pair of voxels with weight 1 / distance (moran.c). */
#include <gsl/gsl_eigen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "features.h"
#include "hull.h"
#include "mesh.h"
#include "moran.h"
#include "util.h"

/* Surface area of an ellipsoid with semi-axes a >= b >= c (IBSI 1, 3.1.20: Legendre series
 * to 20 terms).  Q_v = (alpha beta)^v P_v((alpha^2 + beta^2) / (2 alpha beta)) by the Legendre
 * recurrence, which has no division by alpha beta (a sphere is fine). */
static double ellipsoid_area(double a, double b, double c)
{
    double al = sqrt(fmax(0, 1 - b * b / (a * a))), be = sqrt(fmax(0, 1 - c * c / (a * a)));
    double s = (al * al + be * be) / 2, ab2 = al * be * al * be;
    double q0 = 1, q1 = s, sum = q0 / 1.0 + q1 / (1 - 4.0);
    for (int v = 1; v < 20; v++) {
        double q2 = ((2 * v + 1) * s * q1 - v * ab2 * q0) / (v + 1);
        sum += q2 / (1 - 4.0 * (v + 1) * (v + 1));
        q0 = q1, q1 = q2;
    }
    return 4 * M_PI * a * b * sum;
}

rgx_err feat_morph(const roi_t *r, const feat_settings_t *s, featvec_t *out)
{
    (void)s;
    const int *d = r->dim;
    const double *sp = r->spacing;
    mesh_t mesh;
    hull_t hull = {0};
    rgx_err err = mesh_build(r->morph, d, sp, &mesh);
    if (err) return err;
    double half[3] = {sp[0] / 2, sp[1] / 2, sp[2] / 2};
    if ((err = hull_measure((const int32_t(*)[3])mesh.vert, mesh.n_vert, half, &hull))) goto out;
    double V = mesh.volume, A = mesh.area;
    /* Voxel centres: geometric centre and covariance of the morphological mask, intensity-
     * weighted centre and mean of the intensity mask. */
    double g[3] = {0}, wc[3] = {0}, cov[9] = {0}, isum = 0;
    size_t nm = 0, ni = 0;
    for (int z = 0; z < d[2]; z++)
        for (int y = 0; y < d[1]; y++)
            for (int x = 0; x < d[0]; x++) {
                size_t v = (size_t)x + (size_t)d[0] * ((size_t)y + (size_t)d[1] * (size_t)z);
                double p[3] = {x * sp[0], y * sp[1], z * sp[2]};
                if (r->morph[v]) {
                    nm++;
                    for (int a = 0; a < 3; a++) g[a] += p[a];
                }
                if (r->mask[v]) {
                    double iv = r->intensity[v];
                    ni++, isum += iv;
                    for (int a = 0; a < 3; a++) wc[a] += iv * p[a];
                }
            }
    for (int a = 0; a < 3; a++) g[a] /= (double)nm, wc[a] /= isum;
    for (int z = 0; z < d[2]; z++)
        for (int y = 0; y < d[1]; y++)
            for (int x = 0; x < d[0]; x++) {
                size_t v = (size_t)x + (size_t)d[0] * ((size_t)y + (size_t)d[1] * (size_t)z);
                if (!r->morph[v]) continue;
                double p[3] = {x * sp[0] - g[0], y * sp[1] - g[1], z * sp[2] - g[2]};
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++) cov[3 * a + b] += p[a] * p[b];
            }
    for (int k = 0; k < 9; k++) cov[k] /= nm > 1 ? (double)(nm - 1) : 1; /* as IBSI: N - 1 */
    double lam[3] = {0, 0, 0};
    {
        gsl_matrix_view cm = gsl_matrix_view_array(cov, 3, 3);
        gsl_vector *ev = gsl_vector_alloc(3);
        gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(3);
        if (!ev || !w) {
            gsl_vector_free(ev), gsl_eigen_symm_free(w);
            err = rgx_fail(RGX_ERR_MEMORY, "out of memory for the PCA");
            goto out;
        }
        gsl_eigen_symm(&cm.matrix, ev, w);
        for (int a = 0; a < 3; a++) lam[a] = fmax(0, gsl_vector_get(ev, (size_t)a));
        gsl_vector_free(ev), gsl_eigen_symm_free(w);
        /* Descending: major, minor, least. */
        for (int a = 0; a < 3; a++)
            for (int b = a + 1; b < 3; b++)
                if (lam[b] > lam[a]) {
                    double t = lam[a];
                    lam[a] = lam[b], lam[b] = t;
                }
    }
    /* Axis-aligned bounding box of the mesh vertices. */
    int32_t lo[3] = {INT32_MAX, INT32_MAX, INT32_MAX}, hi[3] = {INT32_MIN, INT32_MIN, INT32_MIN};
    for (size_t k = 0; k < mesh.n_vert; k++)
        for (int a = 0; a < 3; a++) {
            if (mesh.vert[k][a] < lo[a]) lo[a] = mesh.vert[k][a];
            if (mesh.vert[k][a] > hi[a]) hi[a] = mesh.vert[k][a];
        }
    double L[3];
    for (int a = 0; a < 3; a++) L[a] = (hi[a] - lo[a]) * half[a];
    double moran, geary;
    if ((err = moran_geary(r, &moran, &geary))) goto out;
    double sa = sqrt(lam[0]), sb = sqrt(lam[1]), sc = sqrt(lam[2]);
    double ea = 2 * sa, eb = 2 * sb, ec = 2 * sc; /* the ellipsoid's semi-axes */
    double com = 0;
    for (int a = 0; a < 3; a++) com += (g[a] - wc[a]) * (g[a] - wc[a]);
    double vvox = (double)nm * sp[0] * sp[1] * sp[2], k36 = 36 * M_PI * V * V;
    const struct {
        const char *tag;
        double v;
    } f[] = {
        {"volume", V},
        {"vol_approx", vvox},
        {"area_mesh", A},
        {"av", A / V},
        {"comp_1", V / (sqrt(M_PI) * pow(A, 1.5))},
        {"comp_2", k36 / (A * A * A)},
        {"sph_dispr", A / cbrt(k36)},
        {"sphericity", cbrt(k36) / A},
        {"asphericity", cbrt(A * A * A / k36) - 1},
        {"com", ni ? sqrt(com) : NAN},
        {"diam", hull.diameter},
        {"pca_maj_axis", 4 * sa},
        {"pca_min_axis", 4 * sb},
        {"pca_least_axis", 4 * sc},
        {"pca_elongation", sa > 0 ? sb / sa : NAN},
        {"pca_flatness", sa > 0 ? sc / sa : NAN},
        {"vol_dens_aabb", V / (L[0] * L[1] * L[2])},
        {"area_dens_aabb", A / (2 * (L[0] * L[1] + L[1] * L[2] + L[0] * L[2]))},
        {"vol_dens_aee", V / (4 * M_PI / 3 * ea * eb * ec)},
        {"area_dens_aee", sa > 0 ? A / ellipsoid_area(ea, eb, ec) : NAN},
        {"vol_dens_conv_hull", hull.volume > 0 ? V / hull.volume : NAN},
        {"area_dens_conv_hull", hull.area > 0 ? A / hull.area : NAN},
        {"integ_int", ni ? V * isum / (double)ni : NAN},
        {"moran_i", moran},
        {"geary_c", geary},
    };
    for (size_t k = 0; k < sizeof f / sizeof f[0] && !err; k++)
        err = featvec_add(out, f[k].v, "morph_%s", f[k].tag);
out:
    mesh_free(&mesh);
    return err;
}
