"""Reader conformance on the real tables in <repo>/../shared/delta-tables.

Spark, Databricks runtimes and delta-rs wrote these tables. For every table and every
version its log can still rebuild (the latest one and version 0 among them), deltaline
must either read exactly the rows the pinned delta-rs reads (ignoring row order), or
refuse with `UnsupportedFeature [name]`, where `name` is a reader feature the table
really uses and deltaline does not list as supported (src/delta/table/table_features.cc,
SupportedReaderFeatures). Never wrong values, never a crash.

Tables whose data files are not in the repository (log-only test fixtures) are checked
at the snapshot level instead: `deltaline describe --json` against delta-rs' version,
file count, metadata and protocol. That snapshot check also runs on every other table
deltaline can open.

EXPECTED pins today's outcome per table, so a table that reads cannot quietly turn
into a refusal (or the other way round) without this file changing.
"""

import json
from collections import Counter
import pathlib
import re

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, QueryBuilder

from conftest import rows

_REPO = pathlib.Path(__file__).resolve().parents[2]
TABLES_DIR = _REPO.parent / "shared" / "delta-tables"

READ = "read"
LOG_ONLY = "log-only"
NOT_A_TABLE = "not a table"

# What deltaline does with each table at its latest version. A string other than the
# constants above is the feature named by deltaline's UnsupportedFeature refusal.
EXPECTED = {
    "COVID-19_NYT": READ,
    "cdc_ict_table": READ,
    "cdf-table": READ,
    "cdf-table-with-cdc-and-dvs": READ,
    "checkpoint-v2-table": READ,
    "checkpoints": LOG_ONLY,
    "checkpoints_tombstones": NOT_A_TABLE,
    "concurrent_workers": LOG_ONLY,
    "delta-0.2.0": READ,
    "delta-0.8-empty": READ,
    "delta-0.8.0": READ,
    "delta-0.8.0-date": READ,
    "delta-0.8.0-null-partition": READ,
    "delta-0.8.0-numeric-partition": READ,
    "delta-0.8.0-partitioned": READ,
    "delta-0.8.0-special-partition": READ,
    "delta-checkpoint-stats-optional": READ,
    "delta-stats-optional": READ,
    "golden": READ,
    "http_requests": READ,
    "issue_1374": READ,
    "partition-type-primitives": READ,
    "python-0.25.5-checkpoint": READ,
    "simple_commit": READ,
    "simple_table": READ,
    "simple_table_features": "readerVersion:5",
    "simple_table_with_cdc": READ,
    "simple_table_with_checkpoint": READ,
    "spark-shredded-variant-preview-delta": READ,  # oracle: OTHER_ORACLES
    "table-with-domain-metadata": LOG_ONLY,
    "table-with-dv-small": READ,
    "table-without-dv-small": READ,
    "table_with_column_mapping": READ,
    "table_with_liquid_clustering": READ,
}

# Tables whose reader features delta-rs 1.6.6's pyarrow reader refuses (deletion
# vectors, v2 checkpoints, shredded variants): besides the delta-rs comparison here
# (its DataFusion scan, or OTHER_ORACLES), Spark reads them too and deltaline must equal
# it (tests/interop/spark/test_shared_tables.py). Where delta-rs cannot read one at all,
# its refusal must be the reason for not comparing here.
SPARK_ORACLE = {
    "cdf-table-with-cdc-and-dvs",
    "checkpoint-v2-table",
    "spark-shredded-variant-preview-delta",
    "table-with-dv-small",
    "table_with_liquid_clustering",
}

_DELTARS_REFUSAL = re.compile(r"reader features: \{.*\} but these are not yet supported")

_ERROR_LINE = re.compile(r"^deltaline: error: (?P<kind>[A-Za-z/]+)(?: \[(?P<feature>[^\]]+)\])?: ")


# ---------------------------------------------------------------------------
# Discovery
# ---------------------------------------------------------------------------


def _table_root(entry: pathlib.Path) -> pathlib.Path:
    """The directory holding _delta_log: the entry itself, or its one nested table
    (`golden/data-reader-array-primitives`)."""
    if (entry / "_delta_log").is_dir():
        return entry
    nested = sorted(p for p in entry.iterdir() if (p / "_delta_log").is_dir())
    return nested[0] if len(nested) == 1 else entry


