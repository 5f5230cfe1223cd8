/* scan_stage.c — the scan driver: inputs -> join -> rows and blocks -> the block loop ->
 * outputs (see scan_stage.h).
 *
 *   inputs      open_inputs: the phenotype and covariate tables, the genotype files' headers
 *               (one file, or one per site), the join (scan_join.c), the model (scan.c)
 *   rows        scan_rows.c: units counted in parallel number the variant rows; blocks
 *   the loop    run_blocks: per round, each rank gets its block — restored from a checkpoint
 *               (scan_resume.c), computed from one file (compute_block) or with the sites
 *               (scan_sites.c) — then tallies it and writes it collectively (scan_out.c)
 *   outputs     scan_out_finish: lambda_GC, /phenotypes, attributes, /hits */
#include "scan_stage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ckpt.h"
#include "comm.h"
#include "fault.h"
#include "geno.h"
#include "log.h"
#include "pca_cov.h"
#include "pheno.h"
#include "scan.h"
#include "scan_blk.h"
#include "scan_fit.h"
#include "scan_join.h"
#include "scan_opts.h"
#include "scan_out.h"
#include "scan_resume.h"
#include "scan_rows.h"
#include "scan_sites.h"
#include "util.h"

enum { MAX_SITES = 256 };

/* The phases of a scan, timed on every rank and logged by rank 0 (docs/performance.md). */
enum { PH_INPUTS, PH_COUNT, PH_READ, PH_STATS, PH_TALLY, PH_WAIT, PH_WRITE, PH_OUTPUTS, PH_N };
static const char *const ph_name[PH_N] = {
    "inputs and join", "counting", "reading and QC", "statistics",
    "tallies",         "waiting",  "writing",        "outputs"};

/* A moment, in wall and in this rank's CPU seconds (on a shared machine the CPU seconds are
 * the figures that compare). */
typedef struct {
    double w, c;
} tick_t;

static tick_t tick(void)
{
    return (tick_t){wall_clock(), cpu_clock()};
}

typedef struct {
    const cfg_t *cfg;
    const scan_inputs_t *in;
    h5out_t *h;
    int rank, size;
    scan_opts_t o;
    table_t ph, cv;
    double *sex;   /* the covariate table's sex column, by table row, or NULL */
    joined_t J;
    /* M[0]: the covariates; M[1], when chrX is scanned and sex is not a covariate: the
     * covariates and sex.  mi[kind]: the model of a kind of rows (ROWS_AUTO, ROWS_X). */
    scan_model_t M[2];
    int n_models, mi[2];
    scan_fit_t F; /* binary and time-to-event outcomes (o.outcome), instead of M */
    int fitted;
    /* Genotypes: g reads rows (the one file, or site 0's for the units); with sites, gs[s]
     * is open on the rank that reads site s. */
    char *gcopy, *site_path[MAX_SITES];
    size_t n_sites;
    int sites, active; /* sample-partitioned; ranks that own sites */
    geno_t g, *gs;
    scan_rows_t rows;
    gblock_t *blk;
    size_t nb, first_blk, end_blk;
    scan_blk_t k;
    scan_out_t out;
    scan_sites_t sc;
    scan_restore_t rs;
    ckpt_writer_t ck;
    int ck_open;
    double *dose, *G, *G2, *work, *mean; /* the one-file path's scratch */
    size_t *map;
    double gemm[2]; /* seconds in the block GEMMs, and their flops */
    double cpu0; /* CPU seconds before the stage: MPI start-up, the inputs' checksums */
    double tph[PH_N], tcpu[PH_N]; /* this rank's seconds per phase (the performance model's
                                   * terms): wall, CPU */
    double n_read, n_written; /* variants this rank read and decoded; wrote */
    long qc_count[Q_N];
} stage_t;

/* Adds the seconds since *t to phase ph and restarts *t. */
static void lap(stage_t *s, int ph, tick_t *t)
{
    tick_t now = tick();
    s->tph[ph] += now.w - t->w, s->tcpu[ph] += now.c - t->c;
    *t = now;
}

