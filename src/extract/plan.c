/* plan.c — see plan.h. */
#include "plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geno.h"
#include "image.h"
#include "log.h"
#include "util.h"

void plan_opt_init(plan_opt_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->geometry_tol_mm = 1e-3;
}

static int label_wanted(const plan_opt_t *opt, float v)
{
    if (!(v != 0.0f) || isnan(v)) return 0;
    if (!opt->labels) return 1;
    for (int i = 0; i < opt->n_labels; i++)
        if (v == (float)opt->labels[i]) return 1;
    return 0;
}

/* A sorted set of ints (ROI labels). */
typedef struct {
    int *v;
    size_t n, m;
} intset_t;

static rgx_err intset_add(intset_t *s, int x)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->v[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    if (lo < s->n && s->v[lo] == x) return RGX_OK;
    if (s->n == s->m) {
        size_t m = s->m ? 2 * s->m : 8;
        rgx_err err = rgx_realloc(&s->v, m, sizeof *s->v);
        if (err) return err;
        s->m = m;
    }
    memmove(s->v + lo + 1, s->v + lo, (s->n - lo) * sizeof *s->v);
    s->v[lo] = x;
    s->n++;
    return RGX_OK;
}

/* Checks one patient's images and masks; on failure sets *reason (malloc'ed).  The labels
 * present in each channel's mask are added to labels[channel]. */
static rgx_err check_images(const manifest_t *m, size_t i, const plan_opt_t *opt,
                            plan_patient_t *pp, intset_t *labels)
{
    const manifest_row_t *r = &m->row[i];
    rgx_err err = RGX_OK;
    pp->roi_voxels = 0;
    pp->cost = 0;
    for (int c = 0; c < m->n_channels && !err; c++) {
        image_t img, msk;
        memset(&msk, 0, sizeof msk);
        if (opt->dose && c == opt->dose->channel) {
            long vox = 0;
            const char *grid = opt->dose->grid_channel >= 0 ? r->image[opt->dose->grid_channel]
                                                            : NULL;
            if ((err = dose_check(opt->dose, r->image[c], r->mask[c], grid, &vox))) {
                err = rgx_fail(RGX_ERR_INPUT, "image_%s: %s", m->channel[c], rgx_errmsg());
                break;
            }
            pp->roi_voxels += vox;
            pp->cost += (double)vox;
            continue;
        }
        if (image_read_header(r->image[c], &img)) {
            err = rgx_fail(RGX_ERR_INPUT, "image_%s: %s", m->channel[c], rgx_errmsg());
            break;
        }
        /* The mask's label box is read (streamed): its ROI voxel count is the patient's cost. */
        if (image_read_mask_on(r->mask[c], &img, &msk)) {
            err = rgx_fail(RGX_ERR_INPUT, "mask%s%s: %s", m->shared_mask ? "" : "_",
                           m->shared_mask ? "" : m->channel[c], rgx_errmsg());
            break;
        }
        if (image_same_geometry(&img, &msk, opt->geometry_tol_mm)) {
            err = rgx_fail(RGX_ERR_INPUT, "image_%s and its mask are not on the same grid: %s",
                           m->channel[c], rgx_errmsg());
        } else {
            long roi = 0;
            float last = 0, *row = NULL;
            size_t nx = (size_t)msk.dim[0], n = image_nvox(&msk);
            err = rgx_calloc(&row, nx, sizeof *row);
            for (size_t start = 0; start < n && !err; start += nx) {
                size_t row_no = start / nx;
                if (!image_row_kept(&msk, (int)(row_no % (size_t)msk.dim[1]),
                                    (int)(row_no / (size_t)msk.dim[1])))
                    continue; /* a row outside the labels' box: all 0 */
                image_values(&msk, start, nx, row);
                for (size_t v = 0; v < nx && !err; v++) {
                    if (isnan(row[v])) /* (a float label map): no label at all */
                        err = rgx_fail(RGX_ERR_INPUT, "mask for image_%s holds NaN: expected "
                                       "integer labels", m->channel[c]);
                    if (err || !label_wanted(opt, row[v])) continue;
                    roi++;
                    if (row[v] != last) { /* label maps are mostly runs of one value */
                        last = row[v];
                        if (last != nearbyintf(last) || fabsf(last) > 16777216.0f)
                            err = rgx_fail(RGX_ERR_INPUT, "mask for image_%s holds %g: expected "
                                           "integer labels", m->channel[c], (double)last);
                        else
                            err = intset_add(&labels[c], (int)last);
                    }
                }
            }
            free(row);
            if (err) {
                image_free(&msk);
                break;
            }
            if (roi == 0)
                err = rgx_fail(RGX_ERR_INPUT, "mask for image_%s has no ROI voxel%s",
                               m->channel[c], opt->labels ? " with the configured labels" : "");
            pp->roi_voxels += roi;
            /* Reading the image is part of the cost too: a huge image with a small ROI
             * still takes time. */
            pp->cost += (double)roi + 0.05 * (double)image_nvox(&img);
        }
        image_free(&msk);
    }
    return err;
}

