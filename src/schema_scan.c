/* schema_scan.c — the `scan` section (to be filled by the scan module). */
#include "schema.h"

const cfg_key_t schema_scan[] = {
    {NULL},
};
