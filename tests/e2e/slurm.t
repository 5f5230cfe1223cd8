#!/usr/bin/env bash
# slurm/radiogx.sbatch on a real Slurm: munged, slurmctld and slurmd (Debian's Slurm 22.05)
# brought up on this machine with a configuration in a temporary folder, on their own ports,
# and stopped by their process ids at the end.  The template is submitted with sbatch as a
# user would (srun --mpi=pmix, 2 ranks):
#   1. a small simulated cohort runs end to end: run file, tables, report;
#   2. a larger one is sent USR1 (as --signal=B:USR1@120 does before the time limit) once
#      extraction has started: radiogx checkpoints and exits 75, the script requeues the job,
#      the requeued job resumes, and /features and /assoc equal an uninterrupted mpirun run.
# Where Slurm cannot be started here (not root, daemons missing or not coming up), the test
# says so and is skipped; it never passes without having run.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
for b in munged munge slurmctld slurmd sbatch scontrol squeue scancel sinfo; do
  command -v "$b" >/dev/null || PATH=$PATH:/usr/sbin
  command -v "$b" >/dev/null || skip_all "Slurm is not installed ($b missing: apt-get install slurmctld slurmd slurm-client munge)"
done
[ "$(id -u)" = 0 ] || skip_all "bringing up slurmd needs root here"
S=$(tmpdir)
mkdir -p "$S/state" "$S/spool" "$S/munge" "$S/work"
chmod 700 "$S/munge"
head -c 1024 /dev/urandom > "$S/munge/munge.key"; chmod 400 "$S/munge/munge.key"
stop_all() {
  for p in "$S/slurmd.pid" "$S/slurmctld.pid" "$S/munge/munged.pid"; do
    [ -s "$p" ] && kill "$(cat "$p")" 2>/dev/null
  done
  sleep 1
  for p in "$S/slurmd.pid" "$S/slurmctld.pid" "$S/munge/munged.pid"; do
    [ -s "$p" ] && kill -9 "$(cat "$p")" 2>/dev/null
  done
  rm -rf "$_rgx_tmp" # this trap replaces the one lib.sh set for the test's folder
  return 0
}
trap stop_all EXIT
munged --force --socket="$S/munge/munge.socket" --key-file="$S/munge/munge.key" \
  --log-file="$S/munge/munged.log" --pid-file="$S/munge/munged.pid" --seed-file="$S/munge/munged.seed" \
  || skip_all "munged did not start: $(tail -2 "$S/munge/munged.log" 2>/dev/null)"
