# radiogx — build, test and demo.  `make help` lists the targets.
# GPL-3.0-or-later.  Requires GNU make; every dependency comes from Debian's packages.

SHELL := /bin/bash
CC    := mpicc

asan ?= 0
ifeq ($(asan),1)
  O      := build-asan
  BIN    := build-asan/radiogx
  OPT    := -O1 -g -fno-omit-frame-pointer
  SAN    := -fsanitize=address,undefined -fno-sanitize-recover=undefined
else
  O      := build
  BIN    := bin/radiogx
  OPT    := -O2 -g
  SAN    :=
endif

# Lazily evaluated, so that `make deps` can install pkg-config's packages first.
PKGS      = hdf5-openmpi htslib yaml-0.1 openblas cairo libisal libdeflate libcrypto libzstd sqlite3 libopenjp2 charls libjpeg
CPPFLAGS  = $(addprefix -iquote ,$(SRC_DIRS)) -I/usr/include/nifti -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS) gsl)
CFLAGS   ?= $(OPT)
WARN      = -std=c11 -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
# -fopenmp-simd: loops marked `omp simd` are vectorised whatever -O2's cost model says (no
# OpenMP runtime).  -fno-math-errno: sqrt is the instruction (nothing reads errno after a
# math function), so that loops calling it can be vectorised; the same results.
CODEGEN   = -fopenmp-simd -fno-math-errno
# GSL first, OpenBLAS after it: Debian links with --as-needed, and the other order binds
# GSL's cblas_* calls to the slow reference gslcblas (see `make check-blas`).
LDLIBS    = $(shell pkg-config --libs hdf5-openmpi htslib yaml-0.1 cairo libisal libdeflate libcrypto \
              libzstd sqlite3 libopenjp2 charls libjpeg) -lnifti2 -lznz -lfftw3 -lgsl \
            $(shell pkg-config --libs openblas) -lz -lm -lpthread

