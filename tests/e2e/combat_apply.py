#!/usr/bin/python3
"""combat_apply.py FITTED.h5 NEW.h5 COVARIATES.tsv — NEW.h5's /features_harmonised against the
ComBat formula evaluated here from FITTED.h5's stored parameters (numpy): for a patient of site
b with covariates x, s = (y - a - x'beta) / sqrt(v), y* = (s - gamma*_b) / sqrt(delta*_b) *
sqrt(v) + a + x'beta; features not harmonised (code != 0) unchanged, the reference site's rows
unchanged.  Prints the largest relative difference; exits 1 above 1e-12."""
import sys

import h5py
import numpy as np

fit, new, covf = sys.argv[1:4]
H = "/features_harmonised/"
with h5py.File(fit, "r") as f:
    sites = [s.decode() for s in f[H + "sites"][:]]
    design = [s.decode() for s in f[H + "design"][:]]
    beta, grand, vp = f[H + "beta"][:], f[H + "grand_mean"][:], f[H + "var_pooled"][:]
    gs, ds, code = f[H + "gamma_star"][:], f[H + "delta_star"][:], f[H + "code"][:]
    ref = f["/features_harmonised"].attrs["ref_site"].decode().strip()
with h5py.File(new, "r") as f:
    sid = [s.decode() for s in f["/samples/sample_id"][:]]
    site = [s.decode() for s in f["/samples/site"][:]]
    status = f["/samples/status"][:]
    raw, got = f["/features/values"][:], f[H + "values"][:]
cov = {}
with open(covf) as f:
    head = f.readline().lstrip("#").split()
    for line in f:
        c = line.split()
        cov[c[0]] = dict(zip(head[1:], c[1:]))
K = len(sites)
worst, n = 0.0, 0
for i in range(len(sid)):
    if status[i] == 1:
        assert np.all(np.isnan(got[i]))
        continue
    b = sites.index(site[i])
    x = []
    for name in design[K:]:
        col, _, level = name.partition("=")
        v = cov[sid[i]][col]
        x.append(float(v == level) if level else float(v))
    sm = grand + np.array(x) @ beta[K:] if x else grand
    np.seterr(divide="ignore", invalid="ignore")
    s = (raw[i] - sm) / np.sqrt(vp)
    want = (s - gs[b]) / np.sqrt(ds[b]) * np.sqrt(vp) + sm
    want = np.where(code == 0, want, raw[i])
    if site[i] == ref:
        want = raw[i]
    r = np.abs(got[i] - want) / np.abs(want)
    worst = max(worst, np.nanmax(r))
    n += np.sum(~np.isnan(r))
print("%d values, largest relative difference %.3g" % (n, worst))
sys.exit(0 if n and worst <= 1e-12 else 1)