/* Sample ids of one genotype file (header only). */
typedef struct {
    char *path;
    geno_t g;
    int open;
    char *error;
} geno_hdr_t;

static geno_hdr_t *geno_header(geno_hdr_t **cache, size_t *n, const char *path,
                               const char *opt_format)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*cache)[i].path, path)) return &(*cache)[i];
    if (rgx_realloc(cache, *n + 1, sizeof **cache)) return NULL;
    geno_hdr_t *g = &(*cache)[(*n)++];
    memset(g, 0, sizeof *g);
    if (rgx_strdup(&g->path, path)) return NULL;
    if (!geno_readable(path)) {
        char msg[1200];
        snprintf(msg, sizeof msg, "%s: genotype file missing or unreadable", path);
        rgx_strdup(&g->error, msg);
    } else if (geno_open(&g->g, path, opt_format, NULL, 0, NULL)) {
        rgx_strdup(&g->error, rgx_errmsg());
        geno_close(&g->g);
    } else {
        g->open = 1;
    }
    return g;
}

static rgx_err add_problem(plan_t *p, const manifest_t *m, size_t i, const char *what)
{
    char buf[2400];
    snprintf(buf, sizeof buf, "%s:%d: patient %s: %s", m->path, m->row[i].line,
             m->row[i].patient_id, what);
    rgx_err err = rgx_realloc(&p->problem, p->n_problems + 1, sizeof *p->problem);
    if (!err) err = rgx_strdup(&p->problem[p->n_problems], buf);
    if (!err) p->n_problems++;
    return err;
}

/* Longest-processing-time-first: patients by decreasing cost, each to the least-loaded rank.
 * Deterministic (ties broken by manifest order, then rank number). */
static rgx_err assign(plan_t *p, int n_ranks)
{
    size_t *order;
    rgx_err err = rgx_calloc(&order, p->n ? p->n : 1, sizeof *order);
    if (err) return err;
    if ((err = rgx_calloc(&p->rank_cost, (size_t)n_ranks, sizeof *p->rank_cost))) {
        free(order);
        return err;
    }
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++) {
        p->p[i].rank = -1;
        if (p->p[i].status != PLAN_BAD_INPUT) order[k++] = i;
    }
    for (size_t gap = k / 2; gap > 0; gap /= 2)
        for (size_t i = gap; i < k; i++)
            for (size_t j = i; j >= gap; j -= gap) {
                const plan_patient_t *a = &p->p[order[j - gap]], *b = &p->p[order[j]];
                if (a->cost > b->cost || (a->cost == b->cost && order[j - gap] < order[j])) break;
                size_t t = order[j];
                order[j] = order[j - gap];
                order[j - gap] = t;
            }
    for (size_t i = 0; i < k; i++) {
        int best = 0;
        for (int r = 1; r < n_ranks; r++)
            if (p->rank_cost[r] < p->rank_cost[best]) best = r;
        p->p[order[i]].rank = best;
        p->rank_cost[best] += p->p[order[i]].cost;
    }
    p->n_ranks = n_ranks;
    free(order);
    return RGX_OK;
}

