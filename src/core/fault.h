/* fault.h — kill points for the fault tests: a rank that sends itself SIGKILL, exactly as
 * `kill -9` would, at a chosen point of its work, so that tests/e2e/faults.t can interrupt a
 * job at exact, reproducible places (before, in the middle of and after a checkpoint record,
 * while the run file is written, between its completion and its rename) and check that the
 * rerun of the same command gives the same bits.  An external kill at a random time cannot
 * aim: a small cohort's extraction lasts a tenth of a second.
 *
 *     RGX_KILL_AT=SITE:N[:RANK[:SIGNAL]]
 *
 * arms one point: the N-th time (counted from 1) this process passes SITE, it sends itself
 * SIGNAL (KILL when absent; TERM, USR1 or INT deliver a stop request at that point instead;
 * STOP freezes the rank there, for a test to act from outside and then send SIGCONT) when its
 * MPI rank is RANK (any rank when absent or '*').  It says so on stderr first:
 *     radiogx: RGX_KILL_AT: rank 1 (pid 4242) sends itself SIGKILL at scan.torn #7
 * Sites (docs/reliability.md): STAGE.before, STAGE.torn (the record half written, then the
 * kill), STAGE.after for each checkpoint record of STAGE (extract, scan); extract.write
 * (every patient done, before /samples and /features are written); scan.write (each round's
 * blocks, before they are written); commit (a run file complete and synced, before its
 * rename); ckpt.remove (a run file renamed, before its checkpoints are removed).
 * Unset, as in every real run, a site costs one test of a flag. */
#ifndef RGX_FAULT_H
#define RGX_FAULT_H

/* 1 when this pass of the site "stage.what" (what NULL: "stage") is the armed one (after the
 * stderr line): the caller then does what a torn write needs and calls fault_fire(); 0
 * otherwise. */
int fault_due(const char *stage, const char *what);
/* Sends the armed signal to this process (does not return for KILL). */
void fault_fire(void);
/* fault_due + fault_fire: the common case. */
void fault_point(const char *stage, const char *what);

#endif
