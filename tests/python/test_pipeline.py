"""deltaline.run (a declared pipeline, as `deltaline run`) and deltaline.anatomy (the
code anatomy run, full then incremental), their Delta outputs read back by delta-rs
and by the bindings, and their progress callbacks."""

from __future__ import annotations

import json
import warnings

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable as RsTable

import deltaline

SALES = pa.table({
    "id": pa.array(range(1, 13), pa.int64()),
    "region": pa.array(["north", "south", "east"] * 4),
    "amount": pa.array([5, 30, 12, 40, 8, 22, 17, 3, 50, 11, 27, 60], pa.int64()),
})


@pytest.fixture
def pipeline_file(tmp_path):
    deltaline.write_table_delta(SALES, tmp_path / "sales")
    spec = {
        "id": "sales_daily",
        "inputs": {"sales": "sales"},
        "nodes": [
            {"name": "big_sales", "filter": {"input": "sales", "where": "amount > 15"}},
            {"name": "slim", "select": {"input": "big_sales",
                                        "columns": ["region", "amount"]}},
        ],
        "outputs": [{"node": "slim", "spec": {"name": "big_sales",
                                              "partitionBy": ["region"]}}],
    }
    path = tmp_path / "pipeline.json"
    path.write_text(json.dumps(spec))
    return path


EXPECTED = SALES.filter(pc.greater(SALES["amount"], 15)).select(["region", "amount"])


def rows(table: pa.Table) -> list:
    return sorted(table.select(["region", "amount"]).to_pylist(),
                  key=lambda r: (r["region"], r["amount"]))


def test_run_writes_outputs_and_returns_versions(pipeline_file, tmp_path):
    lake = tmp_path / "lake"
    events: list[tuple[str, int, int]] = []

    def progress(what: str, done: int, total: int) -> None:
        # Called from the library's threads with the GIL held: Python code runs here.
        events.append((what, done, total))

    result = deltaline.run(pipeline_file, lake=lake, run_id="run-1", progress=progress)
    assert isinstance(result, deltaline.RunResult)
    assert (result.run_id, result.pipeline_id, result.sequence) == ("run-1", "sales_daily", 1)
    out = result.output("big_sales")
    assert out.path.endswith("big_sales") and out.status == "succeeded"
    assert (out.version_before, out.version_after) == (None, 0)
    assert out.rows_added == EXPECTED.num_rows
    assert rows(RsTable(out.path).to_pyarrow_table()) == rows(EXPECTED)
    assert events[0][0] == "phase validate" and events[-1][0] == "phase done"
    assert ("node slim done", 2, 2) in events
    assert any(e[0] == "wrote big_sales" for e in events)
    # The run is recorded as `deltaline run` records it.
    assert (result.manifest["runId"], result.manifest["outcome"]) == ("run-1", "succeeded")
    assert result.manifest["outputs"][0]["counts"]["rowsAdded"] == EXPECTED.num_rows
    assert (tmp_path / "lake" / "_runs" / "_delta_log").is_dir()
    assert (tmp_path / "lake" / "_run_dirs" / "run-1" / "repro").is_dir()

    # Same sequence again: exactly once, nothing committed.
    again = deltaline.run(pipeline_file, lake=lake, run_id="run-2", sequence=1)
    assert again.output("big_sales").status == "skipped"
    assert again.output("big_sales").version_after is None
    assert RsTable(out.path).version() == 0
    # Next sequence (the default): appended as version 1.
    third = deltaline.run(pipeline_file, lake=lake, run_id="run-3", parallelism=2)
    assert third.sequence == 2
    assert third.output("big_sales").version_after == 1
    assert RsTable(out.path).to_pyarrow_table().num_rows == 2 * EXPECTED.num_rows


def test_run_config_dict_and_table_override(pipeline_file, tmp_path):
    other = tmp_path / "other_sales"
    deltaline.write_table_delta(SALES.slice(0, 4), other)
    result = deltaline.run(pipeline_file, config={"lake": str(tmp_path / "lake2")},
                           tables={"sales": other}, run_id="r")
    out = result.output("big_sales")
    assert out.path.startswith(str(tmp_path / "lake2"))
    expected = SALES.slice(0, 4).filter(pc.greater(SALES.slice(0, 4)["amount"], 15))
    assert rows(RsTable(out.path).to_pyarrow_table()) == rows(expected)


def test_run_bad_pipeline_is_typed_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"id": "x", "inputs": {}, "nodes": [
        {"name": "n", "filter": {"input": "nope", "where": "a > 1"}}], "outputs": []}))
    with pytest.raises(deltaline.InvalidInput, match="nope"):
        deltaline.run(path, lake=tmp_path / "lake")


def test_progress_exception_is_raised_after_the_run(pipeline_file, tmp_path):
    def progress(what: str, done: int, total: int) -> None:
        raise RuntimeError("stop " + what)

    with pytest.raises(RuntimeError, match="stop"):
        deltaline.run(pipeline_file, lake=tmp_path / "lake", progress=progress)


