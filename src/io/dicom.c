/* dicom.c — DICOM image series: finding the files, ordering the slices, checking the stack,
 * reading the voxels.  See dicom.h and docs/formats.md. */
#include "dicom.h"

#include <dirent.h>
#include <math.h>
#include <nifti1.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "util.h"

#define SOP_PREFIX "1.2.840.10008.5.1.4.1.1."

/* ---- which files ---- */

typedef struct {
    char **v;
    size_t n, cap;
} paths_t;

static void paths_free(paths_t *p)
{
    for (size_t i = 0; i < p->n; i++) free(p->v[i]);
    free(p->v);
    memset(p, 0, sizeof *p);
}

static rgx_err paths_add(paths_t *p, const char *dir, const char *name)
{
    rgx_err err = rgx_reserve(&p->v, &p->cap, p->n + 1, sizeof *p->v);
    if (!err) err = dir ? path_join(&p->v[p->n], dir, name) : rgx_strdup(&p->v[p->n], name);
    if (!err) p->n++;
    return err;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every regular file under dir (hidden ones and DICOMDIR left out), to depth levels. */
static rgx_err walk(const char *dir, int depth, paths_t *p)
{
    DIR *d = opendir(dir);
    if (!d) return rgx_fail(RGX_ERR_INPUT, "%s: cannot read the folder", dir);
    rgx_err err = RGX_OK;
    struct dirent *e;
    while (!err && (e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "DICOMDIR")) continue;
        char *full = NULL;
        struct stat st;
        if ((err = path_join(&full, dir, e->d_name))) break;
        if (stat(full, &st) == 0) {
            if (S_ISDIR(st.st_mode) && depth > 0)
                err = walk(full, depth - 1, p);
            else if (S_ISREG(st.st_mode))
                err = paths_add(p, NULL, full);
        }
        free(full);
    }
    closedir(d);
    return err;
}

static int has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

static int is_list_file(const char *path)
{
    return has_suffix(path, ".list") || has_suffix(path, ".lst");
}

/* A list file: one path per line (relative to the list's folder); blank lines and lines
 * starting with '#' ignored. */
static rgx_err read_list(const char *path, paths_t *p)
{
    char *text = NULL, *dir = NULL;
    size_t len;
    rgx_err err = read_file(path, &text, &len);
    if (!err) err = path_dirname(&dir, path);
    for (char *line = text, *next; !err && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        size_t l = strlen(line);
        while (l && (line[l - 1] == '\r' || line[l - 1] == ' ' || line[l - 1] == '\t'))
            line[--l] = 0;
        while (*line == ' ' || *line == '\t') line++;
        if (*line && *line != '#') err = paths_add(p, dir, line);
    }
    if (!err && p->n == 0) err = rgx_fail(RGX_ERR_INPUT, "%s: the list names no file", path);
    free(text), free(dir);
    return err;
}

int dicom_claims(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return 1;
        return S_ISREG(st.st_mode) && (is_list_file(path) || dcm_is_part10(path));
    }
    /* "file:ROI": the part before the last ':' is a DICOM file. */
    const char *colon = strrchr(path, ':');
    if (!colon || colon == path) return 0;
    char *file = strndup(path, (size_t)(colon - path));
    int yes = file && stat(file, &st) == 0 && S_ISREG(st.st_mode) && dcm_is_part10(file);
    free(file);
    return yes;
}

/* ---- one file's slices ---- */

/* A slice as found, with what must agree across the series. */
typedef struct {
    dicom_slice_t s;
    char series_uid[68], modality[17], sop_class[68], frame_of_ref[68];
    dcm_pixfmt_t pf;
    double iop[6], ps[2];
    int order; /* file order, to break ties */
} cand_t;

typedef struct {
    cand_t *v;
    size_t n, cap;
} cands_t;

static void cands_free(cands_t *c)
{
    for (size_t i = 0; i < c->n; i++) free(c->v[i].s.path);
    free(c->v);
    memset(c, 0, sizeof *c);
}

/* Objects that are not image slices: RT structure sets, plans, doses, segmentations,
 * reports, presentation states, registrations. */