def _log_versions(root: pathlib.Path):
    """(commit versions, checkpoint versions) named in _delta_log; checkpoints of every
    kind: classic, multi-part, and UUID-named V2 (`n.checkpoint.<uuid>.json|parquet`)."""
    log = root / "_delta_log"
    if not log.is_dir():
        return set(), set()
    commits, checkpoints = set(), set()
    for item in log.iterdir():
        head = item.name.split(".")[0]
        if not head.isdigit() or len(head) != 20:
            continue
        if item.name.endswith(".json") and item.name.count(".") == 1:
            commits.add(int(head))
        elif ".checkpoint" in item.name and item.name.endswith((".parquet", ".json")):
            checkpoints.add(int(head))
    return commits, checkpoints


def _rebuildable(commits, checkpoints) -> list:
    """Versions the log can rebuild: every commit from 0, or from a checkpoint, is there."""
    latest = max(commits | checkpoints, default=-1)
    out = []
    for version in range(latest + 1):
        starts = [-1] + sorted(c for c in checkpoints if c <= version)
        if any(all(v in commits for v in range(start + 1, version + 1)) for start in starts):
            out.append(version)
    return out


def _has_data_files(root: pathlib.Path) -> bool:
    return any(p.suffix == ".parquet" and "_delta_log" not in p.parts
               for p in root.rglob("*.parquet"))


def _tables() -> list:
    if not TABLES_DIR.is_dir():
        return []
    return sorted(p.name for p in TABLES_DIR.iterdir() if p.is_dir())


def _cases() -> list:
    cases = []
    for name in _tables():
        root = _table_root(TABLES_DIR / name)
        commits, checkpoints = _log_versions(root)
        cases.append(pytest.param(name, None, id=f"{name}@latest"))
        rebuildable = _rebuildable(commits, checkpoints)
        for version in rebuildable:
            cases.append(pytest.param(name, version, id=f"{name}@v{version}"))
        if commits | checkpoints and 0 not in rebuildable:
            # The log no longer has version 0: deltaline must say so, typed.
            cases.append(pytest.param(name, 0, id=f"{name}@v0-cleaned"))
    return cases


TABLES = _tables()
CASES = _cases()


# ---------------------------------------------------------------------------
# What deltaline calls supported
# ---------------------------------------------------------------------------


def _supported_reader_features() -> set:
    """The names in SupportedReaderFeatures() in src/delta/table/table_features.cc."""
    source = (_REPO / "src" / "delta" / "table" / "table_features.cc").read_text()
    body = re.search(r"SupportedReaderFeatures\(\)\s*\{(.*?)return", source, re.S)
    assert body, "SupportedReaderFeatures() not found in table_features.cc"
    names = set(re.findall(r'"([A-Za-z0-9_-]+)"', body.group(1)))
    assert names, "SupportedReaderFeatures() lists no features"
    return names


SUPPORTED_READER_FEATURES = _supported_reader_features() if (_REPO / "src").is_dir() else set()


def _open(root: pathlib.Path, version) -> DeltaTable:
    return DeltaTable(str(root)) if version is None else DeltaTable(str(root), version=version)


def _refusal_is_legitimate(root: pathlib.Path, version, feature: str) -> str:
    """Empty when `feature` is an unsupported reader feature the table really uses at
    this version; otherwise why not."""
    try:
        dt = _open(root, version)
        protocol, config = dt.protocol(), dict(dt.metadata().configuration)
    except Exception:  # delta-rs cannot even open it: read the raw protocol instead
        protocol, config = _raw_protocol_and_config(root, version)
    reader_version = protocol.min_reader_version
    reader_features = set(protocol.reader_features or [])
    if feature.startswith("readerVersion:"):
        wanted = int(feature.split(":", 1)[1])
        if wanted != reader_version or wanted <= 3:
            return f"refused {feature} but the table's minReaderVersion is {reader_version}"
        return ""
    mapping_on = config.get("delta.columnMapping.mode", "none") not in ("", "none")
    if feature == "columnMapping":
        if not mapping_on:
            return "refused columnMapping but the table's mode is none"
        return ""
    if feature in SUPPORTED_READER_FEATURES:
        return f"refused {feature}, which SupportedReaderFeatures lists as supported"
    if reader_version == 3 and feature in reader_features:
        return ""
    return f"refused {feature}, which the table does not use (readerFeatures={reader_features})"


class _RawProtocol:
    def __init__(self, action: dict):
        self.min_reader_version = action.get("minReaderVersion", 1)
        self.min_writer_version = action.get("minWriterVersion", 1)
        self.reader_features = action.get("readerFeatures")
        self.writer_features = action.get("writerFeatures")


