/* loci.c — see loci.h. */
#include "loci.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5in.h"
#include "log.h"
#include "outfile.h"
#include "strmap.h"
#include "util.h"
#include "runfile.h"

static const char *const ibsi_families[] = {"morph", "loc", "stat", "ih",  "ivh", "cm",
                                            "rlm",   "szm", "dzm",  "ngt", "ngl"};

/* The family of a phenotype that is not in /features: the IBSI tag's family when the name
 * ends in one (<channel>.<label>.<tag>, as features.tsv names its columns), else "-". */
static const char *family_of_name(const char *name)
{
    const char *tag = strrchr(name, '.');
    tag = tag ? tag + 1 : name;
    size_t k = strcspn(tag, "_");
    for (size_t f = 0; tag[k] && f < sizeof ibsi_families / sizeof *ibsi_families; f++)
        if (strlen(ibsi_families[f]) == k && !strncmp(tag, ibsi_families[f], k))
            return ibsi_families[f];
    return "-";
}

/* Each phenotype's family: /features/family of the feature of that name, if the run has it. */
static rgx_err read_families(loci_t *L, hid_t f)
{
    char **fn = NULL, **ff = NULL;
    size_t nf = 0, nf2 = 0;
    strmap_t m = {0};
    rgx_err err = rgx_calloc(&L->family, L->np ? L->np : 1, sizeof *L->family);
    if (!err && h5in_exists(f, RF_FEATURES_NAMES) && h5in_exists(f, RF_FEATURES_FAMILY) &&
        !(err = h5in_read_strings(f, RF_FEATURES_NAMES, &nf, &fn)) &&
        !(err = h5in_read_strings(f, RF_FEATURES_FAMILY, &nf2, &ff)) && nf2 == nf &&
        !(err = strmap_init(&m, nf)))
        for (size_t k = 0; k < nf && !err; k++) err = strmap_put(&m, fn[k], (long)k, NULL);
    for (size_t j = 0; j < L->np && !err; j++) {
        long k = m.n ? strmap_get(&m, L->pname[j]) : -1;
        err = rgx_strdup(&L->family[j], k >= 0 ? ff[k] : family_of_name(L->pname[j]));
    }
    strmap_free(&m);
    h5in_free_strings(fn, nf), h5in_free_strings(ff, nf2);
    return err;
}

/* Strongest first; ties by variant row, then phenotype. */
static const loci_hit_t *cmp_base;
static int by_strength(const void *a, const void *b)
{
    const loci_hit_t *x = &cmp_base[*(const size_t *)a], *y = &cmp_base[*(const size_t *)b];
    if (x->mlp != y->mlp) return x->mlp > y->mlp ? -1 : 1;
    if (x->row != y->row) return x->row < y->row ? -1 : 1;
    return (x->pheno > y->pheno) - (x->pheno < y->pheno);
}

/* Greedy clumping (loci.h); loci made in strength order. */
static rgx_err clump(loci_t *L, const int *cid)
{
    size_t nh = L->nh, *ord = NULL;
    rgx_err err = rgx_calloc(&ord, nh ? nh : 1, sizeof *ord);
    if (!err) err = rgx_calloc(&L->loc, nh ? nh : 1, sizeof *L->loc);
    if (err) goto out;
    for (size_t i = 0; i < nh; i++) ord[i] = i, L->hit[i].locus = SIZE_MAX;
    cmp_base = L->hit;
    qsort(ord, nh, sizeof *ord, by_strength);
    for (size_t t = 0; t < nh; t++) {
        const loci_hit_t *lead = &L->hit[ord[t]];
        if (lead->locus != SIZE_MAX) continue;
        size_t l = L->nl++;
        L->loc[l] = (locus_t){.lead = ord[t]};
        int c = cid[lead->row];
        double p0 = L->pos[lead->row];
        for (size_t i = 0; i < nh; i++) {
            loci_hit_t *h = &L->hit[i];
            if (h->locus == SIZE_MAX && cid[h->row] == c &&
                fabs(L->pos[h->row] - p0) <= L->window_bp)
                h->locus = l;
        }
    }
out:
    free(ord);
    return err;
}

