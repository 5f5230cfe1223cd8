/* sim_cohort.c — see sim_cohort.h.  One process, with threads for the images and the
 * compression; genotypes in sim_geno.c, images in sim_image.c. */
#include "sim_cohort.h"

#include <errno.h>
#include <math.h>
#include <nifti2_io.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "sim_dicom.h"
#include "sim_geno.h"
#include "sim_image.h"
#include "sim_rng.h"
#include "outfile.h"
#include "util.h"

enum { KIND_PATIENT = 31, KIND_ANCESTRY = 32, KIND_OUTCOME = 37, N_PROP = 4 };
/* With --outcomes: a toxicity variant on chromosome 5, a time-to-event variant on 6. */
enum { N_CAUSAL_OUT = N_PROP + 2 };

/* The planted properties, in the order of chromosomes 1..4, and the IBSI features that
 * measure them. */
static const char *prop_name[N_PROP] = {"volume", "mean_intensity", "heterogeneity", "elongation"};
static const char *prop_features[N_PROP] = {
    "morph_volume,morph_vol_approx,morph_area_mesh", "stat_mean,stat_median,ih_mean",
    "stat_var,stat_range,cm_contrast_3D_avg", "morph_pca_elongation,morph_pca_major_axis"};

typedef struct {
    double age;
    int sex, site, anc;
    double z[N_PROP]; /* standardised property values */
    double angle, centre[3];
    double dose; /* --outcomes: mean dose to the organ at risk, Gy */
    int tox, event;
    double time; /* years to the event or to censoring */
} patient_t;

/* ---- the settings ---- */

static int parse_triple(const char *s, double v[3])
{
    char extra;
    return sscanf(s, "%lf,%lf,%lf%c", &v[0], &v[1], &v[2], &extra) == 3 && v[0] > 0 && v[1] > 0 &&
           v[2] > 0;
}

static rgx_err bad_value(const char *opt, const char *arg, const char *want)
{
    return rgx_fail(RGX_ERR_USAGE, "--%s '%s': expected %s", opt, arg, want);
}

