/* ckpt.h — checkpoints: finished work recorded as it finishes, so that a rerun after a
 * crash, kill -9, a time-out or a preemption skips it, with any number of ranks.
 *
 * Each rank appends records to its own log file in <run>.ckpt/ (<stage>.<rank>.<pid>.log),
 * flushing after each one.  A record is (key, payload) with a CRC: a record cut short by a
 * kill is detected and ignored, so at worst one item is redone.  Every log starts with the run
 * key — a hash of everything that decides the results (effective config, manifest, feature
 * names, version) — and logs with another key are ignored: changed settings never reuse stale
 * work.  On resume every rank reads every log of the stage, whatever rank wrote it. */
#ifndef RGX_CKPT_H
#define RGX_CKPT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

typedef struct {
    FILE *f;
    char *path;
    double last_sync; /* wall clock of the last fdatasync */
    char stage[16];   /* "extract", "scan": the kill points' names (fault.h) */
} ckpt_writer_t;

/* Opens a new log for this rank and stage in dir (created if needed). */
rgx_err ckpt_open(ckpt_writer_t *w, const char *dir, const char *stage, int rank,
                  const char run_key[65]);
/* Appends one record and hands it to the operating system (fflush), so that a killed process
 * loses nothing; fdatasync at most every CKPT_SYNC_SECONDS, so that a machine crash loses at
 * most that much work.  (A sync per record cost the scan 20% of its time: each
 * record is a block's full statistics.)  A record cut by a crash fails its CRC and is
 * dropped on reading. */
#define CKPT_SYNC_SECONDS 30.0
rgx_err ckpt_append(ckpt_writer_t *w, uint64_t key, const void *payload, size_t len);
/* Closes without a sync: a finished stage deletes its logs, and a stopped one loses at most
 * CKPT_SYNC_SECONDS to a machine crash, as during the run. */
void ckpt_close(ckpt_writer_t *w);

/* Calls fn for every valid record of the stage's logs in dir with the matching run key
 * (in file-name order, then file order; a later record for the same key wins if fn stores
 * by key).  Returns the number of records read; a missing dir is 0 records. */
typedef rgx_err (*ckpt_fn)(void *ctx, uint64_t key, const void *payload, size_t len);
rgx_err ckpt_read_all(const char *dir, const char *stage, const char run_key[65], ckpt_fn fn,
                      void *ctx, size_t *n_records);

/* Removes the checkpoint folder once the run file is complete. */
void ckpt_remove(const char *dir);

#endif
