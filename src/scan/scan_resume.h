/* scan_resume.h — the scan's checkpoints: every finished block recorded (ckpt.h, stage
 * "scan", keyed by its first row) once the scan has run long enough for a restart to cost
 * more than the copy, and taken back by a rerun with the same inputs and config, with any
 * number of ranks (blocks depend only on the genotype file and the config). */
#ifndef RGX_SCAN_RESUME_H
#define RGX_SCAN_RESUME_H

#include <stddef.h>

#include "cfg.h"
#include "ckpt.h"
#include "scan_blk.h"
#include "scan_rows.h"
#include "scan_stage.h"

/* Everything that decides the scan's numbers, hashed: version, effective config, the
 * phenotype and covariate files by content, the run file's /features and /samples by
 * content, the genotype files by path, size and time. */
rgx_err scan_run_key(const cfg_t *cfg, const scan_inputs_t *in, char key[65]);

typedef struct {
    long row0;
    size_t len;
    char *data; /* a scan_blk_pack record */
} blk_rec_t;

typedef struct {
    const gblock_t *blk;         /* the blocks */
    size_t nb;
    size_t first, end, stride;   /* the blocks this rank finishes: first, first + stride, ... */
    const scan_blk_t *shape;     /* records of another shape are ignored */
    blk_rec_t *rec;
    size_t n, cap;
} scan_restore_t;

/* Reads the stage's records of the blocks this rank finishes. */
rgx_err scan_restore_read(scan_restore_t *r, const char *dir, const char run_key[65]);
/* The record of the block at row0, or NULL. */
const blk_rec_t *scan_restore_find(const scan_restore_t *r, long row0);
void scan_restore_free(scan_restore_t *r);

/* Appends the block's record. */
rgx_err scan_record_block(ckpt_writer_t *ck, const scan_blk_t *k);

#endif
