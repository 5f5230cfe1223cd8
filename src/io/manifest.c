/* manifest.c — see manifest.h. */
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { COL_PATIENT, COL_SAMPLE, COL_SITE, COL_GENO, COL_MASK, COL_IMAGE, COL_MASK_CH };

typedef struct {
    int kind;
    int channel; /* for COL_IMAGE and COL_MASK_CH */
} col_t;

/* Splits a line at tabs in place; returns the number of fields (at most max). */
static int split_tabs(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < max;) {
        f[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab) break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

/* Records a problem (the message of err) and returns err. */
static rgx_err problem(manifest_t *m, rgx_err err)
{
    if (err != RGX_ERR_MANIFEST) return err; /* out of memory: nothing to record */
    char *copy;
    if (rgx_realloc(&m->problem, m->n_problems + 1, sizeof *m->problem) ||
        rgx_strdup(&copy, rgx_errmsg()))
        return RGX_ERR_MEMORY;
    m->problem[m->n_problems++] = copy;
    return err;
}

static int valid_channel(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!(*s == '_' || *s == '-' || (*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= 'a' && *s <= 'z')))
            return 0;
    return 1;
}

static rgx_err add_channel(manifest_t *m, const char *name, int *idx)
{
    for (int i = 0; i < m->n_channels; i++)
        if (!strcmp(m->channel[i], name)) return *idx = i, RGX_OK;
    rgx_err err = rgx_realloc(&m->channel, (size_t)m->n_channels + 1, sizeof *m->channel);
    if (!err) err = rgx_strdup(&m->channel[m->n_channels], name);
    if (!err) *idx = m->n_channels++;
    return err;
}

static rgx_err parse_header(manifest_t *m, char **f, int nf, col_t *col)
{
    const char *p = m->path;
    int seen_patient = 0;
    for (int i = 0; i < nf; i++) {
        const char *h = f[i];
        rgx_err err;
        col[i].channel = -1;
        for (int j = 0; j < i; j++)
            if (!strcmp(f[j], h))
                return rgx_fail(RGX_ERR_MANIFEST, "%s:1: column '%s' appears twice", p, h);
        if (!strcmp(h, "patient_id")) col[i].kind = COL_PATIENT, seen_patient = 1;
        else if (!strcmp(h, "sample_id")) col[i].kind = COL_SAMPLE;
        else if (!strcmp(h, "site")) col[i].kind = COL_SITE;
        else if (!strcmp(h, "genotypes")) col[i].kind = COL_GENO, m->has_genotypes = 1;
        else if (!strcmp(h, "mask")) col[i].kind = COL_MASK, m->shared_mask = 1;
        else if (!strncmp(h, "image_", 6) || !strncmp(h, "mask_", 5)) {
            int is_img = h[0] == 'i';
            const char *ch = h + (is_img ? 6 : 5);
            if (!valid_channel(ch))
                return rgx_fail(RGX_ERR_MANIFEST,
                                "%s:1: column '%s': a channel name is letters, digits, '_' or "
                                "'-' (e.g. image_CT, mask_CT)", p, h);
            col[i].kind = is_img ? COL_IMAGE : COL_MASK_CH;
            if ((err = add_channel(m, ch, &col[i].channel))) return err;
        } else {
            static const char *known[] = {"patient_id", "sample_id", "site", "genotypes", "mask",
                                          "image_", "mask_"};
            const char *best = NULL;
            size_t bd = 3;
            for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
                size_t d = edit_distance(h, known[k]);
                if (d < bd) bd = d, best = known[k];
            }
            return rgx_fail(
                RGX_ERR_MANIFEST,
                "%s:1: unknown column '%s'%s%s%s; expected patient_id, image_<channel>, "
                "mask or mask_<channel>, and optionally sample_id, site, genotypes",
                p, h, best ? " (did you mean '" : "", best ? best : "", best ? "'?)" : "");
        }
    }
    if (!seen_patient) return rgx_fail(RGX_ERR_MANIFEST, "%s:1: no patient_id column", p);
    /* Every channel needs an image column, and a mask: shared or its own, not both. */
    int n_img = 0;
    for (int c = 0; c < m->n_channels; c++) {
        int img = 0, msk = 0;
        for (int i = 0; i < nf; i++) {
            if (col[i].channel != c) continue;
            img += col[i].kind == COL_IMAGE;
            msk += col[i].kind == COL_MASK_CH;
        }
        n_img += img;
        if (!img)
            return rgx_fail(RGX_ERR_MANIFEST, "%s:1: column mask_%s has no image_%s column", p,
                            m->channel[c], m->channel[c]);
        if (m->shared_mask && msk)
            return rgx_fail(RGX_ERR_MANIFEST,
                            "%s:1: both a shared 'mask' column and 'mask_%s': use one or the other",
                            p, m->channel[c]);
        if (!m->shared_mask && !msk)
            return rgx_fail(RGX_ERR_MANIFEST,
                            "%s:1: image_%s has no mask: add a 'mask' column (shared) or 'mask_%s'",
                            p, m->channel[c], m->channel[c]);
    }
    if (!n_img)
        return rgx_fail(RGX_ERR_MANIFEST, "%s:1: no image column (expected image_<channel>, e.g. "
                        "image_CT)", p);
    return RGX_OK;
}

