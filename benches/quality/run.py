#!/usr/bin/env python3
"""Corpus-level quality benchmark for decruft.

Builds scraped-looking documents from the clean BBC articles (the gold side),
records in a manifest which lines were added and of which kind, runs
`decruft IN -o OUT` with default settings, and scores every output document
against its manifest. See benches/quality/README.md.

Standard library only. One command:

    python3 benches/quality/run.py            # all 2225 articles, default binary
"""

import argparse
import collections
import html
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "benches", "corpus"))
import artefacts as A  # noqa: E402

KINDS_ADDED = ["site", "known-notice", "template"]
SYND_COPIES = 20
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)

# (metric, target, comparison) -- shown next to the figures, checked by --check.
TARGETS = {
    "site_removed": 0.95,
    "known_notice_removed": 0.99,
    "template_removed": 0.90,
    "real_kept": 0.998,
    "near_miss_kept": 1.0,
    "syndicated_intact": SYND_COPIES,
}


def fold(s):
    """Folding used for every comparison: HTML entities decoded (some BBC
    articles carry `&#233;` in the gold text, and decruft decodes entities
    by design; this benchmark measures which lines survive, not entity
    repair), zero-width characters dropped, runs of whitespace (incl. NBSP,
    tabs) become one space, ends stripped."""
    return " ".join(html.unescape(s).translate(ZERO_WIDTH).split())


def fold_doc(text):
    out = []
    for line in text.splitlines():
        f = fold(line)
        if f:
            out.append(f)
    return out


def decode(b):
    if b.startswith(b"\xef\xbb\xbf"):
        b = b[3:]
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b.decode("cp1252", errors="replace")


def load_bbc(root):
    arts = []
    for cat in sorted(os.listdir(root)):
        d = os.path.join(root, cat)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith(".txt"):
                with open(os.path.join(d, name), "rb") as f:
                    text = decode(f.read())
                lines = [l.strip() for l in text.splitlines()]
                paras = [l for l in lines if l]
                if len(paras) >= 2:
                    arts.append((f"{cat}/{name}", paras))
    return arts


# --------------------------------------------------------------------------
# Document building


class Doc:
    def __init__(self, rel, gold, site, synd=False):
        self.rel = rel
        self.gold = gold
        self.site = site
        self.synd = synd
        self.blocks = []  # list of lists of (kind, text); blocks split by blank lines

    def block(self, *entries):
        self.blocks.append(list(entries))


def build_doc(doc, paras, rng, near_misses, titles):
    site = doc.site
    # Header: one block of lines, no blank lines between them.
    head = []
    if rng.random() < 0.85:
        head.append(("known-notice", "Skip to main content"))
    for line in site["header"]:
        if rng.random() < 0.95:
            head.append(("site", line))
    if head:
        doc.blocks.append(head)
    tmpl = site["templates"]
    doc.block(("template", A.render_template(tmpl[0], rng)))
    doc.block(("real", paras[0]))
    if rng.random() < 0.7:
        doc.block(("template", A.render_template(tmpl[1], rng)))

    body = paras[1:]
    gaps = len(body)  # insertion point i means "after body paragraph i"
    inserts = collections.defaultdict(list)
    # Privacy/embed notice pair repeated 2-3 times through the text.
    if rng.random() < 0.4 and gaps >= 3:
        pair = rng.choice(A.PRIVACY_PAIRS)
        for g in rng.sample(range(1, gaps), min(gaps - 1, rng.randint(2, 3))):
            inserts[g].append([("known-notice", l) for l in pair])
    for g in range(1, gaps):
        r = rng.random()
        if r < 0.10:
            grp = rng.choice(A.BODY_NOTICE_GROUPS)
            inserts[g].append([("known-notice", l) for l in grp])
        elif r < 0.14:
            inserts[g].append([("known-notice", rng.choice(A.READ_MORE_PREFIXES)
                                + rng.choice(titles))])
    for nm in near_misses:
        inserts[rng.randint(1, max(1, gaps - 1))].append([("near-miss", nm)])

    for i, p in enumerate(body):
        doc.block(("real", p))
        for blk in inserts.get(i + 1, ()):
            doc.blocks.append(blk)

    if rng.random() < 0.6:
        doc.block(("known-notice", rng.choice(
            ["Share this article Facebook Twitter Email",
             "Share this with Facebook Messenger WhatsApp Email Copy this link",
             "Share on Facebook Share on Twitter Share via Email"])))
    if rng.random() < 0.5:
        doc.block(("known-notice", rng.choice(
            ["Sign up for our newsletter to get the latest news delivered to your inbox.",
             "Subscribe to our daily newsletter",
             "Get the morning briefing: sign up to our free newsletter"])))
    foot = [("site", l) for l in site["footer"] if rng.random() < 0.95]
    if rng.random() < 0.5:
        foot.append(("known-notice", "Back to top"))
    if foot:
        doc.blocks.append(foot)


