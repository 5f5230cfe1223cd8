/* geno.c — see geno.h. */
#include "geno.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

rgx_err geno_open(geno_t *g, const char *path, char *const *samples, int n, const char *dosage)
{
    memset(g, 0, sizeof *g);
    rgx_err err = rgx_strdup(&g->path, path);
    if (err) return err;
    g->fp = hts_open(path, "r");
    if (!g->fp) return rgx_fail(RGX_ERR_INPUT, "%s: cannot open as VCF/BCF", path);
    const htsFormat *fmt = hts_get_format(g->fp);
    if (fmt->category != variant_data)
        return rgx_fail(RGX_ERR_INPUT, "%s: not a VCF or BCF file", path);
    g->hdr = bcf_hdr_read(g->fp);
    if (!g->hdr) return rgx_fail(RGX_ERR_INPUT, "%s: unreadable VCF/BCF header", path);
    if (fmt->format == bcf) {
        g->idx = bcf_index_load(path);
    } else if (fmt->compression == bgzf) {
        g->tbx = tbx_index_load3(path, NULL, HTS_IDX_SILENT_FAIL);
    }
    g->indexed = g->idx || g->tbx;
    int has_ds = bcf_hdr_id2int(g->hdr, BCF_DT_ID, "DS") >= 0 &&
                 bcf_hdr_idinfo_exists(g->hdr, BCF_HL_FMT, bcf_hdr_id2int(g->hdr, BCF_DT_ID, "DS"));
    if (!dosage || !strcmp(dosage, "auto"))
        g->use_ds = has_ds;
    else if (!strcmp(dosage, "DS")) {
        if (!has_ds)
            return rgx_fail(RGX_ERR_INPUT, "%s: --dosage DS but the header has no FORMAT/DS", path);
        g->use_ds = 1;
    } else if (!strcmp(dosage, "GT"))
        g->use_ds = 0;
    else
        return rgx_fail(RGX_ERR_USAGE, "dosage '%s': expected DS, GT or auto", dosage);
    g->n = n;
    if ((err = rgx_calloc(&g->col, n ? (size_t)n : 1, sizeof *g->col))) return err;
    for (int i = 0; i < n; i++) {
        g->col[i] = bcf_hdr_id2int(g->hdr, BCF_DT_SAMPLE, samples[i]);
        if (g->col[i] < 0)
            return rgx_fail(RGX_ERR_INPUT, "%s: sample '%s' is not in the header", path,
                            samples[i]);
    }
    g->last_rid = -1;
    g->rec = bcf_init();
    return g->rec ? RGX_OK : rgx_fail(RGX_ERR_MEMORY, "out of memory");
}

void geno_close(geno_t *g)
{
    if (g->itr) hts_itr_destroy(g->itr);
    if (g->rec) bcf_destroy(g->rec);
    if (g->tbx) tbx_destroy(g->tbx);
    if (g->idx) hts_idx_destroy(g->idx);
    if (g->hdr) bcf_hdr_destroy(g->hdr);
    if (g->fp) hts_close(g->fp);
    free(g->line.s), free(g->ds), free(g->gt), free(g->col), free(g->path);
    memset(g, 0, sizeof *g);
}

const char *geno_chrom(const geno_t *g, int rid)
{
    return bcf_hdr_id2name(g->hdr, rid);
}

static long contig_length(const bcf_hdr_t *hdr, int rid)
{
    const char *name = bcf_hdr_id2name(hdr, rid);
    bcf_hrec_t *h = bcf_hdr_get_hrec(hdr, BCF_HL_CTG, "ID", name, NULL);
    if (!h) return 0;
    int k = bcf_hrec_find_key(h, "length");
    return k >= 0 ? atol(h->vals[k]) : 0;
}

static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && !strncmp(p, name, n)) return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

