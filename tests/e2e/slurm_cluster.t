#!/usr/bin/env bash
# A node failure in a real three-node Slurm cluster on this machine (docs/reliability.md,
# "A node lost").  Each node is its own network namespace (ip netns, a veth pair into a bridge
# in the root namespace) and its own UTS namespace (hostname n1, n2, n3), running its own
# slurmd (-N nX); slurmctld and munged run in the root namespace.  Everything is started and
# stopped here, by process id and by namespace.
#   1. slurm/radiogx.sbatch runs `radiogx run` on 3 nodes, one rank each, Open MPI over TCP
#      between the namespaces (btl self,tcp on the bridge's subnet);
#   2. once the scan has checkpointed some blocks, node n2 fails: its link goes down and
#      its slurmd, slurmstepd and rank are killed with SIGKILL, as a crash would;
#   3. slurmctld marks n2 DOWN and requeues the job (the template's --requeue); n2 reboots
#      (a clean local folder, link up, slurmd started again) and rejoins the partition;
#   4. the requeued job resumes from the checkpoints and completes; `radiogx verify` reruns
#      the recorded command (mpirun, 2 ranks) and finds the result groups identical, and the
#      exported tables match byte for byte;
#   5. n3's processes die while its network stays up, in a job submitted with --no-requeue:
#      it ends NODE_FAIL; the same sbatch again resumes it to the same bits.
# Where the namespaces or Slurm cannot be set up here (not root, no `ip netns`, a container
# without CAP_SYS_ADMIN/CAP_NET_ADMIN, no bridge support), the test says exactly what failed
# and is skipped; it never passes without having run.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
PATH=$PATH:/usr/sbin:/sbin
for b in munged slurmctld slurmd sbatch scontrol sinfo ip nsenter unshare; do
  command -v "$b" >/dev/null ||
    skip_all "$b is missing (apt-get install slurmctld slurmd slurm-client munge iproute2 util-linux)"
done
[ "$(id -u)" = 0 ] || skip_all "network namespaces and slurmd need root here"
mountpoint -q /sys/fs/cgroup || skip_all "slurmd needs /sys/fs/cgroup mounted"

S=$(tmpdir)
id=$$                             # names unique to this run: rgx<pid>n1, rgx<pid>v1, rgxb<pid>
br=rgxb$id
# A /24 that no interface here uses yet.
net=""
for k in $(seq 0 40); do
  c=10.213.$(((id + k) % 250 + 1))
  ip -4 -o addr | grep -q " $c\." || { net=$c; break; }
done
[ -n "$net" ] || skip_all "no free 10.213.x.0/24 subnet for the bridge"
mkdir -p "$S/state" "$S/munge" "$S/work"
chmod 700 "$S/munge"
head -c 1024 /dev/urandom > "$S/munge/munge.key"; chmod 400 "$S/munge/munge.key"

# Teardown: every process of the three namespaces (only ours live there), then slurmctld
# and munged by their process ids, then the namespaces and the bridge.
teardown() {
  local p
  for n in 1 2 3; do
    p=$(ip netns pids "rgx${id}n$n" 2>/dev/null)
    [ -n "$p" ] && kill -9 $p 2>/dev/null
  done
  for p in "$S/slurmctld.pid" "$S/munge/munged.pid"; do
    [ -s "$p" ] && kill "$(cat "$p")" 2>/dev/null
  done
  sleep 0.5
  for p in "$S/slurmctld.pid" "$S/munge/munged.pid"; do
    [ -s "$p" ] && kill -9 "$(cat "$p")" 2>/dev/null
  done
  for n in 1 2 3; do ip netns del "rgx${id}n$n" 2>/dev/null; done
  ip link del "$br" 2>/dev/null
  rm -rf "$_rgx_tmp" # this trap replaces the one lib.sh set for the test's folder
  return 0
}
trap teardown EXIT

# The network: a bridge in the root namespace (the controller's address), a namespace per
# node with a veth pair into the bridge.
e=$(ip link add "$br" type bridge 2>&1) ||
  skip_all "blocked: cannot create a bridge here ($e): needs CAP_NET_ADMIN and bridge support"
