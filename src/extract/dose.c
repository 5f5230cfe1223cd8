/* dose.c — see dose.h. */
#include "dose.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dicom.h"
#include "util.h"

/* ---- settings ---- */

static rgx_err list(const cfg_t *cfg, const char *path, double *v, size_t *n)
{
    double tmp[DVH_MAX_LIST + 1];
    size_t k = cfg_floats(cfg, path, tmp, DVH_MAX_LIST + 1);
    if (k > DVH_MAX_LIST)
        return rgx_fail(RGX_ERR_CONFIG, "%s lists %zu values; at most %d", path, k, DVH_MAX_LIST);
    memcpy(v, tmp, k * sizeof *v);
    *n = k;
    return RGX_OK;
}

rgx_err dose_opt_load(const cfg_t *cfg, const manifest_t *m, dose_opt_t *o)
{
    memset(o, 0, sizeof *o);
    o->channel = manifest_channel(m, cfg_str(cfg, "dose.channel"));
    o->grid_channel = -1;
    if (o->channel < 0) return RGX_OK;
    const char *const *names;
    size_t n = cfg_strings(cfg, "dose.structures", &names);
    const char *ch = m->channel[o->channel];
    if (n == 0)
        return rgx_fail(RGX_ERR_CONFIG,
                        "the manifest has a dose channel (image_%s) but "
                        "dose.structures names no structure",
                        ch);
    if (n > DOSE_MAX_STRUCTURES)
        return rgx_fail(RGX_ERR_CONFIG, "dose.structures names %zu structures; at most %d", n,
                        DOSE_MAX_STRUCTURES);
    const char *grid = cfg_str(cfg, "dose.grid_channel");
    if (grid) {
        o->grid_channel = manifest_channel(m, grid);
        if (o->grid_channel < 0 || o->grid_channel == o->channel)
            return rgx_fail(RGX_ERR_CONFIG,
                            "dose.grid_channel '%s' is not another image channel "
                            "of the manifest",
                            grid);
    } else {
        for (int c = 0; c < m->n_channels && o->grid_channel < 0; c++)
            if (c != o->channel) o->grid_channel = c;
    }
    double ab = cfg_float(cfg, "dose.alpha_beta");
    for (size_t i = 0; i < n; i++) {
        o->structure[i] = names[i], o->alpha_beta[i] = ab;
        for (size_t k = 0; k < i; k++)
            if (!strcasecmp(names[k], names[i]))
                return rgx_fail(RGX_ERR_CONFIG, "dose.structures names '%s' twice", names[i]);
    }
    o->n_structures = n;
    const char *const *keys;
    size_t nk = cfg_map_keys(cfg, "dose.structure", &keys);
    for (size_t k = 0; k < nk; k++) {
        size_t i = 0;
        while (i < n && strcasecmp(names[i], keys[k])) i++;
        if (i == n)
            return rgx_fail(RGX_ERR_CONFIG, "dose.structure.%s: not one of dose.structures",
                            keys[k]);
        char path[512];
        snprintf(path, sizeof path, "dose.structure.%s.alpha_beta", keys[k]);
        if (!cfg_is_null(cfg, path)) o->alpha_beta[i] = cfg_float(cfg, path);
    }
    dvh_opt_t *d = &o->dvh;
    rgx_err err = list(cfg, "dose.d_percent", d->d_pct, &d->n_d_pct);
    if (!err) err = list(cfg, "dose.d_cc", d->d_cc, &d->n_d_cc);
    if (!err) err = list(cfg, "dose.v_gy", d->v_gy, &d->n_v_gy);
    if (!err) err = list(cfg, "dose.v_percent", d->v_pct, &d->n_v_pct);
    if (err) return err;
    d->prescription_gy = cfg_float(cfg, "dose.prescription_gy");
    if (d->n_v_pct && !isfinite(d->prescription_gy))
        return rgx_fail(RGX_ERR_CONFIG, "dose.v_percent needs dose.prescription_gy");
    d->fractions = cfg_is_null(cfg, "dose.fractions") ? 0 : cfg_int(cfg, "dose.fractions");
    d->bin_gy = cfg_float(cfg, "dose.dvh_bin_gy");
    d->n_bins = (size_t)floor(cfg_float(cfg, "dose.dvh_max_gy") / d->bin_gy + 1e-9) + 1;
    return RGX_OK;
}