/* Reports the first duplicate value of a field, with both lines. */
static rgx_err check_unique(manifest_t *m, size_t off, const char *what)
{
    /* Sort indices by value; n log n even for 100,000 patients. */
    size_t n = m->n;
    size_t *idx;
    rgx_err err = rgx_calloc(&idx, n ? n : 1, sizeof *idx);
    if (err) return err;
    for (size_t i = 0; i < n; i++) idx[i] = i;
    const manifest_t *mm = m;
    (void)mm;
#define FIELD(i) (*(char **)((char *)&mm->row[idx[i]] + off))
    /* Shell sort: no global state needed for the comparison. */
    for (size_t gap = n / 2; gap > 0; gap /= 2)
        for (size_t i = gap; i < n; i++)
            for (size_t j = i; j >= gap && strcmp(FIELD(j - gap), FIELD(j)) > 0; j -= gap) {
                size_t t = idx[j];
                idx[j] = idx[j - gap];
                idx[j - gap] = t;
            }
    for (size_t i = 1; i < n && err != RGX_ERR_MEMORY; i++)
        if (!strcmp(FIELD(i - 1), FIELD(i))) {
            int a = m->row[idx[i - 1]].line, b = m->row[idx[i]].line;
            err = problem((manifest_t *)m,
                          rgx_fail(RGX_ERR_MANIFEST, "%s:%d: duplicate %s '%s' (also on line %d)",
                                   m->path, a > b ? a : b, what, FIELD(i), a < b ? a : b));
        }
#undef FIELD
    free(idx);
    return err;
}

/* Parses one data line into a new row; a problem leaves the row out. */
static rgx_err parse_row(manifest_t *m, const col_t *col, char **f, int nf, int lineno)
{
    rgx_err err;
    for (int i = 0; i < nf; i++) {
        int optional = col[i].kind == COL_SAMPLE || col[i].kind == COL_SITE;
        if (!f[i][0] && !optional)
            return problem(m, rgx_fail(RGX_ERR_MANIFEST, "%s:%d: empty %s (column %d)", m->path,
                                       lineno, col[i].kind == COL_PATIENT ? "patient_id" : "path",
                                       i + 1));
    }
    if ((err = rgx_realloc(&m->row, m->n + 1, sizeof *m->row))) return err;
    manifest_row_t *r = &m->row[m->n++];
    memset(r, 0, sizeof *r);
    r->line = lineno;
    if ((err = rgx_calloc(&r->image, (size_t)m->n_channels, sizeof *r->image))) return err;
    if ((err = rgx_calloc(&r->mask, (size_t)m->n_channels, sizeof *r->mask))) return err;
    const char *shared = NULL;
    for (int i = 0; i < nf && !err; i++) {
        const char *v = f[i];
        switch (col[i].kind) {
        case COL_PATIENT: err = rgx_strdup(&r->patient_id, v); break;
        case COL_SAMPLE: if (*v) err = rgx_strdup(&r->sample_id, v); break;
        case COL_SITE: if (*v) err = rgx_strdup(&r->site, v); break;
        case COL_GENO: err = path_join(&r->genotypes, m->dir, v); break;
        case COL_MASK: shared = v; break;
        case COL_IMAGE: err = path_join(&r->image[col[i].channel], m->dir, v); break;
        case COL_MASK_CH: err = path_join(&r->mask[col[i].channel], m->dir, v); break;
        }
    }
    for (int c = 0; !err && shared && c < m->n_channels; c++)
        err = path_join(&r->mask[c], m->dir, shared);
    if (!err && !r->sample_id) err = rgx_strdup(&r->sample_id, r->patient_id);
    if (!err && !r->site) err = rgx_strdup(&r->site, "all");
    return err;
}

