"""deltaline: Delta Lake tables from Python over deltaline's C++ engine.

Data crosses through the Arrow C stream interface: writes take any object with
``__arrow_c_stream__`` (pyarrow, Polars, DuckDB…), reads return objects that export it.
The API keeps the shape of the seed pipeline's helpers (``write_table_delta``,
``DeltaWriteOptions``, ``delta_history_snapshot``…).
"""

from __future__ import annotations

# The extension links the Arrow C++ libraries of the installed pyarrow, so it must be
# the very version deltaline was built against (python/CMakeLists.txt checks this pin
# against the build's). Checked before the extension loads: a mismatch is a clear
# ImportError, never a crash.
_ARROW_VERSION = "26.0.1"

import pyarrow as _pa

if _pa.__version__ != _ARROW_VERSION:
    raise ImportError(
        f"deltaline needs pyarrow=={_ARROW_VERSION} (its C++ libraries are linked into "
        f"deltaline), but pyarrow {_pa.__version__} is installed: "
        f"pip install pyarrow=={_ARROW_VERSION}")

from deltaline import _core  # noqa: E402

if _core.arrow_version != _ARROW_VERSION:  # pragma: no cover - a broken build
    raise ImportError(f"deltaline._core was built against Arrow {_core.arrow_version}, "
                      f"the package expects {_ARROW_VERSION}")

from deltaline._engine import QueryResult, insert_into, query  # noqa: E402
from deltaline._pipeline import (  # noqa: E402
    AnatomyResult,
    AnatomyTable,
    OutputResult,
    RunResult,
    anatomy,
    run,
)
from deltaline._policy import (  # noqa: E402
    ExportResult,
    OutputStoragePolicy,
    export_parquet,
    require_delta_output,
)
from deltaline._table import (  # noqa: E402
    DeltaScan,
    DeltaTable,
    delta_commit_metadata,
    delta_history_snapshot,
    delta_protocol_snapshot,
    delta_table_version,
    open_delta_table,
)
from deltaline._tools import (  # noqa: E402
    CheckpointResult,
    CleanupLogResult,
    CloneResult,
    FileSizeStats,
    MigrateResult,
    OptimizeResult,
    RestoreResult,
    VacuumResult,
    checkpoint,
    cleanup_log,
    clone,
    migrate_parquet,
    optimize,
    restore,
    vacuum,
)
from deltaline._write import (  # noqa: E402
    DeltaWriteOptions,
    RetryPolicy,
    WriteResult,
    WriterProperties,
    delete_delta,
    write_dataset_delta,
    write_table_delta,
)
from deltaline.errors import (  # noqa: E402
    ChangeDataNotRecorded,
    CommitConflict,
    DeltaError,
    DeltaWarning,
    InvalidInput,
    PolicyViolation,
    ProtocolError,
    SchemaMismatch,
    TableAlreadyExists,
    TableNotFound,
    UnsupportedFeature,
    VersionNotFound,
)

__version__ = "0.1.0"

__all__ = [
    # policy and table tools
    "CheckpointResult",
    "CleanupLogResult",
    "CloneResult",
    "ExportResult",
    "FileSizeStats",
    "MigrateResult",
    "OptimizeResult",
    "RestoreResult",
    "VacuumResult",
    "checkpoint",
    "cleanup_log",
    "clone",
    "export_parquet",
    "migrate_parquet",
    "optimize",
    "require_delta_output",
    "restore",
    "vacuum",
    # core
    "AnatomyResult",
    "AnatomyTable",
    "OutputResult",
    "QueryResult",
    "RunResult",
    "anatomy",
    "insert_into",
    "query",
    "run",
    "ChangeDataNotRecorded",
    "CommitConflict",
    "DeltaError",
    "DeltaScan",
    "DeltaTable",
    "DeltaWarning",
    "DeltaWriteOptions",
    "InvalidInput",
    "OutputStoragePolicy",
    "PolicyViolation",
    "ProtocolError",
    "RetryPolicy",
    "SchemaMismatch",
    "TableAlreadyExists",
    "TableNotFound",
    "UnsupportedFeature",
    "VersionNotFound",
    "WriteResult",
    "WriterProperties",
    "delete_delta",
    "delta_commit_metadata",
    "delta_history_snapshot",
    "delta_protocol_snapshot",
    "delta_table_version",
    "open_delta_table",
    "write_dataset_delta",
    "write_table_delta",
]
