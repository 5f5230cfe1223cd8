/* blas_core.h — OpenBLAS's kernels for CPUs newer than the OpenBLAS that Debian ships.
 *
 * OpenBLAS picks its kernels once, when the library loads, from the CPU's family and model.
 * A model newer than it knows gets its slowest x86-64 kernels: Debian 12's OpenBLAS 0.3.21
 * takes "Prescott" (SSE3) on an Intel Xeon of family 6 model 207, whose DGEMM then runs at
 * 15 GFLOP/s a core instead of 51-66 with its "SkylakeX" (AVX-512) kernels: the scan 4 times
 * slower.  The choice can only be changed before the library loads (OPENBLAS_CORETYPE), so
 * blas_core_fix() restarts radiogx with it (execv of its own binary, same arguments, process
 * and name: an MPI launcher sees nothing) when:
 *   - the CPU has AVX2 and FMA (then "Haswell") or AVX-512 F, CD, BW, DQ and VL ("SkylakeX"),
 *     as the C library's CPU checks report (which include the operating system's support);
 *   - OpenBLAS chose kernels older than AVX2;
 *   - the user has not set OPENBLAS_CORETYPE (their choice stands), and radiogx does not run
 *     under valgrind (whose CPU has no AVX-512, and whose /proc/self/exe is valgrind).
 * The kernels in use are in `radiogx --version`, the start-up log line and the run file's
 * provenance (openblas_version). */
#ifndef RGX_BLAS_CORE_H
#define RGX_BLAS_CORE_H

/* First thing in main(): returns unless it restarts radiogx. */
void blas_core_fix(char **argv);
/* The kernels in use, and why when radiogx chose them: "SkylakeX" or "SkylakeX (chosen by
 * radiogx: OpenBLAS took Prescott for this CPU)". */
const char *blas_core_note(void);

#endif
