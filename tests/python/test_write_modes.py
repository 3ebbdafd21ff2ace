"""Each write mode, replaceWhere, partition replace and delete through the Python API,
their WriteResult, commit metadata, time travel, and the typed error of each failure."""

from __future__ import annotations

import datetime as dt
import time

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable as RsTable

from deltaline import (
    DeltaWarning,
    DeltaWriteOptions,
    InvalidInput,
    OutputStoragePolicy,
    SchemaMismatch,
    TableAlreadyExists,
    TableNotFound,
    VersionNotFound,
    delete_delta,
    delta_commit_metadata,
    open_delta_table,
    write_table_delta,
)


def rows(path, **kw) -> list[dict]:
    return sorted(open_delta_table(path, **kw).to_pyarrow_table().to_pylist(),
                  key=lambda r: tuple(str(v) for v in r.values()))


def rs_rows(path) -> list[dict]:
    return sorted(RsTable(str(path)).to_pyarrow_table().to_pylist(),
                  key=lambda r: tuple(str(v) for v in r.values()))


def data(ids, days, values=None) -> pa.Table:
    return pa.table({"id": pa.array(ids, pa.int64()), "day": pa.array(days, pa.string()),
                     "v": pa.array(values or [f"v{i}" for i in ids], pa.string())})


def test_error_append_overwrite_ignore(table_path):
    first = write_table_delta(data([1, 2], ["a", "b"]), table_path,
                              options=DeltaWriteOptions(mode="error"))
    assert (first.version, first.committed, first.rows_added) == (0, True, 2)
    assert first.path == str(table_path)
    assert first.files_added >= 1 and first.bytes_added > 0 and first.files_removed == 0

    with pytest.raises(TableAlreadyExists) as err:
        write_table_delta(data([9], ["z"]), table_path, options=DeltaWriteOptions(mode="error"))
    assert str(table_path) in str(err.value)
    assert isinstance(err.value, FileExistsError)

    appended = write_table_delta(data([3], ["a"]), table_path,
                                 options=DeltaWriteOptions(mode="append"))
    assert (appended.version, appended.operation, appended.rows_added) == (1, "WRITE", 1)
    assert [r["id"] for r in rows(table_path)] == [1, 2, 3]

    ignored = write_table_delta(data([7], ["q"]), table_path,
                                options=DeltaWriteOptions(mode="ignore"))
    assert (ignored.committed, ignored.version, ignored.rows_added) == (False, 1, 0)

    over = write_table_delta(data([10, 11], ["c", "c"]), table_path,
                             options=DeltaWriteOptions(mode="overwrite"))
    assert over.version == 2 and over.files_removed == appended.files_added + first.files_added
    assert over.rows_removed == 3
    assert [r["id"] for r in rows(table_path)] == [10, 11]
    assert rs_rows(table_path) == rows(table_path)

    # Time travel: by version and by the commit's timestamp.
    assert [r["id"] for r in rows(table_path, version=0)] == [1, 2]
    history = open_delta_table(table_path).history()
    assert [h["version"] for h in history] == [2, 1, 0]
    at_v1 = dt.datetime.fromtimestamp(history[1]["timestamp"] / 1000, dt.timezone.utc)
    assert open_delta_table(table_path, timestamp=at_v1).version == 1
    assert open_delta_table(table_path, timestamp=history[1]["timestamp"]).version == 1
    assert open_delta_table(table_path, timestamp=at_v1.isoformat()).version == 1
    with pytest.raises(VersionNotFound):
        open_delta_table(table_path, version=7)
    with pytest.raises(VersionNotFound):
        open_delta_table(table_path, timestamp="2000-01-01T00:00:00Z")


