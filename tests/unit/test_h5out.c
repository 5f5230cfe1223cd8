/* test_h5out.c — the run file under MPI: rows from every rank in rank order, scattered rows,
 * strings, attributes, the 0640 mode, the atomic rename, copying objects.  Runs with any
 * number of ranks (tests/e2e/h5out_mpi.t runs it with 3); rank 0 checks and prints TAP. */
#include "tap.h"
#include "h5in.h"
#include "h5out.h"
#include "mpienv.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    mpienv_init(&argc, &argv, 1);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rank) freopen("/dev/null", "w", stdout);

    char dir[] = "/tmp/rgx_h5out_XXXXXX";
    if (rank == 0 && !mkdtemp(dir)) return 1;
    MPI_Bcast(dir, sizeof dir, MPI_CHAR, 0, MPI_COMM_WORLD);
    char path[256], path2[256];
    snprintf(path, sizeof path, "%s/run.h5", dir);
    snprintf(path2, sizeof path2, "%s/copy.h5", dir);

    h5out_t h;
    is_int(h5out_create(&h, path, MPI_COMM_WORLD), RGX_OK, "create");
    struct stat st;
    char part[300];
    snprintf(part, sizeof part, "%s.part", path);
    ok(stat(part, &st) == 0 && (st.st_mode & 0777) == 0640, "temporary file exists with mode 0640");
    ok(stat(path, &st) != 0, "final name absent while writing");

    /* Rank r contributes r + 1 rows of 3 columns: value = 100 * rank + row. */
    size_t nl = (size_t)rank + 1;
    double *rows = malloc(nl * 3 * sizeof *rows);
    for (size_t i = 0; i < nl * 3; i++) rows[i] = 100.0 * rank + (double)i;
    is_int(h5out_write_rows(&h, "/features/values", H5T_NATIVE_DOUBLE, nl, 3, rows), RGX_OK,
           "rows from every rank");
    char id[64];
    snprintf(id, sizeof id, "P%d-from-rank-%d", rank, rank);
    const char *ids[4] = {id, id, id, id};
    is_int(h5out_write_strings(&h, "/samples/patient_id", nl, ids), RGX_OK, "strings per rank");
    const char *names[] = {"morph_volume", "stat_mean", "cm_joint_max_3D_avg"};
    is_int(h5out_write_strings_all(&h, "/features/names", 3, names), RGX_OK, "shared strings");

    /* Scattered rows: rank r writes rows r, r + size, ... of a 10 x 2 matrix. */
    hid_t d;
    is_int(h5out_matrix_create(&h, "/assoc/beta", H5T_NATIVE_DOUBLE, 10, 2, 4, H5OUT_DEFLATE, 4,
                               &d),
           RGX_OK, "chunked deflated matrix");
    hsize_t at[10];
    double vals[20];
    size_t n = 0;
    for (int r = rank; r < 10; r += size, n++) {
        at[n] = (hsize_t)r;
        vals[2 * n] = r, vals[2 * n + 1] = -r;
    }
    is_int(h5out_matrix_write_at(&h, d, H5T_NATIVE_DOUBLE, n, at, vals), RGX_OK, "scattered rows");
    H5Dclose(d);
    is_int(h5out_attr_str(&h, "/features", "description", "IBSI features"), RGX_OK, "attribute");
    is_int(h5out_attr_double(&h, "/", "lambda", 1.25), RGX_OK, "double attribute");
    is_int(h5out_commit(&h), RGX_OK, "commit");
    ok(stat(part, &st) != 0 && stat(path, &st) == 0 && (st.st_mode & 0777) == 0640,
       "renamed to the final name, mode 0640");

    /* Copy groups into a second file. */
    is_int(h5out_create(&h, path2, MPI_COMM_WORLD), RGX_OK, "create a second file");
    const char *objs[] = {"/features", "/samples"};
    is_int(h5out_copy_from(&h, path, objs, 2), RGX_OK, "copy groups");
    is_int(h5out_commit(&h), RGX_OK, "commit the copy");

    if (rank == 0) {
        for (int f = 0; f < 2; f++) {
            hid_t file;
            const char *p = f ? path2 : path;
            is_int(h5in_open(p, &file), RGX_OK, f ? "open the copy" : "open");
            size_t r, c;
            double *v;
            is_int(h5in_read_doubles(file, "/features/values", &r, &c, &v), RGX_OK, "read rows");
            is_int(r, size * (size + 1) / 2, "total rows");
            int good = c == 3;
            size_t row = 0;
            for (int k = 0; k < size; k++)
                for (int i = 0; i <= k; i++, row++)
                    for (int j = 0; j < 3; j++)
                        good &= v[row * 3 + j] == 100.0 * k + (double)(i * 3 + j);
            ok(good, "rows in rank order");
            free(v);
            char **s;
            size_t ns;
            is_int(h5in_read_strings(file, "/samples/patient_id", &ns, &s), RGX_OK, "read strings");
            char want[64];
            snprintf(want, sizeof want, "P%d-from-rank-%d", size - 1, size - 1);
            is_str(s[ns - 1], want, "last string comes from the last rank");
            h5in_free_strings(s, ns);
            is_int(h5in_read_strings(file, "/features/names", &ns, &s), RGX_OK, "names");
            ok(ns == 3 && !strcmp(s[2], "cm_joint_max_3D_avg"), "names written once");
            h5in_free_strings(s, ns);
            char *a;
            is_int(h5in_attr_str(file, "/features", "description", &a), RGX_OK, "read attribute");
            is_str(a, "IBSI features", "attribute value");
            free(a);
            h5in_close(file);
        }
        hid_t file;
        h5in_open(path, &file);
        size_t r, c;
        double *v;
        h5in_read_doubles(file, "/assoc/beta", &r, &c, &v);
        int good = r == 10 && c == 2;
        for (int i = 0; good && i < 10; i++) good = v[2 * i] == i && v[2 * i + 1] == -i;
        ok(good, "scattered rows land at their indices");
        free(v);
        double lam;
        is_int(h5in_attr_double(file, "/", "lambda", &lam), RGX_OK, "double attribute back");
        is_double(lam, 1.25, 0, "double attribute value");
        h5in_close(file);
        is_int(h5in_open("/nonexistent.h5", &file), RGX_ERR_INPUT, "missing run file");
        like(rgx_errmsg(), "/nonexistent.h5: no such file", "missing run file message");
        unlink(path), unlink(path2), rmdir(dir);
    }
    free(rows);
    int rc = tap_done();
    mpienv_finalize();
    return rank == 0 ? rc : 0;
}
