"""RESTORE: Spark reads a table `deltaline restore` brought back to an older version,
and Spark's DESCRIBE HISTORY shows the commit as its own RESTORE."""

import json
import os
import time

import pyarrow as pa

from conftest import assert_same_rows
from spark_support import spark, ident, spark_read  # noqa: F401


def ids(values) -> pa.Table:
    return pa.table({"id": pa.array(values, pa.int64())})


def test_spark_reads_the_restored_table_and_its_history(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    deltaline.write(table, ids([1, 2, 3]), tmp_path)
    deltaline.write(table, ids([4]), tmp_path, "--mode", "append")
    deltaline.write(table, ids([9]), tmp_path, "--mode", "overwrite")

    out = json.loads(deltaline.run("restore", table, "--version", "1", "--json").stdout)
    assert out["version"] == 3
    assert (out["numRestoredFiles"], out["numRemovedFiles"]) == (2, 1)

    theirs = spark_read(spark, table)
    assert sorted(theirs.column("id").to_pylist()) == [1, 2, 3, 4]
    assert_same_rows(deltaline.read(table), theirs)

    row = spark.sql(f"DESCRIBE HISTORY {ident(table)} LIMIT 1").collect()[0]
    assert row["version"] == 3
    assert row["operation"] == "RESTORE"
    assert row["operationParameters"]["version"] == "1"
    metrics = row["operationMetrics"]
    assert metrics["numRestoredFiles"] == "2"
    assert metrics["numRemovedFiles"] == "1"
    assert metrics["numOfFilesAfterRestore"] == "2"
    assert int(metrics["tableSizeAfterRestore"]) > 0


def test_spark_opens_every_version_cleanup_log_kept(deltaline, spark, tmp_path):
    table = tmp_path / "c"
    deltaline.write(table, ids([0]), tmp_path, "--property", "delta.checkpointInterval=5")
    for i in range(1, 8):
        deltaline.write(table, ids([i]), tmp_path, "--mode", "append")
    old = time.time() - 40 * 86400
    for f in (table / "_delta_log").iterdir():
        if f.name[:20].isdigit() and int(f.name[:20]) <= 6:
            os.utime(f, (old, old))
    out = json.loads(deltaline.run("cleanup-log", table, "--json").stdout)
    assert out["checkpointVersion"] == 5
    assert out["files"] == [f"{v:020d}.json" for v in range(5)]
    for version in (5, 6, 7):
        rows = spark_read(spark, table, version).column("id").to_pylist()
        assert sorted(rows) == list(range(version + 1))
