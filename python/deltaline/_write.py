"""Writes: the options, in the shape the seed's pipelines already use, and the calls."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Optional, Union

from deltaline import _core
from deltaline._data import as_stream
from deltaline._policy import OutputStoragePolicy
from deltaline.errors import InvalidInput

WriteMode = Literal["error", "append", "overwrite", "ignore"]
SchemaMode = Literal["strict", "merge", "overwrite"]


@dataclass(frozen=True)
class WriterProperties:
    """How data files are written (the write policy's Parquet settings).

    Args:
        compression: ``zstd`` (default), ``snappy``, ``gzip``, ``brotli``, ``lz4`` or
            ``uncompressed``.
        compression_level: the codec's level; ``None`` = its default.
        max_rows_per_row_group: rows per row group at most (1 Mi).
        data_page_size: data page size target in bytes (1 MiB).
        dictionary: dictionary encoding for every column (``True``).
        dictionary_columns: per-column override, ``{"col": False}``.
        statistics: ``"none"``, ``"chunk"`` (default) or ``"page"`` (page index).
        statistics_columns: per-column override of ``statistics``.
        bloom_filter_columns: columns that get a split-block Bloom filter.
        bloom_filter_fpp: its false-positive rate (0.05).
    """

    compression: str = "zstd"
    compression_level: Optional[int] = None
    max_rows_per_row_group: Optional[int] = None
    data_page_size: Optional[int] = None
    dictionary: Optional[bool] = None
    dictionary_columns: Optional[Mapping[str, bool]] = None
    statistics: Optional[str] = None
    statistics_columns: Optional[Mapping[str, str]] = None
    bloom_filter_columns: Optional[Sequence[str]] = None
    bloom_filter_fpp: Optional[float] = None


@dataclass(frozen=True)
class RetryPolicy:
    """Commit attempts, and whole-write retries of replayable input after a conflict.

    Args:
        max_attempts: attempts in total, the first included (20).
        base_delay_ms: delay before the second attempt, doubled each time (10).
        max_delay_ms: upper bound of one delay (1000).
    """

    max_attempts: int = 20
    base_delay_ms: int = 10
    max_delay_ms: int = 1000


@dataclass(frozen=True)
class DeltaWriteOptions:
    """Options of one write, as the seed's ``DeltaWriteOptions``.

    Args:
        mode: ``"error"`` (the table must not exist), ``"append"``, ``"overwrite"`` or
            ``"ignore"`` (leave an existing table alone). The seed's default, append.
        partition_by: partition columns (new tables; must match an existing table).
        predicate: with ``mode="overwrite"``: replace only the rows matching this SQL
            predicate (replaceWhere); the new rows must all match it.
        replace_partitions: replace exactly the partitions present in the data.
        delete_partitions: with ``replace_partitions``: also delete these partitions
            (``[{"day": "2024-01-31"}]``).
        schema_mode: ``"strict"`` (default), ``"merge"`` (add new columns) or
            ``"overwrite"`` (replace the schema; needs ``mode="overwrite"``).
        writer_properties: data file settings (:class:`WriterProperties`).
        target_file_size: ``delta.targetFileSize`` in bytes (new tables).
        stats_columns: ``delta.dataSkippingStatsColumns`` (new tables).
        configuration: table properties set when the write creates the table.
        commit_metadata: key/values recorded in the commit (``userMetadata``).
        retry: commit attempts and backoff (:class:`RetryPolicy`).
        policy: the output storage policy (:class:`OutputStoragePolicy`).
        dataset: the commit's ``deltaline.dataset`` (default: the path's last part).
        update_table_properties: commit a property update first when the policy's
            properties differ from the table's (else that is an error).
        coerce_timestamps: write second/milli/nanosecond timestamps as microseconds,
            Delta's only unit (a nanosecond value that is not a whole microsecond
            fails). Off: such a column is refused with :class:`UnsupportedFeature`.
        widen_unsigned: write uint8/16/32 as the next wider signed type and uint64 as
            long (every value must fit). Off: refused with :class:`UnsupportedFeature`.
    """

    mode: WriteMode = "append"
    partition_by: Optional[Union[str, Sequence[str]]] = None
    predicate: Optional[str] = None
    replace_partitions: bool = False
    delete_partitions: Optional[Sequence[Mapping[str, Optional[str]]]] = None
    schema_mode: Optional[SchemaMode] = None
    writer_properties: Optional[WriterProperties] = None
    target_file_size: Optional[int] = None
    stats_columns: Optional[Union[str, Sequence[str]]] = None
    configuration: Optional[Mapping[str, str]] = None
    commit_metadata: Optional[Mapping[str, str]] = None
    retry: Optional[RetryPolicy] = None
    policy: Optional[OutputStoragePolicy] = None
    dataset: Optional[str] = None
    update_table_properties: bool = False
    coerce_timestamps: bool = False
    widen_unsigned: bool = False


@dataclass(frozen=True)
class WriteResult:
    """What a write or delete committed.

    ``version`` is the new version, or the current one when nothing was committed
    (``committed`` is then false: ``mode="ignore"`` on an existing table, a delete that
    matched nothing). ``partitions`` maps each partition written or removed
    (``"day=2024-01-31"``) to its counts. ``rows_removed`` is ``None`` when a removed
    file had no statistics. ``attempts`` counts whole-write attempts (a replayable
    input is written again after a concurrent append), ``commit_attempts`` the
    attempts of the final commit (a lost race for the version number that the
    conflict check allowed is retried at the next version).
    """

    path: str
    version: int
    operation: str
    committed: bool
    files_added: int
    files_removed: int
    rows_added: int
    rows_removed: Optional[int]
    bytes_added: int
    bytes_removed: int
    rows_copied: int
    partitions: dict[str, dict[str, int]] = field(default_factory=dict)
    schema_changed: bool = False
    checkpoint_written: bool = False
    attempts: int = 1
    commit_attempts: int = 1
    commit_metadata: dict[str, str] = field(default_factory=dict)


def _names(columns: Optional[Union[str, Sequence[str]]]) -> list[str]:
    """Column names; one name may be given as a plain string (``partition_by="day"``),
    which ``list()`` would split into letters."""
    if columns is None:
        return []
    if isinstance(columns, str):
        return [columns]
    return [str(c) for c in columns]


def _config(options: DeltaWriteOptions) -> str:
    """The options as a deltaline output configuration (docs/storage-policy.md)."""
    policy = options.policy or OutputStoragePolicy()
    write: dict[str, Any] = {}
    props = options.writer_properties or WriterProperties()
    codec = props.compression.lower()
    if props.compression_level is not None:
        codec = f"{codec}:{props.compression_level}"
    write["compression"] = codec
    for key, value in (
        ("max_rows_per_row_group", props.max_rows_per_row_group),
        ("data_page_size_bytes", props.data_page_size),
        ("dictionary", props.dictionary),
        ("dictionary_columns", dict(props.dictionary_columns or {}) or None),
        ("statistics", props.statistics),
        ("statistics_columns", dict(props.statistics_columns or {}) or None),
        ("bloom_filter_columns", _names(props.bloom_filter_columns) or None),
        ("bloom_filter_fpp", props.bloom_filter_fpp),
        ("target_file_size_bytes", options.target_file_size),
        ("stats_columns", _names(options.stats_columns) or None),
    ):
        if value is not None:
            write[key] = value
    config: dict[str, Any] = {"output": policy._config(), "delta_write": write}
    if options.schema_mode is not None:
        config["schema"] = {"mode": options.schema_mode}
    if options.retry is not None:
        config["commit_retry"] = {
            "max_attempts": options.retry.max_attempts,
            "base_delay_ms": options.retry.base_delay_ms,
            "max_delay_ms": options.retry.max_delay_ms,
        }
    return json.dumps(config)


def _request(options: DeltaWriteOptions, run: Optional[Mapping[str, str]] = None) -> dict:
    return {
        "mode": options.mode,
        "partition_by": _names(options.partition_by) or None,
        "predicate": options.predicate,
        "replace_partitions": options.replace_partitions,
        "delete_partitions": [dict(p) for p in options.delete_partitions or []],
        "table_properties": dict(options.configuration or {}),
        "commit_metadata": {k: str(v) for k, v in (options.commit_metadata or {}).items()},
        "dataset": options.dataset,
        "update_table_properties": options.update_table_properties,
        "coerce_timestamps": options.coerce_timestamps,
        "widen_unsigned": options.widen_unsigned,
        **(dict(run) if run else {}),
    }


def _path(path: Any) -> str:
    """A str, bytes or os.PathLike path as text (a table URI stays as it is)."""
    try:
        return os.fsdecode(os.fspath(path))
    except TypeError:
        raise InvalidInput(f"path must be a str or os.PathLike, not {type(path).__name__}",
                           kind="InvalidInput") from None


def write_table_delta(data: Any, path: Any, *,
                      options: Optional[DeltaWriteOptions] = None) -> WriteResult:
    """Writes ``data`` to the Delta table at ``path`` as one commit.

    ``data`` is any object with ``__arrow_c_stream__`` (a pyarrow Table or
    RecordBatchReader, a Polars DataFrame, a DuckDB relation…), a dict of columns or a
    pandas DataFrame. It is streamed into data files with bounded memory. A table
    that can be read again (not a reader) is re-written if a concurrent append wins
    the commit race, up to ``options.retry.max_attempts`` times.

    Raises:
        TableAlreadyExists: ``mode="error"`` and the table exists.
        SchemaMismatch: the data does not fit the table under ``schema_mode``.
        CommitConflict: a concurrent commit conflicts (``.conflict`` names it).
        PolicyViolation: the output policy forbids the output.
        InvalidInput: bad options (a predicate on a missing column…).
    """
    options = options or DeltaWriteOptions()
    exporter, replayable = as_stream(data)
    result = _core.write(exporter, _path(path), _config(options), _request(options),
                         replayable)
    return WriteResult(**result)


def write_dataset_delta(data: Any, path: Any, *,
                        options: Optional[DeltaWriteOptions] = None) -> WriteResult:
    """Streams ``data`` (a reader, or anything :func:`write_table_delta` takes) into the
    table at ``path`` as one commit, reading it once: a conflict is not redone."""
    options = options or DeltaWriteOptions()
    exporter, _ = as_stream(data)
    result = _core.write(exporter, _path(path), _config(options), _request(options), False)
    return WriteResult(**result)


def delete_delta(path: Any, predicate: str, *,
                 options: Optional[DeltaWriteOptions] = None) -> WriteResult:
    """Deletes the rows of the table at ``path`` matching the SQL ``predicate``, in one
    commit: files wholly matching are removed, files partly matching rewritten.
    Nothing matching: no commit (``committed`` is false).

    Raises:
        TableNotFound: no table at ``path``.
        InvalidInput: the predicate does not parse or names an unknown column.
    """
    options = options or DeltaWriteOptions()
    result = _core.delete(_path(path), predicate, _config(options), _request(options))
    return WriteResult(**result)
