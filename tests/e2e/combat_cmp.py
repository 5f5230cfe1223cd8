#!/usr/bin/python3
"""combat_cmp.py RUN.h5 REF.tsv TOL — /features_harmonised/values of RUN.h5 against sva::ComBat's
output (combat_ref.R) by sample_id: prints the largest relative difference and the number of
values compared; exits 1 when a value differs by more than TOL relative, a NaN is in one and
not the other, or a patient is missing."""
import sys

import h5py
import numpy as np

run, ref, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])
with h5py.File(run, "r") as f:
    sid = [s.decode() for s in f["/samples/sample_id"][:]]
    got = f["/features_harmonised/values"][:]
rows = {s: i for i, s in enumerate(sid)}
worst, n, bad = 0.0, 0, []
with open(ref) as f:
    f.readline()
    for line in f:
        c = line.rstrip("\n").split("\t")
        want = np.array([float("nan") if x.strip() == "NA" else float(x) for x in c[1:]])
        if c[0] not in rows:
            bad.append("%s: not in the run file" % c[0])
            continue
        g = got[rows[c[0]]]
        for j, (x, w) in enumerate(zip(g, want)):
            if np.isnan(x) or np.isnan(w):
                if np.isnan(x) != np.isnan(w):
                    bad.append("%s feature %d: %r vs %r" % (c[0], j, x, w))
                continue
            r = abs(x - w) / abs(w)
            n += 1
            worst = max(worst, r)
            if r > tol:
                bad.append("%s feature %d: %.17g vs %.17g (%.2g)" % (c[0], j, x, w, r))
print("%d values, largest relative difference %.3g" % (n, worst))
for b in bad[:10]:
    print("  " + b)
sys.exit(1 if bad or n == 0 else 0)