static int not_an_image(const char *sop, const char *modality, int has_pixels)
{
    static const char *const mods[] = {"RTSTRUCT", "RTPLAN", "RTDOSE", "RTRECORD", "SEG", "SR",
                                       "PR",       "KO",     "REG",    "RWV",      "DOC"};
    for (size_t i = 0; i < sizeof mods / sizeof *mods; i++)
        if (!strcmp(modality, mods[i])) return 1;
    return !has_pixels || !strncmp(sop, SOP_PREFIX "481.", strlen(SOP_PREFIX "481.")) ||
           !strcmp(sop, SOP_PREFIX "66.4");
}

static rgx_err need_nums(const dcm_set_t *ds, uint32_t tag, const char *what, double *v,
                         size_t want)
{
    size_t n;
    char t[12];
    rgx_err err = dcm_nums(ds, tag, v, want, &n);
    if (err) return err;
    if (n != want)
        return rgx_fail(RGX_ERR_INPUT, "%s: %s %s has %zu values; expected %zu", dcm_name(ds->file),
                        what, dcm_tagstr(tag, t), n, want);
    return RGX_OK;
}

/* The value of tag in the per-frame item, else the shared item, else the data set: the
 * enhanced multi-frame functional groups (PS3.3 C.7.6.16), macro `seq` holding `tag`. */
static const dcm_set_t *group_of(const dcm_set_t *frame, const dcm_set_t *shared,
                                 const dcm_set_t *ds, uint32_t seq, uint32_t tag)
{
    const dcm_set_t *it;
    if (frame && (it = dcm_item(frame, seq)) && dcm_find(it, tag)) return it;
    if (shared && (it = dcm_item(shared, seq)) && dcm_find(it, tag)) return it;
    return ds;
}

/* Rescale slope and intercept of a data set (1 and 0 when absent). */
static rgx_err rescale(const dcm_set_t *ds, double *slope, double *inter)
{
    *slope = 1, *inter = 0;
    if (dcm_num(ds, DCM_TAG(0x28, 0x1053), slope) < 0 ||
        dcm_num(ds, DCM_TAG(0x28, 0x1052), inter) < 0)
        return RGX_ERR_INPUT;
    if (!isfinite(*slope) || *slope == 0)
        return rgx_fail(RGX_ERR_INPUT, "%s: Rescale Slope (0028,1053) is %g", dcm_name(ds->file),
                        *slope);
    return RGX_OK;
}

static void cross(const double *a, const double *b, double *c)
{
    c[0] = a[1] * b[2] - a[2] * b[1];
    c[1] = a[2] * b[0] - a[0] * b[2];
    c[2] = a[0] * b[1] - a[1] * b[0];
}

/* The frames of a file: one slice per frame, positions from the functional groups, or from
 * the Grid Frame Offset Vector (RTDOSE and other legacy multi-frame objects). */