/* The channels: names of letters and digits, at most SIM_MAX_CH. */
static rgx_err sim_channels(sim_opt_t *o, const char *list)
{
    snprintf(o->chan_buf, sizeof o->chan_buf, "%s", list);
    char *save = NULL;
    for (char *t = strtok_r(o->chan_buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (o->n_ch == SIM_MAX_CH) return bad_value("channels", list, "at most 8 channels");
        for (const char *c = t; *c; c++)
            if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
                return bad_value("channels", list, "names of letters and digits, e.g. T1,FLAIR");
        o->channel[o->n_ch++] = t;
    }
    if (!o->n_ch) return bad_value("channels", list, "at least one channel");
    return RGX_OK;
}

rgx_err sim_opts_init(sim_opt_t *o, const cfg_t *cfg, const char *out, int threads)
{
    memset(o, 0, sizeof *o);
    if (cfg_is_null(cfg, "simulate.patients") || cfg_is_null(cfg, "simulate.variants") || !out)
        return rgx_fail(RGX_ERR_USAGE, "--patients, --variants and --out are required "
                                       "(`radiogx simulate --help`)");
    o->out = out, o->threads = threads;
    o->n_patients = cfg_int(cfg, "simulate.patients");
    o->n_variants = cfg_int(cfg, "simulate.variants");
    o->seed = (uint64_t)cfg_int(cfg, "simulate.seed");
    o->n_chrom = (int)cfg_int(cfg, "simulate.chromosomes");
    o->mask_per_channel = cfg_bool(cfg, "simulate.mask_per_channel");
    o->n_labels = (int)cfg_int(cfg, "simulate.labels");
    o->lesion_mm3 = cfg_float(cfg, "simulate.lesion_volume");
    o->lesion_spread = cfg_float(cfg, "simulate.lesion_spread");
    o->n_sites = (int)cfg_int(cfg, "simulate.sites");
    o->site_scale = cfg_float(cfg, "simulate.site_scale");
    o->effect = cfg_float(cfg, "simulate.effect");
    o->missing_rate = cfg_float(cfg, "simulate.missing_rate");
    o->multiallelic = cfg_float(cfg, "simulate.multiallelic");
    o->n_anc = (int)cfg_int(cfg, "simulate.ancestries");
    o->fst = cfg_float(cfg, "simulate.fst");
    o->anc_shift = cfg_float(cfg, "simulate.ancestry_shift");
    o->outcomes = cfg_bool(cfg, "simulate.outcomes");
    o->outcome_effect = cfg_float(cfg, "simulate.outcome_effect");
    o->failures = cfg_bool(cfg, "simulate.inject_failures");
    o->dicom = !strcmp(cfg_str(cfg, "simulate.format"), "dicom");
    const char *dims = cfg_str(cfg, "simulate.dims"), *sp = cfg_str(cfg, "simulate.spacing");
    double v3[3];
    if (!parse_triple(dims, v3) || v3[0] < 16 || v3[1] < 16 || v3[2] < 8 || v3[0] > 1e5 ||
        v3[1] > 1e5 || v3[2] > 1e5)
        return bad_value("dims", dims, "X,Y,Z with X, Y >= 16 and Z >= 8");
    for (int d = 0; d < 3; d++) o->dim[d] = (int)v3[d];
    if (!parse_triple(sp, o->spacing)) return bad_value("spacing", sp, "X,Y,Z in mm, > 0");
    if (!(o->missing_rate < 1)) {
        char v[32];
        snprintf(v, sizeof v, "%g", o->missing_rate);
        return bad_value("missing-rate", v, "a fraction in [0, 1)");
    }
    if (!(o->fst > 0 && o->fst < 1)) {
        char v[32];
        snprintf(v, sizeof v, "%g", o->fst);
        return bad_value("fst", v, "a fraction in (0, 1)");
    }
    rgx_err err = sim_channels(o, cfg_str(cfg, "simulate.channels"));
    if (err) return err;
    if (o->outcomes && o->n_chrom < 6)
        return rgx_fail(RGX_ERR_USAGE, "--outcomes plants its variants on chromosomes 5 and 6: "
                                       "give --chromosomes 6 or more");
    return RGX_OK;
}

static rgx_err mkdir_p(const char *dir)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0750) != 0 && errno != EEXIST) break;
            *p = '/';
        }
    if (mkdir(buf, 0750) != 0 && errno != EEXIST)
        return rgx_fail(RGX_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
    return RGX_OK;
}

/* ---- patients ---- */

static void make_patient(const sim_opt_t *o, long i, patient_t *p)
{
    rng_t r;
    rng_stream(&r, o->seed, KIND_PATIENT, (uint64_t)i);
    p->age = floor(10 * (60 + 10 * rng_norm(&r))) / 10;
    if (p->age < 30) p->age = 30;
    if (p->age > 90) p->age = 90;
    p->sex = rng_unif(&r) < 0.5 ? 1 : 2;
    p->site = (int)(rng_unif(&r) * o->n_sites);
    for (int k = 0; k < N_PROP; k++) p->z[k] = rng_norm(&r);
    p->angle = rng_unif(&r) * M_PI;
    for (int d = 0; d < 3; d++) p->centre[d] = (rng_unif(&r) - 0.5) * 8.0;
    p->anc = 0;
    if (o->n_anc > 1) { /* a stream of its own: without groups, the same bytes as before */
        rng_t ra;
        rng_stream(&ra, o->seed, KIND_ANCESTRY, (uint64_t)i);
        p->anc = (int)(rng_unif(&ra) * o->n_anc);
    }
}

