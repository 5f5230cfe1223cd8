/* resample.c — see resample.h. */
#include "resample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Old voxels beyond the needed ones that the cubic prefilter reads: the filter's influence
 * decays as |sqrt(3) - 2|^k, 1.4e-7 after 12 voxels, well below the rounding of HU. */
enum { SPLINE_PAD = 12, MAX_TAPS = 4 };

void resample_grid(const image_t *img, const feat_settings_t *s, axis_map_t map[3])
{
    for (int a = 0; a < 3; a++) {
        axis_map_t *m = &map[a];
        double sa = img->spacing[a], sb = s->spacing[a];
        int resampled = s->interp != INTERP_NONE && !(s->interp_2d && a == 2) && isfinite(sb);
        if (!resampled) {
            *m = (axis_map_t){img->dim[a], sa, 1, 0};
            continue;
        }
        /* The slack keeps an exact ratio (60 x 3 mm / 2 mm = 90) from rounding up. */
        m->n = (int)ceil(img->dim[a] * sa / sb - 1e-6);
        m->s = sb, m->r = sb / sa;
        m->off = ((img->dim[a] - 1) - (m->n - 1) * m->r) / 2;
    }
}

/* The taps of one axis: for each new voxel, K old indices (absolute) and weights. */
typedef struct {
    int k;
    int *idx;
    double *w;
} taps_t;

static rgx_err taps_make(const axis_map_t *map, int o, int n, interp_t method, taps_t *t)
{
    t->k = method == INTERP_CUBIC ? 4 : method == INTERP_LINEAR ? 2 : 1;
    rgx_err err;
    if ((err = rgx_calloc(&t->idx, (size_t)n * (size_t)t->k, sizeof *t->idx)) ||
        (err = rgx_calloc(&t->w, (size_t)n * (size_t)t->k, sizeof *t->w)))
        return err;
    for (int m = 0; m < n; m++) {
        double x = (o + m) * map->r + map->off;
        int *ix = t->idx + (size_t)m * (size_t)t->k;
        double *w = t->w + (size_t)m * (size_t)t->k;
        if (method == INTERP_CUBIC) { /* cubic B-spline weights at i-1 .. i+2 */
            int i = (int)floor(x);
            double u = x - i, u2 = u * u, u3 = u2 * u;
            for (int q = 0; q < 4; q++) ix[q] = i - 1 + q;
            w[0] = (1 - u) * (1 - u) * (1 - u) / 6;
            w[1] = (4 - 6 * u2 + 3 * u3) / 6;
            w[2] = (1 + 3 * u + 3 * u2 - 3 * u3) / 6;
            w[3] = u3 / 6;
        } else if (method == INTERP_LINEAR) {
            int i = (int)floor(x);
            ix[0] = i, ix[1] = i + 1;
            w[1] = x - i, w[0] = 1 - w[1];
        } else {
            ix[0] = (int)floor(x + 0.5), w[0] = 1;
        }
    }
    return RGX_OK;
}

static void taps_free(taps_t *t)
{
    free(t->idx), free(t->w);
}

/* Cubic B-spline coefficients of n samples with stride, in place (Unser's causal and
 * anti-causal recursions; mirror boundary; gain 6). */
static void spline_line(double *c, size_t n, size_t stride)
{
    const double z = sqrt(3.0) - 2;
    if (n < 2) return;
    double sum = 0, zk = 1;
    for (size_t k = 0; k < n && k < 40; k++) sum += zk * c[k * stride], zk *= z;
    c[0] = sum;
    for (size_t k = 1; k < n; k++) c[k * stride] += z * c[(k - 1) * stride];
    c[(n - 1) * stride] = z / (z * z - 1) * (c[(n - 1) * stride] + z * c[(n - 2) * stride]);
    for (size_t k = n - 1; k-- > 0;) c[k * stride] = z * (c[(k + 1) * stride] - c[k * stride]);
    for (size_t k = 0; k < n; k++) c[k * stride] *= 6;
}

static int clampi(int v, int n)
{
    return v < 0 ? 0 : v >= n ? n - 1 : v;
}

/* The taps of the box o .. o + n - 1 along each axis, for the intensities (ti) and the mask
 * (tm), and the block of old voxels they read: lo .. lo + bn - 1 (unclipped: reads past the
 * image take the edge voxel). */
static rgx_err box_taps(const feat_settings_t *s, const axis_map_t map[3], const int o[3],
                        const int n[3], taps_t ti[3], taps_t tm[3], int lo[3], int bn[3])
{
    rgx_err err = RGX_OK;
    for (int a = 0; a < 3 && !err; a++) {
        /* An axis that keeps its grid maps voxel to voxel: one tap. */
        int same = map[a].r == 1 && map[a].off == 0;
        interp_t mi = same ? INTERP_NEAREST : s->interp,
                 mm = same ? INTERP_NEAREST : s->mask_interp;
        if ((err = taps_make(&map[a], o[a], n[a], mi, &ti[a])) ||
            (err = taps_make(&map[a], o[a], n[a], mm, &tm[a])))
            break;
        int l = ti[a].idx[0], h = ti[a].idx[(size_t)n[a] * (size_t)ti[a].k - 1];
        if (tm[a].idx[0] < l) l = tm[a].idx[0];
        if (tm[a].idx[(size_t)n[a] * (size_t)tm[a].k - 1] > h)
            h = tm[a].idx[(size_t)n[a] * (size_t)tm[a].k - 1];
        if (mi == INTERP_CUBIC) l -= SPLINE_PAD, h += SPLINE_PAD;
        lo[a] = l, bn[a] = h - l + 1;
    }
    return err;
}

