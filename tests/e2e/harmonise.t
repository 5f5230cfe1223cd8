#!/usr/bin/env bash
# radiogx harmonise against sva::ComBat (R, Bioconductor): parametric and non-parametric, with
# and without a reference site, mean-only, without covariates over all features, and with
# missing values (sva's missing-data estimators), each within 1e-8 relative of R's values;
# 1-4 ranks bitwise identical on a cohort whose sites span several tiles; --apply of stored
# parameters to a validation cohort against the formula evaluated from them, and to a cohort
# overlapping the discovery cohort, whose shared patients get sva::ComBat's discovery values
# back; and the refusals
# (a small site, an unknown reference, a covariate confounded with the site, an unknown site).
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
command -v Rscript >/dev/null || skip_all "Rscript not installed (r-base-core; scripts/deps.sh)"
Rscript -e 'suppressPackageStartupMessages(library(sva))' >/dev/null 2>&1 ||
  skip_all "R package sva not installed (r-bioc-sva; scripts/deps.sh)"
/usr/bin/python3 -c 'import h5py, numpy' 2>/dev/null ||
  skip_all "python3-h5py / python3-numpy not installed (scripts/deps.sh)"
D=$(tmpdir)
T=$RGX_ROOT/tests/e2e
PY=/usr/bin/python3
cd "$D"
mkdir a m r d v o
$PY "$T/combat_data.py" a 3
$PY "$T/combat_data.py" m 5 --missing
$PY "$T/combat_data.py" r 9 --missing --sizes=150,90,200,40
# a discovery cohort (patients 0-399 of one draw), a validation cohort (400-483) and one that
# overlaps the discovery cohort (380-483: patients 380-399 are in both)
$PY "$T/combat_data.py" d 9 --sizes=150,90,200,40 --subset=0-400
$PY "$T/combat_data.py" v 9 --sizes=150,90,200,40 --subset=400-484
$PY "$T/combat_data.py" o 9 --sizes=150,90,200,40 --subset=380-484

# radiogx: one file per variant (with 1 to 4 ranks: the results must not care)
h() { local dir=$1 name=$2 np=$3; shift 3
  run mpirun -np "$np" "$RADIOGX" harmonise "$dir/run.h5" --covar "$dir/covariates.tsv" -o "$dir/$name.h5" "$@"
  is "$rc" 0 "harmonise $dir/$name ($np ranks)"; }
h a p 1 --covariates age,sex
like "$out" "4 sites (siteA 30, siteB 26, siteC 40, siteD 12); 108 patients" "sites and patients counted"
like "$out" "3 patients left out: not extracted" "failed patients left out, counted"
like "$out" "1 with one value throughout a site" "the zero-variance feature counted"
h a np 2 --covariates age,sex --method nonparametric
h a pr 3 --covariates age,sex --ref-site siteB
h a npr 4 --covariates age,sex --ref-site siteB --method nonparametric
h a mo 2 --covariates age,sex --mean-only true
h a all 1 --by all
h m p 2 --covariates age,sex
like "$out" "group CT.1 has missing values" "missing values: sva's estimators"
h m np 1 --covariates age,sex --method nonparametric
h m pr 3 --covariates age,sex --ref-site siteC

# sva::ComBat on the same patients, sites and covariates (one R session: loading sva is slow)
A="a/raw.tsv a/covariates.tsv" M="m/raw.tsv m/covariates.tsv"
Rscript "$T/combat_ref.R" $A a/r_p.tsv parametric none age,sex channel_label \
  $A a/r_np.tsv nonparametric none age,sex channel_label \
  $A a/r_pr.tsv parametric siteB age,sex channel_label \
  $A a/r_npr.tsv nonparametric siteB age,sex channel_label \
  $A a/r_mo.tsv meanonly none age,sex channel_label $A a/r_all.tsv parametric none none all \
  $M m/r_p.tsv parametric none age,sex channel_label $M m/r_np.tsv nonparametric none age,sex channel_label \
  $M m/r_pr.tsv parametric siteC age,sex channel_label \
  r/raw.tsv r/covariates.tsv r/r_np.tsv nonparametric none age,sex channel_label \
  d/raw.tsv d/covariates.tsv d/r_p.tsv parametric none age,sex channel_label >/dev/null 2>&1
ok $? "sva::ComBat ran"
for x in a/p a/np a/pr a/npr a/mo a/all m/p m/np m/pr; do
  run $PY "$T/combat_cmp.py" "$x.h5" "$(dirname $x)/r_$(basename $x).tsv" 1e-8
  is "$rc" 0 "$x agrees with sva::ComBat within 1e-8 relative: $(echo "$out" | head -1)"
done

# 1-4 ranks: bitwise identical, parametric and non-parametric (sites of 150, 90, 200 and 40
# patients: several tiles per site, split differently across ranks)
nps=$(plain_or_asan "2 3 4" 3)
for m in parametric nonparametric; do
  for np in 1 $nps; do
    mpirun -np $np "$RADIOGX" harmonise r/run.h5 --covar r/covariates.tsv --covariates age,sex \
      --method $m -o r/$m$np.h5 -q 2>/dev/null
  done
  run $PY - r/$m $nps <<'PY'