def render(doc, rng, legacy):
    """Text of the dirty document plus its manifest entries, in order."""
    manifest = []
    out = []
    for bi, blk in enumerate(doc.blocks):
        if bi:
            out.append("\n" * (rng.choice((2, 2, 2, 2, 3, 4)) if rng.random() < 0.2 else 2))
        for li, (kind, text) in enumerate(blk):
            manifest.append((kind, text))
            line = text
            if rng.random() < 0.15:
                line = A.mess_line(line, rng, unicode_ok=not legacy)
            out.append(("\n" if li else "") + line)
    text = "".join(out) + "\n"
    return text, manifest


# --------------------------------------------------------------------------
# Scoring


def score(docs, out_root):
    kinds = ["real", "site", "known-notice", "template", "near-miss"]
    total = collections.Counter()
    kept = collections.Counter()
    missed = {k: collections.Counter() for k in kinds}
    exact = 0
    missing = 0
    unexpected = 0
    unexpected_ex = collections.Counter()
    invisible = 0
    synd_intact = 0
    synd_total = 0
    for doc in docs:
        path = os.path.join(out_root, doc.rel)
        try:
            with open(path, "rb") as f:
                raw = f.read()
            text = raw.decode("utf-8", errors="replace")
        except FileNotFoundError:
            missing += 1
            text = ""
        if any(c in text for c in "\u200b\ufeff\u00ad"):
            invisible += 1
        out_lines = fold_doc(text)
        avail = collections.Counter(out_lines)
        doc_real_ok = True
        for kind, line in doc.manifest:
            key = fold(line)
            total[kind] += 1
            if avail[key] > 0:
                avail[key] -= 1
                kept[kind] += 1
                if kind != "real" and kind != "near-miss":
                    missed[kind][key] += 1  # "missed" = an added line left in
            else:
                if kind in ("real", "near-miss"):
                    missed[kind][key] += 1  # lost a line we wanted kept
                if kind == "real":
                    doc_real_ok = False
        left = sum(avail.values())
        if left:
            unexpected += left
            for k, v in avail.items():
                if v > 0:
                    unexpected_ex[k] += v
        # Expected clean text: the BBC article plus its near-miss paragraphs.
        if out_lines == [fold(t) for k, t in doc.manifest if k in ("real", "near-miss")]:
            exact += 1
        if doc.synd:
            synd_total += 1
            synd_intact += doc_real_ok

    def share(n, d):
        return (n / d) if d else None

    res = {
        "documents": len(docs),
        "missing_outputs": missing,
        "lines": {k: total[k] for k in kinds},
        "site_removed": share(total["site"] - kept["site"], total["site"]),
        "known_notice_removed": share(total["known-notice"] - kept["known-notice"],
                                      total["known-notice"]),
        "template_removed": share(total["template"] - kept["template"], total["template"]),
        "all_added_removed": share(sum(total[k] - kept[k] for k in KINDS_ADDED),
                                   sum(total[k] for k in KINDS_ADDED)),
        "real_kept": share(kept["real"], total["real"]),
        "near_miss_kept": share(kept["near-miss"], total["near-miss"]),
        "documents_exact": share(exact, len(docs)),
        "documents_exact_count": exact,
        "syndicated_intact": synd_intact,
        "syndicated_copies": synd_total,
        "unexpected_output_lines": unexpected,
        "documents_with_invisible_chars": invisible,
        "examples": {
            "site_left_in": missed["site"].most_common(5),
            "known_notice_left_in": missed["known-notice"].most_common(5),
            "template_left_in": missed["template"].most_common(5),
            "real_removed": missed["real"].most_common(5),
            "near_miss_removed": missed["near-miss"].most_common(5),
            "unexpected_output_lines": unexpected_ex.most_common(5),
        },
    }
    return res


def pct(x):
    return "   n/a" if x is None else f"{100 * x:6.2f} %"