H=$(hostname -s)
port=$((20000 + ($$ % 5000) * 2))
# cred_expire is also how long a requeued job waits before it may start again (120 s by
# default); the scheduler intervals make the queue react within seconds.
cat > "$S/slurm.conf" <<EOF
ClusterName=rgxtest
SlurmctldHost=$H(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$S/munge/munge.socket,cred_expire=10
CredType=cred/munge
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$H NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=2000 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF
export SLURM_CONF="$S/slurm.conf"
slurmctld -f "$SLURM_CONF" || skip_all "slurmctld did not start: $(tail -3 "$S/slurmctld.log" 2>/dev/null)"
slurmd -f "$SLURM_CONF" || skip_all "slurmd did not start: $(tail -3 "$S/slurmd.log" 2>/dev/null)"
for i in $(seq 60); do [ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && break; sleep 0.5; done
[ "$(sinfo -h -o %T 2>/dev/null)" = idle ] ||
  skip_all "the Slurm node did not come up: $(tail -2 "$S/slurmd.log" 2>/dev/null | tr '\n' ' ')"
ok 0 "a single-node Slurm is up (slurmctld, slurmd, munged on port $port)"

# A job's end: COMPLETED, FAILED, ... (a requeued job passes through PENDING again).
wait_job() { # JOBID SECONDS
  local st=""
  for i in $(seq $(($2 * 2))); do
    st=$(scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
    case "$st" in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) break ;; esac
    sleep 0.5
  done
  echo "$st"
}
study() { # COHORT OUT_DIR
  cat <<EOF
study:
  name: sl
  genome_build: GRCh38
  genotyping_technology: [Genome-wide genotyping array]
  manifest: $1/manifest.tsv
  genotypes: $1/genotypes.vcf.gz
  covariates: $1/covariates.tsv
  out_dir: $2
extract:
  default:
    interpolation: {method: none}
    resegmentation: {range: [-500, 400]}
    discretisation: {method: fbs, bin_width: 25}
    features:
      families: [morph, stat, ih]
scan:
  dosage: DS
  maf: 0.01
  checkpoint_after: 0
EOF
}
cd "$S/work"
cp "$RGX_ROOT/slurm/radiogx.sbatch" .
export RADIOGX

# 1. End to end.
"$RADIOGX" simulate --patients 40 --variants 2000 --dims 48,48,16 --seed 5 --inject-failures --out small >/dev/null 2>&1
study small out1 > s1.yaml
jid=$(CONFIG=s1.yaml sbatch --parsable --ntasks-per-node=2 --mem=1G --time=00:10:00 --output=j1-%j.out radiogx.sbatch)
ok $? "sbatch accepts the template (job $jid)"
is "$(wait_job "$jid" 240)" COMPLETED "the job completes"
log=$(cat "j1-$jid.out" 2>/dev/null)
like "$log" "2 ranks on 1 host" "srun --mpi=pmix started 2 MPI ranks"
for f in run.h5 features.tsv hits.tsv report.html manhattan.png qq.png; do
  [ -s "out1/sl/$f" ]; ok $? "out1/sl/$f written"
done
like "$log" "4 failed" "the failure cases are marked"

# 2. A stop before the time limit: checkpoint, exit 75, requeue, resume.
"$RADIOGX" simulate --patients 80 --variants 2000 --seed 6 --out big >/dev/null 2>&1
study big out2 > s2.yaml
study big out3 > s3.yaml
jid=$(CONFIG=s2.yaml sbatch --parsable --ntasks-per-node=2 --mem=1G --time=00:10:00 --output=j2-%j.out radiogx.sbatch)
for i in $(seq 600); do
  [ -n "$(find out2/sl/features.h5.ckpt -name 'extract.*' -size +1k 2>/dev/null)" ] && break
  sleep 0.05
done
scancel --batch --signal=USR1 "$jid"
is "$(wait_job "$jid" 300)" COMPLETED "the signalled job completes"
log=$(cat "j2-$jid.out" 2>/dev/null)
restarts=$(scontrol show job "$jid" | grep -o 'Restarts=[0-9]*' | cut -d= -f2)
if printf '%s' "$log" | grep -q "requeueing job"; then
  like "$log" "rerun the same command to resume (exit status 75)" "USR1: radiogx checkpoints and exits 75"
  is "$restarts" 1 "the job was requeued once"
  like "$log" "resuming:" "the requeued job resumed from the checkpoints"
else
  like "$log" "run: done" "the signal came after extraction: the job simply finished"
fi
mpirun -np 2 "$RADIOGX" run --config s3.yaml > j3.out 2>&1
is "$?" 0 "the same study uninterrupted (mpirun, 2 ranks)"
for obj in /features /assoc; do
  h5diff out3/sl/run.h5 out2/sl/run.h5 "$obj" "$obj" >/dev/null 2>&1
  is "$?" 0 "after stop, requeue and resume: $obj identical to the uninterrupted run"
done

# 3. Extraction as one job, then the scan as a job array over chromosomes 1 and 2.
cp "$RGX_ROOT/slurm/radiogx-chr.sbatch" .
ej=$(RGX_ARGS="extract -c s3.yaml -o feat.h5" sbatch --parsable --ntasks-per-node=2 --mem=1G --output=e-%j.out radiogx.sbatch)
aj=$(CONFIG=s3.yaml FEATURES=feat.h5 OUT=chr sbatch --parsable --dependency=afterok:"$ej" --array=1-2 \
     --ntasks-per-node=2 --mem=1G radiogx-chr.sbatch)
ok $? "extraction job $ej and array job $aj submitted"
is "$(wait_job "$ej" 120)" COMPLETED "the extraction job completes"
for t in 1 2; do
  is "$(wait_job "${aj}_$t" 120)" COMPLETED "array task $t completes"
done
"$RADIOGX" export out3/sl/run.h5 --sumstats whole >/dev/null 2>&1
"$RADIOGX" export chr/chr1.h5 --sumstats c1 >/dev/null 2>&1
p=CT.1.stat_mean.tsv.gz
n1=$(zcat "c1/$p" 2>/dev/null | tail -n +2 | wc -l)
ok "$([ "$n1" -gt 10 ]; echo $?)" "chromosome 1's summary statistics have $n1 variants"
is "$(zcat "c1/$p" | tail -n +2 | md5sum)" "$(zcat "whole/$p" | awk -F'\t' 'NR > 1 && $1 == 1' | md5sum)" \
  "chromosome 1 from its array task equals chromosome 1 of the whole-genome scan"
done_testing
