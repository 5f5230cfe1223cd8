/* ckpt.c — see ckpt.h.
 *
 * File: "RGXCKPT1" + 64-char run key + '\n', then records:
 *   uint32 magic 0x52474331 ("RGC1"), uint64 key, uint32 length, payload, uint32 crc32
 * with the CRC over key, length and payload.  Native byte order: checkpoints are read back
 * by the same program on the same machine type. */
#include "ckpt.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fault.h"
#include "util.h"

#define FILE_MAGIC "RGXCKPT1"
#define REC_MAGIC 0x52474331u

rgx_err ckpt_open(ckpt_writer_t *w, const char *dir, const char *stage, int rank,
                  const char run_key[65])
{
    memset(w, 0, sizeof *w);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return rgx_fail(RGX_ERR_IO, "%s: cannot create the checkpoint folder: %s", dir,
                        strerror(errno));
    size_t n = strlen(dir) + strlen(stage) + 64;
    rgx_err err = rgx_calloc(&w->path, n, 1);
    if (err) return err;
    snprintf(w->path, n, "%s/%s.%05d.%ld.log", dir, stage, rank, (long)getpid());
    snprintf(w->stage, sizeof w->stage, "%s", stage);
    w->f = fopen(w->path, "wb");
    if (!w->f) {
        err = rgx_fail(RGX_ERR_IO, "%s: cannot create: %s", w->path, strerror(errno));
        free(w->path);
        w->path = NULL;
        return err;
    }
    fprintf(w->f, "%s%.64s\n", FILE_MAGIC, run_key);
    if (fflush(w->f) != 0)
        return rgx_fail(RGX_ERR_IO, "%s: write failed: %s", w->path, strerror(errno));
    w->last_sync = wall_clock();
    return RGX_OK;
}

/* The record's first part bytes of payload (all of it, and the CRC, when part == len). */
static int put_record(FILE *f, uint64_t key, const void *payload, size_t len, size_t part)
{
    uint32_t magic = REC_MAGIC, l32 = (uint32_t)len;
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, (const Bytef *)&key, sizeof key);
    crc = crc32(crc, (const Bytef *)&l32, sizeof l32);
    crc = crc32_z(crc, (const Bytef *)payload, len);
    uint32_t c32 = (uint32_t)crc;
    return fwrite(&magic, sizeof magic, 1, f) == 1 && fwrite(&key, sizeof key, 1, f) == 1 &&
           fwrite(&l32, sizeof l32, 1, f) == 1 && (!part || fwrite(payload, part, 1, f) == 1) &&
           (part < len || fwrite(&c32, sizeof c32, 1, f) == 1) && fflush(f) == 0;
}

rgx_err ckpt_append(ckpt_writer_t *w, uint64_t key, const void *payload, size_t len)
{
    if (len > UINT32_MAX) return rgx_fail(RGX_ERR_INTERNAL, "checkpoint record too large");
    fault_point(w->stage, "before");
    if (fault_due(w->stage, "torn")) { /* a kill in the middle of the record */
        if (put_record(w->f, key, payload, len, len / 2)) fault_fire();
    }
    if (!put_record(w->f, key, payload, len, len))
        return rgx_fail(RGX_ERR_IO, "%s: cannot write a checkpoint: %s", w->path, strerror(errno));
    fault_point(w->stage, "after");
    double now = wall_clock();
    if (now - w->last_sync >= CKPT_SYNC_SECONDS) {
        if (fdatasync(fileno(w->f)) != 0)
            return rgx_fail(RGX_ERR_IO, "%s: cannot write a checkpoint: %s", w->path,
                            strerror(errno));
        w->last_sync = now;
    }
    return RGX_OK;
}

void ckpt_close(ckpt_writer_t *w)
{
    if (w->f) fclose(w->f);
    free(w->path);
    memset(w, 0, sizeof *w);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads one log; stops quietly at the first damaged or cut record. */
static rgx_err read_log(const char *path, const char run_key[65], ckpt_fn fn, void *ctx,
                        size_t *n_records)
{
    FILE *f = fopen(path, "rb");
    if (!f) return RGX_OK; /* vanished: nothing to reuse */
    char head[8 + 64 + 1];
    rgx_err err = RGX_OK;
    void *buf = NULL;
    size_t cap = 0;
    if (fread(head, 1, sizeof head, f) != sizeof head || memcmp(head, FILE_MAGIC, 8) != 0 ||
        memcmp(head + 8, run_key, 64) != 0)
        goto out; /* another run's log, or empty */
    for (;;) {
        uint32_t magic, l32, c32;
        uint64_t key;
        if (fread(&magic, sizeof magic, 1, f) != 1 || magic != REC_MAGIC) break;
        if (fread(&key, sizeof key, 1, f) != 1 || fread(&l32, sizeof l32, 1, f) != 1) break;
        if (l32 > cap) {
            if ((err = rgx_realloc(&buf, l32, 1))) break;
            cap = l32;
        }
        if ((l32 && fread(buf, l32, 1, f) != 1) || fread(&c32, sizeof c32, 1, f) != 1) break;
        uLong crc = crc32(0L, Z_NULL, 0);
        crc = crc32(crc, (const Bytef *)&key, sizeof key);
        crc = crc32(crc, (const Bytef *)&l32, sizeof l32);
        crc = crc32_z(crc, (const Bytef *)buf, l32);
        if ((uint32_t)crc != c32) break;
        if ((err = fn(ctx, key, buf, l32))) break;
        (*n_records)++;
    }
out:
    free(buf);
    fclose(f);
    return err;
}

rgx_err ckpt_read_all(const char *dir, const char *stage, const char run_key[65], ckpt_fn fn,
                      void *ctx, size_t *n_records)
{
    *n_records = 0;
    DIR *d = opendir(dir);
    if (!d) return RGX_OK;
    char **names = NULL;
    size_t n = 0;
    rgx_err err = RGX_OK;
    size_t sl = strlen(stage);
    for (struct dirent *e; !err && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, stage, sl) != 0 || e->d_name[sl] != '.' || len < 4 ||
            strcmp(e->d_name + len - 4, ".log") != 0)
            continue;
        if (!(err = rgx_realloc(&names, n + 1, sizeof *names)) &&
            !(err = path_join(&names[n], dir, e->d_name)))
            n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; !err && i < n; i++) err = read_log(names[i], run_key, fn, ctx, n_records);
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return err;
}

void ckpt_remove(const char *dir)
{
    fault_point("ckpt", "remove");
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *p;
        if (path_join(&p, dir, e->d_name) == RGX_OK) {
            unlink(p);
            free(p);
        }
    }
    closedir(d);
    rmdir(dir);
}
