"""Ray Data (num_cpus=2): learn_profile + clean equal the CLI for 1 and 8
blocks."""

import pytest

pytest.importorskip("ray")

import decruft  # noqa: E402
import decruft.ray  # noqa: E402
from conftest import assert_same_output  # noqa: E402


@pytest.fixture(scope="module")
def ray_session():
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    yield ray
    ray.shutdown()


def run(ray, docs, blocks):
    ds = ray.data.from_items([{"id": i, "text": t} for i, t in docs]).repartition(blocks)
    profile = decruft.ray.learn_profile(ds, "text")
    out = decruft.ray.clean(ds, profile, "text", drop_empty=True)
    return profile, {r["id"]: r["text"] for r in out.take_all()}


@pytest.mark.parametrize("blocks", [1, 8])
def test_ray_equals_cli(ray_session, reference, blocks):
    profile, got = run(ray_session, reference.docs, blocks)
    assert profile.fingerprint() == decruft.Profile.load(reference.profile_path).fingerprint()
    assert_same_output(reference.kept, got)


@pytest.mark.slow
def test_ray_equals_cli_100k(ray_session, big_reference):
    profile, got = run(ray_session, big_reference.docs, 8)
    assert profile.fingerprint() == decruft.Profile.load(big_reference.profile_path).fingerprint()
    assert_same_output(big_reference.kept, got)
