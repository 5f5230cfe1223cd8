#!/usr/bin/python3
"""sites_report.py RUN.h5 MANIFEST.tsv DIR — the site section of DIR/report.html against
independent computations on RUN.h5 (numpy, scipy): the patients per site (from the manifest),
extracted (status) and harmonised (/features_harmonised/included); the box-plot features (the
three largest one-way ANOVA F of the raw values among the harmonised features, then the largest
ratio of the sites' largest to smallest SD) with their PNGs; the first two principal components'
shares of the variance and of their variance between the sites (eta^2), raw and harmonised, from
an SVD of the standardised features, as the page prints them (one decimal).  Prints what it
compared; exits 1 on the first disagreement."""
import html
import re
import struct
import sys

import h5py
import numpy as np
from scipy import stats

run, manifest, d = sys.argv[1:4]
page = open(d + "/report.html").read()
start = page.index("<h2>Sites</h2>")
end = page.find("<h2>", start + 1)
sec = page[start:end if end > 0 else len(page)]
fail = []


def check(cond, what):
    print(("ok: " if cond else "NOT OK: ") + what)
    if not cond:
        fail.append(what)


with h5py.File(run, "r") as f:
    site = np.array([s.decode() for s in f["/samples/site"][()]])
    status = f["/samples/status"][()]
    names = [s.decode() for s in f["/features/names"][()]]
    raw = f["/features/values"][()]
    harm = f["/features_harmonised/values"][()]
    incl = f["/features_harmonised/included"][()]
    code = f["/features_harmonised/code"][()]

# the counts per site: patients from the manifest, extracted and harmonised from the run file
with open(manifest) as m:
    head = m.readline().rstrip("\n").split("\t")
    msite = [line.rstrip("\n").split("\t")[head.index("site")] for line in m]
ext = status != 1
sites = sorted(set(site[ext]))
rows = re.findall(r"<tr><td>([^<]*)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>", sec)
want = [(s, str(msite.count(s)), str(int(np.sum(ext & (site == s)))),
         str(int(np.sum((incl != 0) & (site == s))))) for s in sites]
check([tuple(html.unescape(x) for x in r) for r in rows] == want,
      "patients, extracted, harmonised per site: %s" % want)

# the box-plot features
X = raw[ext]
g = site[ext]
F, ratio = np.zeros(len(names)), np.zeros(len(names))
for j in range(len(names)):
    if code[j] != 0:
        continue
    groups = [X[(g == s) & np.isfinite(X[:, j]), j] for s in sites]
    F[j] = stats.f_oneway(*groups).statistic
    sd = [np.std(x, ddof=1) for x in groups]
    ratio[j] = max(sd) / min(sd) if min(sd) > 0 else 0
F = np.nan_to_num(F)
pick = list(np.argsort(-F, kind="stable")[:3])
rest = [j for j in np.argsort(-ratio, kind="stable") if j not in pick]
pick.append(rest[0])
shown = [html.unescape(a) for a in re.findall(r'<img src="sites_[^"]*" alt="([^"]*) per site"', sec)]
check(shown == [names[j] for j in pick],
      "box plots of %s (F %s, SD ratio %.3g)" % ([names[j] for j in pick],
                                                  ["%.4g" % F[j] for j in pick[:3]], ratio[pick[3]]))
for img in re.findall(r'<img src="(sites_[^"]*\.png)"', sec):
    with open(d + "/" + img, "rb") as p:
        b = p.read(24)
    w, h = struct.unpack(">II", b[16:24])
    check(b[:8] == b"\x89PNG\r\n\x1a\n" and (w, h) == (1100, 440), "%s is a 1100x440 PNG" % img)


# the principal components: standardised columns (missing at the mean), SVD
def pcs(Y):
    n = Y.shape[0]
    cols = []
    for j in range(Y.shape[1]):
        y = Y[:, j]
        okj = np.isfinite(y)
        m = okj.sum()
        if m < 2 or 2 * m < n or not np.std(y[okj], ddof=1) > 0:
            continue
        cols.append(np.where(okj, (y - y[okj].mean()) / np.std(y[okj], ddof=1), 0))
    Z = np.array(cols).T
    U, S, _ = np.linalg.svd(Z, full_matrices=False)
    share = S[:2] ** 2 / (Z ** 2).sum()
    eta = []
    for k in range(2):
        sc = U[:, k] * S[k]
        ssb = sum(np.sum(g == s) * (sc[g == s].mean() - sc.mean()) ** 2 for s in sites)
        eta.append(ssb / np.sum((sc - sc.mean()) ** 2))
    return 100 * share, 100 * np.array(eta)


for label, Y in (("raw", X), ("harmonised", harm[ext])):
    got = re.search(r"<tr><td>%s</td><td>([\d.]+)</td><td>([\d.]+)</td><td>([\d.]+)</td>"
                    r"<td>([\d.]+)</td></tr>" % label, sec)
    share, eta = pcs(Y)
    want = np.concatenate([share, eta])
    check(got is not None and np.all(np.abs(np.array([float(x) for x in got.groups()]) - want)
                                     <= 0.05 + 1e-9),
          "%s: PC1, PC2 shares of the variance %.2f%%, %.2f%%; between sites %.2f%%, %.2f%% "
          "(page: %s)" % ((label,) + tuple(want) + (got.groups() if got else None,)))
    if label == "raw":
        eta_raw = eta
    else:
        check(max(eta) < 2 and eta[0] < eta_raw[0],
              "harmonised: the components' variance between sites below 2%% (%.2f%%, %.2f%%) "
              "and below the raw PC1's (%.2f%%)" % (eta[0], eta[1], eta_raw[0]))
sys.exit(1 if fail else 0)
