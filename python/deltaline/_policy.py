"""The output storage policy: Delta is the only output format. The check of an output
against it (:func:`require_delta_output`) and the gated Parquet export."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Literal, Optional, Union

from deltaline import _core
from deltaline.errors import InvalidInput

RunMode = Literal["production", "development"]


@dataclass(frozen=True)
class OutputStoragePolicy:
    """Where outputs may land, as the seed's ``OutputStoragePolicy``.

    Args:
        format: the only output format, ``"delta"``. Anything else is a forbidden sink.
        allow_parquet_exports: let :func:`export_parquet` write plain Parquet copies of
            a table version (default ``False``).
        mode: what a forbidden sink does: ``"production"`` raises
            :class:`~deltaline.errors.PolicyViolation`; ``"development"`` refuses it with
            a :class:`~deltaline.errors.DeltaWarning` and goes on.
    """

    format: str = "delta"
    allow_parquet_exports: bool = False
    mode: RunMode = "production"

    def _config(self) -> dict:
        return {"format": self.format, "allow_parquet_exports": self.allow_parquet_exports,
                "run_mode": self.mode}


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_parquet` wrote (its ``export_report.json``).

    ``refused`` is true when a development-mode policy refused the export: nothing was
    written and the other fields are empty. ``files`` are relative to ``out_dir``.
    """

    refused: bool
    table: str
    version: int
    out_dir: str
    files: list[str] = field(default_factory=list)
    rows: int = 0
    bytes: int = 0
    report_path: str = ""
    schema_fingerprint: Optional[str] = None
    exported_at_ms: Optional[int] = None


def _run_args(run_id: Optional[str], run_dir: Any) -> tuple[str, str]:
    return ("" if run_id is None else str(run_id),
            "" if run_dir is None else os.fspath(run_dir))


def require_delta_output(policy: OutputStoragePolicy, *, sink: str,
                         path: Union[str, os.PathLike, None] = None, format: str = "delta",
                         run_id: Optional[str] = None,
                         run_dir: Union[str, os.PathLike, None] = None) -> None:
    """Checks that an output named ``sink`` is a Delta table, as the seed's check.

    The policy itself must say ``format="delta"`` (a policy naming another format is a
    forbidden sink), and so must the requested ``format``. Plain Parquet is never
    allowed here, whatever ``allow_parquet_exports`` says: Parquet leaves only through
    :func:`export_parquet`. This is the same gate the writes, the engine and the
    ``deltaline`` command go through.

    Args:
        policy: the output storage policy.
        sink: who writes the output (a dataset or node name), named in the error.
        path: where it would write (default: ``sink``).
        format: the format the output would have (``"delta"``, ``"parquet"``…).
        run_id: the run the output belongs to, recorded with a refusal.
        run_dir: the run directory: a refusal appends a row to the Delta table
            ``<run_dir>/_diagnostics/policy_events``.

    Raises:
        PolicyViolation: a forbidden sink under ``mode="production"``. Under
            ``mode="development"`` it is reported as a
            :class:`~deltaline.errors.DeltaWarning` instead and the call returns.
        InvalidInput: an unknown ``policy.mode``.
    """
    run = _run_args(run_id, run_dir)
    where = os.fspath(path) if path is not None else sink
    _core.require_delta_output(policy._config(), str(sink), where, str(format), *run)


def export_parquet(path: Union[str, os.PathLike], out_dir: Union[str, os.PathLike], *,
                   version: Optional[int] = None,
                   policy: Optional[OutputStoragePolicy] = None,
                   run_id: Optional[str] = None,
                   run_dir: Union[str, os.PathLike, None] = None) -> ExportResult:
    """Exports one version of the Delta table at ``path`` as plain Parquet files
    ``part-NNNNN.parquet`` in ``out_dir`` (new or empty), plus ``export_report.json``.

    Gated by the policy: refused unless ``policy.allow_parquet_exports`` is true, and
    then nothing is written, not even ``out_dir``. The default policy refuses.

    Args:
        path: the Delta table.
        out_dir: the output directory; it must not exist yet or be empty.
        version: the version to export (default: the latest).
        policy: the output storage policy (default ``OutputStoragePolicy()``).
        run_id, run_dir: the run, as for :func:`require_delta_output`.

    Returns:
        The export report; ``refused`` is true when a development-mode policy refused
        the export (with a :class:`~deltaline.errors.DeltaWarning`).

    Raises:
        PolicyViolation: exports are not allowed (production mode).
        TableNotFound, VersionNotFound: no such table or version.
        InvalidInput: ``out_dir`` is not empty, or a negative version.
    """
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)
                                or version < 0):
        raise InvalidInput(f"export_parquet: version must be a non-negative int, got "
                           f"{version!r}", kind="InvalidInput")
    policy = policy or OutputStoragePolicy()
    report = _core.export_parquet(os.fspath(path), os.fspath(out_dir), policy._config(),
                                  version, *_run_args(run_id, run_dir))
    fingerprint = exported_at = None
    if not report["refused"]:
        # The fingerprint and time live only in the report file the export wrote.
        with open(report["report"], encoding="utf-8") as f:
            written = json.load(f)
        fingerprint = written.get("schemaFingerprint")
        exported_at = written.get("exportedAtMs")
    return ExportResult(refused=report["refused"], table=report["table"],
                        version=report["version"], out_dir=report["outDir"],
                        files=list(report["files"]), rows=report["rows"],
                        bytes=report["bytes"], report_path=report["report"],
                        schema_fingerprint=fingerprint, exported_at_ms=exported_at)
