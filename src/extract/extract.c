/* extract.c — see extract.h. */
#include "extract.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ckpt.h"
#include "comm.h"
#include "extract_settings.h"
#include "fault.h"
#include "image.h"
#include "log.h"
#include "mpienv.h"
#include "preprocess.h"
#include "util.h"
#include "version.h"
#include "runfile.h"

/* ---- columns ---- */

/* The names a channel's settings produce, from a probe ROI: the same code that computes the
 * values names them, so names and values can never disagree (see features.h). */
static rgx_err probe_names(const feat_settings_t *s, featvec_t *names)
{
    enum { NX = 8, NY = 8, NZ = 6, N = NX * NY * NZ };
    static double inten[N];
    static uint8_t morph[N], mask[N];
    static int level[N];
    size_t count = 0;
    for (int k = 0; k < NZ; k++)
        for (int j = 0; j < NY; j++)
            for (int i = 0; i < NX; i++) {
                size_t v = (size_t)i + NX * ((size_t)j + NY * (size_t)k);
                int in = i >= 2 && i < 6 && j >= 2 && j < 6 && k >= 1 && k < 5;
                inten[v] = (double)((i + 2 * j + 3 * k) % 4 + 1);
                morph[v] = mask[v] = (uint8_t)in;
                level[v] = in ? (int)inten[v] : 0;
                count += (size_t)in;
            }
    roi_t roi = {.dim = {NX, NY, NZ},
                 .spacing = {1, 1, 1},
                 .intensity = inten,
                 .morph = morph,
                 .mask = mask,
                 .level = level,
                 .n_levels = 4,
                 .n_morph = count,
                 .n_mask = count,
                 .names_only = 1};
    return features_compute(&roi, s, names);
}

/* A column "<channel>.<label>.<tag>", or "<channel>.<structure>.<tag>" when structure is given. */
static rgx_err add_col(extract_cols_t *c, const char *channel, int ch, int label,
                       const char *structure, const char *tag)
{
    rgx_err err;
    size_t n = c->n + 1;
    if ((err = rgx_realloc(&c->name, n, sizeof *c->name)) ||
        (err = rgx_realloc(&c->tag, n, sizeof *c->tag)) ||
        (err = rgx_realloc(&c->family, n, sizeof *c->family)) ||
        (err = rgx_realloc(&c->channel, n, sizeof *c->channel)) ||
        (err = rgx_realloc(&c->label, n, sizeof *c->label)) ||
        (err = rgx_realloc(&c->col_channel, n, sizeof *c->col_channel)))
        return err;
    char buf[512], fam[32];
    if (structure) snprintf(buf, sizeof buf, "%s.%s.%s", channel, structure, tag);
    else snprintf(buf, sizeof buf, "%s.%d.%s", channel, label, tag);
    feat_family_of(tag, fam, sizeof fam);
    c->name[c->n] = c->tag[c->n] = c->family[c->n] = c->channel[c->n] = NULL;
    if ((err = rgx_strdup(&c->name[c->n], buf)) || (err = rgx_strdup(&c->tag[c->n], tag)) ||
        (err = rgx_strdup(&c->family[c->n], fam)) || (err = rgx_strdup(&c->channel[c->n], channel)))
        return err;
    c->label[c->n] = label;
    c->col_channel[c->n] = ch;
    c->n = n;
    return RGX_OK;
}