def print_table(res, seconds, rc):
    rows = [
        ("site-specific lines removed", pct(res["site_removed"]), ">= 95 %",
         res["site_removed"], TARGETS["site_removed"], res["lines"]["site"]),
        ("known notices removed", pct(res["known_notice_removed"]), ">= 99 %",
         res["known_notice_removed"], TARGETS["known_notice_removed"],
         res["lines"]["known-notice"]),
        ("template lines removed", pct(res["template_removed"]), ">= 90 %",
         res["template_removed"], TARGETS["template_removed"], res["lines"]["template"]),
        ("real lines kept", pct(res["real_kept"]), ">= 99.8 %",
         res["real_kept"], TARGETS["real_kept"], res["lines"]["real"]),
        ("near-miss lines kept", pct(res["near_miss_kept"]), "100 %",
         res["near_miss_kept"], TARGETS["near_miss_kept"], res["lines"]["near-miss"]),
        ("syndicated copies intact",
         f"{res['syndicated_intact']:>3} / {res['syndicated_copies']}", "20 / 20",
         res["syndicated_intact"], TARGETS["syndicated_intact"], res["syndicated_copies"]),
        ("documents restored exactly", pct(res["documents_exact"]), "-", None, None,
         res["documents"]),
        ("all added lines removed", pct(res["all_added_removed"]), "-", None, None,
         sum(res["lines"][k] for k in KINDS_ADDED)),
    ]
    print()
    print(f"{'measure':<30} {'result':>10}  {'target':<10} {'ok':<4} {'n':>7}")
    print("-" * 66)
    for name, shown, tshown, val, target, n in rows:
        ok = "" if target is None else ("yes" if val is not None and val >= target else "NO")
        print(f"{name:<30} {shown:>10}  {tshown:<10} {ok:<4} {n:>7}")
    print("-" * 66)
    print(f"decruft exit status {rc}, {seconds:.2f} s for {res['documents']} documents; "
          f"missing outputs: {res['missing_outputs']}; lines in output matching no "
          f"manifest line: {res['unexpected_output_lines']}; documents with "
          f"zero-width/soft-hyphen left: {res['documents_with_invisible_chars']}")
    labels = {
        "site_left_in": "site lines left in",
        "known_notice_left_in": "known notices left in",
        "template_left_in": "template lines left in",
        "real_removed": "real lines removed",
        "near_miss_removed": "near-miss lines removed",
        "unexpected_output_lines": "output lines matching no manifest line",
    }
    for key, label in labels.items():
        ex = res["examples"][key]
        if ex:
            print(f"\n{label} (most frequent):")
            for text, n in ex:
                t = text if len(text) <= 100 else text[:97] + "..."
                print(f"  {n:5d}x  {t}")


