"""The table tools: vacuum, checkpoint, clone, migrate_parquet, optimize, restore and
cleanup_log, as the ``deltaline`` commands of the same names (their ``--json`` fields,
in snake_case). Names and defaults follow delta-rs's ``DeltaTable`` methods where
deltaline has no precedent (``vacuum`` is a dry run unless told otherwise)."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Optional, Union

from deltaline import _core
from deltaline._table import Timestamp, _timestamp_ms
from deltaline.errors import DeltaError, InvalidInput

PathLike = Union[str, "os.PathLike[str]"]


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(message, kind="InvalidInput")


def _version(name: str, value: Optional[int]) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _invalid(f"{name}: version must be a non-negative int, got {value!r}")
    return value


def _time_travel(name: str, version: Optional[int],
                 timestamp: Optional[Timestamp]) -> tuple[Optional[int], Optional[int]]:
    if version is not None and timestamp is not None:
        raise _invalid(f"{name}: give version or timestamp, not both")
    ms = _timestamp_ms(timestamp) if timestamp is not None else None
    return _version(name, version), ms


@dataclass(frozen=True)
class VacuumResult:
    """What :func:`vacuum` deleted, or would delete in a dry run.

    ``files`` are relative to the table root, sorted. ``start_version`` and
    ``end_version`` are the ``VACUUM START`` / ``VACUUM END`` commits (``None`` for a
    dry run).
    """

    table: str
    snapshot_version: int
    dry_run: bool
    retention_ms: int
    files: list[str] = field(default_factory=list)
    bytes: int = 0
    directories_deleted: int = 0
    start_version: Optional[int] = None
    end_version: Optional[int] = None


def vacuum(path: PathLike, *, retention_hours: Optional[float] = None,
           dry_run: bool = True, enforce_retention_duration: bool = True) -> VacuumResult:
    """Deletes the data files the latest version no longer references and that were
    removed (and last modified) longer than the retention ago, as delta-rs's
    ``DeltaTable.vacuum``.

    Args:
        path: the Delta table.
        retention_hours: the retention (default: the table's
            ``delta.deletedFileRetentionDuration``, 7 days).
        dry_run: list the files only, delete nothing (the default, as delta-rs).
        enforce_retention_duration: refuse a retention shorter than the table's.

    Raises:
        TableNotFound: no table at ``path``.
        InvalidInput: a negative or non-finite retention, or one shorter than the
            table's while ``enforce_retention_duration`` is on (nothing deleted).
    """
    retention_ms = None
    if retention_hours is not None:
        if isinstance(retention_hours, bool) or not isinstance(retention_hours, (int, float)):
            raise _invalid(f"vacuum: retention_hours must be a number, got {retention_hours!r}")
        if not math.isfinite(retention_hours) or retention_hours < 0:
            raise _invalid(f"vacuum: retention_hours must be finite and >= 0, got "
                           f"{retention_hours!r}")
        retention_ms = round(retention_hours * 3_600_000)
    result = _core.vacuum(os.fspath(path), retention_ms, bool(dry_run),
                          bool(enforce_retention_duration))
    return VacuumResult(**result)


@dataclass(frozen=True)
class CheckpointResult:
    """The checkpoint :func:`checkpoint` wrote: at ``version``, the latest."""

    table: str
    version: int


def checkpoint(path: PathLike) -> CheckpointResult:
    """Writes a checkpoint of the latest version now (delta-rs's
    ``create_checkpoint``), and points ``_last_checkpoint`` at it.

    Raises:
        TableNotFound: no table at ``path``.
    """
    return CheckpointResult(**_core.checkpoint(os.fspath(path)))


@dataclass(frozen=True)
class CleanupLogResult:
    """The log files :func:`cleanup_log` deleted (or would delete), names inside
    ``_delta_log/``. ``checkpoint_version`` is the checkpoint the kept log rests on
    (``None``: no checkpoint older than the retention, nothing deleted);
    ``earliest_version`` the oldest version still loadable afterwards."""

    table: str
    dry_run: bool
    retention_ms: int
    cutoff_ms: int
    checkpoint_version: Optional[int]
    earliest_version: Optional[int]
    latest_version: int
    files: list[str] = field(default_factory=list)
    bytes: int = 0


def cleanup_log(path: PathLike, *, dry_run: bool = False) -> CleanupLogResult:
    """Deletes the log files that only versions older than
    ``delta.logRetentionDuration`` (30 days) need, as delta-rs's
    ``cleanup_metadata``: everything below the newest checkpoint that is expired.

    Raises:
        TableNotFound: no table at ``path``.
    """
    return CleanupLogResult(**_core.cleanup_log(os.fspath(path), bool(dry_run)))


@dataclass(frozen=True)
class CloneResult:
    """What :func:`clone` committed: ``version`` of the target (the CLONE commit) with
    the content of ``source`` at ``source_version``."""

    source: str
    source_version: int
    target: str
    version: int
    shallow: bool
    num_files: int
    source_table_size: int
    num_copied_files: int
    copied_files_size: int
    num_reused_files: int
    num_copied_deletion_vector_files: int
    num_removed_files: int
    removed_files_size: int


def clone(source: PathLike, target: PathLike, *, version: Optional[int] = None,
          timestamp: Optional[Timestamp] = None, shallow: bool = False,
          mode: Literal["error", "overwrite"] = "error") -> CloneResult:
    """Clones the table ``source`` at one version into a new table ``target`` (Spark's
    CLONE), in one commit with the source's schema, partitioning and properties.

    Args:
        version, timestamp: the source version (default: the latest); ``timestamp`` is
            RFC 3339 text, ms since the epoch or an aware datetime.
        shallow: reference the source's files by absolute URI instead of copying
            them (each copy of a deep clone is checked against its CRC-32).
        mode: ``"error"`` (the target must not be a table) or ``"overwrite"``
            (replace its content and metadata in one new commit).

    Raises:
        TableNotFound, VersionNotFound: no such source table or version.
        TableAlreadyExists: the target is a table and ``mode="error"``.
        InvalidInput: both version and timestamp, source = target, an unknown mode.
        UnsupportedFeature: a writer feature that cannot be cloned correctly.
    """
    if mode not in ("error", "overwrite"):
        raise _invalid(f"clone: mode must be 'error' or 'overwrite', got {mode!r}")
    version, ms = _time_travel("clone", version, timestamp)
    return CloneResult(**_core.clone(os.fspath(source), os.fspath(target), version, ms,
                                     bool(shallow), mode))


@dataclass(frozen=True)
class FileSizeStats:
    """Sizes (bytes) of a set of files, as Spark's FileSizeStats."""

    min: int
    max: int
    avg: float
    total_files: int
    total_size: int