static rgx_err file_frames(const dcm_file_t *f, cand_t *proto, cands_t *out)
{
    const dcm_set_t *ds = dcm_root(f), *per = NULL, *shared = dcm_item(ds, DCM_TAG(0x5200, 0x9229));
    size_t n_per = 0;
    rgx_err err = dcm_items(ds, DCM_TAG(0x5200, 0x9230), &per, &n_per);
    long nf = proto->pf.frames;
    double *gfov = NULL;
    size_t n_gfov = 0;
    if (err) return err;
    if (n_per && n_per != (size_t)nf)
        return rgx_fail(RGX_ERR_INPUT, "%s: %zu per-frame functional groups for %ld frames",
                        dcm_name(f), n_per, nf);
    if (!n_per && nf > 1) {
        if ((err = rgx_calloc(&gfov, (size_t)nf, sizeof *gfov))) return err;
        err = dcm_nums(ds, DCM_TAG(0x3004, 0x0C), gfov, (size_t)nf, &n_gfov);
        if (!err && n_gfov != (size_t)nf)
            err = rgx_fail(RGX_ERR_INPUT,
                           "%s: %ld frames but no per-frame functional groups and "
                           "a Grid Frame Offset Vector (3004,000C) of %zu values: cannot place "
                           "the frames",
                           dcm_name(f), nf, n_gfov);
    }
    for (long k = 0; k < nf && !err; k++) {
        const dcm_set_t *fr = n_per ? &per[k] : NULL;
        cand_t c = *proto;
        const dcm_set_t *g = group_of(fr, shared, ds, DCM_TAG(0x20, 0x9116), DCM_TAG(0x20, 0x37));
        if ((err = need_nums(g, DCM_TAG(0x20, 0x37), "Image Orientation (Patient)", c.iop, 6)))
            break;
        /* Unit length: the cosines are given to a few decimals, the spacing is Pixel Spacing */
        for (int v = 0; v < 6; v += 3) {
            double l = sqrt(c.iop[v] * c.iop[v] + c.iop[v + 1] * c.iop[v + 1] +
                            c.iop[v + 2] * c.iop[v + 2]);
            if (fabs(l - 1) > 1e-3) {
                err = rgx_fail(RGX_ERR_INPUT,
                               "%s: Image Orientation (Patient) holds a vector of "
                               "length %g, not a direction",
                               dcm_name(f), l);
                break;
            }
            for (int a = 0; a < 3; a++) c.iop[v + a] /= l;
        }
        if (err) break;
        g = group_of(fr, shared, ds, DCM_TAG(0x28, 0x9110), DCM_TAG(0x28, 0x30));
        if ((err = need_nums(g, DCM_TAG(0x28, 0x30), "Pixel Spacing", c.ps, 2))) break;
        g = group_of(fr, shared, ds, DCM_TAG(0x20, 0x9113), DCM_TAG(0x20, 0x32));
        if ((err = need_nums(g, DCM_TAG(0x20, 0x32), "Image Position (Patient)", c.s.ipp, 3)))
            break;
        g = group_of(fr, shared, ds, DCM_TAG(0x28, 0x9145), DCM_TAG(0x28, 0x1053));
        if ((err = rescale(g, &c.s.slope, &c.s.inter))) break;
        if (gfov) { /* offsets along the normal from the first frame's position */
            double nrm[3];
            cross(c.iop, c.iop + 3, nrm);
            for (int a = 0; a < 3; a++) c.s.ipp[a] += gfov[k] * nrm[a];
        }
        c.s.frame = k;
        if ((err = rgx_strdup(&c.s.path, proto->s.path))) break;
        if ((err = rgx_reserve(&out->v, &out->cap, out->n + 1, sizeof *out->v))) {
            free(c.s.path);
            break;
        }
        out->v[out->n++] = c;
    }
    free(gfov);
    return err;
}

/* Reads one file's header; its slices go to out, or *ignored is set for a non-image object
 * (only when the file is one of many: a file named alone must be an image). */
static rgx_err scan_file(const char *path, int alone, int order, cands_t *out, int *ignored)
{
    dcm_file_t *f = NULL;
    *ignored = 0;
    rgx_err err = dcm_open(path, DCM_HEADER, &f);
    if (err) {
        /* In a folder, a file that is not DICOM at all (a README, a .nii) is passed over. */
        if (!alone && !dcm_is_part10(path)) *ignored = 1, err = RGX_OK;
        return err;
    }
    const dcm_set_t *ds = dcm_root(f);
    cand_t c = {.order = order};
    dcm_str(ds, DCM_TAG(0x20, 0x0E), c.series_uid, sizeof c.series_uid);
    dcm_str(ds, DCM_TAG(0x08, 0x60), c.modality, sizeof c.modality);
    dcm_str(ds, DCM_TAG(0x08, 0x16), c.sop_class, sizeof c.sop_class);
    dcm_str(ds, DCM_TAG(0x20, 0x52), c.frame_of_ref, sizeof c.frame_of_ref);
    int pixels = dcm_find(ds, DCM_TAG(0x7FE0, 0x10)) != NULL;
    if (not_an_image(c.sop_class, c.modality, pixels) && !(alone && pixels)) {
        if (alone)
            err = rgx_fail(RGX_ERR_INPUT, "%s: a %s object, not an image", path,
                           c.modality[0] ? c.modality : "non-image");
        *ignored = 1;
        goto out;
    }
    if ((err = dcm_pix_format(ds, &c.pf))) goto out;
    if (!dcm_pix_supported(dcm_syntax(f))) {
        err =
            rgx_fail(RGX_ERR_INPUT, "%s: transfer syntax %s is not supported", path, dcm_syntax(f));
        goto out;
    }
    c.s.path = (char *)path;
    if ((err = file_frames(f, &c, out))) goto out;
    if (!strcmp(c.modality, "PT")) {
        double suv = 1;
        if ((err = dicom_pet_suv_factor(ds, &suv))) goto out;
        for (size_t i = out->n - (size_t)c.pf.frames; i < out->n; i++)
            out->v[i].s.slope *= suv, out->v[i].s.inter *= suv;
    } else if (!strcmp(c.modality, "RTDOSE")) {
        /* Gy: Dose Grid Scaling, and cGy converted; relative doses have no unit. */
        double scale = 1;
        char units[16] = "";
        dcm_str(ds, DCM_TAG(0x3004, 0x02), units, sizeof units);
        if (dcm_num(ds, DCM_TAG(0x3004, 0x0E), &scale) < 0)
            err = RGX_ERR_INPUT;
        else if (!strcmp(units, "CGY"))
            scale *= 0.01;
        else if (strcmp(units, "GY"))
            err = rgx_fail(RGX_ERR_INPUT, "%s: Dose Units (3004,0002) '%s'; expected GY or CGY",
                           path, units);
        for (size_t i = out->n - (size_t)c.pf.frames; i < out->n; i++)
            out->v[i].s.slope *= scale, out->v[i].s.inter *= scale;
    }
out:
    dcm_close(f);
    return err;
}

