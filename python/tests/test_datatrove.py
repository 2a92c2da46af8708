"""datatrove: learn → merge → filter in LocalPipelineExecutor equals the CLI."""

import gzip
import json
import pickle

import pytest

pytest.importorskip("datatrove")
import dill  # noqa: E402
from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import JsonlReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

import decruft  # noqa: E402
from decruft.datatrove import DecruftFilter, DecruftLearn, DecruftMergeProfiles  # noqa: E402
from conftest import assert_same_output  # noqa: E402


def write_jsonl(docs, folder, files=8):
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(files):
        with open(folder / f"part{f:02d}.jsonl", "w") as out:
            for doc_id, text in docs[f::files]:
                out.write(json.dumps({"id": doc_id, "text": text}) + "\n")


def read_output(folder):
    got = {}
    for p in sorted(folder.rglob("*.jsonl*")):
        opener = gzip.open if p.suffix == ".gz" else open
        with opener(p, "rt") as f:
            for line in f:
                d = json.loads(line)
                got[d["id"]] = d["text"]
    return got


def run_pipeline(docs, tmp, tasks, workers=2, jsonl_files=8):
    src = tmp / "in"
    write_jsonl(docs, src, jsonl_files)
    LocalPipelineExecutor(
        pipeline=[JsonlReader(str(src)), DecruftLearn(str(tmp / "profiles"))],
        tasks=tasks, workers=workers, logging_dir=str(tmp / "log-learn"),
    ).run()
    LocalPipelineExecutor(
        pipeline=[DecruftMergeProfiles(str(tmp / "profiles"), str(tmp / "all.profile"))],
        tasks=1, logging_dir=str(tmp / "log-merge"),
    ).run()
    LocalPipelineExecutor(
        pipeline=[JsonlReader(str(src)), DecruftFilter(str(tmp / "all.profile")),
                  JsonlWriter(str(tmp / "out"))],
        tasks=tasks, workers=workers, logging_dir=str(tmp / "log-clean"),
    ).run()
    stats = json.loads((tmp / "log-clean" / "stats.json").read_text())
    return read_output(tmp / "out"), stats


def filter_stats(stats):
    for step in stats:
        if "decruft" in step["name"]:
            return {k: v["total"] if isinstance(v, dict) else v for k, v in step["stats"].items()}
    raise AssertionError("no decruft step in stats")


@pytest.mark.parametrize("tasks", [1, 3, 4])
def test_pipeline_equals_cli(reference, tmp_path, tasks):
    got, stats = run_pipeline(reference.docs, tmp_path, tasks)
    assert_same_output(reference.kept, got)
    # datatrove's readers skip documents with empty text, so the union it
    # learns is the corpus without them (ProfileBuilder equals the CLI: see
    # test_api.test_learned_profile_equals_cli).
    union = decruft.learn([t for _, t in reference.docs if t])
    assert decruft.Profile.load(tmp_path / "all.profile").fingerprint() == union.fingerprint()
    ours = filter_stats(stats)
    for group in ("lines_removed", "spans_removed"):
        counts = {k.split("/", 1)[1]: v for k, v in ours.items() if k.startswith(group + "/")}
        assert counts == reference.stats[group], group
    inputs = dict(reference.docs)
    assert ours["dropped_decruft_empty"] == sum(1 for k, v in reference.cleaned.items() if not v and inputs[k])


def test_steps_pickle(reference, tmp_path):
    steps = [DecruftLearn(str(tmp_path), repeat_min=3), DecruftMergeProfiles(str(tmp_path), "x.profile"),
             DecruftFilter(str(reference.profile_path)), DecruftFilter(decruft.Profile.load(reference.profile_path))]
    steps[-1].cleaner()  # built objects are not pickled
    for step in steps:
        for mod in (pickle, dill):
            copy = mod.loads(mod.dumps(step))
            assert type(copy) is type(step)
            assert copy.__dict__.keys() == step.__dict__.keys()
    doc_filter = pickle.loads(pickle.dumps(steps[-1]))
    assert doc_filter.cleaner().profile_lines > 0


def test_bad_option_fails_at_construction():
    with pytest.raises(TypeError, match="unknown option"):
        DecruftFilter(no_such_option=True)


@pytest.mark.slow
def test_pipeline_equals_cli_100k(big_reference, tmp_path):
    got, stats = run_pipeline(big_reference.docs, tmp_path, tasks=4, jsonl_files=16)
    assert_same_output(big_reference.kept, got)
    union = decruft.learn([t for _, t in big_reference.docs if t])
    assert decruft.Profile.load(tmp_path / "all.profile").fingerprint() == union.fingerprint()
    ours = filter_stats(stats)
    for group in ("lines_removed", "spans_removed"):
        counts = {k.split("/", 1)[1]: v for k, v in ours.items() if k.startswith(group + "/")}
        assert counts == big_reference.stats[group], group
