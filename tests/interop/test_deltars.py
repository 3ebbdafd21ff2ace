"""Interop with delta-rs (the `deltalake` Python package), both directions.

deltaline -> delta-rs: tables written by the deltaline CLI must open in delta-rs at
the same version, with the same Delta schema and rows, at old versions, with
checkpoints, and after the commits before a checkpoint are gone.

delta-rs -> deltaline: tables written by write_deltalake (appends, overwrites,
checkpoints, partitions) must read back through `deltaline read --format ipc` with the
rows and values pyarrow sees.
"""

import datetime
import decimal
import json
import time

import pyarrow as pa
from deltalake import DeltaTable, QueryBuilder, write_deltalake

from conftest import ALL_TYPES_DELTA, all_types_table, assert_same_rows


def delta_fields(dt: DeltaTable) -> dict:
    return {f["name"]: f for f in json.loads(dt.schema().to_json())["fields"]}


def commit_jsons(table_dir):
    return sorted((table_dir / "_delta_log").glob("*.json"))


def checkpoints(table_dir):
    return sorted(p.name for p in (table_dir / "_delta_log").glob("*.checkpoint*.parquet"))


def log_version(path) -> int:
    return int(path.name.split(".")[0])


# ---------------------------------------------------------------------------
# deltaline -> delta-rs
# ---------------------------------------------------------------------------


def test_all_types_open_in_deltars(deltaline, tmp_path):
    table = tmp_path / "t"
    data = all_types_table(num_rows=12)
    result = deltaline.write(table, data, tmp_path)
    assert result["committed"] and result["version"] == 0 and result["rowsAdded"] == 12

    dt = DeltaTable(str(table))
    assert dt.version() == 0
    fields = delta_fields(dt)
    assert list(fields) == data.column_names
    for name, expected in ALL_TYPES_DELTA.items():
        assert fields[name]["type"] == expected, name
        assert fields[name]["nullable"] is True, name
    # timestamp_ntz is a table feature: protocol 3/7 naming it on both sides.
    protocol = dt.protocol()
    assert (protocol.min_reader_version, protocol.min_writer_version) == (3, 7)
    assert "timestampNtz" in protocol.reader_features
    assert "timestampNtz" in protocol.writer_features

    got = dt.to_pyarrow_table()
    assert_same_rows(got, data)
    assert dt.count() == 12


def test_without_ntz_uses_legacy_protocol(deltaline, tmp_path):
    table = tmp_path / "t"
    data = all_types_table(num_rows=7).drop_columns(["ntz"])
    deltaline.write(table, data, tmp_path)
    dt = DeltaTable(str(table))
    protocol = dt.protocol()
    assert protocol.min_reader_version == 1
    assert protocol.min_writer_version <= 2
    assert_same_rows(dt.to_pyarrow_table(), data)


def test_append_overwrite_and_old_versions(deltaline, tmp_path):
    table = tmp_path / "t"
    batches = [all_types_table(seed=seed, num_rows=4 + seed) for seed in range(4)]
    deltaline.write(table, batches[0], tmp_path)
    deltaline.write(table, batches[1], tmp_path, "--mode", "append")
    deltaline.write(table, batches[2], tmp_path, "--mode", "overwrite")
    deltaline.write(table, batches[3], tmp_path, "--mode", "append")
    expected = [
        batches[0],
        pa.concat_tables(batches[:2]),
        batches[2],
        pa.concat_tables(batches[2:]),
    ]

    dt = DeltaTable(str(table))
    assert dt.version() == 3
    assert_same_rows(dt.to_pyarrow_table(), expected[3])
    assert len(dt.file_uris()) == deltaline.describe(table)["numFiles"] == 2
    for version, want in enumerate(expected):
        old = DeltaTable(str(table), version=version)
        assert old.version() == version
        assert_same_rows(old.to_pyarrow_table(), want)
        # deltaline agrees with itself at the same versions.
        assert_same_rows(deltaline.read(table, "--version", version), want)


