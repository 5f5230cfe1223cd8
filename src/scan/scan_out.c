/* scan_out.c — see scan_out.h. */
#include "scan_out.h"

#include <malloc.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "scan_study.h"
#include "util.h"
#include "runfile.h"

enum { HIST_BINS = 2000 }; /* lambda_GC: -log10 p in [0, 2) by 0.001 */

static const char *const vstr[4] = {RF_VARIANTS_CHROM, RF_VARIANTS_ID, RF_VARIANTS_REF,
                                    RF_VARIANTS_ALT};
static const char *const vnum[BLK_NUM] = {
    RF_VARIANTS_POS, RF_VARIANTS_AF,  RF_VARIANTS_CALL_RATE, RF_VARIANTS_HWE_P,
    RF_VARIANTS_N,   RF_VARIANTS_MAC, RF_VARIANTS_QC,        RF_VARIANTS_MODEL};
static const char *const aname[2] = {RF_ASSOC_XTY, RF_ASSOC_GTG};
static const char *const fname[5] = {RF_ASSOC_BETA, RF_ASSOC_SE, RF_ASSOC_LOG10P,
                                     RF_ASSOC_LR_LOG10P, RF_ASSOC_TEST};

/* The rows of a compressed dataset's chunk: the largest divisor of the block size B whose
 * rows fit in 1 MiB, so that a block's rows are whole chunks (blocks start at multiples of B
 * where the model does not change).  A chunk that two writes share would be read back,
 * decompressed and compressed again: three times the writing time of the aligned ones. */
static hsize_t chunk_rows(hsize_t B, size_t row_bytes)
{
    hsize_t best = 1;
    for (hsize_t d = 1; d <= B; d++)
        if (B % d == 0 && d * row_bytes <= ((size_t)1 << 20)) best = d;
    return best;
}

rgx_err scan_out_open(scan_out_t *out, h5out_t *h, const scan_opts_t *o, long n_rows, size_t p,
                      const scan_blk_t *shape)
{
    memset(out, 0, sizeof *out);
    out->h = h, out->o = o, out->p = p;
    for (int k = 0; k < 4 + BLK_NUM; k++) out->ds[k] = H5I_INVALID_HID;
    for (int k = 0; k < 4; k++) out->str_t[k] = H5I_INVALID_HID;
    for (int k = 0; k < 5; k++) out->assoc[k] = H5I_INVALID_HID;
    memcpy(out->w, shape->w, sizeof out->w);
    out->ng = shape->ng, out->fitted = shape->fitted;
    hsize_t chunk = (hsize_t)(o->block < 1 ? 1 : o->block), V = (hsize_t)n_rows;
    rgx_err err = RGX_OK;
    for (int k = 0; k < 4; k++) {
        out->str_t[k] = H5Tcopy(H5T_C_S1);
        H5Tset_size(out->str_t[k], (size_t)out->w[k] + 1);
    }
    for (int k = 0; k < 4 && !err; k++)
        err = h5out_matrix_create(h, vstr[k], out->str_t[k], V, 0, chunk, H5OUT_PLAIN, 0,
                                  &out->ds[k]);
    for (int k = 0; k < BLK_NUM && !err; k++)
        err = h5out_matrix_create(h, vnum[k],
                                  runfile_kind(vnum[k]) == RF_INT8 ? H5T_NATIVE_INT8
                                                                   : H5T_NATIVE_DOUBLE,
                                  V, 0, chunk, H5OUT_PLAIN, 0, &out->ds[4 + k]);
    /* A compressed store: blocks of up to 32 MB from the heap, and freed memory kept there (up
     * to 1 GB).  glibc maps each block of over 128 kB anew, and every first touch of a page is
     * a fault: HDF5's and the zstd filter's chunk buffers (1 MB, two a chunk) cost the scan
     * 0.5 s a rank so (docs/performance.md). */
    if (o->compress > 0) mallopt(M_MMAP_THRESHOLD, 32 << 20), mallopt(M_TRIM_THRESHOLD, 1 << 30);
    size_t cols[5] = {p, out->ng, p, p, p};
    for (int k = 0; k < (out->fitted ? 5 : 2) && !err; k++) {
        size_t c = out->fitted ? p : cols[k];
        err = h5out_matrix_create(h, out->fitted ? fname[k] : aname[k], H5T_NATIVE_DOUBLE, V, c,
                                  chunk_rows(chunk, c * sizeof(double)), H5OUT_ZSTD,
                                  o->compress, &out->assoc[k]);
    }
    size_t B = shape->B, P = p ? p : 1;
    if (!err) err = rgx_calloc(&out->hist, P * (HIST_BINS + 1), sizeof *out->hist);
    long widest = 0;
    for (int k = 0; k < 4; k++) widest = out->w[k] > widest ? out->w[k] : widest;
    if (!err) err = rgx_calloc(&out->col, B * ((size_t)widest + 1), 1);
    if (!err) err = rgx_calloc(&out->numcol, B, sizeof *out->numcol);
    return err;
}

