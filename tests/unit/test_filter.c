/* test_filter.c — the filters against brute force: every separable filter (mean, Laws, wavelet
 * levels, LoG) equals a direct 3D convolution with its full kernel, for each padding mode;
 * rotation invariance equals pooling the kernel turned explicitly by every rotation matrix;
 * Gabor equals a direct 2D complex convolution; the FFT LoG equals the separable one;
 * Simoncelli and Riesz give the known response to a cosine; the wavelet tables satisfy the
 * conditions that define them; tags and parameter checks. */
#include "tap.h"

#include <complex.h>
#include <stdlib.h>

#include "filter.h"
#include "filter_impl.h"

enum { NX = 9, NY = 8, NZ = 7, NV = NX * NY * NZ };
static const int DIM[3] = {NX, NY, NZ};
static const double SP[3] = {1, 1, 1};

/* The padding rules written out differently from fpad_index: by walking. */
static long pad_walk(long i, long n, filt_pad_t p)
{
    if (p == PAD_CONSTANT) return i < 0 || i >= n ? -1 : i;
    if (p == PAD_NEAREST) return i < 0 ? 0 : i >= n ? n - 1 : i;
    if (p == PAD_PERIODIC) {
        while (i < 0) i += n;
        while (i >= n) i -= n;
        return i;
    }
    while (i < 0 || i >= n) i = i < 0 ? -1 - i : 2 * n - 1 - i; /* mirror, edge repeated */
    return i;
}

/* A 3D kernel of half-widths h: K[(u + hx) + (2hx+1)((v + hy) + (2hy+1)(w + hz))]. */
typedef struct {
    int h[3];
    double *k;
} k3_t;

static double k3_at(const k3_t *K, int u, int v, int w)
{
    int n0 = 2 * K->h[0] + 1, n1 = 2 * K->h[1] + 1;
    return K->k[(u + K->h[0]) + n0 * ((v + K->h[1]) + n1 * (w + K->h[2]))];
}

/* out[x] = sum_u K[u] in[x - u] with padding: the definition of a convolution. */
static void conv3(const double *in, const k3_t *K, filt_pad_t p, double *out)
{
    for (int z = 0; z < NZ; z++)
        for (int y = 0; y < NY; y++)
            for (int x = 0; x < NX; x++) {
                double s = 0;
                for (int w = -K->h[2]; w <= K->h[2]; w++)
                    for (int v = -K->h[1]; v <= K->h[1]; v++)
                        for (int u = -K->h[0]; u <= K->h[0]; u++) {
                            long a = pad_walk(x - u, NX, p), b = pad_walk(y - v, NY, p),
                                 c = pad_walk(z - w, NZ, p);
                            if (a >= 0 && b >= 0 && c >= 0)
                                s += k3_at(K, u, v, w) * in[a + NX * (b + NY * c)];
                        }
                out[x + NX * (y + NY * z)] = s;
            }
}

/* The product kernel of three 1D kernels (odd lengths; centre len / 2), dilated by d. */
static k3_t k3_product(const double *kx, const double *ky, const double *kz, int len, int d)
{
    k3_t K = {{len / 2 * d, len / 2 * d, len / 2 * d}, NULL};
    int n = 2 * K.h[0] + 1;
    K.k = calloc((size_t)n * n * n, sizeof *K.k);
    for (int c = 0; c < len; c++)
        for (int b = 0; b < len; b++)
            for (int a = 0; a < len; a++)
                K.k[a * d + n * (b * d + n * c * d)] = kx[a] * ky[b] * kz[c];
    return K;
}

/* K turned by an orthogonal integer matrix M: K'(x) = K(M^T x). */
static k3_t k3_turn(const k3_t *K, const int M[3][3])
{
    k3_t T = {{K->h[0], K->h[1], K->h[2]}, NULL};
    int n = 2 * K->h[0] + 1, h = K->h[0];
    T.k = calloc((size_t)n * n * n, sizeof *T.k);
    for (int w = -h; w <= h; w++)
        for (int v = -h; v <= h; v++)
            for (int u = -h; u <= h; u++) {
                int x[3] = {u, v, w}, y[3];
                for (int a = 0; a < 3; a++) y[a] = M[0][a] * x[0] + M[1][a] * x[1] + M[2][a] * x[2];
                T.k[(u + h) + n * ((v + h) + n * (w + h))] = k3_at(K, y[0], y[1], y[2]);
            }
    return T;
}