def test_history_shows_operations_and_user_metadata(deltaline, tmp_path):
    table = tmp_path / "t"
    data = all_types_table(num_rows=3)
    deltaline.write(table, data, tmp_path, "--metadata", "job=nightly", "--metadata", "run=7")
    deltaline.write(table, data, tmp_path, "--mode", "append", "--metadata", "job=fixup")
    deltaline.write(table, data, tmp_path, "--mode", "overwrite")

    history = sorted(DeltaTable(str(table)).history(), key=lambda c: c["version"])
    assert [c["version"] for c in history] == [0, 1, 2]
    assert all(c["operation"] == "WRITE" for c in history)
    assert [c["operationParameters"]["mode"] for c in history] == [
        "ErrorIfExists", "Append", "Overwrite"]
    # Every commit also carries the storage surface's deltaline.* keys.
    def caller_keys(user_metadata):
        return {k: v for k, v in user_metadata.items() if not k.startswith("deltaline.")}

    stored = [json.loads(c["userMetadata"]) for c in history]
    assert all({"deltaline.dataset", "deltaline.schemaFingerprint", "deltaline.policy"}
               <= set(m) for m in stored)
    assert caller_keys(stored[0]) == {"job": "nightly", "run": "7"}
    assert caller_keys(stored[1]) == {"job": "fixup"}
    assert caller_keys(stored[2]) == {}
    assert history[1]["operationMetrics"]["numOutputRows"] == "3"
    assert history[2]["operationMetrics"]["numRemovedFiles"] == "2"
    assert all(c["engineInfo"].startswith("deltaline/") for c in history)

    # deltaline's own history agrees (newest first).
    ours = deltaline.history(table)
    assert [c["version"] for c in ours] == [2, 1, 0]
    assert caller_keys(ours[2]["userMetadata"]) == {"job": "nightly", "run": "7"}


def test_checkpoints_open_in_deltars(deltaline, tmp_path):
    table = tmp_path / "t"
    batches = [all_types_table(seed=seed, num_rows=3) for seed in range(6)]
    deltaline.write(table, batches[0], tmp_path, "--property", "delta.checkpointInterval=2")
    for batch in batches[1:5]:
        deltaline.write(table, batch, tmp_path, "--mode", "append")
    # Versions 0..4; interval 2 checkpoints the versions divisible by 2.
    written = checkpoints(table)
    assert written, "no checkpoint written with delta.checkpointInterval=2"
    assert "00000000000000000004.checkpoint.parquet" in written
    last_hint = json.loads((table / "_delta_log" / "_last_checkpoint").read_text())
    assert last_hint["version"] == 4

    dt = DeltaTable(str(table))
    assert dt.version() == 4
    assert dt.metadata().configuration["delta.checkpointInterval"] == "2"
    assert_same_rows(dt.to_pyarrow_table(), pa.concat_tables(batches[:5]))
    assert_same_rows(DeltaTable(str(table), version=3).to_pyarrow_table(),
                     pa.concat_tables(batches[:4]))

    # One more commit, then an explicit checkpoint at version 5.
    deltaline.write(table, batches[5], tmp_path, "--mode", "append")
    deltaline.run("checkpoint", table)
    assert "00000000000000000005.checkpoint.parquet" in checkpoints(table)

    # Drop every commit before the newest checkpoint: the checkpoint alone must do.
    for path in commit_jsons(table):
        if log_version(path) < 5:
            path.unlink()
    assert [p.name for p in commit_jsons(table)] == ["00000000000000000005.json"]

    everything = pa.concat_tables(batches)
    dt = DeltaTable(str(table))
    assert dt.version() == 5
    assert_same_rows(dt.to_pyarrow_table(), everything)
    assert len(dt.file_uris()) == 6

    described = deltaline.describe(table)
    assert described["version"] == 5 and described["numFiles"] == 6
    assert described["numRecords"] == everything.num_rows
    assert_same_rows(deltaline.read(table), everything)

    # And both still agree after one more commit on top of the checkpoint.
    deltaline.write(table, batches[0], tmp_path, "--mode", "append")
    everything = pa.concat_tables([everything, batches[0]])
    assert DeltaTable(str(table)).version() == 6
    assert_same_rows(DeltaTable(str(table)).to_pyarrow_table(), everything)
    assert_same_rows(deltaline.read(table), everything)


