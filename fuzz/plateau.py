#!/usr/bin/env python3
"""Fuzz one target until it finds no new coverage for a while.

    python3 fuzz/plateau.py TARGET [--quiet 10] [--limit 90] [--extra DIR ...]
                            [-- LIBFUZZER_FLAGS ...]
    python3 fuzz/plateau.py --log fuzz/logs/TARGET-DATE.log

Runs the target's libFuzzer binary (build it first, from fuzz/:
`RUSTC_BOOTSTRAP=1 cargo fuzz build -O TARGET`) on fuzz/corpus/TARGET (where
new inputs go), fuzz/seeds/TARGET and any --extra folders (read only), and
stops it once --quiet minutes of running have passed without a new coverage
edge (libFuzzer's `cov:`), or after --limit minutes of running.

Running time is wall time while the fuzzer is not stopped: a run paused with
SIGSTOP (kill -STOP PID) while a wall-clock benchmark or CI uses the cores
does not count its pause as time without new coverage. libFuzzer's own
per-input timeout does count it: keep pauses under its -timeout (1200 s
unless given), or a "timeout" artifact records the pause, not a slow input
(replay it to tell).

With -print_pcs=1 libFuzzer names the source line of every new edge, and
the summary also gives the stretches without a new edge in decruft's own
code (src/ of this repository), apart from its dependencies: in the
pipeline, tables of unicode-normalization and encoding_rs keep yielding an
edge per newly seen character long after decruft's own code stops.

Every libFuzzer line goes to fuzz/logs/TARGET-DATE.log behind the running
second it came in; standard output gets a status line a minute and the
summary, which --log prints again from a log (also of a run still going).

Exit status: 0 when the quiet stretch was reached, 2 when the limit came
first, 1 when the fuzzer crashed or failed (its input is in
fuzz/artifacts/TARGET/, as with `cargo fuzz run`).
"""

import argparse
import os
import re
import selectors
import signal
import subprocess
import sys
import time

FUZZ = os.path.dirname(os.path.abspath(__file__))
OWN = os.path.join(os.path.dirname(FUZZ), "src") + os.sep
TRIPLE = "x86_64-unknown-linux-gnu"
STATUS = re.compile(r"^#(\d+)\s+(\w+)\s+cov: (\d+) ft: (\d+)")


class Tracker:
    """Coverage over running time, from libFuzzer's lines."""

    def __init__(self):
        self.execs = self.cov = self.ft = None
        self.first_cov = None  # cov when the seeds were loaded (INITED)
        self.edge = Stretch()  # new edges anywhere
        self.own = Stretch()   # new edges in decruft's own code (NEW_PC lines)
        self.new_at = 0.0      # last new input (NEW: an edge or a feature)
        self.pcs = False

    def feed(self, running, line):
        if "NEW_PC:" in line:
            self.pcs = True
            if OWN in line and self.first_cov is not None:
                self.own.hit(running, self.execs or 0)
            return
        m = STATUS.match(line)
        if not m:
            return
        execs, kind, cov, ft = int(m[1]), m[2], int(m[3]), int(m[4])
        if kind == "INITED":
            # The seeds are loaded: the clock starts here.
            self.first_cov = cov
            self.edge.start(running, execs)
            self.own.start(running, execs)
        elif self.first_cov is not None and cov > self.cov:
            self.edge.hit(running, execs, cov - self.cov)
        if kind in ("NEW", "INITED"):
            self.new_at = running
        self.execs, self.cov, self.ft = execs, cov, ft

    def started(self):
        return self.first_cov is not None

    def summary(self, name, running):
        lines = [
            f"{name}: {self.execs} executions in {running / 60:.1f} min of running, "
            f"cov {self.first_cov} -> {self.cov}, ft {self.ft}",
            f"new edges: {self.edge.describe(running, self.execs)}; "
            f"last new input (NEW) at {self.new_at / 60:.1f} min",
        ]
        if self.pcs:
            lines.append(f"new edges in {OWN}: {self.own.describe(running, self.execs)}")
        return lines


class Stretch:
    """The times of new finds and the longest stretch without one."""

    def __init__(self):
        self.at, self.at_execs, self.count = 0.0, 0, 0
        self.longest = (0.0, 0, 0)  # seconds, executions, from execution #

    def start(self, running, execs):
        self.at, self.at_execs = running, execs

    def hit(self, running, execs, edges=1):
        self.longest = max(self.longest, (running - self.at, execs - self.at_execs, self.at_execs))
        self.at, self.at_execs = running, execs
        self.count += edges

    def quiet(self, running):
        return running - self.at

    def describe(self, running, execs):
        longest = max(self.longest, (running - self.at, (execs or 0) - self.at_execs, self.at_execs))
        return (f"{self.count} after the seeds, the last at {self.at / 60:.1f} min; longest stretch "
                f"without one {longest[0] / 60:.1f} min ({longest[1]} executions from #{longest[2]})")


