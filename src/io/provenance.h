/* provenance.h — /provenance of a run file: what produced it, from what, where and when.
 *
 * Attributes: radiogx_version, command_line, working_directory, start_time, end_time,
 * wall_seconds, world_size, hosts, n_hosts, blas_threads, the library versions (HDF5,
 * HTSlib, GSL, OpenBLAS, Open MPI, libyaml, nifticlib), config_file, config_sha256,
 * manifest_file, manifest_sha256.  Datasets: config (the effective config, defaults
 * applied), config_text (the file as written), and inputs/{role,path,size,mtime,sha256}
 * for every input file (images, masks, genotypes, covariates, phenotypes).
 * The checksums are computed by all ranks, each taking a contiguous share of the inputs,
 * so the table is the same whatever the number of ranks. */
#ifndef RGX_PROVENANCE_H
#define RGX_PROVENANCE_H

#include "cfg.h"
#include "err.h"
#include "h5out.h"

typedef struct {
    size_t n, m;
    char **role; /* "image_CT", "mask", "genotypes", "covariates", "phenotypes", "manifest" */
    char **path;
    char (*sha)[65]; /* after provenance_begin: each input's SHA-256 on every rank ("" if not
                      * computed), for the first n_sha inputs */
    size_t n_sha;
} prov_inputs_t;

rgx_err prov_inputs_add(prov_inputs_t *in, const char *role, const char *path);
/* The recorded SHA-256 of the input with this role, or NULL. */
const char *prov_inputs_sha(const prov_inputs_t *in, const char *role);
void prov_inputs_free(prov_inputs_t *in);

/* Writes everything but the end time.  checksums: SHA-256 of every input (else only of
 * the manifest and config). */
rgx_err provenance_begin(h5out_t *h, int argc, char **argv, const cfg_t *cfg,
                         const char *manifest_path, prov_inputs_t *inputs, int checksums);
/* end_time and wall_seconds: call last, before h5out_commit(). */
rgx_err provenance_end(h5out_t *h);

/* The command line as one shell-quoted string; caller frees. */
rgx_err provenance_command_line(int argc, char **argv, char **out);

#endif
