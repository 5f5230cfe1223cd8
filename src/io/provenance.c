/* provenance.c — see provenance.h. */
#include "provenance.h"

#include <cblas.h>
#include <fftw3.h>
#include <gsl/gsl_version.h>
#include <htslib/hts.h>
#include <isa-l.h>
#include <libdeflate.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>
#include <zstd.h>

#include "log.h"
#include "mpienv.h"
#include "util.h"
#include "version.h"
#include "runfile.h"

static double start_wall;

rgx_err prov_inputs_add(prov_inputs_t *in, const char *role, const char *path)
{
    rgx_err err;
    if (!path) return RGX_OK;
    if (in->n == in->m) {
        size_t m = in->m ? 2 * in->m : 64;
        if ((err = rgx_realloc(&in->role, m, sizeof *in->role))) return err;
        if ((err = rgx_realloc(&in->path, m, sizeof *in->path))) return err;
        in->m = m;
    }
    if ((err = rgx_strdup(&in->role[in->n], role))) return err;
    if ((err = rgx_strdup(&in->path[in->n], path))) {
        free(in->role[in->n]);
        return err;
    }
    in->n++;
    return RGX_OK;
}

void prov_inputs_free(prov_inputs_t *in)
{
    for (size_t i = 0; i < in->n; i++) free(in->role[i]), free(in->path[i]);
    free(in->sha);
    free(in->role);
    free(in->path);
    memset(in, 0, sizeof *in);
}

const char *prov_inputs_sha(const prov_inputs_t *in, const char *role)
{
    for (size_t i = 0; i < in->n_sha; i++)
        if (!strcmp(in->role[i], role) && in->sha[i][0]) return in->sha[i];
    return NULL;
}

rgx_err provenance_command_line(int argc, char **argv, char **out)
{
    strbuf_t sb = {0};
    rgx_err err = sb_append(&sb, "");
    for (int i = 0; !err && i < argc; i++) {
        const char *a = argv[i];
        int plain = *a != '\0';
        for (const char *p = a; *p; p++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%",
                        *p))
                plain = 0;
        if (i) err = sb_append(&sb, " ");
        if (!err && plain) err = sb_append(&sb, a);
        else if (!err) {
            err = sb_append(&sb, "'");
            for (const char *p = a; !err && *p; p++)
                err = *p == '\'' ? sb_append(&sb, "'\\''") : sb_printf(&sb, "%c", *p);
            if (!err) err = sb_append(&sb, "'");
        }
    }
    if (err) free(sb.s);
    else *out = sb.s;
    return err;
}

static rgx_err attr(h5out_t *h, const char *name, const char *value)
{
    return h5out_attr_str(h, RF_PROVENANCE, name, value ? value : "");
}

/* Host names of every rank, distinct, in rank order, comma-separated; same on all ranks. */
static rgx_err host_list(h5out_t *h, char **out)
{
    enum { W = 256 };
    char *all;
    rgx_err err = rgx_calloc(&all, (size_t)h->size, W);
    if (err) return err;
    MPI_Allgather(rgx_mpi.host, W, MPI_CHAR, all, W, MPI_CHAR, h->comm);
    strbuf_t sb = {0};
    err = sb_append(&sb, "");
    for (int r = 0; !err && r < h->size; r++) {
        const char *name = all + (size_t)r * W;
        int seen = 0;
        for (int q = 0; q < r && !seen; q++) seen = !strcmp(name, all + (size_t)q * W);
        if (!seen) err = sb_printf(&sb, "%s%s", sb.len ? "," : "", name);
    }
    free(all);
    if (err) free(sb.s);
    else *out = sb.s;
    return err;
}

