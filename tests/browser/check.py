#!/usr/bin/env python3
"""Opens a decruft report in headless Chromium and checks it as a reader would.

    python3 tests/browser/check.py DECRUFT_BINARY INPUT_DIR SCREENSHOT.png

It runs `decruft report INPUT_DIR` and `decruft INPUT_DIR --stats=json
--explain` (the same pipeline), opens the report over the Chrome DevTools
protocol (on a pipe: --remote-debugging-pipe, so no port and no websocket
library), and fails unless:

- the page loads with no console error and no uncaught exception;
- every summary number (files, documents, bytes, lines, removals per
  reason, spans per reason, encodings) equals --stats=json;
- a real mouse click on a document in the list shows that document with
  exactly the lines --explain removed from it struck through, each with
  its reason on hover.

It saves a screenshot of the clicked document. Standard library only.
"""

import json
import os
import subprocess
import sys
import tempfile
import time


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        for d in os.environ.get("PATH", "").split(os.pathsep):
            p = os.path.join(d, name)
            if os.access(p, os.X_OK):
                return p
    sys.exit("check.py: no chromium on PATH (apt-get install chromium)")


class Browser:
    """A Chromium speaking CDP on fds 3 (commands) and 4 (answers)."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="decruft-chromium-")
        cmd_r, self.cmd_w = os.pipe()
        self.res_r, res_w = os.pipe()
        # Chromium reads commands on fd 3 and answers on fd 4: a shell
        # moves the pipe ends there just before it becomes Chromium.
        self.proc = subprocess.Popen(
            ["sh", "-c", 'exec "$0" "$@" 3<&%d 4>&%d' % (cmd_r, res_w),
             chromium(), "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--no-first-run",
             "--disable-dev-shm-usage", "--hide-scrollbars",
             "--user-data-dir=" + self.profile, "--remote-debugging-pipe",
             "about:blank"],
            pass_fds=(cmd_r, res_w),
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.profile, "stderr.log"), "wb"))
        os.close(cmd_r)
        os.close(res_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read(self, timeout=30):
        deadline = time.time() + timeout
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self.res_r, 1 << 16)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, timeout=30):
        deadline = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method:
                    return self.events.pop(i)
            if time.time() > deadline:
                raise TimeoutError("no " + method)
            self.events.append(self._read(timeout))

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def main():
    binary, corpus, shot = sys.argv[1:4]
    work = tempfile.mkdtemp(prefix="decruft-report-")
    report = os.path.join(work, "report.html")
    t0 = time.time()
    subprocess.run([binary, "report", corpus, "-o", report], check=True,
                   stderr=subprocess.DEVNULL)
    made = time.time() - t0
    run = subprocess.run([binary, corpus, "--stats=json", "--explain"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    stats, removed = None, {}
    for line in run.stderr.decode("utf-8", "replace").splitlines():
        if line.startswith("{"):
            stats = json.loads(line)
            continue
        parts = line.split("\t")
        if len(parts) == 3 and ":" in parts[0]:
            label, no = parts[0].rsplit(":", 1)
            if no.isdigit() and not parts[1].endswith("(span)"):
                reason = "corpus" if parts[1].startswith("corpus:") else parts[1]
                removed.setdefault(label, {})[int(no)] = (reason, parts[2])
    assert stats, "no --stats=json line"

    failures = []
    b = Browser()
    try:
        target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            b.send(domain + ".enable", session=s)
        b.send("Emulation.setDeviceMetricsOverride",
               {"width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": False}, session=s)
        b.send("Page.navigate", {"url": "file://" + os.path.abspath(report)}, session=s)
        b.wait_event("Page.loadEventFired")

        def js(expr):
            r = b.send("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=s)
            if "exceptionDetails" in r:
                raise RuntimeError("page script failed: %s" % r["exceptionDetails"])
            return r["result"].get("value")

        # Summary numbers against --stats=json.
        page = js("""JSON.stringify({
          stat: Object.fromEntries([...document.querySelectorAll('[data-stat]')]
                  .map(e => [e.dataset.stat, Number(e.textContent)])),
          bars: [...document.querySelectorAll('svg.chart g[data-reason]')]
                  .map(g => [g.dataset.kind, g.dataset.reason, Number(g.dataset.count)]),
          enc: Object.fromEntries([...document.querySelectorAll('tr[data-encoding]')]
                  .map(r => [r.dataset.encoding, Number(r.lastElementChild.textContent)]))})""")
        page = json.loads(page)
        checked = 0
        for key in ("files", "files_failed", "documents", "bytes_in", "bytes_out",
                    "lines_in", "lines_kept"):
            if page["stat"].get(key) != stats[key]:
                failures.append("summary %s: page %s, --stats=json %s" % (key, page["stat"].get(key), stats[key]))
            checked += 1
        if page["stat"].get("lines_removed_total") != sum(stats["lines_removed"].values()):
            failures.append("summary lines removed differs")
        lines = {r: n for k, r, n in page["bars"] if k == "line"}
        spans = {r: n for k, r, n in page["bars"] if k == "span"}
        if lines != stats["lines_removed"]:
            failures.append("chart lines per reason %s != %s" % (lines, stats["lines_removed"]))
        if spans != stats["spans_removed"]:
            failures.append("chart spans per reason %s != %s" % (spans, stats["spans_removed"]))
        if page["enc"] != stats["encodings"]:
            failures.append("encodings %s != %s" % (page["enc"], stats["encodings"]))
        checked += 4

        # Click, with the mouse, the plain document with the most removals.
        pick = js("""(() => {
          const d = JSON.parse(document.getElementById('data').textContent).docs;
          let best = -1;
          d.forEach((x, i) => { if (x.lines.length && (best < 0 || x.removed > d[best].removed)) best = i; });
          return best < 0 ? null : [best, d[best].name];})()""")
        assert pick, "no document embedded"
        index, name = pick
        box = json.loads(js("""(() => { const li = document.querySelector('#doclist li[data-doc="%d"]');
          li.scrollIntoView({block: 'center'}); const r = li.getBoundingClientRect();
          return JSON.stringify([r.x + r.width / 2, r.y + r.height / 2]); })()""" % index))
        for kind in ("mousePressed", "mouseReleased"):
            b.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1],
                                                "button": "left", "clickCount": 1}, session=s)
        time.sleep(0.2)
        shown = json.loads(js("""JSON.stringify({title: document.querySelector('#viewer h3') &&
          document.querySelector('#viewer h3').textContent,
          rm: [...document.querySelectorAll('#viewer .ln.rm')].map(r =>
            [Number(r.querySelector('.no').textContent), r.querySelector('.tx').title,
             r.querySelector('.tx').textContent])})"""))
        if shown["title"] != name:
            failures.append("click on %r showed %r" % (name, shown["title"]))
        want = removed.get(name, {})
        got = {no: (reason, text.strip()) for no, reason, text in shown["rm"]}
        if {k: v[0] for k, v in got.items()} != {k: v[0] for k, v in want.items()}:
            failures.append("document %s: struck lines %s, --explain removed %s" % (name, sorted(got), sorted(want)))
        for no, (reason, text) in want.items():
            if no in got and got[no][1] != text:
                failures.append("%s:%d shows %r, --explain says %r" % (name, no, got[no][1], text))
        if not want:
            failures.append("the clicked document %s has no removals to show" % name)
        checked += 1
        png = b.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False}, session=s)
        import base64
        os.makedirs(os.path.dirname(os.path.abspath(shot)), exist_ok=True)
        with open(shot, "wb") as f:
            f.write(base64.b64decode(png["data"]))
        time.sleep(0.1)
        for e in b.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.exceptionThrown":
                failures.append("uncaught exception: %s" % p.get("exceptionDetails", {}).get("text"))
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                failures.append("console error: %s" % p.get("args"))
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                failures.append("log error: %s" % p["entry"].get("text"))
        checked += 1
    finally:
        b.close()
    size = os.path.getsize(report)
    for f in failures:
        print("FAIL:", f)
    print("report: %d bytes, made in %.2f s; clicked %s (%d lines removed); screenshot %s"
          % (size, made, name, len(removed.get(name, {})), shot))
    print("browser: %d passed, %d failed" % (checked - min(len(failures), checked), min(len(failures), checked)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
