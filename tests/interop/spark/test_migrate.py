"""Spark reads what `deltaline migrate-parquet` makes of a small Hive-partitioned
legacy Parquet tree (int, escaped string, date and null partitions), converted in place
and copied: the rows deltaline reads, partition columns typed, and DESCRIBE HISTORY
shows the CONVERT.
"""

import datetime

import pyarrow as pa
import pyarrow.parquet as pq

from spark_support import spark, spark_read, sql, ident, assert_same_as_spark  # noqa: F401

PARTS = [(1, "x%2Fy", "2024-01-05"), (2, "a b", "__HIVE_DEFAULT_PARTITION__"),
         ("__HIVE_DEFAULT_PARTITION__", "é", "2024-02-29")]


def legacy_tree(root):
    for seed, (n, s, d) in enumerate(PARTS):
        path = root / f"n={n}" / f"s={s}" / f"d={d}"
        path.mkdir(parents=True)
        pq.write_table(pa.table({"id": [seed * 10, seed * 10 + 1], "v": ["a", None]}),
                       str(path / "part-0.parquet"))


def test_spark_reads_migrated_tables(deltaline, spark, tmp_path):
    src = tmp_path / "legacy"
    legacy_tree(src)
    copy = tmp_path / "copy"
    deltaline.run("migrate-parquet", src, copy, "--verify")
    deltaline.run("migrate-parquet", src, "--in-place", "--verify")
    for table in (copy, src):
        rows = assert_same_as_spark(deltaline, spark, table)
        assert rows.num_rows == 6
        theirs = spark_read(spark, table)
        assert theirs.schema.field("n").type == pa.int32()
        assert theirs.schema.field("d").type == pa.date32()
        by_id = {r["id"]: r for r in theirs.to_pylist()}
        assert by_id[0]["s"] == "x/y" and by_id[0]["d"] == datetime.date(2024, 1, 5)
        assert by_id[10]["d"] is None and by_id[20]["n"] is None
    history = sql(spark, f"DESCRIBE HISTORY {ident(src)}")
    assert history[0]["operation"] == "CONVERT"
