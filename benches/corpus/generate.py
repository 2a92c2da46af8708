#!/usr/bin/env python3
"""Write a realistic dirty corpus of any size from the clean BBC articles.

Each document is one BBC article as an invented site would have served it:
site header and footer lines, template lines with varying dates and counts,
known notices (privacy/embed notice pairs repeated through the text, cookie
banners, newsletter prompts, share bars, "Advertisement", "Read more: ..."),
image credits glued to paragraphs, the odd near-miss sentence, messy
whitespace (tabs, runs of spaces, NBSP, zero-width spaces, trailing blanks,
runs of blank lines), CRLF and a few lone-CR documents, a little mojibake and
leftover HTML. In folder mode a few percent of files are windows-1252 or
ISO-8859-1. The artefact vocabulary is in artefacts.py, shared with
benches/quality/run.py.

    python3 benches/corpus/generate.py --size 200M --out /tmp/dirty
    python3 benches/corpus/generate.py --size 1G --single /tmp/dirty.txt

Deterministic for a given --seed, --size, --files and BBC folder. Standard
library only; writes about 1 GB a minute on one core.
"""

import argparse
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import artefacts as A  # noqa: E402

BATCH = 8 << 20  # write in 8 MiB batches
NO_ZW = dict.fromkeys(map(ord, "\u200b\u00ad"), None)


