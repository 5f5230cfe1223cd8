/* pca_cov.c — see pca_cov.h. */
#include "pca_cov.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5in.h"
#include "log.h"
#include "strmap.h"
#include "util.h"
#include "runfile.h"

rgx_err pca_cov_add(table_t *cv, int have, const char *path, int K, int rank)
{
    hid_t f;
    rgx_err err = h5in_open(path, &f);
    if (err) return err;
    char **ids = NULL;
    size_t n = 0, n2 = 0, kc = 0, lack = 0;
    double *sc = NULL, *v = NULL;
    char **names = NULL;
    strmap_t m = {0};
    size_t k = (size_t)K;
    if (!h5in_exists(f, RF_PCA_SCORES)) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: no /pca (run radiogx pca first, or give --pca FILE)",
                       path);
        goto out;
    }
    if ((err = h5in_read_strings(f, RF_PCA_SAMPLES, &n, &ids)) ||
        (err = h5in_read_doubles(f, RF_PCA_SCORES, &n2, &kc, &sc)))
        goto out;
    if (n2 != n || kc < k) {
        err = rgx_fail(RGX_ERR_INPUT, "%s: /pca has %zu PCs of %zu samples; --pcs %d asked", path,
                       kc, n2, K);
        goto out;
    }
    if ((err = strmap_init(&m, n ? n : 1))) goto out;
    for (size_t i = 0; i < n && !err; i++) err = strmap_put(&m, ids[i], (long)i, NULL);
    if (!have) { /* a table of the PCs' samples */
        memset(cv, 0, sizeof *cv);
        if ((err = rgx_calloc(&cv->id, n ? n : 1, sizeof *cv->id))) goto out;
        for (size_t i = 0; i < n && !err; i++) err = rgx_strdup(&cv->id[i], ids[i]);
        cv->n = n;
    }
    size_t p = cv->p, q = p + k;
    if ((err = rgx_calloc(&v, (cv->n ? cv->n : 1) * q, sizeof *v)) ||
        (err = rgx_calloc(&names, q, sizeof *names)))
        goto out;
    for (size_t i = 0; i < cv->n; i++) {
        long r = strmap_get(&m, cv->id[i]);
        if (p) memcpy(v + i * q, cv->v + i * p, p * sizeof *v); /* (no table: cv->v is NULL) */
        for (size_t c = 0; c < k; c++) v[i * q + p + c] = r >= 0 ? sc[(size_t)r * kc + c] : NAN;
        lack += r < 0;
    }
    if (p) memcpy(names, cv->name, p * sizeof *names);
    for (size_t c = 0; c < k && !err; c++) {
        char nm[32];
        snprintf(nm, sizeof nm, "PC%zu", c + 1);
        err = rgx_strdup(&names[p + c], nm);
    }
    if (err) {
        for (size_t c = p; c < q; c++) free(names[c]);
        goto out;
    }
    free(cv->v), free(cv->name);
    cv->v = v, cv->name = names, cv->p = q;
    v = NULL, names = NULL;
    if (rank == 0)
        log_info("scan: PC1..PC%d from %s added to the covariates (%zu samples without them)", K,
                 path, lack);
out:
    strmap_free(&m);
    h5in_free_strings(ids, n);
    free(sc), free(v), free(names);
    h5in_close(f);
    return err;
}