rgx_err manifest_read(const char *path, manifest_t *m)
{
    memset(m, 0, sizeof *m);
    char *text = NULL;
    col_t *col = NULL;
    char **f = NULL;
    rgx_err err;
    if ((err = rgx_strdup(&m->path, path))) goto out;
    if ((err = path_dirname(&m->dir, path))) goto out;
    if (read_file(path, &text, NULL)) {
        err = problem(m, rgx_fail(RGX_ERR_MANIFEST, "%s", rgx_errmsg()));
        goto out;
    }
    int maxf = 1;
    for (char *p = text; *p; p++) maxf += *p == '\t';
    if ((err = rgx_calloc(&f, (size_t)maxf, sizeof *f))) goto out;
    char *line = text;
    int lineno = 0, nf = 0;
    while (line && *line && err != RGX_ERR_MEMORY) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        lineno++;
        char *cur = line;
        line = nl ? nl + 1 : NULL;
        if (lineno == 1) {
            if (!strncmp(cur, "\xef\xbb\xbf", 3)) cur += 3; /* a spreadsheet's BOM */
            if (*cur == '#') cur++; /* "#patient_id" is accepted, as plink2 accepts #IID */
            nf = split_tabs(cur, f, maxf);
            if (nf == 1 && strchr(f[0], ',')) {
                err = problem(m, rgx_fail(RGX_ERR_MANIFEST, "%s:1: the manifest must be "
                                          "tab-separated (this header has commas)", path));
                goto out;
            }
            if ((err = rgx_calloc(&col, (size_t)nf, sizeof *col))) goto out;
            if ((err = parse_header(m, f, nf, col))) {
                err = problem(m, err);
                goto out; /* without a header no row can be read */
            }
            continue;
        }
        cur[strcspn(cur, "\r")] = '\0';
        if (!*cur || *cur == '#') continue;
        int k = split_tabs(cur, f, maxf);
        if (k != nf)
            err = problem(m, rgx_fail(RGX_ERR_MANIFEST, "%s:%d: %d fields, expected %d as in the "
                                      "header", path, lineno, k, nf));
        else
            err = parse_row(m, col, f, nf, lineno);
    }
    if (err == RGX_ERR_MEMORY) goto out;
    if (lineno == 0)
        err =
            problem(m, rgx_fail(RGX_ERR_MANIFEST, "%s: empty file (expected a header line)", path));
    else if (m->n == 0 && m->n_problems == 0)
        err = problem(m, rgx_fail(RGX_ERR_MANIFEST, "%s: no patients after the header", path));
    if (check_unique(m, offsetof(manifest_row_t, patient_id), "patient_id") == RGX_ERR_MEMORY ||
        check_unique(m, offsetof(manifest_row_t, sample_id), "sample_id") == RGX_ERR_MEMORY)
        err = RGX_ERR_MEMORY;
out:
    free(text);
    free(col);
    free(f);
    if (err != RGX_ERR_MEMORY && m->n_problems) {
        rgx_fail(RGX_ERR_MANIFEST, "%s", m->problem[0]);
        return RGX_ERR_MANIFEST;
    }
    return err;
}

rgx_err manifest_genotype_files(const manifest_t *m, const char ***files, size_t *n)
{
    *files = NULL, *n = 0;
    rgx_err err = rgx_calloc(files, m->n ? m->n : 1, sizeof **files);
    for (size_t i = 0; !err && i < m->n; i++) {
        const char *p = m->row[i].genotypes;
        size_t k = 0;
        while (p && k < *n && strcmp((*files)[k], p)) k++; /* sites are few */
        if (p && k == *n) (*files)[(*n)++] = p;
    }
    return err;
}

void manifest_free(manifest_t *m)
{
    for (size_t i = 0; i < m->n; i++) {
        manifest_row_t *r = &m->row[i];
        for (int c = 0; c < m->n_channels; c++) {
            if (r->image) free(r->image[c]);
            if (r->mask) free(r->mask[c]);
        }
        free(r->image), free(r->mask);
        free(r->patient_id), free(r->sample_id), free(r->site), free(r->genotypes);
    }
    for (int c = 0; c < m->n_channels; c++) free(m->channel[c]);
    free(m->channel);
    free(m->row);
    for (size_t i = 0; i < m->n_problems; i++) free(m->problem[i]);
    free(m->problem);
    free(m->path);
    free(m->dir);
    memset(m, 0, sizeof *m);
}

int manifest_channel(const manifest_t *m, const char *name)
{
    for (int c = 0; c < m->n_channels; c++)
        if (!strcmp(m->channel[c], name)) return c;
    return -1;
}
