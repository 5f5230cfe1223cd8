#!/usr/bin/env bash
# kill -9 of one rank at random points of extraction and of the scan, each followed by a
# rerun of the same command that must end with the bits of an uninterrupted run; and the stop
# signals as docs/reliability.md describes them (exit 75, rerun resumes).
#
# The points are drawn from a seed (printed; RGX_FAULT_SEED=S repeats or varies them) among
# the kill points of src/core/fault.h: before, in the middle of (a torn record) and after the
# N-th checkpoint record of a rank, before the stage's collective writes, between a complete
# run file and its rename, between the rename and the removal of the checkpoints.  The rank
# sends itself SIGKILL there (RGX_KILL_AT), which is kill -9 at an exact place: a small
# cohort's extraction lasts a tenth of a second, too short to aim at from outside.
# N ranges over the records each rank writes in an uninterrupted run, counted from its logs.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
cd "$D"
"$RADIOGX" simulate --patients 40 --variants 3000 --dims 24,24,10 --seed 14 --inject-failures \
  --out coh >/dev/null 2>&1
cat > s.yaml <<EOF
study:
  name: f
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
  block_size: 16
  checkpoint_after: 0
EOF
np=2
# Under AddressSanitizer three points per stage: that pass is for memory errors on the resume
# paths; the ten-point campaign runs in the plain build.
npts=$(plain_or_asan 10 3)
seed=${RGX_FAULT_SEED:-20261204}
RANDOM=$seed
echo "# kill points drawn with seed $seed (RGX_FAULT_SEED=$seed repeats them)"

# (mpirun forwards its stdin to rank 0: not the loops' input.)
extract_cmd() { mpirun -np $np "$RADIOGX" extract -c s.yaml -o "$1" < /dev/null; }
scan_cmd() { mpirun -np $np "$RADIOGX" scan -c s.yaml --run ref/features.h5 -o "$1" < /dev/null; }

# Valid records per rank in a stage's logs (ckpt.c: a 73-byte header, then records of
# magic u32, key u64, length u32, payload, crc u32), as "n0 n1 n2".
count_records() { # DIR STAGE
  /usr/bin/python3 - "$1" "$2" "$np" <<'EOF'
import glob, struct, sys, collections
d, stage, np_ = sys.argv[1], sys.argv[2], int(sys.argv[3])
n = collections.Counter()
for f in glob.glob(f"{d}/{stage}.*.log"):
    rank = int(f.rsplit("/", 1)[1].split(".")[1])
    b = open(f, "rb").read()
    i = 73
    while i + 16 <= len(b):
        magic, key, ln = struct.unpack_from("<IQI", b, i)
        if magic != 0x52474331 or i + 20 + ln > len(b):
            break
        n[rank] += 1
        i += 20 + ln
print(" ".join(str(n[r]) for r in range(np_)))
EOF
}

