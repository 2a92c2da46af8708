"""decruft on Ray Data: learn one profile per block with ``map_batches`` and
merge them; clean with a callable class in an actor pool, the profile shared
through the object store.

::

    profile = decruft.ray.learn_profile(ds, "text")
    cleaned = decruft.ray.clean(ds, profile, "text")

Importing this module does not import ray. ``options`` are the Cleaner's,
the same for both calls (``threads`` defaults to 1: Ray parallelises across
blocks).
"""

from __future__ import annotations

from . import Cleaner, Profile, ProfileBuilder, merge_profiles

__all__ = ["learn_profile", "clean"]


def _learn_block(table, column, options):
    import pyarrow as pa

    builder = ProfileBuilder(**options)
    values = [v for v in table.column(column).to_pylist() if v is not None]
    for i in range(0, len(values), 1000):
        builder.add_batch(values[i : i + 1000])
    return pa.table({"profile": pa.array([builder.finish().to_bytes()], type=pa.binary())})


def learn_profile(ds, column: str = "text", **options) -> Profile:
    """One profile per block (``map_batches`` over whole blocks), merged on
    the driver: the same profile as ``decruft learn`` on all rows."""
    ProfileBuilder(**options)  # fail on the driver on a bad option
    parts = ds.map_batches(
        _learn_block,
        fn_kwargs={"column": column, "options": options},
        batch_format="pyarrow",
        batch_size=None,
    ).take_all()
    profiles = [ProfileBuilder(**options).finish()]
    profiles += [Profile.from_bytes(r["profile"]) for r in parts]
    return merge_profiles(profiles)


class _Clean:
    """The actor: builds its Cleaner once, then cleans batch after batch."""

    def __init__(self, profile_ref, column, options, drop_empty):
        import ray

        data = ray.get(profile_ref[0]) if profile_ref else None
        self.cleaner = Cleaner(Profile.from_bytes(data) if data is not None else None, **options)
        self.column = column
        self.drop_empty = drop_empty

    def __call__(self, table):
        import pyarrow as pa
        import pyarrow.compute as pc

        index = table.schema.get_field_index(self.column)
        values = table.column(index).to_pylist()
        present = [v for v in values if v is not None]
        cleaned, _ = self.cleaner.clean_batch(present, on_error="none")
        it = iter(cleaned)
        out = pa.array([None if v is None else next(it) for v in values], type=pa.string())
        table = table.set_column(index, self.column, out)
        if self.drop_empty:
            table = table.filter(pc.fill_null(pc.not_equal(out, ""), False))
        return table


def clean(ds, profile: Profile | None, column: str = "text", *, concurrency: int | None = None,
          batch_size: int = 1000, drop_empty: bool = False, **options):
    """``ds`` with ``column`` cleaned by an actor pool of ``concurrency``
    actors at most (default: the cluster's CPUs). A row that cannot be cleaned
    becomes null; with ``drop_empty=True`` emptied rows are dropped."""
    import ray

    Cleaner(**options)  # fail on the driver on a bad option
    if concurrency is None:
        concurrency = max(1, int(ray.cluster_resources().get("CPU", 1)))
    # Start with one actor and grow to `concurrency`: a pool that takes every
    # CPU up front starves the tasks that feed it (a repartition upstream).
    ref = [ray.put(profile.to_bytes())] if profile is not None else None
    return ds.map_batches(
        _Clean,
        fn_constructor_kwargs={"profile_ref": ref, "column": column, "options": options,
                               "drop_empty": drop_empty},
        batch_format="pyarrow",
        batch_size=batch_size,
        compute=ray.data.ActorPoolStrategy(min_size=1, max_size=concurrency),
    )
