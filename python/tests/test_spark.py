"""Spark local[2]: learn_profile + clean equal the CLI for 1, 3 and 8
partitions."""

import os
import sys

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")

import decruft  # noqa: E402
import decruft.spark  # noqa: E402
from conftest import assert_same_output  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    s = (
        SparkSession.builder.master("local[2]")
        .appName("decruft-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "256")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def run(spark, docs, partitions):
    df = spark.createDataFrame(docs, "id string, text string").repartition(partitions)
    profile = decruft.spark.learn_profile(df, "text")
    out = decruft.spark.clean(df, profile, "text", drop_empty=True)
    return profile, {r["id"]: r["text"] for r in out.collect()}


@pytest.mark.parametrize("partitions", [1, 3, 8])
def test_spark_equals_cli(spark, reference, partitions):
    profile, got = run(spark, reference.docs, partitions)
    assert profile.fingerprint() == decruft.Profile.load(reference.profile_path).fingerprint()
    assert_same_output(reference.kept, got)


@pytest.mark.slow
def test_spark_equals_cli_100k(spark, big_reference, tmp_path):
    # At this size the data goes through files, as in production: a Python
    # list given to createDataFrame and a collect() of the result would both
    # sit in the driver's JVM heap (local mode: the executors' too) and run
    # it out of memory.
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "in.parquet"
    ids, texts = zip(*big_reference.docs)
    pq.write_table(pa.table({"id": list(ids), "text": list(texts)}), src, row_group_size=4096)
    df = spark.read.parquet(str(src)).repartition(8)
    profile = decruft.spark.learn_profile(df, "text")
    assert profile.fingerprint() == decruft.Profile.load(big_reference.profile_path).fingerprint()
    out = tmp_path / "out"
    decruft.spark.clean(df, profile, "text", drop_empty=True).write.parquet(str(out))
    got = pq.read_table(out).to_pydict()
    assert_same_output(big_reference.kept, dict(zip(got["id"], got["text"])))
