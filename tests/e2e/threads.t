#!/usr/bin/env bash
# Bits independent of the thread count as well as the rank count: extract (every feature
# family, the PCA axes and Moran's I included) and scan with 1, 2 and 4 threads per rank on 1 to
# 4 ranks give identical /features, /assoc, /variants, /phenotypes, /hits (before the fix the
# PCA axes of this cohort changed with the thread count, test_pgemm shows the scan GEMM's); the
# sample-partitioned scan (one genotype file per site) likewise; and `radiogx verify` of a
# 2-rank `radiogx run` says "identical" with no launcher (1 rank, 2 threads) and with 3 x 4.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
"$RADIOGX" simulate --patients 36 --variants 1600 --chromosomes 2 --dims 48,48,16 --seed 5 \
  --sites 2 --out "$D/cohort" >/dev/null 2>&1
cat > "$D/study.yaml" <<'YAML'
study:
  name: t
  genome_build: GRCh38
  genotyping_technology: [Genome-wide genotyping array]
  manifest: cohort/manifest.tsv
  genotypes: cohort/genotypes.vcf.gz
  covariates: cohort/covariates.tsv
  out_dir: out
extract:
  default:
    resegmentation: {range: [-500, 400]}
    discretisation: {method: fbs, bin_width: 25}
scan:
  dosage: DS
  maf: 0.01
  block_size: 512
YAML
cd "$D"
same() { # same A.h5 B.h5: the compared objects of two run files are bitwise identical
  local o d
  for o in /features/values /assoc/xty /assoc/gtg /variants /phenotypes /hits; do
    d=$(h5diff -r "$1" "$2" "$o" "$o" 2>&1) || { echo "# $o differs: $(echo "$d" | tail -1)"; return 1; }
  done
}
export -n OPENBLAS_NUM_THREADS
# Ranks x threads: every pair in the plain build; under AddressSanitizer each rank count and
# each thread count once.
grid=$(plain_or_asan "1x1 1x2 1x4 2x1 2x2 2x4 3x1 3x2 3x4 4x1 4x2 4x4" "1x1 2x4 3x2 4x1")
ref=""
for c in $grid; do
  np=${c%x*} t=${c#*x} r="r_$c.h5"
  run mpirun -np "$np" "$RADIOGX" extract --config study.yaml -T "$t" -o "$r" --no-checksums
  [ "$rc" = 0 ] || { is "$rc" 0 "extract, $np ranks x $t threads"; continue; }
  run mpirun -np "$np" "$RADIOGX" scan --config study.yaml --run "$r" -T "$t" -o "$r" --no-checksums
  [ "$rc" = 0 ] || { is "$rc" 0 "scan, $np ranks x $t threads"; continue; }
  if [ -z "$ref" ]; then ref=$r; ok 0 "reference: 1 rank x 1 thread"; continue; fi
  same "$ref" "$r"; ok $? "extract + scan, $np ranks x $t threads: the same bits as 1 x 1"
done
h5dump -d /features/names "$ref" | grep -q morph_pca_maj_axis; ok $? "the PCA axes were computed"
h5dump -d /features/names "$ref" | grep -q morph_moran_i; ok $? "Moran's I was computed"

# One genotype file per site: samples split across ranks, only sums cross them.
sites=$(cut -f5 cohort/manifest.tsv | tail -n +2 | sort -u)
list=""
for s in $sites; do
  awk -F'\t' -v s="$s" 'NR > 1 && $5 == s { print $4 }' cohort/manifest.tsv > "$s.txt"
  bcftools view -S "$s.txt" -Oz -o "$s.vcf.gz" cohort/genotypes.vcf.gz && tabix -p vcf "$s.vcf.gz"
  list="$list${list:+,}$s.vcf.gz"
done
sref=""
for c in "1 1" "1 4" "3 2"; do
  set -- $c
  run mpirun -np "$1" "$RADIOGX" scan -g "$list" --run "$ref" --covar cohort/covariates.tsv \
    -P scan.block_size=512 -T "$2" -o "site_$1_$2.h5"
  [ "$rc" = 0 ] || { is "$rc" 0 "site files, $1 ranks x $2 threads"; continue; }
  if [ -z "$sref" ]; then sref="site_$1_$2.h5"; ok 0 "site files: reference 1 x 1"; continue; fi
  same "$sref" "site_$1_$2.h5"; ok $? "site files, $1 ranks x $2 threads: the same bits"
done

# The issue's case: a run made with 2 ranks x 1 thread, verified by one process with 2 threads
# (no launcher), then by 3 ranks x 4 threads.
rm -rf out
RADIOGX_THREADS=1 run mpirun -np 2 "$RADIOGX" run --config study.yaml
is "$rc" 0 "run with 2 ranks x 1 thread"
RADIOGX_THREADS=2 run "$RADIOGX" verify out/t/run.h5
is "$rc" 0 "verify with no launcher, 2 threads: exit 0"
like "$out" "identical" "verify with no launcher says identical"
RADIOGX_THREADS=4 run "$RADIOGX" verify out/t/run.h5 --launcher "mpirun -np 3 --oversubscribe"
is "$rc" 0 "verify with 3 ranks x 4 threads: exit 0"
like "$out" "identical" "verify with 3 ranks says identical"
done_testing