/* The covariate table's sex column (scan.sex_column), kept before --covar-names selects the
 * covariates: chrX needs sex whether or not it is a covariate. */
static rgx_err keep_sex(stage_t *s)
{
    const table_t *cv = &s->cv;
    for (size_t j = 0; s->o.sex_column && j < cv->p; j++) {
        if (strcasecmp(cv->name[j], s->o.sex_column)) continue;
        rgx_err err = rgx_calloc(&s->sex, cv->n ? cv->n : 1, sizeof *s->sex);
        for (size_t i = 0; !err && i < cv->n; i++) s->sex[i] = cv->v[i * cv->p + j];
        return err;
    }
    return RGX_OK;
}

/* The phenotypes (a table, or the run's /features) and the covariates; every rank holds them
 * whole. A phenotype table's numbers are parsed a share per rank (10,000 x 1,000 cells: 1.2 s
 * of CPU alone), the covariates (small) by every rank. */
static rgx_err read_tables(stage_t *s)
{
    const scan_inputs_t *in = s->in;
    rgx_err err = in->pheno ? table_read_comm(in->pheno, "phenotype", 0, s->h->comm, &s->ph)
                            : table_from_run(in->run, &s->ph);
    if (!err && s->ph.n_inf && s->rank == 0)
        log_warn("scan: %zu infinite feature values of %s made missing", s->ph.n_inf, in->run);
    if (!err && s->o.pheno_names)
        err = table_select(&s->ph, s->o.pheno_names, in->pheno ? in->pheno : in->run);
    if (!err && in->covar) {
        err = table_read(in->covar, "covariate", 1, &s->cv);
        if (!err) err = keep_sex(s);
        if (!err && s->o.covar_names) err = table_select(&s->cv, s->o.covar_names, in->covar);
    }
    /* Ancestry PCs as covariates (scan --pcs K; pca_cov.h). */
    const char *pca = s->o.pca ? s->o.pca : in->pca ? in->pca : in->run;
    if (!err && s->o.pcs > 0 && !pca)
        err = rgx_fail(RGX_ERR_USAGE, "--pcs %d: give --pca FILE (a run file with /pca) or --run",
                       s->o.pcs);
    if (!err && s->o.pcs > 0) err = pca_cov_add(&s->cv, in->covar != NULL, pca, s->o.pcs, s->rank);
    return err;
}

/* The genotype files: one, or one per site (a comma list). */
static rgx_err split_sites(stage_t *s)
{
    rgx_err err = rgx_strdup(&s->gcopy, s->in->genotypes);
    for (char *t = s->gcopy, *save = NULL; !err && (t = strtok_r(t, ",", &save)); t = NULL) {
        if (s->n_sites == MAX_SITES)
            return rgx_fail(RGX_ERR_USAGE, "more than %d genotype files", MAX_SITES);
        s->site_path[s->n_sites++] = t;
    }
    if (!err && !s->n_sites) err = rgx_fail(RGX_ERR_USAGE, "no genotype file given");
    return err;
}

/* The genotype headers decide who is in the analysis (and each sample's site); then the
 * files are opened for the analysis samples: the one file by every rank, or each site's file
 * by its rank (and site 0's, for the units, by every rank). */