@dataclass(frozen=True)
class OptimizeResult:
    """What :func:`optimize` rewrote. ``committed`` is false when nothing needed it
    (``version`` is then the unchanged latest)."""

    table: str
    version: int
    committed: bool
    num_files_added: int
    num_files_removed: int
    files_added: FileSizeStats
    files_removed: FileSizeStats
    partitions_optimized: int
    num_batches: int
    total_considered_files: int
    total_files_skipped: int
    num_deletion_vectors_removed: int
    rows: int
    zorder_by: list[str]
    commit_attempts: int


def optimize(path: PathLike, *, target_size: Optional[int] = None,
             where: Optional[str] = None,
             zorder_by: Union[str, Sequence[str], None] = None) -> OptimizeResult:
    """Compacts small files into files of ``target_size`` (delta-rs's
    ``optimize.compact()``), or with ``zorder_by`` clusters every file's rows by the
    Z-order of those columns (``optimize.z_order()``), in one commit with
    ``dataChange=false``.

    Args:
        target_size: bytes per file (default: the table's ``delta.targetFileSize``,
            else 128 MiB).
        where: SQL predicate on partition columns: optimize only those partitions.
        zorder_by: a column or columns (not partition columns).

    Raises:
        TableNotFound: no table at ``path``.
        InvalidInput: a non-positive target size, a ``where`` on a data column, an
            unknown Z-order column.
        CommitConflict: a concurrent commit removed a file being rewritten.
    """
    if target_size is not None and (isinstance(target_size, bool)
                                    or not isinstance(target_size, int) or target_size <= 0):
        raise _invalid(f"optimize: target_size must be a positive int, got {target_size!r}")
    columns = [zorder_by] if isinstance(zorder_by, str) else list(zorder_by or [])
    result = _core.optimize(os.fspath(path), target_size, where, columns)
    result["files_added"] = FileSizeStats(**result["files_added"])
    result["files_removed"] = FileSizeStats(**result["files_removed"])
    return OptimizeResult(**result)


@dataclass(frozen=True)
class RestoreResult:
    """What :func:`restore` committed: ``version`` (the RESTORE commit) has the content
    of ``restored_version``; Spark's metrics."""

    table: str
    version: int
    restored_version: int
    read_version: int
    table_size_after_restore: int
    num_of_files_after_restore: int
    num_removed_files: int
    num_restored_files: int
    removed_files_size: int
    restored_files_size: int
    metadata_changed: bool
    protocol_changed: bool


