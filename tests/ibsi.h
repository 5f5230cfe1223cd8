/* ibsi.h — IBSI 1 reference data for the tests: the reference-value tables and the
 * digital phantom as a roi_t (no preprocessing: the phantom's reference values assume
 * none; grey levels are the intensities 1..6, so N_g = 6).
 *
 * The data live outside the project, in $RGX_SHARED/data/ibsi1 (see ../shared/data/
 * ibsi1/SOURCE.md); the product never reads them. */
#ifndef RGX_TEST_IBSI_H
#define RGX_TEST_IBSI_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features.h"
#include "image.h"

typedef struct {
    char tag[96];
    char family[96]; /* the table's family column, e.g. "Co-occurrence matrix (3D, merged)" */
    double value, tol;
    int valued;      /* 0 where the table gives no reference value */
    int diagnostic;  /* a "Diagnostics-..." row (image/ROI sizes after each step) */
} ibsi_ref_t;

/* Path of a file under $RGX_SHARED/data/ibsi1 in a static buffer. */
static inline const char *ibsi_path(const char *rel)
{
    static char buf[4096];
    const char *root = getenv("RGX_SHARED");
    snprintf(buf, sizeof buf, "%s/data/ibsi1/%s", root && *root ? root : "../shared", rel);
    return buf;
}

/* Splits one CSV line (quotes may enclose commas) into at most max fields, in place. */
static inline int ibsi_csv_split(char *line, char **field, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        if (*p == '"') {
            char *o = ++p;
            field[n++] = o;
            while (*p && !(*p == '"' && p[1] != '"')) {
                if (*p == '"') p++;
                *o++ = *p++;
            }
            if (*p == '"') p++;
            *o = '\0';
            if (*p == ',') p++;
            else break;
        } else {
            field[n++] = p;
            p += strcspn(p, ",\r\n");
            if (*p == ',') *p++ = '\0';
            else {
                *p = '\0';
                break;
            }
        }
    }
    return n;
}

/* Loads a reference table ("reference_values/ibsi_1_reference_values_config_A.csv");
 * returns the number of rows (-1 when the file cannot be read).  *out is malloc'ed. */
static inline int ibsi_ref_load(const char *rel, ibsi_ref_t **out)
{
    FILE *f = fopen(ibsi_path(rel), "r");
    *out = NULL;
    if (!f) return -1;
    char line[4096];
    int n = 0, m = 0;
    ibsi_ref_t *r = NULL;
    if (!fgets(line, sizeof line, f)) { fclose(f); return -1; } /* header (with BOM) */
    while (fgets(line, sizeof line, f)) {
        char *fld[10];
        if (ibsi_csv_split(line, fld, 10) < 10) continue;
        if (n == m) r = realloc(r, (size_t)(m = m ? 2 * m : 512) * sizeof *r);
        ibsi_ref_t *e = &r[n++];
        memset(e, 0, sizeof *e);
        snprintf(e->tag, sizeof e->tag, "%s", fld[9]);
        snprintf(e->family, sizeof e->family, "%s", fld[1]);
        e->valued = fld[4][0] != '\0';
        e->value = e->valued ? strtod(fld[4], NULL) : NAN;
        e->tol = strtod(fld[5], NULL);
        e->diagnostic = strncmp(fld[1], "Diagnostics", 11) == 0;
    }
    fclose(f);
    *out = r;
    return n;
}

/* The IBSI pass rule: |computed - reference| <= tolerance.  A zero tolerance means the
 * value must equal the reference to the three significant digits the table gives: within
 * half a unit of the third significant digit (for a reference of exactly 0: |x| < 5e-4). */
static inline int ibsi_ref_pass(const ibsi_ref_t *r, double x)
{
    if (!r->valued || !isfinite(x)) return 0;
    double d = fabs(x - r->value);
    if (r->tol > 0) return d <= r->tol * (1 + 1e-9) + 1e-12;
    if (r->value == 0) return d < 5e-4;
    double unit = pow(10.0, floor(log10(fabs(r->value))) - 2);
    return d <= 0.5 * unit * (1 + 1e-9);
}

