/* filter.c — filter parameters, tags and reach, and the separable filters (mean, Laws and
 * their energy maps, separable wavelets) with rotation invariance; the LoG and the
 * frequency-domain filters are in filter_sep.c and filter_fft.c (see filter.h). */
#include "filter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter_impl.h"
#include "util.h"

/* A LoG kernel at most this wide runs as separable passes, a wider one through FFTs: the
 * crossover measured by scripts/bench_extract --filters (docs/performance.md). */
enum { LOG_SEP_MAX = 63 };
/* Padding of the frequency-domain filters at level 1 (voxels), doubled per level. */
enum { SPECTRAL_REACH = 16 };
enum { MAX_LEVEL = 6, N_ROT3 = 24, N_ROT2 = 4 };

/* ---- Laws kernels (Laws 1980; IBSI 2, normalised to unit L2 norm) ---- */

static const struct {
    const char *name;
    int len;
    double k[5];
} laws_tab[] = {
    {"L5", 5, {1, 4, 6, 4, 1}},   {"E5", 5, {-1, -2, 0, 2, 1}}, {"S5", 5, {-1, 0, 2, 0, -1}},
    {"W5", 5, {-1, 2, 0, -2, 1}}, {"R5", 5, {1, -4, 6, -4, 1}}, {"L3", 3, {1, 2, 1}},
    {"E3", 3, {-1, 0, 1}},        {"S3", 3, {-1, 2, -1}},
};
enum { N_LAWS = sizeof laws_tab / sizeof laws_tab[0] };

int filter_laws_find(const char *s)
{
    for (int i = 0; i < N_LAWS; i++)
        if ((s[0] == laws_tab[i].name[0] || s[0] == laws_tab[i].name[0] + 'a' - 'A') &&
            s[1] == laws_tab[i].name[1])
            return i;
    return -1;
}

/* ---- parameters ---- */

void filter_init(filter_t *f, filt_type_t type)
{
    memset(f, 0, sizeof *f);
    f->type = type;
    f->dims = 3;
    f->pad = PAD_MIRROR;
    f->support = 3;
    f->truncate = 4;
    f->laws[0] = f->laws[1] = f->laws[2] = -1;
    f->pool = type == FILT_LAWS ? POOL_MAX : POOL_MEAN;
    f->gamma = 1;
    f->response = type == FILT_GABOR ? RESP_MODULUS : RESP_REAL;
    f->wavelet = -1;
    f->level = 1;
}

int filter_is_spectral(const filter_t *f)
{
    int L = f->riesz[0] + f->riesz[1] + f->riesz[2];
    return f->type == FILT_SIMONCELLI || (f->type == FILT_LOG && L > 0);
}

static int odd_len(int len)
{
    return len % 2 ? len : len + 1;
}

static int n_laws(const filter_t *f)
{
    int n = 0;
    while (n < FILT_LAWS_MAX && f->laws[n] >= 0) n++;
    return n;
}

