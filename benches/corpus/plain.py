#!/usr/bin/env python3
"""Write plain UTF-8 news of a given size: the clean BBC articles
concatenated as they are (one blank line after each), repeated in sorted
order until the size is reached and cut at an article end. This is the
input the speed targets are stated for; generate.py writes the dirty kind.

Usage: plain.py SIZE OUT [--bbc DIR] [--categories LIST]
       (SIZE like 20M, 1G or a byte count; LIST like sport,tech)
"""
import argparse
import pathlib
import sys

here = pathlib.Path(__file__).resolve().parent


def parse_size(s):
    units = {"K": 10**3, "M": 10**6, "G": 10**9}
    s = s.strip().upper()
    return int(float(s[:-1]) * units[s[-1]]) if s[-1] in units else int(s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("size")
    ap.add_argument("out")
    ap.add_argument("--bbc", default=str(here.parents[1] / ".." / "shared" / "corpus" / "bbc"))
    ap.add_argument("--categories", help="comma-separated BBC categories to use (default: all)")
    args = ap.parse_args()
    root = pathlib.Path(args.bbc)
    folders = [root / c for c in args.categories.split(",")] if args.categories else [root]
    files = sorted(f for d in folders for f in d.rglob("*.txt"))
    if not files:
        sys.exit(f"plain.py: no articles under {args.bbc}")
    limit, n = parse_size(args.size), 0
    with open(args.out, "wb") as out:
        while True:
            for f in files:
                b = f.read_bytes() + b"\n"
                if n + len(b) > limit:
                    return
                out.write(b)
                n += len(b)


if __name__ == "__main__":
    main()
