/* pca_stage.c — see pca_stage.h. */
#include "pca_stage.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geno.h"
#include "log.h"
#include "pca_geno.h"
#include "pca_king.h"
#include "pca_krylov.h"
#include "pca_opts.h"
#include "pca_out.h"
#include "pca_project.h"
#include "pca_prune.h"
#include "pca_regions.h"
#include "pca_tiles.h"
#include "pheno.h"
#include "scan_vqc.h"
#include "strmap.h"
#include "util.h"
#include "runfile.h"

enum { MAX_SITES = 256 };

typedef struct {
    const pca_inputs_t *in;
    h5out_t *h;
    pca_opts_t o;
    char *gcopy, *path[MAX_SITES];
    size_t n_sites;
    char **cand; /* candidate sample ids (owned) */
    size_t n_cand;
    char **ids; /* the analysis samples, grouped by site (borrowed from cand) */
    size_t n, site_row[MAX_SITES + 1];
    pca_tiles_t T;
    pca_geno_t G;
    size_t *sel, ms;
    pca_result_t R;
    double *scores;
    king_pair_t *pairs; /* kinship above min(threshold, table filter) */
    size_t np, n_pairs_all;
    char *drop, *drop_mine; /* --remove-related: all rows; this rank's rows */
} stage_t;

static rgx_err split_sites(stage_t *s)
{
    rgx_err err = rgx_strdup(&s->gcopy, s->in->genotypes);
    for (char *t = s->gcopy, *save = NULL; !err && (t = strtok_r(t, ",", &save)); t = NULL) {
        if (s->n_sites == MAX_SITES)
            return rgx_fail(RGX_ERR_USAGE, "more than %d genotype files", MAX_SITES);
        s->path[s->n_sites++] = t;
    }
    if (!err && !s->n_sites) err = rgx_fail(RGX_ERR_USAGE, "no genotype file given");
    return err;
}

static rgx_err add_cand(stage_t *s, size_t *cap, const char *id)
{
    rgx_err err = rgx_reserve(&s->cand, cap, s->n_cand + 1, sizeof *s->cand);
    if (!err) err = rgx_strdup(&s->cand[s->n_cand], id);
    if (!err) s->n_cand++;
    return err;
}

/* A --keep file: the first field of every line (lines starting with # skipped; a UTF-8
 * byte-order mark and CRLF line ends read past); a sample listed twice is an error. */
static rgx_err read_keep(stage_t *s, const char *path)
{
    char *text = NULL;
    if (read_file(path, &text, NULL))
        return rgx_fail(RGX_ERR_INPUT, "%s: cannot read: %s", path, strerror(errno));
    size_t cap = 0;
    strmap_t seen;
    rgx_err err = strmap_init(&seen, 1024);
    char *p = text + (!strncmp(text, "\xef\xbb\xbf", 3) ? 3 : 0);
    for (long ln = 1; !err && p && *p; ln++) {
        char *nl = strchr(p, '\n'), *t = p + strspn(p, " \t");
        if (nl) *nl = '\0';
        p = nl ? nl + 1 : NULL;
        size_t k = strcspn(t, " \t\r");
        if (*t == '#' || !k) continue;
        t[k] = '\0';
        long old;
        if ((err = strmap_put(&seen, t, ln, &old))) break;
        if (old >= 0)
            err = rgx_fail(RGX_ERR_INPUT, "%s:%ld: sample '%s' already on line %ld", path, ln, t,
                           old);
        else
            err = add_cand(s, &cap, t);
    }
    strmap_free(&seen);
    free(text);
    return err;
}

/* The candidate samples: a run file's extracted patients, a --keep list, or every sample of
 * the genotype files (each once, in file and column order). */
static rgx_err candidates(stage_t *s, geno_t *hdr)
{
    size_t cap = 0;
    rgx_err err = RGX_OK;
    if (s->in->run) {
        table_t t;
        if ((err = table_from_run(s->in->run, &t))) return err;
        for (size_t i = 0; i < t.n && !err; i++) err = add_cand(s, &cap, t.id[i]);
        table_free(&t);
        return err;
    }
    if (s->in->keep) return read_keep(s, s->in->keep);
    strmap_t seen = {0};
    if ((err = strmap_init(&seen, 1024))) return err;
    for (size_t st = 0; st < s->n_sites && !err; st++)
        for (int c = 0; c < hdr[st].n_file && !err; c++) {
            const char *id = hdr[st].fmt->sample(&hdr[st], c);
            long old;
            if (!(err = strmap_put(&seen, id, (long)s->n_cand, &old)) && old < 0)
                err = add_cand(s, &cap, id);
        }
    strmap_free(&seen);
    return err;
}