rgx_err dose_names(const dose_opt_t *o, featvec_t *names)
{
    double d = 1;
    return dvh_compute(&o->dvh, &d, 1, 1, 3, names, NULL);
}

/* ---- sampling ---- */

typedef struct {
    image_t img;
    float *v;         /* the doses, Gy */
    double inv[3][4]; /* world (RAS) -> dose voxel index */
} grid_t;

static void grid_free(grid_t *g)
{
    image_free(&g->img);
    free(g->v);
}

static rgx_err grid_read(const char *path, grid_t *g)
{
    memset(g, 0, sizeof *g);
    rgx_err err = image_read(path, &g->img);
    size_t n = err ? 0 : image_nvox(&g->img);
    if (!err) err = rgx_calloc(&g->v, n ? n : 1, sizeof *g->v);
    if (!err) image_values(&g->img, 0, n, g->v);
    if (!err && image_affine_invert((const double(*)[4])g->img.affine, g->inv))
        err = rgx_fail(RGX_ERR_INPUT, "the dose grid's affine is singular");
    if (err) grid_free(g);
    return err;
}

/* The dose at world point p: 1 and *d, or 0 when p is outside the grid. */
static int sample(const grid_t *g, const double p[3], double *d)
{
    double q[3];
    int i0[3];
    double t[3];
    for (int a = 0; a < 3; a++) {
        q[a] = g->inv[a][0] * p[0] + g->inv[a][1] * p[1] + g->inv[a][2] * p[2] + g->inv[a][3];
        int n = g->img.dim[a];
        if (q[a] < -0.5 - 1e-6 || q[a] > n - 0.5 + 1e-6) return 0;
        if (q[a] < 0) q[a] = 0;
        if (q[a] > n - 1) q[a] = n - 1;
        i0[a] = n > 1 ? (int)floor(q[a]) : 0;
        if (i0[a] > n - 2) i0[a] = n > 1 ? n - 2 : 0;
        t[a] = n > 1 ? q[a] - i0[a] : 0;
    }
    size_t nx = (size_t)g->img.dim[0], nxy = nx * (size_t)g->img.dim[1];
    double acc = 0;
    for (int c = 0; c < 8; c++) {
        int o[3] = {c & 1, (c >> 1) & 1, (c >> 2) & 1};
        double w = 1;
        size_t idx = 0, stride[3] = {1, nx, nxy};
        for (int a = 0; a < 3; a++) {
            w *= o[a] ? t[a] : 1 - t[a];
            int k = i0[a] + (g->img.dim[a] > 1 ? o[a] : 0);
            idx += (size_t)k * stride[a];
        }
        if (w != 0) acc += w * g->v[idx];
    }
    *d = acc;
    return 1;
}

/* The structure's mask on grid: an RTSTRUCT ROI (label 1) or a label map's label. */
static rgx_err structure_mask(const char *struct_path, const char *name, const image_t *grid,
                              image_t *msk, float *label)
{
    if (dicom_is_rtstruct(struct_path)) {
        strbuf_t sb = {0};
        rgx_err err = sb_printf(&sb, "%s:%s", struct_path, name);
        if (!err) err = image_read_mask_on(sb.s, grid, msk);
        free(sb.s);
        *label = 1;
        return err;
    }
    char *end;
    long l = strtol(name, &end, 10);
    if (*end || l < 1)
        return rgx_fail(RGX_ERR_INPUT, "%s is a label map: structure '%s' must be a label number",
                        struct_path, name);
    *label = (float)l;
    rgx_err err = image_read_mask_on(struct_path, grid, msk);
    if (!err) err = image_same_geometry(grid, msk, 1e-3);
    return err;
}

/* The doses at the voxels of structure s: *d (malloc'ed), *n; *outside the voxels the dose
 * grid does not cover; *voxel_cc. */
