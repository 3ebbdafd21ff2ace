"""What the write functions accept as data, and how it crosses into C++.

Everything crosses through the Arrow C stream interface: an object with
``__arrow_c_stream__`` is handed over as it is (no copy). A few common shapes without it
are wrapped first (a dict of columns, a pandas DataFrame, a DuckDB connection holding a
result, a pyarrow RecordBatch or Dataset).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from deltaline.errors import InvalidInput


def as_stream(data: Any) -> tuple[Any, bool]:
    """``(exporter, replayable)``: an object with ``__arrow_c_stream__`` for ``data``, and
    whether asking it again yields the same rows (so a conflicting write can be redone).
    A reader (pyarrow RecordBatchReader, a generator) is consumed once: not replayable.
    """
    if isinstance(data, pa.RecordBatchReader):
        return data, False
    if isinstance(data, (pa.Table, pa.RecordBatch)):
        return data, True
    if _is_duckdb_connection(data):
        # The pending result of con.execute(...): DuckDB 2 reads it with
        # to_arrow_reader(), earlier versions with fetch_record_batch().
        if hasattr(data, "to_arrow_reader"):
            return data.to_arrow_reader(), False
        return data.fetch_record_batch(), False
    if hasattr(data, "__arrow_c_stream__"):
        # Polars DataFrames, DuckDB relations (re-run on each export), nanoarrow…
        return data, not _looks_like_reader(data)
    if isinstance(data, dict):
        return pa.table(data), True
    if _is_pandas(data):
        return pa.Table.from_pandas(data, preserve_index=False), True
    if hasattr(data, "to_batches") and hasattr(data, "schema"):  # pyarrow.dataset
        return pa.RecordBatchReader.from_batches(data.schema, data.to_batches()), False
    if hasattr(data, "__arrow_c_array__"):
        return pa.record_batch(data), True
    raise InvalidInput(
        f"cannot write a {type(data).__name__}: pass an object with __arrow_c_stream__ "
        "(a pyarrow Table or RecordBatchReader, a Polars DataFrame, a DuckDB relation), "
        "a dict of columns or a pandas DataFrame",
        kind="InvalidInput")


def _looks_like_reader(data: Any) -> bool:
    name = type(data).__name__.lower()
    return "reader" in name or "stream" in name


def _is_duckdb_connection(data: Any) -> bool:
    # duckdb.DuckDBPyConnection lives in the extension module: "duckdb.duckdb" before
    # DuckDB 2, "_duckdb" since.
    module = type(data).__module__ or ""
    return (module.startswith("duckdb") or module.startswith("_duckdb")) and \
        type(data).__name__ == "DuckDBPyConnection"


def _is_pandas(data: Any) -> bool:
    module = type(data).__module__ or ""
    return module.startswith("pandas") and type(data).__name__ == "DataFrame"
