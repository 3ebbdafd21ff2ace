"""Spark -> deltaline for the table features that change no rows but what a reader
shows: in-commit timestamps (time travel by timestamp), row tracking (row ids), liquid
clustering (describe), and variant (rendered as JSON text).

Each test has Spark write a tiny table here and compares deltaline with what Spark
itself answers: the version `timestampAsOf` picks, `_metadata.row_id` and
`_metadata.row_commit_version`, `to_json(v)`.
"""

import datetime
import json
import os

import pyarrow as pa

from conftest import assert_same_rows
from spark_support import (spark, spark_read, sql, ident, assert_same_as_spark,  # noqa: F401
                           assert_refused, log_dir, protocol_of)

UTC = datetime.timezone.utc


def _set_commit_mtime(table, version, when: datetime.datetime) -> None:
    path = log_dir(table) / f"{version:020d}.json"
    seconds = when.timestamp()
    os.utime(path, (seconds, seconds))


def _spark_version_at(spark, table, when: datetime.datetime):
    """The version Spark's timestampAsOf reads at `when`, or None when Spark refuses."""
    spark._jvm.org.apache.spark.sql.delta.DeltaLog.clearCache()
    text = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    try:
        df = spark.read.format("delta").option("timestampAsOf", text).load(str(table))
        return sorted(r["id"] for r in df.collect())
    except Exception:  # noqa: BLE001 - Spark's AnalysisException (out of range)
        return None


def _deltaline_rows_at(deltaline, table, when: datetime.datetime):
    text = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    proc = deltaline.run("read", table, "--format", "jsonl", "--timestamp", text,
                         check=False)
    if proc.returncode != 0:
        assert b"VersionNotFound" in proc.stderr, proc.stderr
        return None
    return sorted(json.loads(line)["id"] for line in proc.stdout.splitlines())