rgx_err extract_cols_init(extract_cols_t *c, const cfg_t *cfg, const manifest_t *m,
                          const plan_t *plan)
{
    memset(c, 0, sizeof *c);
    c->n_channels = m->n_channels;
    rgx_err err;
    size_t n_roi = 0;
    for (int ch = 0; ch < m->n_channels; ch++) n_roi += (size_t)plan->n_labels[ch];
    if ((err = rgx_calloc(&c->settings, (size_t)m->n_channels, sizeof *c->settings)) ||
        (err = rgx_calloc(&c->first, n_roi ? n_roi : 1, sizeof *c->first)) ||
        (err = rgx_calloc(&c->n_tags, (size_t)m->n_channels, sizeof *c->n_tags)))
        return err;
    featvec_t names = {0};
    size_t roi = 0;
    if ((err = dose_opt_load(cfg, m, &c->dose))) return err;
    if (c->dose.channel >= 0) c->n_curve = c->dose.n_structures * c->dose.dvh.n_bins;
    for (int ch = 0; ch < m->n_channels && !err; ch++) {
        modality_t mod; /* which block, said once (plan time), by rank 0 */
        extract_channel_block(cfg, m->channel[ch], rgx_mpi.rank == 0, &mod);
        if ((err = extract_settings_load(cfg, m->channel[ch], &c->settings[ch]))) break;
        featvec_clear(&names);
        if (ch == c->dose.channel) {
            if ((err = dose_names(&c->dose, &names))) break;
            c->n_tags[ch] = names.n;
            for (int l = 0; l < plan->n_labels[ch] && !err; l++) {
                c->first[roi++] = c->n;
                for (size_t k = 0; k < names.n && !err; k++)
                    err = add_col(c, m->channel[ch], ch, plan->labels[ch][l],
                                  c->dose.structure[plan->labels[ch][l] - 1], names.name[k]);
            }
            continue;
        }
        if ((err = probe_names(&c->settings[ch], &names))) {
            err = rgx_fail(err, "channel %s: cannot list the features: %s", m->channel[ch],
                           rgx_errmsg());
            break;
        }
        c->n_tags[ch] = names.n;
        for (int l = 0; l < plan->n_labels[ch] && !err; l++) {
            c->first[roi++] = c->n;
            for (size_t k = 0; k < names.n && !err; k++)
                err = add_col(c, m->channel[ch], ch, plan->labels[ch][l], NULL, names.name[k]);
        }
    }
    featvec_free(&names);
    if (err) extract_cols_free(c);
    return err;
}

void extract_cols_free(extract_cols_t *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->name[i]), free(c->tag[i]), free(c->family[i]), free(c->channel[i]);
    }
    free(c->name), free(c->tag), free(c->family), free(c->channel);
    free(c->label), free(c->col_channel), free(c->first), free(c->n_tags), free(c->settings);
    memset(c, 0, sizeof *c);
}

rgx_err extract_run_key(const cfg_t *cfg, const manifest_t *m, const extract_cols_t *cols,
                        char key[65])
{
    strbuf_t sb = {0};
    char *eff = NULL, msha[65];
    rgx_err err = cfg_effective_yaml(cfg, &eff);
    if (!err) err = sha256_file(m->path, msha);
    if (!err) err = sb_printf(&sb, "radiogx %s\n%s\nmanifest %s\n", rgx_version(), eff, msha);
    for (size_t i = 0; !err && i < cols->n; i++) err = sb_printf(&sb, "%s\n", cols->name[i]);
    if (!err) sha256_buf(sb.s, sb.len, key);
    free(eff);
    free(sb.s);
    return err;
}

/* ---- one patient ---- */

rgx_err extract_read(const char *image, const char *mask, const int *labels, int n_labels,
                     const feat_settings_t *s, double tol_mm, image_t *img, image_t *msk)
{
    int lo[3] = {INT_MAX, INT_MAX, INT_MAX}, hi[3] = {-1, -1, -1};
    rgx_err err = image_read_header(image, img);
    if (!err) err = image_read_mask_on(mask, img, msk);
    if (!err) err = image_same_geometry(img, msk, tol_mm);
    for (int l = 0; l < n_labels && !err; l++) {
        int a[3], b[3];
        if ((err = preprocess_source(img, msk, labels[l], s, a, b)) || b[0] < 0) continue;
        for (int k = 0; k < 3; k++) {
            if (a[k] < lo[k]) lo[k] = a[k];
            if (b[k] > hi[k]) hi[k] = b[k];
        }
    }
    /* No label present: the file is still read through (and checked); nothing is kept. */
    if (!err) err = image_read_box(image, img, lo, hi);
    if (!err && image_all_nan(img)) err = rgx_fail(RGX_ERR_INPUT, "%s: every voxel is NaN", image);
    if (err) image_free(img), image_free(msk);
    return err;
}

rgx_err extract_roi(const image_t *img, const image_t *mask, int label, const feat_settings_t *s,
                    featvec_t *out, size_t nan[2])
{
    preproc_t pp;
    rgx_err err = preprocess_roi(img, mask, label, s, &pp);
    if (err) return err;
    if (nan) nan[0] = pp.n_nan, nan[1] = pp.n_morph;
    err = features_compute(&pp.roi, s, out);
    preprocess_free(&pp);
    return err;
}

typedef struct {
    int status; /* PLAN_OK, PLAN_BAD_INPUT, PLAN_NO_GENOTYPES */
    double seconds;
    char *reason; /* NULL or a message */
    double *row;  /* cols->n values */
    int done;
} result_t;

