#!/usr/bin/env bash
# check_blas.sh BINARY — proves that cblas_dgemm, as called by GSL and by radiogx, binds
# to OpenBLAS and not to GSL's reference gslcblas.  `ldd` cannot tell (both may be
# loaded); the dynamic linker's own binding trace can.
set -euo pipefail
bin=${1:-bin/radiogx}
trace=$(LD_BIND_NOW=1 LD_DEBUG=bindings "$bin" --version 2>&1 >/dev/null | grep "symbol \`cblas_dgemm'" || true)
if [ -z "$trace" ]; then
  echo "check-blas: FAIL: no binding of cblas_dgemm found in $bin" >&2; exit 1
fi
echo "$trace" | sed 's/^ *[0-9]*: *//'
if echo "$trace" | grep -q gslcblas; then
  echo "check-blas: FAIL: cblas_dgemm binds to gslcblas (link order must be -lgsl -lopenblas)" >&2; exit 1
fi
if ! echo "$trace" | grep -qi 'openblas\|libblas'; then
  echo "check-blas: FAIL: cblas_dgemm does not bind to OpenBLAS" >&2; exit 1
fi
lib=$(echo "$trace" | sed -n 's/.* to \([^ ]*\) .*/\1/p' | head -1)
echo "check-blas: OK: cblas_dgemm -> $(readlink -f "$lib")"