def restore(path: PathLike, *, version: Optional[int] = None,
            timestamp: Optional[Timestamp] = None) -> RestoreResult:
    """Makes the table's content that of an older version, in one new commit (delta-rs's
    ``DeltaTable.restore``). Give ``version`` or ``timestamp`` (RFC 3339 text, ms since
    the epoch or an aware datetime: the version current then).

    Raises:
        TableNotFound: no table at ``path``.
        VersionNotFound: the version or timestamp is outside the log.
        InvalidInput: neither or both of version and timestamp; the latest version;
            a file to re-add is gone (vacuumed).
        CommitConflict: a concurrent commit.
    """
    if version is None and timestamp is None:
        raise _invalid("restore: give version or timestamp")
    version, ms = _time_travel("restore", version, timestamp)
    text = str(timestamp) if isinstance(timestamp, str) else ""
    return RestoreResult(**_core.restore(os.fspath(path), version, ms, text))


@dataclass(frozen=True)
class MigrateResult:
    """The report of :func:`migrate_parquet` (``deltaline migrate-parquet --json``).

    ``plan`` is the layout read from the footers (files, partition columns and their
    types, schema, which columns have exact statistics; camelCase keys as the CLI's
    report); ``result`` what was written (``None`` for a dry run); ``verification``
    the comparison (``None`` unless ``verify``).
    """

    source: str
    destination: str
    mode: Literal["copy", "in-place"]
    dry_run: bool
    plan: dict[str, Any]
    result: Optional[dict[str, Any]] = None
    verification: Optional[dict[str, Any]] = None

    @property
    def version(self) -> Optional[int]:
        """The version written (0), or ``None`` for a dry run."""
        return None if self.result is None else self.result["version"]


def migrate_parquet(source: PathLike, target: Optional[PathLike] = None, *,
                    in_place: bool = False,
                    partition_by: Union[Literal["auto"], Sequence[str], None] = None,
                    schema_mode: Literal["strict", "merge"] = "strict",
                    verify: bool = False, dry_run: bool = False) -> MigrateResult:
    """Brings a legacy directory of Parquet files (flat or Hive-partitioned) into Delta:
    copied into the new table ``target`` as a regular write, or with ``in_place``
    converted where it is (only ``source/_delta_log`` is written, as Spark's CONVERT TO
    DELTA).

    Args:
        partition_by: ``None`` or ``"auto"`` infers the partition columns and their
            types from the ``name=value`` directories; a list requires the directories
            to be exactly these (``[]``: unpartitioned).
        schema_mode: ``"strict"`` (every file the same schema) or ``"merge"`` (the
            union of the files' columns).
        verify: afterwards compare rows, rows per partition, schema and a checksum of
            every column.
        dry_run: read the footers and return the plan; write nothing.

    Raises:
        DeltaError: ``kind="ResultMismatch"``: verification found a difference
            (the message names it; ``.report`` holds the :class:`MigrateResult`).
        TableAlreadyExists: the target (or ``source/_delta_log``) exists.
        SchemaMismatch: files with different schemas (naming the file and column).
        UnsupportedFeature: in place, a type Delta cannot read as is (INT96…).
        InvalidInput: bad arguments, an inconsistent layout.
    """
    if in_place and target is not None and os.fspath(target) != os.fspath(source):
        raise _invalid("migrate_parquet: in_place converts source where it is: omit "
                       "target or give source again")
    if not in_place and target is None:
        raise _invalid("migrate_parquet: target is required (or in_place=True to "
                       "convert source where it is)")
    if schema_mode not in ("strict", "merge"):
        raise _invalid(f"migrate_parquet: schema_mode must be 'strict' or 'merge', got "
                       f"{schema_mode!r}")
    columns: Optional[list[str]] = None
    if partition_by is not None and partition_by != "auto":
        if isinstance(partition_by, str):
            raise _invalid(f"migrate_parquet: partition_by must be 'auto' or a list of "
                           f"columns, got {partition_by!r}")
        columns = [str(c) for c in partition_by]
        if any(not c for c in columns):
            raise _invalid(f"migrate_parquet: empty column name in {partition_by!r}")
    out = _core.migrate_parquet(os.fspath(source),
                                os.fspath(target) if target is not None else "",
                                bool(in_place), columns, schema_mode, bool(verify),
                                bool(dry_run))
    report = out["report"]
    result = MigrateResult(source=report["source"], destination=report["destination"],
                           mode=report["mode"], dry_run=report["dryRun"],
                           plan=report["plan"], result=report.get("result"),
                           verification=report.get("verification"))
    if out["failure"] is not None:
        error = DeltaError(out["failure"], kind="ResultMismatch")
        error.report = result  # type: ignore[attr-defined]
        raise error
    return result