# The pid that a rank stopped at a STOP point reported, once it is stopped.
stopped_pid() { # LOG
  local pid=""
  for i in $(seq 1500); do
    pid=$(sed -n 's/.*RGX_KILL_AT: rank [0-9]* (pid \([0-9]*\)) sends itself SIGSTOP.*/\1/p' "$1")
    [ -n "$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = T ] && break
    pid=""
    sleep 0.02
  done
  echo "$pid"
}

# The uninterrupted reference of a stage, paused (SIGSTOP) on rank 0 just before it removes
# its checkpoints, so that the records each rank wrote can be counted; then it completes.
reference() { # STAGE OUT
  local stage=$1 o=$2
  ( RGX_KILL_AT=ckpt.remove:1:0:STOP "${stage}_cmd" "$o" > "ref-$stage.log" 2>&1
    echo $? > "ref-$stage.rc" ) &
  local pid
  pid=$(stopped_pid "ref-$stage.log")
  counts=$(count_records "$o.ckpt" "$stage")
  [ -n "$pid" ] && kill -CONT "$pid"
  wait
  is "$(cat "ref-$stage.rc")" 0 "$stage, uninterrupted ($np ranks): records per rank: $counts"
}

# Objects of the stage's run file that must equal the reference, bit for bit (/samples/time
# is each patient's wall time: the one dataset that may differ).
objs_extract="/features /samples/status /samples/reason /samples/sample_id"
objs_scan="/assoc /variants /hits /phenotypes /features /samples/status"
same() { # STAGE FILE: "identical" or the objects that differ
  local bad="" ref=ref/features.h5 objs=$objs_extract
  [ "$1" = scan ] && ref=ref/run.h5 objs=$objs_scan
  for o in $objs; do
    h5diff "$ref" "$2" "$o" "$o" >/dev/null 2>&1 || bad="$bad $o"
  done
  echo "${bad:-identical}"
}

mkdir ref
reference extract ref/features.h5
read -r -a ext_n <<< "$counts"
reference scan ref/run.h5
read -r -a scan_n <<< "$counts"

# One kill point: run the stage with RGX_KILL_AT, check that the rank died there and left no
# file that looks finished, rerun the same command, compare.
kill_point() { # STAGE LABEL SITE N RANK
  local stage=$1 label=$2 site=$3 n=$4 r=$5 o="$2/out.h5" problems=""
  mkdir -p "$label"
  # (sigkill_timeout 0: mpirun kills the other ranks at once, instead of SIGTERM a second
  # after SIGCONT and SIGKILL a second later; they wait for the dead rank anyway.)
  OMPI_MCA_odls_base_sigkill_timeout=0 RGX_KILL_AT="$site:$n:$r" "${stage}_cmd" "$o" \
    > "$label/kill.log" 2>&1
  local krc=$?
  grep -q "RGX_KILL_AT: rank $r (pid [0-9]*) sends itself SIGKILL at $site #$n" "$label/kill.log" ||
    problems="$problems; the point was not reached"
  [ "$krc" != 0 ] || problems="$problems; the killed job exited 0"
  if [ "$site" = ckpt.remove ]; then # renamed already: complete, and the reference's bits
    [ "$(same "$stage" "$o")" = identical ] || problems="$problems; the renamed file differs"
  else
    [ ! -e "$o" ] || problems="$problems; $o exists after the kill"
  fi
  run "${stage}_cmd" "$o"
  [ "$rc" = 0 ] || problems="$problems; rerun exit $rc: $(printf '%s' "$out" | grep -m1 ERROR)"
  local resumed
  resumed=$(printf '%s\n' "$out" | sed -n 's/.*\(resuming: [0-9]*\( of [0-9]*\)\? [a-z]*\).*/\1/p')
  local cmp
  cmp=$(same "$stage" "$o")
  [ "$cmp" = identical ] || problems="$problems; differs:$cmp"
  [ ! -e "$o.ckpt" ] && [ -z "$(find "$label" -name '*.part')" ] ||
    problems="$problems; checkpoints or a temporary file left"
  ok "$([ -z "$problems" ]; echo $?)" "$stage: kill -9 of rank $r at $site #$n; rerun: ${resumed:-nothing to resume}, identical"
  [ -n "$problems" ] && echo "#   ${problems#; }" && tail -5 "$label/kill.log" | sed 's/^/#   | /'
  return 0
}

# The points, drawn here in the test's own shell (a subshell would not advance $RANDOM):
# a rank, a site (the record sites twice as likely), and N up to that rank's records.
points=()
for stage in extract scan; do
  sites=("$stage.before" "$stage.torn" "$stage.after" "$stage.before" "$stage.torn"
         "$stage.after" "$stage.write" commit ckpt.remove)
  for k in $(seq "$npts"); do
    r=$((RANDOM % np))
    site=${sites[$((RANDOM % ${#sites[@]}))]}
    if [ "$stage" = extract ]; then max=${ext_n[$r]}; else max=${scan_n[$r]}; fi
    case "$site" in
      *.before|*.torn|*.after|scan.write) n=$((RANDOM % max + 1)) ;;
      ckpt.remove) n=1 r=0 ;; # only rank 0 removes them
      *) n=1 ;;
    esac
    points+=("$stage $site $n $r")
  done
done
k=0
for p in "${points[@]}"; do
  read -r stage site n r <<< "$p"
  k=$((k + 1))
  kill_point "$stage" "p$k" "$site" "$n" "$r"
done

# Stop requests (docs/reliability.md): the ranks checkpoint, exit 75, the rerun resumes.
# A signal to one rank at an exact point, as Slurm's --signal=B:USR1 reaches the batch
# script and a scancel --signal reaches every task:
stop_case() { # STAGE LABEL POINT WHAT
  local stage=$1 o="$2/out.h5"
  mkdir -p "$2"
  RGX_KILL_AT="$3" "${stage}_cmd" "$o" > "$2/stop.log" 2>&1
  is "$?" 75 "$4: exit status 75"
  like "$(cat "$2/stop.log")" "stopped on request" "$4: the stop is logged"
  like "$(cat "$2/stop.log")" "rerun the same command to resume (exit status 75)" \
    "$4: the log says how to resume"
  [ ! -e "$o" ] && [ -d "$o.ckpt" ]; ok $? "$4: no run file, the checkpoints kept"
  run "${stage}_cmd" "$o"
  is "$rc" 0 "$4: the rerun completes"
  like "$out" "$stage: resuming:" "$4: the rerun resumes"
  is "$(same "$stage" "$o")" identical "$4: identical to the uninterrupted $stage"
}
stop_case extract usr1 "extract.after:3:1:USR1" "USR1 to rank 1 only, during extraction"
stop_case scan term "scan.after:10:*:TERM" "TERM to every rank, during the scan"

# A TERM to mpirun itself (Ctrl-C, INT, is handled alike): Open MPI 4.1's mpirun sends the ranks SIGCONT, then
# SIGTERM a second later, then SIGKILL a second after that, and exits 1 whatever they did.
# Where the TERM lands depends on that second: the ranks stop on request (exit 75), or the
# stage was done before it, or the SIGKILL came first.  In every case nothing that looks
# finished is left unless it is complete, and the rerun ends with the same bits.
mpirun_signal() { # STAGE LABEL SIGNAL
  local stage=$1 o="$2/out.h5" sig=$3 what
  mkdir -p "$2"
  ( "${stage}_cmd" "$o" > "$2/sig.log" 2>&1; echo $? > "$2/rc" ) &
  local bg=$! mp=""
  for i in $(seq 500); do
    mp=$(pgrep -P "$bg" -x mpirun)
    [ -n "$mp" ] && [ -n "$(find "$o.ckpt" -name "$stage.*" -size +200c 2>/dev/null)" ] && break
    sleep 0.01
  done
  kill -"$sig" "$mp"
  wait "$bg"
  if grep -q "rerun the same command to resume (exit status 75)" "$2/sig.log"; then
    what="the ranks stopped on request"
    [ ! -e "$o" ] || what="$what, but $o exists"
  elif [ -e "$o" ]; then
    what="the $stage had finished: $(same "$stage" "$o")"
  else
    what="the ranks were killed"
  fi
  is "$(cat "$2/rc")" 1 "SIG$sig to mpirun during the $stage: mpirun exits 1 ($what)"
  unlike "$what" "exists" "SIG$sig to mpirun during the $stage: no unfinished file"
  run "${stage}_cmd" "$o"
  is "$rc" 0 "SIG$sig to mpirun during the $stage: the rerun completes"
  is "$(same "$stage" "$o")" identical "SIG$sig to mpirun during the $stage: identical"
}
mpirun_signal scan mterm TERM
done_testing