static rgx_err open_genotypes(stage_t *s)
{
    joined_t *J = &s->J;
    const char *dosage = s->o.dosage, *fmt = s->o.genotype_format;
    rgx_err err = rgx_calloc(&s->gs, s->n_sites, sizeof *s->gs);
    for (size_t st = 0; st < s->n_sites && !err; st++)
        err = geno_open(&s->gs[st], s->site_path[st], fmt, NULL, 0, dosage);
    if (!err)
        err = scan_join(&s->o, &s->ph, s->in->covar || s->o.pcs ? &s->cv : NULL, s->sex,
                        s->o.sex_column, s->gs, s->n_sites, J, s->rank);
    if (!err && J->n < J->q + 2)
        err = rgx_fail(RGX_ERR_INPUT, "only %zu samples have phenotypes, covariates and genotypes",
                       J->n);
    for (size_t st = 0; s->gs && st < s->n_sites; st++) geno_close(&s->gs[st]);
    if (err) return err;
    s->sites = s->n_sites > 1;
    s->active = s->sites ? (s->size < (int)s->n_sites ? s->size : (int)s->n_sites) : s->size;
    if (!s->sites) return geno_open(&s->g, s->site_path[0], fmt, J->sample, (int)J->n, dosage);
    err = geno_open(&s->g, s->site_path[0], fmt, NULL, 0, dosage);
    for (size_t st = 0; st < s->n_sites && !err; st++)
        if ((int)(st % (size_t)s->active) == s->rank)
            err = geno_open(&s->gs[st], s->site_path[st], fmt, J->sample + J->site_row[st],
                            (int)(J->site_row[st + 1] - J->site_row[st]), dosage);
    if (!err && s->rank == 0) {
        log_info("scan: %zu genotype files (sites), samples split across ranks: %zu sites "
                 "read by %d rank%s",
                 s->n_sites, s->n_sites, s->active, s->active == 1 ? "" : "s");
        for (size_t st = 0; st < s->n_sites; st++)
            log_info("scan: site %zu: %s, %zu samples", st + 1, s->site_path[st],
                     J->site_row[st + 1] - J->site_row[st]);
    }
    return err;
}

/* Binary and time-to-event outcomes (with one file per site their full fits run as
 * iterations whose sums cross the sites: scan_sites_fit.h). */
static rgx_err open_fitted(stage_t *s)
{
    return scan_fit_init(&s->F, &s->o, &s->J, &s->ph, (size_t)s->o.block, s->rank);
}

static rgx_err open_inputs(stage_t *s)
{
    rgx_err err = read_tables(s);
    if (!err) err = split_sites(s);
    if (!err) err = open_genotypes(s);
    s->fitted = s->o.outcome != SCAN_QUANT;
    if (!err && s->fitted) return open_fitted(s);
    if (!err) err = scan_model_init(&s->M[0], s->J.Y, s->J.n, s->J.p, s->J.keep, s->J.C, s->J.q);
    if (!err) s->n_models = 1;
    if (!err && s->rank == 0)
        log_info("scan: %zu phenotypes in %zu missingness group%s, %zu covariates + intercept, %s "
                 "from %s (%s)",
                 s->M[0].p, s->M[0].n_groups, s->M[0].n_groups == 1 ? "" : "s", s->J.q - 1,
                 s->g.values, s->in->genotypes,
                 s->g.indexed ? "indexed" : "no index: one pass per rank");
    return err;
}

/* chrX's model, as plink2 --glm's default: sex added to the covariates (males' hemizygous
 * calls count 0 or 2, as the sources give them).  Not needed when sex already is a covariate
 * or the analysis has one sex; refused when a sample's sex is unknown. */
static rgx_err chrx_model(stage_t *s)
{
    joined_t *J = &s->J;
    const char *why = NULL;
    size_t males = 0;
    if (!J->sex) {
        why = "no sex column in the covariates (scan.sex_column): chrX is scanned as an autosome";
    } else {
        for (size_t i = 0; i < J->n; i++) {
            if (J->sex[i] != 1 && J->sex[i] != 2)
                return rgx_fail(RGX_ERR_INPUT,
                                "%s: sample %s has sex '%g' in column %s; chrX needs 1 (male) or 2 "
                                "(female) for every sample (or leave chrX out with --chr)",
                                s->in->covar, J->sample[i], J->sex[i], s->o.sex_column);
            males += J->sex[i] == 1;
        }
        if (J->sex_in_c >= 0) why = "sex is one of the covariates already";
        else if (males == 0 || males == J->n) why = "the analysis samples have one sex";
    }
    if (why) {
        if (s->rank == 0) log_info("scan: chrX with the autosomes' covariates (%s)", why);
        return RGX_OK;
    }
    size_t q = J->q + 1;
    double *C = NULL;
    rgx_err err = rgx_calloc(&C, J->n * q, sizeof *C);
    for (size_t i = 0; !err && i < J->n; i++) {
        memcpy(C + i * q, J->C + i * J->q, J->q * sizeof *C);
        C[i * q + J->q] = J->sex[i];
    }
    if (!err) err = scan_model_init(&s->M[1], J->Y, J->n, J->p, J->keep, C, q);
    free(C);
    if (err) return err;
    s->n_models = 2, s->mi[ROWS_X] = 1;
    if (s->rank == 0)
        log_info("scan: chrX with sex added to the covariates (%zu males, %zu females; males' "
                 "hemizygous calls count 0 or 2)",
                 males, J->n - males);
    return RGX_OK;
}

