/* dcm.h — a reader of DICOM Part 10 files (PS3.10): the preamble and the file meta group,
 * then the data set in any of the uncompressed transfer syntaxes (implicit VR little endian,
 * explicit VR little and big endian, deflated explicit VR little endian) or an encapsulated
 * one (the pixel data as fragments; dcm_pix.h decodes them).
 *
 * The file is mapped, not copied; an element's value points into the mapping.  A data set
 * is parsed one level at a time: a sequence's items are parsed when first asked for
 * (dcm_items), so a header read touches only the elements it walks over.  Every length is
 * checked against the bytes that hold it, and nesting is limited (DCM_MAX_DEPTH), so that a
 * damaged or hostile file gives an error, never a read out of bounds (tests/fuzz/).
 *
 * Implicit VR files do not say what an element holds: the few tags radiogx reads carry their
 * VR in a table in dcm.c; any other element of an implicit file reads as UN. */
#ifndef RGX_DCM_H
#define RGX_DCM_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum { DCM_MAX_DEPTH = 16 };

#define DCM_TAG(g, e) ((uint32_t)(g) << 16 | (uint32_t)(e))
#define DCM_UNDEFINED 0xFFFFFFFFu

typedef struct dcm_file dcm_file_t;
typedef struct dcm_set dcm_set_t;

/* One encapsulated fragment. */
typedef struct {
    const uint8_t *p;
    uint32_t len;
} dcm_frag_t;

typedef struct {
    uint32_t tag;
    char vr[3];         /* "US", "DS", ...; "UN" for an unknown tag of an implicit file */
    uint32_t len;       /* value bytes (of an undefined-length one: up to its delimiter) */
    const uint8_t *val; /* the value (for a sequence: its items' bytes); NULL for pixel
                           data a DCM_HEADER parse stopped at */
    uint8_t undefined;  /* the file gave an undefined length */
    uint8_t enc;        /* the encoding of a sequence's items (dcm.c) */
    size_t offset;      /* of the element's tag in the (inflated) data set, for messages */
    dcm_set_t *items;   /* a sequence's items, once dcm_items parsed them */
    size_t n_items;
    int items_parsed;
    dcm_frag_t *frag; /* encapsulated pixel data: the basic offset table, then fragments */
    size_t n_frag;
} dcm_el_t;

struct dcm_set {
    dcm_el_t *el; /* ascending tags */
    size_t n;
    dcm_file_t *file;
    int depth;
};

enum {
    DCM_HEADER = 1, /* stop at the pixel data: (7FE0,0010) is recorded but not walked */
};

/* Maps and parses path.  RGX_ERR_INPUT with "path: ..." for a file that is not DICOM or
 * is damaged. */
rgx_err dcm_open(const char *path, int flags, dcm_file_t **f);
/* The same from memory (not copied: buf must outlive *f); name is used in messages. */
rgx_err dcm_open_mem(const void *buf, size_t len, const char *name, int flags, dcm_file_t **f);
void dcm_close(dcm_file_t *f);

/* 1 when the file at path starts as a DICOM Part 10 file does ("DICM" at byte 128). */
int dcm_is_part10(const char *path);

const dcm_set_t *dcm_root(const dcm_file_t *f);
const char *dcm_name(const dcm_file_t *f);
const char *dcm_syntax(const dcm_file_t *f); /* transfer syntax UID */
int dcm_big_endian(const dcm_file_t *f);

/* The element with tag in s (not in its sequences), or NULL. */
const dcm_el_t *dcm_find(const dcm_set_t *s, uint32_t tag);
/* A sequence's items (parsed on first use): *items and *n (0 when the element is absent
 * or empty). */
rgx_err dcm_items(const dcm_set_t *s, uint32_t tag, const dcm_set_t **items, size_t *n);
/* The first item of the sequence tag, or NULL (absent, empty, or damaged: a damaged one
 * records a message). */
const dcm_set_t *dcm_item(const dcm_set_t *s, uint32_t tag);

/* The value of a string element, backslash-separated values kept, without trailing spaces
 * and NULs, into buf (size n, truncated): 1 when present and not empty, else 0 and buf "". */
int dcm_str(const dcm_set_t *s, uint32_t tag, char *buf, size_t n);
/* Numbers: DS and IS text, or binary US, SS, UL, SL, FL, FD (a UN element of an implicit
 * file is read as the table in dcm.c says).  Up to max values into v; *n the count the
 * element holds (0 when absent or empty).  RGX_ERR_INPUT naming the file, tag and value
 * when a value is not a number. */
rgx_err dcm_nums(const dcm_set_t *s, uint32_t tag, double *v, size_t max, size_t *n);
/* The first value, or 0 and *v untouched when absent; -1 when malformed (message set). */
int dcm_num(const dcm_set_t *s, uint32_t tag, double *v);

/* "(0028,0010)" for messages. */
const char *dcm_tagstr(uint32_t tag, char buf[12]);

#endif
