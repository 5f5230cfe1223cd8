#!/usr/bin/env bash
# radiogx manifest: a sarcoma-style layout (one folder per patient, <id>_CT_image.nii.gz,
# <id>_CT_mask.nii.gz, <id>_PET_image.nii.gz, <id>_PET_mask.nii.gz) becomes a manifest with
# image_CT, image_PET, mask_CT, mask_PET; a patient without a PET mask and one with two CT
# images are left out with the reason; unused files are listed; the manifest extracts the same
# features as the simulator's own manifest for the same files; explicit patterns work too.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
cd "$D"
"$RADIOGX" simulate --patients 5 --variants 50 --chromosomes 1 --dims 24,24,8 --seed 6 \
  --channels CT,PET --mask-per-channel --out c >/dev/null 2>&1 || { echo "not ok 1 - simulate"; exit 1; }
# The simulator's manifest columns: patient_id image_CT image_PET mask_CT mask_PET sample_id site.
mkdir lay
tail -n +2 c/manifest.tsv | while IFS=$'\t' read -r p ict ipet mct mpet s site; do
  mkdir -p "lay/STS_$p/nested"
  cp "c/$ict" "lay/STS_$p/STS_${p}_CT_image.nii.gz"
  cp "c/$ipet" "lay/STS_$p/nested/STS_${p}_PET_image.nii.gz"
  cp "c/$mct" "lay/STS_$p/STS_${p}_CT_mask.nii.gz"
  cp "c/$mpet" "lay/STS_$p/STS_${p}_PET_mask.nii.gz"
done
head -1 c/manifest.tsv | grep -q "image_CT	image_PET	mask_CT	mask_PET"; ok $? "the simulated cohort has CT and PET, a mask each"
echo "notes" > lay/STS_P0001/notes.txt
echo "readme" > lay/README
rm lay/STS_P0002/STS_P0002_PET_mask.nii.gz
cp lay/STS_P0003/STS_P0003_CT_image.nii.gz lay/STS_P0003/STS_P0003b_CT_image.nii.gz
run "$RADIOGX" manifest lay -o lay/manifest.tsv
is "$rc" 0 "radiogx manifest on a sarcoma-style layout"
like "$out" "5 patient folders, 3 kept; channels: CT PET; a mask per channel" "the summary"
like "$out" "left out STS_P0002: no masks for channel PET" "a missing mask: left out, with the reason"
like "$out" "left out STS_P0003: several images for channel CT" "two CT images: left out"
like "$out" "not used: README" "a stray file at the top is listed"
like "$out" "not used: STS_P0001/notes.txt" "and one in a patient folder"
like "$out" "image_PET=nested/STS_P0004_PET_image.nii.gz" "subfolders are searched"
is "$(head -1 lay/manifest.tsv)" "patient_id	image_CT	image_PET	mask_CT	mask_PET" "the header"
like "$(sed -n 2p lay/manifest.tsv)" "STS_P0001	STS_P0001/STS_P0001_CT_image.nii.gz" "paths relative to the manifest"
cat > f.yaml <<'YAML'
extract:
  default:
    features: {families: [stat, morph]}
YAML
run "$RADIOGX" extract -m lay/manifest.tsv -c f.yaml -o a.h5 --no-checksums
is "$rc" 0 "the manifest extracts"
grep -v -e P0002 -e P0003 c/manifest.tsv > c/three.tsv
run "$RADIOGX" extract -m c/three.tsv -c f.yaml -o b.h5 --no-checksums
h5diff a.h5 b.h5 /features/values /features/values >/dev/null; ok $? "the same features as the simulator's manifest"
# An extraction alone gets a report: the cohort per site, failures, feature distributions.
run "$RADIOGX" export a.h5 --report rep
is "$rc" 0 "export --report of an extraction-only run file"
rep=$(cat rep/report.html 2>/dev/null)
like "$rep" "radiogx report: extraction" "an extraction report"
like "$rep" "<th>site</th><th>patients</th><th>extracted</th><th>failed</th>" "the cohort per site"
like "$rep" "Feature distributions per site" "feature distributions per site"
like "$rep" "<tr><td>CT.1.stat_mean</td><td>" "a row per feature"
run "$RADIOGX" manifest lay --image CT='*CT_image*' --image PET='*PET_image*' --mask CT='*CT_mask*' \
  --mask PET='*PET_mask*' -o m2.tsv
is "$rc" 0 "explicit patterns"
is "$(cut -f1 m2.tsv | tr '\n' ' ')" "patient_id STS_P0001 STS_P0004 STS_P0005 " "the same patients"
run "$RADIOGX" manifest lay --image '*CT*'
is "$rc" 2 "--image without a channel: usage error"
like "$out" "expected CH=PATTERN" "with a message"
mkdir empty
run "$RADIOGX" manifest empty
is "$rc" 5 "a folder without images: input error"
like "$out" "no image file found" "with a message"
# --out is written like every output (under a temporary name, renamed when complete): a
# layout where no patient is complete leaves the earlier manifest as it was, and no .part.
cp m2.tsv m3.tsv
run "$RADIOGX" manifest lay --image CT='*CT_image*' --mask CT='*nothing*' -o m3.tsv
is "$rc" 5 "no patient complete: input error"
like "$out" "no patient folder matched fully" "with a message"
cmp -s m2.tsv m3.tsv; ok $? "the earlier manifest of that name is untouched"
is "$(ls | grep -c '\.part$')" 0 "no temporary file left"
done_testing