/* The genotype calls made missing or counted (geno.h), over every rank's decoded rows: a
 * count, not an error, so that a few odd calls do not stop a biobank scan. */
static void log_calls(stage_t *s)
{
    long c[3] = {s->g.n_bad_calls, s->g.n_half_calls, s->g.n_haploid_calls};
    for (size_t st = 0; s->gs && st < s->n_sites; st++) {
        c[0] += s->gs[st].n_bad_calls;
        c[1] += s->gs[st].n_half_calls;
        c[2] += s->gs[st].n_haploid_calls;
    }
    MPI_Allreduce(MPI_IN_PLACE, c, 3, MPI_LONG, MPI_SUM, s->h->comm);
    if (s->rank != 0) return;
    if (c[0])
        log_warn("scan: %ld calls of ploidy 0 or above 2 made missing (in the blocks this run "
                 "computed)", c[0]);
    if (c[1])
        log_warn("scan: %ld calls with one allele missing (0/.) made missing (in the blocks this "
                 "run computed)", c[1]);
    if (c[2])
        log_warn("scan: %ld haploid calls on autosomes counted as homozygous, 0 or 2 (in the "
                 "blocks this run computed)", c[2]);
}

/* The block size: as many blocks as block_size asks for, all of one size (a multiple of 8,
 * at most block_size), so that ranks with as many blocks have as many rows: 20,000 rows make
 * 20 blocks of 1,000, where blocks of 1,024 gave the 2-rank benchmark's ranks 10,240 and
 * 9,760 rows and the lighter rank waited for the other (docs/performance.md).  From
 * the rows alone, not the ranks: the same blocks, and bits, for any rank count. */
static size_t even_block(size_t rows, size_t B)
{
    if (rows <= B) return B;
    size_t nb = (rows + B - 1) / B, even = (rows + nb - 1) / nb;
    even = (even + 7) / 8 * 8;
    return even < B ? even : B;
}

