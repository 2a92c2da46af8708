#!/usr/bin/env python3
"""Fuzz one target until it finds no new coverage for a while.

    python3 fuzz/plateau.py TARGET [--quiet 10] [--limit 90] [--extra DIR ...]
                            [-- LIBFUZZER_FLAGS ...]

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
(replay it to tell). Every libFuzzer line
goes to fuzz/logs/TARGET-DATE.log behind the running second it came in;
standard output gets a status line a minute and the summary.

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
TRIPLE = "x86_64-unknown-linux-gnu"
STATUS = re.compile(r"^#(\d+)\s+(\w+)\s+cov: (\d+) ft: (\d+)")


def stopped(pid):
    """True while the process is stopped (SIGSTOP): state T in /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            # The state follows the command name, which is in parentheses.
            return f.read().rsplit(")", 1)[1].split()[0] in ("T", "t")
    except (FileNotFoundError, IndexError):
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("target")
    ap.add_argument("--quiet", type=float, default=10, help="minutes without a new edge that end the run (10)")
    ap.add_argument("--limit", type=float, default=90, help="minutes of running at most (90)")
    ap.add_argument("--extra", nargs="*", default=[], help="more seed folders, read only")
    argv = sys.argv[1:]
    # Everything after `--` goes to libFuzzer as it is.
    cut = argv.index("--") if "--" in argv else len(argv)
    args = ap.parse_args(argv[:cut])
    args.flags = argv[cut + 1:]

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

    running = 0.0          # seconds of running, pauses left out
    last_tick = time.monotonic()
    last_status = 0.0
    execs = cov = ft = None
    first_cov = None
    cov_at = 0.0           # running second of the last new edge
    cov_execs = 0
    new_at = 0.0           # running second of the last NEW input (edge or feature)
    longest = (0.0, 0, 0)  # longest stretch without a new edge: seconds, executions, at #
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
                m = STATUS.match(line)
                if not m:
                    continue
                execs, kind, c, f = int(m[1]), m[2], int(m[3]), int(m[4])
                if kind == "INITED":
                    # The seeds are loaded: the clock starts here.
                    first_cov, cov_at, cov_execs = c, running, execs
                elif first_cov is not None and c > cov:
                    stretch = (running - cov_at, execs - cov_execs, cov_execs)
                    longest = max(longest, stretch)
                    cov_at, cov_execs = running, execs
                if kind in ("NEW", "INITED"):
                    new_at = running
                cov, ft = c, f
            log.flush()
            if eof:
                break
            if running - last_status >= 60:
                last_status = running
                quiet = running - cov_at
                print(f"plateau: {running / 60:5.1f} min running, #{execs}, cov {cov}, ft {ft}, "
                      f"{quiet / 60:.1f} min without a new edge", flush=True)
            if interrupted is None and first_cov is not None:
                if running - cov_at >= args.quiet * 60:
                    interrupted = "quiet"
                elif running >= args.limit * 60:
                    interrupted = "limit"
                if interrupted:
                    child.send_signal(signal.SIGINT)
        code = child.wait()

    if execs is not None:
        longest = max(longest, (running - cov_at, execs - cov_execs, cov_execs))
    print(f"plateau: {args.target}: {execs} executions in {running / 60:.1f} min of running, "
          f"cov {first_cov} -> {cov}, ft {ft}", flush=True)
    print(f"plateau: last new edge at {cov_at / 60:.1f} min, last new input (NEW) at "
          f"{new_at / 60:.1f} min; longest stretch without a new edge "
          f"{longest[0] / 60:.1f} min ({longest[1]} executions from #{longest[2]})", flush=True)
    if interrupted is None:
        print(f"plateau: the fuzzer stopped by itself (exit {code}); see {log_path} and {artifacts}/",
              flush=True)
        return 1
    print(f"plateau: {'reached' if interrupted == 'quiet' else 'NOT reached'}: "
          f"{args.quiet:g} min without a new edge", flush=True)
    return 0 if interrupted == "quiet" else 2


if __name__ == "__main__":
    sys.exit(main())
