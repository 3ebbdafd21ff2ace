"""Reading: a table pinned at one version, its facts, and its rows as Arrow streams."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any, Optional, Union

import pyarrow as pa

from deltaline import _core
from deltaline._write import _path
from deltaline.errors import InvalidInput, TableNotFound

Timestamp = Union[str, int, _dt.datetime]


class DeltaScan:
    """The rows of a scan, as an Arrow C stream.

    Hand it to anything that takes ``__arrow_c_stream__``: ``pa.table(scan)``,
    ``polars.DataFrame(scan)``, DuckDB (``duckdb.sql("select … from scan")`` or
    ``duckdb.from_arrow(scan)``). Each
    consumer reads it from the start; files are read one at a time, so memory stays
    bounded however large the table.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """A new ``arrow_array_stream`` PyCapsule over the rows."""
        return self._stream.__arrow_c_stream__(requested_schema)

    def __arrow_c_schema__(self) -> Any:
        """An ``arrow_schema`` PyCapsule of the rows' schema."""
        return self._stream.__arrow_c_schema__()

    @property
    def schema(self) -> pa.Schema:
        """The rows' Arrow schema."""
        return pa.schema(self._stream)

    def to_pyarrow(self) -> pa.Table:
        """All rows as a pyarrow Table (read without the GIL; a failure raises the
        :mod:`deltaline.errors` class, as the other calls do)."""
        return pa.RecordBatchReader.from_stream(_Capsule(self._stream.read_all())).read_all()

    def to_polars(self) -> Any:
        """All rows as a Polars DataFrame (``polars.DataFrame(scan)``; note that
        ``polars.from_arrow`` makes one struct Series of any stream that is not
        pyarrow's)."""
        import polars as pl

        return pl.DataFrame(self)

    def to_reader(self) -> pa.RecordBatchReader:
        """A pyarrow RecordBatchReader streaming the rows."""
        return pa.RecordBatchReader.from_stream(self)


class DeltaTable:
    """A Delta table pinned at one version (see :func:`open_delta_table`)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    @property
    def path(self) -> str:
        """The table's path, as given."""
        return self._table.path

    @property
    def version(self) -> int:
        """The pinned version."""
        return self._table.version

    @property
    def schema(self) -> pa.Schema:
        """The table's schema at this version, as Arrow types."""
        return pa.schema(_SchemaCapsule(self._table.schema()))

    @property
    def partition_columns(self) -> list[str]:
        """The partition columns."""
        return list(self._table.partition_columns)

    @property
    def files(self) -> list[dict[str, Any]]:
        """The live data files: path, size, modification_time, partition_values, stats
        (the ``add.stats`` JSON as a dict) and whether a deletion vector applies."""
        return self._table.files()

    @property
    def num_records(self) -> Optional[int]:
        """Rows in the table, from the files' statistics (``None`` when a file has none)."""
        return self._table.num_records

    def metadata(self) -> dict[str, Any]:
        """The table's metadata: id, name, description, partition columns,
        configuration (table properties), created time and the schema JSON."""
        return self._table.metadata()

    def protocol(self) -> dict[str, Any]:
        """min_reader_version, min_writer_version, reader_features, writer_features."""
        return self._table.protocol()

    def history(self, limit: Optional[int] = None) -> list[dict[str, Any]]:
        """The commits up to this version, newest first: version, timestamp (ms),
        operation, operationParameters, operationMetrics, userMetadata, engineInfo,
        readVersion. ``limit`` keeps the newest ones."""
        entries = self.version + 1 if limit is None else max(0, int(limit))
        return self._table.facts(False, entries)["history"]

    def scan(self, columns: Optional[Sequence[str]] = None, filter: Optional[str] = None,
             batch_size: int = 64 * 1024) -> DeltaScan:
        """The rows, streamed: ``columns`` in this order (default all), ``filter`` a SQL
        predicate (files it excludes by partition values or statistics are skipped),
        at most ``batch_size`` rows a batch."""
        if isinstance(columns, str):
            columns = [columns]
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidInput(f"batch_size must be a positive int, not {batch_size!r}",
                               kind="InvalidInput")
        stream = self._table.scan(list(columns or []), filter, batch_size)
        return DeltaScan(stream)

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """All rows at this version as an ``arrow_array_stream`` PyCapsule, so the table
        itself can be handed to DuckDB, Polars or pyarrow (a full :meth:`scan`)."""
        return self.scan().__arrow_c_stream__(requested_schema)

    def to_pyarrow_table(self, columns: Optional[Sequence[str]] = None,
                         filter: Optional[str] = None) -> pa.Table:
        """The rows as one pyarrow Table (see :meth:`scan`)."""
        return self.scan(columns, filter).to_pyarrow()

    # The table tools, as methods (delta-rs's names where it has them). Each acts on the
    # table's path and the latest version; reopen the table to see the result.

    def vacuum(self, **kwargs: Any) -> Any:
        """:func:`deltaline.vacuum` of this table (a dry run unless ``dry_run=False``)."""
        from deltaline._tools import vacuum
        return vacuum(self.path, **kwargs)

    def optimize(self, **kwargs: Any) -> Any:
        """:func:`deltaline.optimize` of this table (compaction, ``zorder_by=``)."""
        from deltaline._tools import optimize
        return optimize(self.path, **kwargs)

    def restore(self, version: Optional[int] = None,
                timestamp: Optional[Timestamp] = None) -> Any:
        """:func:`deltaline.restore` of this table to ``version`` or ``timestamp``."""
        from deltaline._tools import restore
        return restore(self.path, version=version, timestamp=timestamp)

    def create_checkpoint(self) -> Any:
        """:func:`deltaline.checkpoint` of this table at its latest version."""
        from deltaline._tools import checkpoint
        return checkpoint(self.path)

    def cleanup_metadata(self, **kwargs: Any) -> Any:
        """:func:`deltaline.cleanup_log`: deletes expired log files of this table."""
        from deltaline._tools import cleanup_log
        return cleanup_log(self.path, **kwargs)

    def clone(self, target: Any, **kwargs: Any) -> Any:
        """:func:`deltaline.clone` of this table at its pinned version into ``target``."""
        from deltaline._tools import clone
        kwargs.setdefault("version", self.version)
        return clone(self.path, target, **kwargs)

    def delete(self, predicate: str, **kwargs: Any) -> Any:
        """:func:`deltaline.delete_delta` of the rows matching ``predicate``."""
        from deltaline._write import delete_delta
        return delete_delta(self.path, predicate, **kwargs)

    def export_parquet(self, out_dir: Any, **kwargs: Any) -> Any:
        """:func:`deltaline.export_parquet` of this table's pinned version (gated by the
        output policy: refused unless it allows Parquet exports)."""
        from deltaline._policy import export_parquet
        kwargs.setdefault("version", self.version)
        return export_parquet(self.path, out_dir, **kwargs)

    def __repr__(self) -> str:
        return f"DeltaTable({self.path!r}, version={self.version})"


