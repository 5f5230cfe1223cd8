#!/usr/bin/env bash
# demo.sh — the whole pipeline on a simulated cohort (`make demo` runs it after deps + build):
# simulate ~300 patients x 50,000 variants, run plan -> extract -> scan -> report with 4 ranks,
# then say where the report is and which planted variants were found.
set -euo pipefail
cd "$(dirname "$0")/.."
RADIOGX=${RADIOGX:-bin/radiogx}
OUT=results/demo
NP=${NP:-4}
PATIENTS=${PATIENTS:-300}
VARIANTS=${VARIANTS:-50000}

cores=$(nproc)
threads=$(( cores / NP )); [ "$threads" -ge 1 ] || threads=1
export OPENBLAS_NUM_THREADS=$threads
# Open MPI refuses root without these, and more ranks than cores without --oversubscribe.
mpirun_flags=(--oversubscribe)
[ "$(id -u)" -eq 0 ] && mpirun_flags+=(--allow-run-as-root)
export OMPI_MCA_mpi_yield_when_idle=1

mkdir -p "$OUT"
if [ ! -s "$OUT/cohort/manifest.tsv" ]; then
  echo "demo: simulating $PATIENTS patients x $VARIANTS variants in $OUT/cohort"
  "$RADIOGX" simulate --patients "$PATIENTS" --variants "$VARIANTS" --seed 2026 \
    --inject-failures --out "$OUT/cohort"
fi
echo "demo: radiogx run with $NP ranks x $threads BLAS thread(s)"
mpirun -np "$NP" "${mpirun_flags[@]}" "$RADIOGX" run --config config/demo.yaml

echo
echo "demo: report: $OUT/report/report.html (plots: $OUT/report/*.png)"
echo "demo: run file: $OUT/run.h5   features: $OUT/features.tsv   summary statistics: $OUT/sumstats/"
# Planted variants (truth.tsv: variant id in column 1) against the hits (hits.tsv: variant id
# in column 1, phenotype, ..., log10p).
awk -F'\t' '
  FNR == 1 { next }
  FILENAME == ARGV[1] { planted[$1] = $0; n++; next }
  ($1 in planted) && !($1 in found) { found[$1] = 1; k++ }
  END {
    printf "demo: %d of %d planted causal variants recovered at log10 p >= 7.3\n", k, n
    for (v in planted) printf "  %-12s %s\n", v, (v in found) ? "found" : "not found"
  }' "$OUT/cohort/truth.tsv" "$OUT/report/hits.tsv"
