/* outfile.c — see outfile.h. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define MODE 0640

/* "<path>.XXXXXX.part" created O_EXCL with mode 0640; the descriptor in *fd. */
static rgx_err make_temp(const char *path, char **tmp, int *fd)
{
    size_t n = strlen(path) + 16;
    rgx_err err = rgx_calloc(tmp, n, 1);
    if (err) return err;
    snprintf(*tmp, n, "%s.XXXXXX.part", path);
    /* mkstemps creates 0600; the mode is widened to 0640 on the descriptor (never wider). */
    *fd = mkstemps(*tmp, 5);
    if (*fd < 0) {
        err = rgx_fail(RGX_ERR_IO, "%s: cannot create a file beside it: %s", path,
                       strerror(errno));
        free(*tmp), *tmp = NULL;
        return err;
    }
    if (fchmod(*fd, MODE) != 0) {
        err = rgx_fail(RGX_ERR_IO, "%s: cannot set mode 0640: %s", *tmp, strerror(errno));
        close(*fd), unlink(*tmp), free(*tmp), *tmp = NULL, *fd = -1;
    }
    return err;
}

/* The stream's writes go through here so that the errno of a failed write(2) is kept for the
 * message (ferror alone says only that something failed). */
static ssize_t cookie_write(void *c, const char *buf, size_t n)
{
    outfile_t *o = c;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(o->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            if (!o->err_no) o->err_no = w < 0 ? errno : ENOSPC;
            return done ? (ssize_t)done : -1;
        }
        done += (size_t)w;
    }
    return (ssize_t)n;
}

static int cookie_close(void *c)
{
    (void)c; /* the descriptor is closed by commit/abort, after fsync */
    return 0;
}

static void reset(outfile_t *o)
{
    free(o->path), free(o->tmp);
    memset(o, 0, sizeof *o);
    o->fd = -1;
}

rgx_err outfile_open(outfile_t *o, const char *path)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    rgx_err err = rgx_strdup(&o->path, path);
    if (!err) err = make_temp(path, &o->tmp, &o->fd);
    if (err) {
        reset(o);
        return err;
    }
    cookie_io_functions_t io = {NULL, cookie_write, NULL, cookie_close};
    o->f = fopencookie(o, "w", io);
    if (!o->f) {
        err = rgx_fail(RGX_ERR_MEMORY, "%s: cannot open a stream: %s", o->tmp, strerror(errno));
        outfile_abort(o);
        return err;
    }
    setvbuf(o->f, NULL, _IOFBF, 1 << 16);
    return RGX_OK;
}

int outfile_failed(const outfile_t *o)
{
    return o->err_no != 0 || (o->f && ferror(o->f));
}

void outfile_abort(outfile_t *o)
{
    if (!o->tmp) return; /* never opened (a zeroed outfile_t), or already ended */
    if (o->f) fclose(o->f);
    if (o->fd >= 0) close(o->fd);
    unlink(o->tmp);
    reset(o);
}

/* The message of a failed write: the errno kept by the stream, else what failed now. */
static rgx_err write_failed(const char *name, int e)
{
    return rgx_fail(RGX_ERR_IO, "%s: write failed: %s", name, e ? strerror(e) : "I/O error");
}

rgx_err outfile_commit(outfile_t *o)
{
    if (!o->f) return rgx_fail(RGX_ERR_INTERNAL, "outfile_commit without outfile_open");
    rgx_err err = RGX_OK;
    int bad = fflush(o->f) != 0 || ferror(o->f);
    fclose(o->f), o->f = NULL;
    if (bad || o->err_no) err = write_failed(o->path, o->err_no);
    if (!err && fsync(o->fd) != 0) err = write_failed(o->path, errno);
    if (close(o->fd) != 0 && !err) err = write_failed(o->path, errno);
    o->fd = -1;
    if (!err && rename(o->tmp, o->path) != 0)
        err = rgx_fail(RGX_ERR_IO, "cannot rename %s to %s: %s", o->tmp, o->path, strerror(errno));
    if (err) unlink(o->tmp);
    else err = outfile_sync_dir(o->path);
    reset(o);
    return err;
}

rgx_err outfile_temp(const char *path, char **tmp)
{
    int fd;
    rgx_err err = make_temp(path, tmp, &fd);
    if (!err) close(fd);
    return err;
}