/* Units counted, blocks laid out, the block buffer and the datasets made. */
static rgx_err lay_out(stage_t *s)
{
    scan_rows_t *R = &s->rows;
    rgx_err err = scan_rows_count(&s->g, &s->o, s->h->comm, R);
    if (err) return err;
    int any_x = 0;
    for (size_t u = 0; u < R->nu; u++) any_x |= R->kind[u] == ROWS_X && R->count[u] > 0;
    if (any_x && s->fitted && s->rank == 0) /* (their models have no second covariate set) */
        log_info("scan: chrX with the autosomes' covariates (binary and time-to-event outcomes "
                 "do not add sex there; give it as a covariate)");
    if (any_x && !s->fitted && (err = chrx_model(s))) return err;
    if (!s->fitted) /* the models hold the phenotypes now: the block buffers take their pages */
        free(s->J.Y), s->J.Y = NULL;
    if (s->rank == 0 && R->n_skip_contig)
        log_info("scan: %ld records on chrY and the mitochondrion skipped (name them in --chr to "
                 "scan them)",
                 R->n_skip_contig);
    if (s->rank == 0)
        log_info("scan: %ld biallelic variants in %zu units (skipped: %ld multi-allelic records "
                 "- split them with bcftools norm -m- to test each allele - and %ld %s)",
                 R->n_rows, R->nu, R->n_skip[GENO_SKIP_MULTIALLELIC], R->n_skip[GENO_SKIP_NO_ALT],
                 geno_skip_name[GENO_SKIP_NO_ALT]);
    s->o.block = (long)even_block((size_t)R->n_rows, (size_t)s->o.block);
    size_t B = (size_t)s->o.block, n = s->J.n;
    if ((err = scan_blocks(R, B, &s->blk, &s->nb))) return err;
    scan_my_blocks(s->nb, s->rank, s->size, &s->first_blk, &s->end_blk);
    size_t p = s->fitted ? s->F.p : s->M[0].p;
    if ((err = scan_blk_init(&s->k, B, p, s->fitted ? 0 : s->M[0].n_groups, R->w, s->fitted)))
        return err;
    if ((err = scan_out_open(&s->out, s->h, &s->o, R->n_rows, p, &s->k))) return err;
    if (s->sites)
        return scan_sites_init(&s->sc, &s->o, s->M, s->mi, &s->J, s->gs, R, s->blk, s->nb,
                               s->active, s->h->comm, s->gemm, s->fitted ? &s->F : NULL);
    /* The block buffers on huge pages (80 MB each at 1,024 variants x 10,000 samples: their
     * 4 kB page faults cost ~0.3 s of CPU each on the development VM). */
    if ((err = rgx_calloc(&s->dose, n, sizeof *s->dose)) ||
        (err = rgx_big_calloc(&s->G, B * n, sizeof *s->G)) ||
        (err = rgx_big_calloc(&s->G2, scan_scratch_len(n), sizeof *s->G2)) ||
        (err = rgx_big_calloc(&s->work,
                              s->fitted ? 1 : scan_sums_len(&s->M[s->n_models - 1], B),
                              sizeof *s->work)) ||
        (err = rgx_calloc(&s->mean, B, sizeof *s->mean)) ||
        (err = rgx_calloc(&s->map, B, sizeof *s->map)))
        return err;
    return RGX_OK;
}

/* Checkpoints: the blocks an earlier run finished (those this rank finishes), and a log of
 * ours.  With one file per site, block j is finished by rank j % active. */
static rgx_err open_checkpoints(stage_t *s)
{
    MPI_Comm comm = s->h->comm;
    char run_key[65] = "";
    rgx_err err = RGX_OK;
    int ke = s->rank == 0 ? (err = scan_run_key(s->cfg, s->in, run_key)) != RGX_OK : 0;
    MPI_Bcast(&ke, 1, MPI_INT, 0, comm);
    if (ke) return err ? err : rgx_fail(RGX_ERR_INPUT, "rank 0 could not hash the scan's inputs");
    MPI_Bcast(run_key, 65, MPI_CHAR, 0, comm);
    s->rs = (scan_restore_t){.blk = s->blk, .nb = s->nb, .first = s->first_blk,
                             .end = s->end_blk, .stride = 1, .shape = &s->k};
    if (s->sites) {
        s->rs.first = (size_t)s->rank, s->rs.end = s->rank < s->active ? s->nb : 0;
        s->rs.stride = (size_t)s->active;
    }
    err = scan_restore_read(&s->rs, s->in->ckpt_dir, run_key);
    if (!err && !(err = ckpt_open(&s->ck, s->in->ckpt_dir, "scan", s->rank, run_key)))
        s->ck_open = 1;
    long mine = (long)s->rs.n, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_LONG, MPI_SUM, comm);
    if (!err && s->rank == 0 && all)
        log_info("scan: resuming: %ld blocks already done (checkpoints in %s)", all,
                 s->in->ckpt_dir);
    return err;
}

