/* export_features.c — see export_features.h. */
#include "export_features.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "h5in.h"
#include "util.h"
#include "runfile.h"

/* Opens <path>.part for writing with mode 0640 (health data: never world-readable). */
static FILE *open_private(const char *tmp)
{
    unlink(tmp);
    int fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY, 0640);
    return fd < 0 ? NULL : fdopen(fd, "w");
}

rgx_err export_features_tsv(const char *run_path, const char *out_path)
{
    hid_t f;
    rgx_err err = h5in_open(run_path, &f);
    if (err) return err;
    char **pid = NULL, **sid = NULL, **site = NULL, **names = NULL;
    size_t np = 0, ns = 0, nsite = 0, nn = 0, nstat = 0, rows = 0, cols = 0;
    long *status = NULL;
    double *v = NULL;
    char *tmp = NULL;
    FILE *o = NULL;
    if (!h5in_exists(f, RF_FEATURES_VALUES)) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: no /features (was extract run?)", run_path);
        goto out;
    }
    if ((err = h5in_read_strings(f, RF_SAMPLES_PATIENT_ID, &np, &pid)) ||
        (err = h5in_read_strings(f, RF_SAMPLES_SAMPLE_ID, &ns, &sid)) ||
        (err = h5in_read_strings(f, RF_SAMPLES_SITE, &nsite, &site)) ||
        (err = h5in_read_longs(f, RF_SAMPLES_STATUS, &nstat, &status)) ||
        (err = h5in_read_strings(f, RF_FEATURES_NAMES, &nn, &names)) ||
        (err = h5in_read_doubles(f, RF_FEATURES_VALUES, &rows, &cols, &v)))
        goto out;
    if (ns != np || nsite != np || nstat != np || rows != np || cols != nn) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: /samples and /features disagree in size (%zu patients, "
                       "%zu x %zu values, %zu names)", run_path, np, rows, cols, nn);
        goto out;
    }
    size_t len = strlen(out_path) + 6;
    if ((err = rgx_calloc(&tmp, len, 1))) goto out;
    snprintf(tmp, len, "%s.part", out_path);
    if (!(o = open_private(tmp))) {
        err = rgx_fail(RGX_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
        goto out;
    }
    fputs("patient_id\tsample_id\tsite\tstatus", o);
    for (size_t j = 0; j < nn; j++) fprintf(o, "\t%s", names[j]);
    fputc('\n', o);
    static const char *word[] = {"ok", "failed", "no_genotypes"};
    for (size_t i = 0; i < np; i++) {
        fprintf(o, "%s\t%s\t%s\t%s", pid[i], sid[i], site[i],
                status[i] >= 0 && status[i] <= 2 ? word[status[i]] : "unknown");
        for (size_t j = 0; j < nn; j++) {
            double x = v[i * cols + j];
            if (isnan(x)) fputs("\tNA", o);
            else fprintf(o, "\t%.17g", x);
        }
        fputc('\n', o);
    }
    if (ferror(o) | fclose(o)) {
        o = NULL;
        err = rgx_fail(RGX_ERR_IO, "%s: write failed", tmp);
        goto out;
    }
    o = NULL;
    if (rename(tmp, out_path) != 0)
        err = rgx_fail(RGX_ERR_IO, "cannot rename %s to %s: %s", tmp, out_path, strerror(errno));
out:
    if (o) fclose(o);
    if (err && tmp) unlink(tmp);
    free(tmp);
    h5in_free_strings(pid, np), h5in_free_strings(sid, ns), h5in_free_strings(site, nsite);
    h5in_free_strings(names, nn);
    free(status), free(v);
    h5in_close(f);
    return err;
}
