"""The Python API: equivalence with the CLI, stats, explain, errors,
pickling, fork and the GIL."""

import os
import pickle
import threading
import time

import pytest

import decruft
from conftest import assert_same_output, assert_same_stats


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    """Rules of our own, so these tests do not depend on the built-in pack."""
    p = tmp_path_factory.mktemp("rules") / "t.rules"
    p.write_text("^Advertisement$\n^Share this article Facebook Twitter Email$\nspan:\\[ad\\]\n")
    return str(p)


def clean_like_cli(docs, **options):
    texts = [t for _, t in docs]
    builder = decruft.ProfileBuilder(**options)
    builder.add_batch(texts)
    cleaner = decruft.Cleaner(builder.finish(), **options)
    cleaned, stats = cleaner.clean_batch(texts)
    return {d: c for (d, _), c in zip(docs, cleaned)}, stats


@pytest.mark.parametrize("threads", [1, 3])
def test_clean_batch_equals_cli(reference, threads):
    got, stats = clean_like_cli(reference.docs, threads=threads)
    assert_same_output(reference.cleaned, got)
    assert_same_stats(reference.stats, stats)
    assert stats["documents"] == len(reference.docs)
    assert stats["documents_emptied"] == sum(1 for v in reference.cleaned.values() if not v)
    assert stats["chars_in"] == sum(len(t) for _, t in reference.docs)
    assert stats["chars_out"] == sum(len(v) for v in reference.cleaned.values())


def test_learned_profile_equals_cli(reference):
    builder = decruft.ProfileBuilder()
    builder.add_batch([t for _, t in reference.docs])
    ours = builder.finish()
    cli = decruft.Profile.load(reference.profile_path)
    assert ours.fingerprint() == cli.fingerprint()
    assert ours == cli
    assert ours.to_bytes() == reference.profile_path.read_bytes()


def test_profile_path_and_object_clean_alike(reference):
    texts = [t for _, t in reference.docs[:50]]
    a = decruft.Cleaner(reference.profile_path).clean_batch(texts)[0]
    b = decruft.Cleaner(decruft.Profile.load(reference.profile_path)).clean_batch(texts)[0]
    assert a == b


def test_clean_one(rules):
    c = decruft.Cleaner(rules=rules)
    assert c.clean("Storm hits coast\n\nAdvertisement\n\nHomes   were flooded.\r\n") == (
        "Storm hits coast\n\nHomes were flooded.\n"
    )
    assert c.clean(b"caf\xe9 au lait\n") == "café au lait\n"


def test_explain_offsets_are_code_points(rules):
    text = ("Caf\u00e9 \U0001F600 story\r\nAdvertisement\rBody  line [ad] \u00e9 end\n"
            "Share this article Facebook Twitter Email\n")
    (removed,), stats = decruft.Cleaner(rules=rules).explain_batch([text])
    assert [(text[s:e], r) for s, e, r in removed] == [
        ("Advertisement", rules + ":1"),
        ("[ad]", rules + ":3"),
        ("Share this article Facebook Twitter Email", rules + ":2"),
    ]
    assert stats["lines_removed"] == {rules + ":1": 1, rules + ":2": 1}
    assert stats["spans_removed"] == {rules + ":3": 1}


def test_explain_covers_every_removal(reference):
    texts = [t for _, t in reference.docs[:100]]
    cleaner = decruft.Cleaner(reference.profile_path)
    removed, stats = cleaner.explain_batch(texts)
    total = sum(stats["lines_removed"].values()) + sum(stats["spans_removed"].values())
    assert sum(len(r) for r in removed) == total
    for text, spans in zip(texts, removed):
        for s, e, reason in spans:
            assert 0 <= s <= e <= len(text) and reason


