/* fault.c — see fault.h. */
#include "fault.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpienv.h"

static struct {
    int parsed, armed;
    char site[64];
    long n, seen;
    int rank; /* -1: any */
    int sig;
    const char *signame;
} fp;

static int parse_signal(const char *s)
{
    static const struct {
        const char *name;
        int sig;
    } tab[] = {{"KILL", SIGKILL},
               {"TERM", SIGTERM},
               {"USR1", SIGUSR1},
               {"INT", SIGINT},
               {"STOP", SIGSTOP}};
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (strcmp(s, tab[i].name) == 0) return fp.signame = tab[i].name, tab[i].sig;
    return 0;
}

/* SITE:N[:RANK[:SIGNAL]]; anything else is reported once and disarms. */
static void parse(void)
{
    fp.parsed = 1;
    const char *v = getenv("RGX_KILL_AT");
    if (!v || !*v) return;
    char buf[160], *save = NULL;
    snprintf(buf, sizeof buf, "%s", v);
    char *site = strtok_r(buf, ":", &save), *n = strtok_r(NULL, ":", &save),
         *rank = strtok_r(NULL, ":", &save), *sig = strtok_r(NULL, ":", &save), *end = NULL;
    fp.rank = -1, fp.sig = SIGKILL, fp.signame = "KILL";
    fp.n = n ? strtol(n, &end, 10) : 0;
    int bad = !site || strlen(site) >= sizeof fp.site || !n || *end || fp.n < 1;
    if (!bad && rank && strcmp(rank, "*") != 0) {
        fp.rank = (int)strtol(rank, &end, 10);
        bad = *end || fp.rank < 0;
    }
    if (!bad && sig) bad = !(fp.sig = parse_signal(sig));
    if (bad) {
        fprintf(stderr,
                "radiogx: RGX_KILL_AT='%s' ignored: expected SITE:N[:RANK[:SIGNAL]] "
                "(N >= 1; SIGNAL KILL, TERM, USR1, INT or STOP)\n",
                v);
        return;
    }
    snprintf(fp.site, sizeof fp.site, "%s", site);
    fp.armed = 1;
}

/* site == "stage.what", or "stage" when what is NULL */
static int same_site(const char *stage, const char *what)
{
    size_t n = strlen(stage);
    if (strncmp(fp.site, stage, n) != 0) return 0;
    if (!what) return fp.site[n] == '\0';
    return fp.site[n] == '.' && strcmp(fp.site + n + 1, what) == 0;
}

int fault_due(const char *stage, const char *what)
{
    if (!fp.parsed) parse();
    if (!fp.armed || !same_site(stage, what)) return 0;
    int rank = rgx_mpi.started ? rgx_mpi.rank : 0;
    if (++fp.seen != fp.n || (fp.rank >= 0 && fp.rank != rank)) return 0;
    char line[200];
    int len = snprintf(line, sizeof line,
                       "radiogx: RGX_KILL_AT: rank %d (pid %ld) sends itself "
                       "SIG%s at %s #%ld\n",
                       rank, (long)getpid(), fp.signame, fp.site, fp.n);
    if (len > 0 && write(STDERR_FILENO, line, (size_t)len) < 0) {
        /* the point is reached all the same */
    }
    return 1;
}

void fault_fire(void)
{
    raise(fp.sig);
}

void fault_point(const char *stage, const char *what)
{
    if (fault_due(stage, what)) fault_fire();
}