/* Every 3x3 matrix of -1, 0, 1 that is a rotation (orthogonal, determinant 1): found by
 * trying all 3^9. */
static int all_rotations(int R[][3][3])
{
    int n = 0;
    for (int code = 0; code < 19683; code++) {
        int M[3][3], c = code;
        for (int i = 0; i < 9; i++) M[i / 3][i % 3] = c % 3 - 1, c /= 3;
        int orth = 1;
        for (int i = 0; i < 3 && orth; i++)
            for (int j = 0; j < 3; j++) {
                int d = M[i][0] * M[j][0] + M[i][1] * M[j][1] + M[i][2] * M[j][2];
                if (d != (i == j)) orth = 0;
            }
        int det = M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) -
                  M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) +
                  M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
        if (orth && det == 1) memcpy(R[n++], M, sizeof M);
    }
    return n;
}

static double maxdiff(const double *a, const double *b, size_t n)
{
    double d = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(a[i] - b[i]) > d || isnan(a[i]) != isnan(b[i])) d = fabs(a[i] - b[i]);
    return d;
}

static const char *padname[] = {"constant", "nearest", "periodic", "mirror"};

static void unit_norm(double *k, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++) s += k[i] * k[i];
    for (int i = 0; i < n; i++) k[i] /= sqrt(s);
}

static void test_separable(const double *in)
{
    double got[NV], want[NV];
    char name[160];
    for (int p = 0; p < 4; p++) {
        filter_t f;
        /* mean, support 5 */
        filter_init(&f, FILT_MEAN);
        f.support = 5, f.pad = (filt_pad_t)p;
        double box[5] = {0.2, 0.2, 0.2, 0.2, 0.2};
        k3_t K = k3_product(box, box, box, 5, 1);
        filter_apply(&f, in, DIM, SP, got);
        conv3(in, &K, f.pad, want);
        snprintf(name, sizeof name, "mean 5, %s padding = direct convolution", padname[p]);
        ok(maxdiff(got, want, NV) < 1e-12, name);
        free(K.k);
        /* Laws E5 L3 S5 (L3 padded to 5 taps around its centre) */
        filter_init(&f, FILT_LAWS);
        f.laws[0] = filter_laws_find("E5"), f.laws[1] = filter_laws_find("l3");
        f.laws[2] = filter_laws_find("S5"), f.pad = (filt_pad_t)p;
        double e5[5] = {-1, -2, 0, 2, 1}, l3[5] = {0, 1, 2, 1, 0}, s5[5] = {-1, 0, 2, 0, -1};
        unit_norm(e5, 5), unit_norm(l3, 5), unit_norm(s5, 5);
        K = k3_product(e5, l3, s5, 5, 1);
        filter_apply(&f, in, DIM, SP, got);
        conv3(in, &K, f.pad, want);
        snprintf(name, sizeof name, "Laws E5L3S5, %s padding = direct convolution", padname[p]);
        ok(maxdiff(got, want, NV) < 1e-12, name);
        free(K.k);
        /* db2 LHL at level 2: the low pass at level 1, then the bands dilated by 2 */
        filter_init(&f, FILT_WAVELET);
        f.wavelet = filter_wavelet_find("db2"), strcpy(f.bands, "LHL"), f.level = 2;
        f.pad = (filt_pad_t)p;
        const double *lo;
        filter_wavelet_lowpass(f.wavelet, &lo);
        double L[5] = {lo[0], lo[1], lo[2], lo[3], 0}, H[5] = {-lo[3], lo[2], -lo[1], lo[0], 0};
        k3_t K1 = k3_product(L, L, L, 5, 1), K2 = k3_product(L, H, L, 5, 2);
        double mid[NV];
        filter_apply(&f, in, DIM, SP, got);
        conv3(in, &K1, f.pad, mid);
        conv3(mid, &K2, f.pad, want);
        snprintf(name, sizeof name, "db2 LHL level 2, %s padding = two direct convolutions",
                 padname[p]);
        ok(maxdiff(got, want, NV) < 1e-12, name);
        free(K1.k), free(K2.k);
        /* LoG, sigma 1.2 voxels, truncated at 2.5 sigma: the IBSI kernel sampled in full */
        filter_init(&f, FILT_LOG);
        f.sigma = 1.2, f.truncate = 2.5, f.pad = (filt_pad_t)p;
        int h = (int)floor(2.5 * 1.2 + 0.5), n = 2 * h + 1;
        K = (k3_t){{h, h, h}, calloc((size_t)n * n * n, sizeof(double))};
        double s2 = 1.2 * 1.2;
        for (int w = -h; w <= h; w++)
            for (int v = -h; v <= h; v++)
                for (int u = -h; u <= h; u++) {
                    double r2 = u * u + v * v + w * w;
                    K.k[(u + h) + n * ((v + h) + n * (w + h))] =
                        -1 / s2 * pow(2 * M_PI * s2, -1.5) * (3 - r2 / s2) * exp(-r2 / (2 * s2));
                }
        filter_apply(&f, in, DIM, SP, got);
        conv3(in, &K, f.pad, want);
        snprintf(name, sizeof name, "LoG sigma 1.2, %s padding = direct convolution", padname[p]);
        ok(maxdiff(got, want, NV) < 1e-12, name);
        /* the same through FFTs */
        ffft_spectral(&f, in, DIM, SP, got);
        snprintf(name, sizeof name, "LoG through FFTs, %s padding = direct convolution",
                 padname[p]);
        ok(maxdiff(got, want, NV) < 1e-11, name);
        free(K.k);
    }
}