static rgx_err note(strbuf_t *sb, const char *fmt, const char *a, const char *b)
{
    if (sb->len && sb_append(sb, "; ")) return RGX_ERR_MEMORY;
    return sb_printf(sb, fmt, a, b);
}

/* The dose channel's columns of a patient (and its DVH curves past the features). */
static rgx_err dose_row(const manifest_t *m, const manifest_row_t *row, int ch, const plan_t *plan,
                        const extract_cols_t *cols, result_t *r, size_t *roi, int *n_roi,
                        int *n_ok, int *file_error, strbuf_t *why)
{
    const dose_opt_t *o = &cols->dose;
    featvec_t fv = {0};
    const char *grid = o->grid_channel >= 0 ? row->image[o->grid_channel] : NULL;
    rgx_err err = RGX_OK, e = dose_patient(o, row->image[ch], row->mask[ch], grid, &fv,
                                           r->row + cols->n);
    size_t nt = cols->n_tags[ch], ns = (size_t)plan->n_labels[ch];
    if (e == RGX_ERR_MEMORY) {
        err = e;
    } else if (e) {
        *file_error = 1;
        err = note(why, "image_%s: %s", m->channel[ch], rgx_errmsg());
        for (size_t k = 0; k < cols->n_curve; k++) r->row[cols->n + k] = NAN;
    } else if (fv.n != nt * ns) {
        err = rgx_fail(RGX_ERR_INTERNAL, "channel %s: %zu dose features computed, %zu listed",
                       m->channel[ch], fv.n, nt * ns);
    } else {
        for (size_t s = 0; s < ns; s++)
            memcpy(r->row + cols->first[*roi + s], fv.value + s * nt, nt * sizeof *fv.value);
        *n_ok += (int)ns;
    }
    *n_roi += (int)ns;
    *roi += ns;
    featvec_free(&fv);
    return err;
}

/* Computes one patient's row.  Only an allocation failure is an error: a bad input is
 * recorded in r (status and reason). */
static rgx_err extract_patient(const manifest_t *m, size_t i, const plan_t *plan,
                               const extract_cols_t *cols, result_t *r)
{
    const manifest_row_t *row = &m->row[i];
    strbuf_t why = {0};
    featvec_t fv = {0};
    rgx_err err = RGX_OK;
    int n_ok = 0, n_roi = 0, file_error = 0;
    for (size_t k = 0; k < cols->n + cols->n_curve; k++) r->row[k] = NAN;
    size_t roi = 0;
    for (int ch = 0; ch < m->n_channels && !err; ch++) {
        if (ch == cols->dose.channel) {
            err = dose_row(m, row, ch, plan, cols, r, &roi, &n_roi, &n_ok, &file_error, &why);
            continue;
        }
        image_t img = {0}, msk = {0};
        rgx_err bad = extract_read(row->image[ch], row->mask[ch], plan->labels[ch],
                                   plan->n_labels[ch], &cols->settings[ch], plan->geometry_tol_mm,
                                   &img, &msk);
        if (bad) {
            file_error = 1;
            err = note(&why, "image_%s: %s", m->channel[ch], rgx_errmsg());
        }
        for (int l = 0; l < plan->n_labels[ch] && !err; l++, roi++) {
            if (bad) continue;
            n_roi++;
            int label = plan->labels[ch][l];
            featvec_clear(&fv);
            size_t nan[2] = {0, 0};
            rgx_err e = extract_roi(&img, &msk, label, &cols->settings[ch], &fv, nan);
            char what[96];
            snprintf(what, sizeof what, "%s label %d", m->channel[ch], label);
            if (e == RGX_ERR_MEMORY) {
                err = e;
            } else if (e) {
                err = note(&why, "%s: %s", what, rgx_errmsg());
            } else if (fv.n != cols->n_tags[ch]) {
                err = rgx_fail(RGX_ERR_INTERNAL, "channel %s: %zu features computed, %zu listed",
                               m->channel[ch], fv.n, cols->n_tags[ch]);
            } else {
                memcpy(r->row + cols->first[roi], fv.value, fv.n * sizeof *fv.value);
                n_ok++;
                char nn[96]; /* NaN voxels: left out, and said (docs/reliability.md) */
                snprintf(nn, sizeof nn, "%zu of %zu ROI voxels NaN, left out of the intensity "
                         "mask", nan[0], nan[1]);
                if (nan[0]) err = note(&why, "%s: %s", what, nn);
            }
        }
        image_free(&img);
        image_free(&msk);
    }
    featvec_free(&fv);
    if (err == RGX_OK) {
        r->status = file_error || n_ok == 0 ? PLAN_BAD_INPUT : plan->p[i].status;
        if (r->status == PLAN_BAD_INPUT)
            for (size_t k = 0; k < cols->n + cols->n_curve; k++) r->row[k] = NAN;
        if (plan->p[i].status == PLAN_NO_GENOTYPES && plan->p[i].reason)
            err = note(&why, "%s%s", plan->p[i].reason, "");
        if (!err && n_roi == 0 && !file_error) err = note(&why, "%s%s", "no ROI to extract", "");
    }
    r->reason = why.s; /* NULL when nothing to say */
    return err;
}

