#!/usr/bin/env bash
# Outputs that never lie (docs/reliability.md): two jobs given the same output (the second is
# refused: a lock); a job killed with -9 keeps the previous good results of its folder; a full
# disk (a small tmpfs) ends every writer with exit status 6 and a message naming the file,
# keeps the previous files and leaves no temporary file; export file names that collide after
# being made safe are refused, and none is hidden or outside the folder.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
cd "$D"
"$RADIOGX" simulate --patients 30 --variants 2000 --dims 16,16,8 --seed 5 --out coh >/dev/null 2>&1
cat > s.yaml <<EOF
study:
  name: r
  genome_build: GRCh38
  genotyping_technology: [Genome-wide genotyping array]
  manifest: coh/manifest.tsv
  genotypes: coh/genotypes.vcf.gz
  covariates: coh/covariates.tsv
extract:
  default:
    features:
      families: [stat]
scan:
  block_size: 64
  pheno_names: CT.1.stat_mean,CT.1.stat_var,CT.1.stat_max  # (three files are enough here)
EOF
run mpirun -np 2 "$RADIOGX" run -c s.yaml --out R
is "$rc" 0 "a reference run"
parts() { find "$1" -name '*.part' | wc -l; }

# 1. The lock.  A holder outside radiogx (a POSIX lock conflicts with radiogx's lock).
mkdir -p L
/usr/bin/python3 -c '
import fcntl, sys, time
f = open("L/run.h5.lock", "w"); f.write("host test pid 1 since now\n"); f.flush()
fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
open("L/held", "w").close(); time.sleep(30)' &
holder=$!
for i in $(seq 200); do [ -e L/held ] && break; sleep 0.05; done
run mpirun -np 2 "$RADIOGX" run -c s.yaml --out L
is "$rc" 6 "a held lock: the run is refused (exit 6)"
like "$out" "L/run.h5 is in use by another radiogx job (host test pid 1" "the refusal names the holder"
[ ! -e L/features.h5 ] && [ ! -e L/features.h5.ckpt ]; ok $? "nothing was written"
kill $holder; wait $holder 2>/dev/null
# Two radiogx jobs: the first stopped (SIGSTOP) while it holds the lock, the second refused,
# the first resumed (SIGCONT) and complete.
( mpirun -np 2 "$RADIOGX" run -c s.yaml --out T > T.log 2>&1; echo $? > T.rc ) &
for i in $(seq 400); do [ -e T/run.h5.lock ] && break; sleep 0.02; done
pkill -STOP -f "radiogx run -c s.yaml --out T"
run "$RADIOGX" scan -g coh/genotypes.vcf.gz --run R/run.h5 -o T/run.h5
is "$rc" 6 "a scan writing a running job's run file is refused"
like "$out" "T/run.h5 is in use by another radiogx job" "it says why"
run mpirun -np 1 "$RADIOGX" run -c s.yaml --out T
is "$rc" 6 "a second run with the same --out is refused"
pkill -CONT -f "radiogx run -c s.yaml --out T"
wait
is "$(cat T.rc)" 0 "the first run completes"
h5diff R/run.h5 T/run.h5 /assoc /assoc >/dev/null 2>&1; ok $? "with the reference's results"
[ ! -e T/run.h5.lock ] && [ ! -e T/features.h5.lock ]; ok $? "its locks are removed at the end"

