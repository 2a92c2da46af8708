"""Figures for the README's Python section.

1. ``Cleaner.clean_batch`` MB/s against the Rust library single-thread on
   the same in-memory documents (``--example library``).
2. ``DecruftFilter`` cost: the same datatrove read → write pipeline
   (JsonlReader → JsonlWriter, 4 tasks, 2 workers) with and without the
   filter, runs interleaved, best of ``--repeat``. Besides wall time it
   gives the CPU seconds of each run (this process and its workers), which
   a machine shared with other jobs disturbs much less than wall time.

    python python/benches/bench.py [--docs 100000] [--repeat 3]
"""

import argparse
import json
import os
import resource
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

    def best_of(n, fresh):
        best = float("inf")
        for _ in range(n):
            # A pipeline hands over strings never seen before: their UTF-8
            # is not cached yet, so encoding it is part of the cost.
            batch = [t.encode().decode() for t in texts] if fresh else texts
            t0 = time.perf_counter()
            cleaner.clean_batch(batch)
            best = min(best, time.perf_counter() - t0)
        return size / 1e6 / best

    cached, fresh = best_of(5, False), best_of(3, True)
    r = rust["mb_per_s"]
    print(f"clean_batch: {cached:.1f} MB/s ({cached / r:.0%} of Rust), on fresh strings {fresh:.1f} MB/s "
          f"({fresh / r:.0%}); Rust library single-thread: {r:.1f} MB/s ({len(texts)} docs, {size / 1e6:.1f} MB)")


def datatrove_cost(docs, tmp, repeat):
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

    def cpu():
        """CPU seconds of this process and all it started. datatrove's
        workers are children of multiprocess's forkserver, which reaps them:
        their time shows in its cutime/cstime, read from /proc (Linux)."""
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        total = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
        tick = os.sysconf("SC_CLK_TCK")
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid():  # ppid; utime, stime, cutime, cstime follow
                total += sum(int(f) for f in fields[11:15]) / tick
        return total

    def run(name, steps):
        c0, t0 = cpu(), time.perf_counter()
        LocalPipelineExecutor(pipeline=[JsonlReader(str(src)), *steps, JsonlWriter(str(tmp / name))],
                              tasks=4, workers=2, logging_dir=str(tmp / f"log-{name}")).run()
        return time.perf_counter() - t0, cpu() - c0

    print(f"load before: {os.getloadavg()[0]:.2f}")
    base, with_filter = [], []
    for i in range(repeat):  # interleaved, so load changes hit both alike
        base.append(run(f"noop{i}", []))
        with_filter.append(run(f"filter{i}", [DecruftFilter(str(profile))]))
    print(f"load after: {os.getloadavg()[0]:.2f}")
    (bw, bc), (fw, fc) = [(min(w for w, _ in runs), min(c for _, c in runs)) for runs in (base, with_filter)]
    print(f"datatrove read→write, 4 tasks, 2 workers, {len(docs)} docs, best of {repeat}: "
          f"no-op {bw:.2f} s, with DecruftFilter {fw:.2f} s, cost +{(fw - bw) / bw:.0%} wall; "
          f"CPU {bc:.1f} s → {fc:.1f} s, +{(fc - bc) / bc:.0%}")
    print("  runs (wall s, CPU s): no-op", [(round(w, 2), round(c, 1)) for w, c in base],
          "filter", [(round(w, 2), round(c, 1)) for w, c in with_filter])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each pipeline (best is kept)")
    ap.add_argument("--only", choices=["throughput", "datatrove"], help="run one of the two figures")
    args = ap.parse_args()
    os.environ.setdefault("LOGURU_LEVEL", "WARNING")
    docs = build_corpus(args.docs)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if args.only != "datatrove":
            throughput(docs, tmp)
        if args.only != "throughput":
            if args.only:  # the filter's profile, which throughput() writes
                decruft.learn([t for _, t in docs]).save(tmp / "p.profile")
            datatrove_cost(docs, tmp, args.repeat)


if __name__ == "__main__":
    main()
