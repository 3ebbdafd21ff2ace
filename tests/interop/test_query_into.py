"""`deltaline query --into`: a Substrait plan's result goes into one Delta commit, by
the streaming delta_write node or the fallback path (equal tables either way), in every
write mode; delta-rs reads what it wrote. `--format parquet` is a file sink the policy
gate refuses, with no file written."""

import json
import pathlib

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable

from conftest import assert_same_rows

PLANS = pathlib.Path(__file__).resolve().parents[1] / "engine" / "plans"
FILTER = PLANS / "filter.json"  # sales where amount > 15
AGGREGATE = PLANS / "aggregate_keys.json"  # region, total = sum(amount)

SALES = pa.table({"id": pa.array([1, 2, 3, 4], pa.int64()),
                  "region": ["north", "south", "north", "east"],
                  "amount": pa.array([10, 20, 30, 5], pa.int64())})


@pytest.fixture
def sales(deltaline, tmp_path) -> pathlib.Path:
    table = tmp_path / "sales"
    deltaline.write(table, SALES, tmp_path)
    return table


def query_into(deltaline, plan, sales, target, *extra, check=True):
    return deltaline.run("query", "--plan", plan, "--table", f"sales={sales}",
                         "--into", target, "--json", *extra, check=check)


def delta_rs_rows(path) -> pa.Table:
    return DeltaTable(str(path)).to_pyarrow_table()


@pytest.mark.parametrize("path", ["streaming", "fallback"])
def test_every_mode_through_both_paths(deltaline, sales, tmp_path, path):
    target = tmp_path / f"out-{path}"
    big = SALES.filter(pc.greater(SALES["amount"], 15))
    result = json.loads(query_into(deltaline, FILTER, sales, target,
                                   "--insert-path", path).stdout)
    assert result["version"] == 0 and result["rowsAdded"] == 2
    assert result["insertPath"] == path
    assert_same_rows(delta_rs_rows(target), big)

    # error: the table exists, nothing committed.
    proc = query_into(deltaline, FILTER, sales, target, "--insert-path", path, check=False)
    assert proc.returncode == 1 and b"already exists" in proc.stderr.lower()
    # ignore: left unchanged.
    result = json.loads(query_into(deltaline, FILTER, sales, target, "--mode", "ignore",
                                   "--insert-path", path).stdout)
    assert result["committed"] is False
    # append: the rows twice.
    query_into(deltaline, FILTER, sales, target, "--mode", "append", "--insert-path", path)
    assert_same_rows(delta_rs_rows(target), pa.concat_tables([big, big]))
    # overwrite + predicate (replaceWhere): only region = 'north' rows replaced.
    proc = query_into(deltaline, FILTER, sales, target, "--mode", "overwrite",
                      "--predicate", "region = 'south'", "--insert-path", path,
                      check=False)
    # The result holds a north row outside the predicate: refused, nothing committed.
    assert proc.returncode == 1, proc.stderr
    assert DeltaTable(str(target)).version() == 1
    # overwrite: the rows once.
    query_into(deltaline, FILTER, sales, target, "--mode", "overwrite", "--insert-path", path)
    assert_same_rows(delta_rs_rows(target), big)


def test_streaming_and_fallback_give_equal_tables_and_metadata(deltaline, sales, tmp_path):
    # Same table name in two places, so deltaline.dataset is the same too.
    for path in ("streaming", "fallback"):
        query_into(deltaline, AGGREGATE, sales, tmp_path / path / "totals", "--insert-path",
                   path, "--partition-by", "region")
    a, b = (DeltaTable(str(tmp_path / p / "totals")) for p in ("streaming", "fallback"))
    assert_same_rows(a.to_pyarrow_table(), b.to_pyarrow_table())
    assert a.metadata().partition_columns == b.metadata().partition_columns == ["region"]
    ha, hb = a.history()[0], b.history()[0]
    for key in ("operation", "operationParameters", "userMetadata"):
        assert ha.get(key) == hb.get(key), key
    metadata = json.loads(ha["userMetadata"])
    assert metadata["deltaline.dataset"] == "totals"
    assert metadata["deltaline.schemaFingerprint"].startswith("xxh64:")


def test_replace_partitions(deltaline, sales, tmp_path):
    target = tmp_path / "by_region"
    query_into(deltaline, AGGREGATE, sales, target, "--partition-by", "region")
    before = delta_rs_rows(target)
    # A second table only has north rows: replacing partitions touches north only.
    north = tmp_path / "north_sales"
    deltaline.write(north, pa.table({"id": pa.array([9], pa.int64()), "region": ["north"],
                                     "amount": pa.array([100], pa.int64())}), tmp_path)
    deltaline.run("query", "--plan", AGGREGATE, "--table", f"sales={north}", "--into", target,
                  "--replace-partitions")
    after = {r["region"]: r["total"] for r in delta_rs_rows(target).to_pylist()}
    expected = {r["region"]: r["total"] for r in before.to_pylist()}
    expected["north"] = 100
    assert after == expected


def test_parquet_output_is_refused_with_no_file(deltaline, sales, tmp_path):
    out = tmp_path / "result.parquet"
    proc = deltaline.run("query", "--plan", FILTER, "--table", f"sales={sales}",
                         "--format", "parquet", "--output", out, check=False)
    assert proc.returncode == 1
    assert b"PolicyViolation" in proc.stderr and b"export-parquet" in proc.stderr
    assert not out.exists()
    proc = deltaline.run("query", "--plan", FILTER, "--table", f"sales={sales}",
                         "--format", "parquet", "--output", out, "--run-mode", "development",
                         check=False)
    assert proc.returncode == 3  # refused by policy, nothing written
    assert not out.exists()
    # Even with exports allowed, the engine does not write Parquet itself.
    proc = deltaline.run("query", "--plan", FILTER, "--table", f"sales={sales}",
                         "--format", "parquet", "--output", out, "--allow-parquet-export",
                         check=False)
    assert proc.returncode == 1 and not out.exists()
    assert [p for p in tmp_path.rglob("*.parquet") if sales not in p.parents] == []


def test_write_flags_without_into_are_a_usage_error(deltaline, sales):
    proc = deltaline.run("query", "--plan", FILTER, "--table", f"sales={sales}",
                         "--mode", "append", check=False)
    assert proc.returncode == 2 and b"--into" in proc.stderr