/* ---- checkpoints ---- */

/* Payload: int32 status, double seconds, uint32 reason length, reason, n doubles. */
static rgx_err ckpt_encode(const result_t *r, size_t n, strbuf_t *sb)
{
    int32_t st = r->status;
    uint32_t rl = r->reason ? (uint32_t)strlen(r->reason) : 0;
    size_t len = sizeof st + sizeof r->seconds + sizeof rl + rl + n * sizeof(double);
    sb->len = 0;
    rgx_err err = sb_printf(sb, "%*s", (int)len, "");
    if (err) return err;
    char *p = sb->s;
    memcpy(p, &st, sizeof st), p += sizeof st;
    memcpy(p, &r->seconds, sizeof r->seconds), p += sizeof r->seconds;
    memcpy(p, &rl, sizeof rl), p += sizeof rl;
    if (rl) memcpy(p, r->reason, rl), p += rl;
    memcpy(p, r->row, n * sizeof(double));
    return RGX_OK;
}

typedef struct {
    result_t *res;
    size_t n_patients, n_cols;
} restore_t;

static rgx_err ckpt_decode(void *ctx, uint64_t key, const void *payload, size_t len)
{
    restore_t *rs = ctx;
    const char *p = payload;
    int32_t st;
    uint32_t rl;
    double secs;
    size_t fixed = sizeof st + sizeof secs + sizeof rl;
    if (key >= rs->n_patients || len < fixed) return RGX_OK; /* not ours: ignore */
    memcpy(&st, p, sizeof st), p += sizeof st;
    memcpy(&secs, p, sizeof secs), p += sizeof secs;
    memcpy(&rl, p, sizeof rl), p += sizeof rl;
    if (len != fixed + rl + rs->n_cols * sizeof(double)) return RGX_OK;
    result_t *r = &rs->res[key];
    free(r->reason);
    r->reason = NULL;
    if (rl) {
        rgx_err err = rgx_calloc(&r->reason, rl + 1, 1);
        if (err) return err;
        memcpy(r->reason, p, rl);
    }
    p += rl;
    memcpy(r->row, p, rs->n_cols * sizeof(double));
    r->status = st;
    r->seconds = secs;
    r->done = 1;
    return RGX_OK;
}

/* ---- writing ---- */

static rgx_err write_samples(h5out_t *h, const manifest_t *m, const result_t *res)
{
    size_t n = m->n;
    const char **s;
    int8_t *st;
    double *t;
    rgx_err err;
    if ((err = rgx_calloc(&s, n, sizeof *s))) return err;
    if ((err = rgx_calloc(&st, n, sizeof *st)) || (err = rgx_calloc(&t, n, sizeof *t))) {
        free(s);
        return err;
    }
#define COLUMN(field, path)                                                                        \
    for (size_t i = 0; i < n; i++) s[i] = m->row[i].field ? m->row[i].field : "";                  \
    if (!err) err = h5out_write_strings_all(h, path, n, s);
    COLUMN(patient_id, RF_SAMPLES_PATIENT_ID)
    COLUMN(sample_id, RF_SAMPLES_SAMPLE_ID)
    COLUMN(site, RF_SAMPLES_SITE)
    COLUMN(genotypes, RF_SAMPLES_GENOTYPES)
#undef COLUMN
    for (size_t i = 0; i < n; i++) {
        s[i] = res[i].reason ? res[i].reason : "";
        st[i] = (int8_t)res[i].status;
        t[i] = res[i].seconds;
    }
    if (!err) err = h5out_write_strings_all(h, RF_SAMPLES_REASON, n, s);
    if (!err) err = h5out_write_all(h, RF_SAMPLES_STATUS, H5T_NATIVE_INT8, n, 0, st);
    if (!err) err = h5out_write_all(h, RF_SAMPLES_TIME, H5T_NATIVE_DOUBLE, n, 0, t);
    if (!err)
        err = h5out_attr_str(h, RF_SAMPLES, "status_codes",
                             "0 ok; 1 failed (not extracted, see reason); 2 extracted but no "
                             "genotypes (left out of the scan)");
    free(s), free(st), free(t);
    return err;
}

