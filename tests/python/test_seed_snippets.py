"""The seed pipeline's own snippets, as written there apart from the import line, with
what the seed asserted plus the real effect on the table."""

from __future__ import annotations

import pyarrow as pa
import pytest
from deltalake import DeltaTable as RsTable

from deltaline import (
    DeltaWriteOptions,
    OutputStoragePolicy,
    PolicyViolation,
    delta_commit_metadata,
    delta_history_snapshot,
    delta_protocol_snapshot,
    open_delta_table,
    write_table_delta,
)


def delta_metadata_payload(path):
    # The seed's helper, verbatim.
    return {"protocol": delta_protocol_snapshot(path), "history": delta_history_snapshot(path)}


def test_unit_test_snippet(tmp_path):
    path = tmp_path / "delta"
    # --- seed snippet ---
    table = pa.table({"id": [1, 2], "value": ["alpha", "beta"]})
    options = DeltaWriteOptions(mode="overwrite", commit_metadata={"source": "unit_test"})
    write_table_delta(table, str(path), options=options)
    metadata = delta_commit_metadata(str(path)); assert metadata.get("source") == "unit_test"  # noqa: E702
    history = delta_history_snapshot(str(path)); assert history is not None; assert "version" in history  # noqa: E702,E501
    protocol = delta_protocol_snapshot(str(path)); assert protocol["min_reader_version"] is not None; assert protocol["min_writer_version"] is not None  # noqa: E702,E501
    # --- end ---
    assert history["version"] == 0 and history["operation"] == "WRITE"
    assert history["userMetadata"]["source"] == "unit_test"
    assert (protocol["min_reader_version"], protocol["min_writer_version"]) == \
        (RsTable(str(path)).protocol().min_reader_version,
         RsTable(str(path)).protocol().min_writer_version)
    assert open_delta_table(str(path)).to_pyarrow_table().sort_by("id").equals(table)
    assert RsTable(str(path)).to_pyarrow_table().sort_by("id").equals(table)

    # Overwriting again: history moves on, the metadata is the new commit's.
    write_table_delta(pa.table({"id": [3], "value": ["gamma"]}), str(path),
                      options=DeltaWriteOptions(mode="overwrite",
                                                commit_metadata={"source": "second"}))
    assert delta_commit_metadata(str(path))["source"] == "second"
    assert delta_history_snapshot(str(path))["version"] == 1
    assert open_delta_table(path).to_pyarrow_table().to_pylist() == [
        {"id": 3, "value": "gamma"}]


def test_missing_table_snapshots_are_none(tmp_path):
    assert delta_history_snapshot(str(tmp_path / "none")) is None
    assert delta_protocol_snapshot(str(tmp_path / "none")) is None
    assert delta_commit_metadata(str(tmp_path / "none")) is None


def test_partitioned_overwrite_snippet(tmp_path):
    path = tmp_path / "files"
    table = pa.table({"repo": ["r1", "r1", "r2"], "file_id": ["a", "b", "c"],
                      "lines": [10, 20, 30]})
    # --- seed snippet ---
    result = write_table_delta(table, path, options=DeltaWriteOptions(mode="overwrite", partition_by=["repo"]))  # noqa: E501
    # --- end ---
    assert result.path == str(path) and result.version == 0
    assert open_delta_table(path).partition_columns == ["repo"]
    assert sorted(p.name for p in path.iterdir() if p.name.startswith("repo=")) == \
        ["repo=r1", "repo=r2"]

    # The same partitioned overwrite again replaces everything.
    table = pa.table({"repo": ["r3"], "file_id": ["z"], "lines": [1]})
    result = write_table_delta(table, path, options=DeltaWriteOptions(mode="overwrite", partition_by=["repo"]))  # noqa: E501
    assert result.version == 1
    assert open_delta_table(path).to_pyarrow_table().to_pylist() == [
        {"repo": "r3", "file_id": "z", "lines": 1}]
    assert RsTable(str(path)).to_pyarrow_table().num_rows == 1


def test_targeted_replace_snippet(tmp_path):
    path = tmp_path / "files"
    write_table_delta(pa.table({"repo": ["r1", "r1", "r2"], "file_id": ["a", "b", "a"],
                                "lines": [10, 20, 30]}),
                      path, options=DeltaWriteOptions(mode="overwrite", partition_by=["repo"]))
    table = pa.table({"repo": ["r1", "r2"], "file_id": ["a", "a"], "lines": [11, 31]})
    # --- seed snippet ---
    result = write_table_delta(table, path, options=DeltaWriteOptions(mode="overwrite", predicate="file_id = 'a'", partition_by=["repo"]))  # noqa: E501
    # --- end ---
    # r1's file also held file_id 'b': it is rewritten, its other row carried over
    # (counted in rows_added and in rows_copied).
    assert result.version == 1 and result.rows_added == 2 + 1 and result.rows_copied == 1
    assert result.rows_removed == 3 and set(result.partitions) == {"repo=r1", "repo=r2"}
    rows = sorted((r["repo"], r["file_id"], r["lines"])
                  for r in open_delta_table(path).to_pyarrow_table().to_pylist())
    assert rows == [("r1", "a", 11), ("r1", "b", 20), ("r2", "a", 31)]
    theirs = sorted((r["repo"], r["file_id"], r["lines"])
                    for r in RsTable(str(path)).to_pyarrow_table().to_pylist())
    assert theirs == rows


def test_policy_snippet(tmp_path):
    # --- seed snippet ---
    policy = OutputStoragePolicy(format="delta", allow_parquet_exports=False)
    # --- end ---
    assert policy.format == "delta" and policy.allow_parquet_exports is False
    path = tmp_path / "t"
    result = write_table_delta(pa.table({"id": [1]}), path,
                               options=DeltaWriteOptions(policy=policy))
    assert result.committed
    stored = result.commit_metadata["deltaline.policy"]
    assert '"allow_parquet_exports":false' in stored.replace(" ", "")

    with pytest.raises(PolicyViolation):
        write_table_delta(pa.table({"id": [1]}), tmp_path / "p", options=DeltaWriteOptions(
            policy=OutputStoragePolicy(format="parquet")))
    assert not (tmp_path / "p" / "_delta_log").exists()


def test_metadata_payload_snippet(tmp_path):
    path = tmp_path / "t"
    write_table_delta(pa.table({"id": [1, 2], "value": ["alpha", "beta"]}), str(path),
                      options=DeltaWriteOptions(mode="overwrite",
                                                commit_metadata={"source": "unit_test"}))
    payload = delta_metadata_payload(str(path))
    assert set(payload) == {"protocol", "history"}
    assert payload["protocol"]["min_reader_version"] >= 1
    assert payload["history"]["version"] == 0
    assert payload["history"]["userMetadata"]["source"] == "unit_test"