/* Rotation invariance against the kernel turned as a 3D array by every rotation matrix. */
static void test_rotations(const double *in)
{
    int R[64][3][3];
    int n = all_rotations(R);
    is_int(n, 24, "24 right-angle rotations of 3D space");
    double got[NV], want[NV], r[NV];
    filter_t f;
    /* Laws E5 W5 L5 (antisymmetric, antisymmetric, symmetric), max pooling */
    filter_init(&f, FILT_LAWS);
    f.laws[0] = filter_laws_find("E5"), f.laws[1] = filter_laws_find("W5");
    f.laws[2] = filter_laws_find("L5"), f.rot_inv = 1, f.pool = POOL_MAX, f.pad = PAD_MIRROR;
    double e5[5] = {-1, -2, 0, 2, 1}, w5[5] = {-1, 2, 0, -2, 1}, l5[5] = {1, 4, 6, 4, 1};
    unit_norm(e5, 5), unit_norm(w5, 5), unit_norm(l5, 5);
    k3_t K = k3_product(e5, w5, l5, 5, 1);
    for (int i = 0; i < n; i++) {
        k3_t T = k3_turn(&K, (const int(*)[3])R[i]);
        conv3(in, &T, PAD_MIRROR, r);
        for (int v = 0; v < NV; v++) want[v] = i == 0 || r[v] > want[v] ? r[v] : want[v];
        free(T.k);
    }
    filter_apply(&f, in, DIM, SP, got);
    ok(maxdiff(got, want, NV) < 1e-12, "Laws E5W5L5 rotation invariant (max) = max over 24 turns");
    /* with its energy map: the mean of |.| over 3x3x3 */
    filter_t fe = f;
    fe.energy = 1;
    double box[3] = {1.0 / 3, 1.0 / 3, 1.0 / 3}, ab[NV], en[NV];
    k3_t B = k3_product(box, box, box, 3, 1);
    for (int v = 0; v < NV; v++) ab[v] = fabs(want[v]);
    conv3(ab, &B, PAD_MIRROR, en);
    filter_apply(&fe, in, DIM, SP, got);
    ok(maxdiff(got, en, NV) < 1e-12, "Laws energy map (delta 1) of the pooled response");
    free(K.k), free(B.k);
    /* coif1 HLH, mean pooling, periodic */
    filter_init(&f, FILT_WAVELET);
    f.wavelet = filter_wavelet_find("coif1"), strcpy(f.bands, "HLH"), f.rot_inv = 1;
    f.pool = POOL_MEAN, f.pad = PAD_PERIODIC;
    const double *lo;
    filter_wavelet_lowpass(f.wavelet, &lo);
    double L[7], H[7];
    for (int i = 0; i < 7; i++) {
        L[i] = i < 6 ? lo[i] : 0;
        H[i] = i < 6 ? (i % 2 ? 1 : -1) * lo[5 - i] : 0;
    }
    K = k3_product(H, L, H, 7, 1);
    for (int i = 0; i < n; i++) {
        k3_t T = k3_turn(&K, (const int(*)[3])R[i]);
        conv3(in, &T, PAD_PERIODIC, r);
        for (int v = 0; v < NV; v++) want[v] = (i ? want[v] : 0) + r[v] / n;
        free(T.k);
    }
    filter_apply(&f, in, DIM, SP, got);
    ok(maxdiff(got, want, NV) < 1e-12, "coif1 HLH rotation invariant (mean) = mean over 24 turns");
    free(K.k);
}

