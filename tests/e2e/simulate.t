#!/usr/bin/env bash
# radiogx simulate: deterministic bytes for a seed (any thread count), files that bcftools,
# tabix and plink2 read, images with the asked geometry, LD inside blocks, and a planted
# effect that shows in the images (lesion voxel count against the causal genotype).
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
S="$RADIOGX simulate --patients 60 --variants 3000 --dims 48,48,16 --spacing 0.9,0.9,2.5 --effect 1.5 --inject-failures"

run $S --seed 5 --out "$D/a" --threads 1
is "$rc" 0 "simulate runs"
like "$out" "65 patients (5 of them failure cases, 1 channel), 3000 variants" "summary line"
run $S --seed 5 --out "$D/b" --threads 2
run diff -r "$D/a" "$D/b"
is "$rc" 0 "same seed, 1 or 2 threads: identical bytes"
run $S --seed 6 --out "$D/c"
cmp -s "$D/a/genotypes.vcf.gz" "$D/c/genotypes.vcf.gz"; is "$?" 1 "another seed: other genotypes"
cmp -s "$D/a/images/P0001_CT.nii.gz" "$D/c/images/P0001_CT.nii.gz"; is "$?" 1 "another seed: other images"

for f in manifest.tsv covariates.tsv truth.tsv genotypes.vcf.gz genotypes.vcf.gz.tbi; do
  [ -s "$D/a/$f" ]; ok $? "$f written"
done
is "$(head -1 "$D/a/manifest.tsv")" "$(printf 'patient_id\timage_CT\tmask\tsample_id\tsite')" "manifest header"
is "$(head -1 "$D/a/covariates.tsv")" "$(printf '#IID\tage\tsex\tsite')" "covariates header (plink2 style)"
is "$(tail -n +2 "$D/a/truth.tsv" | wc -l)" 4 "four planted variants"