/* Adds the genetic and covariate parts to the noise drawn in make_patient. */
static void add_effects(const sim_opt_t *o, patient_t *p, const double gdev[N_PROP])
{
    double age = (p->age - 60) / 10;
    for (int k = 0; k < N_PROP; k++) p->z[k] += o->effect * gdev[k];
    p->z[0] += 0.3 * age;           /* older: larger lesions */
    p->z[1] += 0.3 * (p->sex == 2); /* sex shifts the mean intensity */
    p->z[2] += 0.2 * age;
    /* Population structure: the groups' heterogeneity means differ, with no genetic cause. */
    if (o->n_anc > 1) p->z[2] += o->anc_shift * ((double)p->anc / (o->n_anc - 1) - 0.5);
}

/* Radiotherapy outcomes (docs/cmd-simulate.md): dose, a liability-threshold toxicity and a
 * Weibull time to event with censoring; gdev: the two causal variants' deviations. */
static void make_outcomes(const sim_opt_t *o, long i, patient_t *p, const double gdev[2])
{
    rng_t r;
    rng_stream(&r, o->seed, KIND_OUTCOME, (uint64_t)i);
    p->dose = floor(10 * (60 + 8 * rng_norm(&r))) / 10;
    double age = (p->age - 60) / 10;
    double liab = 0.05 * (p->dose - 60) + 0.3 * age + o->outcome_effect * gdev[0] + rng_norm(&r);
    p->tox = liab > 0.52; /* about 30% cases at the mean dose */
    double eta = 0.03 * (p->dose - 60) + o->outcome_effect * gdev[1];
    double t = pow(-log(1 - rng_unif(&r)) / (0.15 * exp(eta)), 1 / 1.5); /* shape 1.5 */
    double c = fmin(5, 10 * rng_unif(&r)); /* follow-up ends at 5 years, or drop-out */
    p->event = t <= c;
    p->time = fmax(0.01, round(100 * fmin(t, c)) / 100);
}

static sim_lesion_t lesion_of(const sim_opt_t *o, const patient_t *p, int ch)
{
    static const double site_offset[8] = {0, 12, -9, 6, -4, 15, -12, 3};
    /* --site-scale F: site k stretches the lesion's contrast by exp(F u_k) (a scanner's gain) */
    static const double site_unit[8] = {0, 1, -1, 0.5, -0.5, 0.75, -0.75, 0.25};
    double gain = exp(o->site_scale * site_unit[p->site % 8]);
    int ct = !strcmp(o->channel[ch], "CT");
    sim_lesion_t l = {
        .volume_mm3 = o->lesion_mm3 * exp(o->lesion_spread * p->z[0]),
        .elongation = 1.4 * exp(0.2 * p->z[3]),
        .angle = p->angle,
        .centre = {p->centre[0], p->centre[1], p->centre[2]},
        .mean = ct ? 40 + gain * 12 * p->z[1] + site_offset[p->site % 8]
                   : 400 + gain * 60 * p->z[1] + 5 * site_offset[p->site % 8],
        .heterogeneity = gain * (ct ? 18 : 60) * exp(0.3 * p->z[2]),
        .background = ct ? 0 : 150,
        .air = ct ? -1000 : 0,
        .noise = ct ? 8 : 20,
        .n_labels = o->n_labels,
    };
    return l;
}

static sim_grid_t grid_of(const sim_opt_t *o, int ch)
{
    sim_grid_t g = {
        {o->dim[0], o->dim[1], o->dim[2]}, {o->spacing[0], o->spacing[1], o->spacing[2]}, DT_INT16};
    if (o->mask_per_channel && ch > 0) { /* its own grid over the same field of view */
        double sp[3] = {1.0, 1.0, 3.0};
        for (int d = 0; d < 3; d++) {
            g.dim[d] = (int)lround(o->dim[d] * o->spacing[d] / sp[d]);
            g.spacing[d] = sp[d];
        }
    }
    return g;
}

typedef struct {
    const sim_opt_t *o;
    const patient_t *pt;
    atomic_long next, done;
    atomic_int failed;
    rgx_err err;
    char msg[1024];
    progress_t *prog; /* updated by the main thread only */
} pool_t;