rgx_err filter_check(const filter_t *f)
{
    int d = f->dims;
    if (d != 2 && d != 3) return rgx_fail(RGX_ERR_CONFIG, "dims must be 2d or 3d");
    int L = f->riesz[0] + f->riesz[1] + f->riesz[2];
    for (int a = 0; a < 3; a++)
        if (f->riesz[a] < 0 || f->riesz[a] > 8)
            return rgx_fail(RGX_ERR_CONFIG, "riesz orders must be 0 .. 8");
    if (L && f->type != FILT_LOG && f->type != FILT_SIMONCELLI)
        return rgx_fail(RGX_ERR_CONFIG, "riesz applies to log and simoncelli filters only");
    if (d == 2 && f->riesz[2])
        return rgx_fail(RGX_ERR_CONFIG, "a 2d filter has no riesz order along z");
    switch (f->type) {
    case FILT_MEAN:
        if (f->support < 1 || f->support % 2 == 0 || f->support > FK_MAX)
            return rgx_fail(RGX_ERR_CONFIG, "support must be odd, 1 .. %d voxels", FK_MAX);
        break;
    case FILT_LOG:
        if (!(f->sigma > 0) || !(f->truncate > 0))
            return rgx_fail(RGX_ERR_CONFIG, "sigma and truncate must be positive");
        break;
    case FILT_LAWS:
        if (n_laws(f) != d)
            return rgx_fail(RGX_ERR_CONFIG,
                            "a %dd Laws filter needs %d kernels (one per axis, x "
                            "first), got %d",
                            d, d, n_laws(f));
        if (f->energy < 0 || 2 * f->energy + 1 > FK_MAX)
            return rgx_fail(RGX_ERR_CONFIG, "energy distance must be 0 .. %d", (FK_MAX - 1) / 2);
        break;
    case FILT_GABOR:
        if (!(f->sigma > 0) || !(f->lambda > 0) || !(f->gamma > 0) || !(f->truncate > 0))
            return rgx_fail(RGX_ERR_CONFIG, "sigma, lambda, gamma and truncate must be positive");
        if (f->theta_step < 0 ||
            (f->theta_step > 0 && fabs(360 / f->theta_step - lround(360 / f->theta_step)) > 1e-9))
            return rgx_fail(RGX_ERR_CONFIG, "theta_step must divide 360 degrees");
        break;
    case FILT_WAVELET: {
        if (f->wavelet < 0) return rgx_fail(RGX_ERR_CONFIG, "unknown wavelet family");
        int nb = (int)strlen(f->bands);
        if (nb != d || strspn(f->bands, "LHlh") != (size_t)nb)
            return rgx_fail(RGX_ERR_CONFIG,
                            "a %dd wavelet needs %d bands of L or H (x first), "
                            "got '%s'",
                            d, d, f->bands);
    }
        /* fall through */
    case FILT_SIMONCELLI:
        if (f->level < 1 || f->level > MAX_LEVEL)
            return rgx_fail(RGX_ERR_CONFIG, "level must be 1 .. %d", MAX_LEVEL);
        break;
    default:
        return rgx_fail(RGX_ERR_CONFIG, "unknown filter type");
    }
    return RGX_OK;
}

static int laws_half(const filter_t *f, int a)
{
    return laws_tab[f->laws[a]].len / 2;
}

void filter_reach(const filter_t *f, const double spacing[3], int reach[3])
{
    int d = f->dims, L = f->riesz[0] + f->riesz[1] + f->riesz[2];
    reach[0] = reach[1] = reach[2] = 0;
    for (int a = 0; a < d; a++) {
        switch (f->type) {
        case FILT_MEAN:
            reach[a] = f->support / 2;
            break;
        case FILT_LOG: {
            int h = flog_half(f, spacing[a]);
            reach[a] = L && h < SPECTRAL_REACH ? SPECTRAL_REACH : h;
            break;
        }
        case FILT_LAWS: {
            int h = 0;
            for (int b = 0; b < d; b++)
                if ((f->rot_inv || b == a) && laws_half(f, b) > h) h = laws_half(f, b);
            reach[a] = h + f->energy;
            break;
        }
        case FILT_WAVELET: {
            const double *lo;
            int h = odd_len(filter_wavelet_lowpass(f->wavelet, &lo)) / 2;
            reach[a] = h * ((1 << f->level) - 1);
            break;
        }
        case FILT_SIMONCELLI:
            reach[a] = SPECTRAL_REACH << (f->level - 1);
            break;
        case FILT_GABOR:
            break;
        }
    }
    if (f->type == FILT_GABOR) {
        int rx, ry, rz1, rz2, rr;
        fgabor_half(f, spacing[0], spacing[1], &rx, &ry);
        reach[0] = rx, reach[1] = ry;
        if (d == 3 && f->rot_inv) { /* coronal (x, z) and sagittal (y, z) planes too */
            fgabor_half(f, spacing[0], spacing[2], &rr, &rz1);
            fgabor_half(f, spacing[1], spacing[2], &rr, &rz2);
            reach[2] = rz1 > rz2 ? rz1 : rz2;
        }
    }
}

/* ---- tags ---- */

/* %g without '.' or '-' (feature names use '.'): 1.5 -> 1p5, -30 -> m30. */
static void num(char *buf, size_t n, double x)
{
    char t[64];
    snprintf(t, sizeof t, "%g", x);
    size_t k = 0;
    for (const char *p = t; *p && k + 1 < n; p++) buf[k++] = *p == '.' ? 'p' : *p == '-' ? 'm' : *p;
    buf[k] = '\0';
}

