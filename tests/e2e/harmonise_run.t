#!/usr/bin/env bash
# Harmonisation in the pipeline (issue 19's done-criterion): on a simulated cohort whose sites
# shift and stretch the lesions' intensities (radiogx simulate --site-scale), the site effect on
# the planted mean-intensity features is removed, the scan reads the harmonised values and
# recovers every planted variant, and lambda GC on the null chromosomes is within 1 +- 0.05 for
# every harmonised feature (tests/e2e/harmonise_sim.py: numpy, scipy, bcftools); then
# `radiogx run` with harmonise.enabled and scan.features: harmonised, whose report shows the
# site section: the counts per site, the box plots and the principal components before and after,
# checked against numpy/scipy (tests/e2e/sites_report.py).
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
/usr/bin/python3 -c 'import h5py, numpy, scipy' 2>/dev/null ||
  skip_all "python3-h5py / python3-numpy / python3-scipy not installed (scripts/deps.sh)"
command -v bcftools >/dev/null || skip_all "bcftools not installed (scripts/deps.sh)"
D=$(tmpdir)
T=$RGX_ROOT/tests/e2e
PY=/usr/bin/python3
cd "$D"

# 1. 300 patients at 3 sites (offsets and gains exp(0.7 u) of the lesion contrast), 100,000
# variants (about 35,000 on the null chromosomes pass the scan's QC: lambda GC to +-0.02)
"$RADIOGX" simulate --patients 300 --variants 100000 --dims 48,48,16 --effect 1.0 --sites 3 \
  --site-scale 0.7 --seed 5 --out sim >/dev/null 2>&1
ok $? "simulate --site-scale 0.7"
cat > ex.yaml <<'YAML'
extract:
  default:
    resegmentation: {range: [-500, 400]}
    discretisation: {method: fbs, bin_width: 25}
    features:
      families: [morph, stat]
YAML
run mpirun -np 2 "$RADIOGX" extract -c ex.yaml -m sim/manifest.tsv -o sim/f.h5
is "$rc" 0 "extract"
run mpirun -np 2 "$RADIOGX" harmonise sim/f.h5 --covar sim/covariates.tsv --covariates age,sex -o sim/h.h5
is "$rc" 0 "harmonise with age and sex in the design"
like "$out" "3 sites (site1 80, site2 112, site3 108); 300 patients" "the sites counted"
run mpirun -np 2 "$RADIOGX" scan -g sim/genotypes.vcf.gz --covar sim/covariates.tsv --run sim/h.h5 \
  --features harmonised -P scan.dosage=DS -o sim/s.h5
is "$rc" 0 "scan --features harmonised"
run $PY "$T/harmonise_sim.py" sim sim/h.h5 sim/s.h5
is "$rc" 0 "site effect removed, the harmonised values scanned, planted variants recovered, lambda GC within 1 +- 0.05 on the null chromosomes"
printf '%s\n' "$out" | sed 's/^/# /'
# the report of the harmonised extraction (no scan): its site section
run "$RADIOGX" export sim/h.h5 --report rep
is "$rc" 0 "export --report of the harmonised features (extraction only)"
run $PY "$T/sites_report.py" sim/h.h5 sim/manifest.tsv rep
is "$rc" 0 "its site section as numpy/scipy find it"
printf '%s\n' "$out" | sed 's/^/# /'

# 2. radiogx run: harmonise.enabled, scan.features: harmonised, and the report's site section
"$RADIOGX" simulate --patients 150 --variants 3000 --chromosomes 6 --dims 48,48,16 --effect 1.5 \
  --sites 3 --site-scale 0.7 --seed 21 --inject-failures --out cohort >/dev/null 2>&1
cat > study.yaml <<'YAML'
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
    features:
      families: [morph, stat, ih]
harmonise:
  enabled: true
  covariates: age,sex
scan:
  dosage: DS
  features: harmonised
YAML
run mpirun -np 2 "$RADIOGX" run --config study.yaml
is "$rc" 0 "radiogx run with harmonise.enabled and scan.features: harmonised"
like "$out" "harmonise: parametric ComBat over 3 sites" "the run harmonises"
ok "$(h5ls out/t/run.h5/features_harmonised/values >/dev/null; echo $?)" "run.h5 carries /features_harmonised"
rep=$(cat out/t/report.html)
like "$rep" "<h2>Sites</h2>" "report: the site section"
like "$rep" "Harmonised by ComBat (docs/cmd-harmonise.md): parametric empirical Bayes; design covariates: age, sex." \
  "report: the harmonisation's settings"
like "$rep" '<img src="sites_pca.png"' "report: the principal components by site"
run $PY "$T/sites_report.py" out/t/run.h5 cohort/manifest.tsv out/t
is "$rc" 0 "the site section's counts, box-plot features, plots and components as numpy/scipy find them"
printf '%s\n' "$out" | sed 's/^/# /'
like "$out" "box plots of" "four box plots checked"
done_testing
