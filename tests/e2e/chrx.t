#!/usr/bin/env bash
# chrX against plink2 --glm's default model (males' hemizygous calls count 0 or 2, sex added
# as a covariate on chrX only), its pseudo-autosomal regions with --split-par, chrY and MT
# skipped with a count, the same bits for 1 and 3 ranks, and a clear error for unknown sex.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
command -v plink2 >/dev/null || skip_all "plink2 is not installed (scripts/deps.sh installs it)"
D=$(tmpdir)
# 600 samples of both sexes; chr22, chrX (100 records in PAR1 of GRCh38, 300 outside), 20 on
# chrY and 10 on MT.  Males are haploid outside the PARs.  Phenotypes depend on sex, and y1 on
# a chrX variant (males carry twice the female per-allele dose, as 0/2 coding assumes).
python3 - "$D" <<'PY'
import random, sys
d = sys.argv[1]
random.seed(5)
n = 600
sex = [random.choice((1, 2)) for _ in range(n)]
ids = ["S%03d" % i for i in range(n)]
recs = []  # (chrom, pos, genotypes)
def diploid(af): return "%d/%d" % (random.random() < af, random.random() < af)
def haploid(af): return "%d" % (random.random() < af)
for v in range(300):
    af = random.uniform(0.05, 0.5)
    recs.append(("22", 16000000 + 150 * v, [diploid(af) for _ in range(n)]))
for v in range(400):
    af = random.uniform(0.05, 0.5)
    pos = 1000000 + 9000 * v if v < 100 else 3000000 + 150 * v
    par = pos <= 2781479
    recs.append(("X", pos, [diploid(af) if par or s == 2 else haploid(af) for s in sex]))
for v in range(20):
    recs.append(("Y", 3000000 + 150 * v, [haploid(0.3) if s == 1 else "." for s in sex]))
for v in range(10):
    recs.append(("MT", 100 + 150 * v, [haploid(0.2) for s in sex]))
planted = recs[300 + 150][2]
def dose(gt, s):
    a = [int(x) for x in gt.split("/")]
    return 2 * a[0] if len(a) == 1 else sum(a)
with open(d + "/g.vcf", "w") as f:
    f.write("##fileformat=VCFv4.2\n")
    for c, l in (("22", 51304566), ("X", 156040895), ("Y", 57227415), ("MT", 16569)):
        f.write("##contig=<ID=%s,length=%d>\n" % (c, l))
    f.write('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n')
    f.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(ids) + "\n")
    for c, pos, g in recs:
        f.write("%s\t%d\t%s:%d\tA\tG\t.\t.\t.\tGT\t%s\n" % (c, pos, c, pos, "\t".join(g)))
with open(d + "/g.psam", "w") as f:
    f.write("#IID\tSEX\n" + "".join("%s\t%d\n" % (i, s) for i, s in zip(ids, sex)))
with open(d + "/cov.tsv", "w") as f:
    f.write("#IID\tage\tsex\n")
    for i, s in zip(ids, sex):
        f.write("%s\t%.1f\t%d\n" % (i, random.uniform(20, 80), s))
with open(d + "/age.tsv", "w") as f:
    f.write("#IID\tage\n")
    for l in open(d + "/cov.tsv").read().splitlines()[1:]:
        f.write("\t".join(l.split("\t")[:2]) + "\n")
with open(d + "/pheno.tsv", "w") as f:
    f.write("#IID\ty0\ty1\ty2\n")
    for k, (i, s) in enumerate(zip(ids, sex)):
        y = [random.gauss(0, 1) + 0.5 * s for _ in range(3)]
        y[1] += 0.4 * dose(planted[k], s)
        f.write(i + "\t" + "\t".join("%.6f" % v for v in y) + "\n")
with open(d + "/nosex.tsv", "w") as f:
    f.write("#IID\tage\tsex\n")
    for l in open(d + "/cov.tsv").read().splitlines()[1:]:
        x = l.split("\t")
        f.write("\t".join(x[:2] + ["NA" if x[0] == "S007" else x[2]]) + "\n")