static void path_of(char *buf, size_t n, const sim_opt_t *o, const char *kind, long i, int ch,
                    int per_channel)
{
    if (per_channel)
        snprintf(buf, n, "%s/%s/P%04ld_%s.nii.gz", o->out, kind, i + 1, o->channel[ch]);
    else
        snprintf(buf, n, "%s/%s/P%04ld.nii.gz", o->out, kind, i + 1);
}

static const char *fail_id[] = {"F_TRUNC", "F_EMPTY", "F_GRID", "F_NAN", "F_NOGENO"};
enum { N_FAIL = 5 };

static rgx_err truncate_file(const char *path);

/* A patient as DICOM in DIR/dicom/<id>/: a series per channel, RS.dcm from the first
 * channel's mask, RD.dcm on its grid.  fail >= 0: the failure case fail_id[fail] (a truncated
 * slice, an ROI without contours, a missing slice, two series in one folder). */
static rgx_err dicom_patient(const sim_opt_t *o, const patient_t *p, long i, int fail)
{
    char id[32], dir[4200], sub[4300];
    if (fail < 0)
        snprintf(id, sizeof id, "P%04ld", i + 1);
    else
        snprintf(id, sizeof id, "%s", fail_id[fail]);
    snprintf(dir, sizeof dir, "%s/dicom/%s", o->out, id);
    rgx_err err = mkdir_p(dir);
    sim_dicom_t c;
    sim_dicom_init(&c, o->seed, i, id);
    image_t msk0 = {0};
    sim_lesion_t l0 = lesion_of(o, p, 0);
    for (int ch = 0; ch < o->n_ch && !err; ch++) {
        sim_lesion_t l = lesion_of(o, p, ch);
        sim_grid_t g = grid_of(o, ch);
        image_t img, msk;
        if ((err = sim_image_make(&l, &g, o->seed, i, ch, &img, &msk))) break;
        snprintf(sub, sizeof sub, "%s/%s", dir, o->channel[ch]);
        err = sim_dicom_series(sub, &img, o->channel[ch], ch, &c);
        if (!err && ch == 0 && fail == 3) { /* a second series in the folder */
            snprintf(sub, sizeof sub, "%s/%s/other", dir, o->channel[ch]);
            err = sim_dicom_series(sub, &img, o->channel[ch], ch + 50, &c);
        }
        image_free(&img);
        if (ch == 0)
            msk0 = msk;
        else
            image_free(&msk);
    }
    static const char *const names[] = {"GTV", "Normal"};
    snprintf(sub, sizeof sub, "%s/RS.dcm", dir);
    if (!err) err = sim_dicom_rtstruct(sub, &msk0, o->n_labels, names, fail == 1, &c);
    snprintf(sub, sizeof sub, "%s/RD.dcm", dir);
    if (!err) err = sim_dicom_rtdose(sub, &msk0, &l0, &c);
    image_free(&msk0);
    snprintf(sub, sizeof sub, "%s/%s/IM0005.dcm", dir, o->channel[0]);
    if (!err && fail == 0) err = truncate_file(sub);
    if (!err && fail == 2 && remove(sub) != 0)
        err = rgx_fail(RGX_ERR_IO, "%s: cannot remove: %s", sub, strerror(errno));
    return err;
}

static void work(pool_t *pool, int main_thread)
{
    const sim_opt_t *o = pool->o;
    for (long i;
         !atomic_load(&pool->failed) && (i = atomic_fetch_add(&pool->next, 1)) < o->n_patients;) {
        rgx_err de = o->dicom ? dicom_patient(o, &pool->pt[i], i, -1) : RGX_OK;
        if (de && !atomic_exchange(&pool->failed, 1)) {
            pool->err = de;
            snprintf(pool->msg, sizeof pool->msg, "%s", rgx_errmsg());
        }
        for (int ch = 0; ch < o->n_ch && !o->dicom; ch++) {
            char img[4200], msk[4200];
            path_of(img, sizeof img, o, "images", i, ch, 1);
            path_of(msk, sizeof msk, o, "masks", i, ch, o->mask_per_channel);
            sim_lesion_t l = lesion_of(o, &pool->pt[i], ch);
            sim_grid_t g = grid_of(o, ch);
            int write_mask = o->mask_per_channel || ch == 0;
            rgx_err e = sim_image_write(&l, &g, o->seed, i, ch, img, write_mask ? msk : NULL);
            if (e && !atomic_exchange(&pool->failed, 1)) {
                pool->err = e;
                snprintf(pool->msg, sizeof pool->msg, "%s", rgx_errmsg());
            }
        }
        long d = atomic_fetch_add(&pool->done, 1) + 1;
        if (main_thread) progress_update(pool->prog, d);
    }
}