void filter_tag(const filter_t *f, char *buf, size_t n)
{
    static const char *pool[] = {"mean", "max", "min"};
    static const char *pad[] = {"_constant", "_nearest", "_periodic", ""};
    static const char *resp[] = {"", "_real", "_imag", "_phase"};
    char a[32], b[32], c[32], e[32];
    const char *dd = f->dims == 2 ? "2d" : "";
    size_t k = 0;
#define ADD(...)                                                                                   \
    do {                                                                                           \
        if (k < n) k += (size_t)snprintf(buf + k, n - k, __VA_ARGS__);                             \
    } while (0)
    switch (f->type) {
    case FILT_MEAN:
        ADD("mean%s_s%d", dd, f->support);
        break;
    case FILT_LOG:
        num(a, sizeof a, f->sigma);
        ADD("log%s_s%s", dd, a);
        break;
    case FILT_LAWS:
        ADD("laws%s_", dd);
        for (int i = 0; i < n_laws(f); i++)
            ADD("%c%c", laws_tab[f->laws[i]].name[0] + 'a' - 'A', laws_tab[f->laws[i]].name[1]);
        if (f->energy) ADD("_en%d", f->energy);
        if (f->rot_inv) ADD("_ri%s", pool[f->pool]);
        break;
    case FILT_GABOR:
        num(a, sizeof a, f->sigma), num(b, sizeof b, f->lambda), num(c, sizeof c, f->gamma);
        num(e, sizeof e, f->theta);
        ADD("gabor%s_s%s_l%s_g%s_t%s", dd, a, b, c, e);
        if (f->theta_step > 0) {
            num(a, sizeof a, f->theta_step);
            ADD("_ts%s", a);
        }
        if (f->rot_inv && f->dims == 3) ADD("_ri");
        if (f->theta_step > 0 || (f->rot_inv && f->dims == 3)) ADD("_%s", pool[f->pool]);
        ADD("%s", resp[f->response]);
        break;
    case FILT_WAVELET:
        ADD("wav%s_%s_", dd, filter_wavelet_name(f->wavelet));
        for (const char *p = f->bands; *p; p++) ADD("%c", *p == 'L' || *p == 'l' ? 'l' : 'h');
        ADD("_l%d", f->level);
        if (f->rot_inv) ADD("_ri%s", pool[f->pool]);
        break;
    case FILT_SIMONCELLI:
        ADD("simoncelli%s_l%d", dd, f->level);
        break;
    }
    if ((f->type == FILT_LOG || f->type == FILT_GABOR) && f->truncate != 4) {
        num(a, sizeof a, f->truncate);
        ADD("_tr%s", a);
    }
    if (f->riesz[0] + f->riesz[1] + f->riesz[2])
        ADD("_riesz%d%d%d", f->riesz[0], f->riesz[1], f->riesz[2]);
    ADD("%s", pad[f->pad]);
#undef ADD
}

/* ---- separable kernels, their rotations and pooling ---- */

typedef struct {
    int len;
    double k[FK_MAX];
} k1_t;

/* Stages applied in turn (a wavelet's levels); stage s has a kernel per axis, dilated. */
typedef struct {
    int n_stages, dims;
    int dil[MAX_LEVEL];
    k1_t k[MAX_LEVEL][3];
} chain_t;

static void k1_set(k1_t *t, const double *k, int len, double scale)
{
    t->len = odd_len(len);
    for (int i = 0; i < t->len; i++) t->k[i] = i < len ? k[i] * scale : 0;
}

static void chain_of(const filter_t *f, chain_t *c)
{
    memset(c, 0, sizeof *c);
    c->dims = f->dims;
    c->n_stages = 1;
    c->dil[0] = 1;
    for (int a = 0; a < f->dims; a++) {
        if (f->type == FILT_MEAN) {
            double box[FK_MAX];
            for (int i = 0; i < f->support; i++) box[i] = 1.0 / f->support;
            k1_set(&c->k[0][a], box, f->support, 1);
        } else if (f->type == FILT_LAWS) {
            const double *k = laws_tab[f->laws[a]].k;
            int len = laws_tab[f->laws[a]].len;
            double s = 0;
            for (int i = 0; i < len; i++) s += k[i] * k[i];
            k1_set(&c->k[0][a], k, len, 1 / sqrt(s));
        }
    }
    if (f->type != FILT_WAVELET) return;
    const double *lo;
    int len = filter_wavelet_lowpass(f->wavelet, &lo);
    double hi[FK_MAX];
    for (int i = 0; i < len; i++) hi[i] = (i % 2 ? 1 : -1) * lo[len - 1 - i];
    c->n_stages = f->level;
    for (int s = 0; s < f->level; s++) {
        c->dil[s] = 1 << s;
        for (int a = 0; a < f->dims; a++) {
            int high = s == f->level - 1 && (f->bands[a] == 'H' || f->bands[a] == 'h');
            k1_set(&c->k[s][a], high ? hi : lo, len, 1);
        }
    }
}

