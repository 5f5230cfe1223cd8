/* layout.c — see layout.h. */
#include "layout.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

typedef struct {
    char **s;
    size_t n, cap;
} strs_t;

static rgx_err strs_add(strs_t *v, const char *s)
{
    rgx_err err = rgx_reserve(&v->s, &v->cap, v->n + 1, sizeof *v->s);
    if (!err) err = rgx_strdup(&v->s[v->n], s);
    if (!err) v->n++;
    return err;
}

static void strs_free(strs_t *v) /* (s NULL: its strings were handed on) */
{
    for (size_t i = 0; v->s && i < v->n; i++) free(v->s[i]);
    free(v->s);
    memset(v, 0, sizeof *v);
}

/* out = a/b (a "" or NULL: b); 1 when it does not fit in PATH_MAX (the entry is skipped). */
static int pjoin(char *out, const char *a, const char *b)
{
    int k = a && *a ? snprintf(out, PATH_MAX, "%s/%s", a, b) : snprintf(out, PATH_MAX, "%s", b);
    return k < 0 || k >= PATH_MAX;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file under root/rel (rel "" at the top), as paths relative to root, sorted. */
static rgx_err list_files(const char *root, const char *rel, strs_t *out)
{
    char path[PATH_MAX];
    if (pjoin(path, root, rel)) return rgx_fail(RGX_ERR_INPUT, "%s/%s: path too long", root, rel);
    DIR *d = opendir(path);
    if (!d) return rgx_fail(RGX_ERR_INPUT, "%s: cannot read the folder: %s", path, strerror(errno));
    rgx_err err = RGX_OK;
    struct dirent *e;
    while (!err && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char sub[PATH_MAX], full[PATH_MAX];
        struct stat st;
        if (pjoin(sub, rel, e->d_name) || pjoin(full, root, sub) || stat(full, &st) != 0) continue;
        err = S_ISDIR(st.st_mode) ? list_files(root, sub, out) : strs_add(out, sub);
    }
    closedir(d);
    if (!err && out->n) qsort(out->s, out->n, sizeof *out->s, by_name);
    return err;
}

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The default patterns: the word before "_<what>" in a file name ("STS_001_CT_image.nii.gz"
 * with what "image": "CT"), or "" when the name has "<what>" without one; 0 when neither. */
static int channel_word(const char *name, const char *what, char *word, size_t n)
{
    char key[32];
    snprintf(key, sizeof key, "_%s", what);
    const char *at = strstr(name, key);
    if (!at) {
        if (strstr(name, what)) return word[0] = '\0', 1;
        return 0;
    }
    const char *w = at;
    while (w > name && w[-1] != '_') w--;
    size_t len = (size_t)(at - w) < n - 1 ? (size_t)(at - w) : n - 1;
    memcpy(word, w, len), word[len] = '\0';
    return 1;
}

static long find(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s)) return (long)i;
    return -1;
}

/* Which pattern a file answers: its channel (index into ch; -1 the shared mask) or -2. */
static long match(const char *file, const layout_pat_t *pats, size_t np, const char *what,
                  char **ch, size_t nch, int def_shared)
{
    const char *b = base(file);
    if (!np) {
        char w[64];
        if (!channel_word(b, what, w, sizeof w)) return -2;
        long c = find(ch, nch, w);
        return c >= 0 ? c : def_shared ? -1 : -2;
    }
    for (size_t k = 0; k < np; k++)
        if (!fnmatch(pats[k].pattern, b, 0))
            return pats[k].channel ? find(ch, nch, pats[k].channel) : -1;
    return -2;
}

/* The channels: those the image patterns name, or every word before "_image" found. */
static rgx_err find_channels(const char *dir, char **pat_dirs, size_t n_pat,
                             const layout_pat_t *images, size_t n_images, strs_t *ch)
{
    rgx_err err = RGX_OK;
    for (size_t k = 0; k < n_images && !err; k++)
        if (images[k].channel && find(ch->s, ch->n, images[k].channel) < 0)
            err = strs_add(ch, images[k].channel);
    for (size_t i = 0; !n_images && !err && i < n_pat; i++) {
        strs_t f = {0};
        char root[PATH_MAX];
        err = pjoin(root, dir, pat_dirs[i]) ? RGX_OK : list_files(root, "", &f);
        for (size_t j = 0; !err && j < f.n; j++) {
            char w[64];
            if (channel_word(base(f.s[j]), "image", w, sizeof w) && *w && find(ch->s, ch->n, w) < 0)
                err = strs_add(ch, w);
        }
        strs_free(&f);
    }
    if (!err && ch->n > 1) qsort(ch->s, ch->n, sizeof *ch->s, by_name);
    return err;
}

