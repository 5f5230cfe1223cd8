#!/usr/bin/env bash
# radiogx run: the whole job on a small simulated cohort (plan, extract, pca, scan, tables), the
# planted intensity variants found, and `radiogx verify` with another rank count: identical.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
"$RADIOGX" simulate --patients 150 --variants 3000 --chromosomes 6 --dims 48,48,16 --effect 1.5 \
  --seed 21 --inject-failures --out "$D/cohort" >/dev/null 2>&1
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
  pcs: 2
YAML
cd "$D"
run mpirun -np 2 "$RADIOGX" run --config study.yaml
is "$rc" 0 "radiogx run with 2 ranks"
like "$out" "4 failed" "the failure cases are marked"
like "$out" "PC1..PC2 from out/t/pca.h5 added to the covariates" "scan.pcs: the run computes the PCs first"
ok "$(test -s out/t/pca.h5 && test -s out/t/pca.eigenvec && h5ls out/t/run.h5/pca/scores >/dev/null; echo $?)" \
  "pca.h5, pca.eigenvec and /pca in run.h5"
for f in run.h5 features.h5 features.tsv hits.tsv sumstats/CT.1.stat_mean.tsv.gz sumstats/CT.1.stat_mean.tsv.gz.tbi sumstats/CT.1.stat_mean.tsv.gz-meta.yaml; do
  [ -s "out/t/$f" ]; ok $? "out/t/$f written"
done
top=$(tail -n +2 out/t/hits.tsv | sort -t$'\t' -k9,9gr | head -1 | cut -f6)
for f in report.html manhattan.png qq.png "manhattan_$top.png" "qq_$top.png"; do
  [ -s "out/t/$f" ]; ok $? "out/t/$f written (plots of the strongest hit's phenotype)"
done
is "$(head -c 8 out/t/manhattan.png | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a "manhattan.png is a PNG"
rep=$(cat out/t/report.html)
like "$rep" "<th>failed</th><td>4</td>" "report: the failed patients counted"
like "$rep" "every voxel is NaN" "report: a failure reason listed"
like "$rep" "<h3>Loci</h3>" "report: the hits as loci"
like "$rep" "study-wide threshold is" "report: the phenotype-wide threshold"
ok "$(test -s out/t/loci.tsv && test -s out/t/loci.html; echo $?)" "loci.tsv and loci.html written"
like "$rep" "lambda" "report: lambda GC per phenotype"
like "$rep" "<h2>Sites</h2>" "report: the site section (three sites)"
like "$rep" "Not harmonised: the plots show the raw features only" "report: the sites, not harmonised"
ok "$(test -s out/t/sites_pca.png; echo $?)" "sites_pca.png written (raw features only)"
mean_var=$(awk -F'\t' '$6 == "mean_intensity" { print $1 }' cohort/truth.tsv)
het_var=$(awk -F'\t' '$6 == "heterogeneity" { print $1 }' cohort/truth.tsv)
like "$(cut -f1,6 out/t/hits.tsv)" "$mean_var	CT.1.stat_mean" "planted mean-intensity variant found by stat_mean"
like "$(cut -f1 out/t/hits.tsv)" "$het_var" "planted heterogeneity variant found"
like "$(zcat out/t/sumstats/CT.1.stat_mean.tsv.gz | head -1)" "chromosome	base_pair_location	effect_allele	other_allele	beta	standard_error	effect_allele_frequency	p_value	variant_id	n	neg_log_10_p_value" "GWAS-SSF columns in order"
run "$RADIOGX" verify out/t/run.h5 --launcher "mpirun -np 3 --oversubscribe"
is "$rc" 0 "verify with 3 ranks: identical"
like "$out" "identical" "says identical"
# export under an MPI launcher shares the phenotypes out across ranks: the same files.
run mpirun -np 2 "$RADIOGX" export out/t/run.h5 --sumstats ss2
is "$rc" 0 "export --sumstats under mpirun -np 2"
same=0; n=0
for f in out/t/sumstats/*.tsv.gz; do
  n=$((n + 1)); cmp -s <(zcat "$f") <(zcat "ss2/$(basename "$f")") && same=$((same + 1))
done
is "$same" "$n" "every phenotype's summary statistics identical to the run's own export ($n files)"
# docs/formats.md against the run file: every documented object, of its documented type, and
# nothing undocumented (tests/e2e/formats_doc.py).
run /usr/bin/python3 "$RGX_ROOT/tests/e2e/formats_doc.py" "$RGX_ROOT/docs/formats.md" out/t/run.h5
is "$rc" 0 "the run file has every object docs/formats.md lists, of its type, and no other"
done_testing