static rgx_err write_inputs(h5out_t *h, prov_inputs_t *in, int checksums)
{
    /* Rank r takes the contiguous share [lo, hi): rank order = input order. */
    size_t lo = in->n * (size_t)h->rank / (size_t)h->size;
    size_t hi = in->n * (size_t)(h->rank + 1) / (size_t)h->size;
    size_t n = hi - lo;
    double *size = NULL, *mtime = NULL;
    char (*sha)[65] = NULL;
    const char **shas = NULL;
    rgx_err err = RGX_OK;
    if ((err = rgx_calloc(&size, n ? n : 1, sizeof *size)) ||
        (err = rgx_calloc(&mtime, n ? n : 1, sizeof *mtime)) ||
        (err = rgx_calloc(&sha, n ? n : 1, sizeof *sha)) ||
        (err = rgx_calloc(&shas, n ? n : 1, sizeof *shas)))
        goto out;
    for (size_t i = 0; i < n; i++) {
        const char *p = in->path[lo + i];
        struct stat st;
        if (stat(p, &st) == 0) {
            size[i] = (double)st.st_size;
            mtime[i] = (double)st.st_mtim.tv_sec + 1e-9 * (double)st.st_mtim.tv_nsec;
        } else {
            size[i] = mtime[i] = -1;
        }
        const char *role = in->role[lo + i]; /* tables and settings: always hashed */
        int is_small = !strcmp(role, "manifest") || !strcmp(role, "config") ||
                       !strcmp(role, "phenotypes") || !strcmp(role, "covariates");
        if (lo + i < in->n_sha && in->sha[lo + i][0]) /* hashed by an earlier call in this run */
            memcpy(sha[i], in->sha[lo + i], sizeof sha[i]);
        else if ((checksums || is_small) && sha256_file(p, sha[i]) != RGX_OK)
            strcpy(sha[i], "unreadable");
        shas[i] = sha[i];
    }
    if ((err = h5out_write_strings(h, RF_PROV_INPUTS_ROLE, n, (const char *const *)in->role + lo)))
        goto out;
    if ((err = h5out_write_strings(h, RF_PROV_INPUTS_PATH, n, (const char *const *)in->path + lo)))
        goto out;
    if ((err = h5out_write_rows(h, RF_PROV_INPUTS_SIZE, H5T_NATIVE_DOUBLE, n, 0, size))) goto out;
    if ((err = h5out_write_rows(h, RF_PROV_INPUTS_MTIME, H5T_NATIVE_DOUBLE, n, 0, mtime)))
        goto out;
    err = h5out_write_strings(h, RF_PROV_INPUTS_SHA256, n, shas);
    /* Every rank gets every checksum (the scan keys its checkpoints by some of them). */
    int *cnt = calloc((size_t)h->size, sizeof *cnt), *dsp = calloc((size_t)h->size, sizeof *dsp);
    free(in->sha);
    in->n_sha = 0;
    in->sha = calloc(in->n ? in->n : 1, sizeof *in->sha);
    if (!err && (!cnt || !dsp || !in->sha)) err = rgx_fail(RGX_ERR_MEMORY, "out of memory");
    if (!err) {
        for (int r = 0; r < h->size; r++) {
            size_t a = in->n * (size_t)r / (size_t)h->size,
                   b = in->n * (size_t)(r + 1) / (size_t)h->size;
            cnt[r] = (int)((b - a) * 65), dsp[r] = (int)(a * 65);
        }
        MPI_Allgatherv(sha, (int)(n * 65), MPI_CHAR, in->sha, cnt, dsp, MPI_CHAR, h->comm);
        in->n_sha = in->n;
    }
    free(cnt), free(dsp);
out:
    free(size), free(mtime), free(sha), free(shas);
    return err;
}