/* One patient: its files sorted into images and masks, or a reason to leave it out. */
static rgx_err one_patient(const char *dir, layout_t *l, layout_patient_t *p,
                           const layout_pat_t *im, size_t ni, const layout_pat_t *mk, size_t nm,
                           strs_t *left)
{
    char root[PATH_MAX];
    if (pjoin(root, dir, p->patient))
        return rgx_fail(RGX_ERR_INPUT, "%s/%s: path too long", dir, p->patient);
    strs_t f = {0};
    size_t nc = l->n_channels, nmask = l->shared_mask ? 1 : nc;
    long *ni_c = NULL, *nm_c = NULL;
    strbuf_t why = {0};
    rgx_err err = list_files(root, "", &f);
    if (!err && !(err = rgx_calloc(&p->image, nc ? nc : 1, sizeof *p->image)) &&
        !(err = rgx_calloc(&p->mask, nc ? nc : 1, sizeof *p->mask)) &&
        !(err = rgx_calloc(&ni_c, nc ? nc : 1, sizeof *ni_c)))
        err = rgx_calloc(&nm_c, nc ? nc : 1, sizeof *nm_c);
    for (size_t j = 0; !err && j < f.n; j++) {
        long c = match(f.s[j], im, ni, "image", l->channel, nc, 0);
        if (c >= 0) {
            if (!ni_c[c]++) err = rgx_strdup(&p->image[c], f.s[j]);
            continue;
        }
        c = match(f.s[j], mk, nm, "mask", l->channel, nc, 1);
        if (c >= -1 && (l->shared_mask ? c == -1 : c >= 0)) {
            size_t k = c < 0 ? 0 : (size_t)c;
            if (!nm_c[k]++) err = rgx_strdup(&p->mask[k], f.s[j]);
            continue;
        }
        char rel[PATH_MAX];
        if (!pjoin(rel, p->patient, f.s[j])) err = strs_add(left, rel);
    }
    for (size_t c = 0; !err && c < nc; c++)
        if (ni_c[c] != 1)
            err = sb_printf(&why, "%s%s images for channel %s", why.s ? "; " : "",
                            ni_c[c] ? "several" : "no", l->channel[c]);
    for (size_t c = 0; !err && c < nmask; c++)
        if (nm_c[c] != 1)
            err = sb_printf(&why, "%s%s masks%s%s", why.s ? "; " : "", nm_c[c] ? "several" : "no",
                            l->shared_mask ? "" : " for channel ",
                            l->shared_mask ? "" : l->channel[c]);
    if (!err && why.s) p->reason = why.s, why.s = NULL;
    free(why.s), free(ni_c), free(nm_c);
    strs_free(&f);
    return err;
}

