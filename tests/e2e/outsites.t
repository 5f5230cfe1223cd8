#!/usr/bin/env bash
# Binary and time-to-event scans with one genotype file per site (sample-partitioned: each
# rank reads its sites' samples, only sums cross ranks, the full fits run as iterations whose
# sums are reduced across the sites): the mkoutcomes.py cohort's VCF split into three site
# files by bcftools, scanned pooled (one file, itself checked against plink2 and coxph in
# outcomes.t) and per site.  The per-site results equal the pooled scan's — the same test
# (score, Wald, Firth) for every pair, beta within 1e-5 SE, SE within 1e-6 relative, -log10 p
# within 1e-5 (the sums are added in another order, and the fits stop within their
# convergence tolerance of the optimum) — and are bitwise identical for 1, 2 and 3 ranks and
# after a stop and a resume with another number of ranks.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
nps=$(plain_or_asan "2 3" 3) # rank counts compared with 1 rank
command -v bcftools >/dev/null || skip_all "bcftools is not installed (scripts/deps.sh installs it)"
D=$(tmpdir)
cd "$D"
/usr/bin/python3 "$RGX_ROOT/tests/e2e/mkoutcomes.py" 300 1 || { echo "not ok 1 - cohort"; exit 1; }
bgzip -c g.vcf > g.vcf.gz && tabix -p vcf g.vcf.gz
# Unequal sites: the first 100 samples, then the rest alternately.
awk 'NR > 1 { i = NR - 2; s = i < 100 ? "a" : (i % 2 ? "b" : "c"); print $1 > ("site_" s ".txt") }' c.tsv
list=""
for s in a b c; do
  bcftools view -S "site_$s.txt" -Oz -o "site_$s.vcf.gz" g.vcf.gz && tabix -p vcf "site_$s.vcf.gz"
  list="$list${list:+,}site_$s.vcf.gz"
done
common=(-p p.tsv --covar c.tsv --maf 0.01 --block-size 64)
cmp() { # pooled.h5 sites.h5: pairs, fits, worst differences (beta / SE, SE relative, -log10 p)
  /usr/bin/python3 - "$1" "$2" <<'PY'
import h5py, numpy as np, sys
a, b = (h5py.File(f, "r") for f in sys.argv[1:3])
ta, tb = a["/assoc/test"][...], b["/assoc/test"][...]
x = {k: (a["/assoc/" + k][...], b["/assoc/" + k][...]) for k in ("beta", "se", "log10p", "lr_log10p")}
nan_same = all((np.isnan(u) == np.isnan(v)).all() for u, v in x.values())
m = np.isfinite(x["se"][0])
wb = np.max(np.abs(x["beta"][0] - x["beta"][1])[m] / x["se"][0][m])
ws = np.max(np.abs(x["se"][0] - x["se"][1])[m] / x["se"][0][m])
wp = max(np.nanmax(np.abs(x[k][0] - x[k][1])) for k in ("log10p", "lr_log10p"))
same = int((ta == tb).all() and nan_same)
print(ta.size, int((ta >= 2).sum()), int((ta == 3).sum()), same, "%.3g %.3g %.3g" % (wb, ws, wp),
      int(a["/assoc"].attrs["full_fits"]) == int(b["/assoc"].attrs["full_fits"]))
PY
}
check() { # name pooled.h5 sites.h5 min_fits
  read -r n nf nfirth same wb ws wp fits <<< "$(cmp "$2" "$3")"
  ok "$(awk -v s="$same" -v n="$nf" -v m="$4" -v f="$fits" 'BEGIN{exit !(s == 1 && n >= m && f == "True")}'; echo $?)" \
    "$1: the same test for all $n pairs as the pooled scan ($nf full fits, $nfirth Firth)"
  ok "$(awk -v b="$wb" -v s="$ws" -v p="$wp" 'BEGIN{exit !(b < 1e-5 && s < 1e-6 && p < 1e-5)}'; echo $?)" \
    "$1 vs pooled: beta $wb SE, SE $ws (relative), -log10 p $wp"
}
ranks() { # name prefix: 2 and 3 ranks (nps) bitwise identical to 1
  for np in $nps; do
    for o in /assoc /variants /hits /phenotypes; do
      h5diff "$2"1.h5 "$2$np.h5" "$o" "$o" >/dev/null 2>&1
      is "$?" 0 "$1: $np ranks, $o bitwise identical to 1 rank"
    done
  done
}

# ---- binary (logistic; the Firth fallback's switch; Firth for every fitted pair) ----
bin=(--pheno-names y1,y2 --outcome binary)
run "$RADIOGX" scan -g g.vcf.gz "${common[@]}" "${bin[@]}" -o b.h5
is "$rc" 0 "binary, pooled"
for np in 1 $nps; do
  run mpirun -np $np "$RADIOGX" scan -g "$list" "${common[@]}" "${bin[@]}" -o bs$np.h5
  is "$rc" 0 "binary, 3 site files, $np ranks"
done
like "$out" "genotype files (sites), samples split across ranks" "the log names the site mode"
check "binary" b.h5 bs1.h5 40
ranks "binary" bs
run "$RADIOGX" scan -g g.vcf.gz "${common[@]}" "${bin[@]}" --firth always -o f.h5
for np in 1 3; do
  run mpirun -np $np "$RADIOGX" scan -g "$list" "${common[@]}" "${bin[@]}" --firth always -o fs$np.h5
  is "$rc" 0 "Firth, 3 site files, $np ranks"
done
check "Firth" f.h5 fs1.h5 40
h5diff fs1.h5 fs3.h5 /assoc /assoc >/dev/null 2>&1
is "$?" 0 "Firth: 3 ranks bitwise identical to 1 rank"

# ---- time to event (Cox, Efron ties) ----
run "$RADIOGX" scan -g g.vcf.gz "${common[@]}" --survival time:event -o s.h5
is "$rc" 0 "time to event, pooled"
for np in 1 $nps; do
  run mpirun -np $np "$RADIOGX" scan -g "$list" "${common[@]}" --survival time:event -o ss$np.h5
  is "$rc" 0 "time to event, 3 site files, $np ranks"
done
check "time to event" s.h5 ss1.h5 10
ranks "time to event" ss

# ---- stop and resume: a stop request (SIGUSR1, forwarded by mpirun to its ranks) after the
# first blocks are checkpointed, then a rerun with another number of ranks: the same pairs. ----
ck=(--survival time:event -P scan.checkpoint_after=0 --block-size 4)
mpirun -np 2 "$RADIOGX" scan -g "$list" "${common[@]}" "${ck[@]}" -o st.h5 > st.log 2>&1 &
pid=$!
for i in $(seq 800); do
  [ -n "$(find st.h5.ckpt -name 'scan.*' -size +3000c 2>/dev/null)" ] && break
  sleep 0.02
done
kill -USR1 "$pid" 2>/dev/null
wait "$pid"
is "$?" 75 "time to event, 3 site files: stopped on request (exit 75)"
run mpirun -np 3 "$RADIOGX" scan -g "$list" "${common[@]}" "${ck[@]}" -o st.h5
like "$out" "resuming:" "resumed from the checkpoints with 3 ranks"
for k in beta se log10p lr_log10p test; do
  h5diff ss1.h5 st.h5 /assoc/$k /assoc/$k >/dev/null 2>&1
  is "$?" 0 "stop and resume: /assoc/$k bitwise identical to the uninterrupted scan"
done
done_testing
