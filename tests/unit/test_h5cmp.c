/* test_h5cmp.c — bitwise comparison of run files: identical, a changed value, a changed
 * string, a missing dataset, NaN by bits, a dataset of rank 10. */
#include "tap.h"
#include "h5cmp.h"
#include "h5out.h"
#include "mpienv.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

static void make(const char *path, double x, const char *name, int with_extra, double nan_bits)
{
    h5out_t h;
    h5out_create(&h, path, MPI_COMM_WORLD);
    double v[6] = {1, 2, 3, 4, x, nan_bits};
    h5out_write_rows(&h, "/assoc/beta", H5T_NATIVE_DOUBLE, 3, 2, v);
    const char *names[2] = {"CT.1.stat_mean", name};
    h5out_write_strings_all(&h, "/features/names", 2, names);
    if (with_extra) h5out_write_all(&h, "/features/extra", H5T_NATIVE_DOUBLE, 1, 0, v);
    h5out_commit(&h);
}

/* Adds /features/deep, a dataset of rank 10 (HDF5 allows 32): {0, 1, 2, 3, 4, last}. */
static void add_deep(const char *path, double last)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hsize_t dims[10] = {2, 1, 1, 1, 1, 1, 1, 1, 1, 3};
    hid_t sp = H5Screate_simple(10, dims, NULL);
    hid_t d = H5Dcreate2(f, "/features/deep", H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT);
    double v[6] = {0, 1, 2, 3, 4, last};
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    H5Dclose(d), H5Sclose(sp), H5Fclose(f);
}

int main(int argc, char **argv)
{
    mpienv_init(&argc, &argv, 1);
    char dir[] = "/tmp/rgx_h5cmp_XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char a[256], b[256];
    snprintf(a, sizeof a, "%s/a.h5", dir);
    snprintf(b, sizeof b, "%s/b.h5", dir);
    const char *objs[] = {"/features", "/assoc", "/absent"};
    int same;
    char *diff;

    make(a, 5, "CT.1.morph_volume", 0, NAN);
    make(b, 5, "CT.1.morph_volume", 0, NAN);
    is_int(h5cmp_files(a, b, objs, 3, &same, &diff), RGX_OK, "compare");
    ok(same && !diff, "identical files");

    make(b, 5.000000000000001, "CT.1.morph_volume", 0, NAN);
    h5cmp_files(a, b, objs, 3, &same, &diff);
    ok(!same, "one ulp is a difference");
    like(diff, "/assoc/beta[2,0]: 5 vs 5.0000000000000009", "where and what");
    free(diff);

    make(b, 5, "CT.1.morph_vol", 0, NAN);
    h5cmp_files(a, b, objs, 3, &same, &diff);
    like(diff, "/features/names[1]: \"CT.1.morph_volume\" vs \"CT.1.morph_vol\"",
         "string difference");
    free(diff);

    make(b, 5, "CT.1.morph_volume", 1, NAN);
    h5cmp_files(a, b, objs, 3, &same, &diff);
    like(diff, "/features/extra: only in the second file", "extra dataset");
    free(diff);

    make(b, 5, "CT.1.morph_volume", 0, -NAN);
    h5cmp_files(a, b, objs, 3, &same, &diff);
    ok(!same, "NaN compared by bits (sign differs)");
    free(diff);

    /* A dataset of rank 10 overflowed the comparison's arrays of 8 dimensions. */
    make(a, 5, "CT.1.morph_volume", 0, NAN), add_deep(a, 5);
    make(b, 5, "CT.1.morph_volume", 0, NAN), add_deep(b, 5);
    is_int(h5cmp_files(a, b, objs, 3, &same, &diff), RGX_OK, "rank 10: compared");
    ok(same && !diff, "rank 10: identical");
    free(diff);
    make(b, 5, "CT.1.morph_volume", 0, NAN), add_deep(b, 6);
    h5cmp_files(a, b, objs, 3, &same, &diff);
    like(diff, "/features/deep[1,2]: 5 vs 6", "rank 10: the difference, by row and column");
    free(diff);

    is_int(h5cmp_files(a, "/nonexistent.h5", objs, 3, &same, &diff), RGX_ERR_INPUT, "missing file");
    unlink(a), unlink(b), rmdir(dir);
    int rc = tap_done();
    mpienv_finalize();
    return rc;
}
