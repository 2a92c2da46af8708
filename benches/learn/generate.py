#!/usr/bin/env python3
"""Writes a JSON Lines corpus for measuring corpus learning at scale.

Each record is one document: a site header and footer (8 invented sites),
then --lines paragraphs of unique invented prose (random word sequences
from a fixed vocabulary, so almost every paragraph is a distinct line).
The number of distinct lines is therefore about docs x lines, which is what
learning memory depends on. Deterministic for a seed. Standard library only.

    python3 benches/learn/generate.py --docs 1000000 --out /tmp/learn.jsonl
"""

import argparse
import json
import random

WORDS = (
    "the council said a new plan would cut costs and raise standards across the region while "
    "critics warned that funding for schools hospitals roads and libraries had fallen for years "
    "ministers promised reforms after a report found delays in courts prisons and benefit offices "
    "residents campaigners unions businesses farmers teachers nurses police officers drivers"
).split()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--lines", type=int, default=5, help="unique paragraphs per document")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    sites = [
        ([f"The Example {n} Gazette", "Home | News | Sport | Weather | Opinion"],
         [f"More from The Example {n} Gazette", f"Copyright The Example {n} Gazette Ltd"])
        for n in ("North", "South", "East", "West", "Valley", "Harbour", "River", "Hill")
    ]
    with open(a.out, "w", encoding="utf-8") as f:
        buf = []
        for d in range(a.docs):
            head, foot = sites[d % len(sites)]
            paras = [" ".join(rng.choices(WORDS, k=rng.randint(14, 30))).capitalize() + "."
                     for _ in range(a.lines)]
            text = "\n".join(head) + "\n\n" + "\n\n".join(paras) + "\n\n" + "\n".join(foot) + "\n"
            buf.append(json.dumps({"id": d, "text": text}))
            if len(buf) == 10000:
                f.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            f.write("\n".join(buf) + "\n")


if __name__ == "__main__":
    main()
