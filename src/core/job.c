/* job.c — see job.h. */
#include "job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geno.h"
#include "log.h"
#include "util.h"

rgx_err job_open(job_t *j, const char *cmd, const cli_common_t *c, const char *manifest_opt,
                 const char *geno_opt, MPI_Comm comm)
{
    memset(j, 0, sizeof *j);
    j->cmd = cmd;
    int rank = 0;
    if (comm != MPI_COMM_NULL) MPI_Comm_rank(comm, &rank);
    rgx_err err = cli_load_config(c, &j->cfg);
    if (err) {
        if (rank == 0) fprintf(stderr, "radiogx %s: %s\n", cmd, rgx_errmsg());
        return err;
    }
    if (manifest_opt)
        err = rgx_strdup(&j->manifest_path, manifest_opt);
    else
        err = cli_config_path(j->cfg, "study.manifest", &j->manifest_path);
    if (!err && geno_opt)
        err = rgx_strdup(&j->genotypes, geno_opt);
    else if (!err)
        err = cli_config_path(j->cfg, "study.genotypes", &j->genotypes);
    if (err) return err;
    if (!j->manifest_path) {
        if (rank == 0)
            fprintf(stderr,
                    "radiogx %s: no manifest: give --manifest or study.manifest in the "
                    "config\n",
                    cmd);
        return RGX_ERR_USAGE;
    }
    err = manifest_read(j->manifest_path, &j->m);
    j->have_manifest = 1;
    if (rank == 0)
        for (size_t i = 0; i < j->m.n_problems; i++) fprintf(stderr, "%s\n", j->m.problem[i]);
    if (err) {
        if (rank == 0)
            fprintf(stderr, "radiogx %s: the manifest has %zu problem%s: nothing was started\n",
                    cmd, j->m.n_problems, j->m.n_problems == 1 ? "" : "s");
        return err;
    }
    plan_opt_t popt;
    plan_opt_init(&popt);
    popt.genotypes = j->genotypes;
    popt.genotype_format = cfg_str(j->cfg, "scan.genotype_format");
    popt.geometry_tol_mm = cfg_float(j->cfg, "study.affine_tolerance_mm");
    double lab[256];
    int labels[256];
    size_t nl = cfg_floats(j->cfg, "extract.labels", lab, 256);
    for (size_t i = 0; i < nl && i < 256; i++) labels[i] = (int)lab[i];
    if (nl) popt.labels = labels, popt.n_labels = (int)(nl < 256 ? nl : 256);
    dose_opt_t dose;
    if ((err = dose_opt_load(j->cfg, &j->m, &dose))) {
        if (rank == 0) fprintf(stderr, "radiogx %s: %s\n", cmd, rgx_errmsg());
        return err;
    }
    popt.dose = &dose;
    if ((err = plan_make(&j->m, &popt, comm, 0, &j->plan))) {
        if (rank == 0) fprintf(stderr, "radiogx %s: %s\n", cmd, rgx_errmsg());
        return err;
    }
    j->have_plan = 1;
    if (rank == 0) {
        for (size_t i = 0; i < j->plan.n_problems; i++) log_warn("%s", j->plan.problem[i]);
        log_info("%s: %zu patients, %d channel%s; %zu with bad inputs (marked failed), %zu "
                 "without genotypes (features only)",
                 cmd, j->m.n, j->m.n_channels, j->m.n_channels == 1 ? "" : "s", j->plan.n_bad,
                 j->plan.n_no_geno);
    }
    return RGX_OK;
}

void job_close(job_t *j)
{
    if (j->have_plan) plan_free(&j->plan);
    if (j->have_manifest) manifest_free(&j->m);
    cfg_free(j->cfg);
    free(j->manifest_path);
    free(j->genotypes);
    memset(j, 0, sizeof *j);
}

static rgx_err add_genotypes(prov_inputs_t *in, const char *path, const char *format)
{
    char **files;
    int n;
    rgx_err err = geno_files(path, format, &files, &n);
    for (int k = 0; k < n && !err; k++) err = prov_inputs_add(in, "genotypes", files[k]);
    geno_files_free(files, n);
    return err;
}

rgx_err job_inputs(const job_t *j, prov_inputs_t *in)
{
    rgx_err err = RGX_OK;
    const manifest_t *m = &j->m;
    for (size_t i = 0; !err && i < m->n; i++) {
        for (int ch = 0; !err && ch < m->n_channels; ch++) {
            char role[64];
            snprintf(role, sizeof role, "image_%s", m->channel[ch]);
            err = prov_inputs_add(in, role, m->row[i].image[ch]);
            /* A shared mask column is one file per patient, listed once. */
            if (!err && (!m->shared_mask || ch == 0)) {
                snprintf(role, sizeof role, m->shared_mask ? "mask" : "mask_%s", m->channel[ch]);
                err = prov_inputs_add(in, role, m->row[i].mask[ch]);
            }
        }
    }
    /* The genotype file, then the manifest's (one per site) that differ from it; each with the
     * files read with it (a .bed's .bim and .fam). */
    const char *fmt = cfg_str(j->cfg, "scan.genotype_format");
    if (!err && j->genotypes) err = add_genotypes(in, j->genotypes, fmt);
    const char **geno = NULL;
    size_t ng = 0;
    if (!err) err = manifest_genotype_files(m, &geno, &ng);
    for (size_t k = 0; !err && k < ng; k++)
        if (!j->genotypes || strcmp(j->genotypes, geno[k])) err = add_genotypes(in, geno[k], fmt);
    free(geno);
    return err;
}

rgx_err job_lock(job_lock_t *jl, const char *const *paths, int n, MPI_Comm comm)
{
    memset(jl, 0, sizeof *jl);
    int rank;
    MPI_Comm_rank(comm, &rank);
    rgx_err err = n > JOB_MAX_LOCKS ? rgx_fail(RGX_ERR_INTERNAL, "too many job locks") : RGX_OK;
    for (int i = 0; !err && rank == 0 && i < n; i++)
        if (!(err = outlock_take(&jl->l[i], paths[i]))) jl->n = i + 1;
    /* Every rank ends with rank 0's verdict and message. */
    char msg[1024] = "";
    int e = (int)err;
    if (rank == 0 && err) snprintf(msg, sizeof msg, "%s", rgx_errmsg());
    MPI_Bcast(&e, 1, MPI_INT, 0, comm);
    MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR, 0, comm);
    if (e) {
        job_unlock(jl);
        return rgx_fail((rgx_err)e, "%s", msg);
    }
    return RGX_OK;
}

void job_unlock(job_lock_t *jl)
{
    for (int i = 0; i < jl->n; i++) outlock_release(&jl->l[i]);
    jl->n = 0;
}
