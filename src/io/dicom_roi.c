/* dicom_roi.c — masks from DICOM: an RTSTRUCT's ROI rasterised onto an image's grid, a
 * SEG's segments placed on it, or a DICOM label image read as it is.
 *
 * RTSTRUCT (PS3.3 C.8.8.6): each ROI is a set of closed planar polygons in patient
 * coordinates (mm, LPS).  The points go to voxel coordinates through the inverse of the
 * grid's affine; a polygon must lie in one plane of constant k (else it is not parallel to
 * the slices: an error).  Polygons are grouped by plane; a slice takes the plane nearest to
 * its centre within half a slice (planes between slices: the nearer slice; equally near:
 * the lower one; a plane two contour sets share is merged).  A voxel is inside when its
 * centre is inside by the even-odd rule across all polygons of its plane (holes and islands
 * as drawn), the IBSI's voxel-centre inclusion.  The counting rule (a crossing to the right
 * of the centre, an edge's lower end counted, its upper end not) decides centres on an edge. */
#include <ctype.h>
#include <math.h>
#include <nifti1.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "dicom.h"
#include "log.h"
#include "util.h"

/* Splits "file:ROI" (the file being the longest prefix that exists) into *file and *roi
 * (NULL when path names a file alone). */
static rgx_err split_selector(const char *path, char **file, char **roi)
{
    struct stat st;
    *file = *roi = NULL;
    if (stat(path, &st) == 0) return rgx_strdup(file, path);
    const char *colon = strrchr(path, ':');
    if (!colon) return rgx_fail(RGX_ERR_INPUT, "%s: no such file", path);
    rgx_err err = RGX_OK;
    if (!(*file = strndup(path, (size_t)(colon - path))))
        return rgx_fail(RGX_ERR_MEMORY, "out of memory");
    if (stat(*file, &st) != 0)
        err = rgx_fail(RGX_ERR_INPUT, "%s: no such file", *file);
    else
        err = rgx_strdup(roi, colon + 1);
    if (err) free(*file), *file = NULL;
    return err;
}

rgx_err dicom_lps_to_voxel(const image_t *g, double inv[3][4])
{
    double a[3][4];
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 4; c++) a[r][c] = (r < 2 ? -1 : 1) * g->affine[r][c]; /* RAS->LPS */
    if (image_affine_invert((const double(*)[4])a, inv))
        return rgx_fail(RGX_ERR_INPUT, "the image's affine is singular");
    return RGX_OK;
}

/* ---- choosing the ROI ---- */

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
    size_t a = 0;
    while (s[a] && isspace((unsigned char)s[a])) a++;
    memmove(s, s + a, n - a + 1);
}

/* The ROI Number of the ROI named `want` (case-insensitive), or the only ROI when want is
 * NULL; an error lists the names there are. */
static rgx_err find_roi(const dcm_set_t *ds, const char *file, const char *want, double *number,
                        char *name, size_t name_len, char *frame, size_t frame_len)
{
    const dcm_set_t *it;
    size_t n;
    rgx_err err = dcm_items(ds, DCM_TAG(0x3006, 0x20), &it, &n);
    if (err) return err;
    strbuf_t names = {0};
    int found = 0;
    for (size_t i = 0; i < n && !err; i++) {
        char nm[256];
        double num;
        dcm_str(&it[i], DCM_TAG(0x3006, 0x26), nm, sizeof nm);
        trim(nm);
        if (dcm_num(&it[i], DCM_TAG(0x3006, 0x22), &num) <= 0) continue;
        err = sb_printf(&names, "%s'%s'", names.len ? ", " : "", nm);
        if (want ? strcasecmp(nm, want) != 0 : n != 1) continue;
        if (found++) {
            err = rgx_fail(RGX_ERR_INPUT,
                           "%s: two ROIs are named '%s' (names are matched "
                           "ignoring case)",
                           file, want);
            break;
        }
        *number = num;
        snprintf(name, name_len, "%s", nm);
        dcm_str(&it[i], DCM_TAG(0x3006, 0x24), frame, frame_len);
    }
    if (!err && !found) {
        if (n == 0)
            err = rgx_fail(RGX_ERR_INPUT, "%s: the structure set has no ROI", file);
        else if (want)
            err = rgx_fail(RGX_ERR_INPUT, "%s: no ROI named '%s'; the ROIs are %s", file, want,
                           names.s);
        else
            err = rgx_fail(RGX_ERR_INPUT,
                           "%s holds %zu ROIs: name one as %s:NAME (the ROIs are "
                           "%s)",
                           file, n, file, names.s);
    }
    free(names.s);
    return err;
}

