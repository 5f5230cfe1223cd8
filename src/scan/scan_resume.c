/* scan_resume.c — see scan_resume.h. */
#include "scan_resume.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "geno.h"
#include "h5in.h"
#include "util.h"
#include "version.h"
#include "runfile.h"

/* A run file's phenotypes by content (its bytes also hold times and provenance, which differ
 * between two runs that extracted the same numbers). */
static rgx_err hash_run_content(const char *path, strbuf_t *sb)
{
    hid_t f;
    rgx_err err = h5in_open(path, &f);
    if (err) return err;
    size_t nr = 0, nc = 0, nn = 0, ns = 0;
    double *v = NULL;
    long *st = NULL;
    char **names = NULL, **sid = NULL, sha[65];
    if (!(err = h5in_read_doubles(f, RF_FEATURES_VALUES, &nr, &nc, &v)) &&
        !(err = h5in_read_longs(f, RF_SAMPLES_STATUS, &ns, &st)) &&
        !(err = h5in_read_strings(f, RF_FEATURES_NAMES, &nn, &names)) &&
        !(err = h5in_read_strings(f, RF_SAMPLES_SAMPLE_ID, &ns, &sid))) {
        sha256_buf(v, nr * (nc ? nc : 1) * sizeof *v, sha);
        err = sb_printf(sb, "features %zu x %zu %s\n", nr, nc, sha);
        sha256_buf(st, ns * sizeof *st, sha);
        if (!err) err = sb_printf(sb, "status %s\n", sha);
        for (size_t i = 0; i < nn && !err; i++) err = sb_printf(sb, "%s\n", names[i]);
        for (size_t i = 0; i < ns && !err; i++) err = sb_printf(sb, "%s\n", sid[i]);
    }
    free(v), free(st);
    h5in_free_strings(names, nn), h5in_free_strings(sid, ns);
    h5in_close(f);
    return err;
}

/* The PCs a scan takes as covariates (scan.pcs): /pca/scores and /pca/samples by content. */
static rgx_err hash_pca(const char *path, strbuf_t *sb)
{
    hid_t f;
    rgx_err err = path ? h5in_open(path, &f) : RGX_OK;
    if (err || !path) return err;
    size_t nr = 0, nc = 0, ns = 0;
    double *v = NULL;
    char **sid = NULL, sha[65];
    if (!(err = h5in_read_doubles(f, RF_PCA_SCORES, &nr, &nc, &v)) &&
        !(err = h5in_read_strings(f, RF_PCA_SAMPLES, &ns, &sid))) {
        sha256_buf(v, nr * (nc ? nc : 1) * sizeof *v, sha);
        err = sb_printf(sb, "pca %zu x %zu %s\n", nr, nc, sha);
        for (size_t i = 0; i < ns && !err; i++) err = sb_printf(sb, "%s\n", sid[i]);
    }
    free(v), h5in_free_strings(sid, ns);
    h5in_close(f);
    return err;
}

/* The genotype files (hashing a genome-wide VCF at every start would cost as much as reading
 * it): each file of the comma list, and those read with it (a .bed's .bim and .fam), by path,
 * size and time. */
static rgx_err hash_genotypes(const char *list, const char *format, strbuf_t *sb)
{
    char **files;
    int n;
    rgx_err err = geno_files(list, format, &files, &n);
    for (int k = 0; k < n && !err; k++) {
        struct stat st;
        if (stat(files[k], &st) != 0)
            err = rgx_fail(RGX_ERR_INPUT, "%s: cannot stat", files[k]);
        else
            err = sb_printf(sb, "genotypes %s %lld %lld\n", files[k], (long long)st.st_size,
                            (long long)st.st_mtime);
    }
    geno_files_free(files, n);
    return err;
}

rgx_err scan_run_key(const cfg_t *cfg, const scan_inputs_t *in, char key[65])
{
    strbuf_t sb = {0};
    char *eff = NULL, sha[65];
    rgx_err err = cfg_effective_yaml(cfg, &eff);
    if (!err) err = sb_printf(&sb, "radiogx %s\n%s\n", rgx_version(), eff);
    const char *files[2] = {in->pheno, in->covar}, *known[2] = {in->pheno_sha, in->covar_sha};
    for (int k = 0; k < 2 && !err; k++) {
        if (!files[k]) continue;
        if (known[k])
            snprintf(sha, sizeof sha, "%s", known[k]);
        else if ((err = sha256_file(files[k], sha)))
            break;
        err = sb_printf(&sb, "%d %s\n", k, sha);
    }
    if (!err && in->run) err = hash_run_content(in->run, &sb);
    if (!err && cfg_int(cfg, "scan.pcs") > 0)
        err = hash_pca(!cfg_is_null(cfg, "scan.pca") ? cfg_str(cfg, "scan.pca")
                       : in->pca                    ? in->pca
                                                    : in->run,
                       &sb);
    if (!err) err = hash_genotypes(in->genotypes, cfg_str(cfg, "scan.genotype_format"), &sb);
    if (!err) sha256_buf(sb.s, sb.len, key);
    free(eff), free(sb.s);
    return err;
}

/* Keeps the recorded blocks that this rank finishes. */
static rgx_err restore_fn(void *ctx, uint64_t key, const void *payload, size_t len)
{
    scan_restore_t *r = ctx;
    long row0 = (long)key, at = scan_block_at(r->blk, r->nb, row0);
    size_t k = (size_t)at;
    if (at < 0 || k < r->first || k >= r->end || (k - r->first) % r->stride) return RGX_OK;
    uint64_t b64;
    if (len < sizeof b64) return RGX_OK;
    memcpy(&b64, payload, sizeof b64);
    if (b64 != r->blk[k].b || len != scan_blk_bytes(r->shape, (size_t)b64)) return RGX_OK;
    rgx_err err = rgx_reserve(&r->rec, &r->cap, r->n + 1, sizeof *r->rec);
    if (err) return err;
    blk_rec_t *x = &r->rec[r->n];
    x->row0 = row0, x->len = len;
    if (!(x->data = malloc(len ? len : 1)))
        return rgx_fail(RGX_ERR_MEMORY, "out of memory for the scan checkpoints");
    memcpy(x->data, payload, len);
    r->n++;
    return RGX_OK;
}

rgx_err scan_restore_read(scan_restore_t *r, const char *dir, const char run_key[65])
{
    size_t nrec = 0;
    return ckpt_read_all(dir, "scan", run_key, restore_fn, r, &nrec);
}

const blk_rec_t *scan_restore_find(const scan_restore_t *r, long row0)
{
    for (size_t k = 0; k < r->n; k++)
        if (r->rec[k].row0 == row0) return &r->rec[k];
    return NULL;
}

void scan_restore_free(scan_restore_t *r)
{
    for (size_t k = 0; k < r->n; k++) free(r->rec[k].data);
    free(r->rec);
    memset(r, 0, sizeof *r);
}

rgx_err scan_record_block(ckpt_writer_t *ck, const scan_blk_t *k)
{
    size_t len = scan_blk_bytes(k, k->b);
    char *rec = NULL;
    rgx_err err = rgx_calloc(&rec, len, 1);
    if (err) return err;
    scan_blk_pack(k, rec);
    err = ckpt_append(ck, (uint64_t)k->row0, rec, len);
    free(rec);
    return err;
}