static rgx_err write_features(h5out_t *h, const manifest_t *m, const extract_cols_t *cols,
                              const result_t *res, const size_t *mine, size_t n_mine)
{
    rgx_err err;
    hid_t d;
    /* Rows in about 1 MiB chunks, deflated: collective writes make that possible. */
    if ((err = h5out_matrix_create(h, RF_FEATURES_VALUES, H5T_NATIVE_DOUBLE, m->n, cols->n, 0,
                                   H5OUT_DEFLATE, 4,
                                   &d)))
        return err;
    hsize_t *rows;
    double *buf;
    if ((err = rgx_calloc(&rows, n_mine ? n_mine : 1, sizeof *rows)) ||
        (err = rgx_calloc(&buf, (n_mine ? n_mine : 1) * (cols->n ? cols->n : 1), sizeof *buf))) {
        H5Dclose(d);
        return err;
    }
    for (size_t k = 0; k < n_mine; k++) {
        rows[k] = mine[k];
        memcpy(buf + k * cols->n, res[mine[k]].row, cols->n * sizeof *buf);
    }
    err = h5out_matrix_write_at(h, d, H5T_NATIVE_DOUBLE, n_mine, rows, buf);
    H5Dclose(d);
    free(rows), free(buf);
    if (!err)
        err =
            h5out_write_strings_all(h, RF_FEATURES_NAMES, cols->n, (const char *const *)cols->name);
    if (!err)
        err = h5out_write_strings_all(h, RF_FEATURES_TAG, cols->n, (const char *const *)cols->tag);
    if (!err)
        err = h5out_write_strings_all(h, RF_FEATURES_FAMILY, cols->n,
                                      (const char *const *)cols->family);
    if (!err)
        err = h5out_write_strings_all(h, RF_FEATURES_CHANNEL, cols->n,
                                      (const char *const *)cols->channel);
    if (!err) err = h5out_write_all(h, RF_FEATURES_LABEL, H5T_NATIVE_INT, cols->n, 0, cols->label);
    char **desc = NULL;
    if (!err) err = rgx_calloc(&desc, (size_t)cols->n_channels, sizeof *desc);
    for (int c = 0; !err && c < cols->n_channels; c++)
        err = extract_settings_describe(&cols->settings[c], &desc[c]);
    if (!err)
        err = h5out_write_strings_all(h, RF_FEATURES_SETTINGS, (size_t)cols->n_channels,
                                      (const char *const *)desc);
    for (int c = 0; desc && c < cols->n_channels; c++) free(desc[c]);
    free(desc);
    if (!err)
        err = h5out_attr_str(h, RF_FEATURES_VALUES, "description",
                             "IBSI radiomic features: one row per manifest patient, one column "
                             "per channel x ROI label x feature; NaN = failed or undefined");
    if (!err)
        err = h5out_attr_str(h, RF_FEATURES_VALUES, "units",
                             "IBSI units: mm, mm^2, mm^3 for morphology; image intensity "
                             "units for intensity features; dimensionless otherwise");
    return err;
}