/* One file: block kb read, QC'd, its tested variants' centred dosages through the kernel. */
static rgx_err compute_block(stage_t *s, rowreader_t *rr, size_t kb)
{
    scan_blk_t *k = &s->k;
    size_t n = s->J.n, t = 0; /* tested variants, packed at the front of G */
    k->row0 = s->blk[kb].row0, k->b = 0, k->model = s->mi[s->blk[kb].kind];
    const scan_model_t *M = &s->M[k->model];
    tick_t t0 = tick();
    rgx_err err = rr_seek(rr, k->row0);
    for (; !err && k->b < s->blk[kb].b; k->b++) {
        if ((err = rr_next(rr, s->dose))) break;
        vqc_t v;
        double mean;
        vqc_variant(&s->o, s->dose, n, &v, &mean);
        if (v.pass == Q_PASS) {
            vqc_center(s->dose, n, mean, s->G + t * n);
            s->mean[t] = mean;
            s->map[t++] = k->b;
        }
        scan_blk_site(k, k->b, &s->g);
        scan_blk_qc(k, k->b, &v);
    }
    lap(s, PH_READ, &t0);
    s->n_read += (double)k->b;
    if (err || !k->b) return err;
    if (s->fitted) {
        double tf = wall_clock();
        scan_fit_block(&s->F, s->G, s->mean, t, k->beta, k->se, k->mlp, k->lr, k->test);
        s->gemm[0] += wall_clock() - tf;
    } else {
        scan_block_sums_timed(M, s->G, t, 0, n, s->G2, s->work, s->gemm);
        scan_block_reduce(M, s->work, t, k->xty, k->gtg);
    }
    scan_blk_expand(k, s->map, t);
    return RGX_OK;
}

/* This rank's block of a round, into s->k (k.b = 0: none): restored, or computed and
 * recorded before it is written (a kill after this loses nothing), once the scan has run long
 * enough for a restart to cost more than the copy. */
static rgx_err one_round(stage_t *s, long round, rowreader_t *rr, double t0)
{
    scan_blk_t *k = &s->k;
    int ck = s->in->ckpt_dir != NULL, fresh = 1;
    rgx_err err = RGX_OK;
    k->b = 0;
    if (s->sites) {
        /* A round whose blocks were all recorded is skipped by every rank (its sums need
         * every site's rank); otherwise it is computed whole, recorded blocks included. */
        size_t kj = (size_t)round * (size_t)s->active + (size_t)s->rank;
        const blk_rec_t *done = NULL;
        if (ck && s->rank < s->active && kj < s->nb)
            done = scan_restore_find(&s->rs, s->blk[kj].row0);
        int have = s->rank >= s->active || kj >= s->nb || done != NULL, all_have = 0;
        MPI_Allreduce(&have, &all_have, 1, MPI_INT, MPI_MIN, s->h->comm);
        if (all_have && ck) {
            if (done) scan_blk_unpack(k, done->data, done->len), k->row0 = done->row0;
            fresh = 0;
        } else {
            tick_t t = tick();
            double g0 = s->gemm[0];
            err = scan_sites_round(&s->sc, round, k); /* reading, sums, reductions */
            lap(s, PH_READ, &t);
            s->tph[PH_READ] -= s->gemm[0] - g0; /* (one BLAS thread: as much CPU) */
            s->tcpu[PH_READ] -= s->gemm[0] - g0;
        }
    } else {
        size_t kb = s->first_blk + (size_t)round;
        if (kb >= s->end_blk) return RGX_OK;
        const blk_rec_t *done = ck ? scan_restore_find(&s->rs, s->blk[kb].row0) : NULL;
        if (done) {
            scan_blk_unpack(k, done->data, done->len), k->row0 = done->row0;
            fresh = 0;
        } else {
            err = compute_block(s, rr, kb);
        }
    }
    if (!err && fresh && k->b && s->ck_open && wall_clock() - t0 >= s->o.ckpt_after)
        err = scan_record_block(&s->ck, k);
    if (!err && k->b && !s->fitted) {
        tick_t t = tick();
        scan_params_t par = scan_params(&s->M[k->model]);
        scan_blk_stats(k, &par);
        lap(s, PH_STATS, &t);
    }
    return err;
}

/* Rounds: every rank takes its block of the round, then all write together (collective I/O
 * needs every rank, those without a block too). */
