#!/usr/bin/env python3
"""Writes N profile files of M distinct random line keys each, in decruft's
profile format (src/profile/file.rs: header, then sorted 52-byte entries),
to measure `decruft learn --merge` at scale without learning 64 corpora
first. Keys are random 64-bit values, so shards share almost no lines and
the merged profile holds about N x M entries: the worst case for a merge.

    python3 benches/merge/make_shards.py --shards 64 --lines 1000000 --out /tmp/shards
    /usr/bin/time -f '%e s %M KB' decruft learn --merge /tmp/shards/*.profile -o /tmp/all.profile
    /usr/bin/time -f '%e s %M KB' decruft learn --merge /tmp/shards/*.profile -o /tmp/part0 --shard 0/4
"""

import argparse
import os
import random
import struct

MAGIC = b"DCRFPROF"
VERSION = 1
ENTRY = 8 + 4 * 3 + 4 * 8
OPTIONS = 0x5EED  # any value, the same in every shard: they merge


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shards", type=int, default=64)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    entry = struct.Struct("<QIII8I")
    for s in range(a.shards):
        keys = sorted({rng.getrandbits(64) for _ in range(a.lines)})
        path = os.path.join(a.out, f"shard{s:03d}.profile")
        with open(path, "wb") as f:
            f.write(MAGIC + struct.pack("<IIQQQ", VERSION, ENTRY, OPTIONS, a.lines, len(keys)))
            buf = bytearray()
            for k in keys:
                doc = rng.getrandbits(32)
                buf += entry.pack(k, 1, 0, 0, *([doc] * 8))
                if len(buf) > 1 << 22:
                    f.write(buf)
                    buf.clear()
            f.write(buf)


if __name__ == "__main__":
    main()