/* /dvh: the dose channel's cumulative DVH curves, a row per patient, structure-major. */
static rgx_err write_dvh(h5out_t *h, const manifest_t *m, const extract_cols_t *cols,
                         const result_t *res, const size_t *mine, size_t n_mine)
{
    const dose_opt_t *o = &cols->dose;
    hid_t d;
    rgx_err err = h5out_matrix_create(h, RF_DVH_VOLUME_PCT, H5T_NATIVE_DOUBLE, m->n,
                                      cols->n_curve, 0, H5OUT_DEFLATE, 4, &d);
    if (err) return err;
    hsize_t *rows = NULL;
    double *buf = NULL, *gy = NULL;
    if (!(err = rgx_calloc(&rows, n_mine ? n_mine : 1, sizeof *rows)) &&
        !(err = rgx_calloc(&buf, (n_mine ? n_mine : 1) * cols->n_curve, sizeof *buf))) {
        for (size_t k = 0; k < n_mine; k++) {
            rows[k] = mine[k];
            memcpy(buf + k * cols->n_curve, res[mine[k]].row + cols->n,
                   cols->n_curve * sizeof *buf);
        }
        err = h5out_matrix_write_at(h, d, H5T_NATIVE_DOUBLE, n_mine, rows, buf);
    }
    H5Dclose(d);
    if (!err) err = rgx_calloc(&gy, o->dvh.n_bins, sizeof *gy);
    for (size_t k = 0; !err && k < o->dvh.n_bins; k++) gy[k] = (double)k * o->dvh.bin_gy;
    if (!err) err = h5out_write_all(h, RF_DVH_DOSE_GY, H5T_NATIVE_DOUBLE, o->dvh.n_bins, 0, gy);
    if (!err)
        err = h5out_write_strings_all(h, RF_DVH_STRUCTURES, o->n_structures,
                                      (const char *const *)o->structure);
    if (!err)
        err = h5out_attr_str(h, RF_DVH_VOLUME_PCT, "description",
                             "cumulative DVH: per patient (row) and structure (/dvh/structures, "
                             "blocks of len(/dvh/dose_gy) columns), the % of the structure's "
                             "volume receiving at least each dose of /dvh/dose_gy; NaN = failed");
    free(rows), free(buf), free(gy);
    return err;
}

/* ---- the stage ---- */

/* The rank's patients: its share of the plan, largest first (so that progress and the
 * load stay even), then manifest order. */
/* Features with one value (or none) over every extracted patient of the cohort carry nothing
 * for a scan: named in the log and in the attribute /features/constant (the report lists
 * them).  Min, max and count are reduced across ranks (each has its own patients' rows). */
static rgx_err flag_constant(h5out_t *h, const extract_cols_t *cols, const result_t *res,
                             const size_t *mine, size_t n_mine)
{
    size_t n = cols->n;
    double *lo = NULL, *hi = NULL, *cnt = NULL;
    strbuf_t sb = {0};
    rgx_err err = RGX_OK;
    if ((err = rgx_calloc(&lo, n ? n : 1, sizeof *lo)) ||
        (err = rgx_calloc(&hi, n ? n : 1, sizeof *hi)) ||
        (err = rgx_calloc(&cnt, n ? n : 1, sizeof *cnt)))
        goto out;
    for (size_t j = 0; j < n; j++) lo[j] = INFINITY, hi[j] = -INFINITY;
    for (size_t k = 0; k < n_mine; k++) {
        const result_t *r = &res[mine[k]];
        if (r->status == PLAN_BAD_INPUT) continue;
        for (size_t j = 0; j < n; j++)
            if (isfinite(r->row[j])) {
                lo[j] = fmin(lo[j], r->row[j]), hi[j] = fmax(hi[j], r->row[j]);
                cnt[j]++;
            }
    }
    MPI_Allreduce(MPI_IN_PLACE, lo, (int)n, MPI_DOUBLE, MPI_MIN, h->comm);
    MPI_Allreduce(MPI_IN_PLACE, hi, (int)n, MPI_DOUBLE, MPI_MAX, h->comm);
    MPI_Allreduce(MPI_IN_PLACE, cnt, (int)n, MPI_DOUBLE, MPI_SUM, h->comm);
    size_t nc = 0;
    for (size_t j = 0; j < n && !err; j++)
        if (!cnt[j] || lo[j] == hi[j]) err = sb_printf(&sb, "%s%s", nc++ ? "," : "", cols->name[j]);
    const char *list = sb.s ? sb.s : "";
    if (!err) err = h5out_attr_str(h, RF_FEATURES, "constant", list);
    if (!err && nc && rgx_mpi.rank == 0)
        log_warn("extract: %zu of %zu features are constant over the cohort (or have no value): "
                 "%.300s%s (/features/constant; a scan skips them)",
                 nc, n, list, strlen(list) > 300 ? "..." : "");
out:
    free(lo), free(hi), free(cnt), free(sb.s);
    return err;
}

static rgx_err my_patients(const plan_t *plan, int rank, size_t **out, size_t *n)
{
    *n = 0;
    rgx_err err = rgx_calloc(out, plan->n ? plan->n : 1, sizeof **out);
    if (err) return err;
    for (size_t i = 0; i < plan->n; i++)
        if (plan->p[i].rank == rank) (*out)[(*n)++] = i;
    return RGX_OK;
}

