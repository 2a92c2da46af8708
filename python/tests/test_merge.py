"""Merge exactness: any partitioning, order and tree shape of shard
profiles gives the profile the CLI learns on the union."""

import random
import subprocess

import decruft
from conftest import decruft_bin


def test_random_partitionings_merge_exactly(reference):
    want = decruft.Profile.load(reference.profile_path).fingerprint()
    texts = [t for _, t in reference.docs]
    for seed in range(50):
        rng = random.Random(seed)
        order = texts[:]
        rng.shuffle(order)
        one = order[:1] if seed % 2 else []  # a one-document shard
        rest = order[len(one):]
        n = rng.randint(1, 12)
        cuts = sorted(rng.randint(0, len(rest)) for _ in range(n - 1))
        shards = [rest[a:b] for a, b in zip([0] + cuts, cuts + [len(rest)])]
        shards.append([])  # an empty shard
        if one:
            shards.append(one)
        profiles = []
        for s in shards:
            b = decruft.ProfileBuilder()
            b.add_batch(s)
            profiles.append(b.finish())
        rng.shuffle(profiles)
        # A random tree: merge two random neighbours until one is left.
        while len(profiles) > 1:
            i = rng.randrange(len(profiles) - 1)
            a, b = profiles[i], profiles[i + 1]
            merged = a.merge(b) if rng.random() < 0.5 else b.merge(a)
            profiles[i : i + 2] = [merged]
        assert profiles[0].fingerprint() == want, seed
    # and the flat k-way helper
    assert decruft.merge_profiles([decruft.learn(texts[:7]), decruft.learn(texts[7:])]).fingerprint() == want


def test_identity_profile():
    p = decruft.learn(["one line of words\n"] * 3)
    assert decruft.Profile().merge(p) == p and p.merge(decruft.Profile()) == p


def test_file_merge_and_shards_equal_the_union(reference, tmp_path):
    texts = [t for _, t in reference.docs]
    paths = []
    for i in range(4):
        p = tmp_path / f"{i}.profile"
        decruft.learn(texts[i::4]).save(p)
        paths.append(p)
    want = decruft.Profile.load(reference.profile_path)
    out = tmp_path / "all.profile"
    assert decruft.Profile.merge_files(paths, out) == (want.documents, len(want))
    assert decruft.Profile.load(out) == want
    # CLI --shard parts together are the full merge
    entries = 0
    for i in range(3):
        part = tmp_path / f"part{i}"
        r = subprocess.run([decruft_bin(), "learn", "--merge", *map(str, paths), "-o", str(part),
                            "--shard", f"{i}/3"], capture_output=True)
        assert r.returncode == 0, r.stderr.decode()
        entries += len(decruft.Profile.load(part))
        assert decruft.Profile.merge_files(paths, tmp_path / f"py{i}", shard=(i, 3)) == (
            want.documents, len(decruft.Profile.load(part)))
    assert entries == len(want)
