#!/usr/bin/env python3
"""Public functions nothing calls: every function declared in a header under src/ whose name
appears in no other line of src/ (declarations and definitions do not count).  Prints
"header<TAB>function<TAB>NOWHERE" or "...<TAB>tests only: FILES" (kept when a unit test or fuzz harness
uses it as a tool) and exits 1 when a function is called nowhere.  Run from the top of the tree:
    scripts/dead_api.py            (make check-api)"""
import glob
import re
import sys


def strip_comments(text):
    return re.sub(r'/\*.*?\*/', '', text, flags=re.S)


def declared():
    names = {}
    for h in sorted(glob.glob('src/*/*.h')):
        text = re.sub(r'^#.*$', '', strip_comments(open(h).read()), flags=re.M)
        for st in text.split(';'):
            st = ' '.join(st.split()).split('}')[-1].strip()
            if not st or st.startswith(('typedef', 'extern ')):
                continue
            m = re.match(r'^(?:static\s+inline\s+)?[\w\s\*]+?[\s\*](\w+)\s*\((.*)\)\s*'
                         r'(?:__attribute__.*)?$', st)
            if m:
                names.setdefault(m.group(1), h)
    return names


def uses(name, files):
    pat = re.compile(r'\b' + re.escape(name) + r'\b')
    head = re.compile(r'^[\w\s\*]+\b' + re.escape(name) + r'\s*\(')
    where = set()
    for f, text in files.items():
        for line in text.split('\n'):
            if pat.search(line) and not (line[:1] not in (' ', '\t') and head.match(line)):
                where.add(f)
    return sorted(where)


def main():
    src = {f: strip_comments(open(f).read()) for f in glob.glob('src/*/*.[ch]')}
    tests = {f: strip_comments(open(f).read())
             for f in glob.glob('tests/unit/*.c') + glob.glob('tests/fuzz/*.c')}
    dead = 0
    for name, h in sorted(declared().items(), key=lambda x: (x[1], x[0])):
        if uses(name, src):
            continue
        t = uses(name, tests)
        print(f"{h}\t{name}\t{'tests only: ' + ','.join(t) if t else 'NOWHERE'}")
        dead += not t
    return 1 if dead else 0


if __name__ == '__main__':
    sys.exit(main())