rgx_err resample_source(const image_t *img, const feat_settings_t *s, const axis_map_t map[3],
                        const int o[3], const int n[3], int lo[3], int hi[3])
{
    taps_t ti[3] = {{0}}, tm[3] = {{0}};
    int bn[3];
    rgx_err err = box_taps(s, map, o, n, ti, tm, lo, bn);
    for (int a = 0; a < 3; a++) {
        if (!err) hi[a] = clampi(lo[a] + bn[a] - 1, img->dim[a]);
        if (!err) lo[a] = clampi(lo[a], img->dim[a]);
        taps_free(&ti[a]), taps_free(&tm[a]);
    }
    return err;
}

rgx_err resample_box(const image_t *img, const image_t *msk, float label, const feat_settings_t *s,
                     const axis_map_t map[3], const int o[3], const int n[3], double *intensity,
                     uint8_t *morph)
{
    taps_t ti[3] = {{0}}, tm[3] = {{0}};
    double *blk = NULL;
    float *mblk = NULL;
    int lo[3], bn[3];
    rgx_err err = box_taps(s, map, o, n, ti, tm, lo, bn);
    if (err) goto out;
    /* The block of old voxels the taps read, edge values repeated past the image. */
    size_t nb = (size_t)bn[0] * (size_t)bn[1] * (size_t)bn[2];
    if ((err = rgx_calloc(&blk, nb, sizeof *blk)) || (err = rgx_calloc(&mblk, nb, sizeof *mblk)))
        goto out;
    const int *d = img->dim;
    for (int k = 0; k < bn[2]; k++)
        for (int j = 0; j < bn[1]; j++)
            for (int i = 0; i < bn[0]; i++) {
                size_t src = (size_t)clampi(lo[0] + i, d[0]) +
                             (size_t)d[0] * ((size_t)clampi(lo[1] + j, d[1]) +
                                             (size_t)d[1] * (size_t)clampi(lo[2] + k, d[2]));
                size_t v = (size_t)i + (size_t)bn[0] * ((size_t)j + (size_t)bn[1] * (size_t)k);
                blk[v] = image_value(img, src);
                mblk[v] = image_value(msk, src) == label;
            }
    if (s->interp == INTERP_CUBIC) {
        size_t stride[3] = {1, (size_t)bn[0], (size_t)bn[0] * (size_t)bn[1]};
        for (int a = 0; a < 3; a++) {
            if (ti[a].k != 4) continue;
            int b = (a + 1) % 3, c = (a + 2) % 3;
            for (int y = 0; y < bn[c]; y++)
                for (int x = 0; x < bn[b]; x++)
                    spline_line(blk + (size_t)x * stride[b] + (size_t)y * stride[c], (size_t)bn[a],
                                stride[a]);
        }
    }
    for (int k = 0; k < n[2]; k++)
        for (int j = 0; j < n[1]; j++)
            for (int i = 0; i < n[0]; i++) {
                int m[3] = {i, j, k};
                double acc[2] = {0, 0};
                for (int pass = 0; pass < 2; pass++) {
                    const taps_t *t = pass ? tm : ti;
                    const int *ix[3];
                    const double *w[3];
                    for (int a = 0; a < 3; a++)
                        ix[a] = t[a].idx + (size_t)m[a] * (size_t)t[a].k,
                        w[a] = t[a].w + (size_t)m[a] * (size_t)t[a].k;
                    for (int c = 0; c < t[2].k; c++)
                        for (int b = 0; b < t[1].k; b++) {
                            size_t row =
                                (size_t)bn[0] * ((size_t)(ix[1][b] - lo[1]) +
                                                 (size_t)bn[1] * (size_t)(ix[2][c] - lo[2]));
                            double wbc = w[1][b] * w[2][c], sum = 0;
                            for (int q = 0; q < t[0].k; q++) {
                                size_t v = row + (size_t)(ix[0][q] - lo[0]);
                                sum += w[0][q] * (pass ? mblk[v] : blk[v]);
                            }
                            acc[pass] += wbc * sum;
                        }
                }
                size_t v = (size_t)i + (size_t)n[0] * ((size_t)j + (size_t)n[1] * (size_t)k);
                intensity[v] = s->round_intensities ? nearbyint(acc[0]) : acc[0];
                /* The slack absorbs rounding of weights that are exactly 1/2 on paper. */
                morph[v] = acc[1] >= s->mask_threshold - 1e-9;
            }
out:
    for (int a = 0; a < 3; a++) taps_free(&ti[a]), taps_free(&tm[a]);
    free(blk), free(mblk);
    return err;
}
