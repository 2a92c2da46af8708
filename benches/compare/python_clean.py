#!/usr/bin/env python3
"""Python baseline for benches/compare/compare.sh: the usual cleaning script.

Usage: python_clean.py [PATH...]   (stdin when no PATH; a folder is walked;
cleaned text on stdout)

Line by line: ftfy.fix_text (mojibake, HTML entities, odd Unicode), notice
lines from notices.txt removed with one case-insensitive regex, whitespace
folded (runs of blanks -> one space, ends stripped), runs of blank lines
squeezed. Input is read as UTF-8 with replacement characters for bad bytes,
as most such scripts do. Needs `pip install ftfy`.
"""

import io
import os
import re
import sys

import ftfy

HERE = os.path.dirname(os.path.abspath(__file__))


def notice_regex(path):
    alts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            if line.endswith(" *"):
                alts.append(re.escape(line[:-2]) + ".*")
            else:
                alts.append(re.escape(line))
    return re.compile(r"\s*(?:" + "|".join(alts) + r")\s*", re.IGNORECASE)


def paths(args):
    for a in args:
        if os.path.isdir(a):
            for root, dirs, files in os.walk(a):
                dirs.sort()
                for name in sorted(files):
                    yield os.path.join(root, name)
        else:
            yield a


def clean(stream, out, notice, ws=re.compile(r"\s+")):
    blank = True
    fix = ftfy.fix_text
    for line in stream:
        line = ws.sub(" ", fix(line)).strip()
        if not line:
            if not blank:
                out.write("\n")
            blank = True
            continue
        if notice.fullmatch(line):
            continue
        out.write(line)
        out.write("\n")
        blank = False


def main():
    notice = notice_regex(os.environ.get("NOTICES", os.path.join(HERE, "notices.txt")))
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", write_through=False)
    args = sys.argv[1:]
    if not args or args == ["-"]:
        clean(io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace"),
              out, notice)
    else:
        for p in paths(args):
            with open(p, encoding="utf-8", errors="replace") as f:
                clean(f, out, notice)
    out.flush()


if __name__ == "__main__":
    main()
