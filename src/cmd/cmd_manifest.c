/* cmd_manifest.c — `radiogx manifest DIR`: a cohort manifest from a folder per patient. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "layout.h"
#include "opts.h"
#include "outfile.h"
#include "util.h"

static const opts_own_t own[] = {
    {"image", required_argument, 'i', "CH=PATTERN",
     "channel CH's image, e.g. CT='*CT_image*' (repeatable); default: every file named "
     "*<CH>_image* is CH's image"},
    {"mask", required_argument, 'k', "[CH=]PATTERN",
     "channel CH's mask, or the mask all channels share; default: *<CH>_mask* is CH's mask, "
     "another *mask* file the shared one"},
    {"out", required_argument, 'o', "FILE",
     "write the manifest there (paths relative to its folder when under it); default: "
     "standard output (absolute paths)"},
    {NULL, 0, 0, NULL, NULL},
};

static void usage(FILE *f, const opts_t *o)
{
    fprintf(f, "Usage: radiogx manifest DIR [--image CH=PATTERN]... [--mask [CH=]PATTERN]...\n"
               "                        [--out manifest.tsv]\n"
               "\n"
               "Builds a cohort manifest (docs/formats.md) from a folder with one subfolder per\n"
               "patient (the subfolder's name is the patient id), finding each patient's image\n"
               "and mask files by name (shell patterns, searched through the subfolder).  Prints\n"
               "what it matched, the patients it left out and why, and every file it did not use.\n"
               "\n"
               "Options:\n");
    opts_help(f, o, own);
    fprintf(f, "\n"
               "A patient is kept when each channel has exactly one image and one mask; a\n"
               "patient with none or several is left out, with the files named.  sample_id\n"
               "defaults to the patient id and site to `all` (add those columns to change them).\n"
               "\n"
               "Examples:\n"
               "  radiogx manifest sarcoma/ -o sarcoma/manifest.tsv\n"
               "  radiogx manifest data/ --image CT='*_ct.nii.gz' --image PET='*_pet.nii.gz' \\\n"
               "         --mask '*gtv*' -o manifest.tsv\n");
}

/* "CH=PATTERN" or "PATTERN" (a shared mask only). */
static int parse_pat(const char *arg, int need_ch, layout_pat_t *p)
{
    const char *eq = strchr(arg, '=');
    if (!eq) {
        if (need_ch) return -1;
        *p = (layout_pat_t){NULL, arg};
        return 0;
    }
    char *ch = strndup(arg, (size_t)(eq - arg));
    if (!ch || !*ch || !eq[1]) return free(ch), -1;
    *p = (layout_pat_t){ch, eq + 1};
    return 0;
}

static void report(const layout_t *l, const char *dir)
{
    size_t kept = 0;
    for (size_t i = 0; i < l->n; i++) kept += !l->p[i].reason;
    fprintf(stderr, "radiogx manifest: %s: %zu patient folders, %zu kept; channels:", dir, l->n,
            kept);
    for (size_t c = 0; c < l->n_channels; c++) fprintf(stderr, " %s", l->channel[c]);
    fprintf(stderr, "; %s\n",
            l->shared_mask ? "one mask shared by the channels" : "a mask per channel");
    for (size_t i = 0; i < l->n; i++) {
        const layout_patient_t *p = &l->p[i];
        if (p->reason) {
            fprintf(stderr, "  left out %s: %s\n", p->patient, p->reason);
            continue;
        }
        fprintf(stderr, "  %s:", p->patient);
        for (size_t c = 0; c < l->n_channels; c++)
            fprintf(stderr, " image_%s=%s", l->channel[c], p->image[c]);
        for (size_t c = 0; c < (l->shared_mask ? 1 : l->n_channels); c++)
            fprintf(stderr, " mask%s%s=%s", l->shared_mask ? "" : "_",
                    l->shared_mask ? "" : l->channel[c], p->mask[c]);
        fputc('\n', stderr);
    }
    for (size_t k = 0; k < l->n_leftover; k++) fprintf(stderr, "  not used: %s\n", l->leftover[k]);
}

enum { MAXP = 64 };

typedef struct {
    layout_pat_t im[MAXP], mk[MAXP];
    size_t ni, nm;
    const char *out;
} args_t;

static int take(void *ctx, int opt, const char *arg)
{
    args_t *a = ctx;
    if (opt == 'o') return a->out = arg, 0;
    size_t *n = opt == 'i' ? &a->ni : &a->nm; /* -i, -k */
    layout_pat_t *v = opt == 'i' ? a->im : a->mk;
    if (*n < MAXP && !parse_pat(arg, opt == 'i', &v[*n])) return ++*n, 0;
    fprintf(stderr, "radiogx manifest: --%s '%s': expected %s (at most %d)\n",
            opt == 'i' ? "image" : "mask", arg, opt == 'i' ? "CH=PATTERN" : "[CH=]PATTERN", MAXP);
    return -1;
}

static const opts_cmd_t cmd = {"manifest", own, NULL, NULL, 1, usage, take};

int cmd_manifest(int argc, char **argv)
{
    args_t a = {0};
    opts_t o;
    int p = opts_parse(&o, &cmd, argc, argv, NULL, &a);
    opts_free(&o);
    rgx_err err = p < 0 ? RGX_ERR_USAGE : RGX_OK;
    if (p) goto done;
    const char *out = a.out;
    if (!err && optind + 1 != argc) {
        fprintf(stderr, "radiogx manifest: give one folder (`radiogx manifest --help`)\n");
        err = RGX_ERR_USAGE;
    }
    if (err) goto done;
    const char *dir = argv[optind];
    layout_t l;
    if ((err = layout_scan(dir, a.im, a.ni, a.mk, a.nm, &l))) {
        fprintf(stderr, "radiogx manifest: %s\n", rgx_errmsg());
        goto done;
    }
    report(&l, dir);
    size_t kept = 0;
    for (size_t i = 0; i < l.n; i++) kept += !l.p[i].reason;
    if (!kept) err = rgx_fail(RGX_ERR_INPUT, "%s: no patient folder matched fully", dir);
    /* Under a temporary name, renamed when complete (outfile.h), like every output. */
    outfile_t of = {0};
    char *mdir = NULL;
    if (!err && out) err = outfile_open(&of, out);
    if (!err && out) err = path_dirname(&mdir, out);
    if (!err) err = layout_write(&l, dir, out ? mdir : NULL, out ? of.f : stdout);
    if (!out && !err && fflush(stdout)) err = rgx_fail(RGX_ERR_IO, "standard output: write failed");
    if (out) err = err ? (outfile_abort(&of), err) : outfile_commit(&of);
    if (err)
        fprintf(stderr, "radiogx manifest: %s\n", rgx_errmsg());
    else if (out)
        fprintf(stderr, "radiogx manifest: wrote %s (%zu patients)\n", out, kept);
    free(mdir);
    layout_free(&l);
done:
    for (size_t k = 0; k < a.ni; k++) free((char *)a.im[k].channel);
    for (size_t k = 0; k < a.nm; k++) free((char *)a.mk[k].channel);
    return err;
}