def test_in_commit_timestamps_time_travel_matches_spark(deltaline, spark, tmp_path):
    """ICT switched on at version 2 of a table. File times of the commits after it are
    moved to the distant past and those before it apart from their commitInfo times,
    so only a reader that uses ICT from the enablement version on, and file times
    before it, picks the versions Spark picks."""
    table = tmp_path / "t"
    sql(spark, f"CREATE TABLE {ident(table)} (id INT) USING delta")            # v0
    sql(spark, f"INSERT INTO {ident(table)} VALUES (1)")                          # v1
    sql(spark, f"ALTER TABLE {ident(table)} SET TBLPROPERTIES "
               "('delta.enableInCommitTimestamps' = 'true')")                     # v2
    sql(spark, f"INSERT INTO {ident(table)} VALUES (2)")                          # v3
    sql(spark, f"INSERT INTO {ident(table)} VALUES (3)")                          # v4
    assert "inCommitTimestamp" in protocol_of(table)["writerFeatures"]
    now = datetime.datetime.now(UTC)
    _set_commit_mtime(table, 0, now - datetime.timedelta(hours=3))
    _set_commit_mtime(table, 1, now - datetime.timedelta(hours=2))
    for version in (3, 4):
        _set_commit_mtime(table, version, datetime.datetime(2001, 1, 1, tzinfo=UTC))

    history = deltaline.history(table)
    stamps = {c["version"]: c["timestamp"] for c in history}
    spark._jvm.org.apache.spark.sql.delta.DeltaLog.clearCache()
    theirs = {r["version"]: r["ms"] for r in
              spark.sql(f"DESCRIBE HISTORY {ident(table)}")
              .selectExpr("version", "unix_millis(timestamp) AS ms").collect()}
    assert stamps == theirs

    def at(ms):
        return datetime.datetime.fromtimestamp(ms / 1000, tz=UTC)

    # Each probe is a Spark read: a few well-chosen ones keep the test fast.
    probes = [now - datetime.timedelta(hours=4),      # before everything
              now - datetime.timedelta(minutes=150),  # v0 by file time
              now - datetime.timedelta(minutes=90),   # v1 by file time
              at(stamps[2]),                          # the enabling commit's ICT
              at((stamps[2] + stamps[3]) // 2),       # v2 by ICT
              at(stamps[4])]                          # v4 by ICT
    checked = 0
    for when in probes:
        expected = _spark_version_at(spark, table, when)
        ours = _deltaline_rows_at(deltaline, table, when)
        if expected is None:
            assert ours is None, when
        else:
            assert ours == expected, when
            checked += 1
    assert checked == 5


def _spark_row_ids(spark, table) -> pa.Table:
    spark._jvm.org.apache.spark.sql.delta.DeltaLog.clearCache()
    return spark.sql(f"SELECT *, _metadata.row_id AS _row_id, "
                     f"_metadata.row_commit_version AS _row_commit_version "
                     f"FROM {ident(table)}").toArrow()


def test_row_ids_equal_spark_metadata_row_id(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    sql(spark, f"CREATE TABLE {ident(table)} (id INT, s STRING) USING delta "
               "TBLPROPERTIES ('delta.enableRowTracking' = 'true')")
    sql(spark, f"INSERT INTO {ident(table)} VALUES (1, 'a'), (2, 'b'), (3, 'c')")
    sql(spark, f"INSERT INTO {ident(table)} VALUES (4, 'd'), (5, 'e')")
    # An update rewrites a file: its kept rows carry materialised ids and versions.
    sql(spark, f"UPDATE {ident(table)} SET s = 'B' WHERE id = 2")
    sql(spark, f"OPTIMIZE {ident(table)}")
    sql(spark, f"INSERT INTO {ident(table)} VALUES (6, 'f')")
    ours = deltaline.read(table, "--with-row-ids")
    assert ours.column_names[-2:] == ["_row_id", "_row_commit_version"]
    theirs = _spark_row_ids(spark, table)
    assert_same_rows(ours, theirs)
    assert len(set(ours["_row_id"].to_pylist())) == 6
    # The older version too (before OPTIMIZE and the update).
    old = deltaline.read(table, "--with-row-ids", "--version", "2")
    assert sorted(old["_row_id"].to_pylist()) == [0, 1, 2, 3, 4]
    # Deletion vectors: row ids stay the physical positions of the rows that survive.
    dvs = tmp_path / "dvs"
    sql(spark, f"CREATE TABLE {ident(dvs)} (id INT, s STRING) USING delta "
               "TBLPROPERTIES ('delta.enableRowTracking' = 'true', "
               "'delta.enableDeletionVectors' = 'true')")
    sql(spark, f"INSERT INTO {ident(dvs)} SELECT /*+ COALESCE(1) */ id, 'x' "
               "FROM VALUES (1), (2), (3), (4), (5), (6) AS v(id)")
    sql(spark, f"DELETE FROM {ident(dvs)} WHERE id IN (2, 3)")
    sql(spark, f"UPDATE {ident(dvs)} SET s = 'y' WHERE id = 5")
    assert '"deletionVector"' in "".join(p.read_text() for p in log_dir(dvs).glob("*.json"))
    ours = deltaline.read(dvs, "--with-row-ids")
    assert_same_rows(ours, _spark_row_ids(spark, dvs))
    assert {r["id"]: r["_row_id"] for r in ours.to_pylist()}[6] == 5
    # Without row tracking the request is refused by name.
    plain = tmp_path / "plain"
    sql(spark, f"CREATE TABLE {ident(plain)} (id INT) USING delta")
    sql(spark, f"INSERT INTO {ident(plain)} VALUES (1)")
    assert_refused(deltaline, plain, "rowTracking", "--with-row-ids")


def test_clustered_table_after_optimize(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    sql(spark, f"CREATE TABLE {ident(table)} (a INT, b STRING, c INT) USING delta "
               "CLUSTER BY (a, b)")
    sql(spark, f"INSERT INTO {ident(table)} VALUES (3, 'x', 1), (1, 'y', 2)")
    sql(spark, f"INSERT INTO {ident(table)} VALUES (2, 'z', 3), (1, 'x', 4)")
    sql(spark, f"OPTIMIZE {ident(table)}")
    assert "clustering" in protocol_of(table)["writerFeatures"]
    described = deltaline.describe(table)
    assert described["clusteringColumns"] == [["a"], ["b"]]
    assert "delta.clustering" in described["domainMetadata"]
    text = deltaline.run("describe", table).stdout.decode()
    assert "clustered by:   a, b\n" in text, text
    assert_same_as_spark(deltaline, spark, table)
    assert_same_as_spark(deltaline, spark, table, 1)


def test_variant_rows_as_json_text_equal_spark_to_json(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    sql(spark, f"CREATE TABLE {ident(table)} (id INT, v VARIANT, a ARRAY<VARIANT>) "
               "USING delta")
    values = ['{"a": [1, 2], "b": {"c": "x", "d": null}}', '"text"', "12345678901",
              "1.50", "-7", "true", "null", '[1.25e3, "s", false, {}]',
              '{"k": "' + "long string " * 10 + '"}']
    selects = [f"SELECT {idx}, parse_json('{text}'), array(parse_json('{text}'), NULL)"
               for idx, text in enumerate(values)]
    selects.append(f"SELECT {len(values)}, CAST(NULL AS VARIANT), NULL")
    sql(spark, f"INSERT INTO {ident(table)} " + " UNION ALL ".join(selects))
    assert "variantType" in protocol_of(table)["readerFeatures"] or \
        "variantType-preview" in protocol_of(table)["readerFeatures"]

    spark._jvm.org.apache.spark.sql.delta.DeltaLog.clearCache()
    theirs = {r["id"]: (r["v"], r["a"]) for r in spark.sql(
        f"SELECT id, to_json(v) AS v, transform(a, x -> to_json(x)) AS a "
        f"FROM {ident(table)}").collect()}
    proc = deltaline.run("read", table, "--format", "jsonl")
    ours = {}
    for line in proc.stdout.decode().splitlines():
        row = json.loads(line)
        ours[row["id"]] = (row["v"], row["a"])
    assert set(ours) == set(theirs)

    def parsed(text):
        return None if text is None else json.loads(text)

    for key, (v, a) in theirs.items():
        assert parsed(ours[key][0]) == parsed(v), key
        assert (None if ours[key][1] is None else [parsed(x) for x in ours[key][1]]) == \
            (None if a is None else [parsed(x) for x in a]), key
    # The exact text for the values whose rendering is unambiguous.
    assert ours[0][0] == theirs[0][0]
    assert ours[3][0] == theirs[3][0] == "1.5"  # a decimal without trailing zeros
    # CSV holds the top-level variant as text too.
    csv = deltaline.run("read", table, "--format", "csv", "--columns", "id,v").stdout
    assert b'"{""a"":[1,2],""b"":{""c"":""x"",""d"":null}}"' in csv, csv