/* The digital phantom as a roi_t with no preprocessing.  Buffers are malloc'ed and
 * released by ibsi_phantom_free(). Returns 0 on success. */
typedef struct {
    roi_t roi;
    double *intensity;
    uint8_t *morph, *mask;
    int *level;
} ibsi_phantom_t;

static inline int ibsi_phantom_load(ibsi_phantom_t *p)
{
    image_t img, msk;
    memset(p, 0, sizeof *p);
    if (image_read(ibsi_path("digital_phantom/phantom.nii.gz"), &img)) return -1;
    if (image_read(ibsi_path("digital_phantom/mask.nii.gz"), &msk)) { image_free(&img); return -1; }
    size_t n = image_nvox(&img);
    p->intensity = malloc(n * sizeof *p->intensity);
    p->morph = malloc(n);
    p->mask = malloc(n);
    p->level = malloc(n * sizeof *p->level);
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        float x = image_value(&img, i);
        p->intensity[i] = x;
        p->morph[i] = p->mask[i] = image_value(&msk, i) > 0.5f;
        p->level[i] = p->mask[i] ? (int)lrint(x) : 0;
        count += p->mask[i];
    }
    for (int d = 0; d < 3; d++) p->roi.dim[d] = img.dim[d], p->roi.spacing[d] = img.spacing[d];
    p->roi.intensity = p->intensity;
    p->roi.morph = p->morph;
    p->roi.mask = p->mask;
    p->roi.level = p->level;
    p->roi.n_levels = 6;
    p->roi.n_morph = p->roi.n_mask = count;
    image_free(&img);
    image_free(&msk);
    return 0;
}

static inline void ibsi_phantom_free(ibsi_phantom_t *p)
{
    free(p->intensity), free(p->morph), free(p->mask), free(p->level);
    memset(p, 0, sizeof *p);
}

/* The digital phantom's settings (IBSI "Reference data sets"): no interpolation, no
 * re-segmentation, no discretisation; distance 1; NGLDM alpha 0; every family, every
 * texture dimension. */
static inline feat_settings_t ibsi_phantom_settings(void)
{
    feat_settings_t s;
    memset(&s, 0, sizeof s);
    s.interp = INTERP_NONE;
    s.mask_interp = INTERP_NONE;
    s.mask_threshold = 0.5;
    s.reseg_min = -INFINITY;
    s.reseg_max = INFINITY;
    s.disc = DISC_NONE;
    s.ivh_disc = DISC_NONE;
    s.families = FAM_ALL;
    s.texture_dims = TEX_2D | TEX_2_5D | TEX_3D;
    s.glcm_distance = s.ngtdm_distance = s.ngldm_distance = 1;
    s.ngldm_alpha = 0;
    return s;
}

/* Compares every feature in v whose tag has the given prefix ("cm_") with the table;
 * prints one TAP line per reference row of that prefix (a missing feature fails).
 * Returns the number of rows that passed. */
#ifdef RGX_TAP_H
static inline int ibsi_check_prefix(const featvec_t *v, const ibsi_ref_t *ref, int nref,
                                    const char *prefix, const char *what)
{
    int passed = 0;
    size_t lp = strlen(prefix);
    for (int i = 0; i < nref; i++) {
        if (!ref[i].valued || ref[i].diagnostic || strncmp(ref[i].tag, prefix, lp) != 0) continue;
        double x = NAN;
        int found = 0;
        for (size_t j = 0; j < v->n; j++)
            if (!strcmp(v->name[j], ref[i].tag)) x = v->value[j], found = 1;
        char name[256], msg[256];
        snprintf(name, sizeof name, "%s %s", what, ref[i].tag);
        snprintf(msg, sizeof msg, "%s: got %.6g, reference %.6g +- %g", found ? "value" : "missing",
                 x, ref[i].value, ref[i].tol);
        int pass = found && ibsi_ref_pass(&ref[i], x);
        tap_ok(pass, __FILE__, __LINE__, msg, name);
        passed += pass;
    }
    return passed;
}
#endif

#endif
