/* pca_out.c — see pca_out.h. */
#include "pca_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "util.h"
#include "runfile.h"

rgx_err pca_gather_scores(const pca_tiles_t *T, const double *mine, size_t K, double *all)
{
    int P = T->size, *cnt = NULL, *dsp = NULL;
    double *buf = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&cnt, (size_t)P, sizeof *cnt)) ||
        (err = rgx_calloc(&dsp, (size_t)P, sizeof *dsp)) ||
        (err = rgx_calloc(&buf, (T->n ? T->n : 1) * K, sizeof *buf)))
        goto out;
    for (size_t k = 0; k < T->nt; k++) cnt[T->tile[k].owner] += (int)(T->tile[k].n * K);
    for (int r = 1; r < P; r++) dsp[r] = dsp[r - 1] + cnt[r - 1];
    MPI_Allgatherv(mine, (int)(T->n_rows * K), MPI_DOUBLE, buf, cnt, dsp, MPI_DOUBLE, T->comm);
    /* Each rank's block holds its tiles in tile order. */
    int *at = cnt; /* reused: where each rank's next tile starts in buf */
    for (int r = 0; r < P; r++) at[r] = dsp[r];
    for (size_t k = 0; k < T->nt; k++) {
        const pca_tile_t *t = &T->tile[k];
        memcpy(all + t->row0 * K, buf + at[t->owner], t->n * K * sizeof *all);
        at[t->owner] += (int)(t->n * K);
    }
out:
    free(cnt), free(dsp), free(buf);
    return err;
}

static rgx_err write_variants(h5out_t *h, const pca_geno_t *G, const size_t *sel, size_t ms)
{
    const char **s = NULL;
    double *v = NULL;
    rgx_err err = rgx_calloc(&s, ms ? ms : 1, sizeof *s);
    if (!err) err = rgx_calloc(&v, ms ? ms : 1, sizeof *v);
    char *const *cols[3] = {G->id, G->ref, G->alt};
    static const char *const names[3] = {RF_PCA_VARIANTS_ID, RF_PCA_VARIANTS_REF,
                                         RF_PCA_VARIANTS_ALT};
    for (size_t j = 0; !err && j < ms; j++) s[j] = G->chrom_name[G->chrom[sel[j]]];
    if (!err) err = h5out_write_strings_all(h, RF_PCA_VARIANTS_CHROM, ms, s);
    for (int c = 0; c < 3 && !err; c++) {
        for (size_t j = 0; j < ms; j++) s[j] = cols[c][sel[j]];
        err = h5out_write_strings_all(h, names[c], ms, s);
    }
    for (size_t j = 0; !err && j < ms; j++) v[j] = (double)G->pos[sel[j]];
    if (!err) err = h5out_write_all(h, RF_PCA_VARIANTS_POS, H5T_NATIVE_DOUBLE, ms, 0, v);
    for (size_t j = 0; !err && j < ms; j++) v[j] = G->af[sel[j]];
    if (!err) err = h5out_write_all(h, RF_PCA_VARIANTS_AF, H5T_NATIVE_DOUBLE, ms, 0, v);
    free(s), free(v);
    return err;
}

rgx_err pca_out_write(h5out_t *h, const pca_tiles_t *T, char *const *ids, const pca_geno_t *G,
                      const size_t *sel, const pca_result_t *R, const double *scores,
                      const pca_opts_t *o)
{
    size_t K = R->K, ms = R->ms;
    rgx_err err = h5out_write_strings_all(h, RF_PCA_SAMPLES, T->n, (const char *const *)ids);
    if (!err) err = h5out_write_all(h, RF_PCA_SCORES, H5T_NATIVE_DOUBLE, T->n, K, scores);
    if (!err) err = h5out_write_all(h, RF_PCA_EIGENVALUES, H5T_NATIVE_DOUBLE, K, 0, R->eigval);
    if (!err) err = h5out_write_all(h, RF_PCA_LOADINGS, H5T_NATIVE_DOUBLE, ms, K, R->loading);
    if (!err) err = write_variants(h, G, sel, ms);
    const char *g = RF_PCA;
    if (!err)
        err = h5out_attr_str(h, g, "method",
                             "randomized block Krylov iteration (Musco & Musco 2015) on the "
                             "standardised genotypes (dosage - 2p) / sqrt(2p(1-p)), missing = 0; "
                             "eigenvalues of X X' / m, as plink2 --pca");
    if (!err) err = h5out_attr_long(h, g, "pcs", (long)K);
    if (!err) err = h5out_attr_long(h, g, "iterations", (long)R->iterations);
    if (!err) err = h5out_attr_long(h, g, "iterations_max", o->iterations);
    if (!err) err = h5out_attr_double(h, g, "tolerance", o->tol);
    if (!err) err = h5out_attr_double(h, g, "residual", R->residual);
    if (!err) err = h5out_attr_long(h, g, "krylov_dimension", (long)R->rank_space);
    if (!err) err = h5out_attr_long(h, g, "seed", (long)o->seed);
    if (!err) err = h5out_attr_long(h, g, "samples", (long)T->n);
    if (!err) err = h5out_attr_long(h, g, "sites", (long)T->n_sites);
    if (!err) err = h5out_attr_long(h, g, "variants_read", G->n_records);
    if (!err) err = h5out_attr_long(h, g, "variants_ld_regions", G->n_region);
    if (!err) err = h5out_attr_long(h, g, "variants_qc_passed", (long)G->m);
    if (!err) err = h5out_attr_long(h, g, "variants_used", (long)ms);
    if (!err) err = h5out_attr_double(h, g, "maf", o->qc.maf);
    if (!err) err = h5out_attr_double(h, g, "call_rate", o->qc.call_rate);
    if (!err) err = h5out_attr_double(h, g, "hwe", o->qc.hwe);
    if (!err) err = h5out_attr_str(h, g, "ld_regions", o->ld_regions);
    char pr[128];
    if (!o->prune)
        snprintf(pr, sizeof pr, "none");
    else if (o->prune_window_kb > 0)
        snprintf(pr, sizeof pr, "%gkb %ld %g", o->prune_window_kb, o->prune_step, o->prune_r2);
    else
        snprintf(pr, sizeof pr, "%ld %ld %g", o->prune_window, o->prune_step, o->prune_r2);
    if (!err) err = h5out_attr_str(h, g, "indep_pairwise", pr);
    return err;
}