/* Gabor: a direct complex convolution in each x-y plane. */
static void test_gabor(const double *in)
{
    filter_t f;
    filter_init(&f, FILT_GABOR);
    f.sigma = 1.5, f.lambda = 2.5, f.gamma = 0.7, f.theta = 30, f.truncate = 1.5;
    f.dims = 2, f.pad = PAD_MIRROR;
    int ra, rb;
    fgabor_half(&f, 1, 1, &ra, &rb);
    double got[NV], want[NV];
    double th = 30 * M_PI / 180;
    for (int z = 0; z < NZ; z++)
        for (int y = 0; y < NY; y++)
            for (int x = 0; x < NX; x++) {
                double complex s = 0;
                for (int v = -rb; v <= rb; v++)
                    for (int u = -ra; u <= ra; u++) {
                        double xt = u * cos(th) + v * sin(th), yt = -u * sin(th) + v * cos(th);
                        double complex k = exp(-(xt * xt + 0.49 * yt * yt) / (2 * 2.25)) *
                                           cexp(I * 2 * M_PI * xt / 2.5);
                        long a = pad_walk(x - u, NX, PAD_MIRROR),
                             b = pad_walk(y - v, NY, PAD_MIRROR);
                        s += k * in[a + NX * (b + NY * z)];
                    }
                want[x + NX * (y + NY * z)] = cabs(s);
            }
    filter_apply(&f, in, DIM, SP, got);
    ok(maxdiff(got, want, NV) < 1e-11, "Gabor (2d, modulus) = direct complex convolution");
}

/* Simoncelli and Riesz on a cosine of an odd-sized periodic grid: the grid's normalised
 * frequency of wave number k on N = 2c + 1 points is k / c. */
static void test_spectral(void)
{
    enum { N = 15, K = 3 };
    int dim[3] = {N, N, N};
    double *in = calloc(N * N * N, sizeof *in), *got = calloc(N * N * N, sizeof *got);
    for (int i = 0; i < N * N * N; i++) in[i] = cos(2 * M_PI * K * (i % N) / N);
    filter_t f;
    filter_init(&f, FILT_SIMONCELLI);
    f.pad = PAD_PERIODIC;
    double rho = K / 7.0, gain = cos(M_PI / 2 * log2(2 * rho));
    filter_apply(&f, in, dim, SP, got);
    double d = 0;
    for (int i = 0; i < N * N * N; i++) d = fmax(d, fabs(got[i] - gain * in[i]));
    ok(d < 1e-12, "Simoncelli level 1: a cosine in the band is scaled by the band's value");
    f.level = 2; /* band 1/8 .. 1/2: rho 3/7 is inside */
    double gain2 = cos(M_PI / 2 * log2(4 * rho));
    filter_apply(&f, in, dim, SP, got);
    d = 0;
    for (int i = 0; i < N * N * N; i++) d = fmax(d, fabs(got[i] - gain2 * in[i]));
    ok(d < 1e-12, "Simoncelli level 2: the band halved");
    f.level = 1, f.riesz[0] = 1; /* -j sign(k): the Hilbert transform, cos -> sin */
    filter_apply(&f, in, dim, SP, got);
    d = 0;
    for (int i = 0; i < N * N * N; i++)
        d = fmax(d, fabs(got[i] - gain * sin(2 * M_PI * K * (i % N) / N)));
    ok(d < 1e-12, "Riesz order (1, 0, 0) of a cosine along x: the sine");
    f.riesz[0] = 0, f.riesz[1] = 1; /* no frequency along y: nothing left */
    filter_apply(&f, in, dim, SP, got);
    d = 0;
    for (int i = 0; i < N * N * N; i++) d = fmax(d, fabs(got[i]));
    ok(d < 1e-12, "Riesz order (0, 1, 0) of a cosine along x: zero");
    free(in), free(got);
}

