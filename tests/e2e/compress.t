#!/usr/bin/env bash
# The association store compressed with zstd (src/io/h5zstd.c, scan.compress): the quantitative
# scan's /assoc by default, the same values as uncompressed for 1 and 2 ranks, in the standard
# zstd filter's format (each chunk a zstd frame of the byte-shuffled rows: checked with the zstd
# tool and numpy, not with radiogx's code); binary outcomes uncompressed unless asked; export
# reads it; a damaged chunk is an error, not a crash.
set -u
. "$RGX_ROOT/tests/e2e/lib.sh"
PY=/usr/bin/python3
command -v zstd >/dev/null || skip_all "the zstd tool is not installed (scripts/deps.sh)"
$PY -c 'import h5py, numpy' 2>/dev/null || skip_all "python3-h5py and python3-numpy are needed"
D=$(tmpdir)
"$RADIOGX" simulate --patients 40 --variants 400 --chromosomes 1 --dims 16,16,8 --seed 5 \
  --out "$D/c" >/dev/null 2>&1
awk 'NR == 1 { printf "#IID"; for (j = 0; j < 12; j++) printf "\ty%d", j; print ""; next }
     { printf "%s", $1; for (j = 0; j < 12; j++) printf "\t%.3f", ((NR * 7919 + j * 104729) % 1009) / 97;
       print "" }' "$D/c/covariates.tsv" > "$D/p.tsv"
scan() { # scan OUT [options]: 64-variant blocks, so that the ranks write several chunks each
  local o=$1; shift
  "$RADIOGX" scan -g "$D/c/genotypes.vcf.gz" -p "$D/p.tsv" --covar "$D/c/covariates.tsv" \
    --covar-names age,sex --maf 0.05 --block-size 64 -o "$o" "$@" >/dev/null 2>&1
}
filters() { h5dump -p -H -d "$2" "$1" 2>&1; }

run scan "$D/z1.h5"; is "$rc" 0 "the default scan (1 rank)"
run mpirun -np 2 bash -c "$(declare -f scan); D=$D RADIOGX=$RADIOGX scan $D/z2.h5"
is "$rc" 0 "the default scan (2 ranks)"
run scan "$D/u.h5" --compress 0; is "$rc" 0 "the scan with --compress 0"
like "$(filters "$D/z1.h5" /assoc/xty)" "FILTER_ID 32015" "/assoc/xty: the zstd filter by default"
like "$(filters "$D/z1.h5" /assoc/xty)" "SHUFFLE" "/assoc/xty: bytes shuffled before it"
unlike "$(filters "$D/u.h5" /assoc/xty)" "32015" "--compress 0: no filter"
for f in z1 z2; do
  d=$(h5diff -r "$D/u.h5" "$D/$f.h5" /assoc /assoc 2>&1); s=$?
  ok $s "$f.h5's /assoc the same values as uncompressed"
  [ "$s" = 0 ] || printf '%s\n' "$d" | tail -3 | sed 's/^/#   /' >&2
done
zs=$(stat -c %s "$D/z1.h5"); us=$(stat -c %s "$D/u.h5")
ok "$([ "$zs" -lt "$us" ] && echo 0 || echo 1)" "the compressed file is smaller ($zs < $us bytes)"

# The format, independently of radiogx: chunk 0's raw bytes through the zstd tool, un-shuffled
# by numpy, are the uncompressed file's first rows.
run $PY - "$D" <<'PY'
import subprocess, sys, h5py, numpy as np
d = sys.argv[1]
z = h5py.File(d + "/z1.h5", "r")["/assoc/xty"]
u = h5py.File(d + "/u.h5", "r")["/assoc/xty"][:]
rows = z.chunks[0]
flt, raw = z.id.read_direct_chunk((0, 0))
plain = subprocess.run(["zstd", "-d", "-c"], input=raw, capture_output=True, check=True).stdout
n = rows * u.shape[1]
b = np.frombuffer(plain, np.uint8)
assert b.size == 8 * n, (b.size, n)
x = b.reshape(8, n).T.copy().view("<f8").reshape(rows, u.shape[1])
m = min(rows, u.shape[0])
same = np.array_equal(x[:m], u[:m], equal_nan=True)
print("chunk rows %d, %d compressed bytes, %s" % (rows, len(raw), "same" if same else "DIFFERENT"))
sys.exit(0 if same else 1)
PY
is "$rc" 0 "chunk 0: a zstd frame of the shuffled doubles (the zstd tool, numpy)"
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -3 | sed 's/^/#   /' >&2

run "$RADIOGX" export "$D/z1.h5" "${ssf[@]}" --sumstats "$D/ez"; is "$rc" 0 "export reads the compressed run"
run "$RADIOGX" export "$D/u.h5" "${ssf[@]}" --sumstats "$D/eu"; is "$rc" 0 "export of the uncompressed"
n=$(ls "$D"/ez/*.tsv.gz 2>/dev/null | wc -l)
is "$n" 12 "a summary statistics file per phenotype"
d=$(diff <(cd "$D/ez" && for f in *.tsv.gz; do zcat "$f"; done) \
         <(cd "$D/eu" && for f in *.tsv.gz; do zcat "$f"; done) | head -3)
is "$d" "" "the same summary statistics from either"
ok "$([ "$(zcat "$D"/ez/*.tsv.gz | wc -l)" -gt 12 ] && echo 0 || echo 1)" "(and they have rows)"

# Binary outcomes: not compressed unless asked, the same values when asked.
awk 'NR == 1 { print "#IID\ttox"; next } { print $1 "\t" (NR % 3 == 0) }' \
  "$D/c/covariates.tsv" > "$D/b.tsv"
bscan() { "$RADIOGX" scan -g "$D/c/genotypes.vcf.gz" -p "$D/b.tsv" --covar "$D/c/covariates.tsv" \
  --covar-names age,sex --outcome binary --maf 0.05 --block-size 64 -o "$@" >/dev/null 2>&1; }
run bscan "$D/b0.h5"; is "$rc" 0 "binary scan, default"
run bscan "$D/b3.h5" --compress 3; is "$rc" 0 "binary scan, --compress 3"
unlike "$(filters "$D/b0.h5" /assoc/beta)" "32015" "binary outcomes: not compressed by default"
like "$(filters "$D/b3.h5" /assoc/beta)" "FILTER_ID 32015" "binary outcomes: --compress 3 compresses"
h5diff -r "$D/b0.h5" "$D/b3.h5" /assoc /assoc >/dev/null 2>&1
ok $? "binary /assoc: the same values compressed"

# A damaged chunk: export fails, saying which file, and does not crash.
cp "$D/z1.h5" "$D/bad.h5"
$PY - "$D/bad.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    info = f["/assoc/xty"].id.get_chunk_info(0)
with open(sys.argv[1], "r+b") as g:
    g.seek(info.byte_offset + 8)
    g.write(b"\x5a" * 64)
PY
run "$RADIOGX" export "$D/bad.h5" "${ssf[@]}" --sumstats "$D/eb"
ok "$([ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && echo 0 || echo 1)" "a damaged chunk: an error (status $rc)"
like "$out" "bad.h5" "the error names the file"
done_testing