static void *worker(void *arg)
{
    work(arg, 0);
    return NULL;
}

/* Patients are independent and each has its own random stream: any thread may take any. */
static rgx_err write_images(const sim_opt_t *o, const patient_t *pt)
{
    progress_t prog;
    progress_init(&prog, "simulate: images", "patients", o->n_patients);
    pool_t pool = {.o = o, .pt = pt, .prog = &prog};
    atomic_init(&pool.next, 0), atomic_init(&pool.done, 0), atomic_init(&pool.failed, 0);
    int nt = o->threads < 1 ? 1 : o->threads > 64 ? 64 : o->threads;
    pthread_t th[64];
    for (int t = 1; t < nt; t++) pthread_create(&th[t], NULL, worker, &pool);
    work(&pool, 1);
    for (int t = 1; t < nt; t++) pthread_join(th[t], NULL);
    progress_done(&prog, (long)atomic_load(&pool.done));
    if (pool.err) return rgx_fail(pool.err, "%s", pool.msg);
    return RGX_OK;
}

/* ---- the failure cases ---- */

static rgx_err write_constant(const char *path, const sim_grid_t *g, float value, int datatype)
{
    image_t im = {0};
    for (int d = 0; d < 3; d++) {
        im.dim[d] = g->dim[d];
        im.spacing[d] = g->spacing[d];
        for (int e = 0; e < 4; e++)
            im.affine[d][e] = e == d   ? g->spacing[d]
                              : e == 3 ? -0.5 * g->dim[d] * g->spacing[d] + 0.5 * g->spacing[d]
                                       : 0;
    }
    float *v;
    rgx_err err = image_alloc(&im, &v);
    for (size_t i = 0; !err && i < image_nvox(&im); i++) v[i] = value;
    if (!err) err = image_write(path, &im, datatype);
    image_free(&im);
    return err;
}

static rgx_err truncate_file(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    rgx_err err = read_file(path, &data, &len);
    if (err) return err;
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len / 3, f) != len / 3 || fclose(f) != 0)
        err = rgx_fail(RGX_ERR_IO, "%s: cannot rewrite", path);
    free(data);
    return err;
}

static rgx_err write_failures(const sim_opt_t *o)
{
    rgx_err err = RGX_OK;
    for (int f = 0; f < N_FAIL && !err; f++) {
        patient_t p;
        make_patient(o, o->n_patients + f, &p);
        if (o->dicom) err = dicom_patient(o, &p, o->n_patients + f, f);
        for (int ch = 0; ch < o->n_ch && !err && !o->dicom; ch++) {
            char img[4200], msk[4200];
            snprintf(img, sizeof img, "%s/images/%s_%s.nii.gz", o->out, fail_id[f], o->channel[ch]);
            if (o->mask_per_channel)
                snprintf(msk, sizeof msk, "%s/masks/%s_%s.nii.gz", o->out, fail_id[f],
                         o->channel[ch]);
            else
                snprintf(msk, sizeof msk, "%s/masks/%s.nii.gz", o->out, fail_id[f]);
            int write_mask = o->mask_per_channel || ch == 0;
            sim_lesion_t l = lesion_of(o, &p, ch);
            sim_grid_t g = grid_of(o, ch);
            err = sim_image_write(&l, &g, o->seed, o->n_patients + f, ch, img,
                                  write_mask ? msk : NULL);
            if (err || ch != 0) continue;
            if (f == 0) err = truncate_file(img);
            if (f == 1) err = write_constant(msk, &g, 0, DT_UINT8);
            if (f == 2) {
                sim_grid_t other = g;
                other.dim[0] -= 8;
                err = write_constant(msk, &other, 1, DT_UINT8);
            }
            if (f == 3) err = write_constant(img, &g, NAN, DT_FLOAT32);
        }
    }
    return err;
}

