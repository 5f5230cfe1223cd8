/* outfile.h — how every output file is written: under a temporary name in its own folder,
 * renamed to its name only when complete and on disk; and the lock that keeps two jobs off
 * the same output.
 *
 * The promise (docs/reliability.md): a reader never sees a half-written file under a final
 * name, and a failed or killed job never destroys the previous good file of that name —
 * until outfile_commit() the old file is untouched, and the rename replaces it in one step.
 * The commit order is: flush, fsync the file, rename, fsync the folder (so that after a
 * machine crash the name points at the complete data, never at an empty inode).
 * A failed write (ENOSPC, EIO, EDQUOT) is reported with the file's name and the system's
 * reason, and the temporary file is removed.
 *
 * Temporary names are "<path>.XXXXXX.part" (unique per writer, so that two writers of the same
 * name never write into each other's file); a killed process can leave one behind, and its
 * ".part" ending says what it is.  Files are created 0640: outputs hold health data.
 *
 * Three ways in, by who writes the bytes:
 *   - radiogx itself, through stdio: outfile_open() gives a FILE *, outfile_commit() or
 *     outfile_abort() ends it;
 *   - a library given a file name (HTSlib's BGZF, a tabix index): outfile_temp() makes the
 *     temporary name (the file created empty, 0640), the library writes it, then
 *     outfile_publish() or outfile_discard();
 *   - the HDF5 run file has its own fixed "<path>.part" (created afresh by every run: a resume
 *     starts again from the checkpoints; h5out.c) and calls outfile_publish() to end. */
#ifndef RGX_OUTFILE_H
#define RGX_OUTFILE_H

#include <stdio.h>

#include "err.h"

typedef struct {
    FILE *f;    /* write here (fprintf, fputs, fwrite) */
    char *path; /* the final name */
    char *tmp;  /* the temporary name */
    int fd;
    int err_no; /* the first failed write(2)'s errno (0: none) */
} outfile_t;

/* Creates a temporary file beside path, mode 0640, and a stream writing it.  o must stay at
 * its address until it is committed or aborted (the stream refers to it).  A zeroed
 * outfile_t may be aborted (a no-op), so that one out: label can end every path. */
rgx_err outfile_open(outfile_t *o, const char *path);
/* Nonzero when a write has failed so far (a long writer may stop early). */
int outfile_failed(const outfile_t *o);
/* Flushes, syncs and renames the file to its name; on any failure the temporary file is
 * removed and the error names the file and the reason.  o is closed either way. */
rgx_err outfile_commit(outfile_t *o);
/* Closes and removes the temporary file (a failed job); a no-op on a closed o. */
void outfile_abort(outfile_t *o);

/* A temporary name beside path ("<path>.XXXXXX.part"), the file created empty with mode 0640,
 * for a library that opens files by name.  Caller frees *tmp. */
rgx_err outfile_temp(const char *path, char **tmp);
/* The same with a fixed suffix ("<path><suffix>", an existing file replaced): for files that
 * go with another temporary file (a tabix index beside its data). */
rgx_err outfile_temp_fixed(const char *path, const char *suffix, char **tmp);
/* fsync(tmp), rename(tmp, path), fsync(path's folder).  On failure tmp is removed. */
rgx_err outfile_publish(const char *tmp, const char *path);
/* Removes a temporary file (NULL: nothing). */
void outfile_discard(const char *tmp);
/* fsync of the folder that holds path (after a rename, a create or an unlink in it). */
rgx_err outfile_sync_dir(const char *path);

/* The job lock: "<output>.lock", held (an fcntl lock, open file description) for the job's
 * life by the process that took it.  A second job asking for the same lock is refused with a
 * message naming the holder (host, pid, start time).  A dead holder's lock is free again (the
 * kernel drops it with the process), so a requeued job takes it at once. */
typedef struct {
    int fd;     /* -1: not held */
    char *path; /* the lock file */
} outlock_t;

/* Takes the lock of the output path (the lock file "<path>.lock").  RGX_ERR_IO when another
 * process holds it. */
rgx_err outlock_take(outlock_t *l, const char *path);
/* Releases and removes the lock file; a no-op when not held. */
void outlock_release(outlock_t *l);

#endif