PY
bgzip -f "$D/g.vcf" && tabix -f "$D/g.vcf.gz"
common=(-g "$D/g.vcf.gz" -p "$D/pheno.tsv" --covar "$D/cov.tsv" --covar-names age
        --pheno-transform none --maf 0 --call-rate 0)

# plink2's table (CHROM POS ... BETA SE ... P) against radiogx's export, matched by position
# (unique here): prints "n worst_rel_beta worst_rel_se worst_abs_log10p" over chromosome $3.
compare() {
  awk -F'\t' -v want="$3" '
    FNR == 1 { next }
    FILENAME == ARGV[1] { if ($1 == want && $9 != "NA") { b[$2] = $9; s[$2] = $10; p[$2] = $12 } next }
    ($2 in b) {
      n++
      rb = ($5 - b[$2]) / b[$2]; if (rb < 0) rb = -rb
      rs = ($6 - s[$2]) / s[$2]; if (rs < 0) rs = -rs
      d = $11 + log(p[$2]) / log(10); if (d < 0) d = -d
      if (rb > mb) mb = rb; if (rs > ms) ms = rs; if (d > mp) mp = d
    }
    END { printf "%d %.3g %.3g %.3g\n", n, mb, ms, mp }' "$1" <(zcat "$2")
}
agrees() { # $1 label, $2 "n rb rs lp", $3 the count expected
  local n rb rs lp
  read -r n rb rs lp <<< "$2"
  ok "$(awk -v n="$n" -v w="$3" -v rb="$rb" -v rs="$rs" -v lp="$lp" \
    'BEGIN { exit !(n == w && rb <= 1e-5 && rs <= 1e-5 && lp <= 1e-4) }'; echo $?)" \
    "$1: $n variants (expected $3), beta rel $rb, se rel $rs, |dlog10p| $lp"
}

run "$RADIOGX" scan "${common[@]}" -o "$D/x1.h5"
is "$rc" 0 "scan with chrX, chrY and MT"
like "$out" "chrX with sex added to the covariates" "the log says how chrX is scanned"
like "$out" "30 records on chrY and the mitochondrion skipped" "chrY and MT skipped and counted"
is "$(h5dump -a /variants/chry_mt_skipped "$D/x1.h5" | sed -n 's/^ *(0): //p')" 30 "and the count is in the run file"
run mpirun -np 3 "$RADIOGX" scan "${common[@]}" -o "$D/x3.h5"
for o in /assoc /variants /phenotypes /hits; do
  run h5diff "$D/x1.h5" "$D/x3.h5" $o $o
  is "$rc" 0 "3 ranks: $o bitwise identical to 1 rank"
done
"$RADIOGX" export "$D/x1.h5" --sumstats "$D/ss" "${ssf[@]}" >/dev/null 2>&1
# (--covar-variance-standardize: without it this plink2 flags a sixth of the chr22 records
# CORR_TOO_HIGH on these random genotypes; the genotype's beta does not depend on the scale of
# the covariates.)
plink2 --vcf "$D/g.vcf.gz" --psam "$D/g.psam" --pheno "$D/pheno.tsv" --covar "$D/age.tsv" \
  --covar-variance-standardize --glm hide-covar omit-ref --threads 1 --memory 2000 \
  --out "$D/pl" >/dev/null 2>&1
for y in y0 y1; do
  agrees "$y chr22 vs plink2 (age only)" "$(compare "$D/pl.$y.glm.linear" "$D/ss/$y.tsv.gz" 22)" 300
  agrees "$y chrX vs plink2 (age and sex; males 0/2)" "$(compare "$D/pl.$y.glm.linear" "$D/ss/$y.tsv.gz" X)" 400
done
zcat "$D/ss/y1.tsv.gz" | awk -F'\t' 'NR > 1 && $11 > m { m = $11; pos = $2 } END { print pos }' > "$D/top"
is "$(cat "$D/top")" 3022500 "y1: the planted chrX variant is the strongest"

