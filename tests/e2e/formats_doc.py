#!/usr/bin/env python3
"""formats_doc.py DOC.md RUN.h5 — the run file against its documentation.

Reads the run-file table of docs/formats.md (rows of the form | `object` | shape / type |
stage | content |) and checks, in RUN.h5: every documented object exists (rows whose content
says "when" are conditional and may be absent), has the documented kind (strings, double,
int8, group), and every dataset of the file (outside /provenance) is documented.  Prints TAP
lines and exits non-zero when one fails."""
import re
import sys

import h5py


def expand(token):
    """`/a/{x,y}` -> ['/a/x', '/a/y']."""
    m = re.match(r"^(.*)\{([^}]*)\}(.*)$", token)
    if not m:
        return [token]
    return [m.group(1) + part + m.group(3) for part in m.group(2).split(",")]


def documented(doc):
    text = open(doc, encoding="utf-8").read()
    sec = text.split("## Run file", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in sec.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not cells[0].startswith("`/"):
            continue
        if "attributes" in cells[0]:  # an object's attributes: the object itself is a row too
            continue
        paths, parent = [], ""
        for tok in re.findall(r"`([^`]+)`", cells[0]):
            for p in expand(tok):
                if not p.startswith("/"):
                    p = parent + "/" + p
                parent = p.rsplit("/", 1)[0]
                paths.append(p)
        kinds = [k.strip() for k in cells[1].split(",")]  # one per object, or one for all
        for i, p in enumerate(paths):
            want = kinds[i] if len(kinds) == len(paths) else cells[1]
            rows.append((p, want, " when " in " " + cells[3] + " "))
    return rows


def kind_ok(obj, want):
    words = set(re.findall(r"[a-z0-9_]+", want))
    if "group" in words:
        return isinstance(obj, h5py.Group)
    if not isinstance(obj, h5py.Dataset):
        return False
    k = obj.dtype.kind
    if words & {"string", "strings"}:
        return k in "SO"
    if "int8" in words:
        return obj.dtype == "int8"
    if "int32" in words:
        return obj.dtype == "int32"
    if "double" in words:
        return obj.dtype == "float64"
    return True  # the row does not say


def main():
    doc, run = sys.argv[1], sys.argv[2]
    f = h5py.File(run, "r")
    n = fails = 0
    seen = set()
    for p, want, optional in documented(doc):
        seen.add(p)
        n += 1
        if p not in f:
            ok = optional
            msg = "%s: absent%s" % (p, " (conditional)" if optional else "")
        else:
            ok = kind_ok(f[p], want)
            msg = "%s: %s as documented (%s)" % (p, "is" if ok else "is NOT", want or "any")
        fails += not ok
        print("%sok %d - %s" % ("" if ok else "not ", n, msg))
    stray = []
    f.visititems(lambda name, o: stray.append("/" + name)
                 if isinstance(o, h5py.Dataset) and not name.startswith("provenance") else None)
    for p in sorted(set(stray) - seen):
        n += 1
        fails += 1
        print("not ok %d - %s is in the file but not in %s" % (n, p, doc))
    print("1..%d" % n)
    sys.exit(1 if fails else 0)


main()