static rgx_err run_blocks(stage_t *s)
{
    MPI_Comm comm = s->h->comm;
    long my_blocks = (long)(s->end_blk - s->first_blk),
         all_blocks = (long)((s->nb + (size_t)s->size - 1) / (size_t)s->size);
    if (s->sites) {
        all_blocks = (long)((s->nb + (size_t)s->active - 1) / (size_t)s->active);
        my_blocks = 0;
        for (size_t j = (size_t)s->rank; s->rank < s->active && j < s->nb; j += (size_t)s->active)
            my_blocks++;
    }
    MPI_Allreduce(MPI_IN_PLACE, &all_blocks, 1, MPI_LONG, MPI_MAX, comm);
    rowreader_t rr = {&s->g, &s->rows, 0, 0, 0};
    double t0 = wall_clock();
    progress_t prog;
    progress_init(&prog, "scan (rank 0's blocks)", "blocks", my_blocks);
    rgx_err err = RGX_OK;
    for (long round = 0; round < all_blocks; round++) {
        err = one_round(s, round, &rr, t0);
        tick_t t = tick();
        if (!err) scan_blk_count_qc(&s->k, s->qc_count);
        if (!err) err = scan_out_tally(&s->out, &s->k);
        lap(s, PH_TALLY, &t);
        int e[2] = {(int)err, s->in->stop && s->in->stop() ? 1 : 0}, anye[2];
        MPI_Allreduce(e, anye, 2, MPI_INT, MPI_MAX, comm);
        lap(s, PH_WAIT, &t);
        if (anye[0]) /* the failing rank's code everywhere (comm.h) */
            return err ? err
                       : rgx_fail((rgx_err)anye[0], "another rank failed during the scan (its "
                                                    "message is above)");
        if (anye[1]) /* a stop request: this round's blocks are in the checkpoints */
            return rgx_fail(RGX_ERR_REQUEUE,
                            "scan stopped on request after %ld of %ld rounds of blocks; finished "
                            "blocks are checkpointed in %s",
                            round + 1, all_blocks,
                            s->in->ckpt_dir ? s->in->ckpt_dir : "(none: no checkpoints)");
        fault_point("scan", "write");
        if ((err = scan_out_write(&s->out, &s->k))) return err;
        h5out_writeback(s->h); /* to disk while the next blocks compute */
        lap(s, PH_WRITE, &t);
        s->n_written += (double)s->k.b;
        if (s->k.b) progress_update(&prog, round + 1);
    }
    progress_done(&prog, my_blocks);
    double tot[2], slow; /* the GEMM phase (scripts/bench_scan compares it with a bare DGEMM) */
    MPI_Allreduce(s->gemm, tot, 2, MPI_DOUBLE, MPI_SUM, comm);
    MPI_Allreduce(&s->gemm[0], &slow, 1, MPI_DOUBLE, MPI_MAX, comm);
    if (s->rank == 0 && s->fitted)
        log_info("scan: model phase (GEMM sums, score tests, full fits) %.2f s on the slowest "
                 "rank", slow);
    if (s->rank == 0 && s->fitted && s->sites) /* docs/cmd-scan.md: what crosses ranks */
        log_info("scan: the full fits across the sites: %ld reductions of %.3g MB in all",
                 s->sc.rs.calls, s->sc.rs.doubles * 8 / 1e6);
    else if (s->rank == 0)
        log_info("scan: GEMM phase %.2f s on the slowest rank, %.1f GFLOP/s per rank", slow,
                 tot[0] > 0 ? tot[1] / tot[0] / 1e9 : 0.0);
    log_calls(s);
    return RGX_OK;
}