def test_replace_where(table_path):
    write_table_delta(data([1, 2, 3, 4], ["a", "a", "b", "c"]), table_path,
                      options=DeltaWriteOptions(mode="overwrite", partition_by=["day"]))
    result = write_table_delta(
        data([20, 21], ["a", "a"], ["new", "new"]), table_path,
        options=DeltaWriteOptions(mode="overwrite", predicate="day = 'a'"))
    assert result.version == 1 and result.rows_added == 2 and result.rows_removed == 2
    assert set(result.partitions) == {"day=a"}
    assert result.partitions["day=a"]["rows_added"] == 2
    assert result.partitions["day=a"]["files_removed"] == 1
    got = rows(table_path)
    assert [(r["id"], r["day"]) for r in got] == [(20, "a"), (21, "a"), (3, "b"), (4, "c")]
    assert rs_rows(table_path) == got

    # A row outside the predicate: typed error, nothing committed.
    with pytest.raises(InvalidInput) as err:
        write_table_delta(data([30, 31], ["a", "b"]), table_path,
                          options=DeltaWriteOptions(mode="overwrite", predicate="day = 'a'"))
    assert "row" in str(err.value)
    assert open_delta_table(table_path).version == 1 and rows(table_path) == got

    # replaceWhere on a non-partition column rewrites the files it touches: day=a's
    # file holds 20 and 21; 21 is carried into a new file.
    mixed = write_table_delta(
        data([20], ["a"], ["renewed"]), table_path,
        options=DeltaWriteOptions(mode="overwrite", predicate="id = 20"))
    assert (mixed.rows_removed, mixed.rows_copied, mixed.files_removed) == (2, 1, 1)
    assert [(r["id"], r["v"]) for r in rows(table_path)] == [
        (20, "renewed"), (21, "new"), (3, "v3"), (4, "v4")]

    with pytest.raises(InvalidInput, match="overwrite"):
        write_table_delta(data([1], ["a"]), table_path,
                          options=DeltaWriteOptions(mode="append", predicate="day = 'a'"))
    with pytest.raises(InvalidInput) as err:
        write_table_delta(data([1], ["a"]), table_path,
                          options=DeltaWriteOptions(mode="overwrite", predicate="nope = 1"))
    assert "nope" in str(err.value)
    with pytest.raises(InvalidInput):
        write_table_delta(data([1], ["a"]), table_path,
                          options=DeltaWriteOptions(mode="overwrite", predicate="day = = 'a'"))


def test_replace_partitions_and_delete_partitions(table_path):
    write_table_delta(data([1, 2, 3, 4], ["a", "b", "c", "d"]), table_path,
                      options=DeltaWriteOptions(partition_by=["day"]))
    result = write_table_delta(
        data([10, 11, 12], ["b", "b", "e"]), table_path,
        options=DeltaWriteOptions(replace_partitions=True, delete_partitions=[{"day": "d"}]))
    assert result.committed and result.version == 1
    assert set(result.partitions) == {"day=b", "day=d", "day=e"}
    assert result.partitions["day=d"]["rows_removed"] == 1
    assert result.partitions["day=e"]["rows_added"] == 1
    got = rows(table_path)
    assert [(r["id"], r["day"]) for r in got] == [(1, "a"), (10, "b"), (11, "b"),
                                                   (12, "e"), (3, "c")]
    assert rs_rows(table_path) == got
    assert sorted(open_delta_table(table_path).partition_columns) == ["day"]

    with pytest.raises(InvalidInput):
        write_table_delta(data([1], ["a"]), table_path,
                          options=DeltaWriteOptions(delete_partitions=[{"day": "a"}]))
    with pytest.raises(InvalidInput):
        write_table_delta(data([1], ["a"]), table_path, options=DeltaWriteOptions(
            replace_partitions=True, predicate="day = 'a'"))


def test_delete(table_path):
    base = pa.table({"id": pa.array(range(100), pa.int64()),
                     "g": pc.cast(pc.divide(pa.array(range(100)), 25), pa.int64())})
    write_table_delta(base, table_path, options=DeltaWriteOptions(partition_by=["g"]))
    files_before = len(open_delta_table(table_path).files)
    assert files_before == 4

    # Partial: ids 20..29 are split between partitions 0 and 1, both files rewritten.
    result = delete_delta(table_path, "id >= 20 and id < 30")
    assert result.committed and result.version == 1 and result.operation == "DELETE"
    assert result.rows_removed == 50 and result.rows_copied == 40
    assert result.files_removed == 2 and result.files_added == 2
    assert set(result.partitions) == {"g=0", "g=1"}
    expected = [i for i in range(100) if not 20 <= i < 30]
    assert [r["id"] for r in rows(table_path)] == sorted(expected, key=str)
    assert sorted(r["id"] for r in rs_rows(table_path)) == expected

    # Whole partition: its file goes, nothing is rewritten.
    whole = delete_delta(table_path, "g = 3")
    assert (whole.files_removed, whole.files_added, whole.rows_copied) == (1, 0, 0)

    none = delete_delta(table_path, "id > 1000")
    assert none.committed is False and none.version == 2 and none.rows_removed == 0
    assert open_delta_table(table_path).version == 2

    with pytest.raises(InvalidInput) as err:
        delete_delta(table_path, "missing_col = 3")
    assert "missing_col" in str(err.value)
    with pytest.raises(TableNotFound):
        delete_delta(table_path.parent / "nothing", "id = 1")