/* ---- contours ---- */

typedef struct {
    double *xy; /* 2 n voxel coordinates (i, j) */
    size_t n;
    double k; /* the polygon's plane */
} poly_t;

typedef struct {
    poly_t *v;
    size_t n, cap;
} polys_t;

static void polys_free(polys_t *p)
{
    for (size_t i = 0; i < p->n; i++) free(p->v[i].xy);
    free(p->v);
}

/* The closed planar polygons of the ROI numbered roi, in voxel coordinates. */
static rgx_err read_polygons(const dcm_set_t *ds, const char *file, double roi, double inv[3][4],
                             polys_t *out, size_t *n_skipped)
{
    const dcm_set_t *rc, *cs;
    size_t n_rc, n_cs;
    *n_skipped = 0;
    rgx_err err = dcm_items(ds, DCM_TAG(0x3006, 0x39), &rc, &n_rc);
    double *pts = NULL;
    size_t cap = 0;
    for (size_t r = 0; r < n_rc && !err; r++) {
        double ref;
        if (dcm_num(&rc[r], DCM_TAG(0x3006, 0x84), &ref) <= 0 || ref != roi) continue;
        if ((err = dcm_items(&rc[r], DCM_TAG(0x3006, 0x40), &cs, &n_cs))) break;
        for (size_t c = 0; c < n_cs && !err; c++) {
            char type[32];
            dcm_str(&cs[c], DCM_TAG(0x3006, 0x42), type, sizeof type);
            if (strcmp(type, "CLOSED_PLANAR")) { /* points and open contours enclose nothing */
                ++*n_skipped;
                continue;
            }
            const dcm_el_t *el = dcm_find(&cs[c], DCM_TAG(0x3006, 0x50));
            size_t want = el ? el->len / 2 + 1 : 0, n; /* a bound on the values */
            if ((err = rgx_reserve(&pts, &cap, want ? want : 1, sizeof *pts))) break;
            if ((err = dcm_nums(&cs[c], DCM_TAG(0x3006, 0x50), pts, cap, &n))) break;
            if (n % 3 || n < 9) {
                err = rgx_fail(RGX_ERR_INPUT,
                               "%s: contour %zu of ROI %g has %zu coordinates; "
                               "expected 3 per point and at least 3 points",
                               file, c + 1, roi, n);
                break;
            }
            poly_t p = {.n = n / 3};
            if ((err = rgx_calloc(&p.xy, 2 * p.n, sizeof *p.xy))) break;
            double kmin = INFINITY, kmax = -INFINITY;
            for (size_t q = 0; q < p.n; q++) {
                const double *x = pts + 3 * q;
                double v[3];
                for (int a = 0; a < 3; a++)
                    v[a] = inv[a][0] * x[0] + inv[a][1] * x[1] + inv[a][2] * x[2] + inv[a][3];
                p.xy[2 * q] = v[0], p.xy[2 * q + 1] = v[1];
                kmin = fmin(kmin, v[2]), kmax = fmax(kmax, v[2]);
            }
            p.k = 0.5 * (kmin + kmax);
            if (kmax - kmin > 0.01 || !isfinite(p.k)) {
                free(p.xy);
                err = rgx_fail(RGX_ERR_INPUT,
                               "%s: contour %zu of ROI %g spans %.3f slices: it is "
                               "not parallel to the image's slices",
                               file, c + 1, roi, kmax - kmin);
                break;
            }
            if ((err = rgx_reserve(&out->v, &out->cap, out->n + 1, sizeof *out->v))) {
                free(p.xy);
                break;
            }
            out->v[out->n++] = p;
        }
    }
    free(pts);
    return err;
}

