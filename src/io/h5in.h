/* h5in.h — reading a run file (serial HDF5 calls; any rank may read on its own).
 * Every function allocates what it returns; the caller frees (h5in_free_strings for
 * string arrays, free() for the rest). */
#ifndef RGX_H5IN_H
#define RGX_H5IN_H

#include <hdf5.h>
#include <stddef.h>

#include "err.h"

/* Opens read-only; a missing file or a file that is not HDF5 is RGX_ERR_INPUT. */
rgx_err h5in_open(const char *path, hid_t *file);
void h5in_close(hid_t file);
int h5in_exists(hid_t file, const char *name);

/* A 1D string dataset. */
rgx_err h5in_read_strings(hid_t file, const char *name, size_t *n, char ***out);
void h5in_free_strings(char **s, size_t n);
/* A 1D or 2D numeric dataset converted to double (cols = 0 for 1D). */
rgx_err h5in_read_doubles(hid_t file, const char *name, size_t *rows, size_t *cols, double **out);
/* Rows [row0, row0 + nrows) of a 2D double dataset, into out (nrows x cols). */
rgx_err h5in_read_rows(hid_t file, const char *name, size_t row0, size_t nrows, double *out);
/* The rows at the given ascending, distinct indices of a 2D double dataset, into out
 * (n x cols, in that order): one read of the union of their runs. */
rgx_err h5in_read_rows_at(hid_t file, const char *name, size_t n, const size_t *rows, double *out);
/* A 1D integer dataset converted to long. */
rgx_err h5in_read_longs(hid_t file, const char *name, size_t *n, long **out);
/* A string attribute of an object ("/" for the file). */
rgx_err h5in_attr_str(hid_t file, const char *obj, const char *name, char **out);
rgx_err h5in_attr_double(hid_t file, const char *obj, const char *name, double *out);

#endif
