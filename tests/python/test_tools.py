"""The table tools from Python, each on a real table written by deltaline and read
back by delta-rs: vacuum, checkpoint, clone, migrate_parquet, optimize, restore,
cleanup_log, and their typed errors."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable as RsTable

import deltaline
from deltaline import (
    DeltaWriteOptions,
    InvalidInput,
    TableAlreadyExists,
    TableNotFound,
    VersionNotFound,
    write_table_delta,
)


def rows(n: int, offset: int = 0) -> pa.Table:
    ids = pa.array(range(offset, offset + n), pa.int64())
    return pa.table({"id": ids,
                     "name": pc.binary_join_element_wise("n", pc.cast(ids, pa.string()), ""),
                     "day": pa.array([f"2024-01-0{1 + i % 3}" for i in range(offset, offset + n)])})


def by_id(table: pa.Table) -> pa.Table:
    table = table.select(["id", "name", "day"]).sort_by("id")
    # A migration infers `day` (from day=2024-01-01 directories) as a date, as Spark.
    if table.schema.field("day").type == pa.date32():
        table = table.set_column(2, "day", pc.cast(table["day"], pa.string()))
    return table


def read_rs(path: Path, version: int | None = None) -> pa.Table:
    table = RsTable(str(path), version=version) if version is not None else RsTable(str(path))
    return by_id(table.to_pyarrow_table())


def data_files(path: Path) -> set[str]:
    return {p.relative_to(path).as_posix() for p in path.rglob("*.parquet")
            if "_delta_log" not in p.parts}


def live_files(path: Path) -> set[str]:
    return {f["path"] for f in deltaline.open_delta_table(path).files}


@pytest.fixture
def overwritten(tmp_path) -> Path:
    """Version 0 with 40 rows, version 1 overwriting it with 25 others."""
    path = tmp_path / "t"
    write_table_delta(rows(40), path, options=DeltaWriteOptions(mode="error"))
    write_table_delta(rows(25, offset=100), path, options=DeltaWriteOptions(mode="overwrite"))
    return path


def test_vacuum_is_a_dry_run_by_default(overwritten):
    before = data_files(overwritten)
    stale = before - live_files(overwritten)
    assert stale
    result = deltaline.vacuum(overwritten, retention_hours=0, enforce_retention_duration=False)
    assert result.dry_run
    assert set(result.files) == stale
    assert result.bytes == sum((overwritten / f).stat().st_size for f in stale)
    assert result.start_version is None and result.end_version is None
    assert data_files(overwritten) == before
    assert deltaline.open_delta_table(overwritten).version == 1


def test_vacuum_deletes_the_files_of_an_overwritten_version(overwritten):
    stale = data_files(overwritten) - live_files(overwritten)
    result = deltaline.vacuum(overwritten, retention_hours=0, dry_run=False,
                              enforce_retention_duration=False)
    assert not result.dry_run
    assert set(result.files) == stale
    assert data_files(overwritten) == live_files(overwritten)
    # VACUUM START and END commits, as delta-rs records them.
    assert (result.start_version, result.end_version) == (2, 3)
    assert read_rs(overwritten).equals(by_id(rows(25, offset=100)))
    operations = [h["operation"] for h in RsTable(str(overwritten)).history()]
    assert operations[:2] == ["VACUUM END", "VACUUM START"]


def test_vacuum_refuses_a_short_retention_and_bad_arguments(overwritten):
    before = data_files(overwritten)
    with pytest.raises(InvalidInput, match="retention"):
        deltaline.vacuum(overwritten, retention_hours=0, dry_run=False)
    assert data_files(overwritten) == before
    for bad in (-1, float("nan"), float("inf"), "1"):
        with pytest.raises(InvalidInput):
            deltaline.vacuum(overwritten, retention_hours=bad)  # type: ignore[arg-type]
    # Within the default retention nothing is old enough.
    assert deltaline.vacuum(overwritten).files == []


def test_checkpoint_is_what_delta_rs_loads(tmp_path):
    path = tmp_path / "t"
    for i in range(3):
        write_table_delta(rows(10, offset=10 * i), path)
    result = deltaline.checkpoint(path)
    assert result.version == 2
    log = path / "_delta_log"
    assert (log / "00000000000000000002.checkpoint.parquet").exists()
    # With the commits before it gone, only the checkpoint can say what is live.
    for v in range(2):
        (log / f"{v:020d}.json").unlink()
    assert read_rs(path).equals(by_id(rows(30)))
    assert RsTable(str(path)).version() == 2


def test_clone_deep_and_shallow_equal_the_source_version(overwritten, tmp_path):
    deep = deltaline.clone(overwritten, tmp_path / "deep", version=0)
    assert (deep.source_version, deep.version, deep.shallow) == (0, 0, False)
    assert deep.num_copied_files == deep.num_files > 0
    assert read_rs(tmp_path / "deep").equals(by_id(rows(40)))
    assert data_files(tmp_path / "deep")  # the files were copied

    shallow = deltaline.clone(overwritten, tmp_path / "shallow", shallow=True)
    assert shallow.shallow and shallow.source_version == 1 and shallow.num_copied_files == 0
    assert data_files(tmp_path / "shallow") == set()  # referenced, not copied
    # delta-rs 1.6.6 resolves an add's absolute file:// URI under the table root, so
    # it cannot read a shallow clone; deltaline's reader does.
    referenced = live_files(tmp_path / "shallow")
    assert all(p.startswith("file://") for p in referenced)
    assert {p.rsplit("/", 1)[1] for p in referenced} == live_files(overwritten)
    shallow_rows = deltaline.open_delta_table(tmp_path / "shallow").to_pyarrow_table()
    assert by_id(shallow_rows).equals(by_id(rows(25, offset=100)))

    with pytest.raises(TableAlreadyExists):
        deltaline.clone(overwritten, tmp_path / "deep")
    again = deltaline.clone(overwritten, tmp_path / "deep", mode="overwrite")
    assert again.version == 1
    assert read_rs(tmp_path / "deep").equals(by_id(rows(25, offset=100)))


def test_clone_errors_are_typed(overwritten, tmp_path):
    with pytest.raises(InvalidInput):
        deltaline.clone(overwritten, tmp_path / "c", version=0, timestamp="2024-01-01T00:00:00Z")
    with pytest.raises(InvalidInput):
        deltaline.clone(overwritten, tmp_path / "c", mode="replace")  # type: ignore[arg-type]
    with pytest.raises(VersionNotFound):
        deltaline.clone(overwritten, tmp_path / "c", version=9)
    with pytest.raises(TableNotFound):
        deltaline.clone(tmp_path / "missing", tmp_path / "c")
    assert not (tmp_path / "c" / "_delta_log").exists()


@pytest.fixture
def legacy(tmp_path) -> Path:
    """A Hive-partitioned Parquet tree as pyarrow writes it (day=.../part-*.parquet)."""
    root = tmp_path / "legacy"
    table = rows(60)
    pads.write_dataset(table, root, format="parquet", partitioning=["day"],
                       partitioning_flavor="hive", max_rows_per_file=15,
                       max_rows_per_group=15)
    return root


def test_migrate_parquet_copies_and_verifies(legacy, tmp_path):
    plan = deltaline.migrate_parquet(legacy, tmp_path / "m", dry_run=True)
    assert plan.dry_run and plan.result is None and plan.version is None
    assert [c["name"] for c in plan.plan["partitionColumns"]] == ["day"]
    assert plan.plan["totalRows"] == 60
    assert not (tmp_path / "m").exists()

    result = deltaline.migrate_parquet(legacy, tmp_path / "m", verify=True)
    assert result.mode == "copy" and result.version == 0
    assert result.verification is not None and result.verification["ok"]
    assert result.result["rows"] == 60
    migrated = RsTable(str(tmp_path / "m"))
    assert migrated.metadata().partition_columns == ["day"]
    assert migrated.to_pyarrow_table().schema.field("day").type == pa.date32()
    assert read_rs(tmp_path / "m").equals(by_id(rows(60)))
    with pytest.raises(TableAlreadyExists):
        deltaline.migrate_parquet(legacy, tmp_path / "m")


def test_migrate_parquet_in_place(legacy):
    before = data_files(legacy)
    result = deltaline.migrate_parquet(legacy, in_place=True, partition_by=["day"],
                                       verify=True)
    assert result.mode == "in-place" and result.result["operation"] == "CONVERT"
    assert data_files(legacy) == before  # only _delta_log was written
    assert read_rs(legacy).equals(by_id(rows(60)))


def test_migrate_parquet_bad_arguments(legacy, tmp_path):
    with pytest.raises(InvalidInput):
        deltaline.migrate_parquet(legacy)  # no target, not in place
    with pytest.raises(InvalidInput):
        deltaline.migrate_parquet(legacy, tmp_path / "x", in_place=True)
    with pytest.raises(InvalidInput):
        deltaline.migrate_parquet(legacy, tmp_path / "x", schema_mode="loose")  # type: ignore
    with pytest.raises(InvalidInput):
        deltaline.migrate_parquet(legacy, tmp_path / "x", partition_by="day")
    with pytest.raises(deltaline.DeltaError):
        deltaline.migrate_parquet(legacy, tmp_path / "x", partition_by=["country"])
    assert not (tmp_path / "x").exists()


def test_migrate_parquet_names_a_schema_difference(tmp_path):
    root = tmp_path / "mixed"
    root.mkdir()
    pq.write_table(pa.table({"a": pa.array([1, 2], pa.int64())}), root / "f1.parquet")
    pq.write_table(pa.table({"a": pa.array(["x"], pa.string())}), root / "f2.parquet")
    with pytest.raises(deltaline.SchemaMismatch, match="f2.parquet"):
        deltaline.migrate_parquet(root, tmp_path / "out")


def test_optimize_compacts_small_files(tmp_path):
    path = tmp_path / "t"
    for i in range(6):
        write_table_delta(rows(20, offset=20 * i), path)
    assert len(live_files(path)) == 6
    result = deltaline.optimize(path)
    assert result.committed and result.version == 6
    assert result.num_files_removed == 6 and result.num_files_added == 1
    assert result.files_removed.total_files == 6
    assert result.rows == 120
    assert len(live_files(path)) == 1
    assert read_rs(path).equals(by_id(rows(120)))
    # Nothing left to do: no commit.
    again = deltaline.optimize(path)
    assert not again.committed and again.version == 6


def test_optimize_zorder_and_errors(tmp_path):
    path = tmp_path / "t"
    for i in range(3):
        write_table_delta(rows(20, offset=20 * i), path)
    result = deltaline.optimize(path, zorder_by="id")
    assert result.zorder_by == ["id"] and result.committed
    assert read_rs(path).equals(by_id(rows(60)))
    with pytest.raises(InvalidInput):
        deltaline.optimize(path, zorder_by=["nope"])
    with pytest.raises(InvalidInput):
        deltaline.optimize(path, target_size=0)
    with pytest.raises(TableNotFound):
        deltaline.optimize(tmp_path / "missing")


def test_restore_to_a_version_equals_it(overwritten):
    result = deltaline.restore(overwritten, version=0)
    assert (result.version, result.restored_version, result.read_version) == (2, 0, 1)
    assert result.num_restored_files > 0 and result.num_removed_files > 0
    assert read_rs(overwritten).equals(read_rs(overwritten, version=0))
    assert read_rs(overwritten).equals(by_id(rows(40)))


def test_restore_errors_are_typed(overwritten, tmp_path):
    with pytest.raises(InvalidInput):
        deltaline.restore(overwritten)
    with pytest.raises(InvalidInput):
        deltaline.restore(overwritten, version=0, timestamp=0)
    with pytest.raises(InvalidInput):
        deltaline.restore(overwritten, version=1)  # the latest: nothing to restore
    with pytest.raises(InvalidInput, match="older than the latest"):
        deltaline.restore(overwritten, version=7)
    with pytest.raises(VersionNotFound):
        deltaline.restore(overwritten, timestamp="2001-01-01T00:00:00Z")
    with pytest.raises(TableNotFound):
        deltaline.restore(tmp_path / "missing", version=0)
    assert deltaline.open_delta_table(overwritten).version == 1


def test_cleanup_log_deletes_expired_commits_before_a_checkpoint(tmp_path):
    path = tmp_path / "t"
    options = DeltaWriteOptions(configuration={"delta.logRetentionDuration": "interval 0 seconds"})
    for i in range(3):
        write_table_delta(rows(10, offset=10 * i), path, options=options)
    # No checkpoint yet: nothing can go.
    assert deltaline.cleanup_log(path, dry_run=True).files == []
    deltaline.checkpoint(path)
    log = path / "_delta_log"
    planned = deltaline.cleanup_log(path, dry_run=True)
    assert planned.dry_run and planned.checkpoint_version == 2
    assert planned.files == [f"{v:020d}.json" for v in range(2)]
    assert (log / planned.files[0]).exists()
    done = deltaline.cleanup_log(path)
    assert done.files == planned.files and done.earliest_version == 2
    assert not any((log / f).exists() for f in done.files)
    assert read_rs(path).equals(by_id(rows(30)))


def test_tools_raise_table_not_found(tmp_path):
    missing = tmp_path / "missing"
    for call in (lambda: deltaline.vacuum(missing), lambda: deltaline.checkpoint(missing),
                 lambda: deltaline.cleanup_log(missing)):
        with pytest.raises(TableNotFound):
            call()
