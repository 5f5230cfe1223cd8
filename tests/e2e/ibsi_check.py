#!/usr/bin/python3
"""ibsi_check.py REFERENCE.csv FEATURES.tsv LABEL — compares `radiogx features` output with an
IBSI 1 reference table by the IBSI rule (|x - ref| <= tolerance; a zero tolerance means equal
to the three significant digits given).  Prints one TAP-style summary per family that was
computed ("ok - config_A stat: 18/18"), the failing tags with value vs reference, and a last
line "COUNTS <label> <passed> <valued> <computed>" for the caller's total.  Diagnostic rows
(image and mask properties) are not features and are skipped."""
import csv, math, sys

def passes(ref, tol, x):
    if x is None or math.isnan(x):
        return False
    d = abs(x - ref)
    if tol > 0:
        return d <= tol * (1 + 1e-9) + 1e-12
    if ref == 0:
        return d < 5e-4
    unit = 10 ** (math.floor(math.log10(abs(ref))) - 2)
    return d <= 0.5 * unit * (1 + 1e-9)

ref_path, tsv_path, label = sys.argv[1], sys.argv[2], sys.argv[3]
got = {}
for line in open(tsv_path):
    tag, val = line.rstrip("\n").split("\t")
    got[tag] = float(val)
fam = {}
valued = 0
with open(ref_path, encoding="utf-8-sig") as f:
    for row in csv.DictReader(f):
        tag, v = row["tag"], row["reference value"].strip()
        if not v or tag.startswith(("img_", "int_", "diag_", "morph_mask", "vox_", "mean_", "min_", "max_")):
            continue
        valued += 1
        family = tag.split("_")[0]
        fam.setdefault(family, []).append((tag, float(v), float(row["tolerance"] or 0)))
passed = computed = 0
for family, rows in fam.items():
    if not any(t in got for t, _, _ in rows):
        print("# %s %s: %d valued features not computed by this version" % (label, family, len(rows)))
        continue
    bad = [(t, got.get(t), r, tol) for t, r, tol in rows if not passes(r, tol, got.get(t))]
    ok = len(rows) - len(bad)
    passed += ok
    computed += len(rows)
    print("%s - %s %s: %d/%d" % ("ok" if not bad else "not ok", label, family, ok, len(rows)))
    for t, x, r, tol in bad:
        print("#   %s: got %s, reference %g +- %g" % (t, x, r, tol))
print("COUNTS %s %d %d %d" % (label, passed, valued, computed))