def _raw_protocol_and_config(root: pathlib.Path, version) -> tuple:
    """The newest protocol and metaData among the JSON commits up to `version` (for
    tables delta-rs refuses to open, e.g. reader version 5)."""
    protocol, config = None, {}
    for commit in sorted((root / "_delta_log").glob("*.json")):
        if version is not None and int(commit.name.split(".")[0]) > version:
            break
        for line in commit.read_text().splitlines():
            if not line.strip():
                continue
            action = json.loads(line)
            if "protocol" in action:
                protocol = _RawProtocol(action["protocol"])
            if "metaData" in action:
                config = action["metaData"].get("configuration") or {}
    assert protocol is not None, f"no protocol action in {root}"
    return protocol, config


# ---------------------------------------------------------------------------
# Comparing Arrow tables across the two readers
# ---------------------------------------------------------------------------


def _common_type(t: pa.DataType) -> pa.DataType:
    """One spelling for the types the two readers may spell differently: dictionary
    partitions, large/view strings and lists, UTC time zone names."""
    if isinstance(t, pa.BaseExtensionType):
        return _common_type(t.storage_type)
    if pa.types.is_dictionary(t):
        return _common_type(t.value_type)
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return pa.string()
    if pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
        return pa.binary()
    if pa.types.is_timestamp(t):
        tz = t.tz
        if tz in ("+00:00", "Z", "Etc/UTC", "UTC"):
            tz = "UTC"
        return pa.timestamp(t.unit, tz)
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, _common_type(f.type)) for f in t])
    if pa.types.is_map(t):
        return pa.map_(_common_type(t.key_type), _common_type(t.item_type))
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_list_view(t) \
            or pa.types.is_large_list_view(t):
        return pa.list_(_common_type(t.value_type))
    return t


def _storage(column):
    """`column` with extension types (at any depth) replaced by their storage."""
    def plain(t):
        if isinstance(t, pa.BaseExtensionType):
            return plain(t.storage_type)
        if pa.types.is_struct(t):
            return pa.struct([f.with_type(plain(f.type)) for f in t])
        if pa.types.is_list(t):
            return pa.list_(t.value_field.with_type(plain(t.value_type)))
        if pa.types.is_map(t):
            return pa.map_(t.key_field, t.item_field.with_type(plain(t.item_type)))
        return t

    def unwrap(array):
        if isinstance(array.type, pa.BaseExtensionType):
            return unwrap(array.storage)
        target = plain(array.type)
        if target == array.type:
            return array
        # Same buffers, plain types: rebuild through the C data interface would be
        # overkill; Arrow's view() reinterprets layouts that are identical.
        return array.view(target)

    return pa.chunked_array([unwrap(chunk) for chunk in column.chunks], plain(column.type))


def _normalise(table: pa.Table) -> pa.Table:
    columns, fields = [], []
    for field, column in zip(table.schema, table.columns):
        target = _common_type(field.type)
        column = _storage(column)
        columns.append(column if column.type == target else column.cast(target))
        fields.append(pa.field(field.name, target))
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def _sortable(t: pa.DataType) -> bool:
    return not pa.types.is_nested(t)


def _assert_same_table(actual: pa.Table, expected: pa.Table, label: str) -> None:
    actual, expected = _normalise(actual), _normalise(expected)
    assert actual.column_names == expected.column_names, \
        f"{label}: columns {actual.column_names} != delta-rs {expected.column_names}"
    for got, want in zip(actual.schema, expected.schema):
        assert got.type == want.type, f"{label}: column {got.name}: {got.type} != {want.type}"
    assert actual.num_rows == expected.num_rows, \
        f"{label}: {actual.num_rows} rows, delta-rs {expected.num_rows}"
    names = expected.column_names
    # Fast path (COVID-19_NYT has a million rows): sort both by every column, compare.
    if names and all(_sortable(f.type) for f in expected.schema):
        keys = [(name, "ascending") for name in names]
        if actual.sort_by(keys).equals(expected.sort_by(keys)):
            return
    got_rows, want_rows = rows(actual, names), rows(expected, names)
    if got_rows != want_rows:
        got_count, want_count = Counter(got_rows), Counter(want_rows)
        missing = list((want_count - got_count).elements())[:3]
        extra = list((got_count - want_count).elements())[:3]
        pytest.fail(f"{label}: rows differ from delta-rs; missing {missing}, extra {extra}")


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _parse_error(stderr: bytes):
    text = stderr.decode(errors="replace").strip()
    lines = text.splitlines()
    assert len(lines) == 1, f"error must be one line on stderr, got:\n{text}"
    match = _ERROR_LINE.match(lines[0])
    assert match, f"error line names no kind: {lines[0]}"
    # `internal` is main()'s catch-all for an escaped exception: a bug, not a refusal.
    assert match.group("kind") != "internal", f"escaped exception: {lines[0]}"
    return match.group("kind"), match.group("feature"), lines[0]


