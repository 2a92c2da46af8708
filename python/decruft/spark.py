"""decruft on Spark (PySpark): learn a profile per partition and merge them
with ``treeReduce``; clean with the profile broadcast as bytes through
``mapInArrow``.

::

    profile = decruft.spark.learn_profile(df, "text")
    cleaned = decruft.spark.clean(df, profile, "text")

Importing this module does not import pyspark; the functions use the
DataFrame they are given. ``options`` are the Cleaner's, the same for both
calls (``threads`` defaults to 1: Spark parallelises across partitions).
"""

from __future__ import annotations

import uuid

from . import Cleaner, Profile, ProfileBuilder

__all__ = ["learn_profile", "clean"]

_BATCH = 1000


def _learn_partition(options):
    def run(rows):
        builder = ProfileBuilder(**options)
        batch = []
        for row in rows:
            value = row[0]
            if value is None:
                continue
            batch.append(value)
            if len(batch) >= _BATCH:
                builder.add_batch(batch)
                batch = []
        if batch:
            builder.add_batch(batch)
        yield builder.finish().to_bytes()

    return run


def _merge_bytes(a: bytes, b: bytes) -> bytes:
    return Profile.from_bytes(a).merge(Profile.from_bytes(b)).to_bytes()


def learn_profile(df, column: str = "text", *, depth: int = 2, **options) -> Profile:
    """One profile per partition (``mapPartitions``), merged by
    ``treeReduce``: the same profile as ``decruft learn`` on all rows
    (null rows are skipped)."""
    ProfileBuilder(**options)  # fail on the driver on a bad option
    parts = df.select(column).rdd.mapPartitions(_learn_partition(options))
    if parts.getNumPartitions() == 0:
        return ProfileBuilder(**options).finish()
    return Profile.from_bytes(parts.treeReduce(_merge_bytes, depth=depth))


# Python workers are reused across tasks: keep the last cleaner per
# (broadcast, options) so a profile is not rebuilt for every partition.
_CACHE: dict = {}


def _cleaner(token, bc, options) -> Cleaner:
    key = (token, tuple(sorted(options.items(), key=lambda kv: kv[0])))
    try:
        cleaner = _CACHE.get(key)
    except TypeError:  # unhashable option values (a list of rules files)
        key, cleaner = None, None
    if cleaner is None:
        data = bc.value if bc is not None else None
        cleaner = Cleaner(Profile.from_bytes(data) if data is not None else None, **options)
        if key is not None:
            _CACHE.clear()
            _CACHE[key] = cleaner
    return cleaner


def clean(df, profile: Profile | None, column: str = "text", *, drop_empty: bool = False, **options):
    """``df`` with ``column`` cleaned (string or binary column; the result is a
    string column). A row that cannot be cleaned becomes null; with
    ``drop_empty=True`` rows that cleaning emptied (or nulled) are dropped."""
    import pyspark.sql.types as T

    Cleaner(**options)  # fail on the driver on a bad option
    spark = df.sparkSession
    bc = spark.sparkContext.broadcast(profile.to_bytes()) if profile is not None else None
    token = uuid.uuid4().hex  # names this call's profile in the worker cache
    fields = [f.name for f in df.schema.fields]
    index = fields.index(column)
    schema = T.StructType(
        [
            T.StructField(column, T.StringType(), True) if i == index else f
            for i, f in enumerate(df.schema.fields)
        ]
    )

    def run(batches):
        import pyarrow as pa
        import pyarrow.compute as pc

        cleaner = _cleaner(token, bc, options)
        for rb in batches:
            values = rb.column(index).to_pylist()
            present = [v for v in values if v is not None]
            cleaned, _ = cleaner.clean_batch(present, on_error="none")
            it = iter(cleaned)
            out = [None if v is None else next(it) for v in values]
            arrays = list(rb.columns)
            arrays[index] = pa.array(out, type=pa.string())
            rb = pa.RecordBatch.from_arrays(arrays, names=rb.schema.names)
            if drop_empty:
                col = rb.column(index)
                rb = rb.filter(pc.fill_null(pc.not_equal(col, ""), False))
            yield rb

    return df.mapInArrow(run, schema)
