# lib.sh — TAP helpers for the end-to-end tests (sourced).
#   run CMD...          runs CMD; $out holds stdout+stderr, $rc the exit status
#   is GOT WANT NAME    equality
#   like TEXT PATTERN NAME   TEXT contains PATTERN (fixed string)
#   ok COND_STATUS NAME pass when the status (0) is true: ok $? "name"
#   skip_all REASON     no test can run here: says why (never a silent pass)
#   tmpdir              a temporary folder, removed when the script exits
#   within SECONDS CMD...   polls CMD every half second until it succeeds (status 0) or the
#                       deadline passes (status 1): a deadline in seconds, not a count of polls,
#                       which a loaded machine stretches
#   plain_or_asan A B   prints A, or B under AddressSanitizer (RGX_ASAN=1): that pass is an
#                       order slower and there for memory errors, not bits, so a test repeats
#                       a path fewer times there (rank counts, kill points, block sizes)
#   "${ssf[@]}"         the study config keys export --sumstats needs (GWAS-SSF metadata;
#                       a scan's own config has no study section)
# A failure's details go to stderr, which prove shows without -v (a CI log has them).
_n=0; _fail=0
ssf=(-P study.genome_build=GRCh38 -P 'study.genotyping_technology=[Genome-wide genotyping array]')
# One parent folder per test script, removed when the script exits (a trap set inside
# $(tmpdir) would fire when that subshell ends).
_rgx_tmp=$(mktemp -d /tmp/rgx_e2e.XXXXXX); trap 'rm -rf "$_rgx_tmp"' EXIT
tmpdir() { mktemp -d "$_rgx_tmp/d.XXXXXX"; }
run() { out=$("$@" 2>&1); rc=$?; }
_result() {
  _n=$((_n+1))
  if [ "$1" = 0 ]; then echo "ok $_n - $2"; else echo "not ok $_n - $2"; _fail=$((_fail+1)); fi
}
is() {
  if [ "$1" = "$2" ]; then _result 0 "$3"; else _result 1 "$3"; { echo "#   got '$1', expected '$2'"; [ -n "${out:-}" ] && printf '%s\n' "$out" | head -20 | sed 's/^/#   | /'; } >&2; fi
}
like() {
  case "$1" in *"$2"*) _result 0 "$3" ;; *) _result 1 "$3"; { echo "#   no '$2' in:"; printf '%s\n' "$1" | head -30 | sed 's/^/#   | /'; } >&2 ;; esac
}
unlike() {
  case "$1" in *"$2"*) _result 1 "$3"; echo "#   unexpected '$2'" >&2 ;; *) _result 0 "$3" ;; esac
}
ok() { _result "$1" "$2"; }
within() {
  local end=$(($(date +%s) + $1)); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$end" ] || return 1
    sleep 0.5
  done
}
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
plain_or_asan() { if [ "${RGX_ASAN:-}" = 1 ]; then echo "$2"; else echo "$1"; fi; }
done_testing() { echo "1..$_n"; [ "$_fail" = 0 ]; }
