/* comm.h — agreement on failure across ranks.
 *
 * Before a collective step every rank must learn whether any rank failed, or the others wait
 * in it forever; and every rank must then exit with the failing rank's own code, so that a
 * scheduler or script sees a bad input (5) as such whichever rank read it. */
#ifndef RGX_COMM_H
#define RGX_COMM_H

#include <mpi.h>

#include "err.h"

/* err when this rank failed; otherwise the largest code of any rank (RGX_OK when none), with
 * the message "another rank failed while <step> (its message is above)". */
rgx_err comm_agree(MPI_Comm comm, rgx_err err, const char *step);

#endif
