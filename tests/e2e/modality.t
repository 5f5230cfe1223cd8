#!/usr/bin/env bash
# A channel's modality, declared or recognised from its name: with config/ct_default.yaml
# (a CT default block and a PET block) a channel named FDG takes the PET block's settings (said
# in the log, and its SUV bins give texture that varies, not CT's all-zero); with a CT-only
# config it takes the default block with a warning naming both modalities; a declared modality
# (extract.channels.<name>.modality) is honoured.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
D=$(tmpdir)
cd "$D"
"$RADIOGX" simulate --patients 8 --variants 100 --chromosomes 1 --dims 32,32,10 --seed 4 \
  --channels CT,FDG --out c >/dev/null 2>&1 || { echo "not ok 1 - simulate"; exit 1; }
run "$RADIOGX" extract -m c/manifest.tsv -c "$RGX_ROOT/config/ct_default.yaml" -o a.h5 --no-checksums
is "$rc" 0 "extract CT + FDG with config/ct_default.yaml"
like "$out" "channel FDG (PET by its name) takes the settings of extract.channels.PET" "FDG takes the PET block"
unlike "$out" "WARN] extract: channel" "no modality warning"
settings=$(h5dump -d /features/settings a.h5)
like "$settings" "disc=fbs 0.5" "the PET block's bin width is recorded for FDG"
cat > ct.yaml <<'YAML'
extract:
  default:
    resegmentation: {range: [-1000, 400]}
    discretisation: {method: fbs, bin_width: 25}
    features: {families: [stat]}
YAML
run "$RADIOGX" extract -m c/manifest.tsv -c ct.yaml -o b.h5 --no-checksums
is "$rc" 0 "extract with a CT-only config"
like "$out" "channel FDG is PET by its name, but takes the default settings, which are for CT" \
  "a warning names the channel and both modalities"
cat > decl.yaml <<'YAML'
extract:
  default:
    modality: CT
    features: {families: [stat]}
  channels:
    tracer:
      modality: PET
      resegmentation: {range: [0, .inf]}
      features: {families: [stat]}
YAML
run "$RADIOGX" extract -m c/manifest.tsv -c decl.yaml -o d.h5 --no-checksums
is "$rc" 0 "a declared modality"
like "$out" "channel FDG (PET by its name) takes the settings of extract.channels.tracer (PET)" \
  "a block declared PET serves the FDG channel"
done_testing