/* The analysis samples: the candidates found in a genotype file, grouped by their site (the
 * first file that has them). */
static rgx_err join(stage_t *s)
{
    geno_t *hdr = NULL;
    int *site = NULL;
    size_t missing = 0;
    rgx_err err = rgx_calloc(&hdr, s->n_sites, sizeof *hdr);
    for (size_t st = 0; st < s->n_sites && !err; st++)
        err = geno_open(&hdr[st], s->path[st], NULL, NULL, 0, s->o.dosage);
    if (!err) err = candidates(s, hdr);
    if (!err) err = rgx_calloc(&site, s->n_cand ? s->n_cand : 1, sizeof *site);
    if (!err) err = rgx_calloc(&s->ids, s->n_cand ? s->n_cand : 1, sizeof *s->ids);
    for (size_t i = 0; i < s->n_cand && !err; i++) {
        site[i] = -1;
        for (size_t st = 0; st < s->n_sites && site[i] < 0; st++)
            if (geno_sample_col(&hdr[st], s->cand[i]) >= 0) site[i] = (int)st;
        missing += site[i] < 0;
    }
    for (size_t st = 0; st < s->n_sites && !err; st++) {
        s->site_row[st] = s->n;
        for (size_t i = 0; i < s->n_cand; i++)
            if (site[i] == (int)st) s->ids[s->n++] = s->cand[i];
    }
    s->site_row[s->n_sites] = s->n;
    for (size_t st = 0; hdr && st < s->n_sites; st++) geno_close(&hdr[st]);
    free(hdr), free(site);
    if (!err && s->h->rank == 0)
        log_info("pca: %zu samples (%zu of the %s not in any genotype file) in %zu file%s", s->n,
                 missing,
                 s->in->run    ? "run's extracted patients"
                 : s->in->keep ? "--keep list"
                               : "files' samples",
                 s->n_sites, s->n_sites == 1 ? "" : "s");
    if (!err && s->n < (size_t)s->o.pcs + 2)
        err = rgx_fail(RGX_ERR_INPUT, "pca: %zu samples, too few for %d PCs", s->n, s->o.pcs);
    return err;
}

static void log_variants(const stage_t *s)
{
    const pca_geno_t *G = &s->G;
    log_info("pca: %ld biallelic variants read (%ld multi-allelic records skipped); %ld in "
             "long-range LD regions (%s); QC removed %ld (call rate), %ld (MAF), %ld (HWE), %ld "
             "(monomorphic); %zu passed, %zu kept by LD pruning",
             G->n_records, G->n_skip[GENO_SKIP_MULTIALLELIC], G->n_region, s->o.ld_regions,
             G->n_qc[Q_CALL], G->n_qc[Q_MAF], G->n_qc[Q_HWE], G->n_qc[Q_MONO], G->m, s->ms);
    if (G->n_calls[0] || G->n_calls[1] || G->n_calls[2])
        log_warn("pca: genotype calls made missing: %ld of ploidy above 2, %ld with one allele "
                 "missing (0/.); %ld haploid calls on autosomes counted as homozygous",
                 G->n_calls[0], G->n_calls[1], G->n_calls[2]);
}

/* Every rank learns whether any failed before the next collective step. */
static rgx_err agree(const stage_t *s, rgx_err err, const char *step)
{
    int bad = err != RGX_OK, any = 0;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, s->h->comm);
    if (!any || err) return err;
    return rgx_fail(RGX_ERR_INPUT, "another rank failed while %s (its message is above)", step);
}

