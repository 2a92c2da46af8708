"""Figures for the README's Python section.

1. ``Cleaner.clean_batch`` MB/s against the Rust library single-thread on
   the same in-memory documents (``--example library``).
2. ``DecruftFilter`` cost: the same datatrove read → write pipeline
   (JsonlReader → JsonlWriter, 2 workers) with and without the filter.

    python python/benches/bench.py [--docs 100000]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from conftest import REPO, build_corpus  # noqa: E402

import decruft  # noqa: E402


def throughput(docs, tmp):
    texts = [t for _, t in docs]
    profile = decruft.learn(texts)
    profile.save(tmp / "p.profile")
    with open(tmp / "docs.jsonl", "w") as f:
        for t in texts:
            f.write(json.dumps(t) + "\n")
    rust = subprocess.run(
        ["cargo", "run", "-q", "--release", "-p", "decruft-python", "--example", "library", "--",
         str(tmp / "docs.jsonl"), str(tmp / "p.profile")],
        cwd=REPO, capture_output=True, text=True, check=True)
    rust = json.loads(rust.stdout)
    cleaner = decruft.Cleaner(profile)
    size = sum(len(t.encode()) for t in texts)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        cleaner.clean_batch(texts)
        best = min(best, time.perf_counter() - t0)
    py = size / 1e6 / best
    print(f"clean_batch: {py:.1f} MB/s; Rust library single-thread: {rust['mb_per_s']:.1f} MB/s; "
          f"ratio {py / rust['mb_per_s']:.0%} ({len(texts)} docs, {size / 1e6:.1f} MB)")


def datatrove_cost(docs, tmp):
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from decruft.datatrove import DecruftFilter

    src = tmp / "dt-in"
    src.mkdir()
    for f in range(16):
        with open(src / f"{f:02d}.jsonl", "w") as out:
            for doc_id, text in docs[f::16]:
                if text:
                    out.write(json.dumps({"id": doc_id, "text": text}) + "\n")
    profile = tmp / "p.profile"

    def run(name, steps):
        t0 = time.perf_counter()
        LocalPipelineExecutor(pipeline=[JsonlReader(str(src)), *steps, JsonlWriter(str(tmp / name))],
                              tasks=4, workers=2, logging_dir=str(tmp / f"log-{name}")).run()
        return time.perf_counter() - t0

    base = min(run(f"noop{i}", []) for i in range(2))
    with_filter = min(run(f"filter{i}", [DecruftFilter(str(profile))]) for i in range(2))
    print(f"datatrove read→write, 2 workers, {len(docs)} docs: no-op {base:.2f} s, "
          f"with DecruftFilter {with_filter:.2f} s, cost +{(with_filter - base) / base:.0%}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    args = ap.parse_args()
    os.environ.setdefault("LOGURU_LEVEL", "WARNING")
    docs = build_corpus(args.docs)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        throughput(docs, tmp)
        datatrove_cost(docs, tmp)


if __name__ == "__main__":
    main()