rgx_err layout_scan(const char *dir, const layout_pat_t *images, size_t n_images,
                    const layout_pat_t *masks, size_t n_masks, layout_t *l)
{
    memset(l, 0, sizeof *l);
    strs_t pats = {0}, ch = {0}, left = {0};
    DIR *d = opendir(dir);
    if (!d) return rgx_fail(RGX_ERR_INPUT, "%s: cannot read the folder: %s", dir, strerror(errno));
    rgx_err err = RGX_OK;
    struct dirent *e;
    while (!err && (e = readdir(d))) { /* one folder per patient; a file here is a leftover */
        if (e->d_name[0] == '.') continue;
        char full[PATH_MAX];
        struct stat st;
        if (pjoin(full, dir, e->d_name) || stat(full, &st) != 0) continue;
        err = strs_add(S_ISDIR(st.st_mode) ? &pats : &left, e->d_name);
    }
    closedir(d);
    if (!err && pats.n) qsort(pats.s, pats.n, sizeof *pats.s, by_name);
    if (!err) err = find_channels(dir, pats.s, pats.n, images, n_images, &ch);
    if (!err && !ch.n)
        err = rgx_fail(RGX_ERR_INPUT, "%s: no image file found (%s)", dir,
                       n_images ? "no file matches the --image patterns"
                                : "no file named like *<CH>_image*: give --image CH=PATTERN");
    l->channel = ch.s, l->n_channels = ch.n, ch.s = NULL;
    /* Shared mask: patterns say so; by default, when no mask names a channel. */
    l->shared_mask = 1;
    for (size_t k = 0; k < n_masks; k++)
        if (masks[k].channel) l->shared_mask = 0;
    if (!err && !n_masks)
        for (size_t i = 0; l->shared_mask && !err && i < pats.n; i++) {
            strs_t f = {0};
            char root[PATH_MAX];
            err = pjoin(root, dir, pats.s[i]) ? RGX_OK : list_files(root, "", &f);
            for (size_t j = 0; j < f.n; j++)
                if (match(f.s[j], NULL, 0, "mask", l->channel, l->n_channels, 0) >= 0)
                    l->shared_mask = 0;
            strs_free(&f);
        }
    if (!err) err = rgx_calloc(&l->p, pats.n ? pats.n : 1, sizeof *l->p);
    for (size_t i = 0; !err && i < pats.n; i++) {
        l->p[i].patient = pats.s[i], pats.s[i] = NULL, l->n++;
        err = one_patient(dir, l, &l->p[i], images, n_images, masks, n_masks, &left);
    }
    l->leftover = left.s, l->n_leftover = left.n, left.s = NULL;
    strs_free(&pats), strs_free(&ch), strs_free(&left);
    if (err) layout_free(l);
    return err;
}

void layout_free(layout_t *l)
{
    for (size_t i = 0; i < l->n; i++) {
        for (size_t c = 0; c < l->n_channels; c++) {
            if (l->p[i].image) free(l->p[i].image[c]);
            if (l->p[i].mask) free(l->p[i].mask[c]);
        }
        free(l->p[i].image), free(l->p[i].mask), free(l->p[i].patient), free(l->p[i].reason);
    }
    for (size_t c = 0; c < l->n_channels; c++) free(l->channel[c]);
    for (size_t k = 0; k < l->n_leftover; k++) free(l->leftover[k]);
    free(l->p), free(l->channel), free(l->leftover);
    memset(l, 0, sizeof *l);
}

/* A file's path for the manifest: relative to mdir (a resolved folder) when under it. */
static void out_path(FILE *f, const char *dir, const char *patient, const char *rel,
                     const char *mdir)
{
    char q[PATH_MAX], p[PATH_MAX], r[PATH_MAX];
    if (pjoin(q, dir, patient) || pjoin(p, q, rel)) snprintf(p, sizeof p, "%s", rel);
    const char *s = realpath(p, r) ? r : p;
    size_t n = mdir ? strlen(mdir) : 0;
    if (n && !strncmp(s, mdir, n) && s[n] == '/') s += n + 1;
    fputs(s, f);
}

rgx_err layout_write(const layout_t *l, const char *dir, const char *manifest_dir, FILE *f)
{
    char md[PATH_MAX];
    const char *mdir = manifest_dir && realpath(manifest_dir, md) ? md : NULL;
    fputs("patient_id", f);
    for (size_t c = 0; c < l->n_channels; c++) fprintf(f, "\timage_%s", l->channel[c]);
    if (l->shared_mask)
        fputs("\tmask", f);
    else
        for (size_t c = 0; c < l->n_channels; c++) fprintf(f, "\tmask_%s", l->channel[c]);
    fputc('\n', f);
    for (size_t i = 0; i < l->n; i++) {
        const layout_patient_t *p = &l->p[i];
        if (p->reason) continue;
        fputs(p->patient, f);
        for (size_t c = 0; c < l->n_channels; c++)
            fputc('\t', f), out_path(f, dir, p->patient, p->image[c], mdir);
        for (size_t c = 0; c < (l->shared_mask ? 1 : l->n_channels); c++)
            fputc('\t', f), out_path(f, dir, p->patient, p->mask[c], mdir);
        fputc('\n', f);
    }
    return ferror(f) ? rgx_fail(RGX_ERR_IO, "writing the manifest failed") : RGX_OK;
}
