/* test_comm.c — comm_log_failure: rank 0 logs each distinct failure message once, naming the
 * ranks that gave it, and leaves out the bystanders' "another rank failed" when a rank said
 * why.  Runs with any number of ranks: alone (a unit test) it checks the one-rank path;
 * tests/e2e/comm_mpi.t runs it with 22.  Rank 0 reads its own stderr back and prints TAP. */
#include "tap.h"
#include "comm.h"
#include "mpienv.h"
#include "util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const why = "another rank failed while writing (its message is above)";

/* The lines rank 0 logs when rank r fails with code and msg[r] (NULL: it did not fail); the
 * caller frees them.  Every rank calls. */
static char *logged_as(rgx_err code, const char *const *msg, int rank)
{
    char path[] = "/tmp/rgx_comm_XXXXXX";
    int fd = -1, saved = -1;
    if (rank == 0) {
        fd = mkstemp(path);
        saved = dup(STDERR_FILENO);
        dup2(fd, STDERR_FILENO);
    }
    rgx_err err = msg[rank] ? rgx_fail(code, "%s", msg[rank]) : RGX_OK;
    comm_log_failure(MPI_COMM_WORLD, err, "t");
    char *text = NULL;
    if (rank == 0) {
        dup2(saved, STDERR_FILENO);
        close(saved), close(fd);
        size_t len = 0;
        if (read_file(path, &text, &len)) text = NULL;
        unlink(path);
    }
    return text;
}

static char *logged(const char *const *msg, int rank)
{
    return logged_as(RGX_ERR_IO, msg, rank);
}

static int lines(const char *s)
{
    int n = 0;
    for (; s && *s; s++) n += *s == '\n';
    return n;
}

int main(int argc, char **argv)
{
    mpienv_init(&argc, &argv, 1);
    int rank = rgx_mpi.rank, size = rgx_mpi.size;
    if (rank) freopen("/dev/null", "w", stdout);
    const char **msg = calloc((size_t)size, sizeof *msg);
    char *s;

    /* Every rank, one message. */
    for (int r = 0; r < size; r++) msg[r] = "disk full";
    s = logged(msg, rank);
    if (rank == 0) {
        is_int(lines(s), 1, "every rank failing alike: one line");
        like(s, size > 1 ? "] t: disk full (every rank)\n" : "] t: disk full\n",
             "the message, naming every rank (alone: as it is)");
    }
    free(s);

    /* A stop request on every rank: rank 0's warning, no error. */
    for (int r = 0; r < size; r++) msg[r] = "scan stopped on request after 2 of 5 rounds";
    s = logged_as(RGX_ERR_REQUEUE, msg, rank);
    if (rank == 0) {
        is_int(lines(s), 1, "a stop request: one line");
        like(s,
             "WARN] scan stopped on request after 2 of 5 rounds; rerun the same command to "
             "resume (exit status 75)\n",
             "rank 0's warning to rerun");
        ok(s && !strstr(s, "ERROR"), "not an error");
    }
    free(s);

    /* No rank failed: nothing. */
    for (int r = 0; r < size; r++) msg[r] = NULL;
    s = logged(msg, rank);
    if (rank == 0) is_int(lines(s), 0, "no failure: no line");
    free(s);

    if (size >= 6) {
        /* Ranks 0-2 and 5 alike, 3 a bystander, 4 fine. */
        const char *set[6] = {"disk full", "disk full", "disk full", why, NULL, "disk full"};
        for (int r = 0; r < size; r++) msg[r] = r < 6 ? set[r] : why;
        s = logged(msg, rank);
        if (rank == 0) {
            is_int(lines(s), 1, "some ranks failing alike: one line");
            like(s, "] t: disk full (ranks 0-2, 5)\n", "naming them in runs");
            ok(!strstr(s, "another rank"), "the bystander left out");
        }
        free(s);
    }
    if (size >= 2) {
        /* Rank 1 says why, the others only that another rank failed. */
        for (int r = 0; r < size; r++) msg[r] = r == 1 ? "q1.tsv.gz: Is a directory" : why;
        s = logged(msg, rank);
        if (rank == 0) {
            is_int(lines(s), 1, "one rank failing: one line");
            like(s, "] t: q1.tsv.gz: Is a directory (rank 1)\n", "its message, naming it");
        }
        free(s);
        /* Two reasons: each once, in the order of the first rank that gave it. */
        for (int r = 0; r < size; r++) msg[r] = r % 2 ? "b" : "a";
        s = logged(msg, rank);
        if (rank == 0) {
            is_int(lines(s), 2, "two messages: two lines");
            ok(s && strstr(s, "] t: a (rank") && strstr(s, "] t: b (rank") &&
                   strstr(s, "] t: a (rank") < strstr(s, "] t: b (rank"),
               "each once, rank 0's first");
        }
        free(s);
        /* Only bystanders (the failing rank's message lost): theirs, once. */
        for (int r = 0; r < size; r++) msg[r] = why;
        s = logged(msg, rank);
        if (rank == 0) {
            is_int(lines(s), 1, "only bystanders: one line");
            like(s, "] t: another rank failed while writing (its message is above) (every rank)",
                 "theirs, naming every rank");
        }
        free(s);
    }
    if (size >= 22) { /* more than 10 runs of ranks (11 from 22): the count of the rest */
        for (int r = 0; r < size; r++) msg[r] = r % 2 ? NULL : "x";
        s = logged(msg, rank);
        if (rank == 0) like(s, "] t: x (ranks 0, 2, 4, 6, 8, 10, 12, 14, 16, 18 and ", "capped");
        free(s);
    }
    free(msg);
    int rc = tap_done();
    mpienv_finalize();
    return rank == 0 ? rc : 0;
}