/* A stop request on one rank reaches the others as a message, polled between patients. */
enum { TAG_STOP = 7301 };

static int stop_poll(MPI_Comm comm, const extract_opt_t *opt, int *sent)
{
    int size, rank, flag = 0;
    MPI_Comm_size(comm, &size);
    MPI_Comm_rank(comm, &rank);
    if (opt->stop && opt->stop() && !*sent) {
        int one = 1;
        for (int r = 0; r < size; r++)
            if (r != rank) MPI_Send(&one, 1, MPI_INT, r, TAG_STOP, comm);
        *sent = 1;
    }
    if (*sent) return 1;
    MPI_Iprobe(MPI_ANY_SOURCE, TAG_STOP, comm, &flag, MPI_STATUS_IGNORE);
    return flag;
}

static void drain_stops(MPI_Comm comm)
{
    int flag = 1;
    while (flag) {
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_STOP, comm, &flag, &st);
        if (flag) {
            int v;
            MPI_Recv(&v, 1, MPI_INT, st.MPI_SOURCE, TAG_STOP, comm, MPI_STATUS_IGNORE);
        }
    }
}

rgx_err extract_stage(const manifest_t *m, const plan_t *plan, const extract_cols_t *cols,
                      const extract_opt_t *opt, h5out_t *h)
{
    result_t *res = NULL;
    double *rows = NULL;
    size_t *mine = NULL, n_mine = 0;
    ckpt_writer_t ck = {0};
    strbuf_t payload = {0};
    rgx_err err;
    if ((err = rgx_calloc(&res, m->n, sizeof *res))) goto out;
    /* A row: the features, then the DVH curves (written to /dvh). */
    size_t stride = cols->n + cols->n_curve;
    if ((err = rgx_calloc(&rows, m->n * (stride ? stride : 1), sizeof *rows))) goto out;
    for (size_t i = 0; i < m->n; i++) {
        res[i].row = rows + i * stride;
        for (size_t k = 0; k < stride; k++) res[i].row[k] = NAN;
    }
    /* Work already done by an interrupted run, whoever did it. */
    size_t n_restored = 0;
    if (opt->ckpt_dir) {
        restore_t rs = {res, m->n, stride};
        err = ckpt_read_all(opt->ckpt_dir, "extract", opt->run_key, ckpt_decode, &rs, &n_restored);
        if (!err) err = ckpt_open(&ck, opt->ckpt_dir, "extract", h->rank, opt->run_key);
        /* Every rank has read the logs before any appends to its new one: a rank that read
         * late took the records this run had just written as an earlier run's (a fresh run
         * said "resuming"); and one rank's failure here must not leave the others waiting. */
        if ((err = comm_agree(h->comm, err, "opening the checkpoints"))) goto out;
    }
    if ((err = my_patients(plan, h->rank, &mine, &n_mine))) goto out;
    size_t todo = 0, done_before = 0;
    for (size_t k = 0; k < n_mine; k++) todo += !res[mine[k]].done;
    for (size_t i = 0; i < m->n; i++) done_before += res[i].done;
    if (h->rank == 0 && done_before)
        log_info("extract: resuming: %zu of %zu patients already done (checkpoints in %s)",
                 done_before, m->n, opt->ckpt_dir);
    progress_t prog;
    progress_init(&prog, "extract (rank 0's share)", "patients", (long)todo);
    int stopped = 0, sent = 0;
    size_t k_done = 0;
    for (size_t k = 0; k < n_mine && !err; k++) {
        size_t i = mine[k];
        if (res[i].done) continue;
        if (stop_poll(h->comm, opt, &sent)) {
            stopped = 1;
            break;
        }
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if ((err = extract_patient(m, i, plan, cols, &res[i]))) break;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        res[i].seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        res[i].done = 1;
        if (res[i].status == PLAN_BAD_INPUT)
            log_warn("patient %s (manifest line %d) failed: %s", m->row[i].patient_id,
                     m->row[i].line, res[i].reason ? res[i].reason : "?");
        if (opt->ckpt_dir) {
            if ((err = ckpt_encode(&res[i], stride, &payload))) break;
            if ((err = ckpt_append(&ck, i, payload.s, payload.len))) break;
        }
        progress_update(&prog, (long)++k_done);
    }
    progress_done(&prog, (long)k_done);
    /* Everyone learns whether anyone failed or stopped. */
    int flags[2] = {err != RGX_OK, stopped || sent}, any[2];
    MPI_Allreduce(flags, any, 2, MPI_INT, MPI_MAX, h->comm);
    drain_stops(h->comm);
    if (any[0]) {
        /* The failing rank's own code, on every rank. */
        if ((err = comm_agree(h->comm, err, "extracting"))) goto out;
    }
    if (any[1]) {
        err = rgx_fail(RGX_ERR_REQUEUE,
                       "extraction stopped on request; %zu patients are "
                       "checkpointed in %s",
                       done_before + k_done, opt->ckpt_dir ? opt->ckpt_dir : "(none)");
        goto out;
    }
    /* Patients the plan rejected: failed, with the plan's reason. */
    for (size_t i = 0; i < m->n && !err; i++)
        if (plan->p[i].status == PLAN_BAD_INPUT && !res[i].done) {
            res[i].status = PLAN_BAD_INPUT;
            err = rgx_strdup(&res[i].reason, plan->p[i].reason);
        }
    /* Every rank needs status, reason and time of all patients for /samples: gather. */
    if (!err) {
        double *t = NULL;
        int *st = NULL;
        if (!(err = rgx_calloc(&t, m->n, sizeof *t)) &&
            !(err = rgx_calloc(&st, m->n, sizeof *st))) {
            for (size_t k = 0; k < n_mine; k++) t[mine[k]] = res[mine[k]].seconds, st[mine[k]] = 1;
            MPI_Allreduce(MPI_IN_PLACE, t, (int)m->n, MPI_DOUBLE, MPI_SUM, h->comm);
            for (size_t i = 0; i < m->n; i++)
                if (plan->p[i].rank >= 0) res[i].seconds = t[i];
        }
        free(t), free(st);
    }
    if (!err) {
        /* Reasons and statuses of my patients travel as "index\tstatus\treason\n" lines. */
        strbuf_t sb = {0};
        for (size_t k = 0; !err && k < n_mine; k++) {
            const result_t *r = &res[mine[k]];
            err = sb_printf(&sb, "%zu\t%d\t%s\n", mine[k], r->status, r->reason ? r->reason : "");
        }
        int len = sb.s ? (int)sb.len : 0, *lens = NULL, *offs = NULL, total = 0;
        char *all = NULL;
        if (!err && !(err = rgx_calloc(&lens, (size_t)h->size, sizeof *lens)) &&
            !(err = rgx_calloc(&offs, (size_t)h->size, sizeof *offs))) {
            MPI_Allgather(&len, 1, MPI_INT, lens, 1, MPI_INT, h->comm);
            for (int r = 0; r < h->size; r++) offs[r] = total, total += lens[r];
            if (!(err = rgx_calloc(&all, (size_t)total + 1, 1))) {
                MPI_Allgatherv(sb.s ? sb.s : "", len, MPI_CHAR, all, lens, offs, MPI_CHAR, h->comm);
                for (char *line = all; !err && line && *line;) {
                    char *nl = strchr(line, '\n');
                    if (nl) *nl = '\0';
                    char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
                    size_t i = strtoul(line, NULL, 10);
                    if (t2 && i < m->n) {
                        res[i].status = atoi(t1 + 1);
                        free(res[i].reason);
                        res[i].reason = NULL;
                        if (t2[1]) err = rgx_strdup(&res[i].reason, t2 + 1);
                    }
                    line = nl ? nl + 1 : NULL;
                }
            }
        }
        free(sb.s), free(lens), free(offs), free(all);
    }
    if (!err) fault_point("extract", "write");
    if (!err) err = write_samples(h, m, res);
    if (!err) err = write_features(h, m, cols, res, mine, n_mine);
    if (!err && cols->n_curve) err = write_dvh(h, m, cols, res, mine, n_mine);
    if (!err) err = flag_constant(h, cols, res, mine, n_mine);
    if (!err) {
        size_t n_failed = 0, n_partial = 0;
        for (size_t i = 0; i < m->n; i++) {
            n_failed += res[i].status == PLAN_BAD_INPUT;
            n_partial += res[i].status != PLAN_BAD_INPUT && res[i].reason != NULL;
        }
        log_info("extract: %zu patients x %zu features written; %zu failed, %zu with notes "
                 "(see /samples/reason)",
                 m->n, cols->n, n_failed, n_partial);
    }
out:
    if (opt->ckpt_dir) ckpt_close(&ck);
    for (size_t i = 0; res && i < m->n; i++) free(res[i].reason);
    free(res), free(rows), free(mine), free(payload.s);
    return err;
}
