/* sim_dicom.c — see sim_dicom.h. */
#include "sim_dicom.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dcm_write.h"
#include "sim_rng.h"
#include "util.h"

#define SOP_CT "1.2.840.10008.5.1.4.1.1.2"
#define SOP_MR "1.2.840.10008.5.1.4.1.1.4"
#define SOP_PT "1.2.840.10008.5.1.4.1.1.128"
#define SOP_RS "1.2.840.10008.5.1.4.1.1.481.3"
#define SOP_RD "1.2.840.10008.5.1.4.1.1.481.2"

enum { UID_STUDY = 1, UID_FRAME, UID_SERIES, UID_INSTANCE };

/* A UID from the seed, the patient, a kind and an index (splitmix64 of their mix). */
static void uid(const sim_dicom_t *c, int kind, uint64_t index, char out[64])
{
    uint64_t z = c->seed * 0x9E3779B97F4A7C15u ^ ((uint64_t)c->patient << 20) ^
                 ((uint64_t)kind << 56) ^ index * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    dcmw_uid(z ^ (z >> 31), out);
}

void sim_dicom_init(sim_dicom_t *c, uint64_t seed, long patient, const char *patient_id)
{
    memset(c, 0, sizeof *c);
    c->seed = seed, c->patient = patient;
    snprintf(c->patient_id, sizeof c->patient_id, "%s", patient_id);
    uid(c, UID_STUDY, 0, c->study_uid);
    uid(c, UID_FRAME, 0, c->frame_uid);
}

/* The grid in DICOM's patient coordinates: row and column directions (unit), the step between
 * slices, the position of voxel (0, 0, k). */
typedef struct {
    double row[3], col[3], ps[2], step[3], o[3];
} geom_t;

static void geom_of(const image_t *img, geom_t *g)
{
    for (int a = 0; a < 3; a++) { /* RAS -> LPS: x and y change sign */
        double s = a < 2 ? -1 : 1;
        g->row[a] = s * img->affine[a][0] / img->spacing[0];
        g->col[a] = s * img->affine[a][1] / img->spacing[1];
        g->step[a] = s * img->affine[a][2];
        g->o[a] = s * img->affine[a][3];
    }
    g->ps[0] = img->spacing[1], g->ps[1] = img->spacing[0];
}

static void lps_of(const geom_t *g, double i, double j, double k, double p[3])
{
    for (int a = 0; a < 3; a++)
        p[a] = g->o[a] + i * g->ps[1] * g->row[a] + j * g->ps[0] * g->col[a] + k * g->step[a];
}

/* The elements every object starts with (group 0008 to 0020 in tag order is the caller's). */
static void patient_study(dcmw_t *w, const sim_dicom_t *c)
{
    dcmw_str(w, 0x00100010, "PN", c->patient_id);
    dcmw_str(w, 0x00100020, "LO", c->patient_id);
}