/* KING kinship; with --remove-related, the samples left out of the PCA (pca_king.h). */
static rgx_err kinship(stage_t *s)
{
    const pca_opts_t *o = &s->o;
    double filter =
        o->king_table_filter < o->king_threshold ? o->king_table_filter : o->king_threshold;
    rgx_err err = pca_king(&s->G, s->sel, s->ms, &s->T, filter, &s->pairs, &s->np, &s->n_pairs_all);
    size_t nrel = 0, removed = 0;
    for (size_t k = 0; k < s->np; k++) nrel += s->pairs[k].kinship > o->king_threshold;
    if (!err && o->remove_related) {
        if ((err = rgx_calloc(&s->drop, s->n ? s->n : 1, 1)) ||
            (err = rgx_calloc(&s->drop_mine, s->T.n_rows ? s->T.n_rows : 1, 1)))
            return err;
        removed = pca_king_unrelated(s->pairs, s->np, o->king_threshold, s->n, s->drop);
        for (size_t mt = 0; mt < s->T.n_mine; mt++) {
            const pca_tile_t *t = &s->T.tile[s->T.mine[mt]];
            memcpy(s->drop_mine + s->T.row_of_tile[s->T.mine[mt]], s->drop + t->row0, t->n);
        }
        s->G.drop = s->drop_mine;
    }
    if (!err && s->h->rank == 0)
        log_info("pca: KING-robust kinship of %zu pairs (%s): %zu above %g%s", s->n_pairs_all,
                 s->n_sites == 1 ? "every pair" : "within sites", nrel, o->king_threshold,
                 o->remove_related ? "" : " (--remove-related leaves them out of the PCA)");
    if (!err && s->h->rank == 0 && o->remove_related)
        log_info("pca: %zu related samples left out of the PCs (a maximal unrelated set of %zu "
                 "kept); they are projected onto them",
                 removed, s->n - removed);
    if (!err && s->n - removed < (size_t)o->pcs + 2)
        err = rgx_fail(RGX_ERR_INPUT, "pca: %zu unrelated samples, too few for %d PCs",
                       s->n - removed, o->pcs);
    return err;
}

/* The samples left out of the PCA get their projection: X v_k / sqrt(m ev_k). */
static rgx_err project_dropped(stage_t *s)
{
    size_t K = s->R.K, n = s->T.n_rows;
    double *P = NULL;
    rgx_err err = rgx_calloc(&P, (n ? n : 1) * K, sizeof *P);
    s->G.drop = NULL;
    if (!err) err = pca_mult_x(&s->G, s->sel, s->ms, &s->T, s->R.loading, K, P);
    for (size_t i = 0; !err && i < n; i++)
        if (s->drop_mine[i])
            for (size_t k = 0; k < K; k++)
                s->R.scores[i * K + k] = P[i * K + k] / sqrt((double)s->ms * s->R.eigval[k]);
    free(P);
    return err;
}

static rgx_err compute(stage_t *s)
{
    double t0 = wall_clock();
    rgx_err err = agree(s, pca_geno_read(&s->G, &s->T, s->path, s->ids, &s->o, NULL), "reading");
    double t1 = wall_clock();
    if (!err) err = agree(s, pca_prune(&s->G, &s->T, &s->o, &s->sel, &s->ms), "pruning");
    if (!err && s->h->rank == 0) log_variants(s);
    if (!err && s->ms < (size_t)s->o.pcs + 2)
        err =
            rgx_fail(RGX_ERR_INPUT, "pca: %zu variants left, too few for %d PCs", s->ms, s->o.pcs);
    if (!err && s->o.king) err = agree(s, kinship(s), "computing kinship");
    double t2 = wall_clock();
    if (!err) err = agree(s, pca_krylov(&s->G, s->sel, s->ms, &s->T, &s->o, &s->R), "the PCA");
    if (!err && s->drop) err = agree(s, project_dropped(s), "projecting the related samples");
    double t3 = wall_clock();
    if (!err && s->h->rank == 0)
        log_info("pca: reading %.2f s, pruning %.2f s, Krylov %.2f s (%zu iterations, dimension "
                 "%zu, largest relative residual %.2g); eigenvalues %.4g .. %.4g",
                 t1 - t0, t2 - t1, t3 - t2, s->R.iterations, s->R.rank_space, s->R.residual,
                 s->R.eigval[0],
                 s->R.eigval[s->R.K - 1]);
    return err;
}