static int by_count_desc(const void *a, const void *b)
{
    const size_t *x = a, *y = b; /* {count, family} */
    if (x[0] != y[0]) return x[0] > y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

/* Per locus: span, counts, families. */
static rgx_err summarise(loci_t *L)
{
    size_t *pst = NULL, *vst = NULL, *fam = NULL, *cnt = NULL, nfam = 0;
    strmap_t fm = {0};
    strbuf_t sb = {0};
    rgx_err err;
    if ((err = rgx_calloc(&pst, L->np ? L->np : 1, sizeof *pst)) ||
        (err = rgx_calloc(&vst, L->nv ? L->nv : 1, sizeof *vst)) ||
        (err = rgx_calloc(&fam, L->np ? L->np : 1, sizeof *fam)) ||
        (err = rgx_calloc(&cnt, 2 * (L->np ? L->np : 1), sizeof *cnt)) ||
        (err = strmap_init(&fm, L->np ? L->np : 1)))
        goto out;
    for (size_t j = 0; j < L->np && !err; j++) { /* families numbered in first-seen order */
        long old;
        if ((err = strmap_put(&fm, L->family[j], (long)nfam, &old))) break;
        fam[j] = old >= 0 ? (size_t)old : nfam++;
    }
    const char **fname = NULL;
    if (!err) err = rgx_calloc(&fname, nfam ? nfam : 1, sizeof *fname);
    for (size_t j = 0; !err && j < L->np; j++) fname[fam[j]] = L->family[j];
    for (size_t l = 0; l < L->nl && !err; l++) {
        locus_t *lc = &L->loc[l];
        lc->start = INFINITY, lc->end = -INFINITY;
        for (size_t k = 0; k < nfam; k++) cnt[2 * k] = 0, cnt[2 * k + 1] = k;
        for (size_t i = 0; i < L->nh; i++) {
            const loci_hit_t *h = &L->hit[i];
            if (h->locus != l) continue;
            double p = L->pos[h->row];
            lc->start = p < lc->start ? p : lc->start, lc->end = p > lc->end ? p : lc->end;
            lc->n_pairs++;
            if (pst[h->pheno] != l + 1) pst[h->pheno] = l + 1, lc->n_pheno++;
            if (vst[h->row] != l + 1) vst[h->row] = l + 1, lc->n_var++;
            cnt[2 * fam[h->pheno]]++;
        }
        qsort(cnt, nfam, 2 * sizeof *cnt, by_count_desc);
        sb.len = 0;
        for (size_t k = 0; k < nfam && cnt[2 * k] && !err; k++)
            err = sb_printf(&sb, "%s%s", k ? "," : "", fname[cnt[2 * k + 1]]);
        if (!err) err = rgx_strdup(&lc->families, sb.s ? sb.s : "");
        lc->study_wide = L->hit[lc->lead].mlp >= L->study_log10p;
    }
    free(fname);
out:
    strmap_free(&fm);
    free(pst), free(vst), free(fam), free(cnt), free(sb.s);
    return err;
}

static int by_lead_row(const void *a, const void *b)
{
    const locus_t *x = a, *y = b;
    const loci_hit_t *p = &cmp_base[x->lead], *q = &cmp_base[y->lead];
    if (p->row != q->row) return p->row < q->row ? -1 : 1;
    return (p->pheno > q->pheno) - (p->pheno < q->pheno);
}

/* Loci renumbered in genome order of their leads. */
static rgx_err genome_order(loci_t *L)
{
    size_t *newid = NULL;
    rgx_err err = rgx_calloc(&newid, L->nl ? L->nl : 1, sizeof *newid);
    if (err) return err;
    for (size_t l = 0; l < L->nl; l++) L->hit[L->loc[l].lead].locus = l; /* already so */
    cmp_base = L->hit;
    qsort(L->loc, L->nl, sizeof *L->loc, by_lead_row);
    for (size_t l = 0; l < L->nl; l++) newid[L->hit[L->loc[l].lead].locus] = l;
    for (size_t i = 0; i < L->nh; i++) L->hit[i].locus = newid[L->hit[i].locus];
    free(newid);
    return RGX_OK;
}

/* Chromosome names as small integers, per variant. */
static rgx_err chrom_ids(const loci_t *L, int **cid)
{
    strmap_t m = {0};
    rgx_err err = rgx_calloc(cid, L->nv ? L->nv : 1, sizeof **cid);
    if (!err) err = strmap_init(&m, 64);
    long n = 0;
    for (size_t v = 0; v < L->nv && !err; v++) {
        long old;
        if (!(err = strmap_put(&m, L->chrom[v], n, &old))) (*cid)[v] = (int)(old >= 0 ? old : n++);
    }
    strmap_free(&m);
    return err;
}

static rgx_err read_hits(loci_t *L, hid_t f, const char *path)
{
    double *hv = NULL;
    char **hp = NULL;
    size_t nh = 0, hc = 0, n2 = 0;
    strmap_t m = {0};
    rgx_err err = RGX_OK;
    if (!h5in_exists(f, RF_HITS_VALUES))
        return rgx_fail(RGX_ERR_INPUT, "%s: no /hits (was scan run?)", path);
    if ((err = h5in_read_doubles(f, RF_HITS_VALUES, &nh, &hc, &hv)) ||
        (err = h5in_read_strings(f, RF_HITS_PHENOTYPE, &n2, &hp)) ||
        (err = strmap_init(&m, L->np ? L->np : 1)))
        goto out;
    if (nh && (hc != 4 || n2 != nh)) {
        err = rgx_fail(RGX_ERR_INPUT,
                       "%s: /hits/values is %zu x %zu with %zu phenotypes; "
                       "expected n x 4 and n",
                       path, nh, hc, n2);
        goto out;
    }
    for (size_t j = 0; j < L->np && !err; j++) err = strmap_put(&m, L->pname[j], (long)j, NULL);
    if (!err) err = rgx_calloc(&L->hit, nh ? nh : 1, sizeof *L->hit);
    for (size_t i = 0; i < nh && !err; i++) {
        long j = strmap_get(&m, hp[i]);
        double r = hv[4 * i];
        if (j < 0 || !(r >= 0 && r < (double)L->nv && r == floor(r)))
            err = rgx_fail(RGX_ERR_INPUT,
                           "%s: /hits row %zu: variant row %.0f or phenotype '%s' "
                           "not in the run file",
                           path, i, r, hp[i]);
        else
            L->hit[L->nh++] =
                (loci_hit_t){(size_t)r, (size_t)j, hv[4 * i + 1], hv[4 * i + 2], hv[4 * i + 3], 0};
    }
out:
    strmap_free(&m);
    free(hv), h5in_free_strings(hp, n2);
    return err;
}

rgx_err loci_read(loci_t *L, hid_t f, const char *path, double window_kb, double r2)
{
    memset(L, 0, sizeof *L);
    size_t ni = 0, nr = 0, na = 0, np = 0, c0;
    int *cid = NULL;
    rgx_err err;
    /* A run file is an input here: every /variants column must have one row per variant (the
     * strings are freed with L->nv, so a short column is refused before anything else). */
    if ((err = h5in_read_strings(f, RF_PHENOTYPES_NAMES, &L->np, &L->pname)) ||
        (err = h5in_read_strings(f, RF_VARIANTS_CHROM, &L->nv, &L->chrom)) ||
        (err = h5in_read_strings(f, RF_VARIANTS_ID, &ni, &L->id)) ||
        (err = h5in_read_strings(f, RF_VARIANTS_REF, &nr, &L->ref)) ||
        (err = h5in_read_strings(f, RF_VARIANTS_ALT, &na, &L->alt)) ||
        (err = h5in_read_doubles(f, RF_VARIANTS_POS, &np, &c0, &L->pos))) {
        /* a column read before the failing one may be shorter than /variants/chrom */
    } else if (ni != L->nv || nr != L->nv || na != L->nv || np != L->nv) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: /variants columns have inconsistent sizes (chrom "
                       "%zu, id %zu, ref %zu, alt %zu, pos %zu)", path, L->nv, ni, nr, na, np);
    }
    if (err) { /* the columns freed with their own lengths, not L->nv as loci_free does */
        h5in_free_strings(L->id, ni), h5in_free_strings(L->ref, nr);
        h5in_free_strings(L->alt, na);
        L->id = L->ref = L->alt = NULL;
        return err;
    }
    L->hits_threshold = L->study_log10p = L->meff = L->r2 = NAN;
    double kb = 250;
    h5in_attr_double(f, RF_HITS, "threshold", &L->hits_threshold);
    h5in_attr_double(f, RF_PHENOTYPES, "study_threshold_log10p", &L->study_log10p);
    h5in_attr_double(f, RF_PHENOTYPES, "meff", &L->meff);
    h5in_attr_double(f, RF_HITS, "locus_window_kb", &kb);
    if (window_kb > 0) kb = window_kb;
    L->window_bp = kb * 1000;
    (void)r2;
    if ((err = read_hits(L, f, path)) || (err = read_families(L, f)) ||
        (err = chrom_ids(L, &cid)) || (err = clump(L, cid)) || (err = summarise(L)))
        goto out;
    err = genome_order(L);
out:
    free(cid);
    return err;
}