def test_schema_modes(table_path):
    write_table_delta(data([1], ["a"]), table_path)
    wider = data([2], ["b"]).append_column("extra", pa.array([1.5]))
    with pytest.raises(SchemaMismatch) as err:
        write_table_delta(wider, table_path, options=DeltaWriteOptions(mode="append"))
    assert "extra" in str(err.value)

    merged = write_table_delta(wider, table_path,
                               options=DeltaWriteOptions(mode="append", schema_mode="merge"))
    assert merged.schema_changed
    table = open_delta_table(table_path)
    assert table.schema.names == ["id", "day", "v", "extra"]
    assert [(r["id"], r["extra"]) for r in rows(table_path)] == [(1, None), (2, 1.5)]

    other = pa.table({"k": pa.array(["x"])})
    with pytest.raises(InvalidInput, match="needs write mode overwrite"):
        write_table_delta(other, table_path, options=DeltaWriteOptions(
            mode="append", schema_mode="overwrite"))
    replaced = write_table_delta(other, table_path, options=DeltaWriteOptions(
        mode="overwrite", schema_mode="overwrite"))
    assert replaced.schema_changed and open_delta_table(table_path).schema.names == ["k"]
    assert rs_rows(table_path) == [{"k": "x"}]


def test_commit_metadata_and_history(table_path):
    result = write_table_delta(data([1], ["a"]), table_path, options=DeltaWriteOptions(
        commit_metadata={"source": "unit_test", "run": 7}))
    assert result.commit_metadata["source"] == "unit_test"
    assert result.commit_metadata["run"] == "7"
    assert result.commit_metadata["deltaline.dataset"] == "table"
    metadata = delta_commit_metadata(table_path)
    assert metadata["source"] == "unit_test" and metadata["run"] == "7"

    entry = open_delta_table(table_path).history()[0]
    assert entry["version"] == 0 and entry["operation"] == "WRITE"
    assert entry["userMetadata"]["source"] == "unit_test"
    # delta-rs sees the same commit.
    rs_history = RsTable(str(table_path)).history()
    assert rs_history[0]["operation"] == "WRITE"


def test_typed_errors_for_missing_tables(tmp_path):
    with pytest.raises(TableNotFound) as err:
        open_delta_table(tmp_path / "none")
    assert "none" in str(err.value)
    assert isinstance(err.value, FileNotFoundError)
    with pytest.raises(InvalidInput):
        write_table_delta(data([1], ["a"]), tmp_path / "new", options=DeltaWriteOptions(
            mode="overwrite", predicate="day = 'a'"))
    with pytest.raises(InvalidInput):
        write_table_delta(data([1], ["a"]), tmp_path / "t", options=DeltaWriteOptions(
            mode="upsert"))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        write_table_delta(object(), tmp_path / "t")
    assert not (tmp_path / "t").exists() or not (tmp_path / "t" / "_delta_log").exists()


def test_inputs_other_than_tables(tmp_path):
    reader = pa.RecordBatchReader.from_batches(
        data([1], ["a"]).schema, data([1, 2], ["a", "b"]).to_batches())
    assert write_table_delta(reader, tmp_path / "r").rows_added == 2
    assert write_table_delta({"x": [1, 2, 3]}, tmp_path / "d").rows_added == 3
    batch = data([5], ["e"]).to_batches()[0]
    assert write_table_delta(batch, tmp_path / "b").rows_added == 1
    assert rows(tmp_path / "d") == [{"x": 1}, {"x": 2}, {"x": 3}]