rgx_err plan_make(const manifest_t *m, const plan_opt_t *opt, MPI_Comm comm, int n_ranks,
                  plan_t *plan)
{
    memset(plan, 0, sizeof *plan);
    int rank = 0, size = 1;
    if (comm != MPI_COMM_NULL) {
        MPI_Comm_rank(comm, &rank);
        MPI_Comm_size(comm, &size);
    }
    plan->n = m->n;
    plan->geometry_tol_mm = opt->geometry_tol_mm;
    rgx_err err = rgx_calloc(&plan->p, m->n ? m->n : 1, sizeof *plan->p);
    if (err) return err;

    /* Images and masks: rank r checks every size-th patient.  Results travel as
     * (status, roi, cost) numbers plus reason strings gathered on every rank. */
    double *num;
    if ((err = rgx_calloc(&num, 3 * (m->n ? m->n : 1), sizeof *num))) return err;
    strbuf_t reasons = {0};
    intset_t *labels;
    if ((err = rgx_calloc(&labels, (size_t)m->n_channels, sizeof *labels))) return err;
    progress_t prog;
    progress_init(&prog, "plan", "patients", (long)m->n);
    for (size_t i = (size_t)rank; i < m->n; i += (size_t)size) {
        plan_patient_t pp = {0};
        rgx_err bad = check_images(m, i, opt, &pp, labels);
        num[3 * i] = bad ? 1 : 0;
        num[3 * i + 1] = (double)pp.roi_voxels;
        num[3 * i + 2] = pp.cost;
        if (bad && (err = sb_printf(&reasons, "%zu\t%s\n", i, rgx_errmsg()))) break;
        if (size == 1) progress_update(&prog, (long)i + 1);
    }
    if (!err && comm != MPI_COMM_NULL && size > 1) {
        MPI_Allreduce(MPI_IN_PLACE, num, (int)(3 * m->n), MPI_DOUBLE, MPI_SUM, comm);
        /* Gather the reason lines to every rank. */
        int len = reasons.s ? (int)reasons.len : 0, *lens = NULL, *offs = NULL, total = 0;
        char *all = NULL;
        if (!(err = rgx_calloc(&lens, (size_t)size, sizeof *lens)) &&
            !(err = rgx_calloc(&offs, (size_t)size, sizeof *offs))) {
            MPI_Allgather(&len, 1, MPI_INT, lens, 1, MPI_INT, comm);
            for (int r = 0; r < size; r++) offs[r] = total, total += lens[r];
            if (!(err = rgx_calloc(&all, (size_t)total + 1, 1)))
                MPI_Allgatherv(reasons.s ? reasons.s : "", len, MPI_CHAR, all, lens, offs,
                               MPI_CHAR, comm);
        }
        free(reasons.s);
        reasons.s = all, reasons.len = (size_t)total, reasons.cap = (size_t)total + 1;
        free(lens), free(offs);
    }
    progress_done(&prog, (long)m->n);
    /* The union of every rank's labels, per channel. */
    plan->n_channels = m->n_channels;
    if (!err) err = rgx_calloc(&plan->labels, (size_t)m->n_channels, sizeof *plan->labels);
    if (!err) err = rgx_calloc(&plan->n_labels, (size_t)m->n_channels, sizeof *plan->n_labels);
    for (int c = 0; !err && c < m->n_channels; c++) {
        if (comm != MPI_COMM_NULL && size > 1) {
            int mine = (int)labels[c].n, total = 0, *cnt = NULL, *off = NULL, *all = NULL;
            if (!(err = rgx_calloc(&cnt, (size_t)size, sizeof *cnt)) &&
                !(err = rgx_calloc(&off, (size_t)size, sizeof *off))) {
                MPI_Allgather(&mine, 1, MPI_INT, cnt, 1, MPI_INT, comm);
                for (int r = 0; r < size; r++) off[r] = total, total += cnt[r];
                if (!(err = rgx_calloc(&all, (size_t)total + 1, sizeof *all))) {
                    MPI_Allgatherv(labels[c].v, mine, MPI_INT, all, cnt, off, MPI_INT, comm);
                    for (int k = 0; !err && k < total; k++) err = intset_add(&labels[c], all[k]);
                }
            }
            free(cnt), free(off), free(all);
        }
        if (opt->dose && c == opt->dose->channel) { /* structures, whoever has them */
            labels[c].n = 0;
            for (size_t s = 0; !err && s < opt->dose->n_structures; s++)
                err = intset_add(&labels[c], (int)s + 1);
        }
        plan->labels[c] = labels[c].v;
        plan->n_labels[c] = (int)labels[c].n;
        labels[c].v = NULL;
    }
    for (int c = 0; c < m->n_channels; c++) free(labels[c].v);
    free(labels);
    for (size_t i = 0; !err && i < m->n; i++) {
        plan->p[i].status = num[3 * i] > 0 ? PLAN_BAD_INPUT : PLAN_OK;
        plan->p[i].roi_voxels = (long)num[3 * i + 1];
        plan->p[i].cost = num[3 * i + 2];
    }
    free(num);
    /* Reasons, in manifest order (the lines arrive grouped by rank). */
    for (char *line = reasons.s; !err && line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        size_t i = strtoul(line, NULL, 10);
        const char *why = strchr(line, '\t');
        if (i < m->n && why) err = rgx_strdup(&plan->p[i].reason, why + 1);
        line = nl ? nl + 1 : NULL;
    }
    free(reasons.s);

    /* Sample ids against the genotype headers (every rank does it: headers are small). */
    geno_hdr_t *hdrs = NULL;
    size_t n_hdrs = 0;
    for (size_t i = 0; !err && i < m->n; i++) {
        const char *gpath = m->row[i].genotypes ? m->row[i].genotypes : opt->genotypes;
        if (!gpath) continue;
        geno_hdr_t *g = geno_header(&hdrs, &n_hdrs, gpath, opt->genotype_format);
        if (!g) {
            err = rgx_fail(RGX_ERR_MEMORY, "out of memory");
            break;
        }
        char msg[1400];
        if (g->error) snprintf(msg, sizeof msg, "%s", g->error);
        else if (geno_sample_col(&g->g, m->row[i].sample_id) < 0)
            snprintf(msg, sizeof msg, "sample_id '%s' is not in the genotype file %s",
                     m->row[i].sample_id, gpath);
        else continue;
        if (plan->p[i].status == PLAN_OK) {
            plan->p[i].status = PLAN_NO_GENOTYPES;
            err = rgx_strdup(&plan->p[i].reason, msg);
        } else if (plan->p[i].reason) {
            /* Keep both reasons. */
            size_t len = strlen(plan->p[i].reason) + strlen(msg) + 3;
            char *both = malloc(len);
            if (!both) err = rgx_fail(RGX_ERR_MEMORY, "out of memory");
            else {
                snprintf(both, len, "%s; %s", plan->p[i].reason, msg);
                free(plan->p[i].reason);
                plan->p[i].reason = both;
            }
        }
    }
    for (size_t i = 0; i < n_hdrs; i++) {
        if (hdrs[i].open) geno_close(&hdrs[i].g);
        free(hdrs[i].path);
        free(hdrs[i].error);
    }
    free(hdrs);

    for (size_t i = 0; !err && i < m->n; i++) {
        plan->n_bad += plan->p[i].status == PLAN_BAD_INPUT;
        plan->n_no_geno += plan->p[i].status == PLAN_NO_GENOTYPES;
        if (plan->p[i].reason) err = add_problem(plan, m, i, plan->p[i].reason);
    }
    if (!err) err = assign(plan, n_ranks > 0 ? n_ranks : size);
    if (err) plan_free(plan);
    return err;
}

void plan_free(plan_t *plan)
{
    for (size_t i = 0; i < plan->n; i++) free(plan->p[i].reason);
    for (size_t i = 0; i < plan->n_problems; i++) free(plan->problem[i]);
    free(plan->problem);
    free(plan->p);
    free(plan->rank_cost);
    for (int c = 0; c < plan->n_channels; c++) free(plan->labels ? plan->labels[c] : NULL);
    free(plan->labels);
    free(plan->n_labels);
    memset(plan, 0, sizeof *plan);
}