/* ---- tables ---- */

static rgx_err write_text(const char *dir, const char *name, const char *text)
{
    char *path = NULL;
    rgx_err err = path_join(&path, dir, name);
    if (err) return err;
    outfile_t of; /* under a temporary name, renamed when complete (outfile.h) */
    if (!(err = outfile_open(&of, path))) {
        fputs(text, of.f);
        err = outfile_commit(&of);
    }
    free(path);
    return err;
}

/* A DICOM patient's manifest cells: its series, their RTSTRUCT ROIs, the dose and its
 * structures. */
static rgx_err manifest_dicom(const sim_opt_t *o, const char *id, strbuf_t *man)
{
    rgx_err err = RGX_OK;
    for (int ch = 0; !err && ch < o->n_ch; ch++)
        err = sb_printf(man, "\tdicom/%s/%s", id, o->channel[ch]);
    for (int ch = 0; !err && ch < o->n_ch; ch++)
        err = sb_printf(man, "\tdicom/%s/RS.dcm:GTV%s", id, o->n_labels > 1 ? ",Normal" : "");
    if (!err) err = sb_printf(man, "\tdicom/%s/RD.dcm\tdicom/%s/RS.dcm", id, id);
    return err;
}

static rgx_err write_tables(const sim_opt_t *o, const patient_t *pt, const sim_geno_t *g,
                            const double *af)
{
    strbuf_t man = {0}, cov = {0}, tru = {0}, prop = {0}, anc = {0}, out = {0};
    long n_all = o->n_patients + (o->failures ? N_FAIL : 0);
    rgx_err err = sb_append(&man, "patient_id");
    if (!err && o->outcomes) err = sb_append(&out, "#IID\ttoxicity\tevent_time\tevent\n");
    for (int ch = 0; !err && ch < o->n_ch; ch++)
        err = sb_printf(&man, "\timage_%s", o->channel[ch]);
    if (!err && !o->mask_per_channel && !o->dicom) err = sb_append(&man, "\tmask");
    for (int ch = 0; !err && (o->mask_per_channel || o->dicom) && ch < o->n_ch; ch++)
        err = sb_printf(&man, "\tmask_%s", o->channel[ch]);
    if (!err && o->dicom) err = sb_append(&man, "\timage_DOSE\tmask_DOSE");
    if (!err) err = sb_append(&man, "\tsample_id\tsite\n");
    if (!err)
        err = sb_append(&cov,
                        o->outcomes ? "#IID\tage\tsex\tsite\tdose\n" : "#IID\tage\tsex\tsite\n");
    if (!err)
        err = sb_printf(&prop, "#IID\t%s\t%s\t%s\t%s\n", prop_name[0], prop_name[1], prop_name[2],
                        prop_name[3]);
    if (!err) err = sb_append(&anc, "#IID\tancestry\n");
    for (long i = 0; !err && i < n_all; i++) {
        char id[32], sid[32];
        int f = (int)(i - o->n_patients);
        if (f < 0)
            snprintf(id, sizeof id, "P%04ld", i + 1), snprintf(sid, sizeof sid, "S%04ld", i + 1);
        else
            snprintf(id, sizeof id, "%s", fail_id[f]),
                snprintf(sid, sizeof sid, "S_%s", fail_id[f]);
        patient_t p;
        if (f < 0)
            p = pt[i];
        else
            make_patient(o, i, &p);
        err = sb_append(&man, id);
        if (!err && o->dicom) err = manifest_dicom(o, id, &man);
        for (int ch = 0; !err && !o->dicom && ch < o->n_ch; ch++)
            err = sb_printf(&man, "\timages/%s_%s.nii.gz", id, o->channel[ch]);
        for (int ch = 0; !err && !o->dicom && ch < (o->mask_per_channel ? o->n_ch : 1); ch++) {
            if (o->mask_per_channel)
                err = sb_printf(&man, "\tmasks/%s_%s.nii.gz", id, o->channel[ch]);
            else
                err = sb_printf(&man, "\tmasks/%s.nii.gz", id);
        }
        if (!err) err = sb_printf(&man, "\t%s\tsite%d\n", sid, p.site + 1);
        if (!err) err = sb_printf(&cov, "%s\t%.1f\t%d\tsite%d", sid, p.age, p.sex, p.site + 1);
        if (!err && o->outcomes) err = sb_printf(&cov, "\t%.1f", f < 0 ? p.dose : 60.0);
        if (!err) err = sb_append(&cov, "\n");
        if (!err && o->outcomes && f < 0)
            err = sb_printf(&out, "%s\t%d\t%.2f\t%d\n", sid, p.tox, p.time, p.event);
        if (!err && f < 0)
            err = sb_printf(&prop, "%s\t%.6f\t%.6f\t%.6f\t%.6f\n", sid, p.z[0], p.z[1], p.z[2],
                            p.z[3]);
        if (!err) err = sb_printf(&anc, "%s\tA%d\n", sid, p.anc + 1);
    }
    if (!err)
        err = sb_append(&tru, "variant_id\tchrom\tpos\tref\talt\tproperty\teffect_sd_per_allele\t"
                              "alt_af\texpected_features\n");
    static const char *out_name[2] = {"toxicity", "time_to_event"};
    static const char *out_cols[2] = {"toxicity", "event_time:event"};
    for (int k = 0; !err && k < g->n_causal; k++) {
        const sim_variant_t *v = &g->causal[k];
        int ok = k >= N_PROP; /* an outcome's variant */
        err = sb_printf(&tru, "%s\t%d\t%ld\t%c\t%c\t%s\t%.3f\t%.4f\t%s\n", v->id, v->chrom, v->pos,
                        v->ref, v->alt, ok ? out_name[k - N_PROP] : prop_name[k],
                        ok ? o->outcome_effect : o->effect, af[k],
                        ok ? out_cols[k - N_PROP] : prop_features[k]);
    }
    if (!err) err = write_text(o->out, "manifest.tsv", man.s);
    if (!err) err = write_text(o->out, "covariates.tsv", cov.s);
    if (!err) err = write_text(o->out, "truth.tsv", tru.s);
    if (!err) err = write_text(o->out, "properties.tsv", prop.s);
    if (!err && o->n_anc > 1) err = write_text(o->out, "ancestry.tsv", anc.s);
    if (!err && o->outcomes) err = write_text(o->out, "outcomes.tsv", out.s);
    free(man.s), free(cov.s), free(tru.s), free(prop.s), free(anc.s), free(out.s);
    return err;
}