/* Rank 0's seconds per phase, with the rates the performance model takes from them. */
static void log_phases(const stage_t *s)
{
    double most[PH_N]; /* the slowest rank's seconds per phase: imbalance shows as waiting */
    MPI_Reduce(s->tph, most, PH_N, MPI_DOUBLE, MPI_MAX, 0, s->h->comm);
    if (s->rank != 0) return;
    strbuf_t sb = {0};
    for (int k = 0; k < PH_N; k++) {
        sb_printf(&sb, "%s%s %.2f s", k ? ", " : "", ph_name[k], s->tph[k]);
        if (k == PH_READ && s->tph[k] > 0 && !s->sites) /* dosages decoded per second */
            sb_printf(&sb, " (%.0f M dosages/s)", s->n_read * (double)s->J.n / s->tph[k] / 1e6);
        if (k == PH_WRITE && s->tph[k] > 0)
            sb_printf(&sb, " (%.0f MB/s of /assoc/xty)",
                      s->n_written * (double)s->M[0].p * 8 / s->tph[k] / 1e6);
    }
    log_info("scan: rank 0's phases: %s; GEMM %.2f s", sb.s ? sb.s : "", s->gemm[0]);
    sb.len = 0;
    for (int k = 0; k < PH_N; k++)
        sb_printf(&sb, "%s%s %.2f s", k ? ", " : "", ph_name[k], s->tcpu[k]);
    log_info("scan: rank 0's CPU seconds per phase: %s; before the scan's inputs %.2f s",
             sb.s ? sb.s : "", s->cpu0);
    if (s->size > 1) {
        sb.len = 0;
        for (int k = 0; k < PH_N; k++)
            sb_printf(&sb, "%s%s %.2f s", k ? ", " : "", ph_name[k], most[k]);
        log_info("scan: the most seconds of any rank per phase: %s", sb.s);
    }
    free(sb.s);
}

/* Every rank learns whether any failed before the next collective step (a rank that failed
 * alone must not leave the others waiting in one). */
static rgx_err agree(stage_t *s, rgx_err err, const char *step)
{
    return comm_agree(s->h->comm, err, step);
}

static void stage_free(stage_t *s)
{
    scan_out_close(&s->out);
    if (s->ck_open) ckpt_close(&s->ck);
    scan_restore_free(&s->rs);
    for (size_t st = 0; s->gs && st < s->n_sites; st++) geno_close(&s->gs[st]);
    free(s->gs), free(s->gcopy), free(s->blk);
    scan_sites_free(&s->sc);
    scan_blk_free(&s->k);
    scan_model_free(&s->M[0]), scan_model_free(&s->M[1]);
    if (s->fitted) scan_fit_free(&s->F);
    free(s->sex);
    scan_joined_free(&s->J);
    geno_close(&s->g);
    table_free(&s->ph), table_free(&s->cv);
    scan_rows_free(&s->rows);
    free(s->dose), free(s->G), free(s->G2), free(s->work), free(s->map), free(s->mean);
}

rgx_err scan_stage(const cfg_t *cfg, const scan_inputs_t *in, h5out_t *h)
{
    stage_t *s = calloc(1, sizeof *s);
    if (!s) return rgx_fail(RGX_ERR_MEMORY, "out of memory");
    s->cfg = cfg, s->in = in, s->h = h, s->rank = h->rank, s->size = h->size;
    scan_opts_read(cfg, &s->o);
    for (int k = 0; k < 4 + BLK_NUM; k++) s->out.ds[k] = H5I_INVALID_HID; /* closable early */
    for (int k = 0; k < 4; k++) s->out.str_t[k] = H5I_INVALID_HID;
    for (int k = 0; k < 5; k++) s->out.assoc[k] = H5I_INVALID_HID;
    tick_t t = tick();
    s->cpu0 = t.c;
    rgx_err err = agree(s, open_inputs(s), "reading the scan's inputs");
    lap(s, PH_INPUTS, &t);
    if (!err) err = agree(s, lay_out(s), "laying out the variant blocks");
    if (!err && in->ckpt_dir) err = open_checkpoints(s);
    lap(s, PH_COUNT, &t);
    if (!err) err = run_blocks(s);
    t = tick();
    if (!err)
        err = scan_out_finish(&s->out, s->M, s->n_models, s->fitted ? &s->F : NULL, &s->J,
                              &s->ph, s->qc_count, &s->rows);
    lap(s, PH_OUTPUTS, &t);
    err = agree(s, err, "writing the scan's outputs");
    if (!err) log_phases(s);
    stage_free(s);
    free(s);
    return err;
}