void loci_free(loci_t *L)
{
    for (size_t l = 0; L->loc && l < L->nl; l++) free(L->loc[l].families);
    for (size_t j = 0; L->family && j < L->np; j++) free(L->family[j]);
    free(L->loc), free(L->hit), free(L->family), free(L->pos);
    h5in_free_strings(L->chrom, L->nv), h5in_free_strings(L->id, L->nv);
    h5in_free_strings(L->ref, L->nv), h5in_free_strings(L->alt, L->nv);
    h5in_free_strings(L->pname, L->np);
    memset(L, 0, sizeof *L);
}

rgx_err loci_write_tsv(const loci_t *L, const char *path)
{
    outfile_t of = {0};
    size_t *seen = NULL;
    rgx_err err = outfile_open(&of, path);
    if (err) return err;
    FILE *o = of.f;
    err = rgx_calloc(&seen, L->np ? L->np : 1, sizeof *seen);
    fputs("locus\tchrom\tstart\tend\tlead_variant\tlead_pos\tlead_phenotype\tlead_beta\t"
          "lead_se\tlead_neg_log10_p\tstudy_wide\tn_phenotypes\tn_variants\tn_pairs\tfamilies\t"
          "phenotypes\n",
          o);
    for (size_t l = 0; l < L->nl && !err && !outfile_failed(&of); l++) {
        const locus_t *lc = &L->loc[l];
        const loci_hit_t *h = &L->hit[lc->lead];
        fprintf(o,
                "%zu\t%s\t%.0f\t%.0f\t%s\t%.0f\t%s\t%.10g\t%.10g\t%.10g\t%s\t%zu\t%zu\t%zu\t%s\t",
                l + 1, L->chrom[h->row], lc->start, lc->end, L->id[h->row], L->pos[h->row],
                L->pname[h->pheno], h->beta, h->se, h->mlp,
                isnan(L->study_log10p) ? "NA"
                : lc->study_wide       ? "yes"
                                       : "no",
                lc->n_pheno, lc->n_var, lc->n_pairs, lc->families);
        /* Its phenotypes in /phenotypes order. */
        int first = 1;
        for (size_t i = 0; i < L->nh; i++)
            if (L->hit[i].locus == l) seen[L->hit[i].pheno] = l + 1;
        for (size_t j = 0; j < L->np; j++)
            if (seen[j] == l + 1) fprintf(o, "%s%s", first ? "" : ",", L->pname[j]), first = 0;
        fputc('\n', o);
    }
    free(seen);
    if (!err) err = outfile_commit(&of);
    outfile_abort(&of);
    return err;
}

