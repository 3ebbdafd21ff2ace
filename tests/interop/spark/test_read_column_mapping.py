"""Spark -> deltaline: column mapping (modes `name` and `id`) and type widening.

Spark writes each table here, with renames (of a data column, of the partition column,
of a struct field and of a field inside an array of structs), drops and adds, files
before and after each change, and type changes with files of both widths. deltaline
must read every version with Spark's rows, prune with the physical names that
`add.stats` and `partitionValues` use, and keep refusing writes to such tables.
"""

import datetime
import decimal
import json
import re

import pyarrow as pa
import pyarrow.parquet as pq

from conftest import write_ipc_file
from spark_support import (spark, spark_read, sql, ident, assert_same_as_spark,  # noqa: F401
                           commit_versions, log_dir, protocol_of)

_WRITE_REFUSAL = re.compile(r"^deltaline: error: UnsupportedFeature \[([^\]]+)\]: ")


def _schema_fields(table) -> dict:
    """The newest schema's top-level fields by logical name (from the commit files)."""
    schema = None
    for path in sorted(log_dir(table).glob("*.json")):
        for line in path.read_text().splitlines():
            action = json.loads(line) if line.strip() else {}
            if "metaData" in action:
                schema = json.loads(action["metaData"]["schemaString"])
    return {f["name"]: f for f in schema["fields"]}


def _data_file_columns(table) -> set:
    names = set()
    for path in table.rglob("*.parquet"):
        if "_delta_log" not in path.parts:
            names.update(pq.read_schema(path).names)
    return names


def _read_filtered(deltaline, table, predicate):
    proc = deltaline.run("read", table, "--format", "ipc", "--filter", predicate,
                         "--metrics-json")
    metrics = json.loads(proc.stderr.decode().strip().splitlines()[-1])
    return pa.ipc.open_stream(proc.stdout).read_all(), metrics


def _assert_versions_same_as_spark(deltaline, spark, table, versions):
    """Each of `versions` and the latest read as Spark reads them (every version would
    cost Spark a second each)."""
    assert max(versions) < max(commit_versions(table))
    for version in versions:
        assert_same_as_spark(deltaline, spark, table, version)
    return assert_same_as_spark(deltaline, spark, table)


def _assert_writes_refused(deltaline, spark, table, tmp_path, feature, predicate):
    """An append of a row of the table's own and a delete are refused by name."""
    data = tmp_path / "more.arrow"
    write_ipc_file(data, spark_read(spark, table).slice(0, 1))
    for command in (["write", table, "--input", data, "--mode", "append"],
                    ["delete", table, "--predicate", predicate]):
        proc = deltaline.run(*command, check=False)
        stderr = proc.stderr.decode(errors="replace").strip()
        assert proc.returncode == 1, f"{command[0]}: exit {proc.returncode}: {stderr}"
        match = _WRITE_REFUSAL.match(stderr)
        assert match and match.group(1) == feature, stderr


