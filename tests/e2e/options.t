#!/usr/bin/env bash
# Options from one schema (src/core/opts.c): exact long names only, plink2's habitual names taken
# with plink2's meaning or refused with radiogx's way, a phenotype name that selects nothing is
# an error naming it and what exists, an option repeated 20 times (the old hand-made override
# array held 17: UBSan's "index out of bounds"), the generated --help, `extract` without --out,
# and the closing resources line.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
cd "$D"
"$RADIOGX" simulate --patients 30 --variants 400 --chromosomes 2 --dims 16,16,8 --seed 3 \
  --out c >/dev/null 2>&1 || { echo "not ok 1 - simulate"; exit 1; }
awk 'BEGIN { OFS = "\t"; print "#IID", "P1", "P2", "P3" }
     NR > 1 { print $1, (NR * 7) % 11, (NR * 5) % 13, (NR * 3) % 7 }' c/covariates.tsv > pheno.tsv
base=(-g c/genotypes.vcf.gz -p pheno.tsv --covar c/covariates.tsv --no-checksums)

run "$RADIOGX" scan "${base[@]}" --geno 0.1 -o geno.h5
is "$rc" 0 "--geno 0.1 is plink2's missing-call filter, not --genotypes"
like "$(h5dump -d /provenance/config geno.h5 2>/dev/null)" "call_rate: 0.9" "--geno 0.1 = call_rate 0.9"
like "$out" "scan done: wall" "the run ends with wall, CPU and peak memory"
run "$RADIOGX" scan "${base[@]}" --genot c/genotypes.vcf.gz -o x.h5
is "$rc" 2 "an abbreviated long option is refused"
like "$out" "spelt out in full: --genotypes?" "and the full name is suggested"
run "$RADIOGX" scan "${base[@]}" --mind 0.1 -o x.h5
is "$rc" 2 "--mind is refused"
like "$out" "no per-sample missing-call filter" "with what radiogx does instead"
run "$RADIOGX" scan "${base[@]}" --keep ids.txt -o x.h5
is "$rc" 2 "--keep is refused"
like "$out" "keep samples by listing only them" "with radiogx's way"
run "$RADIOGX" scan "${base[@]}" --extract ids.txt -o x.h5
like "$out" "bcftools view -i 'ID=@ids.txt'" "--extract: subset with bcftools"
run "$RADIOGX" scan "${base[@]}" --pheno-names P1,Pxx -o x.h5
is "$rc" 2 "--pheno-names P1,Pxx: exit 2"
like "$out" "no column 'Pxx'" "names the missing column"
like "$out" "it has P1, P2, P3" "and lists what exists"
run "$RADIOGX" scan "${base[@]}" --covar-names age,sexx -o x.h5
like "$out" "no column 'sexx' (did you mean 'sex'?)" "--covar-names typo: the closest name"
run "$RADIOGX" scan "${base[@]}" --pheno-name P2 -o p2.h5
is "$rc" 0 "--pheno-name (plink2's spelling) is taken"
like "$(h5dump -d /phenotypes/names p2.h5)" '"P2"' "and selects P2"
unlike "$(h5dump -d /phenotypes/names p2.h5)" '"P1"' "only P2"
rep=(); for i in $(seq 20); do rep+=(--maf 0.02); done
run "$RADIOGX" scan "${base[@]}" "${rep[@]}" -o rep.h5
is "$rc" 0 "an option repeated 20 times"
run "$RADIOGX" scan --help
is "$rc" 0 "scan --help"
like "$out" "--maf X" "the help is generated from the schema: --maf"
like "$out" "[0.01]" "with the default"
like "$out" "--split-par" "every flagged key of the scan section"
like "$out" "--geno X" "and plink2's names"
run "$RADIOGX" run --maf 0.05
is "$rc" 2 "run --maf: refused"
like "$out" "-P scan.maf=X" "with the -P spelling"
# Contig names: 1 and chr1 are the same contig (said in the log); a name that selects nothing
# is an error naming it and the file's contigs; a region without records likewise.
printf '1 chr1\n2 chr2\n' > rename.txt
bcftools annotate --rename-chrs rename.txt -Oz -o chr.vcf.gz c/genotypes.vcf.gz && tabix -p vcf chr.vcf.gz
cbase=(-g chr.vcf.gz -p pheno.tsv --covar c/covariates.tsv --no-checksums)
run "$RADIOGX" scan "${cbase[@]}" --chr 1 -o chr_1.h5
is "$rc" 0 "--chr 1 on a VCF whose contigs are chr1, chr2"
like "$out" "--chr 1 taken as chr.vcf.gz's contig chr1" "the log says which contig"
run "$RADIOGX" scan "${cbase[@]}" --chr chr1 -o chr_chr1.h5
h5diff chr_1.h5 chr_chr1.h5 /assoc /assoc >/dev/null 2>&1; ok $? "--chr 1 = --chr chr1"
tested=$(h5dump -a /variants/variants_tested chr_1.h5 2>/dev/null | grep -o '(0): [0-9]*' | cut -d' ' -f2)
[ "${tested:-0}" -gt 0 ]; ok $? "--chr 1 tests variants ($tested)"
run "$RADIOGX" scan "${cbase[@]}" --chr 3 -o x.h5
is "$rc" 2 "--chr 3: exit 2"
like "$out" "--chr: no contig '3' in chr.vcf.gz; its contigs: chr1, chr2" "names what was asked and what exists"
run "$RADIOGX" scan "${cbase[@]}" --region 2:1-5 -o x.h5
is "$rc" 2 "a region without records: exit 2"
like "$out" "--region 2:1-5: no biallelic record of chr.vcf.gz there" "says so"
cat > noout.yaml <<'YAML'
study:
  manifest: c/manifest.tsv
YAML
run "$RADIOGX" extract -c noout.yaml --no-checksums
is "$rc" 2 "extract without --out or study.out_dir: exit 2"
like "$out" "say where to write: --out RUN.h5" "with a message"
[ ! -e results ]; ok $? "nothing written beside the config"
done_testing