static rgx_err mkdir_one(const char *dir)
{
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return rgx_fail(RGX_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
    return RGX_OK;
}

rgx_err sim_dicom_series(const char *dir, const image_t *img, const char *channel_name, int channel,
                         const sim_dicom_t *c)
{
    int ct = !strcmp(channel_name, "CT"),
        pt = !strcmp(channel_name, "PET") || !strcmp(channel_name, "PT");
    const char *modality = ct ? "CT" : pt ? "PT" : "MR", *sop = ct ? SOP_CT : pt ? SOP_PT : SOP_MR;
    char series[64], inst[64], path[4200];
    uid(c, UID_SERIES, (uint64_t)channel, series);
    geom_t g;
    geom_of(img, &g);
    rgx_err err = mkdir_one(dir);
    size_t plane = (size_t)img->dim[0] * (size_t)img->dim[1];
    int16_t *px = NULL;
    /* PET: SUV to 1/1000 (rescale slope 0.001), so that int16 holds it. */
    double slope = pt ? 0.001 : 1;
    if (!err) err = rgx_calloc(&px, plane, sizeof *px);
    for (int k = 0; k < img->dim[2] && !err; k++) {
        float v[4096];
        for (size_t at = 0; at < plane; at += 4096) {
            size_t m = plane - at < 4096 ? plane - at : 4096;
            image_values(img, (size_t)k * plane + at, m, v);
            for (size_t i = 0; i < m; i++) {
                double s = nearbyint(v[i] / slope);
                px[at + i] = (int16_t)(s < -32768 ? -32768 : s > 32767 ? 32767 : s);
            }
        }
        uid(c, UID_INSTANCE, (uint64_t)channel << 32 | (uint64_t)k, inst);
        dcmw_t w = {0};
        double ipp[3], iop[6] = {g.row[0], g.row[1], g.row[2], g.col[0], g.col[1], g.col[2]};
        double zero = 0, one = slope, thick = img->spacing[2];
        lps_of(&g, 0, 0, k, ipp);
        dcmw_str(&w, 0x00080016, "UI", sop);
        dcmw_str(&w, 0x00080018, "UI", inst);
        dcmw_str(&w, 0x00080020, "DA", "20260101");
        dcmw_str(&w, 0x00080021, "DA", "20260101");
        dcmw_str(&w, 0x00080031, "TM", "100000");
        dcmw_str(&w, 0x00080060, "CS", modality);
        dcmw_str(&w, 0x00080070, "LO", "radiogx simulate");
        patient_study(&w, c);
        dcmw_ds(&w, 0x00180050, &thick, 1);
        dcmw_str(&w, 0x0020000D, "UI", c->study_uid);
        dcmw_str(&w, 0x0020000E, "UI", series);
        dcmw_is(&w, 0x00200011, channel + 1);
        dcmw_is(&w, 0x00200013, k + 1);
        dcmw_ds(&w, 0x00200032, ipp, 3);
        dcmw_ds(&w, 0x00200037, iop, 6);
        dcmw_str(&w, 0x00200052, "UI", c->frame_uid);
        dcmw_us(&w, 0x00280002, 1);
        dcmw_str(&w, 0x00280004, "CS", "MONOCHROME2");
        dcmw_us(&w, 0x00280010, (uint16_t)img->dim[1]);
        dcmw_us(&w, 0x00280011, (uint16_t)img->dim[0]);
        dcmw_ds(&w, 0x00280030, g.ps, 2);
        dcmw_us(&w, 0x00280100, 16), dcmw_us(&w, 0x00280101, 16), dcmw_us(&w, 0x00280102, 15);
        dcmw_us(&w, 0x00280103, 1);
        dcmw_ds(&w, 0x00281052, &zero, 1);
        dcmw_ds(&w, 0x00281053, &one, 1);
        if (pt) dcmw_str(&w, 0x00541001, "CS", "GML"), dcmw_str(&w, 0x00541102, "CS", "START");
        dcmw_bytes(&w, 0x7FE00010, "OW", px, plane * sizeof *px);
        snprintf(path, sizeof path, "%s/IM%04d.dcm", dir, k + 1);
        err = dcmw_save(&w, path, sop, inst);
    }
    free(px);
    return err;
}

/* ---- contours from a label map: the boundary of the label's voxels along voxel edges ---- */

typedef struct {
    int x0, y0, x1, y1; /* corners: corner (x, y) is the point (x - 0.5, y - 0.5) in voxels */
    int next;           /* the next edge from the same start corner, -1 */
    int used;
} edge_t;

typedef struct {
    edge_t *e;
    size_t n, cap;
    int *head; /* per corner: the first edge starting there, -1 */
} edges_t;

static rgx_err add_edge(edges_t *es, int nx, int x0, int y0, int x1, int y1)
{
    rgx_err err = rgx_reserve(&es->e, &es->cap, es->n + 1, sizeof *es->e);
    if (err) return err;
    int v = y0 * (nx + 1) + x0;
    es->e[es->n] = (edge_t){x0, y0, x1, y1, es->head[v], 0};
    es->head[v] = (int)es->n++;
    return RGX_OK;
}

/* Appends the slice's loops of label lab (voxel edges, the label on their left) as contours. */
static rgx_err slice_contours(dcmw_t *w, const float *m, int nx, int ny, float lab, int k,
                              const geom_t *g, edges_t *es, double **pts, size_t *cap, int *n_c)
{
    rgx_err err = RGX_OK;
    es->n = 0;
    for (int v = 0; v < (nx + 1) * (ny + 1); v++) es->head[v] = -1;
#define IN(i, j) ((i) >= 0 && (j) >= 0 && (i) < nx && (j) < ny && m[(size_t)(j)*nx + (i)] == lab)
    for (int j = 0; j < ny && !err; j++)
        for (int i = 0; i < nx && !err; i++) {
            if (!IN(i, j)) continue;
            if (!IN(i, j - 1)) err = add_edge(es, nx, i, j, i + 1, j);
            if (!err && !IN(i + 1, j)) err = add_edge(es, nx, i + 1, j, i + 1, j + 1);
            if (!err && !IN(i, j + 1)) err = add_edge(es, nx, i + 1, j + 1, i, j + 1);
            if (!err && !IN(i - 1, j)) err = add_edge(es, nx, i, j + 1, i, j);
        }
#undef IN
    /* Loops: from an unused edge, follow unused edges until back at its start; corners where
     * the direction does not change are left out. */
    for (size_t s = 0; s < es->n && !err; s++) {
        if (es->e[s].used) continue;
        size_t np = 0;
        int cur = (int)s, sx = es->e[s].x0, sy = es->e[s].y0;
        while (cur >= 0 && !err) {
            edge_t *e = &es->e[cur];
            e->used = 1;
            if ((err = rgx_reserve(pts, cap, 3 * (np + 1), sizeof **pts))) break;
            lps_of(g, e->x0 - 0.5, e->y0 - 0.5, k, *pts + 3 * np++);
            if (e->x1 == sx && e->y1 == sy) break;
            int nxt = es->head[e->y1 * (nx + 1) + e->x1];
            while (nxt >= 0 && es->e[nxt].used) nxt = es->e[nxt].next;
            cur = nxt;
        }
        /* drop the corners between collinear edges */
        size_t q = 0;
        for (size_t t = 0; t < np; t++) {
            const double *a = *pts + 3 * ((t + np - 1) % np), *b = *pts + 3 * t,
                         *c = *pts + 3 * ((t + 1) % np);
            double d1[3], d2[3], cr = 0;
            for (int x = 0; x < 3; x++) d1[x] = b[x] - a[x], d2[x] = c[x] - b[x];
            double cx = d1[1] * d2[2] - d1[2] * d2[1], cy = d1[2] * d2[0] - d1[0] * d2[2],
                   cz = d1[0] * d2[1] - d1[1] * d2[0];
            cr = cx * cx + cy * cy + cz * cz;
            if (cr > 1e-12) memmove(*pts + 3 * q++, b, 3 * sizeof **pts);
        }
        if (err || q < 3) continue;
        dcmw_item_begin(w);
        dcmw_str(w, 0x30060042, "CS", "CLOSED_PLANAR");
        dcmw_is(w, 0x30060046, (long)q);
        dcmw_ds(w, 0x30060050, *pts, 3 * q);
        dcmw_item_end(w);
        ++*n_c;
    }
    return err;
}

rgx_err sim_dicom_rtstruct(const char *path, const image_t *msk, int n_labels,
                           const char *const *names, int empty, const sim_dicom_t *c)
{
    char series[64], inst[64];
    uid(c, UID_SERIES, 100, series);
    uid(c, UID_INSTANCE, (uint64_t)100 << 32, inst);
    geom_t g;
    geom_of(msk, &g);
    int nx = msk->dim[0], ny = msk->dim[1];
    size_t plane = (size_t)nx * (size_t)ny;
    float *m = NULL;
    double *pts = NULL;
    size_t cap = 0;
    edges_t es = {0};
    dcmw_t w = {0};
    rgx_err err = rgx_calloc(&m, plane, sizeof *m);
    if (!err) err = rgx_calloc(&es.head, (size_t)(nx + 1) * (size_t)(ny + 1), sizeof *es.head);
    if (err) goto out;
    dcmw_str(&w, 0x00080016, "UI", SOP_RS);
    dcmw_str(&w, 0x00080018, "UI", inst);
    dcmw_str(&w, 0x00080020, "DA", "20260101");
    dcmw_str(&w, 0x00080060, "CS", "RTSTRUCT");
    dcmw_str(&w, 0x00080070, "LO", "radiogx simulate");
    patient_study(&w, c);
    dcmw_str(&w, 0x0020000D, "UI", c->study_uid);
    dcmw_str(&w, 0x0020000E, "UI", series);
    dcmw_str(&w, 0x30060002, "SH", "simulated");
    dcmw_seq_begin(&w, 0x30060010);
    dcmw_item_begin(&w);
    dcmw_str(&w, 0x00200052, "UI", c->frame_uid);
    dcmw_item_end(&w);
    dcmw_seq_end(&w);
    dcmw_seq_begin(&w, 0x30060020);
    for (int l = 0; l < n_labels; l++) {
        dcmw_item_begin(&w);
        dcmw_is(&w, 0x30060022, l + 1);
        dcmw_str(&w, 0x30060024, "UI", c->frame_uid);
        dcmw_str(&w, 0x30060026, "LO", names[l]);
        dcmw_item_end(&w);
    }
    dcmw_seq_end(&w);
    dcmw_seq_begin(&w, 0x30060039);
    for (int l = 0; l < n_labels && !err; l++) {
        dcmw_item_begin(&w);
        dcmw_seq_begin(&w, 0x30060040);
        int n_c = 0;
        for (int k = 0; k < msk->dim[2] && !err && !empty; k++) {
            image_values(msk, (size_t)k * plane, plane, m);
            err = slice_contours(&w, m, nx, ny, (float)(l + 1), k, &g, &es, &pts, &cap, &n_c);
        }
        dcmw_seq_end(&w);
        dcmw_is(&w, 0x30060084, l + 1);
        dcmw_item_end(&w);
    }
    dcmw_seq_end(&w);
    if (!err) err = dcmw_save(&w, path, SOP_RS, inst);
out:
    dcmw_free(&w);
    free(m), free(pts), free(es.e), free(es.head);
    return err;
}

rgx_err sim_dicom_rtdose(const char *path, const image_t *ref, const sim_lesion_t *l,
                         const sim_dicom_t *c)
{
    char series[64], inst[64];
    uid(c, UID_SERIES, 200, series);
    uid(c, UID_INSTANCE, (uint64_t)200 << 32, inst);
    /* Twice the in-plane spacing over the same field of view; the same slices. */
    image_t d = *ref;
    d.vox = NULL;
    for (int a = 0; a < 2; a++) {
        d.dim[a] = (ref->dim[a] + 1) / 2;
        for (int r = 0; r < 3; r++) {
            d.affine[r][a] = 2 * ref->affine[r][a];
            d.affine[r][3] += 0.5 * ref->affine[r][a]; /* centred on the field */
        }
        d.spacing[a] = 2 * ref->spacing[a];
    }
    geom_t g;
    geom_of(&d, &g);
    double radius = cbrt(3.0 * l->volume_mm3 / (4.0 * M_PI)) + 5.0;
    size_t plane = (size_t)d.dim[0] * (size_t)d.dim[1], n = plane * (size_t)d.dim[2];
    uint32_t *v = NULL;
    double *gfov = NULL;
    rgx_err err = rgx_calloc(&v, n, sizeof *v);
    if (!err) err = rgx_calloc(&gfov, (size_t)d.dim[2], sizeof *gfov);
    for (int k = 0; k < d.dim[2] && !err; k++) {
        gfov[k] = k * d.spacing[2];
        for (int j = 0; j < d.dim[1]; j++)
            for (int i = 0; i < d.dim[0]; i++) {
                double r2 = 0;
                for (int a = 0; a < 3; a++) { /* world (RAS) as the simulator's lesion */
                    double x = d.affine[a][0] * i + d.affine[a][1] * j + d.affine[a][2] * k +
                               d.affine[a][3] - l->centre[a];
                    r2 += x * x;
                }
                double dose = 5.0 + 55.0 / (1.0 + exp((sqrt(r2) - radius) / 3.0));
                v[(size_t)i + (size_t)d.dim[0] * ((size_t)j + (size_t)d.dim[1] * (size_t)k)] =
                    (uint32_t)nearbyint(dose / 1e-5);
            }
    }
    dcmw_t w = {0};
    double ipp[3], iop[6] = {g.row[0], g.row[1], g.row[2], g.col[0], g.col[1], g.col[2]};
    double scale = 1e-5;
    lps_of(&g, 0, 0, 0, ipp);
    if (!err) {
        dcmw_str(&w, 0x00080016, "UI", SOP_RD);
        dcmw_str(&w, 0x00080018, "UI", inst);
        dcmw_str(&w, 0x00080020, "DA", "20260101");
        dcmw_str(&w, 0x00080060, "CS", "RTDOSE");
        dcmw_str(&w, 0x00080070, "LO", "radiogx simulate");
        patient_study(&w, c);
        dcmw_ds(&w, 0x00180050, &d.spacing[2], 1);
        dcmw_str(&w, 0x0020000D, "UI", c->study_uid);
        dcmw_str(&w, 0x0020000E, "UI", series);
        dcmw_ds(&w, 0x00200032, ipp, 3);
        dcmw_ds(&w, 0x00200037, iop, 6);
        dcmw_str(&w, 0x00200052, "UI", c->frame_uid);
        dcmw_us(&w, 0x00280002, 1);
        dcmw_str(&w, 0x00280004, "CS", "MONOCHROME2");
        dcmw_is(&w, 0x00280008, d.dim[2]);
        uint8_t fip[4] = {0x04, 0x30, 0x0C, 0x00}; /* (3004,000C) as an AT value */
        dcmw_bytes(&w, 0x00280009, "AT", fip, 4);
        dcmw_us(&w, 0x00280010, (uint16_t)d.dim[1]);
        dcmw_us(&w, 0x00280011, (uint16_t)d.dim[0]);
        dcmw_ds(&w, 0x00280030, g.ps, 2);
        dcmw_us(&w, 0x00280100, 32), dcmw_us(&w, 0x00280101, 32), dcmw_us(&w, 0x00280102, 31);
        dcmw_us(&w, 0x00280103, 0);
        dcmw_str(&w, 0x30040002, "CS", "GY");
        dcmw_str(&w, 0x30040004, "CS", "PHYSICAL");
        dcmw_str(&w, 0x3004000A, "CS", "PLAN");
        dcmw_ds(&w, 0x3004000C, gfov, (size_t)d.dim[2]);
        dcmw_ds(&w, 0x3004000E, &scale, 1);
        dcmw_bytes(&w, 0x7FE00010, "OW", v, n * sizeof *v);
        err = dcmw_save(&w, path, SOP_RD, inst);
    }
    dcmw_free(&w);
    free(v), free(gfov);
    return err;
}
