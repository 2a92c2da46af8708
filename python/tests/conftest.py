"""Shared fixtures: a dirty corpus built from ../shared/corpus/bbc, and the
CLI's answers on it (cleaned files, --stats=json, the learned profile).

The corpus uses the artefacts of benches/corpus/artefacts.py (site headers
and footers, known notices, template lines), so corpus learning has work to
do. The slow tier (DECRUFT_SLOW=1) uses 100,000 documents.
"""

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("DECRUFT_SHARED", REPO.parent / "shared"))
sys.path.insert(0, str(REPO / "benches" / "corpus"))
import artefacts as A  # noqa: E402

SLOW = os.environ.get("DECRUFT_SLOW") == "1"


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: the 100,000-document tier (DECRUFT_SLOW=1)")


def pytest_collection_modifyitems(config, items):
    if SLOW:
        return
    skip = pytest.mark.skip(reason="slow tier: set DECRUFT_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def decruft_bin() -> str:
    if os.environ.get("DECRUFT_BIN"):
        return os.environ["DECRUFT_BIN"]
    for kind in ("release", "debug"):
        p = REPO / "target" / kind / "decruft"
        if p.exists():
            return str(p)
    pytest.skip("no decruft binary: run cargo build or set DECRUFT_BIN")


def articles():
    root = SHARED / "corpus" / "bbc"
    if not root.is_dir():
        pytest.skip(f"{root} is missing")
    out = []
    for p in sorted(root.rglob("*.txt")):
        out.append(p.read_bytes().decode("utf-8", "replace"))
    return out


def dirty(article: str, i: int, rng: random.Random) -> str:
    """One scraped-looking document: site header, article with a notice and
    template lines, site footer; mixed line endings now and then."""
    site = A.SITES[i % len(A.SITES)]
    lines = list(site["header"])
    lines.append(A.render_template(site["templates"][0], rng))
    body = [A.mess_line(l, rng) if l.strip() else l for l in article.splitlines()]
    at = rng.randrange(1, max(2, len(body)))
    body[at:at] = rng.choice(A.BODY_NOTICE_GROUPS)
    lines += body
    lines.append(A.render_template(site["templates"][1], rng))
    lines += site["footer"]
    eol = "\r\n" if i % 17 == 0 else "\n"
    return eol.join(lines) + eol


def build_corpus(n: int, seed: int = 8):
    """n documents as (id, text), ids sortable, with a few edge cases."""
    rng = random.Random(seed)
    base = articles()
    docs = []
    for i in range(n):
        a = base[i % len(base)]
        if i >= len(base):  # vary recycled articles so documents stay distinct
            a = f"Report {i}\n\n" + a
        docs.append((f"doc{i:06d}", dirty(a, i, rng)))
    site = A.SITES[0]
    docs.append(("edge-empty", ""))
    docs.append(("edge-only-boilerplate", "\n".join(site["header"] + ["Advertisement"] + site["footer"]) + "\n"))
    docs.append(("edge-unicode", "Caf\u00e9 na\u00efve \u2014 \u201cquoted\u201d\r\rAdvertisement\rLast line"))
    return docs


def write_files(docs, folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, text in docs:
        (folder / f"{doc_id}.txt").write_bytes(text.encode("utf-8"))


def run_cli(docs, tmp: Path, *args):
    """`decruft IN -o OUT --stats=json`: {id: cleaned text}, stats dict."""
    src, out = tmp / "cli-in", tmp / "cli-out"
    write_files(docs, src)
    r = subprocess.run(
        [decruft_bin(), str(src), "-o", str(out), "--stats=json", *args],
        capture_output=True,
    )
    assert r.returncode == 0, r.stderr.decode()
    stats = json.loads(r.stderr.decode().strip().splitlines()[-1])
    cleaned = {}
    for doc_id, _ in docs:
        cleaned[doc_id] = (out / f"{doc_id}.txt").read_bytes().decode("utf-8")
    return cleaned, stats


def cli_learn(docs, tmp: Path, *args) -> Path:
    src = tmp / "cli-learn-in"
    write_files(docs, src)
    out = tmp / "cli.profile"
    r = subprocess.run([decruft_bin(), "learn", str(src), "-o", str(out), *args], capture_output=True)
    assert r.returncode == 0, r.stderr.decode()
    return out


class Reference:
    """The corpus and the CLI's answers, computed once per session."""

    def __init__(self, docs, tmp: Path):
        self.docs = docs
        self.cleaned, self.stats = run_cli(docs, tmp)
        self.profile_path = cli_learn(docs, tmp)
        # What an engine that drops emptied documents must give.
        self.kept = {k: v for k, v in self.cleaned.items() if v}


@pytest.fixture(scope="session")
def corpus():
    return build_corpus(int(os.environ.get("DECRUFT_TEST_DOCS", "600")))


@pytest.fixture(scope="session")
def reference(corpus, tmp_path_factory):
    return Reference(corpus, tmp_path_factory.mktemp("reference"))


@pytest.fixture(scope="session")
def big_reference(tmp_path_factory):
    return Reference(build_corpus(100_000, seed=9), tmp_path_factory.mktemp("big"))


COMPARED_STATS = ("files", "bytes_in", "bytes_out", "lines_in", "lines_kept", "lines_removed", "spans_removed")


def assert_same_stats(cli: dict, ours: dict):
    for key in COMPARED_STATS:
        assert ours[key] == cli[key], key


def assert_same_output(expected: dict, got: dict):
    """Byte-identical texts, compared sorted by document id."""
    assert sorted(got) == sorted(expected)
    for doc_id in sorted(expected):
        assert got[doc_id].encode() == expected[doc_id].encode(), doc_id
