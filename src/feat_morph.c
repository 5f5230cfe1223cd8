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
 * Moran's I and Geary's C use every pair of voxels with weight 1 / distance; on a grid that
 * weight depends only on the offset, so the pair sums are correlations computed by FFT
 * (O(N log N) instead of O(N^2): 114,000 voxels take well under a second). */
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_fft_complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "features.h"
#include "hull.h"
#include "mesh.h"
#include "util.h"

/* The smallest 2-3-5-smooth number >= n (fast mixed-radix FFT sizes). */
static size_t smooth(size_t n)
{
    for (;; n++) {
        size_t m = n;
        while (m % 2 == 0) m /= 2;
        while (m % 3 == 0) m /= 3;
        while (m % 5 == 0) m /= 5;
        if (m == 1) return n;
    }
}

/* Lines copied together into contiguous memory for the strided axes: a line along z has
 * its points a whole plane apart, and transforming it in place touches one page per point. */
enum { FFT_BATCH = 16 };

/* In-place forward 3D FFT of packed complex data of size n[0] * n[1] * n[2] (x fastest)
 * that is zero outside the corner box sup[0] * sup[1] * sup[2]: the lines of a pass that
 * hold only zeros (outside the box on the axes not yet transformed) stay zero and are
 * skipped. */
static rgx_err fft3(double *data, const size_t n[3], const size_t sup[3])
{
    size_t stride[3] = {1, n[0], n[0] * n[1]}, ext[3] = {sup[0], sup[1], sup[2]};
    size_t longest = n[0] > n[1] ? n[0] : n[1];
    if (n[2] > longest) longest = n[2];
    double *buf = malloc(2 * FFT_BATCH * longest * sizeof *buf);
    rgx_err err = RGX_OK;
    for (int a = 0; a < 3 && !err; a++) {
        if (n[a] == 1) continue;
        gsl_fft_complex_wavetable *w = gsl_fft_complex_wavetable_alloc(n[a]);
        gsl_fft_complex_workspace *ws = gsl_fft_complex_workspace_alloc(n[a]);
        if (!w || !ws || !buf) {
            err = rgx_fail(RGX_ERR_MEMORY, "out of memory for an FFT of %zu points", n[a]);
        } else if (a == 0) { /* the lines along x are contiguous */
            for (size_t z = 0; z < ext[2]; z++)
                for (size_t y = 0; y < ext[1]; y++)
                    gsl_fft_complex_forward(data + 2 * (y * stride[1] + z * stride[2]), 1, n[0], w,
                                            ws);
        } else { /* y or z: FFT_BATCH neighbouring lines (consecutive x) at a time */
            int c = a == 1 ? 2 : 1; /* the other strided axis */
            for (size_t j = 0; j < ext[c]; j++)
                for (size_t x0 = 0; x0 < ext[0]; x0 += FFT_BATCH) {
                    size_t nb = ext[0] - x0 < FFT_BATCH ? ext[0] - x0 : FFT_BATCH;
                    double *base = data + 2 * (x0 + j * stride[c]);
                    for (size_t t = 0; t < n[a]; t++)
                        for (size_t b = 0; b < nb; b++) {
                            buf[2 * (b * n[a] + t)] = base[2 * (t * stride[a] + b)];
                            buf[2 * (b * n[a] + t) + 1] = base[2 * (t * stride[a] + b) + 1];
                        }
                    for (size_t b = 0; b < nb; b++)
                        gsl_fft_complex_forward(buf + 2 * b * n[a], 1, n[a], w, ws);
                    for (size_t t = 0; t < n[a]; t++)
                        for (size_t b = 0; b < nb; b++) {
                            base[2 * (t * stride[a] + b)] = buf[2 * (b * n[a] + t)];
                            base[2 * (t * stride[a] + b) + 1] = buf[2 * (b * n[a] + t) + 1];
                        }
                }
        }
        ext[a] = n[a]; /* the transformed axis is full */
        gsl_fft_complex_wavetable_free(w), gsl_fft_complex_workspace_free(ws);
    }
    free(buf);
    return err;
}