# One file per site (samples split across ranks): the same model on chrX.
bcftools query -l "$D/g.vcf.gz" | head -250 > "$D/siteA"
bcftools view -S "$D/siteA" -Oz -o "$D/a.vcf.gz" "$D/g.vcf.gz" && tabix -f "$D/a.vcf.gz"
bcftools view -S ^"$D/siteA" -Oz -o "$D/b.vcf.gz" "$D/g.vcf.gz" && tabix -f "$D/b.vcf.gz"
sites=(-g "$D/a.vcf.gz,$D/b.vcf.gz" "${common[@]:2}")
run mpirun -np 2 "$RADIOGX" scan "${sites[@]}" -o "$D/s2.h5"
is "$rc" 0 "two site files with chrX, 2 ranks"
run h5diff -p 1e-9 "$D/x1.h5" "$D/s2.h5" /assoc /assoc
is "$rc" 0 "site files: /assoc equals the pooled chrX scan to 1e-9 relative"
run mpirun -np 1 "$RADIOGX" scan "${sites[@]}" -o "$D/s1.h5"
run h5diff "$D/s1.h5" "$D/s2.h5" /assoc /assoc
is "$rc" 0 "site files: 1 and 2 ranks bitwise identical"

# Pseudo-autosomal regions as autosomes, as plink2 --split-par b38 makes them.
run "$RADIOGX" scan "${common[@]}" --split-par b38 -o "$D/par.h5"
is "$rc" 0 "scan --split-par b38"
"$RADIOGX" export "$D/par.h5" --sumstats "$D/ssp" "${ssf[@]}" >/dev/null 2>&1
plink2 --vcf "$D/g.vcf.gz" --psam "$D/g.psam" --split-par b38 --make-pgen --out "$D/par" >/dev/null 2>&1
plink2 --pfile "$D/par" --pheno "$D/pheno.tsv" --covar "$D/age.tsv" --covar-variance-standardize \
  --glm hide-covar omit-ref --threads 1 --memory 2000 --out "$D/plp" >/dev/null 2>&1
n_par=$(awk -F'\t' '$1 == "PAR1" && $9 != "NA"' "$D/plp.y0.glm.linear" | wc -l)
is "$n_par" 100 "plink2 --split-par b38 scans the 100 PAR1 records apart (as PAR1)"
# radiogx keeps the contig's name (X): compare by position with plink2's PAR1 rows as X.
awk -F'\t' 'BEGIN { OFS = "\t" } NR > 1 && $1 == "PAR1" { $1 = "X" } { print }' "$D/plp.y0.glm.linear" > "$D/plp.x"
agrees "y0 chrX with PAR1 as autosome vs plink2 --split-par b38" "$(compare "$D/plp.x" "$D/ssp/y0.tsv.gz" X)" 400
model_counts=$(/usr/bin/python3 -c 'import h5py, sys; m = list(h5py.File(sys.argv[1])["/variants/model"][:]); print("0:%d 1:%d" % (m.count(0), m.count(1)))' "$D/par.h5")
is "$model_counts" "0:400 1:300" "300 chrX records with the chrX model, chr22 and PAR1 without"

# Sex already a covariate: chrX needs no second model (plink2 would refuse: collinear).
run "$RADIOGX" scan -g "$D/g.vcf.gz" -p "$D/pheno.tsv" --covar "$D/cov.tsv" --pheno-transform none -o "$D/s.h5"
like "$out" "sex is one of the covariates already" "sex among the covariates: one model"
# Unknown sex of an analysis sample.
run "$RADIOGX" scan -g "$D/g.vcf.gz" -p "$D/pheno.tsv" --covar "$D/nosex.tsv" --covar-names age -o "$D/n.h5"
is "$rc" 5 "a sample without sex: input error"
like "$out" "sample S007 has sex 'nan'" "names the sample"
run "$RADIOGX" scan -g "$D/g.vcf.gz" -p "$D/pheno.tsv" --covar "$D/nosex.tsv" --covar-names age --chr 22 -o "$D/n.h5"
is "$rc" 0 "without chrX, sex is not needed"
done_testing
