"""`deltaline query --explain` shows, per Delta scan, the filter the pushdown gave it
and the files it will skip, without running the plan; `--json` after a run reports the
files, bytes and rows each scan read."""

import json
import os
import pathlib

import pyarrow as pa

PLANS = pathlib.Path(__file__).resolve().parents[1] / "engine" / "plans"
FILTER = PLANS / "filter.json"  # sales where amount > 15
AGGREGATE = PLANS / "aggregate_keys.json"  # region, total = sum(amount)

SALES = pa.table({"id": pa.array([1, 2, 3, 4], pa.int64()),
                  "region": ["north", "south", "north", "east"],
                  "amount": pa.array([10, 20, 30, 5], pa.int64())})


def test_explain_shows_the_pruning_of_each_delta_scan(deltaline, tmp_path):
    table = tmp_path / "sales"
    # One file per region: stats of the east file (amount 5) and of the north file
    # (10, 30) cannot both be skipped by amount > 15, but east can.
    deltaline.write(table, SALES, tmp_path, "--partition-by", "region")
    proc = deltaline.run("query", "--plan", FILTER, "--table", f"sales={table}",
                         "--explain", "--json")
    explain = json.loads(proc.stdout)
    [scan] = explain["deltaScans"]
    assert scan["version"] == 0 and "15" in scan["filter"]
    assert scan["filesConsidered"] == 3
    assert scan["filesSkippedByStats"] == 1  # east: max(amount) = 5
    assert scan["filesToRead"] == 2
    # Nothing ran: no rows on stdout besides the explanation.
    assert "rows" not in explain


def test_a_run_reports_what_each_scan_read(deltaline, tmp_path):
    table = tmp_path / "sales"
    # Incompressible and large, so the payload column is most of the file's bytes (a
    # Parquet reader fetches the last 64 KiB at once for the footer).
    wide = SALES.append_column("payload", pa.array([os.urandom(200_000).hex() for _ in range(4)]))
    deltaline.write(table, wide, tmp_path)
    proc = deltaline.run("query", "--plan", AGGREGATE, "--table", f"sales={table}",
                         "--json")
    summary = json.loads(proc.stderr.decode().strip().splitlines()[-1])
    [scan] = summary["deltaScans"]
    assert summary["rows"] == 3
    # The aggregate needs region and amount only: the payload column is not read.
    assert scan["columns"] == ["region", "amount"]
    assert scan["filesRead"] == 1 and scan["rowsRead"] == 4
    full = deltaline.run("read", table, "--metrics-json", "--format", "jsonl")
    file_bytes = json.loads(full.stderr.decode().strip().splitlines()[-1])["bytesRead"]
    assert scan["bytesRead"] < file_bytes / 2, (scan["bytesRead"], file_bytes)