rgx_err scan_out_tally(scan_out_t *out, const scan_blk_t *k)
{
    size_t p = out->p;
    double thr = out->o->hits;
    rgx_err err = RGX_OK;
    for (size_t k0 = 0; !err && k0 < p; k0 += 32) /* 32 phenotypes' histograms in cache */
        for (size_t j = 0; !err && j < k->b; j++)
            for (size_t c = k0; c < k0 + 32 && c < p; c++) {
                double x = k->mlp[j * p + c];
                if (isnan(x)) continue;
                long bin = x >= 2 ? HIST_BINS : (long)(x * 1000);
                out->hist[c * (HIST_BINS + 1) + (size_t)bin]++;
                if (x < thr) continue;
                if ((err = rgx_reserve(&out->hits, &out->cap_hits, out->n_hits + 1,
                                       sizeof *out->hits)))
                    break;
                out->hits[out->n_hits++] = (scan_hit_t){k->row0 + (long)j, (int)c,
                                                        k->beta[j * p + c], k->se[j * p + c], x};
            }
    return err;
}

rgx_err scan_out_write(scan_out_t *out, const scan_blk_t *k)
{
    h5out_t *h = out->h;
    size_t b = k->b, off = 0;
    hsize_t row0 = (hsize_t)k->row0;
    rgx_err err = RGX_OK;
    for (int f = 0; f < 4 && !err; f++) { /* strings column by column out of the packed buffer */
        size_t cw = (size_t)out->w[f] + 1;
        for (size_t j = 0; j < b; j++) memcpy(out->col + j * cw, k->sbuf + j * k->sw + off, cw);
        err = h5out_matrix_write(h, out->ds[f], out->str_t[f], row0, b, out->col);
        off += cw;
    }
    for (int f = 0; f < BLK_NUM && !err; f++) {
        for (size_t j = 0; j < b; j++) out->numcol[j] = k->num[j * BLK_NUM + (size_t)f];
        err = h5out_matrix_write(h, out->ds[4 + f], H5T_NATIVE_DOUBLE, row0, b, out->numcol);
    }
    const double *x[5] = {k->xty, k->gtg};
    if (out->fitted) x[0] = k->beta, x[1] = k->se, x[2] = k->mlp, x[3] = k->lr, x[4] = k->test;
    for (int f = 0; f < (out->fitted ? 5 : 2) && !err; f++)
        err = h5out_matrix_write(h, out->assoc[f], H5T_NATIVE_DOUBLE, row0, b, x[f]);
    return err;
}

/* lambda_GC of phenotype k from its pooled histogram: the median chi-square over 0.4549. */
static double lambda_gc(const unsigned *hk)
{
    unsigned long tot = 0;
    for (int b = 0; b <= HIST_BINS; b++) tot += hk[b];
    double half = 0.5 * (double)tot, acc = 0, med = NAN;
    for (int b = 0; b <= HIST_BINS && tot; b++) {
        if (acc + hk[b] >= half) { /* -log10 p sorted ascending = p descending */
            med = b == HIST_BINS ? 2.0 : (b + (half - acc) / (double)hk[b]) * 0.001;
            break;
        }
        acc += hk[b];
    }
    return tot ? gsl_cdf_chisq_Qinv(pow(10, -med), 1) / gsl_cdf_chisq_Qinv(0.5, 1) : NAN;
}

