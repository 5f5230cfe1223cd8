/* dcm_write.h — writing DICOM Part 10 files (explicit VR little endian), for the simulator
 * (`radiogx simulate --format dicom`) and tests: a data set is built element by element in
 * ascending tag order (the caller's duty), sequences and items with undefined lengths, then
 * saved behind the preamble and the file meta group.  Errors are kept in the writer and
 * returned by dcmw_save (an allocation failure, a file that cannot be written). */
#ifndef RGX_DCM_WRITE_H
#define RGX_DCM_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct {
    uint8_t *p;
    size_t n, cap;
    rgx_err err;
} dcmw_t;

/* A string value (padded to even length: UI with NUL, the others with a space). */
void dcmw_str(dcmw_t *w, uint32_t tag, const char *vr, const char *s);
void dcmw_us(dcmw_t *w, uint32_t tag, uint16_t v);
/* Decimal strings (DS, at most 16 characters each) and integer strings (IS), backslash-joined. */
void dcmw_ds(dcmw_t *w, uint32_t tag, const double *v, size_t n);
void dcmw_is(dcmw_t *w, uint32_t tag, long v);
/* Binary values: OB, OW (pixel data), AT. */
void dcmw_bytes(dcmw_t *w, uint32_t tag, const char *vr, const void *p, size_t n);
/* A sequence of undefined length: begin, then items (item_begin ... item_end), then end. */
void dcmw_seq_begin(dcmw_t *w, uint32_t tag);
void dcmw_item_begin(dcmw_t *w);
void dcmw_item_end(dcmw_t *w);
void dcmw_seq_end(dcmw_t *w);
/* Writes the file (mode 0640: health data) and frees the writer. */
rgx_err dcmw_save(dcmw_t *w, const char *path, const char *sop_class, const char *sop_instance);
void dcmw_free(dcmw_t *w);

/* A UID under the 2.25 root (ITU-T X.667) from a 64-bit number: "2.25.<n>". */
void dcmw_uid(uint64_t n, char out[64]);

#endif