static rgx_err structure_doses(const dose_opt_t *o, const grid_t *g, const char *struct_path,
                               const image_t *grid, size_t s, double **d, size_t *n, long *outside,
                               double *voxel_cc)
{
    image_t msk = {0};
    float label = 1;
    *d = NULL, *n = 0, *outside = 0;
    rgx_err err = structure_mask(struct_path, o->structure[s], grid, &msk, &label);
    if (err) return err;
    const double(*a)[4] = (const double(*)[4])msk.affine;
    *voxel_cc = fabs(a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
                     a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
                     a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])) /
                1000.0;
    int lo[3] = {0, 0, 0}, nn[3] = {msk.dim[0], msk.dim[1], msk.dim[2]};
    if (msk.windowed)
        for (int k = 0; k < 3; k++) lo[k] = msk.win_lo[k], nn[k] = msk.win_n[k];
    size_t cap = 0;
    float *row = NULL;
    if ((err = rgx_calloc(&row, (size_t)msk.dim[0], sizeof *row))) goto out;
    for (int k = lo[2]; k < lo[2] + nn[2] && !err; k++)
        for (int j = lo[1]; j < lo[1] + nn[1] && !err; j++) {
            size_t first = (size_t)msk.dim[0] * ((size_t)j + (size_t)msk.dim[1] * (size_t)k);
            image_values(&msk, first, (size_t)msk.dim[0], row);
            for (int i = lo[0]; i < lo[0] + nn[0] && !err; i++) {
                if (row[i] != label) continue;
                double p[3], v;
                for (int r = 0; r < 3; r++)
                    p[r] = a[r][0] * i + a[r][1] * j + a[r][2] * k + a[r][3];
                if (!sample(g, p, &v)) {
                    ++*outside;
                    continue;
                }
                if ((err = rgx_reserve(d, &cap, *n + 1, sizeof **d))) break;
                (*d)[(*n)++] = v;
            }
        }
out:
    free(row);
    image_free(&msk);
    if (err) free(*d), *d = NULL, *n = 0;
    return err;
}

static rgx_err not_covered(const char *dose_path, const char *name, long outside, size_t n)
{
    return rgx_fail(RGX_ERR_INPUT,
                    "%s: the dose grid does not cover structure '%s': %ld of its "
                    "%zu voxels lie outside",
                    dose_path, name, outside, n + (size_t)outside);
}

/* The dose grid and the structure grid of a patient. */
static rgx_err open_grids(const char *dose_path, const char *grid_path, grid_t *g, image_t *grid)
{
    rgx_err err = grid_read(dose_path, g);
    if (err) return err;
    if (grid_path)
        err = image_read_header(grid_path, grid);
    else
        *grid = g->img, grid->vox = NULL, grid->windowed = 0;
    if (err) grid_free(g);
    return err;
}

rgx_err dose_patient(const dose_opt_t *o, const char *dose_path, const char *struct_path,
                     const char *grid_path, featvec_t *out, double *curves)
{
    grid_t g;
    image_t grid;
    rgx_err err = open_grids(dose_path, grid_path, &g, &grid);
    if (err) return err;
    for (size_t s = 0; s < o->n_structures && !err; s++) {
        double *d = NULL, vcc = 1;
        size_t n = 0;
        long outside = 0;
        err = structure_doses(o, &g, struct_path, &grid, s, &d, &n, &outside, &vcc);
        if (!err && outside) err = not_covered(dose_path, o->structure[s], outside, n);
        /* An empty structure (no contour, or off the grid) gives NaN features, as an absent
         * label does on an image channel. */
        if (!err)
            err = dvh_compute(&o->dvh, d, n, vcc, o->alpha_beta[s], out,
                              curves ? curves + s * o->dvh.n_bins : NULL);
        free(d);
    }
    if (grid_path) image_free(&grid);
    grid_free(&g);
    return err;
}

rgx_err dose_check(const dose_opt_t *o, const char *dose_path, const char *struct_path,
                   const char *grid_path, long *voxels)
{
    grid_t g;
    image_t grid;
    *voxels = 0;
    rgx_err err = open_grids(dose_path, grid_path, &g, &grid);
    if (err) return err;
    for (size_t s = 0; s < o->n_structures && !err; s++) {
        double *d = NULL, vcc;
        size_t n = 0;
        long outside = 0;
        err = structure_doses(o, &g, struct_path, &grid, s, &d, &n, &outside, &vcc);
        free(d);
        if (!err && outside) err = not_covered(dose_path, o->structure[s], outside, n);
        *voxels += (long)n;
    }
    if (grid_path) image_free(&grid);
    grid_free(&g);
    return err;
}
