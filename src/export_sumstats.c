/* export_sumstats.c — see export_sumstats.h. */
#include "export_sumstats.h"

#include <errno.h>
#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <htslib/kstring.h>
#include <htslib/tbx.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "h5in.h"
#include "log.h"
#include "util.h"
#include "version.h"

enum { BATCH = 200, ROWS = 4096 }; /* files open at once; variant rows read at once */

void sumstats_p_text(double m, char *buf, size_t n)
{
    if (isnan(m)) {
        snprintf(buf, n, "#NA");
    } else if (m < 300) {
        snprintf(buf, n, "%.10g", pow(10.0, -m));
    } else { /* 10^-m = mantissa x 10^e with e = floor(-m) */
        double e = floor(-m), mant = pow(10.0, -m - e);
        if (mant >= 9.9999999995) mant = 1, e += 1;
        snprintf(buf, n, "%.9fe%.0f", mant, e);
    }
}

static const char *chrom_code(const char *c, char *buf)
{
    if (!strncmp(c, "chr", 3)) c += 3;
    if (!strcmp(c, "X")) return "23";
    if (!strcmp(c, "Y")) return "24";
    if (!strcmp(c, "M") || !strcmp(c, "MT")) return "25";
    snprintf(buf, 32, "%s", c);
    return buf;
}

void export_safe_name(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++) out[k++] = (*s == '/' || *s == ' ' || *s == '\t') ? '_' : *s;
    out[k] = '\0';
}

