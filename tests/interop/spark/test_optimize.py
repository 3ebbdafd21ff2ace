"""deltaline optimize -> Spark: after bin-packing and after Z-ordering a small
partitioned table, Spark reads the rows deltaline reads (and wrote), and Spark's
DESCRIBE HISTORY shows OPTIMIZE with its parameters and metrics."""

import json

import pyarrow as pa

from conftest import assert_same_rows
from spark_support import spark, spark_read, sql, ident, assert_same_as_spark  # noqa: F401


def test_spark_reads_optimized_table(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    written = []
    for append in range(4):
        ids = list(range(append * 50, (append + 1) * 50))
        data = pa.table({"id": pa.array(ids, pa.int64()),
                         "p": pa.array([i % 2 for i in ids], pa.int32()),
                         "x": pa.array([(i * 37) % 101 for i in ids], pa.int64()),
                         "y": pa.array([(i * 53) % 97 for i in ids], pa.int64())})
        written.append(data)
        extra = ["--partition-by", "p"] if append == 0 else ["--mode", "append"]
        deltaline.write(table, data, tmp_path, *extra)
    expected = pa.concat_tables(written)

    deltaline.run("optimize", table)
    assert_same_rows(assert_same_as_spark(deltaline, spark, table), expected)
    deltaline.run("optimize", table, "--zorder-by", "x,y")
    assert_same_rows(assert_same_as_spark(deltaline, spark, table), expected)

    history = sql(spark, f"DESCRIBE HISTORY {ident(table)}")
    assert [h["operation"] for h in history[:2]] == ["OPTIMIZE", "OPTIMIZE"]
    assert json.loads(history[0]["operationParameters"]["zOrderBy"]) == ["x", "y"]
    assert json.loads(history[1]["operationParameters"]["zOrderBy"]) == []
    assert history[1]["operationMetrics"]["numFilesRemoved"] == "8"
    assert history[1]["operationMetrics"]["numFilesAdded"] == "2"
    assert history[0]["isBlindAppend"] is False