SOURCES = {
    "a.py": "def alpha(x):\n    return x + 1\n",
    "b.py": "class Beta:\n    def run(self):\n        return 2\n",
    "c.py": "def gamma():\n    return 3\n",
}


def test_anatomy_full_then_incremental_touches_only_the_edited_file(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name, text in SOURCES.items():
        (src / name).write_text(text)
    lake = tmp_path / "lake"
    seen: list[str] = []
    full = deltaline.anatomy(src, lake, threads=2, progress=lambda w, d, t: seen.append(w))
    assert isinstance(full, deltaline.AnatomyResult)
    assert not full.incremental and full.files["listed"] == 3
    assert "parse" in seen and any(w.startswith("write ") for w in seen)
    files = deltaline.open_delta_table(full.table("repo_files").path).to_pyarrow_table()
    assert sorted(files["path"].to_pylist()) == ["a.py", "b.py", "c.py"]
    defs_path = full.table("definitions").path
    before = deltaline.open_delta_table(defs_path)
    defs0 = before.to_pyarrow_table()
    assert sorted(defs0["fqn"].to_pylist()) == ["a", "a.alpha", "b", "b.Beta", "b.Beta.run",
                                                "c", "c.gamma"]
    ids = dict(zip(files["path"].to_pylist(), files["file_id"].to_pylist()))

    (src / "c.py").write_text("def gamma():\n    return 3\n\n\ndef delta():\n    return 4\n")
    inc = deltaline.anatomy(src, lake)
    assert inc.incremental and not inc.nothing_changed
    assert (inc.files["changed"], inc.files["unchanged"]) == (1, 2)
    assert inc.sequence == full.sequence + 1
    after = deltaline.open_delta_table(defs_path)
    assert after.version == inc.table("definitions").version_after > before.version
    defs1 = after.to_pyarrow_table()

    def of(table, file_id):
        keep = pc.equal(table["file_id"], file_id)
        return sorted(table.filter(keep).drop_columns(["file_bucket"]).to_pylist(),
                      key=lambda r: r["def_id"])

    for unchanged in ("a.py", "b.py"):
        assert of(defs1, ids[unchanged]) == of(defs0, ids[unchanged])
    assert sorted(r["fqn"] for r in of(defs1, ids["c.py"])) == ["c", "c.delta", "c.gamma"]
    assert inc.table("definitions").rows_written == 3

    nothing = deltaline.anatomy(src, lake)
    assert nothing.nothing_changed
    assert deltaline.open_delta_table(defs_path).version == after.version

    forced = deltaline.anatomy(src, lake, incremental=False)
    assert not forced.incremental and forced.files["parsed"] == 3
    assert sorted(deltaline.open_delta_table(defs_path).to_pyarrow_table()["fqn"]
                  .to_pylist()) == sorted(defs1["fqn"].to_pylist())


def test_failed_run_is_recorded_then_raised(tmp_path):
    deltaline.write_table_delta(SALES, tmp_path / "sales")
    path = tmp_path / "pipeline.json"
    path.write_text(json.dumps({
        "id": "unique_regions", "inputs": {"sales": "sales"},
        "nodes": [{"name": "slim", "select": {"input": "sales",
                                              "columns": ["region", "amount"]}}],
        "outputs": [{"node": "slim", "spec": {"name": "regions", "uniqueKey": ["region"],
                                              "onViolation": "fail"}}]}))
    lake = tmp_path / "lake"
    with pytest.raises(deltaline.InvalidInput, match="rule 'unique_region'"):
        deltaline.run(path, lake=lake, run_id="bad-run")
    assert not (lake / "regions" / "_delta_log").exists()
    runs = deltaline.open_delta_table(lake / "_runs").to_pyarrow_table().to_pylist()
    assert [(r["run_id"], r["outcome"]) for r in runs] == [("bad-run", "failed")]


def test_non_delta_output_config_is_refused_and_recorded(pipeline_file, tmp_path):
    config = tmp_path / "run.json"
    config.write_text(json.dumps({"lake": str(tmp_path / "lake"),
                                  "output": {"format": "parquet"}}))
    with pytest.raises(deltaline.PolicyViolation, match="parquet"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore", deltaline.DeltaWarning)  # the policy reports it too
        deltaline.run(pipeline_file, config=config, run_id="refused-run")
    runs = deltaline.open_delta_table(tmp_path / "lake" / "_runs").to_pyarrow_table()
    assert [(r["run_id"], r["outcome"]) for r in runs.to_pylist()] == [
        ("refused-run", "refused")]
    assert not (tmp_path / "lake" / "big_sales").exists()
    # Development mode: refused with a warning, and the Delta outputs are written.
    with pytest.warns(deltaline.DeltaWarning, match="parquet"):
        result = deltaline.run(pipeline_file, config=config, run_mode="development")
    assert result.output("big_sales").version_after == 0