static void test_wavelets(void)
{
    static const struct {
        const char *name;
        int vm; /* vanishing moments of the high pass */
    } w[] = {{"haar", 1},  {"db2", 2},   {"db3", 3},   {"db4", 4},   {"db5", 5},
             {"db6", 6},   {"db7", 7},   {"db8", 8},   {"sym2", 2},  {"sym3", 3},
             {"sym4", 4},  {"sym5", 5},  {"sym6", 6},  {"sym7", 7},  {"sym8", 8},
             {"coif1", 2}, {"coif2", 4}, {"coif3", 6}, {"coif4", 8}, {"coif5", 10}};
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        const double *lo;
        int k = filter_wavelet_find(w[i].name), n = filter_wavelet_lowpass(k, &lo), good = 1;
        double s = 0, s2 = 0;
        for (int j = 0; j < n; j++) s += lo[j], s2 += lo[j] * lo[j];
        /* 1e-10: the published tables are that exact (sym3's norm is 1 + 4.8e-12) */
        good &= fabs(s - sqrt(2)) < 1e-10 && fabs(s2 - 1) < 1e-10;
        for (int m = 1; m < n / 2; m++) {
            double c = 0;
            for (int j = 0; j + 2 * m < n; j++) c += lo[j] * lo[j + 2 * m];
            good &= fabs(c) < 1e-10;
        }
        for (int p = 0; p < w[i].vm; p++) {
            double mom = 0, mag = 0;
            for (int j = 0; j < n; j++) {
                double hi = (j % 2 ? 1 : -1) * lo[n - 1 - j], t = hi * pow(j, p);
                mom += t, mag += fabs(t);
            }
            good &= fabs(mom) <= 1e-9 * mag;
        }
        char name[120];
        snprintf(name, sizeof name,
                 "%s: unit norm, sum sqrt 2, orthogonal shifts, %d vanishing "
                 "moments",
                 w[i].name, w[i].vm);
        ok(k >= 0 && good, name);
    }
    const double *lo;
    filter_wavelet_lowpass(filter_wavelet_find("db2"), &lo);
    double r3 = sqrt(3), q = 4 * sqrt(2);
    ok(fabs(lo[0] - (1 - r3) / q) < 1e-15 && fabs(lo[1] - (3 - r3) / q) < 1e-15 &&
           fabs(lo[2] - (3 + r3) / q) < 1e-15 && fabs(lo[3] - (1 + r3) / q) < 1e-15,
       "db2 = (1 - sqrt 3, 3 - sqrt 3, 3 + sqrt 3, 1 + sqrt 3) / (4 sqrt 2)");
    is_int(filter_wavelet_find("db1"), filter_wavelet_find("haar"), "db1 is haar");
    is_int(filter_wavelet_find("db99"), -1, "unknown family");
}

