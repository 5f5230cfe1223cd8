/* comm.c — see comm.h. */
#include "comm.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

/* The prefix of the message of a rank that failed only because another did (comm_agree and
 * the stages' own agreements say so in these words). */
static const char bystander[] = "another rank failed";

rgx_err comm_agree(MPI_Comm comm, rgx_err err, const char *step)
{
    int mine = (int)err, worst = 0;
    MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, comm);
    if (err || !worst) return err;
    return rgx_fail((rgx_err)worst, "another rank failed while %s (its message is above)", step);
}

/* ranks (n of size) as "every rank", "rank 3" or "ranks 0-2, 5" (runs of 10 at most, then
 * the count of the others). */
static void rank_list(const int *ranks, int n, int size, strbuf_t *sb)
{
    if (n == size) {
        sb_append(sb, "every rank");
        return;
    }
    sb_printf(sb, "rank%s ", n > 1 ? "s" : "");
    int runs = 0, i = 0;
    for (; i < n && runs < 10; runs++) {
        int j = i;
        while (j + 1 < n && ranks[j + 1] == ranks[j] + 1) j++;
        sb_printf(sb, "%s%d", runs ? ", " : "", ranks[i]);
        if (j > i) sb_printf(sb, "-%d", ranks[j]);
        i = j + 1;
    }
    if (i < n) sb_printf(sb, " and %d more", n - i);
}

/* Rank 0: msg[r] is rank r's message ("" when it did not fail). */
static void log_distinct(char *const *msg, int size, const char *cmd)
{
    size_t n_all = size > 0 ? (size_t)size : 1;
    int *ranks = calloc(n_all, sizeof *ranks), *done = calloc(n_all, sizeof *done);
    int any_why = 0;
    for (int r = 0; r < size; r++)
        any_why |= *msg[r] && strncmp(msg[r], bystander, sizeof bystander - 1) != 0;
    for (int r = 0; r < size; r++) {
        if (!*msg[r] || (done && done[r]) ||
            (any_why && !strncmp(msg[r], bystander, sizeof bystander - 1)))
            continue;
        if (!ranks || !done) { /* (out of memory: every message, each with its rank) */
            log_error("%s: %s (rank %d)", cmd, msg[r], r);
            continue;
        }
        int n = 0;
        for (int q = r; q < size; q++)
            if (!done[q] && !strcmp(msg[q], msg[r])) ranks[n++] = q, done[q] = 1;
        strbuf_t sb = {0};
        rank_list(ranks, n, size, &sb);
        log_error("%s: %s (%s)", cmd, msg[r], sb.s ? sb.s : "?");
        free(sb.s);
    }
    free(ranks), free(done);
}

void comm_log_failure(MPI_Comm comm, rgx_err err, const char *cmd)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    if (err == RGX_ERR_REQUEUE) { /* a stop request: rank 0's warning, no failure to gather */
        if (rank == 0)
            log_warn("%s; rerun the same command to resume (exit status 75)", rgx_errmsg());
        err = RGX_OK;
    }
    const char *m = err ? rgx_errmsg() : "";
    int len = (int)strlen(m) + 1, ok = size > 1;
    int *lens = NULL, *offs = NULL;
    char *all = NULL, **msg = NULL;
    /* The messages to rank 0 (each step agreed: where it lacks the memory, or with one rank,
     * every rank logs its own). */
    if (ok && rank == 0) {
        size_t n_all = (size_t)size;
        lens = calloc(n_all, sizeof *lens), offs = calloc(n_all, sizeof *offs);
        msg = calloc(n_all, sizeof *msg);
        ok = lens && offs && msg;
    }
    if (size > 1) MPI_Bcast(&ok, 1, MPI_INT, 0, comm);
    if (ok) {
        MPI_Gather(&len, 1, MPI_INT, lens, 1, MPI_INT, 0, comm);
        long total = 0;
        for (int r = 0; rank == 0 && r < size; r++) offs[r] = (int)total, total += lens[r];
        if (rank == 0) ok = total <= INT_MAX && (all = malloc((size_t)total)) != NULL;
        MPI_Bcast(&ok, 1, MPI_INT, 0, comm);
    }
    if (ok) {
        MPI_Gatherv(m, len, MPI_CHAR, all, lens, offs, MPI_CHAR, 0, comm);
        for (int r = 0; rank == 0 && r < size; r++) msg[r] = all + offs[r];
        if (rank == 0) log_distinct(msg, size, cmd);
    } else if (*m) {
        log_error("%s: %s", cmd, m);
    }
    free(lens), free(offs), free(all), free(msg);
}