rgx_err outfile_temp_fixed(const char *path, const char *suffix, char **tmp)
{
    size_t n = strlen(path) + strlen(suffix) + 1;
    rgx_err err = rgx_calloc(tmp, n, 1);
    if (err) return err;
    snprintf(*tmp, n, "%s%s", path, suffix);
    unlink(*tmp);
    int fd = open(*tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, MODE);
    if (fd < 0 || fchmod(fd, MODE) != 0) {
        err = rgx_fail(RGX_ERR_IO, "%s: cannot create: %s", *tmp, strerror(errno));
        if (fd >= 0) close(fd), unlink(*tmp);
        free(*tmp), *tmp = NULL;
        return err;
    }
    close(fd);
    return RGX_OK;
}

rgx_err outfile_sync_dir(const char *path)
{
    char *dir = NULL;
    rgx_err err = path_dirname(&dir, path);
    if (err) return err;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    /* Some file systems refuse fsync on a folder (EINVAL): nothing more can be done there. */
    if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL && errno != EROFS))
        err = rgx_fail(RGX_ERR_IO, "%s: cannot sync the folder: %s", dir, strerror(errno));
    if (fd >= 0) close(fd);
    free(dir);
    return err;
}

rgx_err outfile_publish(const char *tmp, const char *path)
{
    rgx_err err = RGX_OK;
    int fd = open(tmp, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) err = write_failed(path, errno);
    if (fd >= 0) close(fd);
    if (!err && rename(tmp, path) != 0)
        err = rgx_fail(RGX_ERR_IO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (err) unlink(tmp);
    else err = outfile_sync_dir(path);
    return err;
}

void outfile_discard(const char *tmp)
{
    if (tmp) unlink(tmp);
}

/* ---- the job lock ---- */

/* An fcntl lock of the whole file: an open-file-description lock where the kernel has them
 * (not dropped when another descriptor of the file closes), else a process lock. */
static int lock_fd(int fd)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
#ifdef F_OFD_SETLK
    if (fcntl(fd, F_OFD_SETLK, &fl) == 0) return 0;
    if (errno != EINVAL) return -1;
#endif
    return fcntl(fd, F_SETLK, &fl);
}

/* "host 1234 2026-01-02T03:04:05Z": who holds the lock, for the refusal. */
static void holder(int fd, char *buf, size_t n)
{
    ssize_t r = pread(fd, buf, n - 1, 0);
    buf[r > 0 ? r : 0] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
}

rgx_err outlock_take(outlock_t *l, const char *path)
{
    l->fd = -1, l->path = NULL;
    size_t n = strlen(path) + 6;
    rgx_err err = rgx_calloc(&l->path, n, 1);
    if (err) return err;
    snprintf(l->path, n, "%s.lock", path);
    /* The holder removes the lock file on release: a lock taken on a file that was removed
     * (or replaced) meanwhile is dropped and taken again on the new file. */
    for (int tries = 0; tries < 100; tries++) {
        int fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC, MODE);
        if (fd < 0) {
            err = rgx_fail(RGX_ERR_IO, "%s: cannot create the lock file: %s", l->path,
                           strerror(errno));
            break;
        }
        if (lock_fd(fd) != 0) {
            int e = errno;
            char who[256] = "";
            holder(fd, who, sizeof who);
            close(fd);
            if (e == EACCES || e == EAGAIN)
                err = rgx_fail(RGX_ERR_IO,
                               "%s is in use by another radiogx job (%s; lock file %s): wait for "
                               "it to end, or write elsewhere",
                               path, who[0] ? who : "holder unknown", l->path);
            else
                err = rgx_fail(RGX_ERR_IO, "%s: cannot lock: %s", l->path, strerror(e));
            break;
        }
        struct stat a, b;
        if (fstat(fd, &a) != 0 || stat(l->path, &b) != 0 || a.st_ino != b.st_ino ||
            a.st_dev != b.st_dev) {
            close(fd);
            continue;
        }
        char host[256] = "?", line[400], when[32];
        gethostname(host, sizeof host - 1);
        iso8601_utc(wall_clock(), when);
        int k = snprintf(line, sizeof line, "host %s pid %ld since %s\n", host, (long)getpid(),
                         when);
        if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)k, 0) != k) {
            /* The lock holds without the note; only the refusal message is poorer. */
        }
        l->fd = fd;
        return RGX_OK;
    }
    if (!err)
        err = rgx_fail(RGX_ERR_IO, "%s: the lock file keeps being replaced", l->path);
    free(l->path), l->path = NULL;
    return err;
}

void outlock_release(outlock_t *l)
{
    if (l->fd >= 0) {
        unlink(l->path); /* while held: nobody can hold the removed file's lock */
        close(l->fd);
    }
    free(l->path);
    l->fd = -1, l->path = NULL;
}