def stopped(pid):
    """True while the process is stopped (SIGSTOP): state T in /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            # The state follows the command name, which is in parentheses.
            return f.read().rsplit(")", 1)[1].split()[0] in ("T", "t")
    except (FileNotFoundError, IndexError):
        return False


def replay(log_path):
    """The summary of a log written by this script."""
    tracker, running = Tracker(), 0.0
    with open(log_path, errors="replace") as log:
        for entry in log:
            stamp, _, line = entry.strip().partition(" ")
            try:
                running = float(stamp)
            except ValueError:
                continue
            tracker.feed(running, line.strip())
    for line in tracker.summary(os.path.basename(log_path), running):
        print(f"plateau: {line}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("target", nargs="?")
    ap.add_argument("--quiet", type=float, default=10, help="minutes without a new edge that end the run (10)")
    ap.add_argument("--limit", type=float, default=90, help="minutes of running at most (90)")
    ap.add_argument("--extra", nargs="*", default=[], help="more seed folders, read only")
    ap.add_argument("--log", help="print the summary of this log instead of fuzzing")
    argv = sys.argv[1:]
    # Everything after `--` goes to libFuzzer as it is.
    cut = argv.index("--") if "--" in argv else len(argv)
    args = ap.parse_args(argv[:cut])
    args.flags = argv[cut + 1:]
    if args.log:
        return replay(args.log)
    if not args.target:
        ap.error("name a target (decode, pipeline, window_threads) or give --log")

    binary = os.path.join(FUZZ, "target", TRIPLE, "release", args.target)
    if not os.path.exists(binary):
        sys.exit(f"plateau: {binary} is missing; build it from fuzz/ with "
                 f"RUSTC_BOOTSTRAP=1 cargo fuzz build -O {args.target}")
    corpus = os.path.join(FUZZ, "corpus", args.target)
    artifacts = os.path.join(FUZZ, "artifacts", args.target)
    logs = os.path.join(FUZZ, "logs")
    for d in (corpus, artifacts, logs):
        os.makedirs(d, exist_ok=True)
    seeds = [d for d in [os.path.join(FUZZ, "seeds", args.target)] + args.extra if os.path.isdir(d)]
    log_path = os.path.join(logs, f"{args.target}-{time.strftime('%Y%m%d-%H%M%S')}.log")
    # No -timeout of our own: libFuzzer's per-input timer runs on wall time,
    # so a pause longer than the timeout (1200 s by default) ends the run
    # with a "timeout" that is only the pause.
    cmd = [binary, corpus, *seeds, f"-artifact_prefix={artifacts}/", "-print_final_stats=1",
           *args.flags]

    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    print(f"plateau: {args.target} pid {child.pid}, log {log_path}", flush=True)
    print("plateau: " + " ".join(cmd), flush=True)
    sel = selectors.DefaultSelector()
    sel.register(child.stderr, selectors.EVENT_READ)

    tracker = Tracker()
    running = 0.0          # seconds of running, pauses left out
    last_tick = time.monotonic()
    last_status = 0.0
    interrupted = None
    pending = b""
    with open(log_path, "w") as log:
        while True:
            events = sel.select(timeout=1.0)
            now = time.monotonic()
            if not stopped(child.pid):
                running += now - last_tick
            last_tick = now
            eof = False
            for _key, _ in events:
                chunk = os.read(child.stderr.fileno(), 65536)
                if not chunk:
                    eof = True
                    break
                pending += chunk
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                line = raw.decode("utf-8", "replace")
                log.write(f"{running:9.1f} {line}\n")
                tracker.feed(running, line)
            log.flush()
            if eof:
                break
            if running - last_status >= 60:
                last_status = running
                own = f", {tracker.own.quiet(running) / 60:.1f} in src/" if tracker.pcs else ""
                print(f"plateau: {running / 60:5.1f} min running, #{tracker.execs}, cov {tracker.cov}, "
                      f"ft {tracker.ft}, {tracker.edge.quiet(running) / 60:.1f} min without a new "
                      f"edge{own}", flush=True)
            if interrupted is None and tracker.started():
                if tracker.edge.quiet(running) >= args.quiet * 60:
                    interrupted = "quiet"
                elif running >= args.limit * 60:
                    interrupted = "limit"
                if interrupted:
                    child.send_signal(signal.SIGINT)
        code = child.wait()

    for line in tracker.summary(args.target, running):
        print(f"plateau: {line}", flush=True)
    if interrupted is None:
        print(f"plateau: the fuzzer stopped by itself (exit {code}); see {log_path} and {artifacts}/",
              flush=True)
        return 1
    print(f"plateau: {'reached' if interrupted == 'quiet' else 'NOT reached'}: "
          f"{args.quiet:g} min without a new edge", flush=True)
    return 0 if interrupted == "quiet" else 2


if __name__ == "__main__":
    sys.exit(main())