def test_deltars_reads_our_stats_and_skips_correctly(deltaline, tmp_path):
    """delta-rs parses our add.stats and prunes files with them without losing rows:
    long strings (max truncated with a tie-breaker), timestamps (truncated to ms)."""
    table = tmp_path / "t"
    utc = datetime.timezone.utc
    parts = []
    for file_idx in range(3):
        ids = list(range(file_idx * 100, file_idx * 100 + 50))
        parts.append(pa.table({
            "id": pa.array(ids, pa.int64()),
            "long_text": pa.array([("prefix-" * 10) + f"{file_idx}-{i:04d}-ω" for i in ids],
                                  pa.string()),
            "at": pa.array([datetime.datetime(2024, 1, 1, tzinfo=utc)
                            + datetime.timedelta(days=file_idx, microseconds=i * 7 + 3)
                            for i in ids], pa.timestamp("us", "UTC")),
        }))
    deltaline.write(table, parts[0], tmp_path)
    for part in parts[1:]:
        deltaline.write(table, part, tmp_path, "--mode", "append")
    everything = pa.concat_tables(parts)

    dt = DeltaTable(str(table))
    adds = pa.table(dt.get_add_actions(flatten=True)).sort_by("min.id").to_pylist()
    assert [a["num_records"] for a in adds] == [50, 50, 50]
    assert [(a["min.id"], a["max.id"]) for a in adds] == [
        (p["id"][0].as_py(), p["id"][-1].as_py()) for p in parts]
    assert all(a["null_count.id"] == 0 for a in adds)

    def count(where):
        sql = f"select count(*) as c from t where {where}"
        query = QueryBuilder().register("t", dt).execute(sql)
        return pa.table(query.read_all())["c"][0].as_py()

    last_text = everything["long_text"][-1].as_py()
    last_at = parts[1]["at"][-1].as_py()
    assert count("id >= 100 and id < 150") == 50
    assert count(f"long_text = '{last_text}'") == 1
    assert count(f"long_text >= '{last_text}'") == 1
    # The max timestamp in the stats is cut to milliseconds: a filter just below the
    # real max must still find the row.
    edge = (last_at - datetime.timedelta(microseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert count(f"at > TIMESTAMP '{edge}' and at < TIMESTAMP '2024-01-03T00:00:00Z'") == 1


def test_deltars_checkpoint_of_deltaline_table(deltaline, tmp_path):
    """delta-rs checkpoints a deltaline table and appends to it; deltaline reads it."""
    table = tmp_path / "t"
    first = all_types_table(seed=1, num_rows=6)
    deltaline.write(table, first, tmp_path)
    DeltaTable(str(table)).create_checkpoint()
    second = all_types_table(seed=2, num_rows=5)
    write_deltalake(str(table), second, mode="append")
    assert deltaline.describe(table)["version"] == 1
    assert_same_rows(deltaline.read(table), pa.concat_tables([first, second]))
    assert_same_rows(deltaline.read(table, "--version", 0), first)


# ---------------------------------------------------------------------------
# delta-rs -> deltaline
# ---------------------------------------------------------------------------


def deltars_table(seed: int, num_rows: int) -> pa.Table:
    """Types delta-rs writes natively, with nulls."""
    utc = datetime.timezone.utc
    idxs = [seed * 100 + i for i in range(num_rows)]

    def pick(make, idx):
        return None if idx % 4 == 3 else make(idx)

    return pa.table({
        "id": pa.array(idxs, pa.int64()),
        "i32": pa.array([pick(lambda i: i * -3, i) for i in idxs], pa.int32()),
        "f64": pa.array([pick(lambda i: i / 3.0, i) for i in idxs], pa.float64()),
        "flag": pa.array([pick(lambda i: i % 3 == 0, i) for i in idxs], pa.bool_()),
        "name": pa.array([pick(lambda i: f"név-{i}-名前", i) for i in idxs], pa.string()),
        "raw": pa.array([pick(lambda i: bytes([i % 256]) * 3, i) for i in idxs], pa.binary()),
        "day": pa.array([pick(lambda i: datetime.date(2020, 1, 1) + datetime.timedelta(days=i),
                              i) for i in idxs], pa.date32()),
        "at": pa.array([pick(lambda i: datetime.datetime(2023, 6, 1, tzinfo=utc)
                             + datetime.timedelta(microseconds=i * 123457), i) for i in idxs],
                       pa.timestamp("us", "UTC")),
        "price": pa.array([pick(lambda i: decimal.Decimal(i * 101) / 100, i) for i in idxs],
                          pa.decimal128(10, 2)),
        "st": pa.array([pick(lambda i: {"a": i, "b": str(i)}, i) for i in idxs],
                       pa.struct([("a", pa.int64()), ("b", pa.string())])),
        "tags": pa.array([pick(lambda i: [f"t{i}", None][: i % 3], i) for i in idxs],
                         pa.list_(pa.string())),
    })


def test_deltaline_reads_deltars_versions_and_checkpoint(deltaline, tmp_path):
    table = tmp_path / "t"
    batches = [deltars_table(seed, 10 + seed) for seed in range(4)]
    write_deltalake(str(table), batches[0])
    write_deltalake(str(table), batches[1], mode="append")
    write_deltalake(str(table), batches[2], mode="overwrite")
    DeltaTable(str(table)).create_checkpoint()
    assert "00000000000000000002.checkpoint.parquet" in checkpoints(table)
    write_deltalake(str(table), batches[3], mode="append")

    expected = [batches[0], pa.concat_tables(batches[:2]), batches[2],
                pa.concat_tables(batches[2:])]
    dt = DeltaTable(str(table))
    assert dt.version() == 3

    got = deltaline.read(table)
    # Same column names and Arrow types as what went in.
    assert got.schema.names == batches[0].schema.names
    for field in batches[0].schema:
        assert got.schema.field(field.name).type == field.type, field.name
    assert_same_rows(got, expected[3])
    assert_same_rows(got, dt.to_pyarrow_table())

    for version, want in enumerate(expected):
        assert_same_rows(deltaline.read(table, "--version", version), want)
        assert_same_rows(deltaline.read(table, "--version", version),
                         DeltaTable(str(table), version=version).to_pyarrow_table())
        described = deltaline.describe(table, "--version", version)
        assert described["version"] == version
        assert described["numFiles"] == len(
            DeltaTable(str(table), version=version).file_uris())

    described = deltaline.describe(table)
    assert described["version"] == 3
    assert described["numFiles"] == len(dt.file_uris())
    assert described["numRecords"] == expected[3].num_rows

    # Column selection and limits.
    picked = deltaline.read(table, "--columns", "name,id")
    assert picked.column_names == ["name", "id"]
    assert_same_rows(picked, expected[3].select(["name", "id"]))
    assert deltaline.read(table, "--limit", "5").num_rows == 5

    # The checkpoint alone carries versions 0..2.
    for path in commit_jsons(table):
        if log_version(path) < 2:
            path.unlink()
    assert_same_rows(deltaline.read(table), expected[3])
    assert_same_rows(deltaline.read(table, "--version", 2), expected[2])
    assert deltaline.run("read", table, "--version", 1, check=False).returncode != 0


def test_deltaline_reads_deltars_auto_checkpoints(deltaline, tmp_path):
    """delta-rs writes checkpoints itself with delta.checkpointInterval."""
    table = tmp_path / "t"
    batches = [deltars_table(seed, 3) for seed in range(7)]
    write_deltalake(str(table), batches[0], configuration={"delta.checkpointInterval": "3"})
    for batch in batches[1:]:
        write_deltalake(str(table), batch, mode="append")
    assert checkpoints(table), "delta-rs wrote no checkpoint"
    described = deltaline.describe(table)
    assert described["version"] == 6
    assert described["numFiles"] == len(DeltaTable(str(table)).file_uris())
    assert_same_rows(deltaline.read(table), pa.concat_tables(batches))
    assert_same_rows(deltaline.read(table, "--version", 4), pa.concat_tables(batches[:5]))


def test_deltaline_reads_deltars_timestamp_ntz(deltaline, tmp_path):
    table = tmp_path / "t"
    data = pa.table({
        "id": pa.array([1, 2, 3], pa.int64()),
        "local": pa.array([datetime.datetime(2001, 2, 3, 4, 5, 6, 7), None,
                           datetime.datetime(1960, 1, 1)], pa.timestamp("us")),
    })
    write_deltalake(str(table), data)
    described = deltaline.describe(table)
    assert "timestampNtz" in (described["protocol"]["readerFeatures"] or [])
    got = deltaline.read(table)
    assert got.schema.field("local").type == pa.timestamp("us")
    assert_same_rows(got, data)


def test_deltaline_reads_deltars_partitioned(deltaline, tmp_path):
    table = tmp_path / "t"
    data = pa.table({
        "id": pa.array(range(8), pa.int64()),
        "region": pa.array(["eu", "us", None, "a/b", "x=y", "sp ace", "ünï", "eu"],
                           pa.string()),
        "bucket": pa.array([1, 2, 1, None, 3, 1, 2, 1], pa.int32()),
        "day": pa.array([datetime.date(2024, 1, 1)] * 4 + [datetime.date(2024, 12, 31)] * 4,
                        pa.date32()),
        "value": pa.array([0.5, None, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5], pa.float64()),
    })
    write_deltalake(str(table), data, partition_by=["region", "bucket", "day"])
    more = data.slice(0, 3)
    write_deltalake(str(table), more, mode="append")
    expected = pa.concat_tables([data, more])

    dt = DeltaTable(str(table))
    described = deltaline.describe(table)
    assert described["metadata"]["partitionColumns"] == ["region", "bucket", "day"]
    assert described["numFiles"] == len(dt.file_uris())

    got = deltaline.read(table)
    assert sorted(got.column_names) == sorted(data.column_names)
    for field in data.schema:
        assert got.schema.field(field.name).type == field.type, field.name
    assert_same_rows(got, expected)
    assert_same_rows(got, dt.to_pyarrow_table())
    assert_same_rows(deltaline.read(table, "--version", 0), data)

    only_parts = deltaline.read(table, "--columns", "day,region")
    assert only_parts.column_names == ["day", "region"]
    assert_same_rows(only_parts, expected.select(["day", "region"]))


def test_deltaline_reads_deltars_delete_update_optimize(deltaline, tmp_path):
    """Copy-on-write changes by delta-rs (removes, rewritten files, change data files,
    compaction with dataChange=false) read back the same in deltaline."""
    table = tmp_path / "t"
    batches = [deltars_table(seed, 20) for seed in range(3)]
    write_deltalake(str(table), batches[0], configuration={"delta.enableChangeDataFeed": "true"})
    for batch in batches[1:]:
        write_deltalake(str(table), batch, mode="append")
    dt = DeltaTable(str(table))
    metrics = dt.optimize.compact()
    assert metrics["numFilesRemoved"] == 3 and metrics["numFilesAdded"] == 1
    dt.delete("id % 3 = 0")
    dt.update({"name": "'updated'"}, predicate="id > 200")
    write_deltalake(str(table), deltars_table(7, 4), mode="append")
    dt = DeltaTable(str(table))
    assert dt.version() == 6
    assert (table / "_change_data").is_dir()

    described = deltaline.describe(table)
    assert described["version"] == dt.version()
    assert described["numFiles"] == len(dt.file_uris())
    assert_same_rows(deltaline.read(table), dt.to_pyarrow_table())
    for version in range(dt.version() + 1):
        assert_same_rows(deltaline.read(table, "--version", version),
                         DeltaTable(str(table), version=version).to_pyarrow_table())

    # After vacuum the removed files are gone: the latest version does not need them.
    dt.vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False)
    assert_same_rows(deltaline.read(table), dt.to_pyarrow_table())


def test_deltaline_reads_deltars_column_mapping(deltaline, tmp_path):
    table = tmp_path / "t"
    data = deltars_table(0, 5)
    write_deltalake(str(table), data, configuration={"delta.columnMapping.mode": "name"})
    assert_same_rows(deltaline.read(table), data)
    # Writing stays refused by name.
    proc = deltaline.run("delete", table, "--predicate", "true", check=False)
    assert proc.returncode == 1
    assert b"UnsupportedFeature [columnMapping]" in proc.stderr


def test_time_travel_by_timestamp_both_ways(deltaline, tmp_path):
    """Between two commits, both readers pick the older one: delta-rs on a deltaline
    table (load_as_version) and deltaline on a delta-rs table (--timestamp)."""
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    batches = [deltars_table(seed, 5) for seed in range(3)]
    for version, batch in enumerate(batches):
        deltaline.write(ours, batch, tmp_path, *(["--mode", "append"] if version else []))
        write_deltalake(str(theirs), batch, mode="append")
        time.sleep(0.3)

    def midpoints(history):
        stamps = {c["version"]: c["timestamp"] for c in history}
        return {v: (stamps[v] + stamps[v + 1]) // 2 for v in range(len(stamps) - 1)}

    for version, ms in midpoints(DeltaTable(str(ours)).history()).items():
        when = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
        dt = DeltaTable(str(ours))
        dt.load_as_version(when)
        assert dt.version() == version
        assert_same_rows(dt.to_pyarrow_table(), pa.concat_tables(batches[: version + 1]))

    for version, ms in midpoints(DeltaTable(str(theirs)).history()).items():
        when = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
        got = deltaline.read(theirs, "--timestamp", when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        assert_same_rows(got, pa.concat_tables(batches[: version + 1]))