# 2. kill -9 during a rerun keeps the previous good results.
cp -r R K
# (features.h5 is not among them: a rerun replaces it once its extraction is complete, a new
# good file, before the scan starts.)
sha() { (cd "$1" && sha256sum run.h5 features.tsv hits.tsv report.html sumstats/*); }
before=$(sha K)
# Rank 0 freezes (SIGSTOP) at the second round of the scan (RGX_KILL_AT, src/core/fault.h),
# then the whole job gets kill -9: polling for run.h5.part and then killing could land after
# the scan on a loaded machine (the CI of 2026-12-04 killed it during the export).
( RGX_KILL_AT=scan.write:2:0:STOP mpirun -np 2 "$RADIOGX" run -c s.yaml --out K --fresh \
    > K.log 2>&1 ) &
frozen() { grep -q "sends itself SIGSTOP at scan.write" K.log 2>/dev/null; }
within 300 frozen
pkill -9 -f "radiogx run -c s.yaml --out K"
wait 2>/dev/null
is "$(sha K)" "$before" "kill -9 in the scan of a rerun: the previous results are intact"
h5ls K/features.h5/features >/dev/null 2>&1; ok $? "and features.h5 is a complete file"
[ ! -e K/run.h5 ] || [ "$(find K -name '*.part' | wc -l)" -le 1 ]; ok $? "only run.h5.part is unfinished"
run mpirun -np 2 "$RADIOGX" run -c s.yaml --out K
is "$rc" 0 "the rerun after the kill completes (the lock of the killed job is free)"

# 3. A full disk.
mkdir -p small
if ! mount -t tmpfs -o size=4k tmpfs small 2>/dev/null; then
  echo "# SKIP full-disk cases: cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN)"
  done_testing; exit
fi
trap 'umount "$D/small" 2>/dev/null; rm -rf "$_rgx_tmp"' EXIT
echo "old good table" > small/f.tsv
run "$RADIOGX" export R/run.h5 --features small/f.tsv
is "$rc" 6 "export --features on a full disk: exit 6"
like "$out" "small/f.tsv: write failed: No space left on device" "names the file and the reason"
is "$(cat small/f.tsv)" "old good table" "the previous file is untouched"
run "$RADIOGX" export R/run.h5 --sumstats small/ss
is "$rc" 6 "export --sumstats on a full disk: exit 6"
like "$out" "small/ss/CT.1.stat_m" "names the file"
like "$out" ".tsv.gz: write failed: No space left on device" "and the reason"
run "$RADIOGX" export R/run.h5 --report small/rep
is "$rc" 6 "export --report on a full disk: exit 6"
like "$out" "write failed: No space left on device" "names the reason"
run "$RADIOGX" export R/run.h5 --hits small/hits.tsv
is "$rc" 6 "export --hits on a full disk: exit 6"
is "$(parts small)" 0 "no temporary file left"
umount small
# A run: the previous run's results in the folder, too little room for the new run file.
mount -t tmpfs -o size=6m tmpfs small
cp -r R small/R
before=$(sha small/R)
free_kb=$(df -k --output=avail small | tail -1)
fallocate -l $(( (free_kb - 900) * 1024 )) small/filler 2>/dev/null || \
  dd if=/dev/zero of=small/filler bs=1k count=$((free_kb - 900)) 2>/dev/null
run mpirun -np 2 "$RADIOGX" run -c s.yaml --out small/R --fresh
is "$rc" 6 "a run on a full disk: exit 6"
like "$out" "write failed: No space left on device" "says why"
like "$out" "small/R/" "names the file"
unlike "$out" "Segmentation" "no crash"
is "$(sha small/R)" "$before" "the previous run's results are intact"
is "$(parts small)" 0 "no temporary file left"
umount small

# 4. Export names: unique after being made safe, never hidden, never outside the folder.
mkdir -p N
awk 'BEGIN{OFS="\t"} NR==1{print "#IID","a/b","a_b","A_B","../../x"; next}
     {print $1, NR, NR*2, NR*3 % 7, NR % 5}' coh/covariates.tsv > N/pheno.tsv
run "$RADIOGX" scan -g coh/genotypes.vcf.gz -p N/pheno.tsv -o N/run.h5 --pheno-transform none
is "$rc" 0 "a scan of phenotypes with unsafe names"
run "$RADIOGX" export N/run.h5 --sumstats N/ss "${ssf[@]}"
is "$rc" 5 "export refuses names that collide after being made safe (exit 5)"
like "$out" "'a/b', 'a_b', 'A_B' -> 'a_b'" "the error lists the colliding phenotypes"
[ -z "$(ls -A N/ss 2>/dev/null)" ]; ok $? "and writes nothing"
run "$RADIOGX" scan -g coh/genotypes.vcf.gz -p N/pheno.tsv -o N/run1.h5 --pheno-transform none \
  --pheno-names 'a/b,../../x'
run "$RADIOGX" export N/run1.h5 --sumstats N/ss1 "${ssf[@]}"
is "$rc" 0 "distinct names export"
is "$(cd N/ss1 && ls | tr '\n' ' ')" \
  "_._.._x.tsv.gz _._.._x.tsv.gz-meta.yaml _._.._x.tsv.gz.tbi a_b.tsv.gz a_b.tsv.gz-meta.yaml a_b.tsv.gz.tbi " \
  "'../../x' becomes _._.._x.tsv.gz: not hidden, inside the folder"
[ ! -e x.tsv.gz ] && [ ! -e "$D/x.tsv.gz" ]; ok $? "nothing written outside the folder"
done_testing