/* Hits by variant row, then phenotype. */
static int hit_order(const void *a, const void *b)
{
    const scan_hit_t *x = a, *y = b;
    if (x->row != y->row) return x->row < y->row ? -1 : 1;
    return (x->pheno > y->pheno) - (x->pheno < y->pheno);
}

/* /hits: gathered on every rank, sorted by variant row then phenotype. */
static rgx_err write_hits(scan_out_t *out, const char **pn, size_t *n_hits)
{
    h5out_t *h = out->h;
    int size = h->size;
    rgx_err err = RGX_OK;
    int mine = (int)(out->n_hits * sizeof(scan_hit_t)), tot = 0;
    int *lens = calloc((size_t)size, sizeof *lens), *offs = calloc((size_t)size, sizeof *offs);
    scan_hit_t *all = NULL;
    double *hv = NULL;
    const char **hp = NULL;
    if (!lens || !offs) {
        err = rgx_fail(RGX_ERR_MEMORY, "out of memory for the hits");
        goto out;
    }
    MPI_Allgather(&mine, 1, MPI_INT, lens, 1, MPI_INT, h->comm);
    for (int r = 0; r < size; r++) offs[r] = tot, tot += lens[r];
    size_t nh = (size_t)tot / sizeof(scan_hit_t);
    if ((err = rgx_calloc(&all, nh + 1, sizeof *all)) ||
        (err = rgx_calloc(&hv, (nh ? nh : 1) * 4, sizeof *hv)) ||
        (err = rgx_calloc(&hp, nh ? nh : 1, sizeof *hp)))
        goto out;
    MPI_Allgatherv(out->hits ? (void *)out->hits : (void *)all, mine, MPI_BYTE, all, lens, offs,
                   MPI_BYTE, h->comm);
    qsort(all, nh, sizeof *all, hit_order);
    for (size_t i = 0; i < nh; i++) {
        hv[i * 4] = (double)all[i].row, hv[i * 4 + 1] = all[i].beta, hv[i * 4 + 2] = all[i].se;
        hv[i * 4 + 3] = all[i].mlp;
        hp[i] = pn[all[i].pheno];
    }
    err = h5out_write_all(h, RF_HITS_VALUES, H5T_NATIVE_DOUBLE, nh, 4, hv);
    if (!err) err = h5out_write_strings_all(h, RF_HITS_PHENOTYPE, nh, hp);
    if (!err) err = h5out_attr_str(h, RF_HITS_VALUES, "columns", "variant_row beta se log10p");
    if (!err) err = h5out_attr_double(h, RF_HITS, "threshold", out->o->hits);
    *n_hits = nh;
out:
    free(all), free(hv), free(hp), free(lens), free(offs);
    return err;
}

/* The attributes that describe /assoc, /variants and /phenotypes. */
/* /assoc of binary and time-to-event outcomes: what each dataset holds. */
static rgx_err fitted_attributes(h5out_t *h, int kind)
{
    int bin = kind == SCAN_BINARY;
    rgx_err err = h5out_attr_str(h, RF_ASSOC, "outcome", bin ? "binary" : "time-to-event");
    if (!err)
        err = h5out_attr_str(h, RF_ASSOC_BETA, "meaning",
                             bin ? "log odds ratio of the ALT allele (logistic regression, or "
                                   "the one-step score estimate U/V where test = 1)"
                                 : "log hazard ratio of the ALT allele (Cox, Efron ties; the "
                                   "one-step score estimate U/V where test = 1)");
    if (!err) err = h5out_attr_str(h, RF_ASSOC_SE, "meaning", "standard error of beta");
    if (!err)
        err = h5out_attr_str(h, RF_ASSOC_LOG10P, "meaning",
                             "-log10 p of the test in /assoc/test (Wald for fitted pairs)");
    if (!err)
        err = h5out_attr_str(h, RF_ASSOC_LR_LOG10P, "meaning",
                             "-log10 p of the likelihood-ratio test of fitted pairs (Firth: "
                             "penalised likelihood ratio); NaN for score-tested pairs");
    if (!err)
        err = h5out_attr_str(h, RF_ASSOC_TEST, "codes",
                             bin ? "0 no test; 1 score; 2 logistic Wald; 3 Firth Wald"
                                 : "0 no test; 1 score; 2 Cox Wald");
    return err;
}

