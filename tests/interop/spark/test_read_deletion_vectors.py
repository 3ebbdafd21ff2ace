"""Deletion vectors written by Spark: deltaline reads the live rows Spark reads.

Spark (delta.enableDeletionVectors) marks rows deleted by DELETE, UPDATE and MERGE in
deletion vectors instead of rewriting files. Each table here is read by deltaline at
every version, latest and earlier ones, and compared with Spark; `describe` counts the
live rows; writes stay refused by name (deltaline writes no DVs).
"""

import json

from spark_support import (
    assert_same_as_spark,
    checkpoint_files,
    commit_versions,
    ident,
    log_dir,
    spark,  # noqa: F401 (fixture)
    spark_read,
    sql,
)

_DV_TABLE = ("USING delta {partition} TBLPROPERTIES ('delta.enableDeletionVectors' = 'true', "
             "'delta.checkpointInterval' = '3')")


def _dv_actions(table) -> list:
    """Every add.deletionVector of the commits, oldest first."""
    found = []
    for path in sorted(log_dir(table).glob("*.json")):
        for line in path.read_text().splitlines():
            action = json.loads(line) if line.strip() else {}
            dv = (action.get("add") or {}).get("deletionVector")
            if dv:
                found.append(dv)
    return found


def _assert_same_as_spark_at(deltaline, spark, table, versions):
    """Rows equal to Spark's at `versions` and at the latest; describe counts them."""
    for version in versions:
        assert_same_as_spark(deltaline, spark, table, version)
    ours = assert_same_as_spark(deltaline, spark, table)
    described = deltaline.describe(table)
    assert described["numRecords"] == ours.num_rows
    return described


def _make_table(spark, table, partitioned):
    partition = "PARTITIONED BY (part)" if partitioned else ""
    sql(spark, f"CREATE TABLE {ident(table)} (id BIGINT, part STRING, v STRING) "
               + _DV_TABLE.format(partition=partition))
    # Two inserts, so that each partition has two files; one task per insert keeps the
    # files few and their DVs many-rowed.
    for first in (0, 40):
        sql(spark, f"INSERT INTO {ident(table)} SELECT /*+ COALESCE(1) */ id, "
                   f"IF(id % 3 = 0, 'a', 'b'), CONCAT('v', id) FROM range({first}, {first + 40})")


def _run_dml(spark, table):
    t = ident(table)
    sql(spark, f"DELETE FROM {t} WHERE id % 7 = 1")                   # DVs on every file
    sql(spark, f"UPDATE {t} SET v = 'updated' WHERE id BETWEEN 10 AND 15")
    sql(spark, f"MERGE INTO {t} AS target USING (SELECT id FROM range(30, 50)) AS source "
               "ON target.id = source.id AND source.id % 2 = 0 "
               "WHEN MATCHED AND target.id < 40 THEN DELETE "
               "WHEN MATCHED THEN UPDATE SET v = 'merged'")
    sql(spark, f"DELETE FROM {t} WHERE id % 7 = 2")                   # a DV replaces a DV


def _check(deltaline, spark, table, versions):
    assert _dv_actions(table), "Spark wrote no deletion vector: the table tests nothing"
    assert checkpoint_files(table), "no checkpoint between the commits"
    described = _assert_same_as_spark_at(deltaline, spark, table, versions)
    assert described["numFilesWithDeletionVectors"] > 0
    assert described["numDeletedRows"] > 0
    _assert_write_refused(deltaline, table)


def _assert_write_refused(deltaline, table):
    """deltaline writes no DVs, so it must not delete from (or write to) a DV table."""
    proc = deltaline.run("delete", table, "--predicate", "id = 0", check=False)
    stderr = proc.stderr.decode(errors="replace")
    assert proc.returncode == 1, stderr
    assert "UnsupportedFeature [deletionVectors]" in stderr, stderr


def test_deletion_vectors_unpartitioned(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    _make_table(spark, table, partitioned=False)
    _run_dml(spark, table)
    # After each DML (3: DELETE, with the checkpoint; 4: UPDATE; 5: MERGE), and the
    # latest (6), where a second DELETE replaced DVs, read from the checkpoint at 6.
    assert commit_versions(table)[-1] == 6
    _check(deltaline, spark, table, [3, 4, 5])


def test_deletion_vectors_partitioned(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    _make_table(spark, table, partitioned=True)
    _run_dml(spark, table)
    _check(deltaline, spark, table, [3, 5])
    # A filter on the partition and a data column: pruning with DVs keeps live matches.
    ours = deltaline.read(table, "--filter", "part = 'b' AND id >= 20")
    theirs = spark.read.format("delta").load(str(table)).where("part = 'b' AND id >= 20")
    assert sorted(ours.column("id").to_pylist()) == sorted(r["id"] for r in theirs.collect())


def test_single_row_and_whole_file_deletes(deltaline, spark, tmp_path):
    """One-row DVs, then a DELETE that leaves a file without live rows (Spark removes
    it rather than keep a DV of every row). Inline DVs, which Spark writes only in
    special cases, are covered by src/delta/scan/deleted_row_filter_test.cc."""
    table = tmp_path / "t"
    sql(spark, f"CREATE TABLE {ident(table)} (id BIGINT) " + _DV_TABLE.format(partition=""))
    sql(spark, f"INSERT INTO {ident(table)} SELECT /*+ COALESCE(1) */ id FROM range(0, 20)")
    sql(spark, f"INSERT INTO {ident(table)} SELECT /*+ COALESCE(1) */ id FROM range(20, 30)")
    sql(spark, f"DELETE FROM {ident(table)} WHERE id = 3 OR id = 25")
    sql(spark, f"DELETE FROM {ident(table)} WHERE id >= 20")
    assert _assert_same_as_spark_at(deltaline, spark, table, [3])["numRecords"] == 19
