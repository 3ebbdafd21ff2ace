"""Pipelines: a declared pipeline run (``deltaline run``) and the code anatomy run
(``deltaline anatomy``), each recorded in the lake as the commands record them."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Optional, Union

from deltaline import _core
from deltaline.errors import InvalidInput

#: ``progress(what, done, total)``: ``what`` says what happened (``"phase run"``,
#: ``"node totals done"``, ``"wrote big_sales"``; anatomy: ``"parse"``,
#: ``"write functions"``…), ``done``/``total`` count nodes (run) or files (anatomy).
#: Called from the library's threads, one call at a time, with the GIL held; an
#: exception it raises is raised by the run once it ended.
Progress = Callable[[str, int, int], None]
RunConfigSource = Union[str, os.PathLike, Mapping[str, Any]]
RunMode = Literal["production", "development"]


@dataclass(frozen=True)
class OutputResult:
    """One output of a pipeline run: the Delta table ``path`` of ``dataset`` under the
    lake. ``status`` is ``"succeeded"``, ``"skipped"`` (the run's commit was already
    there: exactly once), ``"failed"`` or ``"not_run"``. ``version_after`` is ``None``
    when nothing was committed."""

    dataset: str
    path: str
    status: str
    version_before: Optional[int]
    version_after: Optional[int]
    rows_added: int
    files_added: int
    constraint_violations: dict[str, int] = field(default_factory=dict)
    error: str = ""


@dataclass(frozen=True)
class RunResult:
    """A succeeded pipeline run: its ids, ``sequence`` (the ``txn`` version of its
    commits), the outputs, where its manifest went (``run_dir``) and the manifest
    itself (as ``deltaline run --json`` prints it)."""

    run_id: str
    pipeline_id: str
    sequence: int
    run_dir: str
    lake: str
    outputs: list[OutputResult]
    manifest: dict[str, Any] = field(repr=False, default_factory=dict)

    def output(self, dataset: str) -> OutputResult:
        """The output of ``dataset`` (KeyError when the pipeline has none)."""
        for out in self.outputs:
            if out.dataset == dataset:
                return out
        raise KeyError(dataset)


@dataclass(frozen=True)
class AnatomyTable:
    """What one anatomy run did to one table (``path``): rows of the files it (re)did,
    rows it removed (``None`` when unknown) and copied, its versions before and after
    (``None``: no table yet / nothing committed)."""

    table: str
    path: str
    rows_written: int
    rows_removed: Optional[int]
    rows_copied: int
    files_added: int
    files_removed: int
    version_before: Optional[int]
    version_after: Optional[int]
    skipped: bool


@dataclass(frozen=True)
class AnatomyResult:
    """A succeeded anatomy run. ``incremental`` is false for a full run;
    ``nothing_changed`` means an incremental run found no change and committed nothing.
    ``files`` counts the files: listed, added, changed, deleted, renamed, unchanged,
    dependents (re-resolved), parsed."""

    run_id: str
    sequence: int
    incremental: bool
    nothing_changed: bool
    run_dir: str
    lake: str
    files: dict[str, int]
    tables: list[AnatomyTable]
    manifest: dict[str, Any] = field(repr=False, default_factory=dict)

    def table(self, name: str) -> AnatomyTable:
        """The result of table ``name`` (KeyError when the run has none)."""
        for t in self.tables:
            if t.table == name:
                return t
        raise KeyError(name)


def _config_text(config: Optional[RunConfigSource]) -> tuple[Optional[str], str, Optional[str]]:
    """(JSON text, name for messages, the file's path when it came from one)."""
    if config is None:
        return None, "", None
    if isinstance(config, Mapping):
        return json.dumps(config), "<config dict>", None
    path = os.fspath(config)
    with open(path, encoding="utf-8") as f:
        return f.read(), path, path


def _command_line(pipeline: str, config_path: Optional[str], overrides: dict) -> list[str]:
    # The `deltaline run` command doing the same, for the run's repro bundle.
    argv = ["deltaline", "run", os.path.abspath(pipeline)]
    if config_path:
        argv += ["--config", os.path.abspath(config_path)]
    for key, flag in (("lake", "--lake"), ("run_id", "--run-id"), ("sequence", "--sequence"),
                      ("run_dir", "--run-dir"), ("parallelism", "--parallelism"),
                      ("pipeline_id", "--pipeline-id"), ("run_mode", "--run-mode")):
        if overrides.get(key) is not None:
            argv += [flag, str(overrides[key])]
    for binding in overrides.get("tables") or []:
        argv += ["--table", binding]
    return argv


def run(pipeline: Union[str, os.PathLike], *, config: Optional[RunConfigSource] = None,
        lake: Union[str, os.PathLike, None] = None, run_id: Optional[str] = None,
        sequence: Optional[int] = None, run_dir: Union[str, os.PathLike, None] = None,
        parallelism: Optional[int] = None, pipeline_id: Optional[str] = None,
        tables: Optional[Mapping[str, Union[str, os.PathLike]]] = None,
        run_mode: Optional[RunMode] = None,
        progress: Optional[Progress] = None) -> RunResult:
    """Runs the declared pipeline file ``pipeline`` (``PIPELINE.json``) as
    ``deltaline run`` does: nodes in parallel, every output checked against its spec and
    committed to ``<lake>/<dataset>`` exactly once (the ``txn`` of ``pipeline_id`` at
    ``sequence``), then the run recorded: manifest and repro bundle in ``run_dir``, a
    row in ``<lake>/_runs``.

    ``config`` is the run configuration (a JSON file path or a dict, keys as in the
    README's "Pipelines"); the keyword arguments override it as the command's flags do.
    ``tables`` replaces inputs of the pipeline (``{"sales": "data/sales@3"}``).
    ``sequence`` unset: one more than the last succeeded run's.

    Raises:
        the first failure of the run (its typed error) after recording it;
        InvalidInput for a pipeline or configuration that does not check.
    """
    text, source, config_path = _config_text(config)
    overrides: dict[str, Any] = {
        "lake": os.fspath(lake) if lake is not None else None,
        "run_id": run_id, "sequence": sequence,
        "run_dir": os.fspath(run_dir) if run_dir is not None else None,
        "parallelism": parallelism, "pipeline_id": pipeline_id, "run_mode": run_mode,
        "tables": [f"{k}={os.fspath(v)}" for k, v in (tables or {}).items()] or None,
    }
    path = os.fspath(pipeline)
    result = _core.run(path, text, source, overrides,
                       _command_line(path, config_path, overrides), progress)
    outputs = [OutputResult(**o) for o in result.pop("outputs")]
    return RunResult(outputs=outputs, **result)


def anatomy(source_root: Union[str, os.PathLike], lake: Union[str, os.PathLike], *,
            incremental: bool = True, threads: int = 0,
            config: Optional[RunConfigSource] = None, run_id: Optional[str] = None,
            run_dir: Union[str, os.PathLike, None] = None,
            parallelism: Optional[int] = None, run_mode: Optional[RunMode] = None,
            progress: Optional[Progress] = None) -> AnatomyResult:
    """The code anatomy of the Python tree ``source_root`` as Delta tables under
    ``lake``, as ``deltaline anatomy`` makes it: a full run the first time (or with
    ``incremental=False``), afterwards an incremental one that re-does only the added,
    changed, deleted and renamed files and their dependents, replacing exactly their
    rows in each table. Recorded like :func:`run` (manifest, ``<lake>/_runs``).

    ``threads``: parsing threads (0: all cores). ``config``: a run configuration
    (policies, parallelism, run id) as for :func:`run`.

    Raises:
        the typed error of a failed run, after recording it; InvalidInput for an
        unreadable ``source_root``.
    """
    if isinstance(threads, bool) or threads < 0:
        raise InvalidInput(f"threads must be >= 0, not {threads!r}", kind="InvalidInput")
    text, source, _ = _config_text(config)
    overrides = {"run_id": run_id,
                 "run_dir": os.fspath(run_dir) if run_dir is not None else None,
                 "parallelism": parallelism, "run_mode": run_mode}
    result = _core.anatomy(os.fspath(source_root), os.fspath(lake), not incremental,
                           int(threads), text, source, overrides, progress)
    tables = [AnatomyTable(**t) for t in result.pop("tables")]
    return AnatomyResult(tables=tables, **result)

