"""The output storage policy from Python: require_delta_output goes through the one
C++ gate (storage::CheckSink) and export_parquet is refused unless the policy allows
it, writing nothing when refused."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable as RsTable

import deltaline
from deltaline import (
    DeltaWarning,
    DeltaWriteOptions,
    ExportResult,
    InvalidInput,
    OutputStoragePolicy,
    PolicyViolation,
    TableNotFound,
    export_parquet,
    require_delta_output,
    write_table_delta,
)


def rows(n: int, offset: int = 0) -> pa.Table:
    ids = pa.array(range(offset, offset + n), pa.int64())
    return pa.table({"id": ids,
                     "name": pc.cast(ids, pa.string()),
                     "day": pa.array([f"2024-01-0{1 + i % 3}" for i in range(n)])})


def sorted_by_id(table: pa.Table) -> pa.Table:
    return table.sort_by("id")


def no_files(directory: Path) -> bool:
    return not directory.exists() or not any(directory.rglob("*"))


def test_delta_output_passes_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert require_delta_output(OutputStoragePolicy(), sink="events") is None
        require_delta_output(OutputStoragePolicy(format="delta"), sink="events",
                             path="/lake/events", format="delta")


def test_parquet_output_raises_policy_violation():
    with pytest.warns(DeltaWarning, match="refused parquet sink 'events'"):
        with pytest.raises(PolicyViolation) as raised:
            require_delta_output(OutputStoragePolicy(), sink="events",
                                 path="/lake/events.parquet", format="parquet")
    assert raised.value.kind == "PolicyViolation"
    assert "'/lake/events.parquet'" in str(raised.value)
    assert "Delta tables only" in str(raised.value)
    assert isinstance(raised.value, deltaline.DeltaError)


def test_a_policy_naming_another_format_is_itself_forbidden():
    with pytest.warns(DeltaWarning):
        with pytest.raises(PolicyViolation, match="refused parquet sink 'events policy.format'"):
            require_delta_output(OutputStoragePolicy(format="parquet"), sink="events")


def test_allowing_exports_does_not_allow_parquet_outputs():
    # Parquet leaves only through the export module, never as a pipeline output.
    policy = OutputStoragePolicy(allow_parquet_exports=True)
    with pytest.warns(DeltaWarning):
        with pytest.raises(PolicyViolation):
            require_delta_output(policy, sink="events", format="parquet")


def test_development_mode_warns_and_returns(tmp_path):
    policy = OutputStoragePolicy(format="csv", mode="development")
    with pytest.warns(DeltaWarning, match="run mode development") as caught:
        assert require_delta_output(policy, sink="daily", path=str(tmp_path / "daily.csv"),
                                    run_id="run-7", run_dir=tmp_path / "run") is None
    assert len(caught) == 1
    # The refusal is a row of the run's diagnostics Delta table.
    events = RsTable(str(tmp_path / "run" / "_diagnostics" / "policy_events"))
    table = events.to_pyarrow_table()
    assert table.num_rows == 1
    row = table.to_pylist()[0]
    assert row["sink"] == "daily policy.format"
    assert row["format"] == "csv"
    assert row["path"] == str(tmp_path / "daily.csv")
    assert row["run_id"] == "run-7"
    assert row["outcome"] == "refused"
    assert json.loads(row["policy"])["run_mode"] == "development"


def test_production_refusal_is_recorded_as_failed(tmp_path):
    with pytest.warns(DeltaWarning):
        with pytest.raises(PolicyViolation):
            require_delta_output(OutputStoragePolicy(), sink="s", format="parquet",
                                 run_id="r1", run_dir=str(tmp_path / "run"))
    events = RsTable(str(tmp_path / "run" / "_diagnostics" / "policy_events"))
    assert [r["outcome"] for r in events.to_pyarrow_table().to_pylist()] == ["failed"]


def test_unknown_run_mode_is_invalid_input():
    with pytest.raises(InvalidInput, match="unknown run mode 'staging'"):
        require_delta_output(OutputStoragePolicy(mode="staging"),  # type: ignore[arg-type]
                             sink="x", format="parquet")


@pytest.fixture
def sales(tmp_path) -> Path:
    path = tmp_path / "sales"
    write_table_delta(rows(50), path, options=DeltaWriteOptions(mode="error"))
    write_table_delta(rows(30, offset=50), path, options=DeltaWriteOptions(mode="append"))
    return path


def test_export_is_refused_by_default_and_writes_nothing(sales, tmp_path):
    out = tmp_path / "out"
    with pytest.warns(DeltaWarning):
        with pytest.raises(PolicyViolation, match="refused parquet sink 'export-parquet'"):
            export_parquet(sales, out)
    assert not out.exists()
    # An existing empty directory stays empty.
    out.mkdir()
    with pytest.warns(DeltaWarning):
        with pytest.raises(PolicyViolation):
            export_parquet(sales, out, policy=OutputStoragePolicy())
    assert no_files(out)


def test_export_refused_in_development_mode_returns_a_refused_report(sales, tmp_path):
    out = tmp_path / "out"
    with pytest.warns(DeltaWarning, match="refused parquet sink"):
        result = export_parquet(sales, out, policy=OutputStoragePolicy(mode="development"))
    assert result.refused
    assert result.files == [] and result.rows == 0
    assert not out.exists()


def test_export_allowed_reads_back_equal_to_the_table(sales, tmp_path):
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = export_parquet(sales, out,
                                policy=OutputStoragePolicy(allow_parquet_exports=True))
    assert isinstance(result, ExportResult)
    assert not result.refused
    assert result.version == 1
    assert result.rows == 80
    assert result.files and all(f.endswith(".parquet") for f in result.files)
    on_disk = sorted(p.name for p in out.iterdir())
    assert on_disk == sorted(result.files + ["export_report.json"])
    assert result.bytes == sum((out / f).stat().st_size for f in result.files)
    assert result.schema_fingerprint
    report = json.loads((out / "export_report.json").read_text())
    assert report["schemaFingerprint"] == result.schema_fingerprint
    exported = pa.concat_tables(pq.read_table(out / f) for f in result.files)
    expected = RsTable(str(sales)).to_pyarrow_table()
    assert sorted_by_id(exported).equals(sorted_by_id(expected.select(exported.column_names)))
    assert set(exported.column_names) == set(expected.column_names)


def test_export_of_an_older_version(sales, tmp_path):
    out = tmp_path / "v0"
    result = export_parquet(sales, out, version=0,
                            policy=OutputStoragePolicy(allow_parquet_exports=True))
    assert result.version == 0 and result.rows == 50
    exported = pa.concat_tables(pq.read_table(out / f) for f in result.files)
    assert sorted_by_id(exported)["id"].to_pylist() == list(range(50))


def test_export_errors_are_typed(sales, tmp_path):
    allow = OutputStoragePolicy(allow_parquet_exports=True)
    with pytest.raises(TableNotFound):
        export_parquet(tmp_path / "missing", tmp_path / "o1", policy=allow)
    with pytest.raises(InvalidInput):
        export_parquet(sales, tmp_path / "o2", version=-1, policy=allow)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("x")
    with pytest.raises(deltaline.DeltaError):
        export_parquet(sales, busy, policy=allow)
    assert sorted(p.name for p in busy.iterdir()) == ["keep.txt"]
