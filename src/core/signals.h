/* signals.h — a stop request from the batch system (Slurm's --signal=USR1@120, preemption's
 * SIGTERM, or Ctrl-C): the handler only sets a flag; stages poll it between units of work,
 * checkpoint, and exit with RGX_ERR_REQUEUE (75). */
#ifndef RGX_SIGNALS_H
#define RGX_SIGNALS_H

/* Catches SIGUSR1, SIGTERM and SIGINT. */
void signals_install(void);
/* Nonzero once a signal arrived (async-signal-safe read of a sig_atomic_t). */
int signals_stop_requested(void);

#endif