# The stages each have a folder (src/core, src/io, src/geno, src/extract, src/scan,
# src/report, src/sim); src/cmd holds the thin commands.  Every module but the commands goes
# into libradiogx.a, which the radiogx binary and the unit tests link.
SRC_DIRS  := $(sort $(patsubst %/,%,$(dir $(wildcard src/*/*.c src/*/*.h))))
SRC       := $(sort $(filter-out src/cmd/%,$(wildcard src/*/*.c)))
CMD_SRC   := $(sort $(wildcard src/cmd/*.c))
OBJ       := $(SRC:src/%.c=$(O)/obj/%.o)
CMD_OBJ   := $(CMD_SRC:src/%.c=$(O)/obj/%.o)
LIB       := $(O)/libradiogx.a
PLUGIN    := $(O)/hdf5-plugins/libh5zstd.so
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
E2E       := $(sort $(wildcard tests/e2e/*.t))
VERSION   := $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)

.PHONY: all deps test test-run check demo demo-dicom format check-format check-api analyze check-blas clean help \
	check-valgrind check-valgrind-run unit e2e fuzz fuzz-build deps-fuzz bench-fft bench-geno
all: $(BIN) $(PLUGIN)

help:
	@echo "make              build bin/radiogx"
	@echo "make deps         install the Debian packages needed to build and test (root), or print the apt-get line"
	@echo "make test         deps + build + every unit and end-to-end test (TAP through prove)"
	@echo "make asan=1 test  the same under AddressSanitizer and UBSan (build-asan/)"
	@echo "make check T=...  only the named tests, verbose (e.g. T=tests/e2e/scan.t)"
	@echo "make demo         deps + build + simulate a cohort + radiogx run with 4 ranks"
	@echo "make demo-dicom   the same from a DICOM cohort (CT series, RTSTRUCT, RTDOSE)"
	@echo "make check-blas   prove that GSL's CBLAS calls bind to OpenBLAS, not gslcblas"
	@echo "make fuzz         build the libFuzzer harnesses (clang-14, build-fuzz/) and run each for"
	@echo "                  FUZZ_SECONDS (60; FUZZ=vcf,table for some): tests/fuzz/README.md"
	@echo "make format       clang-format the tree"
	@echo "make check-format no source line over 100 columns (CI runs it)"
	@echo "make check-api    no public function that nothing calls (scripts/dead_api.py)"
	@echo "make analyze      clang's static analyzer (scan-build-14) over the library and commands:"
	@echo "                  the number of findings and the folder of their reports"
	@echo "make check-valgrind  unit tests and a few end-to-end tests under valgrind's memcheck"

deps:
	@scripts/deps.sh

# Version string from git; version.o is rebuilt only when it changes.
$(O)/version.txt: FORCE
	@mkdir -p $(O)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@
FORCE:

$(O)/obj/core/version.o: src/core/version.c $(O)/version.txt
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(CODEGEN) $(WARN) $(SAN) -DRGX_VERSION='"$(VERSION)"' -c $< -o $@

$(O)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(CODEGEN) $(WARN) $(SAN) -MMD -MP -c $< -o $@

# The sparse-group kernel may contract multiply-adds into FMAs (why: src/scan/scan_miss.c).
$(O)/obj/scan/scan_miss.o: CFLAGS += -ffp-contract=fast
# The logistic fits' kernels (src/scan/logistic.c): -fno-trapping-math lets their vector exp's
# selects be lanes, not branches (nothing here reads the FP exception flags).  No FMA
# contraction there: the compiler contracts a loop's vector body and its scalar remainder
# differently, and a value's bits would then depend on its lane, that is on where a site's
# rows start in a rank's arrays (1 and 3 ranks differed in tests/e2e/outsites.t).
$(O)/obj/scan/logistic.o: CFLAGS += -fno-trapping-math

$(LIB): $(OBJ)
	@rm -f $@
	ar rcs $@ $^

# The zstd filter as a loadable HDF5 plugin, for HDF5's tools and h5py (src/io/h5zstd.h):
# HDF5_PLUGIN_PATH=$(O)/hdf5-plugins.  It links no HDF5, only libzstd.
$(PLUGIN): src/io/h5zstd.c src/io/h5zstd.h
	@mkdir -p $(dir $@)
	gcc $(CPPFLAGS) $(CFLAGS) $(WARN) -fPIC -shared -DH5ZSTD_PLUGIN -o $@ $< -lzstd

$(BIN): $(CMD_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -o $@ $(CMD_OBJ) $(LIB) $(LDLIBS)

$(O)/tests/%: tests/unit/%.c $(LIB) tests/tap.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -iquote tests $(CFLAGS) $(CODEGEN) $(WARN) $(SAN) -o $@ $< $(LIB) $(LDLIBS)

unit: $(UNIT_BIN)

# The FFT engines compared for the filters (scripts/bench_fft.c, run by scripts/bench_extract).
$(O)/bench_fft: scripts/bench_fft.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(CODEGEN) $(WARN) $(SAN) -o $@ $< $(LIB) $(LDLIBS)
bench-fft: $(O)/bench_fft

# Fuzzing (tests/fuzz/README.md).  Each tests/fuzz/fuzz_<parser>.c is built two ways: with
# libFuzzer by clang-14, against the library compiled by clang with ASan and UBSan in
# build-fuzz/ (`make fuzz` runs each harness for FUZZ_SECONDS, one at a time, niced); and with
# tests/fuzz/replay.c against this build's library, so that `make test` (and `make asan=1
# test`) replays every seed and every input a campaign saved (tests/e2e/fuzz_replay.t).
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES   := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
REPLAY_BIN   := $(FUZZ_NAMES:%=$(O)/fuzz/replay_%)
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_O       := build-fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
# The gcc build holds -Werror; clang adds warnings of its own ({NULL} ends the schema tables).
FUZZ_WARN    := $(filter-out -Werror,$(WARN)) -Wno-missing-field-initializers -Wno-pass-failed \
                -Wno-implicit-const-int-float-conversion
FUZZ_OBJ     := $(SRC:src/%.c=$(FUZZ_O)/obj/%.o)
FUZZ_BIN     := $(FUZZ_NAMES:%=$(FUZZ_O)/fuzz_%)

$(O)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(wildcard tests/fuzz/*.h) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -iquote tests/fuzz $(CFLAGS) $(CODEGEN) $(WARN) $(SAN) -o $@ $< \
	    tests/fuzz/replay.c $(LIB) $(LDLIBS)

$(FUZZ_O)/obj/%.o: src/%.c | deps-fuzz
	@mkdir -p $(dir $@)
	OMPI_CC=$(FUZZ_CC) $(CC) $(CPPFLAGS) -g -O1 -fno-omit-frame-pointer $(CODEGEN) $(FUZZ_WARN) \
	    $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
	@# clang 14 names a target_clones function's dispatcher NAME.ifunc, which other files
	@# call as NAME: renamed (scan_stats, tdist).
	@nm $@ | awk '$$2 == "i" && $$3 ~ /\.ifunc$$/ { print $$3 }' | \
	    while read -r s; do objcopy --redefine-sym "$$s=$${s%.ifunc}" $@; done

$(FUZZ_O)/libradiogx.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_O)/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(FUZZ_O)/libradiogx.a
	OMPI_CC=$(FUZZ_CC) $(CC) $(CPPFLAGS) -iquote tests/fuzz -g -O1 -fno-omit-frame-pointer \
	    $(CODEGEN) $(FUZZ_WARN) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_O)/libradiogx.a $(LDLIBS)

fuzz-build: $(FUZZ_BIN)
deps-fuzz:
	@scripts/deps.sh fuzz

# FUZZ=name1,name2 runs only those harnesses.
fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(if $(FUZZ),$(addprefix $(FUZZ_O)/fuzz_,$(subst $(comma), ,$(FUZZ))),$(FUZZ_BIN))

comma := ,

# Genotype decoding per format (scripts/bench_geno.c, run by scripts/bench_geno).
$(O)/bench_geno: scripts/bench_geno.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(CODEGEN) $(WARN) $(SAN) -o $@ $< $(LIB) $(LDLIBS)
bench-geno: $(O)/bench_geno

# Tests: unit programs and end-to-end scripts, all TAP, run by prove.  The sanitizer
# build runs the same suite against build-asan/radiogx.
# The IBSI reference data and phantoms live beside the checkout (../shared/data); tests
# read them from there.  Set RGX_SHARED to point elsewhere.
RGX_SHARED ?= $(abspath $(firstword $(wildcard ../shared /work/shared)))
# The sanitizer run takes malloc's stacks by frame pointers (fast_unwind_on_malloc=1: half the
# CPU time of the slow unwinder) and preloads a dlclose that does nothing, so that leaks kept
# by Open MPI's unloaded plugins still name their module for tests/lsan.supp
# (tests/lsan_keep_modules.c says why; verify_asan_link_order=0 lets the preload come first).
ifeq ($(asan),1)
  KEEP_MODULES := $(O)/tests/liblsan_keep_modules.so
  KEEP_ENV = LD_PRELOAD=$(abspath $(KEEP_MODULES))
$(KEEP_MODULES): tests/lsan_keep_modules.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -shared -fPIC -o $@ $<
endif
# LSan's use_tls=0: scanning thread-local storage crashes LeakSanitizer on a stale dynamic-TLS
# block that Open MPI's plugins leave after MPI_Finalize (seen on an early config-error exit);
# without TLS as roots LSan can only report more leaks, never fewer.
TEST_ENV = RGX_SHARED=$(RGX_SHARED) RADIOGX=$(abspath $(BIN)) RGX_ROOT=$(CURDIR) RGX_BUILD=$(abspath $(O)) \
           HDF5_PLUGIN_PATH=$(abspath $(O))/hdf5-plugins \
           RGX_ASAN=$(asan) OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
           OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1 \
           OPENBLAS_NUM_THREADS=1 \
           ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=1:verify_asan_link_order=0:abort_on_error=0 \
           $(KEEP_ENV) \
           LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0:use_tls=0 \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

test: deps
	@$(MAKE) --no-print-directory test-run

# check-format first: CI runs it, so a long line fails here before it reaches main.
test-run: $(BIN) $(PLUGIN) $(UNIT_BIN) $(REPLAY_BIN) $(KEEP_MODULES)
	@$(MAKE) --no-print-directory check-format
	$(TEST_ENV) prove -j2 $(PROVE_FLAGS) --exec '' $(UNIT_BIN) $(E2E)

# PROVE_FLAGS=--timer: each test file's wall and CPU time (CI sets it).
# Some tests only: make check T="tests/e2e/scan.t build/tests/test_scan" (verbose TAP).
check: $(BIN) $(PLUGIN) $(UNIT_BIN) $(REPLAY_BIN) $(KEEP_MODULES)
	$(TEST_ENV) prove -v --exec '' $(T)

# Memory errors and leaks under valgrind's memcheck: every unit test, and the end-to-end tests
# below with each radiogx process under valgrind (tests/valgrind/run.sh; suppressions name
# only third-party libraries: tests/valgrind/valgrind.supp).  A few commands, not the whole
# suite: under valgrind a process runs 20-50 times slower (ASan + UBSan cover the rest).
VALGRIND_E2E := tests/e2e/exports.t tests/e2e/filter.t tests/e2e/manifest_cmd.t \
                tests/e2e/dicom_ibsi.t
check-valgrind: deps
	@$(MAKE) --no-print-directory check-valgrind-run

check-valgrind-run: $(BIN) $(PLUGIN) $(UNIT_BIN)
	$(TEST_ENV) prove -j2 $(PROVE_FLAGS) --exec tests/valgrind/run.sh $(VALGRIND_E2E) $(UNIT_BIN)

demo: deps
	@$(MAKE) --no-print-directory $(BIN)
	@scripts/demo.sh

demo-dicom: deps
	@$(MAKE) --no-print-directory $(BIN)
	@FORMAT=dicom scripts/demo.sh

check-blas: $(BIN)
	@scripts/check_blas.sh $(BIN)

FORMAT_SRC = $(wildcard src/*/*.c src/*/*.h tests/*.h tests/unit/*.c tests/fuzz/*.c tests/fuzz/*.h)

format:
	clang-format -i $(FORMAT_SRC)

# .clang-format's 100-column limit (characters, UTF-8), checked by CI (.ci/run): file:line of
# every longer line.
# (`make format` rewraps whole files; `clang-format -i --lines=N:N FILE` one line.)
check-format:
	@perl -CSD -ne 'if (length($$_) - 1 > 100) { printf "%s:%d: %d columns (limit 100)\n", $$ARGV, $$., length($$_) - 1; $$bad = 1 } \
	    close ARGV if eof; END { exit 1 if $$bad; print "check-format: no line over 100 columns\n" }' $(FORMAT_SRC)

# clang's static analyzer over every module and command, in build-analyze/ (its own objects:
# the analyzer compiles them again).  A finding is a path to read, not a failure: the last
# triage (2026-12-06: 54 findings, 3 real defects fixed) left eight that the analyzer
# cannot rule out (invariants across files), listed by the run.  err.h tells it that rgx_fail
# returns its code.
ANALYZE_O = build-analyze
analyze:
	@scripts/deps.sh analyze
	@rm -rf $(ANALYZE_O)
	@C_INCLUDE_PATH=$$(mpicc --showme:incdirs | tr ' ' ':') scan-build-14 --use-cc=mpicc \
	    -o $(ANALYZE_O)/reports sh -c 'make -s -j2 O=$(ANALYZE_O) CC="$$CC" \
	    $(ANALYZE_O)/libradiogx.a $(CMD_OBJ:$(O)/%=$(ANALYZE_O)/%)' 2>&1 | \
	    grep -E "bugs? found|No bugs|scan-view" || true

# Public functions declared in a header that nothing calls (dead API): header, name.
check-api:
	@scripts/dead_api.py

clean:
	rm -rf build build-asan build-fuzz build-analyze bin

-include $(OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d)
