/* export_features.c — see export_features.h. */
#include "export_features.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5in.h"
#include "outfile.h"
#include "util.h"
#include "runfile.h"

rgx_err export_features_tsv(const char *run_path, const char *out_path)
{
    hid_t f;
    rgx_err err = h5in_open(run_path, &f);
    if (err) return err;
    char **pid = NULL, **sid = NULL, **site = NULL, **names = NULL;
    size_t np = 0, ns = 0, nsite = 0, nn = 0, nstat = 0, rows = 0, cols = 0;
    long *status = NULL;
    double *v = NULL;
    outfile_t of = {0};
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
    if ((err = outfile_open(&of, out_path))) goto out;
    o = of.f;
    fputs("patient_id\tsample_id\tsite\tstatus", o);
    for (size_t j = 0; j < nn; j++) fprintf(o, "\t%s", names[j]);
    fputc('\n', o);
    static const char *word[] = {"ok", "failed", "no_genotypes"};
    for (size_t i = 0; i < np && !outfile_failed(&of); i++) {
        fprintf(o, "%s\t%s\t%s\t%s", pid[i], sid[i], site[i],
                status[i] >= 0 && status[i] <= 2 ? word[status[i]] : "unknown");
        for (size_t j = 0; j < nn; j++) {
            double x = v[i * cols + j];
            if (isnan(x)) fputs("\tNA", o);
            else fprintf(o, "\t%.17g", x);
        }
        fputc('\n', o);
    }
    err = outfile_commit(&of);
out:
    outfile_abort(&of);
    h5in_free_strings(pid, np), h5in_free_strings(sid, ns), h5in_free_strings(site, nsite);
    h5in_free_strings(names, nn);
    free(status), free(v);
    h5in_close(f);
    return err;
}
