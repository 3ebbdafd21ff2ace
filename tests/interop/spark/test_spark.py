"""Interop with Apache Spark + Delta Lake (pyspark and the delta-spark jars), both ways.

deltaline -> Spark: tables written by the deltaline CLI must read in Spark with the rows
deltaline itself reads: every type with nulls, nested columns, checkpoints (also after
the commits before the checkpoint are deleted), overwrites, old versions, and a
`DESCRIBE HISTORY` that lists deltaline's operations.

Spark -> deltaline: tables Spark writes here (appends, overwrites, partitions,
checkpoints single- and multi-part, struct-only or no stats, table features) must
either read through `deltaline read --format ipc` with the rows Spark reads, or be
refused with `UnsupportedFeature [<feature>]`. Never wrong values, never a crash.

One Spark session serves the whole run (session-scoped fixture): starting the JVM is
most of the cost. The versions are pinned in scripts/requirements.txt (pyspark) and
scripts/fetch-spark-jars.sh (delta-spark jars from Maven Central).
"""

import datetime
import decimal
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import all_types_table, assert_same_rows
from spark_support import (spark, spark_read, sql, ident, assert_same_as_spark,  # noqa: F401
                           assert_refused, log_dir, commit_versions, checkpoint_files,
                           drop_commits_before, protocol_of)

# ---------------------------------------------------------------------------
# deltaline -> Spark
# ---------------------------------------------------------------------------

SPARK_TYPES = {
    "b": "boolean", "i8": "tinyint", "i16": "smallint", "i32": "int", "i64": "bigint",
    "f32": "float", "f64": "double", "dec": "decimal(10,2)", "s": "string",
    "bin": "binary", "d": "date", "ts": "timestamp", "ntz": "timestamp_ntz",
    "st": "struct<x:int,y:string>", "l": "array<bigint>", "m": "map<string,bigint>",
}