rgx_err geno_units(const geno_t *g, long unit_bp, const char *chroms, const char *region,
                   geno_unit_t **units, size_t *n_units)
{
    int nseq = 0;
    const char **names = bcf_hdr_seqnames(g->hdr, &nseq);
    *units = NULL;
    *n_units = 0;
    char rchr[256] = "";
    long rbeg = 1, rend = 0;
    if (region && *region) {
        const char *colon = strrchr(region, ':');
        size_t len = colon ? (size_t)(colon - region) : strlen(region);
        if (len >= sizeof rchr) len = sizeof rchr - 1;
        memcpy(rchr, region, len);
        rchr[len] = '\0';
        if (colon && sscanf(colon + 1, "%ld-%ld", &rbeg, &rend) != 2) {
            free(names);
            return rgx_fail(RGX_ERR_USAGE, "--region '%s': expected chr, or chr:from-to", region);
        }
        if (bcf_hdr_name2id(g->hdr, rchr) < 0) {
            free(names);
            return rgx_fail(RGX_ERR_USAGE, "--region '%s': no contig '%s' in %s", region, rchr,
                            g->path);
        }
    }
    size_t cap = 0;
    rgx_err err = RGX_OK;
    for (int s = 0; s < nseq && !err; s++) {
        if (chroms && *chroms && !in_list(chroms, names[s])) continue;
        if (rchr[0] && strcmp(rchr, names[s])) continue;
        int rid = bcf_hdr_name2id(g->hdr, names[s]);
        long len = contig_length(g->hdr, rid);
        long beg = 1, end = len > 0 ? len : (1L << 31) - 1;
        if (rchr[0] && rend > 0) beg = rbeg, end = rend;
        /* Without a known length the contig is one unit.  Indexed or not, the same units, so
         * the same blocks and the same bits. */
        long step = len > 0 ? unit_bp : end - beg + 1;
        for (long b = beg; b <= end && !err; b += step) {
            if (*n_units == cap) {
                cap = cap ? 2 * cap : 64;
                if ((err = rgx_realloc(units, cap, sizeof **units))) break;
            }
            long e = b + step - 1 < end ? b + step - 1 : end;
            (*units)[(*n_units)++] = (geno_unit_t){rid, b, e};
        }
    }
    free(names);
    return err;
}

rgx_err geno_begin(geno_t *g, const geno_unit_t *u)
{
    g->cur = *u;
    if (g->itr) hts_itr_destroy(g->itr), g->itr = NULL;
    if (g->indexed) {
        char reg[512];
        snprintf(reg, sizeof reg, "%s:%ld-%ld", geno_chrom(g, u->rid), u->beg, u->end);
        g->itr = g->tbx ? tbx_itr_querys(g->tbx, reg) : bcf_itr_querys(g->idx, g->hdr, reg);
        /* A contig absent from the index has no records: an empty unit. */
        return RGX_OK;
    }
    /* One forward pass: units come in file order.  If a record at or after the unit's start
     * was already consumed (a second pass, or contigs not in header order), start again. */
    if (g->last_rid > u->rid || (g->last_rid == u->rid && g->last_pos >= u->beg)) {
        hts_close(g->fp);
        bcf_hdr_destroy(g->hdr);
        g->fp = hts_open(g->path, "r");
        g->hdr = g->fp ? bcf_hdr_read(g->fp) : NULL;
        g->pending = 0;
        g->last_rid = -1;
        if (!g->hdr) return rgx_fail(RGX_ERR_INPUT, "%s: cannot reopen", g->path);
    }
    return RGX_OK;
}

/* The next record of the unit into g->rec; parse: 0 only CHROM/POS/ALT needed. */
static int read_record(geno_t *g, int parse, rgx_err *err)
{
    for (;;) {
        int r;
        if (g->indexed) {
            if (!g->itr) return 0;
            if (g->tbx) {
                r = tbx_itr_next(g->fp, g->tbx, g->itr, &g->line);
                if (r < 0)
                    return r == -1
                               ? 0
                               : (*err = rgx_fail(RGX_ERR_INPUT, "%s: read error", g->path), -1);
                if (vcf_parse(&g->line, g->hdr, g->rec) < 0)
                    return *err = rgx_fail(RGX_ERR_INPUT, "%s: malformed record near %.60s",
                                           g->path, g->line.s),
                           -1;
            } else {
                r = bcf_itr_next(g->fp, g->itr, g->rec);
                if (r < 0)
                    return r == -1
                               ? 0
                               : (*err = rgx_fail(RGX_ERR_INPUT, "%s: read error", g->path), -1);
            }
            (void)parse;
            /* A record that starts before the window but overlaps it belongs to the unit
             * where it starts. */
            if (g->rec->pos + 1 < g->cur.beg) continue;
            return 1;
        }
        if (!g->pending) {
            r = bcf_read(g->fp, g->hdr, g->rec);
            if (r < -1) return *err = rgx_fail(RGX_ERR_INPUT, "%s: malformed record", g->path), -1;
            if (r == -1) return 0;
            g->pending = 1;
        }
        long pos = g->rec->pos + 1;
        if (g->rec->rid > g->cur.rid || (g->rec->rid == g->cur.rid && pos > g->cur.end))
            return 0; /* after the unit: keep it for the next */
        g->pending = 0;
        g->last_rid = g->rec->rid, g->last_pos = pos;
        if (g->rec->rid < g->cur.rid || pos < g->cur.beg) continue; /* before: someone else's */
        return 1;
    }
}