/* The right-angle rotations: signed permutations with determinant +1, in a fixed order;
 * output axis r takes the kernel of axis perm[r], reversed when sign[r] < 0. */
static int rotations(int d, int perm[][3], int sign[][3])
{
    static const int p3[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    static const int par3[6] = {1, -1, -1, 1, 1, -1};
    int n = 0;
    for (int p = 0; p < (d == 3 ? 6 : 2); p++)
        for (int s = 0; s < (1 << d); s++) {
            int sg[3] = {1, 1, 1}, prod = d == 3 ? par3[p] : (p ? -1 : 1);
            for (int a = 0; a < d; a++) sg[a] = s >> a & 1 ? -1 : 1, prod *= sg[a];
            if (prod != 1) continue;
            for (int a = 0; a < 3; a++)
                perm[n][a] = d == 3 ? p3[p][a] : (a < 2 ? (p ? 1 - a : a) : 2);
            for (int a = 0; a < 3; a++) sign[n][a] = sg[a];
            n++;
        }
    return n;
}

/* c turned by rotation (perm, sign), each kernel then scaled to a first non-zero tap that is
 * positive; *sgn gets the product of the scalings (+1 or -1). */
static void chain_turn(const chain_t *c, const int perm[3], const int sign[3], chain_t *t, int *sgn)
{
    *t = *c;
    *sgn = 1;
    for (int s = 0; s < c->n_stages; s++)
        for (int r = 0; r < c->dims; r++) {
            const k1_t *src = &c->k[s][perm[r]];
            k1_t *dst = &t->k[s][r];
            dst->len = src->len;
            for (int i = 0; i < src->len; i++)
                dst->k[i] = sign[r] > 0 ? src->k[i] : src->k[src->len - 1 - i];
            int i = 0;
            while (i < dst->len && dst->k[i] == 0) i++;
            if (i < dst->len && dst->k[i] < 0) {
                for (int j = 0; j < dst->len; j++) dst->k[j] = -dst->k[j];
                *sgn = -*sgn;
            }
        }
}

static int chain_same(const chain_t *a, const chain_t *b)
{
    for (int s = 0; s < a->n_stages; s++)
        for (int r = 0; r < a->dims; r++)
            if (a->k[s][r].len != b->k[s][r].len ||
                memcmp(a->k[s][r].k, b->k[s][r].k, (size_t)a->k[s][r].len * sizeof(double)))
                return 0;
    return 1;
}

/* in through every stage of the chain into out; t1 is scratch (all of one volume's size). */
static rgx_err chain_apply(const chain_t *c, const double *in, const int dim[3], filt_pad_t pad,
                           double *out, double *t1)
{
    /* The passes alternate between out and t1 so that the last lands in out. */
    int passes = c->n_stages * c->dims, q = 0;
    const double *src = in;
    rgx_err err = RGX_OK;
    for (int s = 0; s < c->n_stages && !err; s++)
        for (int a = 0; a < c->dims && !err; a++, q++) {
            double *dst = (passes - q) % 2 ? out : t1;
            err = fsep_axis(src, dst, dim, a, c->k[s][a].k, c->k[s][a].len, c->dil[s], pad);
            src = dst;
        }
    return err;
}

/* The chain's response, pooled over its rotations when asked: rotations that give the same
 * kernels (or the same up to sign) are computed once and counted with their sign. */
static rgx_err chain_pooled(const filter_t *f, const chain_t *c, const double *in, const int dim[3],
                            double *out)
{
    size_t nv = fvox(dim);
    double *r = NULL, *t1 = NULL;
    chain_t *uniq = NULL;
    int *n_pos = NULL, *n_neg = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&t1, nv, sizeof *t1))) return err;
    if (!f->rot_inv) {
        err = chain_apply(c, in, dim, f->pad, out, t1);
        free(t1);
        return err;
    }
    int perm[N_ROT3][3], sign[N_ROT3][3];
    int n_rot = rotations(f->dims, perm, sign), n_u = 0;
    if ((err = rgx_calloc(&r, nv, sizeof *r)) || (err = rgx_calloc(&uniq, N_ROT3, sizeof *uniq)) ||
        (err = rgx_calloc(&n_pos, N_ROT3, sizeof *n_pos)) ||
        (err = rgx_calloc(&n_neg, N_ROT3, sizeof *n_neg)))
        goto out;
    for (int i = 0; i < n_rot; i++) {
        chain_t t;
        int sg, u = 0;
        chain_turn(c, perm[i], sign[i], &t, &sg);
        while (u < n_u && !chain_same(&uniq[u], &t)) u++;
        if (u == n_u) uniq[n_u++] = t;
        if (sg > 0)
            n_pos[u]++;
        else
            n_neg[u]++;
    }
    for (int u = 0; u < n_u && !err; u++) {
        if ((err = chain_apply(&uniq[u], in, dim, f->pad, r, t1))) break;
        if (f->pool == POOL_MEAN) {
            double w = (double)(n_pos[u] - n_neg[u]);
            for (size_t i = 0; i < nv; i++) out[i] = u ? out[i] + w * r[i] : w * r[i];
            continue;
        }
        /* max (min) of r and -r over the signs present */
        int both = n_pos[u] && n_neg[u], neg = !n_pos[u], mx = f->pool == POOL_MAX;
        for (size_t i = 0; i < nv; i++) {
            double x = both ? (mx ? fabs(r[i]) : -fabs(r[i])) : neg ? -r[i] : r[i];
            if (!u || (mx ? x > out[i] : x < out[i])) out[i] = x;
        }
    }
    if (!err && f->pool == POOL_MEAN)
        for (size_t i = 0; i < nv; i++) out[i] /= n_rot;