ip addr add "$net.1/24" dev "$br" && ip link set "$br" up || skip_all "blocked: bridge address"
for n in 1 2 3; do
  ns=rgx${id}n$n
  e=$(ip netns add "$ns" 2>&1) ||
    skip_all "blocked: ip netns add failed ($e): network namespaces need CAP_SYS_ADMIN"
  e=$( (ip link add "rgx${id}v$n" type veth peer name eth0 netns "$ns" &&
        ip link set "rgx${id}v$n" master "$br" up &&
        ip -n "$ns" addr add "$net.1$n/24" dev eth0 &&
        ip -n "$ns" link set eth0 up && ip -n "$ns" link set lo up) 2>&1) ||
    skip_all "blocked: cannot wire namespace $ns to the bridge ($e)"
  mkdir -p "$S/n$n"
done

munged --force --socket="$S/munge/munge.socket" --key-file="$S/munge/munge.key" \
  --log-file="$S/munge/munged.log" --pid-file="$S/munge/munged.pid" --seed-file="$S/munge/munged.seed" \
  || skip_all "munged did not start: $(tail -2 "$S/munge/munged.log" 2>/dev/null)"
H=$(hostname -s)
port=$((30000 + (id % 5000) * 2))
# Per-node paths (%n): each slurmd has its own spool, pid file, log and TmpFS, where Slurm's
# PMIx plugin makes its per-step folder (shared, the nodes' folders of the same step collide).
# SlurmdTimeout, MessageTimeout and KillWait are seconds instead of minutes, so that a lost
# node is noticed and the job's other ranks are killed within seconds; cred_expire is also
# how long a requeued job waits before it may start again.
cat > "$S/slurm.conf" <<EOF
ClusterName=rgxcluster
SlurmctldHost=$H($net.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$S/munge/munge.socket,cred_expire=5
CredType=cred/munge
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/%n
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/%n/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/%n/slurmd.log
TmpFS=$S/%n
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmdTimeout=5
MessageTimeout=3
KillWait=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=n1 NodeAddr=$net.11 CPUs=1 RealMemory=1000 State=UNKNOWN
NodeName=n2 NodeAddr=$net.12 CPUs=1 RealMemory=1000 State=UNKNOWN
NodeName=n3 NodeAddr=$net.13 CPUs=1 RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF
export SLURM_CONF="$S/slurm.conf"
slurmctld -f "$SLURM_CONF" || skip_all "slurmctld did not start: $(tail -3 "$S/slurmctld.log" 2>/dev/null)"

# A node's slurmd: in the node's network namespace (nsenter --net: `ip netns exec` would also
# remount /sys, hiding the cgroup mounts slurmd checks) and in a UTS namespace of its own, so
# that the node's processes see its name as their hostname.
start_node() { # N
  nsenter --net="/run/netns/rgx${id}n$1" unshare --uts \
    sh -c "hostname n$1 && exec slurmd -f '$SLURM_CONF' -N n$1"
}
for n in 1 2 3; do
  start_node $n || skip_all "slurmd on n$n did not start: $(tail -3 "$S/n$n/slurmd.log" 2>/dev/null)"
done
idle() { [ "$(sinfo -h -N -o '%N %T' 2>/dev/null | grep -c ' idle$')" = "$1" ]; }
# Every wait has a deadline in seconds (lib.sh's within, and below), and a generous one: on a
# loaded machine (the CI runs two test files at once on 2 cores) each step takes several times
# longer than here alone.  A wait that ends at its deadline fails the test that follows it.
node_is() { [ "$(sinfo -h -n "$1" -o %T 2>/dev/null)" = "$2" ]; }
restarted() { [ "$(job_field "$1" Restarts)" = 1 ]; }
within 120 idle 3
# One line for skip_all (its only argument; n1's log used to be a second one, and was lost
# when CI skipped here on 2026-12-06 09:04 with an empty sinfo).
idle 3 || skip_all "the nodes did not come up: sinfo: $(sinfo -h -N -o '%N %T' 2>&1 | tr '\n' ' ')\
n1: $(tail -2 "$S/n1/slurmd.log" 2>/dev/null | tr '\n' ' ') slurmctld: $(tail -3 "$S/slurmctld.log" \
  2>/dev/null | tr '\n' ' ')"
ok 0 "three Slurm nodes up, each in its own network namespace ($net.0/24, slurmctld port $port)"

job_field() { # JOBID FIELD
  scontrol show job "$1" 2>/dev/null | grep -oE "(^|[[:space:]])$2=[^ ]*" | head -1 | cut -d= -f2
}
wait_state() { # JOBID SECONDS STATE...: polls until the job is in one of the states
  local j=$1 end=$(($(date +%s) + $2)) st=""; shift 2
  while [ "$(date +%s)" -lt "$end" ]; do
    st=$(job_field "$j" JobState)
    for want in "$@"; do [ "$st" = "$want" ] && { echo "$st"; return 0; }; done
    sleep 0.25
  done
  echo "$st"; return 1
}

cd "$S/work"
export RADIOGX
# The scan must last long enough to be interrupted: 12000 variants in blocks of 16, each
# round written collectively over TCP (about 5 s on 2 shared cores).
"$RADIOGX" simulate --patients 40 --variants 12000 --dims 24,24,10 --seed 14 --inject-failures \
  --out coh >/dev/null 2>&1
cat > s.yaml <<EOF
study:
  name: cl
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
cp "$RGX_ROOT/slurm/radiogx.sbatch" .
# As a user would: the template's options, a smaller memory request, Open MPI told which
# network to use (btl self,tcp: every message between the ranks crosses the bridge).
submit() { # OUT [SBATCH_OPTION...]: prints the job id
  local o=$1; shift
  RGX_ARGS="run -c s.yaml -o $o" OMPI_MCA_btl=self,tcp OMPI_MCA_btl_tcp_if_include="$net.0/24" \
    OMPI_MCA_oob_tcp_if_include="$net.0/24" \
    sbatch --parsable --nodes=3 --ntasks-per-node=1 --mem=500M --time=00:30:00 \
    --output=job-%j.out "$@" radiogx.sbatch
}
# Waits for scan checkpoints holding some blocks (a record is a block's statistics), while
# the job runs.
await_checkpoints() { # OUT JOBID
  local end=$(($(date +%s) + 600))
  while [ "$(date +%s)" -lt "$end" ]; do
    [ "$(cat "$1"/run.h5.ckpt/scan.* 2>/dev/null | wc -c)" -gt 60000 ] && break
    [ "$(job_field "$2" JobState)" = RUNNING ] || break
    sleep 0.05
  done
}
# Scan checkpoints holding some blocks, no run file yet.
scan_under_way() { # OUT JOBID
  await_checkpoints "$1" "$2"
  local b
  b=$(cat "$1"/run.h5.ckpt/scan.* 2>/dev/null | wc -c)
  [ "$b" -gt 60000 ] && [ ! -e "$1/run.h5" ]
  ok $? "$1: the scan is under way: $b bytes of scan checkpoints, no run file yet"
}
# Every process of node N's namespace: slurmd, slurmstepd, the rank.
kill_node() { # N
  local victims names
  victims=$(ip netns pids "rgx${id}n$1")
  names=$(for p in $victims; do cat "/proc/$p/comm" 2>/dev/null; done | sort | uniq -c | xargs)
  kill -9 $victims 2>/dev/null
  like "$names" radiogx "n$1 lost: SIGKILL to its processes ($names)"
}
# Node N reboots: a fresh local folder (its slurmd spool and TmpFS; the log is kept), the link
# up, slurmd started again; ReturnToService=2 returns it to the partition.
reboot_node() { # N
  find "$S/n$1" -mindepth 1 ! -name slurmd.log -exec rm -rf {} + 2>/dev/null
  ip link set "rgx${id}v$1" up
  start_node "$1"
  ok $? "n$1 rebooted: slurmd started again"
}
# The end: what happened, for the reader of a failed run, then the plan line.
finish() {
  if [ "$_fail" != 0 ]; then # what happened, for the reader of a failed run (stderr: prove shows it)
    {
      for j in $jids; do
        scontrol show job "$j" 2>/dev/null | grep -E 'JobState|NodeList=|Reason' | sed "s/^/# job $j | /"
        tail -30 "job-$j.out" 2>/dev/null | sed "s/^/# job $j | /"
      done
      sinfo -h -N -o '%N %T %E' 2>/dev/null | sed 's/^/# sinfo | /'
      tail -30 "$S/slurmctld.log" 2>/dev/null | sed 's/^/# slurmctld | /'
      for n in 2 3; do tail -8 "$S/n$n/slurmd.log" 2>/dev/null | sed "s/^/# slurmd n$n | /"; done
    } >&2
  fi
  done_testing
}
ended="COMPLETED FAILED CANCELLED TIMEOUT NODE_FAIL OUT_OF_MEMORY"
# A rank may die inside MPI start-up on a node that has just rebooted (Open MPI 4.1 and
# PMIx under srun: a NULL call in MPI_Init, before radiogx logs anything; about one run in
# ten here; the CI failure of 2026-12-04 fits it).  The template's --kill-on-bad-exit then
# ends the job at once (before it, the other ranks waited for their lost peer until the
# time limit) and the documented remedy is the same sbatch again, applied here once and said
# on stderr.  Only that signature is retried: a job that failed after radiogx started fails the test.
# Under ASan the same crash is ASan's report ("SEGV on unknown address", pc 0) and an exit
# status of 1 instead of the signal (the ASan pass of 2026-12-06 08:38, n2).
startup_crash() { # LOG RUNS: the job failed by a signal and no run began after the first RUNS
  [ "$(grep -c 'ranks on 3 hosts' "$1" 2>/dev/null)" = "$2" ] &&
    grep -qE 'Process received signal|task [0-9]+: (Segmentation fault|Bus error|Aborted)|AddressSanitizer: SEGV' "$1"
}
retried=""
# The remedy for startup_crash: the same sbatch again, job $VAR becoming the new one.
resubmit() { # VAR OUT [SBATCH_OPTION...]
  local v=$1 o=$2; shift 2
  echo "# job ${!v}: a rank died in MPI start-up; the same sbatch again" >&2
  printf -v "$v" %s "$(submit "$o" "$@")"
  jids="$jids ${!v}"
}
# A job just submitted, until its scan is under way (scan_under_way).  A rank can die in MPI
# start-up on any node (the CI failure of 2026-12-05 23:39: n3, which had not rebooted), so
# a job that failed with that signature before radiogx logged anything is submitted once
# more, as settle does.
start_scan() { # VAR OUT [SBATCH_OPTION...]
  local v=$1 o=$2; shift 2
  wait_state "${!v}" 300 RUNNING >/dev/null
  await_checkpoints "$o" "${!v}"
  # shellcheck disable=SC2086 # the states are words
  if [ "$(job_field "${!v}" JobState)" != RUNNING ] &&
    [ "$(wait_state "${!v}" 60 $ended)" = FAILED ] && startup_crash "job-${!v}.out" 0; then
    resubmit "$v" "$o" "$@"
    wait_state "${!v}" 300 RUNNING >/dev/null
  fi
  scan_under_way "$o" "${!v}"
}
settle() { # VAR OUT RUNS SECONDS [SBATCH_OPTION...]: $st, the end of job $VAR (see above)
  local v=$1 o=$2 runs=$3 t=$4; shift 4
  # shellcheck disable=SC2086 # the states are words
  st=$(wait_state "${!v}" "$t" $ended)
  if [ "$st" = FAILED ] && startup_crash "job-${!v}.out" "$runs"; then
    retried="$retried ${!v}"
    resubmit "$v" "$o" "$@"
    # shellcheck disable=SC2086
    st=$(wait_state "${!v}" "$t" $ended)
  fi
}

# 1. A crash: the link first (a crashed host sends no FIN or RST to its peers), then the
#    processes.  Slurm notices, requeues the job (--requeue in the template).
jid=$(submit out)
ok $? "sbatch: a 3-node radiogx run (job $jid)"
jids=$jid
start_scan jid out
is "$(job_field "$jid" NodeList)" "n[1-3]" "the job runs on n1, n2 and n3"
t0=$(date +%s)
ip link set "rgx${id}v2" down
kill_node 2
t_kill=$(date +%s)
within 120 node_is n2 "down*"
is "$(sinfo -h -n n2 -o %T 2>/dev/null)" "down*" "slurmctld marks n2 down ($(($(date +%s) - t_kill)) s after the failure)"
within 120 restarted "$jid"
is "$(job_field "$jid" Restarts)" 1 "the job is requeued ($(job_field "$jid" JobState), $(($(date +%s) - t_kill)) s after the failure)"
reboot_node 2
settle jid out 1 900
is "$st" COMPLETED "the requeued job completes ($(($(date +%s) - t0)) s from the first checkpoint)"
is "$(job_field "$jid" NodeList)" "n[1-3]" "the requeued job ran on n1, n2 and n3 again"
log=$(cat "job-$jid.out" 2>/dev/null)
is "$(printf '%s\n' "$log" | grep -c '3 ranks on 3 hosts')" "$([ -n "$retried" ] && echo 1 || echo 2)" \
  "both runs: 3 ranks on 3 hosts (srun --mpi=pmix, one rank per node)"
like "$log" "scan: resuming:" "the requeued run resumed the scan from its checkpoints"
like "$log" "run: done" "the requeued run finished"
[ ! -e out/run.h5.ckpt ] && [ ! -e out/features.h5.ckpt ]; ok $? "checkpoints removed at the end"
[ -z "$(find out -name '*.part')" ]; ok $? "no temporary file left"

# The same study uninterrupted: verify reruns the recorded command with 2 ranks (no Slurm)
# and compares /samples, /features, /variants, /assoc, /phenotypes and /hits bit for bit.
run "$RADIOGX" verify out/run.h5 --launcher "mpirun -np 2" --tmp "$S/work" --keep
is "$rc" 0 "radiogx verify: exit 0"
like "$out" identical "the resumed 3-node run equals an uninterrupted run"
ref=$(ls -d "$S"/work/radiogx-verify-*/out 2>/dev/null | head -1)
tables() { # DIR: the exported tables that differ from the uninterrupted run's
  local bad=""
  for f in features.tsv hits.tsv sumstats/CT.1.stat_mean.tsv.gz; do
    cmp -s "$1/$f" "$ref/$f" || bad="$bad $f"
  done
  echo "${bad:-identical}"
}
is "$(tables out)" identical "the exported tables equal the uninterrupted run's, byte for byte"

# Under AddressSanitizer (slower by an order: about 3 minutes for each failure) the first
# failure only: that pass is for memory errors on the resume path.
if [ "${RGX_ASAN:-}" = 1 ]; then
  finish
  exit
fi

# 2. A node's processes die while its network stays up (the other ranks see their peer
#    disconnect), in a job submitted with --no-requeue: Slurm ends it (NODE_FAIL) instead of
#    requeueing it (and refuses `scontrol requeue` for it); the documented command, the same
#    submission again, resumes it (docs/reliability.md).
jid2=$(submit out2 --no-requeue)
jids="$jids $jid2"
start_scan jid2 out2 --no-requeue
kill_node 3
# shellcheck disable=SC2086
st=$(wait_state "$jid2" 300 $ended)
is "$st/$(job_field "$jid2" Restarts)" NODE_FAIL/0 "--no-requeue: the job ends NODE_FAIL, not requeued"
reboot_node 3
jid2=$(submit out2 --no-requeue)
ok $? "the same sbatch again (job $jid2)"
jids="$jids $jid2"
settle jid2 out2 0 900 --no-requeue
is "$st" COMPLETED "the resubmitted job completes"
log=$(cat "job-$jid2.out" 2>/dev/null)
like "$log" "scan: resuming:" "it resumed the scan from its checkpoints"
bad=""
for o in /samples/status /samples/reason /features /variants /assoc /phenotypes /hits; do
  h5diff out/run.h5 out2/run.h5 "$o" "$o" >/dev/null 2>&1 || bad="$bad $o"
done
is "${bad:-identical}" identical "its run file's result groups equal the uninterrupted run's"
is "$(tables out2)" identical "its exported tables too"

finish