static rgx_err write_attributes(h5out_t *h, const scan_opts_t *o, const joined_t *J,
                                const long qc_count[Q_N], const scan_rows_t *rows)
{
    const long *n_skip = rows->n_skip;
    rgx_err err = h5out_attr_str(h, RF_PHENOTYPES, "transform",
                                 o->int_transform ? "rank-based inverse normal" : "none");
    if (!err)
        err = h5out_attr_str(h, RF_PHENOTYPES_LAMBDA_GC, "method",
                             "median chi-square (from -log10 p binned by 0.001) / 0.4549");
    if (!err && o->outcome != SCAN_QUANT) err = fitted_attributes(h, o->outcome);
    if (!err && o->outcome == SCAN_QUANT)
        err = h5out_attr_str(h, RF_ASSOC_XTY, "meaning",
                             "g'y~: the ALT dosage times the residualised phenotype, summed over "
                             "the phenotype's complete cases");
    if (!err && o->outcome == SCAN_QUANT)
        err = h5out_attr_str(h, RF_ASSOC_GTG, "meaning",
                             "g~'g~: the ALT dosage residualised on the covariates, squared and "
                             "summed over each missingness group's rows (NaN: no test)");
    if (!err && o->outcome == SCAN_QUANT)
        err = h5out_attr_str(h, RF_ASSOC, "derivation",
                             "beta = xty / gtg[group]; se = sqrt((yty - beta xty) / df / "
                             "gtg[group]); -log10 p of the two-sided t test with df degrees of "
                             "freedom (yty, df, group in /phenotypes); effect allele ALT");
    if (!err)
        err = h5out_attr_str(h, RF_VARIANTS_QC, "codes",
                             "1 tested; 2 call rate; 3 maf; 4 mac; 5 hwe; 6 monomorphic");
    for (int k = 1; k < Q_N && !err; k++) {
        char an[64];
        snprintf(an, sizeof an, "variants_%s", vqc_name[k]);
        err = h5out_attr_long(h, RF_VARIANTS, an, qc_count[k]);
    }
    if (!err)
        err = h5out_attr_long(h, RF_VARIANTS, "multiallelic_skipped",
                              n_skip[GENO_SKIP_MULTIALLELIC]);
    if (!err) err = h5out_attr_long(h, RF_VARIANTS, "no_alt_skipped", n_skip[GENO_SKIP_NO_ALT]);
    if (!err)
        err = h5out_attr_long(h, RF_VARIANTS, "chry_mt_skipped", rows->n_skip_contig);
    if (!err)
        err =
            h5out_attr_str(h, RF_VARIANTS_MODEL, "codes",
                           "0 the covariates; 1 chrX: the covariates and sex (/phenotypes/chrx_*)");
    if (!err) err = h5out_attr_long(h, RF_PHENOTYPES, "not_scanned", (long)J->n_pheno_dropped);
    if (!err) err = h5out_attr_long(h, RF_PHENOTYPES, "samples", (long)J->n);
    strbuf_t cov = {0}; /* the covariates, for the exports' metadata (the intercept is C's 0) */
    for (size_t c = 1; !err && c < J->q; c++)
        err = sb_printf(&cov, "%s%s", c > 1 ? "," : "", J->cname[c]);
    if (!err) err = h5out_attr_str(h, RF_PHENOTYPES, "covariates", cov.s ? cov.s : "");
    free(cov.s);
    return err;
}