out:
    free(r), free(t1), free(uniq), free(n_pos), free(n_neg);
    return err;
}

/* Laws energy: the mean of |response| over a (2 delta + 1)^d window. */
static rgx_err laws_energy(const filter_t *f, const int dim[3], double *out)
{
    size_t nv = fvox(dim);
    double *t = NULL, box[FK_MAX];
    int w = 2 * f->energy + 1;
    rgx_err err = rgx_calloc(&t, nv, sizeof *t);
    if (err) return err;
    for (int i = 0; i < w; i++) box[i] = 1.0 / w;
    for (size_t i = 0; i < nv; i++) out[i] = fabs(out[i]);
    for (int a = 0; a < f->dims && !err; a++) {
        if (!(err = fsep_axis(out, t, dim, a, box, w, 1, f->pad))) memcpy(out, t, nv * sizeof *out);
    }
    free(t);
    return err;
}

rgx_err filter_apply(const filter_t *f, const double *in, const int dim[3], const double spacing[3],
                     double *out)
{
    rgx_err err = filter_check(f);
    if (err) return err;
    int reach[3];
    filter_reach(f, spacing, reach);
    for (int a = 0; a < 3; a++)
        if (reach[a] >= FK_HALF_MAX)
            return rgx_fail(RGX_ERR_INPUT,
                            "the kernel reaches %d or more voxels of %g mm along %c: is the "
                            "voxel spacing right?",
                            FK_HALF_MAX, spacing[a], "xyz"[a]);
    chain_t c;
    switch (f->type) {
    case FILT_LOG:
        if (filter_is_spectral(f) || f->engine == 2) return ffft_spectral(f, in, dim, spacing, out);
        for (int a = 0; a < f->dims; a++) {
            int taps = 2 * flog_half(f, spacing[a]) + 1;
            if (taps > FK_MAX && f->engine == 1)
                return rgx_fail(RGX_ERR_CONFIG,
                                "a LoG kernel of %d taps is too wide for "
                                "separable passes (at most %d): engine auto or fft",
                                taps, FK_MAX);
            if (taps > LOG_SEP_MAX && !f->engine) return ffft_spectral(f, in, dim, spacing, out);
        }
        return fsep_log(f, in, dim, spacing, out);
    case FILT_GABOR:
        return ffft_gabor(f, in, dim, spacing, out);
    case FILT_SIMONCELLI:
        return ffft_spectral(f, in, dim, spacing, out);
    default:
        break;
    }
    chain_of(f, &c);
    err = chain_pooled(f, &c, in, dim, out);
    if (!err && f->type == FILT_LAWS && f->energy) err = laws_energy(f, dim, out);
    return err;
}