/* ---- the series ---- */

static int cmp_cand(const void *a, const void *b)
{
    const cand_t *x = a, *y = b;
    if (x->s.d != y->s.d) return x->s.d < y->s.d ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

/* Several series in the files: an error naming each one. */
static rgx_err one_series(const char *where, cands_t *c)
{
    strbuf_t sb = {0};
    size_t n_series = 0;
    rgx_err err = RGX_OK;
    for (size_t i = 0; i < c->n && !err; i++) {
        size_t first = 0, count = 0;
        while (first < i && strcmp(c->v[first].series_uid, c->v[i].series_uid)) first++;
        if (first < i) continue;
        for (size_t k = i; k < c->n; k++) count += !strcmp(c->v[k].series_uid, c->v[i].series_uid);
        err = sb_printf(&sb, "%s%s (%s, %zu slice%s)", n_series ? ", " : "",
                        c->v[i].series_uid[0] ? c->v[i].series_uid : "(no SeriesInstanceUID)",
                        c->v[i].modality, count, count == 1 ? "" : "s");
        n_series++;
    }
    if (!err && n_series > 1)
        err = rgx_fail(RGX_ERR_INPUT,
                       "%s holds %zu image series: %s; name one series' folder "
                       "or list its files",
                       where, n_series, sb.s);
    free(sb.s);
    return err;
}

/* Every slice agrees with the first one on size, pixel format, orientation and spacing. */
static rgx_err same_frame(const cand_t *a, const cand_t *b)
{
    const char *what = NULL;
    if (a->pf.rows != b->pf.rows || a->pf.cols != b->pf.cols)
        what = "size";
    else if (a->pf.bits != b->pf.bits || a->pf.is_signed != b->pf.is_signed)
        what = "pixel format";
    for (int i = 0; i < 6 && !what; i++)
        if (fabs(a->iop[i] - b->iop[i]) > 1e-4) what = "orientation";
    for (int i = 0; i < 2 && !what; i++)
        if (fabs(a->ps[i] - b->ps[i]) > 1e-4 * a->ps[i]) what = "pixel spacing";
    if (!what && strcmp(a->frame_of_ref, b->frame_of_ref)) what = "frame of reference";
    if (!what) return RGX_OK;
    return rgx_fail(RGX_ERR_INPUT,
                    "%s (frame %ld) and %s (frame %ld) differ in %s: not one "
                    "volume",
                    a->s.path, a->s.frame + 1, b->s.path, b->s.frame + 1, what);
}

/* Orders the slices along the normal and checks the stack: no two at one position, even
 * spacing (a missing slice is named), every slice on the normal through the first. */
static rgx_err check_stack(const char *where, cands_t *c, double nrm[3], double *spacing)
{
    cand_t *v = c->v;
    size_t n = c->n;
    for (size_t i = 0; i < n; i++)
        v[i].s.d = nrm[0] * v[i].s.ipp[0] + nrm[1] * v[i].s.ipp[1] + nrm[2] * v[i].s.ipp[2];
    qsort(v, n, sizeof *v, cmp_cand);
    *spacing = 0;
    if (n < 2) return RGX_OK;
    double *gap = NULL;
    rgx_err err = rgx_calloc(&gap, n - 1, sizeof *gap);
    if (err) return err;
    for (size_t i = 0; i + 1 < n; i++) gap[i] = v[i + 1].s.d - v[i].s.d;
    for (size_t i = 0; i + 1 < n; i++)
        if (gap[i] < 1e-3) {
            free(gap);
            return rgx_fail(RGX_ERR_INPUT,
                            "%s: two slices at one position (%.4f mm along the "
                            "normal): %s (frame %ld) and %s (frame %ld); several acquisitions or "
                            "time points in one series?",
                            where, v[i].s.d, v[i].s.path, v[i].s.frame + 1, v[i + 1].s.path,
                            v[i + 1].s.frame + 1);
        }
    sort_doubles(gap, n - 1);
    double step = gap[(n - 1) / 2], tol = 0.01 * step; /* the median gap; 1% */
    free(gap);
    for (size_t i = 0; i + 1 < n; i++) {
        double g = v[i + 1].s.d - v[i].s.d, m = nearbyint(g / step);
        if (fabs(g - step) <= tol) continue;
        const dicom_slice_t *a = &v[i].s, *b = &v[i + 1].s;
        if (m >= 2 && fabs(g - m * step) <= tol)
            return rgx_fail(RGX_ERR_INPUT,
                            "%s: %.0f missing slice%s between %s (%.4f mm) and %s "
                            "(%.4f mm): a gap of %.4f mm where the series' spacing is %.4f mm",
                            where, m - 1, m > 2 ? "s" : "", a->path, a->d, b->path, b->d, g, step);
        return rgx_fail(RGX_ERR_INPUT,
                        "%s: uneven slice spacing: %.4f mm between %s (%.4f mm) "
                        "and %s (%.4f mm) where the series' spacing is %.4f mm",
                        where, g, a->path, a->d, b->path, b->d, step);
    }
    *spacing = (v[n - 1].s.d - v[0].s.d) / (double)(n - 1);
    for (size_t i = 1; i < n; i++) {
        double off[3], along = v[i].s.d - v[0].s.d, r = 0;
        for (int a = 0; a < 3; a++) {
            off[a] = v[i].s.ipp[a] - v[0].s.ipp[a] - along * nrm[a];
            r += off[a] * off[a];
        }
        if (sqrt(r) > 0.01 + 1e-3 * fabs(along))
            return rgx_fail(RGX_ERR_INPUT,
                            "%s: %s is %.3f mm off the normal through the first "
                            "slice: the slices are not a rectangular stack (gantry tilt?)",
                            where, v[i].s.path, sqrt(r));
    }
    return RGX_OK;
}

static rgx_err collect(const char *path, paths_t *files, int *alone)
{
    struct stat st;
    *alone = 0;
    if (stat(path, &st) != 0) return rgx_fail(RGX_ERR_INPUT, "%s: no such file or folder", path);
    if (S_ISDIR(st.st_mode)) {
        rgx_err err = walk(path, 8, files);
        if (!err && files->n) qsort(files->v, files->n, sizeof *files->v, cmp_str);
        return err;
    }
    if (is_list_file(path)) return read_list(path, files);
    *alone = 1;
    return paths_add(files, NULL, path);
}

rgx_err dicom_series_scan(const char *path, dicom_series_t *s)
{
    memset(s, 0, sizeof *s);
    paths_t files = {0};
    cands_t c = {0};
    int alone, ign;
    rgx_err err = rgx_strdup(&s->where, path);
    if (!err) err = collect(path, &files, &alone);
    for (size_t i = 0; i < files.n && !err; i++) {
        err = scan_file(files.v[i], alone, (int)i, &c, &ign);
        s->n_ignored += ign;
    }
    if (!err && c.n == 0)
        err = rgx_fail(RGX_ERR_INPUT, "%s: no DICOM image found (%zu file%s, %d not image slices)",
                       path, files.n, files.n == 1 ? "" : "s", s->n_ignored);
    if (!err) err = one_series(path, &c);
    for (size_t i = 1; i < c.n && !err; i++) err = same_frame(&c.v[0], &c.v[i]);
    double nrm[3], step = 0;
    if (!err) {
        const double *r = c.v[0].iop, *col = c.v[0].iop + 3;
        cross(r, col, nrm);
        double lr = sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
        double lc = sqrt(col[0] * col[0] + col[1] * col[1] + col[2] * col[2]);
        double dot = r[0] * col[0] + r[1] * col[1] + r[2] * col[2];
        if (fabs(lr - 1) > 1e-3 || fabs(lc - 1) > 1e-3 || fabs(dot) > 1e-3)
            err = rgx_fail(RGX_ERR_INPUT,
                           "%s: Image Orientation (Patient) is not two orthogonal "
                           "unit vectors",
                           c.v[0].s.path);
        for (int a = 0; a < 3; a++) nrm[a] /= lr * lc;
    }
    if (!err) err = check_stack(path, &c, nrm, &step);
    if (!err && c.n == 1) { /* one slice: its thickness, else 1 mm */
        dcm_file_t *f = NULL;
        double t = 0;
        if (!dcm_open(c.v[0].s.path, DCM_HEADER, &f)) {
            if (dcm_num(dcm_root(f), DCM_TAG(0x18, 0x88), &t) <= 0 || !(t > 0))
                if (dcm_num(dcm_root(f), DCM_TAG(0x18, 0x50), &t) <= 0 || !(t > 0)) t = 1;
            dcm_close(f);
        }
        step = t > 0 ? t : 1;
    }
    if (!err) err = rgx_calloc(&s->slice, c.n, sizeof *s->slice);
    if (!err) {
        const cand_t *f0 = &c.v[0];
        s->n = (int)c.n, s->pf = f0->pf;
        memcpy(s->iop, f0->iop, sizeof s->iop), memcpy(s->ps, f0->ps, sizeof s->ps);
        strcpy(s->modality, f0->modality), strcpy(s->series_uid, f0->series_uid);
        strcpy(s->frame_of_ref, f0->frame_of_ref), strcpy(s->sop_class, f0->sop_class);
        for (size_t i = 0; i < c.n; i++) s->slice[i] = c.v[i].s, c.v[i].s.path = NULL;
        for (int a = 0; a < 3; a++) {
            s->affine_lps[a][0] = f0->iop[a] * f0->ps[1];
            s->affine_lps[a][1] = f0->iop[3 + a] * f0->ps[0];
            s->affine_lps[a][2] = nrm[a] * step;
            s->affine_lps[a][3] = f0->s.ipp[a];
        }
    }
    cands_free(&c);
    paths_free(&files);
    if (err) dicom_series_free(s);
    return err;
}

void dicom_series_free(dicom_series_t *s)
{
    for (int i = 0; s->slice && i < s->n; i++) free(s->slice[i].path);
    free(s->slice), free(s->where);
    memset(s, 0, sizeof *s);
}

static int stored_type(const dcm_pixfmt_t *pf)
{
    if (pf->bits == 8) return pf->is_signed ? DT_INT8 : DT_UINT8;
    if (pf->bits == 16) return pf->is_signed ? DT_INT16 : DT_UINT16;
    return pf->is_signed ? DT_INT32 : DT_UINT32;
}

/* 1 when every slice has the first one's rescale. */
static int uniform_scale(const dicom_series_t *s)
{
    for (int k = 1; k < s->n; k++)
        if (s->slice[k].slope != s->slice[0].slope || s->slice[k].inter != s->slice[0].inter)
            return 0;
    return 1;
}

void dicom_series_geometry(const dicom_series_t *s, image_t *img)
{
    memset(img, 0, sizeof *img);
    img->dim[0] = s->pf.cols, img->dim[1] = s->pf.rows, img->dim[2] = s->n;
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 4; c++) /* LPS -> RAS: x and y change sign */
            img->affine[r][c] = (r < 2 ? -1 : 1) * s->affine_lps[r][c];
    for (int c = 0; c < 3; c++) {
        double l = 0;
        for (int r = 0; r < 3; r++) l += s->affine_lps[r][c] * s->affine_lps[r][c];
        img->spacing[c] = sqrt(l);
    }
    img->affine_source = "dicom";
    snprintf(img->frame_of_ref, sizeof img->frame_of_ref, "%s", s->frame_of_ref);
    int uni = uniform_scale(s);
    img->datatype = uni ? stored_type(&s->pf) : DT_FLOAT32;
    img->slope = uni ? s->slice[0].slope : 1, img->inter = uni ? s->slice[0].inter : 0;
    img->has_number = 1;
}