static int cmp_poly(const void *a, const void *b)
{
    double x = ((const poly_t *)a)->k, y = ((const poly_t *)b)->k;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Fills the voxels of row j of one slice (win: the window's row, i from i0, ni voxels) whose
 * centres are inside polygons p[0 .. np-1] by the even-odd rule.  xs: scratch. */
static rgx_err fill_row(const poly_t *p, size_t np, double y, uint8_t *row, int i0, int ni,
                        double **xs, size_t *cap, long *count)
{
    size_t m = 0;
    for (size_t t = 0; t < np; t++)
        for (size_t q = 0; q < p[t].n; q++) {
            const double *a = p[t].xy + 2 * q, *b = p[t].xy + 2 * ((q + 1) % p[t].n);
            if ((a[1] > y) == (b[1] > y)) continue;
            rgx_err err = rgx_reserve(xs, cap, m + 1, sizeof **xs);
            if (err) return err;
            (*xs)[m++] = a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
        }
    if (m) qsort(*xs, m, sizeof **xs, cmp_double);
    /* A centre i is inside when an odd number of crossings lie strictly right of it: the
     * runs [xs[2t], xs[2t+1]) counted from the right end. */
    for (size_t t = m % 2; t + 1 < m; t += 2) {
        double a = ceil((*xs)[t]), b = ceil((*xs)[t + 1]) - 1;
        if (a < i0) a = i0;
        if (b > i0 + ni - 1) b = i0 + ni - 1;
        for (long i = (long)a; i <= (long)b; i++) {
            *count += !row[i - i0];
            row[i - i0] = 1;
        }
    }
    return RGX_OK;
}

/* The mask of polygons ps on grid: planes (runs of polygons of one k, within 0.01 slice)
 * filled into the slice each serves; only the box of the vertices is kept. */
static rgx_err rasterise(const char *what, polys_t *ps, const image_t *grid, image_t *img)
{
    if (ps->n) qsort(ps->v, ps->n, sizeof *ps->v, cmp_poly);
    int lo[3] = {grid->dim[0], grid->dim[1], grid->dim[2]}, hi[3] = {-1, -1, -1};
    /* Box of the vertices, on the grid. */
    for (size_t t = 0; t < ps->n; t++) {
        const poly_t *p = &ps->v[t];
        int k = (int)ceil(p->k - 0.5);
        if (k < lo[2]) lo[2] = k;
        if (k > hi[2]) hi[2] = k;
        for (size_t q = 0; q < p->n; q++)
            for (int a = 0; a < 2; a++) {
                double v = p->xy[2 * q + a];
                int l = (int)fmax(floor(v), -1.0), h = (int)fmin(ceil(v), (double)grid->dim[a]);
                if (l < lo[a]) lo[a] = l;
                if (h > hi[a]) hi[a] = h;
            }
    }
    memset(img, 0, sizeof *img);
    img->dim[0] = grid->dim[0], img->dim[1] = grid->dim[1], img->dim[2] = grid->dim[2];
    memcpy(img->spacing, grid->spacing, sizeof img->spacing);
    memcpy(img->affine, grid->affine, sizeof img->affine);
    img->affine_source = grid->affine_source;
    img->datatype = DT_UINT8, img->slope = 1, img->inter = 0, img->has_number = 1;
    img->windowed = 1, img->outside = 0;
    size_t keep = 1;
    for (int a = 0; a < 3; a++) {
        if (lo[a] < 0) lo[a] = 0;
        if (hi[a] > grid->dim[a] - 1) hi[a] = grid->dim[a] - 1;
        img->win_lo[a] = lo[a], img->win_n[a] = hi[a] >= lo[a] ? hi[a] - lo[a] + 1 : 0;
        keep *= (size_t)img->win_n[a];
    }
    rgx_err err = rgx_big_alloc(&img->vox, keep ? keep : 1);
    if (err) return err;
    memset(img->vox, 0, keep ? keep : 1);
    /* Each slice's plane: the nearest one (a plane exactly between two slices serves the
     * lower one; of two planes equally near a slice, the lower one serves). */
    size_t nk = (size_t)img->win_n[2], *first = NULL, *end = NULL;
    double *dist = NULL;
    if (!(err = rgx_calloc(&first, nk ? nk : 1, sizeof *first)) &&
        !(err = rgx_calloc(&end, nk ? nk : 1, sizeof *end)) &&
        !(err = rgx_calloc(&dist, nk ? nk : 1, sizeof *dist))) {
        for (size_t z = 0; z < nk; z++) dist[z] = INFINITY;
        for (size_t t = 0, e; t < ps->n; t = e) {
            for (e = t + 1; e < ps->n && ps->v[e].k - ps->v[t].k < 0.01;) e++;
            int k = (int)ceil(ps->v[t].k - 0.5);
            double d = fabs(ps->v[t].k - k);
            if (k < lo[2] || k > hi[2] || !(d < dist[k - lo[2]])) continue;
            first[k - lo[2]] = t, end[k - lo[2]] = e, dist[k - lo[2]] = d;
        }
    }
    double *xs = NULL;
    size_t cap = 0, used = 0;
    long count = 0;
    const int *wn = img->win_n;
    for (size_t z = 0; z < nk && !err && keep; z++) {
        if (!isfinite(dist[z])) continue;
        used += end[z] - first[z];
        uint8_t *slab = (uint8_t *)img->vox + (size_t)wn[0] * (size_t)wn[1] * z;
        for (int j = 0; j < wn[1] && !err; j++)
            err = fill_row(&ps->v[first[z]], end[z] - first[z], (double)(lo[1] + j),
                           slab + (size_t)wn[0] * (size_t)j, lo[0], wn[0], &xs, &cap, &count);
    }
    free(first), free(end), free(dist);
    free(xs);
    if (!err && used < ps->n)
        log_info("%s: %zu of %zu contours lie on planes that are not the nearest to any image "
                 "slice and were not used",
                 what, ps->n - used, ps->n);
    if (err) image_free(img);
    return err;
}

static rgx_err rtstruct_mask(const dcm_file_t *f, const char *roi, const image_t *grid,
                             image_t *img)
{
    const dcm_set_t *ds = dcm_root(f);
    const char *file = dcm_name(f);
    double number = 0, inv[3][4];
    char name[256] = "", what[600], frame[68] = ""; /* name: read below even if find_roi failed */
    polys_t ps = {0};
    size_t skipped = 0;
    rgx_err err = find_roi(ds, file, roi, &number, name, sizeof name, frame, sizeof frame);
    if (!err && frame[0] && grid->frame_of_ref[0] && strcmp(frame, grid->frame_of_ref))
        err = rgx_fail(RGX_ERR_INPUT,
                       "%s: ROI '%s' is drawn in frame of reference %s; the image "
                       "is in %s",
                       file, name, frame, grid->frame_of_ref);
    if (!err) err = dicom_lps_to_voxel(grid, inv);
    if (!err) err = read_polygons(ds, file, number, inv, &ps, &skipped);
    snprintf(what, sizeof what, "%s ROI '%s'", file, name);
    if (!err && skipped)
        log_info("%s: %zu point or open contours enclose no voxel and were left out", what,
                 skipped);
    /* An ROI without contours is an empty mask, as a label map without the label: the plan
     * reports a mask with no ROI voxel. */
    if (!err && ps.n == 0) log_info("%s: no closed planar contour: an empty ROI", what);
    if (!err) err = rasterise(what, &ps, grid, img);
    polys_free(&ps);
    return err;
}

/* Several ROIs, "GTV,Normal": labels 1, 2, ... in the order named (where they overlap the
 * later one holds the voxel), on the union of their boxes. */
static rgx_err rtstruct_masks(const dcm_file_t *f, const char *list, const image_t *grid,
                              image_t *img)
{
    enum { MAX_ROIS = 255 };
    char *names = NULL, *save = NULL;
    image_t *part = NULL;
    int n = 0;
    memset(img, 0, sizeof *img);
    rgx_err err = rgx_strdup(&names, list);
    if (!err) err = rgx_calloc(&part, MAX_ROIS, sizeof *part);
    for (char *t = err ? NULL : strtok_r(names, ",", &save); t && !err;
         t = strtok_r(NULL, ",", &save)) {
        trim(t);
        if (n == MAX_ROIS)
            err = rgx_fail(RGX_ERR_INPUT, "%s: more than %d ROIs named", dcm_name(f), MAX_ROIS);
        else
            err = rtstruct_mask(f, t, grid, &part[n++]);
    }
    int lo[3] = {grid->dim[0], grid->dim[1], grid->dim[2]}, hi[3] = {-1, -1, -1};
    for (int r = 0; r < n && !err; r++)
        for (int a = 0; a < 3 && part[r].win_n[0] && part[r].win_n[1] && part[r].win_n[2]; a++) {
            if (part[r].win_lo[a] < lo[a]) lo[a] = part[r].win_lo[a];
            if (part[r].win_lo[a] + part[r].win_n[a] - 1 > hi[a])
                hi[a] = part[r].win_lo[a] + part[r].win_n[a] - 1;
        }
    if (!err) {
        *img = part[0], img->vox = NULL; /* the geometry */
        size_t keep = 1;
        for (int a = 0; a < 3; a++) {
            img->win_lo[a] = hi[a] >= lo[a] ? lo[a] : 0;
            img->win_n[a] = hi[a] >= lo[a] ? hi[a] - lo[a] + 1 : 0;
            keep *= (size_t)img->win_n[a];
        }
        if (!(err = rgx_big_alloc(&img->vox, keep ? keep : 1)))
            memset(img->vox, 0, keep ? keep : 1);
    }
    for (int r = 0; r < n && !err; r++) {
        const image_t *p = &part[r];
        for (int z = 0; z < p->win_n[2]; z++)
            for (int y = 0; y < p->win_n[1]; y++)
                for (int x = 0; x < p->win_n[0]; x++) {
                    size_t from = (size_t)x + (size_t)p->win_n[0] *
                                                  ((size_t)y + (size_t)p->win_n[1] * (size_t)z);
                    if (!((const uint8_t *)p->vox)[from]) continue;
                    size_t to =
                        (size_t)(x + p->win_lo[0] - img->win_lo[0]) +
                        (size_t)img->win_n[0] *
                            ((size_t)(y + p->win_lo[1] - img->win_lo[1]) +
                             (size_t)img->win_n[1] * (size_t)(z + p->win_lo[2] - img->win_lo[2]));
                    ((uint8_t *)img->vox)[to] = (uint8_t)(r + 1);
                }
    }
    for (int r = 0; r < n; r++) image_free(&part[r]);
    if (err && img->vox) image_free(img);
    free(part), free(names);
    return err;
}

rgx_err dicom_rtstruct_mask(const dcm_file_t *f, const char *roi, const image_t *grid, image_t *img)
{
    if (roi && strchr(roi, ',')) return rtstruct_masks(f, roi, grid, img);
    return rtstruct_mask(f, roi, grid, img);
}

rgx_err dicom_read_mask(const char *path, const image_t *grid, image_t *img)
{
    char *file = NULL, *roi = NULL;
    dcm_file_t *f = NULL;
    rgx_err err = split_selector(path, &file, &roi);
    if (err) return err;
    struct stat st;
    int folder = stat(file, &st) == 0 && S_ISDIR(st.st_mode);
    char modality[17] = "";
    if (!folder && !(err = dcm_open(file, DCM_HEADER, &f)))
        dcm_str(dcm_root(f), DCM_TAG(0x08, 0x60), modality, sizeof modality);
    if (err) goto out;
    if (!strcmp(modality, "RTSTRUCT")) {
        dcm_close(f), f = NULL;
        if ((err = dcm_open(file, 0, &f))) goto out;
        if (!grid)
            err = rgx_fail(RGX_ERR_INPUT,
                           "%s: an RTSTRUCT is rasterised on its image's grid, "
                           "and none was given",
                           file);
        else
            err = dicom_rtstruct_mask(f, roi, grid, img);
    } else if (!strcmp(modality, "SEG")) {
        dcm_close(f), f = NULL;
        if ((err = dcm_open(file, 0, &f))) goto out;
        if (!grid)
            err = rgx_fail(RGX_ERR_INPUT,
                           "%s: a SEG is placed on its image's grid, and none was "
                           "given",
                           file);
        else
            err = dicom_seg_mask(f, roi, grid, img);
    } else if (roi) {
        err = rgx_fail(RGX_ERR_INPUT,
                       "%s: a %s object; a name (:%s) selects an RTSTRUCT's ROI "
                       "or a SEG's segment",
                       file, modality[0] ? modality : "DICOM", roi);
    } else {
        err = dicom_read_box(file, img, NULL, NULL); /* a label image */
    }
out:
    dcm_close(f);
    free(file), free(roi);
    return err;
}

int dicom_is_rtstruct(const char *path)
{
    dcm_file_t *f = NULL;
    char modality[17] = "";
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || !dcm_is_part10(path)) return 0;
    if (dcm_open(path, DCM_HEADER, &f)) {
        rgx_errclear();
        return 0;
    }
    dcm_str(dcm_root(f), DCM_TAG(0x08, 0x60), modality, sizeof modality);
    dcm_close(f);
    return !strcmp(modality, "RTSTRUCT");
}
