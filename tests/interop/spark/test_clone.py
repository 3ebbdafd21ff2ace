"""Clones made by deltaline, read by Spark: a deep and a shallow clone of a Spark table
(partitioned, an escaped partition value, deletion vectors) at an earlier version read
the rows Spark reads from the source at that version, and Spark's history shows CLONE.
"""

import json

from conftest import assert_same_rows
from spark_support import ident, spark, spark_read, sql  # noqa: F401 (fixture)


def test_spark_reads_deep_and_shallow_clones(deltaline, spark, tmp_path):
    source = tmp_path / "source"
    t = ident(source)
    sql(spark, f"CREATE TABLE {t} (id BIGINT, part STRING) USING delta PARTITIONED BY "
               "(part) TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')")
    sql(spark, f"INSERT INTO {t} SELECT /*+ COALESCE(1) */ id, IF(id % 2 = 0, 'a/b', "
               "'c d') FROM range(0, 20)")
    sql(spark, f"DELETE FROM {t} WHERE id % 5 = 0")  # version 2: deletion vectors
    sql(spark, f"INSERT OVERWRITE {t} SELECT 99, 'z'")  # version 3: all replaced
    expected = spark_read(spark, source, 2)
    assert expected.num_rows == 16

    for name, extra in (("deep", []), ("shallow", ["--shallow"])):
        clone = tmp_path / name
        out = deltaline.run("clone", source, clone, "--version", "2", "--json", *extra)
        result = json.loads(out.stdout)
        assert result["sourceVersion"] == 2 and result["shallow"] == (name == "shallow")
        assert_same_rows(spark_read(spark, clone), expected)
        assert_same_rows(deltaline.read(clone), expected)
        history = sql(spark, f"DESCRIBE HISTORY {ident(clone)}")
        assert [row["operation"] for row in history] == ["CLONE"]
        assert history[0]["operationParameters"]["sourceVersion"] == "2"