/* ---- the cohort ---- */

/* DIR, DIR/images, DIR/masks (DIR/dicom with format dicom). */
static rgx_err sim_folders(const sim_opt_t *o)
{
    rgx_err err = mkdir_p(o->out);
    char *sub = NULL;
    for (int k = 0; k < 2 && !err && !o->dicom; k++) {
        if (!(err = path_join(&sub, o->out, k ? "masks" : "images"))) err = mkdir_p(sub);
        free(sub);
    }
    if (!err && o->dicom && !(err = path_join(&sub, o->out, "dicom"))) {
        err = mkdir_p(sub);
        free(sub);
    }
    return err;
}

/* The genotypes: a sample for every patient but the one planted to be absent, each with its
 * ancestral group; g->causal then holds the causal variants' allele counts. */
static rgx_err sim_genotypes(const sim_opt_t *o, const patient_t *pt, long n_geno, sim_geno_t *g)
{
    char **samples = NULL;
    int *anc = NULL; /* each VCF sample's ancestral group */
    rgx_err err;
    if ((err = rgx_calloc(&samples, (size_t)n_geno, sizeof *samples)) ||
        (err = rgx_calloc(&anc, (size_t)n_geno, sizeof *anc)))
        goto out;
    for (long i = 0; i < n_geno; i++) {
        patient_t p;
        if (i < o->n_patients)
            p = pt[i];
        else
            make_patient(o, i, &p);
        anc[i] = p.anc;
    }
    for (long i = 0; !err && i < n_geno; i++) {
        char sid[32];
        if (i < o->n_patients)
            snprintf(sid, sizeof sid, "S%04ld", i + 1);
        else
            snprintf(sid, sizeof sid, "S_%s", fail_id[i - o->n_patients]);
        err = rgx_strdup(&samples[i], sid);
    }
    if (err) goto out;
    *g = (sim_geno_t){.seed = o->seed,
                      .n_samples = (int)n_geno,
                      .sample = samples,
                      .n_variants = o->n_variants,
                      .n_chrom = o->n_chrom,
                      .n_causal = o->outcomes           ? N_CAUSAL_OUT
                                  : o->n_chrom < N_PROP ? o->n_chrom
                                                        : N_PROP,
                      .missing_rate = o->missing_rate,
                      .multiallelic = o->multiallelic,
                      .threads = o->threads,
                      .n_anc = o->n_anc,
                      .anc = anc,
                      .fst = o->fst};
    char *vcf = NULL;
    if (!(err = path_join(&vcf, o->out, "genotypes.vcf.gz"))) err = sim_geno_write(g, vcf);
    free(vcf);
out:
    for (long i = 0; samples && i < n_geno; i++) free(samples[i]);
    free(samples), free(anc);
    g->sample = NULL, g->anc = NULL; /* freed here, not by sim_geno_free */
    return err;
}