/* Stronger lead first; genome order among equals. */
static const loci_t *cmp_loci;
static int by_lead_mlp(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    double mx = cmp_loci->hit[cmp_loci->loc[x].lead].mlp,
           my = cmp_loci->hit[cmp_loci->loc[y].lead].mlp;
    if (mx != my) return mx > my ? -1 : 1;
    return (x > y) - (x < y);
}

rgx_err loci_by_strength(const loci_t *L, size_t **order)
{
    rgx_err err = rgx_calloc(order, L->nl ? L->nl : 1, sizeof **order);
    if (err) return err;
    for (size_t l = 0; l < L->nl; l++) (*order)[l] = l;
    cmp_loci = L;
    qsort(*order, L->nl, sizeof **order, by_lead_mlp);
    return RGX_OK;
}

rgx_err export_loci(const char *run_path, const char *out_path, double window_kb)
{
    hid_t f;
    rgx_err err = h5in_open(run_path, &f);
    if (err) return err;
    loci_t L = {0};
    if (!(err = loci_read(&L, f, run_path, window_kb, NAN))) err = loci_write_tsv(&L, out_path);
    if (!err) log_info("export: %zu hits in %zu loci (+- %.0f kb)", L.nh, L.nl, L.window_bp / 1000);
    loci_free(&L);
    h5in_close(f);
    return err;
}