rgx_err dicom_read_header(const char *path, image_t *img)
{
    dicom_series_t s;
    rgx_err err = dicom_series_scan(path, &s);
    if (err) return err;
    dicom_series_geometry(&s, img);
    dicom_series_free(&s);
    return RGX_OK;
}

/* The stored sample i of a decoded frame, as double. */
static double sample(const dcm_pixfmt_t *pf, const void *buf, size_t i)
{
    switch (stored_type(pf)) {
    case DT_INT8:
        return ((const int8_t *)buf)[i];
    case DT_UINT8:
        return ((const uint8_t *)buf)[i];
    case DT_INT16:
        return ((const int16_t *)buf)[i];
    case DT_UINT16:
        return ((const uint16_t *)buf)[i];
    case DT_INT32:
        return ((const int32_t *)buf)[i];
    default:
        return ((const uint32_t *)buf)[i];
    }
}

/* Reads the voxels of the series in the box lo .. hi (NULL: all of them) into img, whose
 * geometry dicom_series_geometry set. */
static rgx_err read_voxels(const dicom_series_t *s, image_t *img, const int lo[3], const int hi[3])
{
    int l[3] = {0, 0, 0}, n[3] = {img->dim[0], img->dim[1], img->dim[2]};
    if (lo) {
        img->windowed = 1, img->outside = NAN;
        for (int a = 0; a < 3; a++) {
            l[a] = lo[a] < 0 ? 0 : lo[a];
            int h = hi[a] >= img->dim[a] ? img->dim[a] - 1 : hi[a];
            n[a] = h >= l[a] ? h - l[a] + 1 : 0;
            img->win_lo[a] = l[a], img->win_n[a] = n[a];
        }
    }
    int as_float = img->datatype == DT_FLOAT32;
    size_t nb = as_float ? 4 : (size_t)s->pf.bits / 8,
           keep = (size_t)n[0] * (size_t)n[1] * (size_t)n[2];
    uint8_t *frame = NULL;
    dcm_file_t *f = NULL;
    rgx_err err = rgx_big_alloc(&img->vox, keep * nb);
    if (!err && keep) err = rgx_calloc(&frame, s->pf.frame_bytes, 1);
    for (int k = l[2]; k < l[2] + n[2] && keep && !err; k++) {
        const dicom_slice_t *sl = &s->slice[k];
        if (f && strcmp(dcm_name(f), sl->path)) dcm_close(f), f = NULL;
        if (!f && (err = dcm_open(sl->path, 0, &f))) break;
        if ((err = dcm_pix_frame(f, &s->pf, sl->frame, frame))) break;
        for (int j = 0; j < n[1]; j++) {
            size_t src = (size_t)l[0] + (size_t)s->pf.cols * (size_t)(l[1] + j);
            size_t dst = (size_t)n[0] * ((size_t)j + (size_t)n[1] * (size_t)(k - l[2]));
            if (!as_float) {
                memcpy((uint8_t *)img->vox + dst * nb, frame + src * nb, (size_t)n[0] * nb);
                continue;
            }
            float *o = (float *)img->vox + dst;
            for (int i = 0; i < n[0]; i++)
                o[i] = (float)(sample(&s->pf, frame, src + (size_t)i) * sl->slope + sl->inter);
        }
    }
    dcm_close(f);
    free(frame);
    if (err) image_free(img);
    return err;
}

rgx_err dicom_read_box(const char *path, image_t *img, const int lo[3], const int hi[3])
{
    dicom_series_t s;
    rgx_err err = dicom_series_scan(path, &s);
    if (err) return err;
    dicom_series_geometry(&s, img);
    err = read_voxels(&s, img, lo, hi);
    dicom_series_free(&s);
    return err;
}