/* Moran's I and Geary's C of the intensity mask (IBSI 1, 3.1.24-25). */
static rgx_err moran_geary(const roi_t *r, double *moran, double *geary)
{
    const int *d = r->dim;
    int lo[3] = {d[0], d[1], d[2]}, hi[3] = {-1, -1, -1};
    double mu = 0;
    size_t nroi = 0;
    for (int z = 0; z < d[2]; z++)
        for (int y = 0; y < d[1]; y++)
            for (int x = 0; x < d[0]; x++) {
                size_t v = (size_t)x + (size_t)d[0] * ((size_t)y + (size_t)d[1] * (size_t)z);
                if (!r->mask[v]) continue;
                int c[3] = {x, y, z};
                for (int a = 0; a < 3; a++) {
                    if (c[a] < lo[a]) lo[a] = c[a];
                    if (c[a] > hi[a]) hi[a] = c[a];
                }
                mu += r->intensity[v], nroi++;
            }
    *moran = *geary = NAN;
    if (nroi < 2) return RGX_OK;
    mu /= (double)nroi;
    size_t box[3], n[3], total = 1;
    for (int a = 0; a < 3; a++) {
        box[a] = (size_t)(hi[a] - lo[a] + 1);
        n[a] = smooth(2 * box[a] - 1);
        total *= n[a];
    }
    /* Two real fields per complex transform: Z1 = m + i a, Z2 = q + i k, with k the weight
     * 1/distance placed at every offset (wrapped), 0 at offset 0 and beyond the box. */
    double *Z1 = NULL, *Z2 = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&Z1, 2 * total, sizeof *Z1)) || (err = rgx_calloc(&Z2, 2 * total, sizeof *Z2)))
        goto out;
    double ssq = 0;
    for (size_t z = 0; z < box[2]; z++)
        for (size_t y = 0; y < box[1]; y++)
            for (size_t x = 0; x < box[0]; x++) {
                size_t v = (size_t)(lo[0] + (int)x) +
                           (size_t)d[0] * ((size_t)(lo[1] + (int)y) + (size_t)d[1] * (size_t)(lo[2] + (int)z));
                if (!r->mask[v]) continue;
                size_t p = x + n[0] * (y + n[1] * z);
                double a = r->intensity[v] - mu;
                Z1[2 * p] = 1, Z1[2 * p + 1] = a, Z2[2 * p] = a * a;
                ssq += a * a;
            }
    for (size_t z = 0; z < n[2]; z++)
        for (size_t y = 0; y < n[1]; y++)
            for (size_t x = 0; x < n[0]; x++) {
                /* The signed offset of this wrapped index; |offset| < box. */
                long o[3] = {(long)x, (long)y, (long)z};
                int skip = 0;
                double dist2 = 0;
                for (int a = 0; a < 3; a++) {
                    if (o[a] >= (long)box[a]) o[a] -= (long)n[a];
                    if (o[a] <= -(long)box[a]) skip = 1;
                    double mm = (double)o[a] * r->spacing[a];
                    dist2 += mm * mm;
                }
                if (!skip && dist2 > 0) Z2[2 * (x + n[0] * (y + n[1] * z)) + 1] = 1 / sqrt(dist2);
            }
    if ((err = fft3(Z1, n, box)) || (err = fft3(Z2, n, n))) goto out;
    /* By Parseval, sum_o k(o) sum_i f_i g_{i+o} = 1/N sum_f K(f) conj(F(f)) G(f), with K real
     * (k is real and even).  The spectra of the real fields come out of Z1 and Z2 by their
     * Hermitian symmetry: F(f) = (Z(f) + conj Z(-f)) / 2, G(f) = (Z(f) - conj Z(-f)) / 2i. */
    double W = 0, sa = 0, sq = 0;
    for (size_t z = 0; z < n[2]; z++)
        for (size_t y = 0; y < n[1]; y++)
            for (size_t x = 0; x < n[0]; x++) {
                size_t p = x + n[0] * (y + n[1] * z);
                size_t m = (x ? n[0] - x : 0) + n[0] * ((y ? n[1] - y : 0) + n[1] * (z ? n[2] - z : 0));
                double mr = (Z1[2 * p] + Z1[2 * m]) / 2, mi = (Z1[2 * p + 1] - Z1[2 * m + 1]) / 2;
                double ar = (Z1[2 * p + 1] + Z1[2 * m + 1]) / 2, ai = -(Z1[2 * p] - Z1[2 * m]) / 2;
                double qr = (Z2[2 * p] + Z2[2 * m]) / 2, qi = (Z2[2 * p + 1] - Z2[2 * m + 1]) / 2;
                double kr = (Z2[2 * p + 1] + Z2[2 * m + 1]) / 2;
                W += kr * (mr * mr + mi * mi);
                sa += kr * (ar * ar + ai * ai);
                sq += kr * (qr * mr + qi * mi);
            }
    W /= (double)total, sa /= (double)total, sq /= (double)total;
    if (ssq > 0 && W > 0) {
        *moran = (double)nroi / W * sa / ssq;
        *geary = (double)(nroi - 1) / (2 * W) * 2 * (sq - sa) / ssq;
    }
out:
    free(Z1), free(Z2);
    return err;
}

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
