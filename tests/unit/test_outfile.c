/* test_outfile.c — outputs under a temporary name until complete (outfile.h): the content,
 * mode 0640, no temporary file left, the previous file kept by an abort and by a failed write
 * (a file-size limit: EFBIG, with the file named), and the job lock: refused while held (by
 * this process through another open, and by another process), free again when released or
 * when the holder is killed. */
#include "tap.h"
#include "outfile.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/rgx_outfile_XXXXXX";

/* Files in dir whose name contains s. */
static int count(const char *s)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) n += strstr(e->d_name, s) != NULL;
    if (d) closedir(d);
    return n;
}

static char *slurp(const char *path)
{
    char *t = NULL;
    size_t n;
    return read_file(path, &t, &n) == RGX_OK ? t : NULL;
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    char path[256], lockp[300];
    snprintf(path, sizeof path, "%s/table.tsv", dir);

    outfile_t o;
    is_int(outfile_open(&o, path), RGX_OK, "open");
    fprintf(o.f, "a\tb\n1\t2\n");
    ok(access(path, F_OK) != 0, "no file under the final name while writing");
    is_int(count(".part"), 1, "one temporary file beside it");
    is_int(outfile_commit(&o), RGX_OK, "commit");
    char *t = slurp(path);
    is_str(t, "a\tb\n1\t2\n", "the content");
    free(t);
    struct stat sb;
    ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0640, "mode 0640");
    is_int(count(".part"), 0, "no temporary file left");

    /* An abort keeps the previous file. */
    is_int(outfile_open(&o, path), RGX_OK, "open again");
    fprintf(o.f, "half a tab");
    outfile_abort(&o);
    t = slurp(path);
    is_str(t, "a\tb\n1\t2\n", "abort: the previous file is untouched");
    free(t);
    is_int(count(".part"), 0, "abort: the temporary file is removed");
    outfile_t z = {0};
    outfile_abort(&z); /* a zeroed one: a no-op (must not close descriptor 0) */
    ok(fcntl(0, F_GETFD) != -1, "abort of a zeroed outfile_t leaves descriptor 0 open");

    /* A failed write (the file-size limit: EFBIG) names the file and keeps the old one. */
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {1000, 1000};
        setrlimit(RLIMIT_FSIZE, &rl);
        outfile_t w;
        if (outfile_open(&w, path)) _exit(2);
        for (int i = 0; i < 1000; i++) fprintf(w.f, "%d\tsome text to fill the disk\n", i);
        rgx_err e = outfile_commit(&w);
        const char *m = rgx_errmsg();
        _exit(e == RGX_ERR_IO && strstr(m, path) && strstr(m, "too large") ? 0 : 1);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
       "a failed write: RGX_ERR_IO naming the file and the reason");
    t = slurp(path);
    is_str(t, "a\tb\n1\t2\n", "a failed write: the previous file is untouched");
    free(t);
    is_int(count(".part"), 0, "a failed write: no temporary file left");

    /* Library-written files: temp + publish. */
    char *tmp = NULL;
    is_int(outfile_temp(path, &tmp), RGX_OK, "temp name");
    ok(tmp && strstr(tmp, "table.tsv.") && strstr(tmp, ".part"), "temp name beside the file");
    FILE *f = fopen(tmp, "w");
    fputs("new\n", f);
    fclose(f);
    is_int(outfile_publish(tmp, path), RGX_OK, "publish");
    t = slurp(path);
    is_str(t, "new\n", "published content");
    free(t), free(tmp);

    /* The lock. */
    snprintf(lockp, sizeof lockp, "%s.lock", path);
    outlock_t a, b;
    is_int(outlock_take(&a, path), RGX_OK, "lock taken");
    ok(access(lockp, F_OK) == 0, "lock file exists");
    is_int(outlock_take(&b, path), RGX_ERR_IO, "second lock refused (same process, other open)");
    ok(strstr(rgx_errmsg(), "in use by another radiogx job") && strstr(rgx_errmsg(), "pid"),
       "the refusal names the holder");
    outlock_release(&a);
    ok(access(lockp, F_OK) != 0, "released: lock file removed");
    is_int(outlock_take(&b, path), RGX_OK, "taken again after the release");
    outlock_release(&b);

    /* Another process holds it; killed with -9, the lock is free at once. */
    int pipefd[2];
    if (pipe(pipefd) != 0) return 1;
    pid = fork();
    if (pid == 0) {
        outlock_t c;
        char ch = outlock_take(&c, path) == RGX_OK ? 'y' : 'n';
        if (write(pipefd[1], &ch, 1) != 1) _exit(1);
        pause();
        _exit(0);
    }
    char ch = 0;
    if (read(pipefd[0], &ch, 1) != 1) ch = 0;
    is_int(ch, 'y', "child holds the lock");
    is_int(outlock_take(&b, path), RGX_ERR_IO, "refused while another process holds it");
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    is_int(outlock_take(&b, path), RGX_OK, "free once the holder is killed (kill -9)");
    outlock_release(&b);

    path_remove_tree(dir);
    return tap_done();
}