def test_spark_reads_all_types(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    data = all_types_table(num_rows=12)
    deltaline.write(table, data, tmp_path)

    spark._jvm.org.apache.spark.sql.delta.DeltaLog.clearCache()
    df = spark.read.format("delta").load(str(table))
    assert dict(df.dtypes) == SPARK_TYPES
    theirs = df.toArrow()
    assert_same_rows(theirs, data)
    assert_same_rows(deltaline.read(table), theirs)


def test_spark_reads_versions_overwrite_and_history(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    batches = [all_types_table(seed=seed, num_rows=3 + seed) for seed in range(4)]
    deltaline.write(table, batches[0], tmp_path)
    deltaline.write(table, batches[1], tmp_path, "--mode", "append")
    deltaline.write(table, batches[2], tmp_path, "--mode", "overwrite")
    deltaline.write(table, batches[3], tmp_path, "--mode", "append")
    expected = [batches[0], pa.concat_tables(batches[:2]), batches[2],
                pa.concat_tables(batches[2:])]

    assert_same_rows(spark_read(spark, table), expected[3])
    for version, want in enumerate(expected):
        theirs = spark_read(spark, table, version)
        assert_same_rows(theirs, want)
        assert_same_rows(deltaline.read(table, "--version", version), theirs)

    history = sql(spark, f"DESCRIBE HISTORY {ident(table)}")
    assert [h["version"] for h in history] == [3, 2, 1, 0]
    assert [h["operation"] for h in history] == ["WRITE"] * 4
    assert [h["operationParameters"]["mode"] for h in history] == [
        "Append", "Overwrite", "Append", "ErrorIfExists"]
    assert all(h["engineInfo"].startswith("deltaline/") for h in history)
    assert history[0]["readVersion"] == 2
    assert history[1]["operationMetrics"]["numRemovedFiles"] == "2"


def test_spark_reads_checkpoints_and_truncated_log(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    batches = [all_types_table(seed=seed, num_rows=3) for seed in range(6)]
    deltaline.write(table, batches[0], tmp_path, "--property", "delta.checkpointInterval=2")
    for batch in batches[1:5]:
        deltaline.write(table, batch, tmp_path, "--mode", "append")
    assert "00000000000000000004.checkpoint.parquet" in checkpoint_files(table)
    assert_same_rows(spark_read(spark, table), pa.concat_tables(batches[:5]))
    assert_same_rows(spark_read(spark, table, 3), pa.concat_tables(batches[:4]))

    deltaline.write(table, batches[5], tmp_path, "--mode", "append")
    deltaline.run("checkpoint", table)
    assert "00000000000000000005.checkpoint.parquet" in checkpoint_files(table)
    drop_commits_before(table, 5)
    assert commit_versions(table) == [5]

    everything = pa.concat_tables(batches)
    theirs = spark_read(spark, table)
    assert_same_rows(theirs, everything)
    assert_same_rows(deltaline.read(table), theirs)
    detail = sql(spark, f"DESCRIBE DETAIL {ident(table)}")[0]
    assert detail["numFiles"] == 6
    assert detail["properties"]["delta.checkpointInterval"] == "2"
    # The versions whose commits are gone: both sides agree they can't be read.
    with pytest.raises(Exception):
        spark_read(spark, table, 3)
    assert deltaline.run("read", table, "--version", 3, check=False).returncode == 1

    # A commit on top of the checkpoint-only log.
    deltaline.write(table, batches[0], tmp_path, "--mode", "append")
    assert_same_rows(spark_read(spark, table), pa.concat_tables([everything, batches[0]]))
    assert [h["version"] for h in sql(spark, f"DESCRIBE HISTORY {ident(table)}")] == [6, 5]


# ---------------------------------------------------------------------------
# Spark -> deltaline
# ---------------------------------------------------------------------------


def spark_frame(spark, data: pa.Table, tmp_path):
    """A Spark DataFrame of `data`, through a Parquet file pyarrow writes."""
    src = tmp_path / f"src-{len(list(tmp_path.glob('src-*')))}.parquet"
    pq.write_table(data, src)
    return spark.read.parquet(str(src))


def test_deltaline_reads_spark_all_types(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    data = all_types_table(num_rows=12)
    df = spark_frame(spark, data, tmp_path)
    assert dict(df.dtypes) == SPARK_TYPES
    df.write.format("delta").save(str(table))

    protocol = protocol_of(table)
    assert "timestampNtz" in protocol["readerFeatures"]
    ours = assert_same_as_spark(deltaline, spark, table)
    assert_same_rows(ours, data)


def test_deltaline_reads_spark_partitioned_appends_and_overwrites(deltaline, spark, tmp_path):
    table = tmp_path / "t"

    def batch(seed, regions):
        n = 6
        return pa.table({
            "id": pa.array(range(seed * 100, seed * 100 + n), pa.int64()),
            "region": pa.array([regions[i % len(regions)] for i in range(n)], pa.string()),
            "bucket": pa.array([None if i % 4 == 3 else i % 2 for i in range(n)], pa.int32()),
            "day": pa.array([datetime.date(2024, 1, 1 + seed) for _ in range(n)],
                            pa.date32()),
            "amount": pa.array([decimal.Decimal(seed * 100 + i) / 4 for i in range(n)],
                               pa.decimal128(12, 2)),
        })

    parts = ["region", "bucket", "day"]
    b0 = batch(0, ["eu", "us/west", "a b=c"])
    b1 = batch(1, ["eu", "", "ünï"])
    b2 = batch(2, ["us/west", "%2F"])
    b3 = batch(3, ["eu"])
    spark_frame(spark, b0, tmp_path).write.format("delta").partitionBy(*parts) \
        .save(str(table))
    spark_frame(spark, b1, tmp_path).write.format("delta").mode("append") \
        .save(str(table))
    spark_frame(spark, b2, tmp_path).write.format("delta").mode("overwrite") \
        .save(str(table))
    # Replace only the partitions b3 has (eu on 2024-01-04): a partial overwrite.
    spark_frame(spark, b3, tmp_path).write.format("delta").mode("overwrite") \
        .option("replaceWhere", "region = 'eu'").save(str(table))

    described = deltaline.describe(table)
    assert described["metadata"]["partitionColumns"] == parts
    expected = [b0, pa.concat_tables([b0, b1]), b2, pa.concat_tables([b2, b3])]
    for version, want in enumerate(expected):
        ours = assert_same_as_spark(deltaline, spark, table, version)
        # Spark writes "" partition values as null: compare with that in mind.
        want = want.set_column(1, "region", pa.array(
            [None if v == "" else v for v in want["region"].to_pylist()], pa.string()))
        assert_same_rows(ours, want)
    assert_same_as_spark(deltaline, spark, table)


def _append_ids(spark, table, start, count, partitions=1):
    (spark.range(start, start + count, numPartitions=partitions)
     .selectExpr("id", "cast(id % 3 as int) as k", "concat('v', id) as s")
     .write.format("delta").mode("append").save(str(table)))


def test_deltaline_reads_spark_checkpoints_multipart(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    sql(spark, f"CREATE TABLE {ident(table)} (id BIGINT, k INT, s STRING) USING delta "
               "PARTITIONED BY (k) TBLPROPERTIES ('delta.checkpointInterval' = '2')")
    spark.conf.set("spark.databricks.delta.checkpoint.partSize", "3")
    try:
        for start in range(0, 50, 10):
            _append_ids(spark, table, start, 10, partitions=2)
    finally:
        spark.conf.unset("spark.databricks.delta.checkpoint.partSize")
    # Versions 0..5; checkpoints at 2 and 4, several parts each (3 actions a part).
    names = checkpoint_files(table)
    multipart = [n for n in names
                 if re.fullmatch(r"\d{20}\.checkpoint\.\d{10}\.\d{10}\.parquet", n)]
    assert multipart, f"Spark wrote no multi-part checkpoint: {names}"
    assert any(n.startswith("00000000000000000004.checkpoint.") for n in multipart)

    assert_same_as_spark(deltaline, spark, table, 3)
    assert_same_as_spark(deltaline, spark, table)
    _append_ids(spark, table, 50, 10)  # version 6 (single-part checkpoint)
    drop_commits_before(table, 4)
    ours = assert_same_as_spark(deltaline, spark, table)
    assert sorted(ours["id"].to_pylist()) == list(range(60))
    assert_same_as_spark(deltaline, spark, table, 5)


def test_deltaline_reads_spark_struct_stats_checkpoint(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    sql(spark, f"CREATE TABLE {ident(table)} (id BIGINT, k INT, s STRING) USING delta "
               "PARTITIONED BY (k) TBLPROPERTIES ('delta.checkpointInterval' = '2', "
               "'delta.checkpoint.writeStatsAsStruct' = 'true', "
               "'delta.checkpoint.writeStatsAsJson' = 'false')")
    for start in range(0, 40, 10):
        _append_ids(spark, table, start, 10)
    checkpoint = log_dir(table) / "00000000000000000004.checkpoint.parquet"
    assert checkpoint.exists(), checkpoint_files(table)
    add_type = pq.read_schema(checkpoint).field("add").type
    add_fields = {add_type.field(i).name for i in range(add_type.num_fields)}
    # No JSON stats; the struct form is there for partition values. (Delta-Spark 4.0.1
    # writes no add.stats_parsed at all, so this checkpoint carries no file stats.)
    assert "stats" not in add_fields
    assert "partitionValues_parsed" in add_fields

    drop_commits_before(table, 4)
    ours = assert_same_as_spark(deltaline, spark, table)
    assert ours.num_rows == 40
    assert deltaline.describe(table)["numFiles"] == 12  # 4 appends x 3 partitions


def test_deltaline_reads_spark_without_stats(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    spark.conf.set("spark.databricks.delta.stats.collect", "false")
    try:
        sql(spark, f"CREATE TABLE {ident(table)} (id BIGINT, k INT, s STRING) USING delta "
                   "TBLPROPERTIES ('delta.checkpointInterval' = '2')")
        for start in range(0, 30, 10):
            _append_ids(spark, table, start, 10)
    finally:
        spark.conf.unset("spark.databricks.delta.stats.collect")
    assert "00000000000000000002.checkpoint.parquet" in checkpoint_files(table)
    commit = (log_dir(table) / "00000000000000000003.json").read_text()
    assert '"add"' in commit and '"stats"' not in commit
    ours = assert_same_as_spark(deltaline, spark, table)
    assert ours.num_rows == 30
    assert_same_as_spark(deltaline, spark, table, 1)


def test_deltaline_reads_spark_check_constraints(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    sql(spark, f"CREATE TABLE {ident(table)} (id BIGINT, qty INT) USING delta")
    sql(spark, f"INSERT INTO {ident(table)} VALUES (1, 5), (2, 7)")
    sql(spark, f"ALTER TABLE {ident(table)} ADD CONSTRAINT qty_positive CHECK (qty > 0)")
    sql(spark, f"INSERT INTO {ident(table)} VALUES (3, 9)")
    with pytest.raises(Exception, match="qty_positive"):
        sql(spark, f"INSERT INTO {ident(table)} VALUES (4, -1)")
    metadata = deltaline.describe(table)["metadata"]
    assert metadata["configuration"]["delta.constraints.qty_positive"] == "qty > 0"
    ours = assert_same_as_spark(deltaline, spark, table)
    assert sorted(ours["id"].to_pylist()) == [1, 2, 3]
    assert_same_as_spark(deltaline, spark, table, 1)


def test_deltaline_reads_spark_change_data_feed(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    sql(spark, f"CREATE TABLE {ident(table)} (id BIGINT, s STRING) USING delta "
               "TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')")
    sql(spark, f"INSERT INTO {ident(table)} VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')")
    sql(spark, f"UPDATE {ident(table)} SET s = 'B' WHERE id = 2")
    sql(spark, f"DELETE FROM {ident(table)} WHERE id = 3")
    # The UPDATE and DELETE wrote change data files: they are not table rows.
    assert list((table / "_change_data").glob("*.parquet"))
    assert '"cdc"' in (log_dir(table) / "00000000000000000002.json").read_text()
    ours = assert_same_as_spark(deltaline, spark, table)
    assert sorted(ours.to_pylist(), key=lambda r: r["id"]) == [
        {"id": 1, "s": "a"}, {"id": 2, "s": "B"}, {"id": 4, "s": "d"}]
    for version in (1, 2):
        assert_same_as_spark(deltaline, spark, table, version)
    changes = (spark.read.format("delta").option("readChangeFeed", "true")
               .option("startingVersion", 2).load(str(table)).count())
    assert changes == 3  # update pre/post image + delete


def test_deltaline_reads_spark_generated_columns(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    # Spark SQL's CREATE TABLE refuses GENERATED ALWAYS AS for the Delta catalog in this
    # pairing; Delta's own table builder (io.delta.tables.DeltaTable) makes the table.
    jvm = spark._jvm
    delta_table = jvm.io.delta.tables.DeltaTable

    def column(name, type_name, expression=None):
        builder = delta_table.columnBuilder(spark._jsparkSession, name).dataType(type_name)
        if expression:
            builder = builder.generatedAlwaysAs(expression)
        return builder.build()

    builder = delta_table.create(spark._jsparkSession).location(str(table))
    builder = builder.addColumn(column("id", "BIGINT")).addColumn(column("at", "TIMESTAMP"))
    builder = builder.addColumn(column("day", "DATE", "CAST(at AS DATE)"))
    builder = builder.addColumn(column("twice", "BIGINT", "id * 2"))
    builder.partitionedBy(jvm.PythonUtils.toSeq(["day"])).execute()
    (spark.range(0, 8).selectExpr("id", "timestamp_seconds(id * 43200) as at")
     .write.format("delta").mode("append").save(str(table)))

    fields = {f["name"]: f for f in deltaline.describe(table)["schema"]["fields"]}
    assert fields["twice"]["metadata"]["delta.generationExpression"] == "id * 2"
    ours = assert_same_as_spark(deltaline, spark, table)
    assert all(r["twice"] == 2 * r["id"] for r in ours.to_pylist())
    assert len({r["day"] for r in ours.to_pylist()}) == 4


def test_deltaline_reads_spark_column_mapping(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    sql(spark, f"CREATE TABLE {ident(table)} (id BIGINT, name STRING) USING delta")
    sql(spark, f"INSERT INTO {ident(table)} VALUES (1, 'one'), (2, 'two')")
    sql(spark, f"ALTER TABLE {ident(table)} SET TBLPROPERTIES "
               "('delta.columnMapping.mode' = 'name')")
    sql(spark, f"ALTER TABLE {ident(table)} RENAME COLUMN name TO label")
    sql(spark, f"INSERT INTO {ident(table)} VALUES (3, 'three')")
    assert spark_read(spark, table).column_names == ["id", "label"]
    # Before column mapping was switched on, the table is plain; after, renamed (more
    # in test_read_column_mapping.py).
    for version in (1, 3, None):
        assert_same_as_spark(deltaline, spark, table, version)


def test_deltaline_reads_spark_timestamp_ntz(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    sql(spark, f"CREATE TABLE {ident(table)} (id INT, local TIMESTAMP_NTZ, utc TIMESTAMP) "
               "USING delta")
    sql(spark, f"INSERT INTO {ident(table)} VALUES "
               "(1, TIMESTAMP_NTZ'1999-12-31 23:59:59.999999', "
               "TIMESTAMP'2024-02-29 12:00:00.000001'), "
               "(2, TIMESTAMP_NTZ'1900-01-01 00:00:00', NULL), (3, NULL, "
               "TIMESTAMP'1970-01-01 00:00:00')")
    assert protocol_of(table)["readerFeatures"] == ["timestampNtz"]
    ours = assert_same_as_spark(deltaline, spark, table)
    assert ours.schema.field("local").type == pa.timestamp("us")
    got = {r["id"]: r["local"] for r in ours.to_pylist()}
    assert got[1] == datetime.datetime(1999, 12, 31, 23, 59, 59, 999999)
    assert got[2] == datetime.datetime(1900, 1, 1)


# Other table features Spark can switch on: each one is either read or refused by name.
# (table properties at CREATE, then the statements that use the feature; v2Checkpoint
# has its own file, test_read_v2_checkpoints.py)
OTHER_FEATURES = {
    "typeWidening": (
        "'delta.enableTypeWidening' = 'true'",
        ["ALTER TABLE {t} CHANGE COLUMN id TYPE BIGINT", "INSERT INTO {t} VALUES (3, 'c')"]),
    "rowTracking": ("'delta.enableRowTracking' = 'true'", ["INSERT INTO {t} VALUES (3, 'c')"]),
    "inCommitTimestamp": (
        "'delta.enableInCommitTimestamps' = 'true'", ["INSERT INTO {t} VALUES (3, 'c')"]),
}
# What deltaline does with each: None reads (values equal to Spark's), else the feature
# name its refusal must carry.
OTHER_FEATURES_REFUSED_AS = {
    "typeWidening": None,
    "rowTracking": None,
    "inCommitTimestamp": None,
}


@pytest.mark.parametrize("feature", sorted(OTHER_FEATURES))
def test_deltaline_on_other_spark_table_features(deltaline, spark, tmp_path, feature):
    table = tmp_path / "t"
    properties, statements = OTHER_FEATURES[feature]
    sql(spark, f"CREATE TABLE {ident(table)} (id INT, s STRING) USING delta "
               f"TBLPROPERTIES ({properties})")
    sql(spark, f"INSERT INTO {ident(table)} VALUES (1, 'a'), (2, 'b')")
    for statement in statements:
        sql(spark, statement.format(t=ident(table)))
    protocol = protocol_of(table)
    assert feature in protocol.get("writerFeatures", []), protocol
    refused_as = OTHER_FEATURES_REFUSED_AS[feature]
    if refused_as is None:
        ours = assert_same_as_spark(deltaline, spark, table)
        assert sorted(ours["id"].to_pylist()) == [1, 2, 3]
        assert_same_as_spark(deltaline, spark, table, 1)
        if feature == "rowTracking":
            with_ids = deltaline.read(table, "--with-row-ids")
            assert sorted(with_ids["_row_id"].to_pylist()) == [0, 1, 2]
        if feature == "inCommitTimestamp":
            history = deltaline.history(table)
            assert [c["version"] for c in history] == [2, 1, 0]
    else:
        assert_refused(deltaline, table, refused_as)


def test_deltaline_on_spark_variant(deltaline, spark, tmp_path):
    """Variant reads (test_read_table_features.py compares it in depth): text formats
    show the value as JSON text."""
    table = tmp_path / "t"
    sql(spark, f"CREATE TABLE {ident(table)} (id INT, v VARIANT) USING delta")
    sql(spark, f"INSERT INTO {ident(table)} SELECT 1, parse_json('{{\"a\": [1, 2]}}')")
    out = deltaline.run("read", table, "--format", "jsonl").stdout
    assert out == b'{"id":1,"v":"{\\"a\\":[1,2]}"}\n', out


# ---------------------------------------------------------------------------
# deltaline partitioned writes, partition replace and predicate overwrite -> Spark
# ---------------------------------------------------------------------------

_SPECIAL = [None, "", "/", "=", "%", "..", "a b", "😀", "é中文", "x%2Fy", "#?:*{}[]^",
            "__HIVE_DEFAULT_PARTITION__"]


def test_spark_reads_deltaline_partitions(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    utc = datetime.timezone.utc
    n = len(_SPECIAL)
    data = pa.table({
        "id": pa.array(range(n), pa.int64()),
        "s": pa.array(_SPECIAL, pa.string()),
        "d": pa.array([None if i % 5 == 4 else datetime.date(2024, 1, 1 + i) for i in range(n)]),
        "ts": pa.array([None if i % 4 == 3 else
                        datetime.datetime(2024, 2, 29, 23, 59, 59, i * 1001, tzinfo=utc)
                        for i in range(n)], pa.timestamp("us", "UTC")),
        "dec": pa.array([None if i % 3 == 2 else decimal.Decimal(i * 137 - 500) / 100
                         for i in range(n)], pa.decimal128(10, 2)),
        "b": pa.array([None if i % 6 == 5 else i % 2 == 0 for i in range(n)]),
    })
    deltaline.write(table, data, tmp_path, "--partition-by", "s,d,ts,dec,b")
    ours = assert_same_as_spark(deltaline, spark, table)
    expected = data.set_column(1, "s", pa.array([None if v == "" else v for v in _SPECIAL],
                                                pa.string()))
    assert_same_rows(ours, expected)


def test_spark_reads_deltaline_partition_replace(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    base = pa.table({"day": ["d1", "d1", "a/b", None], "v": pa.array([1, 2, 3, 4], pa.int64())})
    deltaline.write(table, base, tmp_path, "--partition-by", "day")
    inc = pa.table({"day": ["a/b", None, "d9"], "v": pa.array([30, 40, 90], pa.int64())})
    for _ in range(2):
        deltaline.write(table, inc, tmp_path, "--replace-partitions",
                        "--delete-partition", '{"day": "d1"}')
    ours = assert_same_as_spark(deltaline, spark, table)
    assert_same_rows(ours, inc)
    # Spark wrote these directories; deltaline replaces one of them.
    spark_table = tmp_path / "spark"
    spark_frame(spark, base, tmp_path).write.format("delta").partitionBy("day") \
        .save(str(spark_table))
    deltaline.write(spark_table, inc.slice(0, 1), tmp_path, "--replace-partitions")
    want = pa.table({"day": ["d1", "d1", "a/b", None], "v": pa.array([1, 2, 30, 4], pa.int64())})
    assert_same_rows(assert_same_as_spark(deltaline, spark, spark_table), want)


def test_spark_reads_deltaline_predicate_overwrite(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    deltaline.write(table, pa.table({"p": ["a", "a", "b", None],
                                     "x": pa.array([1, 7, 8, 9], pa.int64())}),
                    tmp_path, "--partition-by", "p")
    deltaline.run("delete", table, "--predicate", "x = 1")
    deltaline.write(table, pa.table({"p": ["c"], "x": pa.array([70], pa.int64())}), tmp_path,
                    "--mode", "overwrite", "--predicate", "x > 7 OR p = 'c'")
    ours = assert_same_as_spark(deltaline, spark, table)
    assert_same_rows(ours, pa.table({"p": ["a", "c"], "x": pa.array([7, 70], pa.int64())}))
    history = sql(spark, f"DESCRIBE HISTORY {ident(table)}")
    assert [h["operation"] for h in history][:2] == ["WRITE", "DELETE"]


def test_spark_reads_deltaline_schema_merge_and_vacuum(deltaline, spark, tmp_path):
    table = tmp_path / "t"
    deltaline.write(table, pa.table({"id": pa.array([1, 2], pa.int64())}), tmp_path)
    deltaline.write(table, pa.table({"id": pa.array([3], pa.int64()), "name": ["c"]}), tmp_path,
                    "--mode", "append", "--schema-mode", "merge")
    ours = assert_same_as_spark(deltaline, spark, table)
    assert_same_rows(ours, pa.table({"id": pa.array([1, 2, 3], pa.int64()),
                                     "name": pa.array([None, None, "c"], pa.string())}))
    assert_same_as_spark(deltaline, spark, table, 0)
    # After an overwrite and a vacuum past retention only the live files remain, and
    # Spark lists the vacuum in the history deltaline wrote.
    deltaline.write(table, pa.table({"id": pa.array([9], pa.int64()), "name": ["z"]}), tmp_path,
                    "--mode", "overwrite")
    deltaline.run("vacuum", table, "--retain-hours", "0", "--no-retention-check")
    ours = assert_same_as_spark(deltaline, spark, table)
    assert_same_rows(ours, pa.table({"id": pa.array([9], pa.int64()), "name": ["z"]}))
    assert len(list(table.glob("*.parquet"))) == 1
    operations = [h["operation"] for h in sql(spark, f"DESCRIBE HISTORY {ident(table)}")]
    assert operations[:3] == ["VACUUM END", "VACUUM START", "WRITE"], operations