def test_version_and_timestamp_are_exclusive(table_path):
    write_table_delta(data([1], ["a"]), table_path)
    with pytest.raises(InvalidInput):
        open_delta_table(table_path, version=0, timestamp=int(time.time() * 1000))
    with pytest.raises(InvalidInput):
        open_delta_table(table_path, timestamp=dt.datetime(2024, 1, 1))


def test_a_failing_input_stream_commits_nothing(table_path):
    write_table_delta(data([1], ["a"]), table_path)
    schema = data([1], ["a"]).schema

    def batches():
        yield data([2, 3], ["b", "b"]).to_batches()[0]
        raise ValueError("the source broke at batch 2")

    with pytest.raises(InvalidInput, match="the source broke at batch 2"):
        write_table_delta(pa.RecordBatchReader.from_batches(schema, batches()), table_path,
                          options=DeltaWriteOptions(mode="append"))
    assert open_delta_table(table_path).version == 0
    # The data file of the first batch was removed again.
    assert len(list(table_path.glob("*.parquet"))) == 1
    assert rows(table_path) == [{"id": 1, "day": "a", "v": "v1"}]


def test_library_warnings_are_delta_warnings_at_the_callers_line(tmp_path):
    policy = OutputStoragePolicy(format="parquet", mode="development")
    with pytest.warns(DeltaWarning, match="refused parquet sink") as caught:
        result = write_table_delta(data([1], ["a"]), tmp_path / "t",
                                   options=DeltaWriteOptions(policy=policy))
    assert caught[0].filename == __file__
    # Development mode refuses the sink and goes on: the output is Delta all the same.
    assert result.committed and rows(tmp_path / "t") == [{"id": 1, "day": "a", "v": "v1"}]


def test_write_options_reach_the_files_and_the_table(table_path):
    import pyarrow.parquet as pq

    from deltaline import RetryPolicy, WriterProperties

    n = 300_000
    table = pa.table({"id": pa.array(range(n), pa.int64()),
                      "s": pc.cast(pc.multiply(pa.array(range(n)), 7919), pa.string())})
    result = write_table_delta(table, table_path, options=DeltaWriteOptions(
        target_file_size=1 << 20, stats_columns=["id"], configuration={"custom.k": "v"},
        retry=RetryPolicy(max_attempts=3),
        writer_properties=WriterProperties(compression="snappy",
                                           max_rows_per_row_group=20_000)))
    assert result.files_added > 1 and result.rows_added == n
    opened = open_delta_table(table_path)
    config = opened.metadata()["configuration"]
    assert config["custom.k"] == "v"
    assert config["delta.targetFileSize"] == str(1 << 20)
    assert config["delta.dataSkippingStatsColumns"] == "id"
    assert sum(f["stats"]["numRecords"] for f in opened.files) == n
    for f in opened.files:
        assert set(f["stats"]["minValues"]) == {"id"}
        meta = pq.ParquetFile(table_path / f["path"]).metadata
        assert meta.row_group(0).column(0).compression == "SNAPPY"
        assert all(meta.row_group(i).num_rows <= 20_000 for i in range(meta.num_row_groups))
    assert '"max_attempts":3' in result.commit_metadata["deltaline.policy"]
    assert RsTable(str(table_path)).to_pyarrow_table().num_rows == n


def test_one_column_may_be_a_plain_string(table_path):
    write_table_delta(data([1, 2], ["a", "b"]), table_path,
                      options=DeltaWriteOptions(partition_by="day", stats_columns="id"))
    assert open_delta_table(table_path).partition_columns == ["day"]
    assert RsTable(str(table_path)).metadata().partition_columns == ["day"]


def test_paths_may_be_str_bytes_or_pathlike(tmp_path):
    write_table_delta(data([1], ["a"]), str(tmp_path / "s"))
    write_table_delta(data([1], ["a"]), bytes(tmp_path / "b"))
    assert open_delta_table(bytes(tmp_path / "b")).version == 0
    assert open_delta_table(tmp_path / "s").path == str(tmp_path / "s")
    with pytest.raises(InvalidInput, match="path must be"):
        write_table_delta(data([1], ["a"]), 42)
    with pytest.raises(InvalidInput, match="path must be"):
        open_delta_table(None)