/* The planted effects, on the genotype deviation from the cohort mean (af: the causal
 * variants' ALT frequencies among the patients). */
static void sim_effects(const sim_opt_t *o, patient_t *pt, const sim_geno_t *g, double *af)
{
    for (int k = 0; k < g->n_causal; k++) {
        double s = 0;
        for (long i = 0; i < o->n_patients; i++) s += g->causal[k].g[i];
        af[k] = s / (2.0 * (double)o->n_patients);
    }
    for (long i = 0; i < o->n_patients; i++) {
        double dev[N_CAUSAL_OUT] = {0};
        for (int k = 0; k < g->n_causal; k++) dev[k] = g->causal[k].g[i] - 2 * af[k];
        add_effects(o, &pt[i], dev);
        if (o->outcomes) make_outcomes(o, i, &pt[i], dev + N_PROP);
    }
}

rgx_err sim_cohort_write(const sim_opt_t *o)
{
    patient_t *pt = NULL;
    sim_geno_t g = {0};
    double af[N_CAUSAL_OUT] = {0};
    long n_all = o->n_patients + (o->failures ? N_FAIL : 0);
    rgx_err err = sim_folders(o);
    if (!err) err = rgx_calloc(&pt, (size_t)o->n_patients, sizeof *pt);
    for (long i = 0; !err && i < o->n_patients; i++) make_patient(o, i, &pt[i]);
    if (!err) err = sim_genotypes(o, pt, n_all - (o->failures ? 1 : 0), &g);
    if (!err) sim_effects(o, pt, &g, af);
    if (!err) err = write_images(o, pt);
    if (!err && o->failures) err = write_failures(o);
    if (!err) err = write_tables(o, pt, &g, af);
    if (!err)
        log_info("simulate: %ld patients (%s%d channel%s), %ld variants on %d chromosome%s, %d "
                 "planted causal variants -> %s",
                 n_all, o->failures ? "5 of them failure cases, " : "", o->n_ch,
                 o->n_ch == 1 ? "" : "s", o->n_variants, o->n_chrom, o->n_chrom == 1 ? "" : "s",
                 g.n_causal, o->out);
    free(pt);
    sim_geno_free(&g);
    return err;
}