rgx_err pca_out_text(const char *prefix, size_t n, char *const *ids, const pca_result_t *R,
                     const double *scores)
{
    strbuf_t p = {0};
    outfile_t of = {0}; /* each file under a temporary name, renamed when complete */
    rgx_err err = sb_printf(&p, "%s.eigenvec", prefix);
    if (!err) err = outfile_open(&of, p.s);
    FILE *f = err ? NULL : of.f;
    if (f) {
        fputs("#IID", f);
        for (size_t k = 0; k < R->K; k++) fprintf(f, "\tPC%zu", k + 1);
        fputc('\n', f);
        for (size_t i = 0; i < n; i++) {
            fputs(ids[i], f);
            for (size_t k = 0; k < R->K; k++) fprintf(f, "\t%.10g", scores[i * R->K + k]);
            fputc('\n', f);
        }
        err = outfile_commit(&of);
    }
    p.len = 0;
    if (!err) err = sb_printf(&p, "%s.eigenval", prefix);
    if (!err) err = outfile_open(&of, p.s);
    f = err ? NULL : of.f;
    if (f) {
        for (size_t k = 0; k < R->K; k++) fprintf(f, "%.10g\n", R->eigval[k]);
        err = outfile_commit(&of);
    }
    free(p.s);
    return err;
}

rgx_err pca_out_king(h5out_t *h, char *const *ids, size_t n, const king_pair_t *pairs, size_t np,
                     size_t n_all, const char *drop, const pca_opts_t *o, int one_file)
{
    size_t nr = 0;
    for (size_t k = 0; k < np; k++) nr += pairs[k].kinship > o->king_threshold;
    double *v = NULL, *rel = NULL;
    const char **s1 = NULL, **s2 = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&v, (nr ? nr : 1) * 6, sizeof *v)) ||
        (err = rgx_calloc(&s1, nr ? nr : 1, sizeof *s1)) ||
        (err = rgx_calloc(&s2, nr ? nr : 1, sizeof *s2)) ||
        (err = rgx_calloc(&rel, n ? n : 1, sizeof *rel)))
        goto out;
    for (size_t k = 0, r = 0; k < np; k++) {
        const king_pair_t *p = &pairs[k];
        if (!(p->kinship > o->king_threshold)) continue;
        double row[6] = {(double)p->i, (double)p->j, p->nsnp, p->hethet, p->ibs0, p->kinship};
        memcpy(v + 6 * r, row, sizeof row);
        s1[r] = ids[p->i], s2[r++] = ids[p->j];
    }
    err = h5out_write_all(h, RF_PCA_KING_VALUES, H5T_NATIVE_DOUBLE, nr, 6, v);
    if (!err) err = h5out_write_strings_all(h, RF_PCA_KING_SAMPLE1, nr, s1);
    if (!err) err = h5out_write_strings_all(h, RF_PCA_KING_SAMPLE2, nr, s2);
    if (!err)
        err = h5out_attr_str(h, RF_PCA_KING_VALUES, "columns",
                             "row1 row2 nsnp hethet ibs0 kinship (KING-robust, as plink2)");
    if (!err) err = h5out_attr_double(h, RF_PCA_KING, "threshold", o->king_threshold);
    if (!err) err = h5out_attr_long(h, RF_PCA_KING, "pairs_computed", (long)n_all);
    if (!err)
        err = h5out_attr_str(h, RF_PCA_KING, "scope",
                             one_file ? "every pair of samples"
                                      : "pairs within each site only (no genotype crosses sites)");
    for (size_t i = 0; drop && i < n; i++) rel[i] = drop[i];
    if (!err && drop) err = h5out_write_all(h, RF_PCA_RELATED, H5T_NATIVE_DOUBLE, n, 0, rel);
out:
    free(v), free(rel), free(s1), free(s2);
    return err;
}

rgx_err pca_out_kin0(const char *prefix, char *const *ids, const king_pair_t *pairs, size_t np,
                     double filter)
{
    strbuf_t p = {0};
    outfile_t of = {0}; /* under a temporary name, renamed when complete (outfile.h) */
    rgx_err err = sb_printf(&p, "%s.kin0", prefix);
    if (!err) err = outfile_open(&of, p.s);
    FILE *f = err ? NULL : of.f;
    if (f) {
        fputs("#IID1\tIID2\tNSNP\tHETHET\tIBS0\tKINSHIP\n", f);
        for (size_t k = 0; k < np; k++)
            if (pairs[k].kinship > filter)
                fprintf(f, "%s\t%s\t%.0f\t%.10g\t%.10g\t%.10g\n", ids[pairs[k].i], ids[pairs[k].j],
                        pairs[k].nsnp, pairs[k].hethet, pairs[k].ibs0, pairs[k].kinship);
        err = outfile_commit(&of);
    }
    free(p.s);
    return err;
}