def parse_size(s):
    s = s.strip().upper().rstrip("B")
    mult = 1
    for suf, m in (("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40)):
        if s.endswith(suf):
            s, mult = s[:-1], m
            break
    return int(float(s) * mult)


def load_bbc(root, categories=None):
    arts = []
    for cat in sorted(os.listdir(root)):
        d = os.path.join(root, cat)
        if not os.path.isdir(d) or (categories and cat not in categories):
            continue
        for name in sorted(os.listdir(d)):
            if not name.endswith(".txt"):
                continue
            b = open(os.path.join(d, name), "rb").read()
            try:
                t = b.decode("utf-8")
            except UnicodeDecodeError:
                t = b.decode("cp1252", errors="replace")
            paras = [l.strip() for l in t.splitlines() if l.strip()]
            if len(paras) >= 2:
                arts.append(paras)
    if not arts:
        sys.exit(f"generate.py: no articles under {root}")
    return arts


class Pieces:
    """Everything precomputed once so that a document is mostly list joins."""

    def __init__(self, arts, rng):
        self.arts = arts
        # Each article in a clean and a messy-whitespace variant.
        self.messy = [[A.mess_line(p, rng) if rng.random() < 0.35 else p for p in a]
                      for a in arts]
        self.titles = [a[0] for a in arts]
        self.sites = []
        for s in A.SITES:
            head = "\n".join(["Skip to main content"] + s["header"])
            foot = "\n".join(s["footer"] + ["Back to top"])
            pools = [[A.render_template(k, rng) for _ in range(2000)] for k in s["templates"]]
            self.sites.append((head, "\n".join(s["header"]), foot,
                               "\n".join(s["footer"]), pools))
        self.body_notices = ["\n".join(g) for g in A.BODY_NOTICE_GROUPS]
        self.privacy = ["\n".join(g) for g in A.PRIVACY_PAIRS]
        self.read_more = [rng.choice(A.READ_MORE_PREFIXES) + t
                          for t in rng.sample(self.titles, min(2000, len(self.titles)))]
        self.share = ["Share this article Facebook Twitter Email",
                      "Share this with Facebook Messenger WhatsApp Email Copy this link",
                      "Share on Facebook Share on Twitter Share via Email"]
        self.newsletter = ["Sign up for our newsletter to get the latest news delivered "
                           "to your inbox.", "Subscribe to our daily newsletter",
                           "Get the morning briefing: sign up to our free newsletter"]
        self.glue = ["Image copyright Getty Images Image caption ",
                     "Image copyright Reuters Image caption ",
                     "Image copyright PA Image caption ",
                     "Media playback is unsupported on your device Media caption "]
        self.seps = ["\n\n"] * 12 + ["\n\n\n", "\n\n\n\n", "\n \n", "\n\t\n", "\n\n\n\n\n\n"]


def make_doc(pc, rng, site_i):
    """One dirty document as a str (LF line endings)."""
    rnd = rng.random
    ai = rng.randrange(len(pc.arts))
    paras = pc.messy[ai] if rnd() < 0.5 else pc.arts[ai]
    head, head_bare, foot, foot_bare, pools = pc.sites[site_i]
    seps = pc.seps
    out = [head if rnd() < 0.8 else head_bare, "\n", rng.choice(pools[0]), "\n\n",
           paras[0], "\n\n"]
    if rnd() < 0.6:
        out += [rng.choice(pools[1]), "\n\n"]
    body = paras[1:]
    n = len(body)
    pair_at = ()
    if n >= 3 and rnd() < 0.4:
        pair = rng.choice(pc.privacy)
        pair_at = set(rng.sample(range(1, n), min(n - 1, rng.randint(2, 3))))
    for i, p in enumerate(body):
        if i and rnd() < 0.04:
            p = rng.choice(pc.glue) + p
        out.append(p)
        out.append(rng.choice(seps))
        if i + 1 in pair_at:
            out += [pair, "\n\n"]
        r = rnd()
        if r < 0.08:
            out += [rng.choice(pc.body_notices), "\n\n"]
        elif r < 0.11:
            out += [rng.choice(pc.read_more), "\n\n"]
        elif r < 0.112:
            out += [rng.choice(A.NEAR_MISSES), "\n\n"]
    if rnd() < 0.6:
        out += [rng.choice(pc.share), "\n\n"]
    if rnd() < 0.5:
        out += [rng.choice(pc.newsletter), "\n\n"]
    out += [foot if rnd() < 0.5 else foot_bare, "\n"]
    doc = "".join(out)
    r = rnd()
    if r < 0.02:  # UTF-8 read as windows-1252 and saved again
        doc = doc.replace("\u00a3", "\u00c2\u00a3").replace("'", "\u00e2\u20ac\u2122")
    elif r < 0.03:  # leftover HTML
        doc = (doc.replace("&", "&amp;").replace("'", "&#39;")
               .replace("\n\n", "<br>\n\n", 3).replace('"', "&quot;"))
    return doc


def line_endings(doc, rng):
    r = rng.random()
    if r < 0.10:
        return doc.replace("\n", "\r\n")
    if r < 0.102:
        return doc.replace("\n", "\r")
    return doc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="1G", help="total bytes to write, e.g. 20M, 1G (default 1G)")
    ap.add_argument("--out", metavar="DIR", help="write files under DIR/<site>/NNNNNN.txt")
    ap.add_argument("--files", type=int, default=0,
                    help="number of files in --out mode (default: one per 64 KiB)")
    ap.add_argument("--single", metavar="FILE", help="write one big UTF-8 file instead")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--legacy-share", type=float, default=0.03,
                    help="share of files written in windows-1252/ISO-8859-1 (--out mode "
                         "only; default 0.03)")
    ap.add_argument("--bbc", default=os.path.join(REPO, "..", "shared", "corpus", "bbc"),
                    help="clean BBC articles (default: <repo>/../shared/corpus/bbc)")
    ap.add_argument("--categories", metavar="LIST",
                    help="comma-separated BBC categories to use, e.g. business,politics "
                         "(default: all), so that a profile can be learned on some "
                         "articles and applied to others")
    args = ap.parse_args()
    if bool(args.out) == bool(args.single):
        ap.error("give exactly one of --out DIR or --single FILE")
    if not os.path.isdir(args.bbc):
        sys.exit(f"generate.py: BBC corpus not found: {args.bbc} (pass --bbc DIR)")
    size = parse_size(args.size)
    rng = random.Random(args.seed)
    categories = set(args.categories.split(",")) if args.categories else None
    pc = Pieces(load_bbc(args.bbc, categories), random.Random(args.seed + 1))
    nsites = len(pc.sites)
    t0 = time.perf_counter()
    written = 0
    docs = 0
    legacy_files = 0

    if args.single:
        os.makedirs(os.path.dirname(os.path.abspath(args.single)), exist_ok=True)
        with open(args.single, "wb") as f:
            buf = []
            blen = 0
            while written + blen < size:
                d = line_endings(make_doc(pc, rng, rng.randrange(nsites)), rng)
                d += "\n\n"
                buf.append(d)
                blen += len(d)
                docs += 1
                if blen >= BATCH:
                    data = "".join(buf).encode("utf-8")
                    f.write(data)
                    written += len(data)
                    buf, blen = [], 0
            if buf:
                data = "".join(buf).encode("utf-8")
                f.write(data)
                written += len(data)
        where = args.single
        nfiles = 1
    else:
        nfiles = args.files or max(1, size >> 16)
        for s in A.SITES:
            os.makedirs(os.path.join(args.out, s["slug"]), exist_ok=True)
        for i in range(nfiles):
            target = (size - written) // (nfiles - i)
            site_i = i % nsites
            legacy = rng.random() < args.legacy_share
            parts = []
            plen = 0
            while plen < target or not parts:
                d = make_doc(pc, rng, site_i)
                parts.append(d)
                plen += len(d) + 2
                docs += 1
            text = line_endings("\n\n".join(parts), rng)
            if legacy:
                legacy_files += 1
                enc = "cp1252" if legacy_files % 2 else "latin-1"
                data = text.translate(NO_ZW).encode(enc, errors="replace")
            else:
                data = text.encode("utf-8")
            path = os.path.join(args.out, A.SITES[site_i]["slug"], f"{i:06d}.txt")
            with open(path, "wb") as f:
                f.write(data)
            written += len(data)
        where = args.out
    secs = time.perf_counter() - t0
    print(f"wrote {written / 1e6:.1f} MB, {docs} documents in {nfiles} file(s) "
          f"({legacy_files} legacy-encoded) to {where} in {secs:.1f} s "
          f"({written / 1e6 / secs:.0f} MB/s)", file=sys.stderr)


if __name__ == "__main__":
    main()