def test_options_are_the_clis(rules):
    assert "no_repeat" in decruft.OPTIONS and "repeat_min" in decruft.OPTIONS
    text = "Hello there\nHello there\nEnd of story.\n"
    assert decruft.Cleaner().clean(text) == "End of story.\n"
    assert decruft.Cleaner(no_repeat=True).clean(text) == text
    assert decruft.Cleaner(rules=[rules]).clean("Advertisement\n") == ""
    assert decruft.Cleaner(rules=rules, no_strip=True).clean("Advertisement\n") == "Advertisement\n"
    assert decruft.Cleaner(window="64K", max_line="1M", ascii_quotes=True).clean("\u201cq\u201d\n") == '"q"\n'


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: decruft.Cleaner(bogus=1), TypeError, "unknown option 'bogus'"),
        (lambda: decruft.Cleaner(repeat_min=1), ValueError, "repeat_min"),
        (lambda: decruft.Cleaner(encoding="nope"), ValueError, "unknown encoding"),
        (lambda: decruft.Cleaner(window="lots"), ValueError, "not a size"),
        (lambda: decruft.Cleaner(nfkc=True, no_unicode_normalisation=True), ValueError, "together"),
        (lambda: decruft.Cleaner(rules="/nonexistent.rules"), ValueError, "nonexistent"),
        (lambda: decruft.Cleaner(profile=42), TypeError, "expected a Profile or a path"),
        (lambda: decruft.Cleaner().clean(42), TypeError, "expected str or bytes, got int"),
        (lambda: decruft.Cleaner().clean_batch(["ok", 3]), TypeError, "document 1"),
        (lambda: decruft.Cleaner().clean_batch("abc"), TypeError, "single string"),
        (lambda: decruft.Cleaner().clean("\ud800 lone surrogate"), ValueError, "not valid Unicode"),
        (lambda: decruft.Cleaner().clean("bin\x00ary"), decruft.DecruftError, "binary"),
        (lambda: decruft.Cleaner(strict=True).clean(b"\xff\xfe\xfd bad \xc3"), decruft.DecruftError, ""),
        (lambda: decruft.Cleaner().clean_batch(["a"], on_error="x"), ValueError, "on_error"),
        (lambda: decruft.Profile.from_bytes(b"garbage"), decruft.ProfileError, "shorter than a profile header"),
        (lambda: decruft.Profile.load("/nonexistent.profile"), FileNotFoundError, ""),
    ],
)
def test_errors_are_python_exceptions(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


def test_bad_documents_can_be_skipped():
    cleaned, stats = decruft.Cleaner().clean_batch(["fine\n", "bin\x00ary"], on_error="none")
    assert cleaned == ["fine\n", None]
    assert stats["documents_failed"] == 1 and stats["files_failed"] == 1


def test_corrupt_profile_file(tmp_path):
    p = tmp_path / "bad.profile"
    good = decruft.learn(["a line of text here\n"] * 3).to_bytes()
    p.write_bytes(good[:-7])
    with pytest.raises(decruft.ProfileError, match="truncated"):
        decruft.Cleaner(p)
    with pytest.raises(decruft.ProfileError, match="bad.profile"):
        decruft.Profile.load(p)


def test_profile_learned_with_other_options_is_refused():
    p = decruft.learn(["Some line of words\nanother line\n"] * 6, no_repeat=True)
    with pytest.raises(decruft.ProfileError, match="other options"):
        decruft.Cleaner(p)
    with pytest.raises(decruft.ProfileError, match="different options"):
        p.merge(decruft.learn(["Some line of words\n"] * 6))


def test_profile_round_trips(tmp_path, reference):
    import dill

    p = decruft.Profile.load(reference.profile_path)
    for mod in (pickle, dill):
        q = mod.loads(mod.dumps(p))
        assert q == p and q.fingerprint() == p.fingerprint()
    assert decruft.Profile.from_bytes(p.to_bytes()) == p
    p.save(tmp_path / "x.profile")
    assert decruft.Profile.load(tmp_path / "x.profile") == p
    assert p.documents == len(reference.docs) and len(p) > 0


def _fork_and_clean(threads):
    cleaner = decruft.Cleaner(threads=threads)
    docs = ["Headline\nShare\nBody text here.\nShare\n"] * 2000
    cleaner.clean_batch(docs)  # the parent's pool is now running
    pid = os.fork()
    if pid == 0:  # child: must finish, with the same cleaner and a new one
        try:
            ok = cleaner.clean_batch(docs)[0][0] == "Headline\nBody text here.\n"
            ok &= decruft.Cleaner(threads=threads).clean(docs[0]) == "Headline\nBody text here.\n"
            os._exit(0 if ok else 3)
        except BaseException:
            os._exit(4)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail("forked child did not finish within 10 s")


@pytest.mark.parametrize("threads", [1, 2])
def test_fork_after_clean(threads):
    _fork_and_clean(threads)


def test_gil_is_released():
    doc = "Headline\nShare\nShare\n" + "Body text of a long article goes on. " * 20 + "\n"
    cleaner = decruft.Cleaner()
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.005)

    t = threading.Thread(target=ticker)
    t.start()
    time.sleep(0.05)
    # One call has to last long enough to count ticks in it; on an idle
    # machine 60,000 documents took under 0.2 s, so the batch doubles
    # until it does.
    for n in (60000, 120000, 240000, 480000):
        start = len(ticks)
        t0 = time.monotonic()
        cleaner.clean_batch([doc] * n)
        elapsed = time.monotonic() - t0
        during = len(ticks) - start
        if elapsed > 0.2:
            break
    stop.set()
    t.join()
    assert elapsed > 0.2, "batch too short to tell"
    # With the GIL held the ticker would not run at all during the batch.
    assert during >= 0.3 * elapsed / 0.005 * 0.5, (during, elapsed)