rgx_err provenance_begin(h5out_t *h, int argc, char **argv, const cfg_t *cfg,
                         const char *manifest_path, prov_inputs_t *inputs, int checksums)
{
    start_wall = wall_clock();
    char *cmd = NULL, *hosts = NULL, *eff = NULL, buf[512], when[32];
    rgx_err err;
    if ((err = h5out_group(h, RF_PROVENANCE))) return err;
    if ((err = provenance_command_line(argc, argv, &cmd))) goto out;
    if ((err = host_list(h, &hosts))) goto out;
    iso8601_utc(start_wall, when);
    /* Rank 0's clock and working directory speak for the run. */
    char cwd[4096] = "";
    if (h->rank == 0 && !getcwd(cwd, sizeof cwd)) strcpy(cwd, "?");
    MPI_Bcast(cwd, sizeof cwd, MPI_CHAR, 0, h->comm);
    MPI_Bcast(when, sizeof when, MPI_CHAR, 0, h->comm);
    MPI_Bcast(&start_wall, 1, MPI_DOUBLE, 0, h->comm);

    if ((err = attr(h, "radiogx_version", rgx_version()))) goto out;
    if ((err = attr(h, "command_line", cmd))) goto out;
    /* The arguments one by one, so that `radiogx verify` can rerun the command exactly. */
    if ((err = h5out_write_strings_all(h, RF_PROV_ARGV, (size_t)argc,
                                       (const char *const *)argv)))
        goto out;
    if ((err = attr(h, "working_directory", cwd))) goto out;
    if ((err = attr(h, "start_time", when))) goto out;
    if ((err = h5out_attr_long(h, RF_PROVENANCE, "world_size", h->size))) goto out;
    if ((err = attr(h, "hosts", hosts))) goto out;
    if ((err = h5out_attr_long(h, RF_PROVENANCE, "n_hosts", rgx_mpi.n_hosts))) goto out;
    if ((err = h5out_attr_long(h, RF_PROVENANCE, "blas_threads", rgx_mpi.blas_threads))) goto out;
    unsigned maj, min, rel;
    H5get_libversion(&maj, &min, &rel);
    snprintf(buf, sizeof buf, "%u.%u.%u (parallel)", maj, min, rel);
    if ((err = attr(h, "hdf5_version", buf))) goto out;
    if ((err = attr(h, "htslib_version", hts_version()))) goto out;
    if ((err = attr(h, "gsl_version", gsl_version))) goto out;
    if ((err = attr(h, "openblas_version", openblas_get_config()))) goto out;
    char mpiv[MPI_MAX_LIBRARY_VERSION_STRING];
    int len;
    MPI_Get_library_version(mpiv, &len);
    mpiv[strcspn(mpiv, "\n,")] = '\0';
    if ((err = attr(h, "mpi_version", mpiv))) goto out;
    if ((err = attr(h, "yaml_version", yaml_get_version_string()))) goto out;
    if ((err = attr(h, "nifti_library", "nifticlib (libnifti2, NIfTI-1 and NIfTI-2)"))) goto out;
    snprintf(buf, sizeof buf, "%d.%d.%d (headers at build time)", ISAL_MAJOR_VERSION,
             ISAL_MINOR_VERSION, ISAL_PATCH_VERSION);
    if ((err = attr(h, "isal_version", buf))) goto out; /* reads .nii.gz voxels */
    if ((err = attr(h, "libdeflate_version", LIBDEFLATE_VERSION_STRING " (headers at build time)")))
        goto out; /* writes them (simulate, filter maps) */
    if ((err = attr(h, "fftw_version", fftw_version))) goto out; /* the filters' FFTs */
    if ((err = attr(h, "zstd_version", ZSTD_versionString()))) goto out; /* BGEN v1.3 */
    if ((err = attr(h, "sqlite_version", sqlite3_libversion()))) goto out; /* BGEN's .bgi */

    const char *cfile = cfg ? cfg_file(cfg) : NULL;
    char sha[65] = "";
    if (cfg) sha256_buf(cfg_text(cfg), strlen(cfg_text(cfg)), sha);
    if ((err = attr(h, "config_file", cfile ? cfile : "(none: defaults)"))) goto out;
    if ((err = attr(h, "config_sha256", sha))) goto out;
    if (cfg && (err = cfg_effective_yaml(cfg, &eff))) goto out;
    const char *texts[1] = {eff ? eff : ""};
    if ((err = h5out_write_strings_all(h, RF_PROV_CONFIG, 1, texts))) goto out;
    texts[0] = cfg ? cfg_text(cfg) : "";
    if ((err = h5out_write_strings_all(h, RF_PROV_CONFIG_TEXT, 1, texts))) goto out;
    sha[0] = '\0';
    if (manifest_path && sha256_file(manifest_path, sha)) strcpy(sha, "unreadable");
    if ((err = attr(h, "manifest_file", manifest_path ? manifest_path : "(none)"))) goto out;
    if ((err = attr(h, "manifest_sha256", sha))) goto out;
    prov_inputs_t none = {0};
    err = write_inputs(h, inputs ? inputs : &none, checksums);
    prov_inputs_free(&none); /* write_inputs allocated none.sha */
out:
    free(cmd), free(hosts), free(eff);
    return err;
}

rgx_err provenance_end(h5out_t *h)
{
    double now = wall_clock();
    char when[32];
    iso8601_utc(now, when);
    MPI_Bcast(when, sizeof when, MPI_CHAR, 0, h->comm);
    MPI_Bcast(&now, 1, MPI_DOUBLE, 0, h->comm);
    rgx_err err = attr(h, "end_time", when);
    if (!err) err = h5out_attr_double(h, RF_PROVENANCE, "wall_seconds", now - start_wall);
    return err;
}