static rgx_err md5_file(const char *path, char hex[33])
{
    FILE *f = fopen(path, "rb");
    if (!f) return rgx_fail(RGX_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
    hts_md5_context *c = hts_md5_init();
    unsigned char buf[65536], dig[16];
    size_t r;
    while ((r = fread(buf, 1, sizeof buf, f)) > 0) hts_md5_update(c, buf, (unsigned long)r);
    fclose(f);
    hts_md5_final(dig, c);
    hts_md5_destroy(c);
    hts_md5_hex(hex, dig);
    return RGX_OK;
}

static rgx_err write_meta(const char *dir, const char *fname, const char *pheno, double n,
                          const char *run_path)
{
    char path[4200], data[4096], md5[33], today[32];
    snprintf(data, sizeof data, "%s/%s", dir, fname);
    snprintf(path, sizeof path, "%s-meta.yaml", data);
    rgx_err err = md5_file(data, md5);
    if (err) return err;
    time_t t = time(NULL);
    strftime(today, sizeof today, "%Y-%m-%d", gmtime(&t));
    FILE *f = fopen(path, "w");
    if (!f) return rgx_fail(RGX_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    fprintf(f,
            "# GWAS-SSF metadata, written by radiogx %s from %s\n"
            "file_type: GWAS-SSF v1.1\n"
            "data_file_name: %s\n"
            "data_file_md5sum: %s\n"
            "date_last_modified: %s\n"
            "is_harmonised: false\n"
            "is_sorted: true\n"
            "genome_assembly: GRCh38\n"
            "coordinate_system: 1-based\n"
            "analysis_software: radiogx %s (linear regression, t test)\n"
            "trait_description:\n  - \"%s\"\n"
            "effect_statistic: beta\n"
            "samples:\n  - sample_size: %.0f\n    sample_ancestry_category:\n      - \"NR\"\n",
            rgx_version(), run_path, fname, md5, today, rgx_version(), pheno, n);
    if (fclose(f) != 0) return rgx_fail(RGX_ERR_IO, "%s: write failed", path);
    return RGX_OK;
}

rgx_err export_sumstats(const char *run_path, const char *dir, int part, int parts)
{
    hid_t f;
    rgx_err err = h5in_open(run_path, &f);
    if (err) return err;
    char **pn = NULL, **chrom = NULL, **id = NULL, **ref = NULL, **alt = NULL;
    size_t p = 0, V = 0, nv = 0;
    double *pos = NULL, *af = NULL, *qc = NULL, *nobs = NULL, *B = NULL, *S = NULL, *L = NULL;
    BGZF **out = NULL;
    kstring_t ks = {0, 0, NULL};
    if (!h5in_exists(f, "/assoc/beta")) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: no /assoc (was scan run?)", run_path);
        goto out;
    }
    size_t c0;
    if ((err = h5in_read_strings(f, "/phenotypes/names", &p, &pn)) ||
        (err = h5in_read_strings(f, "/variants/chrom", &V, &chrom)) ||
        (err = h5in_read_strings(f, "/variants/id", &nv, &id)) ||
        (err = h5in_read_strings(f, "/variants/ref", &nv, &ref)) ||
        (err = h5in_read_strings(f, "/variants/alt", &nv, &alt)) ||
        (err = h5in_read_doubles(f, "/variants/pos", &nv, &c0, &pos)) ||
        (err = h5in_read_doubles(f, "/variants/af", &nv, &c0, &af)) ||
        (err = h5in_read_doubles(f, "/variants/qc", &nv, &c0, &qc)) ||
        (err = h5in_read_doubles(f, "/phenotypes/n", &nv, &c0, &nobs)))
        goto out;
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        err = rgx_fail(RGX_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
        goto out;
    }
    if ((err = rgx_calloc(&out, BATCH, sizeof *out)) ||
        (err = rgx_calloc(&B, (size_t)ROWS * (p ? p : 1), sizeof *B)) ||
        (err = rgx_calloc(&S, (size_t)ROWS * (p ? p : 1), sizeof *S)) ||
        (err = rgx_calloc(&L, (size_t)ROWS * (p ? p : 1), sizeof *L)))
        goto out;
    /* This part's phenotypes: every parts-th, from the part-th. */
    size_t *mine = NULL, nm_ = 0;
    if ((err = rgx_calloc(&mine, p ? p : 1, sizeof *mine))) goto out;
    for (size_t k = (size_t)part; k < p; k += (size_t)parts) mine[nm_++] = k;
    progress_t prog;
    progress_init(&prog, parts > 1 ? "export: summary statistics (rank 0's share)"
                                   : "export: summary statistics",
                  "phenotypes", (long)nm_);
    for (size_t i0 = 0; i0 < nm_ && !err; i0 += BATCH) {
        size_t kn = nm_ - i0 < BATCH ? nm_ - i0 : BATCH;
        const size_t *ph = mine + i0; /* ph[k]: the phenotype of output k */
        for (size_t k = 0; k < kn && !err; k++) {
            char nm[1024], path[4200];
            export_safe_name(pn[ph[k]], nm, sizeof nm);
            snprintf(path, sizeof path, "%s/%s.tsv.gz", dir, nm);
            out[k] = bgzf_open(path, "w6");
            if (!out[k]) {
                err = rgx_fail(RGX_ERR_IO, "%s: cannot create", path);
                break;
            }
            static const char hdr[] =
                "chromosome\tbase_pair_location\teffect_allele\tother_allele\t"
                "beta\tstandard_error\teffect_allele_frequency\tp_value\t"
                "variant_id\tn\tneg_log_10_p_value\n";
            if (bgzf_write(out[k], hdr, sizeof hdr - 1) < 0)
                err = rgx_fail(RGX_ERR_IO, "%s: write", path);
        }
        for (size_t r0 = 0; r0 < V && !err; r0 += ROWS) {
            size_t nr = V - r0 < ROWS ? V - r0 : ROWS;
            if ((err = h5in_read_rows(f, "/assoc/beta", r0, nr, B)) ||
                (err = h5in_read_rows(f, "/assoc/se", r0, nr, S)) ||
                (err = h5in_read_rows(f, "/assoc/log10p", r0, nr, L)))
                break;
            for (size_t j = 0; j < nr && !err; j++) {
                size_t v = r0 + j;
                if (qc[v] != 1) continue;
                char cb[32];
                const char *cc = chrom_code(chrom[v], cb);
                for (size_t k = 0; k < kn; k++) {
                    double b = B[j * p + ph[k]], s = S[j * p + ph[k]], m = L[j * p + ph[k]];
                    char pt[64];
                    sumstats_p_text(m, pt, sizeof pt);
                    ks.l = 0;
                    ksprintf(&ks, "%s\t%.0f\t%s\t%s\t", cc, pos[v], alt[v], ref[v]);
                    if (isnan(b))
                        kputs("#NA\t#NA\t", &ks);
                    else
                        ksprintf(&ks, "%.10g\t%.10g\t", b, s);
                    ksprintf(&ks, "%.6g\t%s\t%s\t%.0f\t", af[v], pt,
                             id[v][0] && strcmp(id[v], ".") ? id[v] : "#NA", nobs[ph[k]]);
                    if (isnan(m))
                        kputs("#NA\n", &ks);
                    else
                        ksprintf(&ks, "%.10g\n", m);
                    if (bgzf_write(out[k], ks.s, ks.l) < 0)
                        err = rgx_fail(RGX_ERR_IO, "write failed");
                }
            }
        }
        for (size_t k = 0; k < kn; k++) {
            if (out[k] && bgzf_close(out[k]) < 0 && !err)
                err = rgx_fail(RGX_ERR_IO, "close failed");
            out[k] = NULL;
            if (err) continue;
            char nm[1024], path[4200], fname[1100];
            export_safe_name(pn[ph[k]], nm, sizeof nm);
            snprintf(fname, sizeof fname, "%s.tsv.gz", nm);
            snprintf(path, sizeof path, "%s/%s", dir, fname);
            /* Tabix: sequence column 1, position column 2, one header line. */
            tbx_conf_t conf = {TBX_GENERIC, 1, 2, 2, '#', 1};
            if (tbx_index_build(path, 0, &conf) != 0)
                err = rgx_fail(RGX_ERR_IO, "%s: cannot build the tabix index", path);
            if (!err) err = write_meta(dir, fname, pn[ph[k]], nobs[ph[k]], run_path);
            progress_update(&prog, (long)(i0 + k + 1));
        }
    }
    progress_done(&prog, (long)nm_);
    free(mine);
out:
    for (size_t k = 0; out && k < BATCH; k++)
        if (out[k]) bgzf_close(out[k]);
    free(out), free(ks.s), free(pos), free(af), free(qc), free(nobs), free(B), free(S), free(L);
    h5in_free_strings(pn, p), h5in_free_strings(chrom, V), h5in_free_strings(id, V);
    h5in_free_strings(ref, V), h5in_free_strings(alt, V);
    h5in_close(f);
    return err;
}

rgx_err export_hits(const char *run_path, const char *out_path)
{
    hid_t f;
    rgx_err err = h5in_open(run_path, &f);
    if (err) return err;
    char **ph = NULL, **chrom = NULL, **id = NULL, **ref = NULL, **alt = NULL;
    size_t nh = 0, hc = 0, V = 0, nv = 0, c0;
    double *hv = NULL, *pos = NULL;
    FILE *o = NULL;
    if (!h5in_exists(f, "/hits/values")) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: no /hits (was scan run?)", run_path);
        goto out;
    }
    if ((err = h5in_read_doubles(f, "/hits/values", &nh, &hc, &hv)) ||
        (err = h5in_read_strings(f, "/hits/phenotype", &nv, &ph)) ||
        (err = h5in_read_strings(f, "/variants/chrom", &V, &chrom)) ||
        (err = h5in_read_strings(f, "/variants/id", &nv, &id)) ||
        (err = h5in_read_strings(f, "/variants/ref", &nv, &ref)) ||
        (err = h5in_read_strings(f, "/variants/alt", &nv, &alt)) ||
        (err = h5in_read_doubles(f, "/variants/pos", &nv, &c0, &pos)))
        goto out;
    if (!(o = fopen(out_path, "w"))) {
        err = rgx_fail(RGX_ERR_IO, "%s: cannot create: %s", out_path, strerror(errno));
        goto out;
    }
    fputs("variant_id\tchrom\tpos\tref\talt\tphenotype\tbeta\tse\tneg_log10_p\n", o);
    for (size_t i = 0; i < nh && hc == 4; i++) {
        size_t v = (size_t)hv[i * 4];
        if (v >= V) continue;
        fprintf(o, "%s\t%s\t%.0f\t%s\t%s\t%s\t%.10g\t%.10g\t%.10g\n", id[v], chrom[v], pos[v],
                ref[v], alt[v], ph[i], hv[i * 4 + 1], hv[i * 4 + 2], hv[i * 4 + 3]);
    }
    if (fclose(o) != 0) err = rgx_fail(RGX_ERR_IO, "%s: write failed", out_path);
out:
    free(hv), free(pos);
    h5in_free_strings(ph, nh), h5in_free_strings(chrom, V), h5in_free_strings(id, V);
    h5in_free_strings(ref, V), h5in_free_strings(alt, V);
    h5in_close(f);
    return err;
}
