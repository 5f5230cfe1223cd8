#!/usr/bin/python3
"""ibsi2_features.py REFERENCE.csv FEATURES.tsv CONFIG(A|B) PREFIX1 PREFIX2 ... PREFIX9 —
compares `radiogx features` output with the IBSI 2 phase 2 reference values of one
configuration: filter k's features are the TSV's "<PREFIXk>stat_*" lines (PREFIX1 is "-" for
the unfiltered image).  The rule is the reference's own: |value - consensus| <= tolerance.
Prints one TAP-style line per filter ("ok - 3.B log_s1p5: 18/18"), the failing features with
value and reference, and "COUNTS <config> <passed> <valued>"."""
import csv, math, sys

ref_path, tsv_path, config = sys.argv[1], sys.argv[2], sys.argv[3]
prefix = ["" if p == "-" else p + "." for p in sys.argv[4:]]
got = {}
for line in open(tsv_path):
    if "\t" in line:
        tag, val = line.rstrip("\n").split("\t")
        got[tag] = float(val)
rows = {}
with open(ref_path, encoding="utf-8-sig") as f:
    for r in csv.DictReader(f, delimiter=";"):
        fid, cfg = r["filter_id"].split(".")
        if cfg == config and r["consensus_value"].strip():  # 8.B's QCoD has no consensus
            rows.setdefault(int(fid), []).append(
                (r["feature_tag"], float(r["consensus_value"]), float(r["tolerance"])))
passed = valued = 0
for fid in sorted(rows):
    p = prefix[fid - 1]
    bad = []
    for tag, v, tol in rows[fid]:
        x = got.get(p + tag)
        if x is None or math.isnan(x) or abs(x - v) > tol * (1 + 1e-9):
            bad.append((tag, x, v, tol))
    n = len(rows[fid])
    valued += n
    passed += n - len(bad)
    print("%s - %d.%s %s: %d/%d" % ("not ok" if bad else "ok", fid, config,
                                   p[:-1] if p else "(no filter)", n - len(bad), n))
    for tag, x, v, tol in bad:
        print("#   %s: got %s, reference %g +- %g" % (tag, x, v, tol))
print("COUNTS %s %d %d" % (config, passed, valued))
