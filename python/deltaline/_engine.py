"""The engine: Substrait plans over Delta tables bound by name, read as Arrow streams or
written into a Delta table in one commit (``deltaline query`` and ``query --into``)."""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
from collections.abc import Mapping
from typing import Any, Literal, Optional, Union

from deltaline import _core
from deltaline._data import as_stream
from deltaline._policy import OutputStoragePolicy
from deltaline._table import DeltaScan, DeltaTable
from deltaline._write import DeltaWriteOptions, WriteResult, _config, _request
from deltaline.errors import InvalidInput

#: A Substrait plan: binary protobuf bytes, its JSON text or parsed dict, a file holding
#: either (a ``pathlib.Path``), or a protobuf ``Plan`` message (ibis-substrait's output).
Plan = Union[bytes, bytearray, memoryview, str, os.PathLike, Mapping[str, Any], Any]
#: What a plan's table name is bound to: a Delta table path (``"path@3"`` pins version
#: 3, ``"path@2024-01-01T00:00:00Z"`` a time), an Arrow IPC / Parquet / JSON lines file,
#: an opened :class:`DeltaTable` (at its version), or in-memory data (anything with
#: ``__arrow_c_stream__``: a pyarrow Table, a Polars DataFrame…, read in once).
TableSource = Union[str, os.PathLike, DeltaTable, Any]
InsertPath = Literal["auto", "streaming", "fallback"]


class QueryResult(DeltaScan):
    """The rows of a query, as an Arrow C stream (``__arrow_c_stream__``).

    Every export runs the plan again from the start, over the same table versions (the
    Delta tables were pinned when :func:`query` bound them), so DuckDB and Polars, which
    export more than once, see the same rows each time. ``to_pyarrow()`` reads it once.
    Warnings of the run itself are not shown (it runs after :func:`query` returned);
    its errors are raised by the reader.
    """

    def __init__(self, stream: Any, bindings: list[str]) -> None:
        super().__init__(stream)
        self._bindings = list(bindings)

    @property
    def bindings(self) -> list[str]:
        """How each table of the plan was bound, e.g. ``"t → Delta table /d/t @ version 3"``."""
        return list(self._bindings)

    def __repr__(self) -> str:
        return f"QueryResult(schema={self.schema!r}, bindings={self._bindings!r})"


def _plan_bytes(plan: Plan) -> bytes:
    if isinstance(plan, (bytes, bytearray, memoryview)):
        return bytes(plan)
    if isinstance(plan, os.PathLike):
        try:
            with open(plan, "rb") as f:
                return f.read()
        except OSError as e:
            raise InvalidInput(f"cannot read the plan file {os.fspath(plan)}: {e.strerror}",
                               kind="InvalidInput") from e
    if isinstance(plan, str):
        if plan.lstrip().startswith("{"):
            return plan.encode()
        return _plan_bytes(pathlib.Path(plan))
    if isinstance(plan, Mapping):
        return json.dumps(plan).encode()
    if hasattr(plan, "SerializeToString"):
        # As JSON: the engine then translates (or refuses by name) each field of a
        # newer Substrait that Arrow's version lacks, where a binary plan holding one
        # is refused, naming it by field number only.
        try:
            from google.protobuf.json_format import MessageToJson
        except ImportError:  # pragma: no cover - a message without its library
            return plan.SerializeToString()
        return MessageToJson(plan).encode()
    raise InvalidInput(
        f"plan: expected Substrait bytes, JSON text or dict, a plan file path or a "
        f"protobuf Plan, not {type(plan).__name__}", kind="InvalidInput")


def _bindings(tables: Optional[Mapping[str, TableSource]]
              ) -> tuple[list[tuple[str, str, Optional[int]]], dict[str, Any]]:
    paths: list[tuple[str, str, Optional[int]]] = []
    memory: dict[str, Any] = {}
    for name, source in (tables or {}).items():
        if not isinstance(name, str) or not name:
            raise InvalidInput(f"tables: a table name must be a non-empty str, not {name!r}",
                               kind="InvalidInput")
        if isinstance(source, DeltaTable):
            paths.append((name, source.path, source.version))
        elif isinstance(source, (str, os.PathLike)):
            paths.append((name, os.fspath(source), None))
        else:
            try:
                memory[name] = as_stream(source)[0]
            except InvalidInput as e:
                raise InvalidInput(f"tables[{name!r}]: {e}", kind="InvalidInput") from e
    return paths, memory


def query(plan: Plan, *, tables: Optional[Mapping[str, TableSource]] = None,
          policy: Optional[OutputStoragePolicy] = None) -> QueryResult:
    """Runs the Substrait ``plan`` over ``tables`` and returns its rows as a stream.

    ``plan`` is the binary protobuf (``bytes``), its JSON (``str`` or ``dict``), a
    ``pathlib.Path`` of a file holding either (a ``str`` not starting with ``{`` is a
    path too), or a protobuf ``Plan`` message as ibis-substrait compiles it. The plan is
    normalised as ``deltaline query`` normalises it. ``tables`` maps each table name the
    plan reads (the last part of its ``namedTable`` names) to a source
    (:data:`TableSource`); Delta tables are pinned at their version now.

    The result exports ``__arrow_c_stream__``: ``pa.table(r)``, ``polars.from_arrow(r)``
    and ``duckdb.sql("select * from r")`` read it, each export running the plan anew.
    Filters and projections over a Delta table are pushed into its scan.

    Raises:
        InvalidInput: a table the plan names is not bound (the message names it), or
            the plan cannot be read.
        TableNotFound: a bound path holds no Delta table.
        SchemaMismatch: the plan's schema of a table does not fit the table.
        UnsupportedFeature: the plan uses what Arrow's Substrait consumer cannot run.
        PolicyViolation: the plan writes files (production mode).
    """
    paths, memory = _bindings(tables)
    config = _config(DeltaWriteOptions(policy=policy))
    stream, bindings = _core.query(_plan_bytes(plan), paths, memory, config)
    return QueryResult(stream, bindings)


def insert_into(plan: Plan, path: Any, *, tables: Optional[Mapping[str, TableSource]] = None,
                options: Optional[DeltaWriteOptions] = None,
                insert_path: InsertPath = "auto") -> WriteResult:
    """Runs ``plan`` (as :func:`query` takes it) and writes its rows into the Delta table
    at ``path`` as one commit, with every write option and policy of
    :func:`write_table_delta` (mode, replaceWhere ``predicate``, ``replace_partitions``,
    ``partition_by``, ``schema_mode``, retries, commit metadata).

    ``insert_path``: ``"streaming"`` (the plan ends in a writing node), ``"fallback"``
    (plan → reader → writer) or ``"auto"`` (streaming unless the schema may change).
    A failing plan commits nothing.

    Raises:
        the errors of :func:`query` and of :func:`write_table_delta`.
    """
    options = options or DeltaWriteOptions()
    paths, memory = _bindings(tables)
    result = _core.insert_into(_plan_bytes(plan), os.fspath(path), paths, memory,
                               _config(options), _request(options), insert_path)
    known = {f.name for f in dataclasses.fields(WriteResult)}
    return WriteResult(**{k: v for k, v in result.items() if k in known})
