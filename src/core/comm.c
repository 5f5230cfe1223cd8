/* comm.c — see comm.h. */
#include "comm.h"

rgx_err comm_agree(MPI_Comm comm, rgx_err err, const char *step)
{
    int mine = (int)err, worst = 0;
    MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, comm);
    if (err || !worst) return err;
    return rgx_fail((rgx_err)worst, "another rank failed while %s (its message is above)", step);
}
