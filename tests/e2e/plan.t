#!/usr/bin/env bash
# radiogx plan: every problem of a manifest and config reported with its file and line, bad
# patients told apart from a broken manifest, and the rank assignment.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
P="$RGX_SHARED/data/ibsi1/digital_phantom"
C="$RGX_SHARED/data/ibsi1/ct_phantom"
mkdir -p "$D/img"
cp "$P/phantom.nii.gz" "$D/img/a.nii.gz"; cp "$P/mask.nii.gz" "$D/img/a_mask.nii.gz"
cp "$P/phantom.nii.gz" "$D/img/b.nii.gz"; cp "$P/mask.nii.gz" "$D/img/b_mask.nii.gz"
cp "$C/mask.nii.gz" "$D/img/ct_mask.nii.gz"
head -c 60 "$P/phantom.nii.gz" > "$D/img/truncated.nii.gz"
cat > "$D/g.vcf" <<'VCF'
##fileformat=VCFv4.2
##contig=<ID=1,length=1000>
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO	FORMAT	S1	S2	S3
1	10	v1	A	G	.	.	.	GT	0/1	0/0	1/1
VCF
bgzip -c "$D/g.vcf" > "$D/g.vcf.gz"

# A good cohort first.
printf 'patient_id\timage_CT\tmask\tsample_id\tsite\n' > "$D/good.tsv"
printf 'P1\timg/a.nii.gz\timg/a_mask.nii.gz\tS1\tA\n' >> "$D/good.tsv"
printf 'P2\timg/b.nii.gz\timg/b_mask.nii.gz\tS2\tB\n' >> "$D/good.tsv"
run "$RADIOGX" plan --manifest "$D/good.tsv" --genotypes "$D/g.vcf.gz" --ranks 2
is "$rc" 0 "a good cohort passes"
like "$out" "2 ready, 0 with bad inputs" "summary counts"
like "$out" "rank 1: 1 patients" "assignment for 2 ranks"

# Three broken rows, one bad patient, and a misspelt config key.
cp "$D/good.tsv" "$D/bad.tsv"
printf 'P3\timg/missing.nii.gz\timg/a_mask.nii.gz\tS3\tA\n' >> "$D/bad.tsv"    # line 4
printf 'P4\timg/a.nii.gz\timg/ct_mask.nii.gz\tS4\tA\n' >> "$D/bad.tsv"         # line 5
printf 'P1\timg/a.nii.gz\timg/a_mask.nii.gz\tS5\tA\n' >> "$D/bad.tsv"          # line 6 duplicate
printf 'P6\timg/a.nii.gz\n' >> "$D/bad.tsv"                                     # line 7 fields
printf 'P7\timg/truncated.nii.gz\timg/a_mask.nii.gz\tS6\tA\n' >> "$D/bad.tsv"   # line 8
printf 'study:\n  affine_tolerance_mm: 0.01\n  nmae: x\n' > "$D/c.yaml"
run "$RADIOGX" plan --manifest "$D/bad.tsv" --config "$D/c.yaml" --genotypes "$D/g.vcf.gz"
is "$rc" 3 "exit status 3: the config error comes first"
like "$out" "c.yaml:3: unknown key 'nmae' in section study; did you mean 'name'?" "misspelt key with its line"
like "$out" "bad.tsv:6: duplicate patient_id 'P1' (also on line 2)" "duplicate id with both lines"
like "$out" "bad.tsv:7: 2 fields, expected 5 as in the header" "wrong field count with its line"
like "$out" "bad.tsv:4: patient P3: image_CT: " "missing image with its line"
like "$out" "missing.nii.gz: no such file" "missing image named"
like "$out" "bad.tsv:5: patient P4: image_CT and its mask are not on the same grid: image is 5x4x4 voxels but mask is 204x201x60" "geometry mismatch"
like "$out" "bad.tsv:8: patient P7: image_CT: " "truncated image"
like "$out" "sample_id 'S4' is not in the genotype file" "sample id absent from the VCF"
like "$out" "plan: 7 problems found" "problem count"

# Without the config error, the exit status says "manifest".
run "$RADIOGX" plan --manifest "$D/bad.tsv"
is "$rc" 4 "exit status 4 for manifest and patient problems"
like "$out" "no genotype file given: sample ids not checked" "says what it did not check"

# A broken header stops at once.
printf 'patient\timage_CT\tmask\n' > "$D/hdr.tsv"
printf 'P1\timg/a.nii.gz\timg/a_mask.nii.gz\n' >> "$D/hdr.tsv"
run "$RADIOGX" plan --manifest "$D/hdr.tsv"
is "$rc" 4 "bad header"
like "$out" "hdr.tsv:1: unknown column 'patient'" "bad header message"
printf 'patient_id\timage_CT\n' > "$D/nomask.tsv"
run "$RADIOGX" plan --manifest "$D/nomask.tsv"
like "$out" "image_CT has no mask: add a 'mask' column (shared) or 'mask_CT'" "image without mask"
run "$RADIOGX" plan --manifest "$D/none.tsv"
like "$out" "none.tsv: cannot open" "missing manifest"
run "$RADIOGX" plan
is "$rc" 2 "no manifest is a usage error"

# Several ranks share the checks and agree.
run mpirun -np 3 "$RADIOGX" plan --manifest "$D/bad.tsv" --genotypes "$D/g.vcf.gz"
is "$rc" 4 "3 ranks: same status"
like "$out" "bad.tsv:5: patient P4: image_CT and its mask are not on the same grid" "3 ranks: same problems"
like "$out" "rank 2: " "3 ranks in the assignment"
done_testing
