/* test_export_features.c — features.tsv from a run file: header, status words, NA for NaN,
 * doubles that read back exactly, mode 0640, and a clear error without /features. */
#include "tap.h"
#include "export_features.h"
#include "h5out.h"
#include "mpienv.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void make(const char *path, int with_features)
{
    h5out_t h;
    h5out_create(&h, path, MPI_COMM_WORLD);
    const char *pid[3] = {"P1", "P2", "P3"}, *sid[3] = {"S1", "S2", "S3"},
               *site[3] = {"a", "b", "a"};
    int8_t st[3] = {0, 1, 2};
    h5out_write_strings_all(&h, "/samples/patient_id", 3, pid);
    h5out_write_strings_all(&h, "/samples/sample_id", 3, sid);
    h5out_write_strings_all(&h, "/samples/site", 3, site);
    h5out_write_all(&h, "/samples/status", H5T_NATIVE_INT8, 3, 0, st);
    if (with_features) {
        double v[6] = {0.1, 1e300, NAN, NAN, -2.5, 1.0 / 3.0};
        const char *names[2] = {"CT.1.morph_volume", "CT.1.stat_mean"};
        h5out_write_all(&h, "/features/values", H5T_NATIVE_DOUBLE, 3, 2, v);
        h5out_write_strings_all(&h, "/features/names", 2, names);
    }
    h5out_commit(&h);
}

int main(int argc, char **argv)
{
    mpienv_init(&argc, &argv, 1);
    char dir[] = "/tmp/rgx_export_XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char run[256], tsv[300], bare[256];
    snprintf(run, sizeof run, "%s/run.h5", dir);
    snprintf(tsv, sizeof tsv, "%s/features.tsv", dir);
    snprintf(bare, sizeof bare, "%s/bare.h5", dir);
    make(run, 1);
    make(bare, 0);

    is_int(export_features_tsv(run, tsv), RGX_OK, "export");
    char *text = NULL;
    size_t len = 0;
    read_file(tsv, &text, &len);
    is_str(text,
           "patient_id\tsample_id\tsite\tstatus\tCT.1.morph_volume\tCT.1.stat_mean\n"
           "P1\tS1\ta\tok\t0.10000000000000001\t1.0000000000000001e+300\n"
           "P2\tS2\tb\tfailed\tNA\tNA\n"
           "P3\tS3\ta\tno_genotypes\t-2.5\t0.33333333333333331\n",
           "the table, exactly");
    ok(text && strtod(strstr(text, "0.333"), NULL) == 1.0 / 3.0, "17 digits read back exactly");
    free(text);
    struct stat sb;
    ok(stat(tsv, &sb) == 0 && (sb.st_mode & 0777) == 0640, "mode 0640");
    char part[320];
    snprintf(part, sizeof part, "%s.part", tsv);
    ok(access(part, F_OK) != 0, "no temporary file left");

    char other[300];
    snprintf(other, sizeof other, "%s/none.tsv", dir);
    is_int(export_features_tsv(bare, other), RGX_ERR_INPUT, "no /features: input error");
    like(rgx_errmsg(), "bare.h5: no /features", "message names the file");
    is_int(export_features_tsv("/nonexistent/run.h5", other) != RGX_OK, 1, "missing run file");

    path_remove_tree(dir);
    int rc = tap_done();
    mpienv_finalize();
    return rc;
}
