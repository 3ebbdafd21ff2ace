"""Shared helpers for the delta-rs interop tests.

The deltaline binary comes from $DELTALINE_BIN (ctest sets it to the built target);
without it the tests look for build/deltaline beside the sources.
"""

import decimal
import datetime
import json
import os
import pathlib
import subprocess

import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

_SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]


def _binary() -> pathlib.Path:
    env = os.environ.get("DELTALINE_BIN")
    path = pathlib.Path(env) if env else _SOURCE_DIR / "build" / "deltaline"
    if not path.is_file():
        pytest.skip(f"deltaline binary not found at {path} (set DELTALINE_BIN)")
    return path


class Deltaline:
    """Runs the deltaline CLI and parses what it prints."""

    def __init__(self, binary: pathlib.Path):
        self.binary = binary

    def run(self, *args, check=True) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(self.binary), *map(str, args)], capture_output=True)
        if check and proc.returncode != 0:
            raise AssertionError(
                f"deltaline {' '.join(map(str, args))} exited {proc.returncode}:\n"
                f"{proc.stderr.decode(errors='replace')}")
        return proc

    def write(self, table, data: pa.Table, tmp_path: pathlib.Path, *extra) -> dict:
        """Writes `data` through an Arrow IPC file; returns the --json result."""
        src = tmp_path / f"input-{len(list(tmp_path.glob('input-*')))}.arrow"
        write_ipc_file(src, data)
        proc = self.run("write", table, "--input", src, "--input-format", "ipc", "--json", *extra)
        return json.loads(proc.stdout)

    def read(self, table, *extra) -> pa.Table:
        proc = self.run("read", table, "--format", "ipc", *extra)
        return ipc.open_stream(proc.stdout).read_all()

    def describe(self, table, *extra) -> dict:
        return json.loads(self.run("describe", table, "--json", *extra).stdout)

    def history(self, table, *extra) -> list:
        return json.loads(self.run("history", table, "--json", *extra).stdout)


@pytest.fixture(scope="session")
def deltaline() -> Deltaline:
    return Deltaline(_binary())


def write_ipc_file(path, table: pa.Table) -> None:
    with ipc.new_file(str(path), table.schema) as writer:
        writer.write_table(table)


def _canonical(value):
    """A hashable, order-comparable form of one cell (maps become sorted pairs)."""
    if isinstance(value, dict):
        return ("struct", tuple(sorted((k, _canonical(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("list", tuple(_canonical(v) for v in value))
    if isinstance(value, tuple):
        return ("tuple", tuple(_canonical(v) for v in value))
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return ("tz", value.astimezone(datetime.timezone.utc).replace(tzinfo=None))
    if isinstance(value, float) and value != value:
        return ("nan",)
    return ("v", value)


def rows(table: pa.Table, columns=None) -> list:
    """Rows as a sorted list of canonical tuples: compares tables ignoring row order."""
    names = columns or table.column_names
    table = table.select(names)
    out = [tuple(_canonical(row[name]) for name in names) for row in table.to_pylist()]
    return sorted(out, key=repr)


def assert_same_rows(actual: pa.Table, expected: pa.Table) -> None:
    assert sorted(actual.column_names) == sorted(expected.column_names)
    assert actual.num_rows == expected.num_rows
    names = expected.column_names
    assert rows(actual, names) == rows(expected, names)


def all_types_table(seed: int = 0, num_rows: int = 5) -> pa.Table:
    """Every type deltaline maps to Delta, each column with nulls (every 3rd row)."""
    def pick(make, idx):
        return None if idx % 3 == 1 else make(idx)

    idxs = [seed * 1000 + i for i in range(num_rows)]
    utc = datetime.timezone.utc
    texts = ["plain", "héllo wörld", "日本語テキスト", "emoji 🦀🐍", "", "tab\tand\nnewline"]
    return pa.table({
        "b": pa.array([pick(lambda i: i % 2 == 0, i) for i in idxs], pa.bool_()),
        "i8": pa.array([pick(lambda i: (i % 250) - 125, i) for i in idxs], pa.int8()),
        "i16": pa.array([pick(lambda i: -30000 + i, i) for i in idxs], pa.int16()),
        "i32": pa.array([pick(lambda i: -2**31 + i, i) for i in idxs], pa.int32()),
        "i64": pa.array([pick(lambda i: 2**62 + i, i) for i in idxs], pa.int64()),
        "f32": pa.array([pick(lambda i: i * 0.5 - 1.25, i) for i in idxs], pa.float32()),
        "f64": pa.array([pick(lambda i: i / 7.0 - 1e10, i) for i in idxs], pa.float64()),
        "dec": pa.array([pick(lambda i: decimal.Decimal(i * 137 - 500) / 100, i) for i in idxs],
                        pa.decimal128(10, 2)),
        "s": pa.array([pick(lambda i: f"{texts[i % len(texts)]}-{i}", i) for i in idxs],
                      pa.string()),
        "bin": pa.array([pick(lambda i: bytes([i % 256, 0, 255]) * (i % 4), i) for i in idxs],
                        pa.binary()),
        "d": pa.array([pick(lambda i: datetime.date(1969, 12, 30) + datetime.timedelta(days=i),
                            i) for i in idxs], pa.date32()),
        "ts": pa.array([pick(lambda i: datetime.datetime(2024, 2, 29, 23, 59, 59, 999999,
                                                         tzinfo=utc)
                             + datetime.timedelta(microseconds=i * 1001), i) for i in idxs],
                       pa.timestamp("us", "UTC")),
        "ntz": pa.array([pick(lambda i: datetime.datetime(1999, 12, 31, 23, 0, 0, 1)
                              + datetime.timedelta(seconds=i * 3601), i) for i in idxs],
                        pa.timestamp("us")),
        "st": pa.array([pick(lambda i: {"x": i if i % 2 else None, "y": f"y{i}"}, i)
                        for i in idxs],
                       pa.struct([("x", pa.int32()), ("y", pa.string())])),
        "l": pa.array([pick(lambda i: [i, None, -i][: i % 4], i) for i in idxs],
                      pa.list_(pa.int64())),
        "m": pa.array([pick(lambda i: [("k1", i), ("k2", None)][: i % 3], i) for i in idxs],
                      pa.map_(pa.string(), pa.int64())),
    })


# The Delta schema each column of all_types_table() must get.
ALL_TYPES_DELTA = {
    "b": "boolean",
    "i8": "byte",
    "i16": "short",
    "i32": "integer",
    "i64": "long",
    "f32": "float",
    "f64": "double",
    "dec": "decimal(10,2)",
    "s": "string",
    "bin": "binary",
    "d": "date",
    "ts": "timestamp",
    "ntz": "timestamp_ntz",
    "st": {"type": "struct", "fields": [
        {"name": "x", "type": "integer", "nullable": True, "metadata": {}},
        {"name": "y", "type": "string", "nullable": True, "metadata": {}},
    ]},
    "l": {"type": "array", "elementType": "long", "containsNull": True},
    "m": {"type": "map", "keyType": "string", "valueType": "long", "valueContainsNull": True},
}