import sys, h5py
b = sys.argv[1]
ref = h5py.File(b + "1.h5", "r")["/features_harmonised"]
for np_ in map(int, sys.argv[2:]):
    f = h5py.File(b + str(np_) + ".h5", "r")["/features_harmonised"]
    for k in ref:
        if ref[k][()].tobytes() != f[k][()].tobytes():
            print("%d ranks: %s differs" % (np_, k)); sys.exit(1)
PY
  is "$rc" 0 "$m: 1 $nps ranks give the same bits"
done
run $PY "$T/combat_cmp.py" r/nonparametric3.h5 r/r_np.tsv 1e-8
is "$rc" 0 "the larger cohort agrees with sva::ComBat too: $(echo "$out" | head -1)"

# --apply: a validation cohort mapped with the discovery cohort's stored parameters
h d fit 2 --covariates age,sex
run $PY "$T/combat_cmp.py" d/fit.h5 d/r_p.tsv 1e-8
is "$rc" 0 "the discovery fit agrees with sva::ComBat within 1e-8 relative: $(echo "$out" | head -1)"
run mpirun -np 3 "$RADIOGX" harmonise v/run.h5 --apply d/fit.h5 --covar v/covariates.tsv -o v/app.h5
is "$rc" 0 "harmonise --apply to the validation cohort"
run $PY "$T/combat_apply.py" d/fit.h5 v/app.h5 v/covariates.tsv
is "$rc" 0 "applied values as the formula gives them from the stored parameters: $out"
run "$RADIOGX" harmonise d/fit.h5 --apply d/fit.h5 --covar d/covariates.tsv -o d/self.h5
run $PY -c 'import sys, h5py; a, b = (h5py.File(x, "r")["/features_harmonised/values"][()] for x in sys.argv[1:]); sys.exit(a.tobytes() != b.tobytes())' d/fit.h5 d/self.h5
is "$rc" 0 "applying a cohort's own parameters gives its harmonised values, bit for bit"
# the overlapping cohort: its 20 discovery patients (in another cohort, other rows, other rank
# split) get sva::ComBat's discovery values back; the others are mapped as the formula says
run mpirun -np 2 "$RADIOGX" harmonise o/run.h5 --apply d/fit.h5 --covar o/covariates.tsv -o o/app.h5
is "$rc" 0 "harmonise --apply to a cohort overlapping the discovery cohort"
awk -F'\t' 'NR == FNR { if (FNR > 1) keep[$1] = 1; next } FNR == 1 || ($1 in keep)' \
  o/raw.tsv d/r_p.tsv > o/r_shared.tsv
is "$(($(wc -l < o/r_shared.tsv) - 1))" 20 "20 patients in both cohorts (extracted, in sva's output)"
run $PY "$T/combat_cmp.py" o/app.h5 o/r_shared.tsv 1e-8
is "$rc" 0 "the shared patients' applied values are sva::ComBat's discovery values within 1e-8: $(echo "$out" | head -1)"
run $PY "$T/combat_apply.py" d/fit.h5 o/app.h5 o/covariates.tsv
is "$rc" 0 "the overlapping cohort's applied values as the formula gives them: $out"

# refusals, each with a message that says what to do
run "$RADIOGX" harmonise a/run.h5 --min-site-size 13 -o a/e.h5
is "$rc" 5 "a site below min_site_size: input error"
like "$out" "fewer than harmonise.min_site_size = 13 patients: 'siteD' (12)" "names the site and its size"
run "$RADIOGX" harmonise a/run.h5 --ref-site siteX -o a/e.h5
like "$out" "harmonise.ref_site 'siteX' is not one of the sites: siteA, siteB, siteC, siteD" "unknown reference site"
awk 'BEGIN{OFS="\t"} NR==1{print $0,"onC"; next} {print $0, ($4=="scanner_C")?1:0}' a/covariates.tsv > a/cov2.tsv
run "$RADIOGX" harmonise a/run.h5 --covar a/cov2.tsv --covariates age,onC -o a/e.h5
like "$out" "covariate 'onC' is confounded with the site" "a covariate confounded with the site"
run "$RADIOGX" harmonise v/run.h5 --apply a/p.h5 --covar v/covariates.tsv --batch scanner -o v/e.h5
is "$rc" 5 "--apply to a site without stored parameters: input error"
like "$out" "site 'scanner_A' is not one of the 4 sites of the stored harmonisation" "names the site"
run "$RADIOGX" harmonise a/run.h5 --covar a/covariates.tsv --batch scanner -o a/s.h5
like "$out" "(scanner_A 30, scanner_B 26, scanner_C 40, scanner_D 12)" "the batch from a covariate column"
[ ! -e a/e.h5 ] && [ ! -e a/e.h5.part ]; ok $? "no output file left by a refusal"
done_testing