# bcftools and tabix read it; DS is consistent with GT on biallelic records.
is "$(bcftools view -H "$D/a/genotypes.vcf.gz" | wc -l)" 3000 "bcftools reads every record"
is "$(bcftools query -l "$D/a/genotypes.vcf.gz" | wc -l)" 64 "64 samples (the absent one left out)"
run tabix -l "$D/a/genotypes.vcf.gz"
like "$out" "22" "tabix index lists chromosome 22"
bad=$(bcftools query -f '[%GT %DS\n]' "$D/a/genotypes.vcf.gz" | awk '
  { split($1, a, "/"); g = a[1] + a[2]; d = $2 + 0; if (d - g > 0.5 || g - d > 0.5) n++ } END { print n + 0 }')
is "$bad" 0 "DS rounds to the GT allele count"

# plink2 reads genotypes, dosages and covariates.
run plink2 --vcf "$D/a/genotypes.vcf.gz" dosage=DS --covar "$D/a/covariates.tsv" \
  --make-pgen --out "$D/pg" --threads 1 --memory 2000
is "$rc" 0 "plink2 imports the VCF with dosages and the covariates"
like "$out" "64 samples" "plink2 sees every sample"

# Image geometry and the failure cases, through radiogx plan.
run "$RADIOGX" plan --manifest "$D/a/manifest.tsv" --genotypes "$D/a/genotypes.vcf.gz"
like "$out" "F_EMPTY: mask for image_CT has no ROI voxel" "empty mask planted"
like "$out" "F_GRID: image_CT and its mask are not on the same grid" "grid mismatch planted"
like "$out" "F_NOGENO: sample_id 'S_F_NOGENO' is not in the genotype file" "absent sample planted"
hdr=$(python3 - "$D/a/images/P0001_CT.nii.gz" <<'PY'
import gzip, struct, sys
h = gzip.open(sys.argv[1]).read(352)
dim = struct.unpack_from("<8h", h, 40); dt = struct.unpack_from("<h", h, 70)[0]
px = struct.unpack_from("<8f", h, 76)
print("%d %d %d %d %.1f %.1f %.1f" % (dim[1], dim[2], dim[3], dt, px[1], px[2], px[3]))
PY
)
is "$hdr" "48 48 16 4 0.9 0.9 2.5" "image: 48x48x16 int16 at 0.9x0.9x2.5 mm"

# LD: adjacent variants correlate far more than variants 200 apart (across blocks).
ld=$(bcftools query -r 1 -f '[%DS\t]\n' "$D/a/genotypes.vcf.gz" | python3 -c '
import sys
rows = [[float(x) for x in l.split("\t")[:-1]] for l in sys.stdin]
def r2(a, b):
    n = len(a); ma = sum(a) / n; mb = sum(b) / n
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    saa = sum((x - ma) ** 2 for x in a); sbb = sum((y - mb) ** 2 for y in b)
    return sab * sab / (saa * sbb) if saa > 0 and sbb > 0 else None
def mean(v): v = [x for x in v if x is not None]; return sum(v) / len(v)
near = mean([r2(rows[i], rows[i + 1]) for i in range(len(rows) - 1)])
far = mean([r2(rows[i], rows[i + 200]) for i in range(len(rows) - 200)])
print("ok" if near > 3 * far else "near %.3f far %.3f" % (near, far))')
is "$ld" ok "LD: adjacent r2 more than 3x that of distant pairs"

# The planted volume effect shows in the masks: voxel count vs the causal allele count.
causal=$(awk -F'\t' '$6 == "volume" { print $2 ":" $3 }' "$D/a/truth.tsv")
bcftools query -r "$causal" -f '[%SAMPLE\t%GT\n]' "$D/a/genotypes.vcf.gz" > "$D/g.tsv"
r=$(python3 - "$D/a" "$D/g.tsv" <<'PY'
import gzip, struct, sys
d, gfile = sys.argv[1], sys.argv[2]
g = {}
for l in open(gfile):
    s, gt = l.split()
    g[s] = sum(int(a) for a in gt.split("/"))
xs, ys = [], []
for l in list(open(d + "/manifest.tsv"))[1:]:
    pid, img, msk, sid, site = l.rstrip("\n").split("\t")
    if not pid.startswith("P"): continue
    raw = gzip.open(d + "/" + msk).read()
    off = int(struct.unpack_from("<f", raw, 108)[0])
    ys.append(sum(1 for b in raw[off:] if b)); xs.append(g[sid])
n = len(xs); mx = sum(xs) / n; my = sum(ys) / n
sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
sxx = sum((x - mx) ** 2 for x in xs); syy = sum((y - my) ** 2 for y in ys)
print("%.2f" % (sxy / (sxx * syy) ** 0.5))
PY
)
ok "$(awk -v r="$r" 'BEGIN { exit !(r > 0.4) }'; echo $?)" "lesion volume follows the causal genotype (r = $r)"

# radiogx plan on the simulated cohort with three broken manifest rows and a misspelt config
# key: every problem with its line.
awk -F'\t' 'BEGIN { OFS = "\t" }
  NR == 3 { $2 = "images/missing.nii.gz" }      # line 3: a missing image
  NR == 5 { $1 = "P0001" }                      # line 5: a duplicate patient id
  NR == 7 { print $1, $2; next }                # line 7: two fields
  { print }' "$D/a/manifest.tsv" > "$D/a/broken.tsv"
printf 'study:\n  genotypes: genotypes.vcf.gz\n  affine_tolerance_mn: 0.01\n' > "$D/a/study.yaml"
run "$RADIOGX" plan --manifest "$D/a/broken.tsv" --config "$D/a/study.yaml"
is "$rc" 3 "plan on a broken simulated cohort: config error first"
like "$out" "study.yaml:3: unknown key 'affine_tolerance_mn' in section study; did you mean 'affine_tolerance_mm'?" "misspelt key with its line"
like "$out" "broken.tsv:3: patient P0002: image_CT: " "missing image with its line"
like "$out" "broken.tsv:5: duplicate patient_id 'P0001' (also on line 2)" "duplicate id with its line"
like "$out" "broken.tsv:7: 2 fields, expected 5 as in the header" "short row with its line"

# Bad arguments: a clear message and exit 2.
run "$RADIOGX" simulate --patients 0 --variants 10 --out "$D/x"
is "$rc" 2 "--patients 0 is a usage error"
like "$out" "simulate.patients: value 0 is out of range; expected 1 to 10000000" \
  "message names the option's key and its range (the option schema, schema_simulate.c)"
run "$RADIOGX" simulate --patients 5 --variants 10
like "$out" "--patients, --variants and --out are required" "missing --out"
run "$RADIOGX" simulate --patients 5 --variants 10 --out "$D/y" --dims 4,4,4
like "$out" "--dims '4,4,4': expected X,Y,Z" "dims checked"
run "$RADIOGX" simulate --patients 5 --variants 10 --out "$D/y" --fst 1
is "$rc" 2 "--fst 1 (the range is open) is a usage error"
like "$out" "--fst '1': expected a fraction in (0, 1)" "fst checked"
run "$RADIOGX" simulate --patient 5 --variants 10 --out "$D/y"
like "$out" "--patient: no such option (options are spelt out in full: --patients?)" \
  "an abbreviation is refused, the full name suggested"
run "$RADIOGX" simulate --help
like "$out" "  -n, --patients N        patients (1 to 10000000) [required]" \
  "--help written from the schema: short flag, range, default"

# The options as a recipe file (-c: a simulate section; -P: one key): the same bytes as the
# options spelt out, and -n/-m/-s (the schema's short flags) the same as the long ones.
printf 'simulate:\n  patients: 6\n  variants: 120\n  dims: 16,16,8\n  channels: CT,PET\n  mask_per_channel: true\n' \
  > "$D/recipe.yaml"
run "$RADIOGX" simulate -c "$D/recipe.yaml" -P simulate.seed=9 --out "$D/r1"
is "$rc" 0 "simulate -c recipe.yaml -P simulate.seed=9"
"$RADIOGX" simulate -n 6 -m 120 -s 9 --dims 16,16,8 --channels CT,PET --mask-per-channel \
  --out "$D/r2" >/dev/null 2>&1
run diff -r "$D/r1" "$D/r2"
is "$rc" 0 "the recipe file and the spelt-out options: identical bytes"
printf 'simulate:\n  patients: 6\n  variants: 120\n  lesion_volum: 10\n' > "$D/bad.yaml"
run "$RADIOGX" simulate -c "$D/bad.yaml" --out "$D/r3"
is "$rc" 3 "a misspelt key in the recipe: a config error"
like "$out" "bad.yaml:4: unknown key 'lesion_volum' in section simulate; did you mean 'lesion_volume'?" \
  "the recipe's misspelt key named with its line"
done_testing
