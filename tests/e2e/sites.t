#!/usr/bin/env bash
# One genotype file per site (consortia whose sites keep genotypes local): the samples are
# split across ranks, each site's file read for its own samples, and only sums cross ranks.
# The results equal the pooled single-file scan (itself checked against plink2 in scan.t) to
# 1e-9 relative (a different order of summation), are bitwise identical for 1-4 ranks, survive
# a stop and resume with another rank count, and a site file that does not hold the same
# variants is refused with its name.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
command -v bcftools >/dev/null || skip_all "bcftools is not installed (scripts/deps.sh installs it)"
D=$(tmpdir)
cd "$D"
"$RADIOGX" simulate --patients 240 --variants 3000 --chromosomes 4 --dims 24,24,8 --seed 13 \
  --out c >/dev/null 2>&1 || { echo "not ok 1 - simulate"; exit 1; }
# The simulated manifest's site column splits the samples; each site keeps its own file.
sites=$(cut -f5 c/manifest.tsv | tail -n +2 | sort -u)
list=""
for s in $sites; do
  awk -F'\t' -v s="$s" 'NR > 1 && $5 == s { print $4 }' c/manifest.tsv > "$s.txt"
  bcftools view -S "$s.txt" -Oz -o "$s.vcf.gz" c/genotypes.vcf.gz && tabix -p vcf "$s.vcf.gz"
  list="$list${list:+,}$s.vcf.gz"
done
python3 - c/covariates.tsv pheno.tsv <<'PY'
import random, sys
random.seed(5)
ids = [l.split("\t")[0] for l in open(sys.argv[1])][1:]
with open(sys.argv[2], "w") as f:
    f.write("#IID\t" + "\t".join("y%d" % k for k in range(6)) + "\n")
    for i in ids:
        f.write(i + "\t" + "\t".join("NA" if k >= 3 and random.random() < 0.1 else "%.6f" % random.gauss(0, 1)
                                     for k in range(6)) + "\n")
PY
common=(-p pheno.tsv --covar c/covariates.tsv)
run mpirun -np 2 "$RADIOGX" scan -g c/genotypes.vcf.gz "${common[@]}" -o one.h5
is "$rc" 0 "the pooled single-file scan"
nps=$(plain_or_asan "2 3 4" 3) # rank counts compared with 1 rank
for np in 1 $nps; do
  run mpirun -np $np "$RADIOGX" scan -g "$list" "${common[@]}" -o s$np.h5
  is "$rc" 0 "$np ranks, $(echo "$sites" | wc -w) site files"
done
like "$out" "genotype files (sites), samples split across ranks" "the log names the site mode"
run h5diff -p 1e-9 one.h5 s1.h5 /assoc /assoc
is "$rc" 0 "site files: /assoc equals the pooled scan to 1e-9 relative"
run h5diff one.h5 s1.h5 /variants /variants
is "$rc" 0 "site files: the same variants and QC as the pooled scan"
for np in $nps; do
  for o in /assoc /variants /hits /phenotypes; do
    h5diff s1.h5 s$np.h5 "$o" "$o" >/dev/null 2>&1
    is "$?" 0 "$np ranks: $o bitwise identical to 1 rank"
  done
done
# Stop and resume: a stop request mid-scan (exit 75, blocks checkpointed from the start), then a
# rerun with another number of ranks takes the recorded blocks and ends with the same bits.
ck=(-P scan.checkpoint_after=0 --block-size 8)
( mpirun -np 2 "$RADIOGX" scan -g "$list" "${common[@]}" "${ck[@]}" -o st.h5 > st.log 2>&1; echo $? > st.rc ) &
for i in $(seq 800); do
  [ -n "$(find st.h5.ckpt -name 'scan.*' -size +20000c 2>/dev/null)" ] && break
  sleep 0.02
done
pkill -USR1 -f "radiogx scan -g $list" || true
wait
is "$(cat st.rc)" 75 "per-site scan: a stop request exits 75 with the blocks checkpointed"
run mpirun -np 3 "$RADIOGX" scan -g "$list" "${common[@]}" "${ck[@]}" -o st.h5
is "$rc" 0 "per-site scan: resumed with 3 ranks"
like "$out" "scan: resuming:" "per-site scan: the recorded blocks are taken"
run mpirun -np 1 "$RADIOGX" scan -g "$list" "${common[@]}" --block-size 8 -o st_ref.h5
for o in /assoc /variants /hits; do
  h5diff st_ref.h5 st.h5 "$o" "$o" >/dev/null 2>&1
  is "$?" 0 "per-site scan after stop and resume: $o identical to an uninterrupted run"
done
[ ! -e st.h5.ckpt ]; ok $? "per-site scan: checkpoints removed at the end"

# A site file with a variant missing is refused.
first=$(echo "$sites" | head -1)
pos=$(bcftools query -f '%POS\n' "$first.vcf.gz" | sed -n 100p)
bcftools view -e "POS==$pos" -Oz -o bad.vcf.gz "$first.vcf.gz" && tabix -p vcf bad.vcf.gz
run mpirun -np 2 "$RADIOGX" scan -g "${list/$first.vcf.gz/bad.vcf.gz}" "${common[@]}" -o bad.h5
isnt_zero=$([ "$rc" != 0 ] && echo 1 || echo 0)
is "$isnt_zero" 1 "a site file without the same variants fails"
like "$out" "must hold the same variants in the same order" "and says why"

# radiogx run with the manifest's genotypes column (one file per site, no study.genotypes).
awk -F'\t' -v OFS='\t' 'NR == 1 { print $0, "genotypes"; next } { print $0, $5 ".vcf.gz" }' \
  c/manifest.tsv > c/manifest_sites.tsv
sed -i 's#\t\(site[0-9]*\.vcf\.gz\)$#\t../\1#' c/manifest_sites.tsv
cat > study.yaml <<'EOF'
study:
  name: s
  genome_build: GRCh38
  genotyping_technology: [Genome-wide genotyping array]
  manifest: c/manifest_sites.tsv
  covariates: c/covariates.tsv
extract:
  default:
    features:
      families: [morph, stat]
EOF
run mpirun -np 3 "$RADIOGX" run -c study.yaml --out rs
is "$rc" 0 "radiogx run with a genotypes column per patient"
like "$out" "genotype files (sites)" "the run scans the site files"
[ -s rs/report.html ]; ok $? "the run's report is written"
unlike "$(h5dump -d /provenance/inputs/path rs/run.h5)" ".vcf.gz," "provenance lists each site's file, not the comma list"
run "$RADIOGX" verify rs/run.h5 --launcher "mpirun -np 2"
is "$rc" 0 "verify reruns the per-site run"
like "$out" "identical" "and finds it identical"
done_testing