rgx_err scan_out_finish(scan_out_t *out, const scan_model_t *M, int n_models, const scan_fit_t *F,
                        const joined_t *J, const table_t *ph, const long qc_count_in[Q_N],
                        const scan_rows_t *rows)
{
    h5out_t *h = out->h;
    size_t p = out->p, P = p ? p : 1;
    for (int k = 0; k < 5; k++)
        if (out->assoc[k] != H5I_INVALID_HID)
            H5Dclose(out->assoc[k]), out->assoc[k] = H5I_INVALID_HID;
    long qc_count[Q_N];
    MPI_Allreduce(MPI_IN_PLACE, out->hist, (int)(p * (HIST_BINS + 1)), MPI_UNSIGNED, MPI_SUM,
                  h->comm);
    MPI_Allreduce(qc_count_in, qc_count, Q_N, MPI_LONG, MPI_SUM, h->comm);
    double *lambda = NULL, *nobs = NULL, *grp = NULL;
    const char **pn = NULL;
    rgx_err err;
    if ((err = rgx_calloc(&lambda, P, sizeof *lambda)) ||
        (err = rgx_calloc(&nobs, P, sizeof *nobs)) || (err = rgx_calloc(&grp, P, sizeof *grp)) ||
        (err = rgx_calloc(&pn, P, sizeof *pn)))
        goto out;
    for (size_t k = 0; k < p; k++) {
        lambda[k] = lambda_gc(out->hist + k * (HIST_BINS + 1));
        if (F) continue;
        nobs[k] = (double)M[0].n_obs[k];
        grp[k] = M[0].group[k];
    }
    if (F)
        for (size_t k = 0; k < p; k++) pn[k] = F->names[k];
    else
        for (size_t j = 0, k = 0; j < J->p; j++) /* the names of the kept columns */
            if (J->keep[j]) pn[k++] = ph->name[j];
    err = h5out_write_strings_all(h, RF_PHENOTYPES_NAMES, p, pn);
    if (!err && !F) err = h5out_write_all(h, RF_PHENOTYPES_N, H5T_NATIVE_DOUBLE, p, 0, nobs);
    if (!err) err = h5out_write_all(h, RF_PHENOTYPES_LAMBDA_GC, H5T_NATIVE_DOUBLE, p, 0, lambda);
    if (!err && F) err = scan_fit_write(F, h);
    if (!err && !F) err = h5out_write_all(h, RF_PHENOTYPES_YTY, H5T_NATIVE_DOUBLE, p, 0, M[0].yty);
    if (!err && !F) err = h5out_write_all(h, RF_PHENOTYPES_DF, H5T_NATIVE_DOUBLE, p, 0, M[0].df);
    if (!err && !F && n_models > 1)
        err = h5out_write_all(h, RF_PHENOTYPES_CHRX_YTY, H5T_NATIVE_DOUBLE, p, 0, M[1].yty);
    if (!err && !F && n_models > 1)
        err = h5out_write_all(h, RF_PHENOTYPES_CHRX_DF, H5T_NATIVE_DOUBLE, p, 0, M[1].df);
    if (!err && !F)
        err = h5out_write_all(h, RF_PHENOTYPES_GROUP, H5T_NATIVE_DOUBLE, p, 0, grp);
    if (!err) err = write_attributes(h, out->o, J, qc_count, rows);
    size_t nh = 0;
    if (!err) err = write_hits(out, pn, &nh);
    if (!err) err = scan_study_write(h, M, out->o);
    if (h->rank == 0 && !err)
        log_info("scan: %ld variants tested x %zu phenotypes; %zu hits at -log10 p >= %g",
                 qc_count[Q_PASS], p, nh, out->o->hits);
out:
    free(lambda), free(nobs), free(grp), free(pn);
    return err;
}

void scan_out_close(scan_out_t *out)
{
    for (int k = 0; k < 4 + BLK_NUM; k++)
        if (out->ds[k] != H5I_INVALID_HID) H5Dclose(out->ds[k]);
    for (int k = 0; k < 4; k++)
        if (out->str_t[k] != H5I_INVALID_HID) H5Tclose(out->str_t[k]);
    for (int k = 0; k < 5; k++)
        if (out->assoc[k] != H5I_INVALID_HID) H5Dclose(out->assoc[k]);
    free(out->hist), free(out->hits), free(out->col), free(out->numcol);
    memset(out, 0, sizeof *out);
}
