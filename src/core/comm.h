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

/* Logs why a command failed, once for the whole job: rank 0 logs each distinct message of the
 * failing ranks once, naming them ("cmd: phenotype file p.tsv: cannot read (every rank)",
 * "(rank 3)", "(ranks 0-2, 5)"); the messages of ranks that only learnt that another rank
 * failed (comm_agree's, which start "another rank failed") are left out when a rank said
 * why.  At 1,000 ranks a bad input is one line, not 1,000.  err: this rank's failure (RGX_OK:
 * none); its message is rgx_errmsg().  A stop request (RGX_ERR_REQUEUE) is no failure: rank 0
 * warns "<its message>; rerun the same command to resume (exit status 75)".  Collective:
 * every rank of comm calls it, failed or not; with one rank it logs the message as it is. */
void comm_log_failure(MPI_Comm comm, rgx_err err, const char *cmd);

#endif
