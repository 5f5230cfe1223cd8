/* sim_image.c — see sim_image.h. */
#include "sim_image.h"

#include <math.h>
#include <nifti2_io.h>
#include <stdlib.h>
#include <string.h>

#include "sim_rng.h"
#include "util.h"

enum { KIND_IMAGE = 21 };

/* In-place 3-tap box blur along each axis, twice: a smooth field with a correlation length
 * of a few voxels. */
static void smooth(float *f, const int d[3], float *tmp)
{
    size_t st[3] = {1, (size_t)d[0], (size_t)d[0] * (size_t)d[1]};
    size_t n = st[2] * (size_t)d[2];
    for (int pass = 0; pass < 2; pass++)
        for (int a = 0; a < 3; a++) {
            memcpy(tmp, f, n * sizeof *f);
            for (int k = 0; k < d[2]; k++)
                for (int j = 0; j < d[1]; j++)
                    for (int i = 0; i < d[0]; i++) {
                        int c[3] = {i, j, k};
                        size_t v = (size_t)i + st[1] * (size_t)j + st[2] * (size_t)k;
                        float s = tmp[v];
                        int m = 1;
                        if (c[a] > 0) s += tmp[v - st[a]], m++;
                        if (c[a] < d[a] - 1) s += tmp[v + st[a]], m++;
                        f[v] = s / (float)m;
                    }
        }
}

rgx_err sim_image_make(const sim_lesion_t *l, const sim_grid_t *g, uint64_t seed, long patient,
                       int channel, image_t *out_img, image_t *out_msk)
{
    image_t img = {0}, msk = {0};
    float *field = NULL, *tmp = NULL, *iv, *mv;
    rgx_err err;
    size_t n = (size_t)g->dim[0] * (size_t)g->dim[1] * (size_t)g->dim[2];
    double half[3];
    for (int d = 0; d < 3; d++) half[d] = 0.5 * g->dim[d] * g->spacing[d];
    for (int d = 0; d < 3; d++) {
        img.dim[d] = msk.dim[d] = g->dim[d];
        img.spacing[d] = msk.spacing[d] = g->spacing[d];
        for (int e = 0; e < 4; e++)
            img.affine[d][e] = msk.affine[d][e] = e == d   ? g->spacing[d]
                                                  : e == 3 ? -half[d] + 0.5 * g->spacing[d]
                                                           : 0;
    }
    if ((err = image_alloc(&img, &iv)) || (err = image_alloc(&msk, &mv)) ||
        (err = rgx_calloc(&field, n, sizeof *field)) || (err = rgx_calloc(&tmp, n, sizeof *tmp)))
        goto out;
    rng_t r;
    rng_stream(&r, seed, KIND_IMAGE, (uint64_t)patient * 16 + (uint64_t)channel);
    for (size_t v = 0; v < n; v++) field[v] = (float)rng_norm(&r);
    smooth(field, g->dim, tmp);
    /* The smoothed field's SD is well below 1: rescale it to unit SD. */
    double ss = 0;
    for (size_t v = 0; v < n; v++) ss += (double)field[v] * field[v];
    float scale = (float)(1.0 / sqrt(ss / (double)n));
    /* Semi-axes: a, a, c = a * elongation, volume 4/3 pi a^2 c; the long axis in-plane. */
    double a = cbrt(3.0 * l->volume_mm3 / (4.0 * M_PI * l->elongation)), c = a * l->elongation;
    double ca = cos(l->angle), sa = sin(l->angle);
    double body[2];
    body[0] = 0.85 * half[0], body[1] = 0.7 * half[1];
    double n2c[3] = {l->centre[0] - 0.4 * half[0], l->centre[1] + 0.2 * half[1], 0};
    for (int k = 0; k < g->dim[2]; k++)
        for (int j = 0; j < g->dim[1]; j++)
            for (int i = 0; i < g->dim[0]; i++) {
                size_t v =
                    (size_t)i + (size_t)g->dim[0] * ((size_t)j + (size_t)g->dim[1] * (size_t)k);
                double x = (i + 0.5) * g->spacing[0] - half[0],
                       y = (j + 0.5) * g->spacing[1] - half[1],
                       z = (k + 0.5) * g->spacing[2] - half[2];
                double dx = x - l->centre[0], dy = y - l->centre[1], dz = z - l->centre[2];
                double u = ca * dx + sa * dy, w = -sa * dx + ca * dy;
                int in_body = (x * x) / (body[0] * body[0]) + (y * y) / (body[1] * body[1]) <= 1;
                int in_lesion = (u * u) / (c * c) + (w * w + dz * dz) / (a * a) <= 1;
                double val = in_body ? l->background : l->air;
                if (in_lesion) val = l->mean + l->heterogeneity * scale * field[v];
                val += l->noise * rng_norm(&r);
                iv[v] = (float)val;
                float lab = in_lesion ? 1.0f : 0.0f;
                if (l->n_labels > 1 && !in_lesion) {
                    double px = x - n2c[0], py = y - n2c[1], pz = z - n2c[2];
                    if (px * px + py * py + pz * pz <= 36.0) lab = 2.0f;
                }
                mv[v] = lab;
            }
out:
    free(field), free(tmp);
    if (err) image_free(&img), image_free(&msk);
    *out_img = img, *out_msk = msk;
    return err;
}

rgx_err sim_image_write(const sim_lesion_t *l, const sim_grid_t *g, uint64_t seed, long patient,
                        int channel, const char *image_path, const char *mask_path)
{
    image_t img, msk;
    rgx_err err = sim_image_make(l, g, seed, patient, channel, &img, &msk);
    if (!err) err = image_write(image_path, &img, g->datatype);
    if (!err && mask_path) err = image_write(mask_path, &msk, DT_UINT8);
    image_free(&img), image_free(&msk);
    return err;
}
