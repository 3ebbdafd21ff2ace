"""Change data feed reads (`deltaline read --changes`) against delta-rs's `load_cdf`.

The shared tables with a change data feed (../shared/delta-tables) were written by
Spark and Databricks: cdc files for updates and merges, add/remove-derived changes
for appends and plain deletes, deletion vectors without cdc files, OPTIMIZE commits
(dataChange=false) and in-commit timestamps. deltaline must return delta-rs's rows,
ignoring order, for several start (and end) versions.

`_commit_timestamp` differs by design where the table has no in-commit timestamps:
deltaline reports what Spark's table_changes does, the commit file's modification
time made strictly increasing, while delta-rs reports commitInfo.timestamp. It is
compared with the modification times there, and with delta-rs where the commits
carry in-commit timestamps (then both take those).
"""

import json
import os
import pathlib

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from conftest import assert_same_rows

TABLES = pathlib.Path(__file__).resolve().parents[3] / "shared" / "delta-tables"
CHANGE_COLUMNS = ["_change_type", "_commit_version", "_commit_timestamp"]


def _tables_dir() -> pathlib.Path:
    if not TABLES.is_dir():
        pytest.skip(f"shared tables not found at {TABLES}")
    return TABLES


def normalized(table: pa.Table) -> pa.Table:
    """delta-rs answers with string_view and uint64 versions: compare as string/int64."""
    fields = []
    for field in table.schema:
        if field.type == pa.string_view():
            field = field.with_type(pa.string())
        elif field.name == "_commit_version":
            field = field.with_type(pa.int64())
        elif pa.types.is_timestamp(field.type):
            field = field.with_type(pa.timestamp("us", "UTC"))
        fields.append(field)
    return table.cast(pa.schema(fields))


def deltars_changes(path, start, end=None) -> pa.Table:
    kwargs = {"starting_version": start}
    if end is not None:
        kwargs["ending_version"] = end
    return normalized(pa.table(DeltaTable(str(path)).load_cdf(**kwargs)))


def ours(deltaline, path, start, end=None) -> pa.Table:
    extra = ["--changes", "--from-version", start]
    if end is not None:
        extra += ["--to-version", end]
    return deltaline.read(path, *extra)


def spark_commit_times(path) -> dict:
    """Version -> ms, as Spark's change feed reports them: in-commit timestamp, else
    the commit file's mtime raised to strictly increase."""
    out, previous = {}, None
    for commit in sorted((path / "_delta_log").glob("*.json")):
        if not commit.name[:20].isdigit():
            continue
        version = int(commit.name[:20])
        ict = None
        for line in commit.read_text().splitlines():
            info = json.loads(line).get("commitInfo") if line.strip() else None
            if info and "inCommitTimestamp" in info:
                ict = info["inCommitTimestamp"]
        if ict is not None:
            ts = ict
        else:
            ts = os.stat(commit).st_mtime_ns // 1_000_000
            if previous is not None and ts <= previous:
                ts = previous + 1
        out[version] = ts
        previous = ts
    return out


CASES = [
    ("cdf-table", 0, None),
    ("cdf-table", 1, 2),
    ("cdf-table", 3, None),
    ("simple_table_with_cdc", 0, None),
    ("simple_table_with_cdc", 2, 2),
    ("cdf-table-with-cdc-and-dvs", 0, None),
    ("cdf-table-with-cdc-and-dvs", 2, 9),
    ("cdf-table-with-cdc-and-dvs", 10, 24),
    ("cdc_ict_table", 0, None),
    ("cdc_ict_table", 2, 3),
]


@pytest.mark.parametrize("name,start,end", CASES)
def test_changes_match_deltars(deltaline, name, start, end):
    path = _tables_dir() / name
    got = ours(deltaline, path, start, end)
    expected = deltars_changes(path, start, end)
    assert got.num_rows > 0
    # delta-rs moves partition columns last; deltaline keeps the schema's order, as Spark.
    assert sorted(got.column_names) == sorted(expected.column_names)
    assert got.column_names[-3:] == CHANGE_COLUMNS
    data = [c for c in expected.column_names if c != "_commit_timestamp"]
    assert_same_rows(got.select(data), expected.select(data))

    times = spark_commit_times(path)
    for version, stamp in zip(got["_commit_version"].to_pylist(),
                              got["_commit_timestamp"].cast(pa.int64()).to_pylist()):
        assert stamp == times[version] * 1000, (version, stamp)
    if name == "cdc_ict_table":  # in-commit timestamps: delta-rs reports the same
        assert_same_rows(got, expected)


def test_dv_deletes_without_cdc_files(deltaline):
    """cdf-table-with-cdc-and-dvs v2 deletes id 3 by adding a DV to the file, writing
    no cdc file: the change is that row alone, not the whole file."""
    path = _tables_dir() / "cdf-table-with-cdc-and-dvs"
    got = ours(deltaline, path, 2, 2)
    assert got.select(["id", "comment", "_change_type"]).to_pylist() == [
        {"id": 3, "comment": "insert1-delete1", "_change_type": "delete"}]
    # v3 is an OPTIMIZE (dataChange=false only): no change at all.
    assert ours(deltaline, path, 3, 3).num_rows == 0


def test_columns_filter_and_metrics(deltaline):
    path = _tables_dir() / "cdf-table"
    proc = deltaline.run("read", path, "--changes", "--from-version", 0,
                         "--columns", "id,_change_type", "--filter",
                         "_change_type = 'update_postimage' AND _commit_version = 1",
                         "--format", "jsonl", "--metrics-json")
    got = sorted(json.loads(line)["id"] for line in proc.stdout.decode().splitlines())
    assert got == [2, 3, 4]
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert set(rows[0]) == {"id", "_change_type"}
    metrics = json.loads(proc.stderr.decode().strip().splitlines()[-1])
    assert metrics["startVersion"] == 0 and metrics["endVersion"] == 3
    assert metrics["rowsReturned"] == 3


def test_refusals_are_typed(deltaline):
    path = _tables_dir() / "cdf-table"
    backwards = deltaline.run("read", path, "--changes", "--from-version", 2,
                              "--to-version", 1, check=False)
    assert backwards.returncode == 1
    assert b"InvalidInput" in backwards.stderr and b"end version 1" in backwards.stderr
    beyond = deltaline.run("read", path, "--changes", "--from-version", 9, check=False)
    assert beyond.returncode == 1
    assert b"VersionNotFound" in beyond.stderr and b"start version 9" in beyond.stderr
    # A table without the change data feed: refused, naming the version.
    off = deltaline.run("read", _tables_dir() / "simple_table", "--changes",
                        "--from-version", 0, check=False)
    assert off.returncode == 1
    assert b"ChangeDataNotRecorded" in off.stderr and b"version 0" in off.stderr
    # Usage: the range flags need --changes; --changes needs a start.
    assert deltaline.run("read", path, "--from-version", 0, check=False).returncode == 2
    assert deltaline.run("read", path, "--changes", check=False).returncode == 2