def _run_checked(deltaline, *args):
    proc = deltaline.run(*args, check=False)
    assert proc.returncode >= 0, f"deltaline {args} crashed (signal {-proc.returncode})"
    assert proc.returncode in (0, 1, 2), f"deltaline {args} exited {proc.returncode}"
    return proc


# The reader features deltalake's pyarrow reader gates although its DataFusion scan (the
# kernel's) reads them.
_GATED_BY_PYARROW_READER = re.compile(
    r"reader features: \{(?:'(?:deletionVectors|v2Checkpoint)'(?:, )?)+\} "
    r"but these are not yet supported")


def _datafusion_table(dt) -> pa.Table:
    return pa.table(QueryBuilder().register("t", dt).execute("SELECT * FROM t").read_all())


def _oracle_table(root: pathlib.Path, version):
    """delta-rs' rows: its pyarrow reader, else its DataFusion scan where the pyarrow
    reader is wrong (column mapping: it looks files' columns up by logical name and
    reads nulls) or gates a feature the scan reads. (None, error) when neither reads."""
    try:
        dt = _open(root, version)
    except Exception as err:  # delta-rs refuses or fails: recorded, not fatal
        return None, err
    mode = dict(dt.metadata().configuration).get("delta.columnMapping.mode", "none")
    try:
        if mode not in ("", "none"):
            return _datafusion_table(dt), None
        return dt.to_pyarrow_table(), None
    except Exception as err:
        if not _GATED_BY_PYARROW_READER.search(str(err)):
            return None, err
    try:
        return _datafusion_table(dt), None
    except Exception as err:
        return None, err


def _data_files_oracle(root: pathlib.Path, version) -> pa.Table:
    """The rows of the data files delta-rs' log replay lists, read by pyarrow."""
    dt = _open(root, version)
    return pa.concat_tables([pq.read_table(uri.removeprefix("file://"))
                             for uri in dt.file_uris()])


# Tables delta-rs opens (its log replay and file list are checked by the snapshot test)
# but does not read. delta-rs 1.6 refuses the `variantShredding-preview` reader feature
# outright; the files of this table hold only unshredded variants, struct<value,
# metadata> of binaries, so pyarrow reads the same bytes deltaline must return
# (deltaline wraps each in Arrow's variant extension type, compared by its storage).
OTHER_ORACLES = {"spark-shredded-variant-preview-delta": _data_files_oracle}


def _version_args(version) -> list:
    return [] if version is None else ["--version", str(version)]


def _expected(name: str) -> str:
    return EXPECTED.get(name, READ)


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


def test_every_table_has_an_expectation():
    if not TABLES:
        pytest.skip(f"no shared tables at {TABLES_DIR}")
    assert set(TABLES) == set(EXPECTED), (
        f"tables without an expectation: {sorted(set(TABLES) - set(EXPECTED))}; "
        f"expectations without a table: {sorted(set(EXPECTED) - set(TABLES))}")