def test_column_mapping_name_renames_drops_adds(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    t = ident(table)
    # Files written before column mapping: physical names are the logical ones.
    sql(spark, f"CREATE TABLE {t} (id BIGINT, name STRING, part STRING, "
               "s STRUCT<a: INT, b: STRING>) USING delta PARTITIONED BY (part)")
    sql(spark, f"INSERT INTO {t} VALUES (1, 'one', 'p1', named_struct('a', 10, 'b', 'x')), "
               "(2, 'two', 'p2', named_struct('a', 20, 'b', 'y'))")
    sql(spark, f"ALTER TABLE {t} SET TBLPROPERTIES ('delta.columnMapping.mode' = 'name', "
               "'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')")
    sql(spark, f"ALTER TABLE {t} RENAME COLUMN name TO label")
    sql(spark, f"ALTER TABLE {t} RENAME COLUMN part TO region")
    sql(spark, f"ALTER TABLE {t} RENAME COLUMN s.a TO alpha")
    sql(spark, f"INSERT INTO {t} VALUES (3, 'three', 'p1', named_struct('alpha', 30, 'b', 'z'))")
    sql(spark, f"ALTER TABLE {t} ADD COLUMNS (extra INT)")
    sql(spark, f"INSERT INTO {t} VALUES (4, 'four', 'p3', named_struct('alpha', 40, 'b', 'w'), 7)")
    # Dropped and added again under the same name: a new physical name, so the old
    # files' values must not come back.
    sql(spark, f"ALTER TABLE {t} DROP COLUMN label")
    sql(spark, f"ALTER TABLE {t} ADD COLUMNS (label STRING)")
    sql(spark, f"INSERT INTO {t} VALUES (5, 'p3', named_struct('alpha', 50, 'b', 'v'), 8, 'five')")

    fields = _schema_fields(table)
    assert fields["label"]["metadata"]["delta.columnMapping.physicalName"] not in ("name",
                                                                                  "label")
    assert fields["region"]["metadata"]["delta.columnMapping.physicalName"] == "part"
    assert "name" in _data_file_columns(table)  # the old files keep the old names
    # v1: before column mapping; v5: every rename, old files only; v9: `label` dropped.
    ours = _assert_versions_same_as_spark(deltaline, spark, table, [1, 5, 9])
    assert ours.column_names == ["id", "region", "s", "extra", "label"]
    assert ours.schema.field("s").type == pa.struct([("alpha", pa.int32()), ("b", pa.string())])
    got = {r["id"]: r for r in ours.to_pylist()}
    assert got[1]["label"] is None and got[5]["label"] == "five"
    assert got[1]["s"]["alpha"] == 10 and got[1]["region"] == "p1"
    # The output carries logical names only: no column-mapping metadata to confuse a
    # consumer (describe still shows it).
    for field in ours.schema:
        assert not any(k.startswith(b"delta.columnMapping") for k in (field.metadata or {}))
    described = {f["name"]: f for f in deltaline.describe(table)["schema"]["fields"]}
    assert "delta.columnMapping.physicalName" in described["region"]["metadata"]

    # Pruning by partition (physical key "part") and by stats of a renamed column.
    rows, metrics = _read_filtered(deltaline, table, "region = 'p3'")
    assert sorted(rows["id"].to_pylist()) == [4, 5]
    assert metrics["filesSkippedByPartition"] >= 2, metrics
    rows, metrics = _read_filtered(deltaline, table, "s.alpha >= 40")
    assert sorted(rows["id"].to_pylist()) == [4, 5]
    assert metrics["filesSkippedByStats"] >= 2, metrics
    rows, metrics = _read_filtered(deltaline, table, "extra = 8")
    assert rows["id"].to_pylist() == [5]
    # Files written before `extra` existed have no stats for it and are read.
    assert metrics["filesSkippedByStats"] == 1, metrics

    _assert_writes_refused(deltaline, spark, table, tmp_path, "columnMapping", "id = 1")


def test_column_mapping_id_nested_and_partition(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    t = ident(table)
    sql(spark, f"CREATE TABLE {t} (id BIGINT, v STRING, day DATE, "
               "arr ARRAY<STRUCT<x: INT, y: STRING>>, m MAP<STRING, STRUCT<z: INT>>) "
               "USING delta PARTITIONED BY (day) "
               "TBLPROPERTIES ('delta.columnMapping.mode' = 'id')")
    sql(spark, f"INSERT INTO {t} VALUES (1, 'a', DATE'2024-01-01', "
               "array(named_struct('x', 1, 'y', 'p')), map('k', named_struct('z', 1)))")
    sql(spark, f"INSERT INTO {t} VALUES (2, 'b', DATE'2024-01-02', "
               "array(named_struct('x', 2, 'y', 'q'), null), map('k', named_struct('z', 2)))")
    sql(spark, f"ALTER TABLE {t} RENAME COLUMN v TO w")
    sql(spark, f"ALTER TABLE {t} RENAME COLUMN day TO d")
    sql(spark, f"ALTER TABLE {t} RENAME COLUMN arr.element.x TO x2")
    sql(spark, f"ALTER TABLE {t} RENAME COLUMN m.value.z TO z2")
    sql(spark, f"ALTER TABLE {t} DROP COLUMN arr.element.y")
    sql(spark, f"INSERT INTO {t} VALUES (3, 'c', DATE'2024-01-03', "
               "array(named_struct('x2', 3)), map('k', named_struct('z2', 3)))")
    sql(spark, f"ALTER TABLE {t} ADD COLUMNS (n INT)")
    sql(spark, f"INSERT INTO {t} VALUES (4, 'd', DATE'2024-01-03', NULL, NULL, 9)")

    assert "delta.columnMapping.id" in _schema_fields(table)["w"]["metadata"]
    assert not ({"v", "w", "day", "d"} & _data_file_columns(table))  # physical names only
    # v7: renamed and dropped, old files only.
    ours = _assert_versions_same_as_spark(deltaline, spark, table, [7])
    assert ours.column_names == ["id", "w", "d", "arr", "m", "n"]
    got = {r["id"]: r for r in ours.to_pylist()}
    assert got[2]["arr"] == [{"x2": 2}, {"x2": None}]  # Spark stores the null as such
    assert got[1]["m"] == [("k", {"z2": 1})]
    assert got[1]["d"] == datetime.date(2024, 1, 1)

    rows, metrics = _read_filtered(deltaline, table, "w = 'c'")
    assert rows["id"].to_pylist() == [3]
    assert metrics["filesSkippedByStats"] + metrics["filesSkippedByPartition"] == 3, metrics
    rows, metrics = _read_filtered(deltaline, table, "d = DATE '2024-01-03'")
    assert sorted(rows["id"].to_pylist()) == [3, 4]
    assert metrics["filesSkippedByPartition"] == 2, metrics

    _assert_writes_refused(deltaline, spark, table, tmp_path, "columnMapping", "id = 1")


def test_type_widening_files_of_both_widths(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    t = ident(table)
    sql(spark, f"CREATE TABLE {t} (k INT, b TINYINT, s SMALLINT, i INT, f FLOAT, "
               "d DECIMAL(5, 2), dt DATE, i2d INT) USING delta "
               "TBLPROPERTIES ('delta.enableTypeWidening' = 'true', "
               "'delta.feature.timestampNtz' = 'supported')")
    sql(spark, f"INSERT INTO {t} VALUES (1, 127, 32767, 2147483647, 1.5, 123.45, "
               "DATE'2024-02-29', 7), (2, -128, NULL, -2147483648, NULL, -0.01, NULL, NULL)")
    for column, wider in (("b", "BIGINT"), ("s", "BIGINT"), ("i", "BIGINT"),
                          ("f", "DOUBLE"), ("d", "DECIMAL(10, 4)"),
                          ("dt", "TIMESTAMP_NTZ"), ("i2d", "DOUBLE")):
        sql(spark, f"ALTER TABLE {t} CHANGE COLUMN {column} TYPE {wider}")
    sql(spark, f"INSERT INTO {t} VALUES (3, 9223372036854775807, 40000, 5000000000, "
               "0.1, 123456.7891, TIMESTAMP_NTZ'2024-03-01 12:34:56.789', 0.25)")

    assert "typeWidening" in protocol_of(table)["readerFeatures"]
    assert "delta.typeChanges" in _schema_fields(table)["dt"]["metadata"]
    # v8: narrow files only, wide schema.
    ours = _assert_versions_same_as_spark(deltaline, spark, table, [8])
    assert ours.schema.field("b").type == pa.int64()
    assert ours.schema.field("d").type == pa.decimal128(10, 4)
    assert ours.schema.field("dt").type == pa.timestamp("us")
    assert not any(b"delta.typeChanges" in (f.metadata or {}) for f in ours.schema)
    got = {r["k"]: r for r in ours.to_pylist()}
    assert got[1]["dt"] == datetime.datetime(2024, 2, 29)
    assert got[1]["d"] == decimal.Decimal("123.4500")
    assert got[1]["i2d"] == 7.0

    # Old files' stats are in the narrower type: a date max of 2024-02-29 bounds the
    # widened midnight value, so the first file can be skipped, never a matching one.
    for predicate, want in (("dt >= TIMESTAMP_NTZ '2024-02-29 00:00:00'", [1, 3]),
                            ("dt > TIMESTAMP_NTZ '2024-02-29 00:00:00'", [3]),
                            ("i > 2147483647", [3]), ("d < 0", [2])):
        rows, metrics = _read_filtered(deltaline, table, predicate)
        assert sorted(rows["k"].to_pylist()) == want, (predicate, metrics)
    rows, metrics = _read_filtered(deltaline, table, "dt > TIMESTAMP_NTZ '2024-03-01 00:00:00'")
    assert rows["k"].to_pylist() == [3]
    assert metrics["filesRead"] == 1, metrics

    _assert_writes_refused(deltaline, spark, table, tmp_path, "typeWidening", "k = 1")
