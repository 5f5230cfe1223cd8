#!/usr/bin/env bash
# GWAS-SSF conformance: `radiogx run` with the demo's settings (config/demo.yaml) on a small
# simulated cohort, then every exported file against the standard's rules (ssf_check.py:
# column order and names, allowed values, no missing mandatory value, p in (0, 1], variant_id
# as <chromosome>_<base_pair_location>_<other_allele>_<effect_allele>, sort order, a tabix
# query per contig, the metadata's mandatory keys, md5 and sample size); the genome build and
# genotyping technology come from the config and are required; `radiogx export -P` sets them
# for a run file whose config lacks them.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
command -v tabix >/dev/null || skip_all "tabix is not installed (scripts/deps.sh installs it)"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || skip_all "python3-yaml is not installed (scripts/deps.sh)"
D=$(tmpdir)
cd "$D"
"$RADIOGX" simulate --patients 60 --variants 1500 --chromosomes 3 --dims 32,32,12 --seed 11 \
  --out c >/dev/null 2>&1 || { echo "not ok 1 - simulate"; exit 1; }
# The demo's config with this cohort's paths.
sed -e 's#\.\./results/demo/cohort/#c/#' -e 's#out_dir: \.\./results#out_dir: out#' \
  "$RGX_ROOT/config/demo.yaml" > study.yaml
grep -q "genome_build: GRCh3[78]" study.yaml; ok $? "the demo's config names its genome build"
run mpirun -np 2 "$RADIOGX" run -c study.yaml
is "$rc" 0 "radiogx run with the demo's settings"
n=$(h5dump -d /phenotypes/names out/demo/run.h5 | grep -c '^ *([0-9]*): "')
run /usr/bin/python3 "$RGX_ROOT/tests/e2e/ssf_check.py" out/demo/sumstats "$n"
is "$rc" 0 "every file passes the GWAS-SSF checks"
like "$out" "checked $n files" "all $n phenotypes' files checked"
meta=$(ls out/demo/sumstats/*-meta.yaml | head -1)
like "$(cat "$meta")" "genome_assembly: GRCh38" "genome_assembly from study.genome_build"
like "$(cat "$meta")" "rank-based inverse normal" "the transform is stated"
like "$(cat "$meta")" "adjusted_covariates:" "the covariates are listed"
like "$(cat "$meta")" '"site' "including the site indicators"

rep=$(cat out/demo/report.html)
like "$rep" "<h2>Analysis</h2>" "the report states the analysis"
like "$rep" "rank-based inverse normal transform" "the transform"
like "$rep" "age,sex,site=site2,site=site3" "the covariates"
like "$rep" "Samples per phenotype: 60 to 60" "N per phenotype"
like "$rep" "Variant QC: of 1500 variants," "QC in words"
like "$rep" "radiogx " "the version"
# The demo harmonises (harmonise.enabled, scan.features: harmonised): the report says so, with
# ComBat's batch, method and preserved covariates; a scan of the raw features says that.
like "$rep" "Phenotypes: the run's radiomic features after ComBat harmonisation across 3 sites (batch: site; parametric empirical Bayes; covariates preserved: age, sex;" \
  "the report of a harmonised run states ComBat, its batch, method and covariates"
run "$RADIOGX" scan -g c/genotypes.vcf.gz --run out/demo/features.h5 --covar c/covariates.tsv \
  --features raw -o raw.h5
is "$rc" 0 "scan of the raw features"
run "$RADIOGX" export raw.h5 --report rawrep
like "$(cat rawrep/report.html)" "Phenotypes: the run's radiomic features as extracted (not harmonised)" \
  "the report of a raw-feature scan says the features are as extracted"
# The scan's own config has neither key: one message names both, and nothing is written.
run "$RADIOGX" export raw.h5 --sumstats sraw
is "$rc" 3 "export --sumstats without study.genome_build or study.genotyping_technology: config error"
like "$out" "need the genome build and the genotyping technology: set study.genome_build (GRCh37 or GRCh38) and study.genotyping_technology (e.g." \
  "naming both keys in one message"
like "$out" "radiogx export -P study.genome_build=GRCh38 -P 'study.genotyping_technology=" \
  "with the overrides for both"
[ ! -e sraw ]; ok $? "no summary statistics written"

# Without study.genome_build: run refuses before any work; export -P supplies it.
grep -v "genome_build" study.yaml > nobuild.yaml
run mpirun -np 1 "$RADIOGX" run -c nobuild.yaml --out nob
is "$rc" 3 "run without study.genome_build: config error"
like "$out" "set study.genome_build (GRCh37 or GRCh38)" "naming the key"
[ ! -e nob/run.h5 ]; ok $? "before any work"
run "$RADIOGX" export out/demo/run.h5 --sumstats s37 -P study.genome_build=GRCh37
is "$rc" 0 "export -P study.genome_build=GRCh37"
like "$(cat s37/*-meta.yaml | grep -c 'genome_assembly: GRCh37')" "$n" "every sidecar says GRCh37"
done_testing
