"""`deltaline read --filter` on tables written by delta-rs: partition pruning, stats
pruning, partial stats, and the --explain / --metrics-json metrics.

Expected rows come from delta-rs' own read filtered with pyarrow, so pruning can only
pass by returning exactly the rows a full scan would.
"""

import datetime
import json

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable, write_deltalake

from conftest import assert_same_rows


def filtered_read(deltaline, table, sql, *extra):
    proc = deltaline.run("read", table, "--format", "ipc", "--filter", sql, "--metrics-json", *extra)
    metrics = json.loads(proc.stderr.decode().strip().splitlines()[-1])
    import pyarrow.ipc as ipc
    return ipc.open_stream(proc.stdout).read_all(), metrics


def expected(table, mask_fn):
    data = DeltaTable(str(table)).to_pyarrow_table()
    return data.filter(mask_fn(data))


def partitioned_table(tmp_path):
    table = tmp_path / "part"
    regions = ["eu", "us", "a/b=c %d", None, "émoji 🦀"]
    for batch_idx in range(10):
        n = list(range(batch_idx * 10, batch_idx * 10 + 10))
        data = pa.table({
            "n": pa.array(n, pa.int64()),
            "region": pa.array([regions[(batch_idx + i) % len(regions)] for i in range(10)],
                               pa.string()),
            "day": pa.array([datetime.date(2024, 1, 1 + (i % 3)) for i in range(10)],
                            pa.date32()),
        })
        write_deltalake(str(table), data, mode="append", partition_by=["region", "day"])
    return table


def test_partition_values_prune_files(deltaline, tmp_path):
    table = partitioned_table(tmp_path)
    num_files = len(DeltaTable(str(table)).file_uris())
    cases = [
        ("region = 'eu'", lambda t: pc.equal(t["region"], "eu")),
        ("region = 'a/b=c %d'", lambda t: pc.equal(t["region"], "a/b=c %d")),
        ("region = 'émoji 🦀'", lambda t: pc.equal(t["region"], "émoji 🦀")),
        ("region IS NULL", lambda t: pc.is_null(t["region"])),
        ("day = DATE '2024-01-02' AND region IN ('us', 'eu')",
         lambda t: pc.and_(pc.equal(t["day"], pa.scalar(datetime.date(2024, 1, 2))),
                           pc.is_in(t["region"], pa.array(["us", "eu"])))),
        ("region <> 'eu'", lambda t: pc.not_equal(t["region"], "eu")),
    ]
    for sql, mask in cases:
        got, metrics = filtered_read(deltaline, table, sql)
        want = expected(table, mask)
        assert want.num_rows > 0, sql
        assert_same_rows(got, want)
        assert metrics["filesConsidered"] == num_files, sql
        assert metrics["filesSkippedByPartition"] > 0, (sql, metrics)
        assert metrics["filesRead"] + metrics["filesSkippedByPartition"] + \
            metrics["filesSkippedByStats"] == num_files, sql
        # The full scan returns the same rows and opens every file.
        full, full_metrics = filtered_read(deltaline, table, sql, "--no-skipping")
        assert_same_rows(full, want)
        assert full_metrics["filesRead"] == num_files


def test_stats_prune_delta_rs_files(deltaline, tmp_path):
    table = tmp_path / "clustered"
    for batch_idx in range(20):
        write_deltalake(str(table), pa.table({
            "id": pa.array(range(batch_idx * 100, batch_idx * 100 + 100), pa.int64()),
            "label": pa.array([f"row-{batch_idx:03d}-{i}" for i in range(100)], pa.string()),
            "ts": pa.array([datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
                            + datetime.timedelta(minutes=batch_idx, microseconds=i * 7)
                            for i in range(100)], pa.timestamp("us", "UTC")),
        }), mode="append")
    got, metrics = filtered_read(deltaline, table, "id BETWEEN 1050 AND 1149")
    assert_same_rows(got, expected(table, lambda t: pc.and_(pc.greater_equal(t["id"], 1050),
                                                            pc.less_equal(t["id"], 1149))))
    assert metrics["filesRead"] == 2 and metrics["filesSkippedByStats"] == 18, metrics
    # Sub-millisecond rows at the end of a file's ms-truncated max are still found.
    boundary = datetime.datetime(2024, 1, 1, 0, 5, 0, 693, tzinfo=datetime.timezone.utc)
    got, metrics = filtered_read(deltaline, table,
                                 "ts > TIMESTAMP '2024-01-01 00:05:00.000690' AND ts < "
                                 "TIMESTAMP '2024-01-01 00:05:00.001'")
    assert got.num_rows == 1 and got["ts"][0].as_py() == boundary
    assert metrics["filesRead"] == 1


def test_partial_stats_never_skip(deltaline, tmp_path):
    table = tmp_path / "partial"
    for batch_idx in range(5):
        write_deltalake(str(table), pa.table({
            "id": pa.array(range(batch_idx * 10, batch_idx * 10 + 10), pa.int64()),
            "v": pa.array(range(batch_idx * 10, batch_idx * 10 + 10), pa.int64()),
        }), mode="append", configuration={"delta.dataSkippingNumIndexedCols": "1"})
    log = sorted((table / "_delta_log").glob("*.json"))
    adds = [json.loads(line)["add"] for path in log for line in path.read_text().splitlines()
            if "add" in json.loads(line)]
    assert all("v" not in json.loads(a["stats"]).get("minValues", {}) for a in adds)
    got, metrics = filtered_read(deltaline, table, "v = 42")
    assert got.to_pylist() == [{"id": 42, "v": 42}]
    assert metrics["filesRead"] == 5 and metrics["filesSkippedByStats"] == 0
    got, metrics = filtered_read(deltaline, table, "id = 42")
    assert got.to_pylist() == [{"id": 42, "v": 42}]
    assert metrics["filesRead"] == 1


def test_explain_and_errors(deltaline, tmp_path):
    table = partitioned_table(tmp_path)
    proc = deltaline.run("read", table, "--filter", "region = 'eu' AND n < 5", "--explain")
    text = proc.stderr.decode()
    assert "files skipped by partition:" in text and "bytes read:" in text
    for sql, fragment in [("nope = 1", "unknown column 'nope' at position 1"),
                          ("n = 1 extra", "at position 7 (near 'extra')"),
                          ("day = DATE 'soon'", "at position 12"),
                          ("n = 'x'", "at position 5")]:
        proc = deltaline.run("read", table, "--filter", sql, check=False)
        assert proc.returncode != 0, sql
        assert fragment in proc.stderr.decode(), (sql, proc.stderr.decode())
