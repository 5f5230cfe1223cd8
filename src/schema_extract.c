/* schema_extract.c — the `extract` section (to be filled by the extraction module). */
#include "schema.h"

const cfg_key_t schema_extract[] = {
    {NULL},
};
