/* test_provenance.c — /provenance holds every item of the design (versions, command line,
 * config, hosts, times, checksums, inputs) and the inputs table does not depend on the
 * number of ranks.  Runs with any number of ranks; rank 0 checks. */
#include "tap.h"
#include "h5in.h"
#include "h5out.h"
#include "mpienv.h"
#include "provenance.h"
#include "util.h"

#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    mpienv_init(&argc, &argv, 1);
    if (rgx_mpi.rank) freopen("/dev/null", "w", stdout);
    char dir[] = "/tmp/rgx_prov_XXXXXX";
    if (rgx_mpi.rank == 0 && !mkdtemp(dir)) return 1;
    MPI_Bcast(dir, sizeof dir, MPI_CHAR, 0, MPI_COMM_WORLD);
    char path[256], cpath[256], in[5][256];
    snprintf(path, sizeof path, "%s/run.h5", dir);
    snprintf(cpath, sizeof cpath, "%s/c.yaml", dir);
    prov_inputs_t inputs = {0};
    if (rgx_mpi.rank == 0) {
        FILE *f = fopen(cpath, "w");
        fputs("study:\n  name: provtest\n", f);
        fclose(f);
    }
    for (int i = 0; i < 5; i++) {
        snprintf(in[i], sizeof in[i], "%s/input%d.txt", dir, i);
        if (rgx_mpi.rank == 0) {
            FILE *f = fopen(in[i], "w");
            fprintf(f, "abc");
            fclose(f);
        }
        prov_inputs_add(&inputs, i ? "image_CT" : "manifest", in[i]);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    cfg_t *cfg;
    is_int(cfg_load(&cfg, cpath, rgx_schema, NULL, 0), RGX_OK, "config");
    h5out_t h;
    char *args[] = {"radiogx", "run", "--config", cpath, "-P", "study.name=a b"};
    is_int(h5out_create(&h, path, MPI_COMM_WORLD), RGX_OK, "create");
    is_int(provenance_begin(&h, 6, args, cfg, in[0], &inputs, 1), RGX_OK, "provenance_begin");
    is_int(provenance_end(&h), RGX_OK, "provenance_end");
    is_int(h5out_commit(&h), RGX_OK, "commit");
    if (rgx_mpi.rank == 0) {
        hid_t f;
        h5in_open(path, &f);
        static const char *attrs[] = {"radiogx_version", "command_line", "start_time", "end_time",
                                      "hosts", "hdf5_version", "htslib_version", "gsl_version",
                                      "openblas_version", "mpi_version", "config_sha256",
                                      "manifest_sha256", "working_directory"};
        for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
            char *v = NULL;
            ok(h5in_attr_str(f, "/provenance", attrs[i], &v) == RGX_OK && v && *v, attrs[i]);
            if (!strcmp(attrs[i], "command_line"))
                like(v, "-P 'study.name=a b'", "quoted argument");
            if (!strcmp(attrs[i], "manifest_sha256"))
                is_str(v, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                       "manifest checksum");
            if (!strcmp(attrs[i], "gsl_version")) is_str(v, "2.7.1", "GSL version");
            free(v);
        }
        double w;
        ok(h5in_attr_double(f, "/provenance", "wall_seconds", &w) == RGX_OK && w >= 0, "wall time");
        char **s;
        size_t n;
        is_int(h5in_read_strings(f, "/provenance/config", &n, &s), RGX_OK, "effective config");
        like(s[0], "name: \"provtest\"", "effective config has the value");
        like(s[0], "affine_tolerance_mm: 0.001", "effective config has the defaults");
        h5in_free_strings(s, n);
        is_int(h5in_read_strings(f, "/provenance/inputs/path", &n, &s), RGX_OK, "inputs");
        is_int(n, 5, "every input listed");
        int order = n == 5;
        for (size_t i = 0; order && i < n; i++) order = !strcmp(s[i], in[i]);
        ok(order, "inputs in the given order, whatever the rank count");
        h5in_free_strings(s, n);
        is_int(h5in_read_strings(f, "/provenance/inputs/sha256", &n, &s), RGX_OK, "checksums");
        is_str(s[4], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
               "input checksum");
        h5in_free_strings(s, n);
        size_t r, c;
        double *sz;
        h5in_read_doubles(f, "/provenance/inputs/size", &r, &c, &sz);
        ok(r == 5 && sz[0] == 3 && sz[4] == 3, "input sizes");
        free(sz);
        h5in_close(f);
    }
    /* No inputs (NULL): an empty inputs table, and nothing left allocated (LeakSanitizer). */
    char path2[256];
    snprintf(path2, sizeof path2, "%s/run2.h5", dir);
    is_int(h5out_create(&h, path2, MPI_COMM_WORLD), RGX_OK, "create (no inputs)");
    is_int(provenance_begin(&h, 2, args, NULL, NULL, NULL, 1), RGX_OK,
           "provenance_begin (no inputs)");
    is_int(provenance_end(&h), RGX_OK, "provenance_end (no inputs)");
    is_int(h5out_commit(&h), RGX_OK, "commit (no inputs)");
    if (rgx_mpi.rank == 0) {
        hid_t f;
        char **s = NULL;
        size_t n = 1;
        h5in_open(path2, &f);
        is_int(h5in_read_strings(f, "/provenance/inputs/path", &n, &s), RGX_OK, "inputs (none)");
        is_int(n, 0, "no input listed");
        h5in_free_strings(s, n);
        h5in_close(f);
        for (int i = 0; i < 5; i++) unlink(in[i]);
        unlink(path), unlink(path2), unlink(cpath), rmdir(dir);
    }
    prov_inputs_free(&inputs);
    cfg_free(cfg);
    int rc = tap_done();
    mpienv_finalize();
    return rgx_mpi.rank == 0 ? rc : 0;
}
