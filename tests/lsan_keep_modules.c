/* lsan_keep_modules.c — preloaded into every process of the sanitizer test run (Makefile:
 * TEST_ENV): dlclose does nothing, so that the plugins Open MPI loads (mca_*.so) stay mapped
 * until exit.
 *
 * Why: the ASan build takes malloc's stacks by frame pointers (fast_unwind_on_malloc=1, half
 * the CPU time of the slow unwinder).  Those stacks stop at the first library frame built
 * without frame pointers, so the memory Open MPI keeps until exit is recognised by that one
 * frame only: tests/lsan.supp names the library.  When the frame is in a plugin that Open MPI
 * has already unloaded, LeakSanitizer cannot name its module and the suppression cannot match
 * (a few thousand false "leaks" per process).  Open MPI 4.1 has no setting to keep its plugins.
 * Only the test run preloads this; radiogx never does. */
int dlclose(void *handle);

int dlclose(void *handle)
{
    (void)handle;
    return 0;
}