static void test_tags_checks(void)
{
    filter_t f;
    char tag[FILT_TAG_LEN];
    filter_init(&f, FILT_LOG);
    f.sigma = 1.5;
    filter_tag(&f, tag, sizeof tag);
    is_str(tag, "log_s1p5", "LoG tag");
    filter_init(&f, FILT_LAWS);
    f.laws[0] = 0, f.laws[1] = 1, f.laws[2] = 1, f.energy = 7, f.rot_inv = 1;
    filter_tag(&f, tag, sizeof tag);
    is_str(tag, "laws_l5e5e5_en7_rimax", "Laws tag");
    filter_init(&f, FILT_WAVELET);
    f.wavelet = filter_wavelet_find("coif1"), strcpy(f.bands, "LLH"), f.pad = PAD_PERIODIC;
    filter_tag(&f, tag, sizeof tag);
    is_str(tag, "wav_coif1_llh_l1_periodic", "wavelet tag");
    filter_init(&f, FILT_GABOR);
    f.sigma = 5, f.lambda = 2, f.gamma = 1.5, f.theta_step = 22.5, f.dims = 2;
    filter_tag(&f, tag, sizeof tag);
    is_str(tag, "gabor2d_s5_l2_g1p5_t0_ts22p5_mean", "Gabor tag");
    filter_init(&f, FILT_SIMONCELLI);
    f.riesz[1] = 2, f.pad = PAD_NEAREST;
    filter_tag(&f, tag, sizeof tag);
    is_str(tag, "simoncelli_l1_riesz020_nearest", "Riesz-Simoncelli tag");
    ok(!strchr(tag, '.'), "no '.' in tags");

    filter_init(&f, FILT_MEAN);
    f.support = 4;
    is_int(filter_check(&f), RGX_ERR_CONFIG, "even mean support");
    like(rgx_errmsg(), "support must be odd", "its message");
    filter_init(&f, FILT_LAWS);
    f.laws[0] = 0, f.laws[1] = 1;
    is_int(filter_check(&f), RGX_ERR_CONFIG, "two Laws kernels for a 3D filter");
    like(rgx_errmsg(), "needs 3 kernels", "its message");
    filter_init(&f, FILT_GABOR);
    f.sigma = 1, f.lambda = 1, f.theta_step = 7;
    is_int(filter_check(&f), RGX_ERR_CONFIG, "theta step that does not divide 360");
    filter_init(&f, FILT_MEAN);
    f.riesz[0] = 1;
    is_int(filter_check(&f), RGX_ERR_CONFIG, "riesz on a mean filter");
    int r[3];
    filter_init(&f, FILT_WAVELET);
    f.wavelet = filter_wavelet_find("coif1"), strcpy(f.bands, "LLL"), f.level = 2;
    double sp[3] = {0.7, 0.7, 1.25};
    filter_reach(&f, sp, r);
    ok(r[0] == 9 && r[1] == 9 && r[2] == 9, "coif1 level 2 reads 3 + 6 voxels each way");
    filter_init(&f, FILT_LOG);
    f.sigma = 2, f.dims = 2;
    filter_reach(&f, sp, r);
    ok(r[0] == 11 && r[1] == 11 && r[2] == 0, "2D LoG: floor(4 sigma / spacing + 1/2), none in z");
}

/* A voxel spacing of nanometres (a broken header: 1e-9 mm) makes a kernel billions of voxels
 * wide: refused as an input error by every engine, not an int overflow (that crashed). */
static void test_tiny_spacing(const double *in)
{
    const double sp[3] = {1e-9, 1, 1};
    double out[NV];
    filter_t f;
    for (int e = 0; e < 3; e++) {
        filter_init(&f, FILT_LOG);
        f.sigma = 3, f.engine = e;
        is_int(filter_apply(&f, in, DIM, sp, out), RGX_ERR_INPUT, "LoG on 1e-9 mm voxels: refused");
    }
    like(rgx_errmsg(), "voxel spacing", "its message");
    filter_init(&f, FILT_GABOR);
    f.sigma = 3, f.lambda = 4, f.gamma = 0.5, f.dims = 2;
    is_int(filter_apply(&f, in, DIM, sp, out), RGX_ERR_INPUT, "Gabor on 1e-9 mm voxels: refused");
    int r[3];
    filter_reach(&f, sp, r);
    ok(r[0] == FK_HALF_MAX && r[1] > 0 && r[1] < 100, "its reach along x is capped");
}

int main(void)
{
    double in[NV];
    unsigned s = 12345;
    for (int i = 0; i < NV; i++)
        s = s * 1103515245u + 12345u, in[i] = (double)(s >> 16 & 1023) / 64;
    test_separable(in);
    test_rotations(in);
    test_gabor(in);
    test_spectral();
    test_wavelets();
    test_tags_checks();
    test_tiny_spacing(in);
    return tap_done();
}