def targets_met(res):
    return all(res[k] is not None and res[k] >= v for k, v in TARGETS.items())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--decruft", default=os.path.join(REPO, "target", "release", "decruft"),
                    help="decruft binary (default: <repo>/target/release/decruft)")
    ap.add_argument("--bbc", default=os.path.join(REPO, "..", "shared", "corpus", "bbc"),
                    help="folder of clean BBC articles (default: <repo>/../shared/corpus/bbc)")
    ap.add_argument("--docs", type=int, default=0,
                    help="number of BBC articles to use (default: all)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", metavar="DIR",
                    help="keep the dirty input (DIR/in), decruft output (DIR/out) "
                         "and manifest (DIR/manifest.jsonl) here")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if any target is missed")
    ap.add_argument("--generate-only", action="store_true",
                    help="write the documents and manifest (needs --keep), do not run decruft")
    ap.add_argument("decruft_args", nargs="*",
                    help="extra arguments for decruft, after `--` (default: none)")
    args = ap.parse_args()

    if not args.generate_only and not (os.path.isfile(args.decruft)
                                       and os.access(args.decruft, os.X_OK)):
        print(f"run.py: decruft binary not found or not executable: {args.decruft}\n"
                 f"build it with `cargo build --release` in {REPO}, or pass --decruft PATH", file=sys.stderr)
        return 2
    if not os.path.isdir(args.bbc):
        print(f"run.py: BBC corpus not found: {args.bbc} (pass --bbc DIR)", file=sys.stderr)
        return 2
    if args.generate_only and not args.keep:
        sys.exit("run.py: --generate-only needs --keep DIR")

    rng = random.Random(args.seed)
    arts = load_bbc(args.bbc)
    titles = [p[0] for _, p in arts]
    synd_idx = rng.randrange(len(arts))
    synd = arts[synd_idx]
    rest = arts[:synd_idx] + arts[synd_idx + 1:]
    rng.shuffle(rest)
    if args.docs:
        rest = rest[:max(0, args.docs - 1)]

    sites = A.SITES
    docs = []
    for i, (rel, paras) in enumerate(rest):
        site = sites[i % len(sites)]
        d = Doc(f"{site['slug']}/{i:05d}.txt", rel, site)
        d.paras = paras
        docs.append(d)
    for c in range(SYND_COPIES):
        site = sites[(c * 3) % len(sites)]
        d = Doc(f"{site['slug']}/syndicated-{c:02d}.txt", synd[0], site, synd=True)
        d.paras = synd[1]
        docs.append(d)

    # Near-miss sentences: each goes into up to 3 ordinary documents of
    # different sites, so they are rare (as real prose is), not a repeated
    # template that corpus learning would rightly remove.
    ordinary = [d for d in docs if not d.synd]
    nm_for = collections.defaultdict(list)
    for nm in A.NEAR_MISSES:
        used_sites = set()
        for d in rng.sample(ordinary, min(len(ordinary), 12)):
            if d.site["slug"] not in used_sites:
                used_sites.add(d.site["slug"])
                nm_for[d.rel].append(nm)
            if len(used_sites) == 3:
                break

    work = args.keep or tempfile.mkdtemp(prefix="decruft-quality-")
    in_dir = os.path.join(work, "in")
    out_dir = os.path.join(work, "out")
    for p in (in_dir, out_dir):
        if os.path.exists(p):
            shutil.rmtree(p)
    os.makedirs(in_dir)
    for s in sites:
        os.makedirs(os.path.join(in_dir, s["slug"]))

    manifest_path = os.path.join(work, "manifest.jsonl")
    n_legacy = n_crlf = 0
    with open(manifest_path, "w", encoding="utf-8") as mf:
        for d in docs:
            legacy = rng.random() < 0.02
            build_doc(d, d.paras, rng, nm_for.get(d.rel, []), titles)
            text, d.manifest = render(d, rng, legacy)
            crlf = rng.random() < 0.1
            if crlf:
                text = text.replace("\n", "\r\n")
                n_crlf += 1
            if legacy:
                data = text.encode("cp1252", errors="replace")
                n_legacy += 1
            else:
                data = text.encode("utf-8")
            with open(os.path.join(in_dir, d.rel), "wb") as f:
                f.write(data)
            mf.write(json.dumps({"path": d.rel, "gold": d.gold, "site": d.site["slug"],
                                 "syndicated": d.synd,
                                 "encoding": "windows-1252" if legacy else "utf-8",
                                 "crlf": crlf, "lines": d.manifest},
                                ensure_ascii=False) + "\n")
    print(f"wrote {len(docs)} documents ({len(docs) - SYND_COPIES} articles + "
          f"{SYND_COPIES} syndicated copies of {synd[0]}) for {len(sites)} sites "
          f"into {in_dir}; {n_legacy} windows-1252, {n_crlf} CRLF", file=sys.stderr)
    if args.generate_only:
        print(f"manifest: {manifest_path}", file=sys.stderr)
        return 0

    cmd = [args.decruft, in_dir, "-o", out_dir] + args.decruft_args
    print("running: " + " ".join(cmd), file=sys.stderr)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        print(f"decruft exited with status {proc.returncode}; stderr (first lines):",
              file=sys.stderr)
        for l in err[:10]:
            print("  " + l, file=sys.stderr)
    if not os.path.isdir(out_dir):
        os.makedirs(out_dir)
    # Accept OUT/<rel> (mirrors paths below IN) or OUT/in/<rel> (keeps IN's name).
    out_root = out_dir
    if not any(os.path.exists(os.path.join(out_dir, d.rel)) for d in docs[:50]) and \
            os.path.isdir(os.path.join(out_dir, "in")):
        out_root = os.path.join(out_dir, "in")

    res = score(docs, out_root)
    res["decruft"] = args.decruft
    res["command"] = cmd
    res["exit_status"] = proc.returncode
    res["seconds"] = seconds
    res["seed"] = args.seed
    res["targets"] = TARGETS
    res["targets_met"] = targets_met(res)
    print_table(res, seconds, proc.returncode)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(res, f, indent=2, ensure_ascii=False)
            f.write("\n")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"\nkept: {in_dir}, {out_dir}, {manifest_path}")
    if args.check and not res["targets_met"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
