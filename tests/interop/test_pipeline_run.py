"""`deltaline run PIPELINE.json` end to end: a declared pipeline (a filter node and a
Substrait node) over a Delta input written by deltaline, outputs checked against their
specs (violations to `_errors`, counts in the manifest), read back with delta-rs; the
manifest in the run directory and in `<lake>/_runs` (`deltaline runs`), its versions
matching `history`, no Parquet metadata in it; a re-run with the same sequence commits
nothing; a pipeline configured to write Parquet fails in production and writes nothing."""

import json
import pathlib
import shutil

import pyarrow as pa
import pytest
from deltalake import DeltaTable

PLAN = pathlib.Path(__file__).resolve().parents[1] / "pipeline" / "region_totals.json"

SALES = pa.table({"id": pa.array([1, 2, 3, 4, 5], pa.int64()),
                  "region": ["north", "south", "north", "east", None],
                  "amount": pa.array([10, 20, 30, 5, 50], pa.int64())})


@pytest.fixture
def workspace(deltaline, tmp_path):
    deltaline.write(tmp_path / "sales", SALES, tmp_path)
    shutil.copy(PLAN, tmp_path / "region_totals.json")
    pipeline = {
        "id": "sales_daily",
        "inputs": {"sales": "sales"},
        "nodes": [
            {"name": "big_sales", "filter": {"input": "sales", "where": "amount > 8"}},
            {"name": "region_totals", "substrait": "region_totals.json"},
        ],
        "outputs": [
            {"node": "big_sales",
             "spec": {"name": "big_sales", "notNull": ["region"],
                      "checks": [{"name": "small", "expression": "amount < 40"}]}},
            {"node": "region_totals",
             "spec": {"name": "region_totals", "orderingKeys": ["region"]}},
        ],
    }
    (tmp_path / "pipeline.json").write_text(json.dumps(pipeline))
    return tmp_path


def keys_of(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from keys_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys_of(item)


def run(deltaline, ws, *extra, check=True):
    return deltaline.run("run", ws / "pipeline.json", "--lake", ws / "lake",
                         "--json", *extra, check=check)


def test_a_declared_pipeline_runs_into_delta_tables(deltaline, workspace):
    manifest = json.loads(run(deltaline, workspace).stdout)
    lake = workspace / "lake"
    # Rows with amount > 8: ids 1,2,3,5; id 5 has no region → _errors (not_null_region).
    good = DeltaTable(str(lake / "big_sales")).to_pyarrow_table()
    assert sorted(good["id"].to_pylist()) == [1, 2, 3]
    errors = DeltaTable(str(lake / "big_sales_errors")).to_pyarrow_table().to_pylist()
    assert [(r["id"], r["_rule"]) for r in errors] == [(5, "not_null_region")]
    totals = DeltaTable(str(lake / "region_totals")).to_pyarrow_table()
    assert totals.num_rows > 0

    assert manifest["outcome"] == "succeeded"
    [sales] = manifest["inputs"]
    assert sales["name"] == "sales" and sales["version"] == 0 and sales["rows"] == 5
    assert {n["name"] for n in manifest["nodes"]} == {"big_sales", "region_totals"}
    outputs = {o["dataset"]: o for o in manifest["outputs"]}
    assert outputs["big_sales"]["constraintViolations"]["not_null_region"] == 1
    assert outputs["big_sales"]["constraintViolations"]["small"] == 0
    # The manifest's versions are the tables' own.
    for name, output in outputs.items():
        history = deltaline.history(lake / name)
        assert output["versionAfter"] == history[0]["version"]
    # No Parquet metadata: no row groups, footers or sidecars anywhere (the write
    # policy's knobs, such as max_rows_per_row_group, are policy, not metadata).
    parquet_keys = {"row_groups", "rowgroups", "num_row_groups", "numrowgroups", "_metadata",
                    "_common_metadata", "footer", "parquet_metadata", "key_value_metadata"}
    assert not [k for k in keys_of(manifest) if k.lower() in parquet_keys]

    # The run is in _runs and in its run directory.
    runs = json.loads(deltaline.run("runs", lake, "--json").stdout)
    assert [r["runId"] for r in runs] == [manifest["runId"]]
    shown = json.loads(deltaline.run("runs", lake, "--show", manifest["runId"], "--json").stdout)
    assert shown["outputs"] == manifest["outputs"]


def test_the_same_sequence_commits_nothing_twice(deltaline, workspace):
    first = json.loads(run(deltaline, workspace, "--sequence", "7").stdout)
    again = json.loads(run(deltaline, workspace, "--sequence", "7").stdout)
    assert again["outcome"] == "succeeded"
    lake = workspace / "lake"
    assert DeltaTable(str(lake / "big_sales")).version() == 0
    assert sorted(DeltaTable(str(lake / "big_sales")).to_pyarrow_table()["id"].to_pylist()) == [1, 2, 3]
    # Without --sequence the next run is the one after the last that succeeded: it appends.
    nxt = json.loads(run(deltaline, workspace).stdout)
    assert nxt["sequence"] == 8 and first["sequence"] == 7
    assert DeltaTable(str(lake / "big_sales")).version() == 1


def test_a_pipeline_configured_to_write_parquet_fails_and_writes_nothing(deltaline, workspace):
    (workspace / "config.json").write_text(json.dumps({"output": {"format": "parquet"}}))
    proc = run(deltaline, workspace, "--config", workspace / "config.json", check=False)
    assert proc.returncode == 1
    assert b"PolicyViolation" in proc.stderr and b"parquet" in proc.stderr
    # Nothing outside Delta tables: every Parquet file sits in a table with a log (the
    # run's `_runs` row and its diagnostics table of policy events).
    lake = workspace / "lake"
    for path in lake.rglob("*.parquet"):
        assert any((parent / "_delta_log").is_dir() for parent in path.parents), path
    assert not (lake / "big_sales").exists() and not (lake / "region_totals").exists()
    # The refusal is in the run's manifest.
    manifest = json.loads(proc.stdout)
    assert manifest["outcome"] == "refused"
    assert manifest["refusals"] and "parquet" in json.dumps(manifest["refusals"])
    runs = json.loads(deltaline.run("runs", lake, "--json").stdout)
    assert [r["outcome"] for r in runs] == ["refused"]


def test_a_repro_bundle_reruns_the_command(deltaline, workspace):
    first = json.loads(run(deltaline, workspace).stdout)
    lake = workspace / "lake"
    bundle = lake / "_run_dirs" / first["runId"] / "repro"
    recorded = json.loads((bundle / "command.json").read_text())
    assert recorded["argv"][1:3] == ["run", str(workspace / "pipeline.json")]
    versions = json.loads((bundle / "versions.json").read_text())
    assert versions["arrow"].startswith("26.") and "deltaline" in versions
    again = json.loads(deltaline.run("run", "--repro", bundle).stdout)
    assert again["runId"] != first["runId"] and again["pipelineId"] == first["pipelineId"]
    assert again["sequence"] == first["sequence"] + 1
    assert DeltaTable(str(lake / "big_sales")).version() == 1