int geno_next(geno_t *g, double *dose, rgx_err *err)
{
    *err = RGX_OK;
    for (;;) {
        int r = read_record(g, dose != NULL, err);
        if (r <= 0) return r;
        if (g->rec->n_allele != 2) {
            g->n_multi++;
            continue;
        }
        if (!dose) return 1;
        if (g->use_ds) {
            int n = bcf_get_format_float(g->hdr, g->rec, "DS", &g->ds, &g->nds);
            if (n < 0) {
                *err = rgx_fail(RGX_ERR_INPUT, "%s: %s:%lld has no DS values", g->path,
                                geno_chrom(g, g->rec->rid), (long long)g->rec->pos + 1);
                return -1;
            }
            int per = n / bcf_hdr_nsamples(g->hdr);
            for (int i = 0; i < g->n; i++) {
                float v = g->ds[g->col[i] * per];
                dose[i] = bcf_float_is_missing(v) || bcf_float_is_vector_end(v) ? NAN : (double)v;
            }
        } else {
            int n = bcf_get_genotypes(g->hdr, g->rec, &g->gt, &g->ngt);
            if (n < 0) {
                *err = rgx_fail(RGX_ERR_INPUT, "%s: %s:%lld has no GT values", g->path,
                                geno_chrom(g, g->rec->rid), (long long)g->rec->pos + 1);
                return -1;
            }
            int per = n / bcf_hdr_nsamples(g->hdr);
            for (int i = 0; i < g->n; i++) {
                const int32_t *a = g->gt + g->col[i] * per;
                double s = 0;
                int miss = 0, k;
                for (k = 0; k < per && a[k] != bcf_int32_vector_end; k++) {
                    if (bcf_gt_is_missing(a[k]))
                        miss = 1;
                    else
                        s += bcf_gt_allele(a[k]) > 0;
                }
                /* Haploid calls count as 0 or 2 so that dosages share one scale. */
                dose[i] = miss || k == 0 ? NAN : (k == 1 ? 2 * s : s);
            }
        }
        return 1;
    }
}

static void widen(long *w, long v)
{
    if (v > *w) *w = v;
}

int geno_next_site(geno_t *g, long w[3], rgx_err *err)
{
    *err = RGX_OK;
    if (!(g->indexed && g->tbx)) {
        for (;;) {
            int r = read_record(g, 0, err);
            if (r <= 0) return r;
            if (g->rec->n_allele != 2) {
                g->n_multi++;
                continue;
            }
            bcf_unpack(g->rec, BCF_UN_STR);
            widen(&w[0], (long)strlen(g->rec->d.id));
            widen(&w[1], (long)strlen(g->rec->d.allele[0]));
            widen(&w[2], (long)strlen(g->rec->d.allele[1]));
            return 1;
        }
    }
    if (!g->itr) return 0;
    for (;;) {
        int r = tbx_itr_next(g->fp, g->tbx, g->itr, &g->line);
        if (r < 0)
            return r == -1 ? 0 : (*err = rgx_fail(RGX_ERR_INPUT, "%s: read error", g->path), -1);
        /* CHROM POS ID REF ALT: the rest (the genotypes) is not parsed. */
        const char *f[6];
        int nf = 0;
        const char *p = g->line.s;
        f[nf++] = p;
        while (nf < 6 && (p = strchr(p, '\t'))) f[nf++] = ++p;
        if (nf < 6) {
            *err = rgx_fail(RGX_ERR_INPUT, "%s: malformed record near %.60s", g->path, g->line.s);
            return -1;
        }
        long pos = atol(f[1]);
        if (pos < g->cur.beg) continue; /* starts before the window: the previous unit's */
        long lid = (long)(f[3] - f[2] - 1), lref = (long)(f[4] - f[3] - 1),
             lalt = (long)(f[5] - f[4] - 1);
        if (memchr(f[4], ',', (size_t)lalt)) {
            g->n_multi++;
            continue;
        }
        widen(&w[0], lid), widen(&w[1], lref), widen(&w[2], lalt);
        return 1;
    }
}