class _SchemaCapsule:
    def __init__(self, capsule: Any) -> None:
        self._capsule = capsule

    def __arrow_c_schema__(self) -> Any:
        return self._capsule


class _Capsule:
    """One stream capsule, handed to pyarrow once."""

    def __init__(self, capsule: Any) -> None:
        self._capsule = capsule

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self._capsule


def _timestamp_ms(timestamp: Timestamp) -> int:
    if isinstance(timestamp, bool):
        raise InvalidInput("timestamp must be a str, int (ms) or datetime", kind="InvalidInput")
    if isinstance(timestamp, int):
        return timestamp
    if isinstance(timestamp, _dt.datetime):
        if timestamp.tzinfo is None:
            raise InvalidInput("timestamp: a naive datetime is ambiguous; give a timezone",
                               kind="InvalidInput")
        # Integer arithmetic: a float of seconds * 1000 can land a millisecond early,
        # before the very commit whose time the caller passed.
        epoch = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
        return (timestamp - epoch) // _dt.timedelta(milliseconds=1)
    return _core.parse_timestamp_ms(str(timestamp))


def open_delta_table(path: Any, version: Optional[int] = None,
                     timestamp: Optional[Timestamp] = None) -> DeltaTable:
    """Opens the Delta table at ``path``: the latest version, or ``version``, or the
    newest version committed at or before ``timestamp`` (RFC 3339 text, ms since the
    epoch, or an aware datetime).

    Raises:
        TableNotFound: no table at ``path``.
        VersionNotFound: the version or timestamp is outside the log.
        UnsupportedFeature: a reader feature deltaline does not implement.
    """
    if version is not None and timestamp is not None:
        raise InvalidInput("give version or timestamp, not both", kind="InvalidInput")
    ms = _timestamp_ms(timestamp) if timestamp is not None else None
    return DeltaTable(_core._Table.open(_path(path), version, ms))


def _latest_or_none(path: Any) -> Optional[DeltaTable]:
    try:
        return open_delta_table(path)
    except TableNotFound:
        return None


def delta_table_version(path: Any) -> Optional[int]:
    """The latest version of the table at ``path``, or ``None`` when there is no table."""
    table = _latest_or_none(path)
    return None if table is None else table.version


def delta_history_snapshot(path: Any, *, limit: int = 1) -> Optional[dict[str, Any]]:
    """The newest commit of the table at ``path`` as a dict (see
    :meth:`DeltaTable.history`), or ``None`` when there is no table."""
    table = _latest_or_none(path)
    if table is None:
        return None
    history = table.history(limit)
    return history[0] if history else None


def delta_protocol_snapshot(path: Any) -> Optional[dict[str, Any]]:
    """The protocol and table facts of the table at ``path``: min_reader_version,
    min_writer_version, reader_features, writer_features, table_properties,
    schema_json, partition_columns and version; ``None`` when there is no table."""
    table = _latest_or_none(path)
    if table is None:
        return None
    metadata = table.metadata()
    return {
        **table.protocol(),
        "table_properties": metadata["configuration"],
        "schema_json": metadata["schema_json"],
        "partition_columns": metadata["partition_columns"],
        "version": table.version,
    }


def delta_commit_metadata(path: Any) -> Optional[dict[str, Any]]:
    """The user metadata of the newest commit (``commit_metadata`` of the write, plus
    the ``deltaline.*`` keys), or ``None`` when there is no table or none was recorded."""
    entry = delta_history_snapshot(path)
    if entry is None:
        return None
    return dict(entry.get("userMetadata") or {}) or None