@pytest.mark.parametrize("name,version", CASES)
def test_read_matches_deltars(deltaline, name, version):
    root = _table_root(TABLES_DIR / name)
    expected = _expected(name)
    label = f"{name}@{'latest' if version is None else f'v{version}'}"
    proc = _run_checked(deltaline, "read", root, "--format", "ipc", *_version_args(version))
    oracle, oracle_err = _oracle_table(root, version)
    if oracle is None and name in OTHER_ORACLES:
        oracle = OTHER_ORACLES[name](root, version)

    if proc.returncode == 0:
        got = ipc.open_stream(proc.stdout).read_all()
        assert expected in (READ, LOG_ONLY), \
            f"{label}: deltaline now reads a table EXPECTED refuses ({expected}): update it"
        if oracle is not None:
            _assert_same_table(got, oracle, label)
            return
        # delta-rs cannot read it. Only acceptable where delta-rs lacks what deltaline
        # has: the Spark side compares those tables.
        if name in SPARK_ORACLE and _DELTARS_REFUSAL.search(str(oracle_err)):
            return
        pytest.fail(f"{label}: deltaline read {got.num_rows} rows but delta-rs failed "
                    f"({type(oracle_err).__name__}: {oracle_err}); check by hand")

    kind, feature, line = _parse_error(proc.stderr)
    if kind == "UnsupportedFeature":
        assert feature, f"{label}: UnsupportedFeature without a feature name: {line}"
        why = _refusal_is_legitimate(root, version, feature)
        assert not why, f"{label}: {why}: {line}"
        assert expected == feature, f"{label}: expected {expected}, got refusal {line}"
        return

    # Any other error is acceptable only when delta-rs cannot read the same snapshot
    # either, and for a reason both sides share.
    assert oracle is None, f"{label}: delta-rs reads {oracle.num_rows} rows, deltaline: {line}"
    if expected == NOT_A_TABLE:
        assert kind == "TableNotFound", f"{label}: {line}"
    elif version is not None and version not in _rebuildable(*_log_versions(root)):
        assert kind == "VersionNotFound", f"{label}: {line}"
    elif expected == LOG_ONLY:
        # Data files that are not in the repository: both readers fail to open them
        # (delta-rs's DataFusion scan, used for DV tables, says so in its message).
        assert isinstance(oracle_err, FileNotFoundError) or \
            "No such file or directory" in str(oracle_err), f"{label}: delta-rs: {oracle_err}"
        assert "cannot be opened" in line or "not found" in line.lower(), f"{label}: {line}"
    else:
        pytest.fail(f"{label}: deltaline error {line}; delta-rs: {oracle_err}")


def _snapshot_cases() -> list:
    cases = []
    for name in TABLES:
        root = _table_root(TABLES_DIR / name)
        if not (root / "_delta_log").is_dir():
            continue
        cases.append(pytest.param(name, None, id=f"{name}@latest"))
        for version in _rebuildable(*_log_versions(root)):
            cases.append(pytest.param(name, version, id=f"{name}@v{version}"))
    return cases


@pytest.mark.parametrize("name,version", _snapshot_cases())
def test_snapshot_matches_deltars(deltaline, name, version):
    """Version, live files, metadata, protocol and schema, from the log alone."""
    root = _table_root(TABLES_DIR / name)
    label = f"{name}@{'latest' if version is None else f'v{version}'}"
    proc = _run_checked(deltaline, "describe", root, "--json", *_version_args(version))
    if proc.returncode != 0:
        kind, feature, line = _parse_error(proc.stderr)
        assert kind == "UnsupportedFeature" and feature == _expected(name), f"{label}: {line}"
        return
    got = json.loads(proc.stdout)
    try:
        dt = _open(root, version)
    except Exception as err:
        if name in SPARK_ORACLE and _DELTARS_REFUSAL.search(str(err)):
            return  # compared with Spark in tests/interop/spark/test_shared_tables.py
        pytest.fail(f"{label}: deltaline describes it, delta-rs cannot open it: {err}")

    assert got["version"] == dt.version(), label
    adds = pa.table(dt.get_add_actions(flatten=True))  # arro3 -> pyarrow
    assert got["numFiles"] == adds.num_rows == len(dt.file_uris()), label
    if adds.num_rows:
        assert got["sizeBytes"] == pc.sum(adds.column("size_bytes")).as_py(), label
    metadata = dt.metadata()
    assert got["metadata"]["id"] == metadata.id, label
    assert got["metadata"]["partitionColumns"] == list(metadata.partition_columns), label
    assert got["metadata"]["configuration"] == dict(metadata.configuration), label
    assert got["metadata"]["name"] == metadata.name, label
    assert got["metadata"]["description"] == metadata.description, label
    protocol = dt.protocol()
    assert got["protocol"]["minReaderVersion"] == protocol.min_reader_version, label
    assert got["protocol"]["minWriterVersion"] == protocol.min_writer_version, label
    assert sorted(got["protocol"]["readerFeatures"] or []) == \
        sorted(protocol.reader_features or []), label
    assert sorted(got["protocol"]["writerFeatures"] or []) == \
        sorted(protocol.writer_features or []), label
    assert got["schema"] == json.loads(dt.schema().to_json()), label
