"""Change data feed: `deltaline read --changes` against Spark's `readChangeFeed`.

Spark writes CDF-enabled tables here (inserts, UPDATE, DELETE, MERGE; with and without
deletion vectors; partitioned and not), then deltaline's changes for a range of
versions must be Spark's rows for the same range, ignoring order: the data columns,
`_change_type`, `_commit_version` and `_commit_timestamp` (Spark's is the commit
file's modification time, made strictly increasing; deltaline reports the same).
"""

import datetime

import pyarrow as pa
import pytest

from conftest import assert_same_rows
from spark_support import spark, sql, ident, commit_versions  # noqa: F401


def spark_changes(spark, table, start, end=None, by_time=False) -> pa.Table:
    spark._jvm.org.apache.spark.sql.delta.DeltaLog.clearCache()
    reader = spark.read.format("delta").option("readChangeFeed", "true")
    key = "Timestamp" if by_time else "Version"
    reader = reader.option(f"starting{key}", start)
    if end is not None:
        reader = reader.option(f"ending{key}", end)
    return reader.load(str(table)).toArrow()


def our_changes(deltaline, table, start, end=None, by_time=False) -> pa.Table:
    flag = "timestamp" if by_time else "version"
    extra = ["--changes", f"--from-{flag}", start]
    if end is not None:
        extra += [f"--to-{flag}", end]
    return deltaline.read(table, *extra)


def build_table(spark, table, deletion_vectors, partitioned):
    """Six commits: create, insert, UPDATE, DELETE, MERGE, an OPTIMIZE."""
    t = ident(table)
    partition = "PARTITIONED BY (part)" if partitioned else ""
    dvs = "true" if deletion_vectors else "false"
    sql(spark, f"CREATE TABLE {t} (id INT, name STRING, part STRING) USING delta "
               f"{partition} TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true', "
               f"'delta.enableDeletionVectors' = '{dvs}')")
    sql(spark, f"INSERT INTO {t} VALUES (1, 'a', 'x'), (2, 'b', 'x'), (3, 'c', 'y'), "
               "(4, 'd', 'y'), (5, 'e', 'x'), (6, 'f', 'y'), (7, 'g', 'x')")
    sql(spark, f"UPDATE {t} SET name = upper(name) WHERE id IN (2, 6)")
    sql(spark, f"DELETE FROM {t} WHERE id IN (3, 7)")
    spark.createDataFrame([(1, "A1", "x"), (4, None, "y"), (8, "h", "y")],
                          "id INT, name STRING, part STRING").createOrReplaceTempView("src")
    sql(spark, f"MERGE INTO {t} AS t USING src AS s ON t.id = s.id "
               "WHEN MATCHED AND s.name IS NULL THEN DELETE "
               "WHEN MATCHED THEN UPDATE SET t.name = s.name "
               "WHEN NOT MATCHED THEN INSERT *")
    sql(spark, f"OPTIMIZE {t}")
    assert commit_versions(table) == list(range(6))


CONFIGS = {"plain-partitioned": (False, True), "dv": (True, False),
           "dv-partitioned": (True, True)}


@pytest.fixture(scope="module")
def built(spark, tmp_path_factory):
    """Each configuration's table, built once for the module's tests."""
    tables = {}

    def get(name):
        if name not in tables:
            table = tmp_path_factory.mktemp("cdf") / name
            build_table(spark, table, *CONFIGS[name])
            tables[name] = table
        return tables[name]
    return get


@pytest.mark.parametrize("config", list(CONFIGS))
def test_changes_match_spark(deltaline, spark, built, config):
    table = built(config)
    for start, end in [(0, None), (2, 4)]:
        ours = our_changes(deltaline, table, start, end)
        theirs = spark_changes(spark, table, start, end)
        assert_same_rows(ours, theirs)
        if start == 0:
            assert ours.num_rows > 10
            assert set(ours["_change_type"].to_pylist()) == {
                "insert", "delete", "update_preimage", "update_postimage"}
    # v5, the OPTIMIZE, changes no data.
    assert our_changes(deltaline, table, 5, 5).num_rows == 0


def test_changes_by_timestamp_match_spark(deltaline, spark, built):
    table = built("dv")
    all_changes = our_changes(deltaline, table, 0)
    times = {}
    for version, stamp in zip(all_changes["_commit_version"].to_pylist(),
                              all_changes["_commit_timestamp"].to_pylist()):
        times[version] = stamp
    # Exactly at a commit, and 1 ms after one (then the next commit starts the range).
    # deltaline takes RFC 3339 in UTC; Spark reads a zoneless time in its zone, UTC.
    ours_text = lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # noqa: E731
    spark_text = lambda t: t.strftime("%Y-%m-%d %H:%M:%S.%f")  # noqa: E731
    just_after = times[1] + datetime.timedelta(milliseconds=1)
    for start, end in [(times[1], times[3]), (just_after, times[4])]:
        ours = our_changes(deltaline, table, ours_text(start), ours_text(end), by_time=True)
        theirs = spark_changes(spark, table, spark_text(start), spark_text(end),
                               by_time=True)
        assert_same_rows(ours, theirs)
        assert ours.num_rows > 0
    assert min(our_changes(deltaline, table, ours_text(just_after), by_time=True)
               ["_commit_version"].to_pylist()) == 2


def test_refuses_range_with_cdf_off(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    t = ident(table)
    sql(spark, f"CREATE TABLE {t} (id INT) USING delta "
               "TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')")
    sql(spark, f"INSERT INTO {t} VALUES (1)")
    sql(spark, f"ALTER TABLE {t} SET TBLPROPERTIES ('delta.enableChangeDataFeed' = 'false')")
    sql(spark, f"INSERT INTO {t} VALUES (2)")
    assert_same_rows(our_changes(deltaline, table, 0, 1), spark_changes(spark, table, 0, 1))
    for start in (0, 2):
        proc = deltaline.run("read", table, "--changes", "--from-version", start,
                             check=False)
        assert proc.returncode == 1
        stderr = proc.stderr.decode()
        assert "ChangeDataNotRecorded" in stderr and "at version 2" in stderr, stderr
        with pytest.raises(Exception, match="DELTA_MISSING_CHANGE_DATA|not recorded"):
            spark_changes(spark, table, start)