/* pca --project: the samples' scores on a reference PCA (pca_project.h). */
static rgx_err project(stage_t *s)
{
    pca_reference_t ref;
    h5out_t *h = s->h;
    rgx_err err = agree(s, pca_reference_read(s->in->project, &ref), "reading the reference");
    double *mine = NULL;
    if (!err) err = pca_geno_read(&s->G, &s->T, s->path, s->ids, &s->o, &ref.ref);
    if (!err && h->rank == 0)
        log_info("pca --project: %zu of the reference's %zu variants found (%ld records not in "
                 "it); the others count as the reference mean",
                 s->G.m, ref.ref.m, s->G.n_not_in_ref);
    size_t K = ref.K;
    if (!err) err = rgx_calloc(&mine, (s->T.n_rows ? s->T.n_rows : 1) * K, sizeof *mine);
    if (!err) err = rgx_calloc(&s->scores, (s->n ? s->n : 1) * K, sizeof *s->scores);
    if (!err) err = pca_project_scores(&s->G, &s->T, &ref, mine);
    if (!err) err = pca_gather_scores(&s->T, mine, K, s->scores);
    if (!err) err = h5out_write_strings_all(h, RF_PCA_SAMPLES, s->n, (const char *const *)s->ids);
    if (!err) err = h5out_write_all(h, RF_PCA_SCORES, H5T_NATIVE_DOUBLE, s->n, K, s->scores);
    if (!err) err = h5out_write_all(h, RF_PCA_EIGENVALUES, H5T_NATIVE_DOUBLE, K, 0, ref.eigval);
    if (!err) err = h5out_attr_str(h, RF_PCA, "projected_from", s->in->project);
    if (!err) err = h5out_attr_long(h, RF_PCA, "variants_reference", (long)ref.ref.m);
    if (!err) err = h5out_attr_long(h, RF_PCA, "variants_found", (long)s->G.m);
    int bad = 0;
    if (!err && s->in->prefix && h->rank == 0) {
        pca_result_t R = {.K = K, .eigval = ref.eigval};
        bad = (err = pca_out_text(s->in->prefix, s->n, s->ids, &R, s->scores)) != RGX_OK;
    }
    if (!err) err = agree(s, bad ? RGX_ERR_IO : RGX_OK, "writing the .eigenvec");
    free(mine);
    pca_reference_free(&ref);
    return err;
}

rgx_err pca_stage(const cfg_t *cfg, const pca_inputs_t *in, h5out_t *h)
{
    stage_t *s = calloc(1, sizeof *s);
    if (!s) return rgx_fail(RGX_ERR_MEMORY, "out of memory");
    s->in = in, s->h = h;
    pca_opts_read(cfg, &s->o);
    rgx_err err = split_sites(s);
    if (!err) err = join(s);
    err = agree(s, err, "reading the samples");
    if (!err) err = pca_tiles_init(&s->T, s->site_row, s->n_sites, h->comm);
    if (!err && in->project) {
        err = project(s);
        goto done;
    }
    if (!err) err = compute(s);
    if (!err) err = rgx_calloc(&s->scores, s->n * s->R.K, sizeof *s->scores);
    if (!err) err = pca_gather_scores(&s->T, s->R.scores, s->R.K, s->scores);
    if (!err) err = pca_out_write(h, &s->T, s->ids, &s->G, s->sel, &s->R, s->scores, &s->o);
    if (!err && s->o.king)
        err = pca_out_king(h, s->ids, s->n, s->pairs, s->np, s->n_pairs_all, s->drop, &s->o,
                           s->n_sites == 1);
    int bad = 0;
    if (!err && in->prefix && h->rank == 0)
        bad = (err = pca_out_text(in->prefix, s->n, s->ids, &s->R, s->scores)) != RGX_OK;
    if (!err && !bad && in->prefix && h->rank == 0 && s->o.king)
        bad = (err = pca_out_kin0(in->prefix, s->ids, s->pairs, s->np, s->o.king_table_filter)) !=
              RGX_OK;
    if (!err) err = agree(s, bad ? RGX_ERR_IO : RGX_OK, "writing the .eigenvec");
done:
    if (!err && h->rank == 0 && in->prefix)
        log_info("pca: %s.eigenvec and %s.eigenval written", in->prefix, in->prefix);
    pca_result_free(&s->R);
    pca_geno_free(&s->G);
    pca_tiles_free(&s->T);
    for (size_t i = 0; i < s->n_cand; i++) free(s->cand[i]);
    free(s->cand), free(s->ids), free(s->gcopy), free(s->sel), free(s->scores);
    free(s->pairs), free(s->drop), free(s->drop_mine);
    free(s);
    return err;
}
