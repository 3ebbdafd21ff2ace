"""Partitioned writes, partition replace and predicate overwrite/delete by deltaline,
read back by delta-rs: the same rows, the same partition values, no duplicates.
"""

import datetime
import decimal
import json

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

from conftest import assert_same_rows

SPECIAL = [None, "", "/", "=", "%", "..", "../..", "a b", "😀", "é中文", "x%2Fy", "#?:*",
           "__HIVE_DEFAULT_PARTITION__"]


def deltars_partition_values(table) -> list:
    """partitionValues of every live file, as delta-rs parsed them from the log."""
    actions = pa.table(DeltaTable(str(table)).get_add_actions(flatten=True)).to_pylist()
    return [{k[len("partition."):]: v for k, v in a.items() if k.startswith("partition.")}
            for a in actions]


def log_partition_values(table) -> list:
    """partitionValues of the adds of every commit, as deltaline wrote them."""
    out = []
    for path in sorted((table / "_delta_log").glob("*.json")):
        for line in path.read_text().splitlines():
            action = json.loads(line)
            if "add" in action:
                out.append(action["add"]["partitionValues"])
    return out


def no_empty(values):
    """The protocol reads an empty partition value as null (as Spark writes it)."""
    return [None if v == "" else v for v in values]


def test_special_string_partitions_read_by_deltars(deltaline, tmp_path):
    table = tmp_path / "t"
    data = pa.table({"id": pa.array(range(len(SPECIAL)), pa.int64()),
                     "p": pa.array(SPECIAL, pa.string())})
    result = deltaline.write(table, data, tmp_path, "--partition-by", "p")
    assert result["committed"] and result["rowsAdded"] == len(SPECIAL)
    # null, "" and the literal "__HIVE_DEFAULT_PARTITION__" share a directory (as in
    # Spark); partitionValues keep the literal apart from null.
    assert len(result["partitions"]) == len(SPECIAL) - 2

    expected = data.set_column(1, "p", pa.array(no_empty(SPECIAL), pa.string()))
    dt = DeltaTable(str(table))
    assert dt.metadata().partition_columns == ["p"]
    assert_same_rows(dt.to_pyarrow_table(), expected)
    assert_same_rows(deltaline.read(table), expected)
    # Every file lies inside the table root, under its escaped directory.
    for path in tmp_path.rglob("*.parquet"):
        assert path.is_relative_to(table), path
    assert sorted(map(repr, {v["p"] for v in deltars_partition_values(table)})) == \
        sorted(map(repr, set(no_empty(SPECIAL))))


def test_typed_partitions_read_by_deltars(deltaline, tmp_path):
    table = tmp_path / "t"
    utc = datetime.timezone.utc
    data = pa.table({
        "id": pa.array([1, 2, 3], pa.int64()),
        "d": pa.array([datetime.date(2024, 1, 31), datetime.date(1969, 12, 31), None]),
        "ts": pa.array([datetime.datetime(2024, 1, 31, 10, 11, 12, 123456, tzinfo=utc),
                        datetime.datetime(1999, 1, 1, tzinfo=utc), None],
                       pa.timestamp("us", "UTC")),
        # Not -3.05: delta-rs 1.6.6 turns it into '-3.-5' (it cannot write one either);
        # negative decimal partitions are covered against Spark in test_spark.py.
        "dec": pa.array([decimal.Decimal("12.30"), decimal.Decimal("0.05"), None],
                        pa.decimal128(10, 2)),
        "b": pa.array([True, False, None]),
        "i": pa.array([7, -2, None], pa.int32()),
    })
    deltaline.write(table, data, tmp_path, "--partition-by", "d,ts,dec,b,i")
    dt = DeltaTable(str(table))
    assert_same_rows(dt.to_pyarrow_table(), data)
    values = {v["i"]: v for v in log_partition_values(table)}
    assert values["7"] == {"d": "2024-01-31", "ts": "2024-01-31T10:11:12.123456Z",
                           "dec": "12.30", "b": "true", "i": "7"}
    assert values[None] == {"d": None, "ts": None, "dec": None, "b": None, "i": None}


def test_replace_partitions_leaves_no_duplicates(deltaline, tmp_path):
    table = tmp_path / "t"
    day0 = pa.table({"day": ["d1", "d1", "d2", "d3"], "v": pa.array([1, 2, 3, 4], pa.int64())})
    deltaline.write(table, day0, tmp_path, "--partition-by", "day")
    increment = pa.table({"day": ["d2", "d4"], "v": pa.array([30, 40], pa.int64())})
    for _ in range(3):  # an incremental pipeline replaying the same run
        result = deltaline.write(table, increment, tmp_path, "--replace-partitions",
                                 "--delete-partition", '{"day": "d3"}')
        assert result["committed"]
        assert set(result["partitions"]) >= {"day=d2", "day=d4"}
        expected = pa.table({"day": ["d1", "d1", "d2", "d4"],
                             "v": pa.array([1, 2, 30, 40], pa.int64())})
        assert_same_rows(DeltaTable(str(table)).to_pyarrow_table(), expected)
    history = deltaline.history(table, "--limit", "1")[0]
    metrics = json.loads(history["operationMetrics"]["partitionMetrics"])
    assert metrics["day=d2"]["numRemovedFiles"] == 1
    assert metrics["day=d2"]["numOutputRows"] == 1


def test_replace_partitions_on_a_deltars_table(deltaline, tmp_path):
    """delta-rs wrote the directories; deltaline replaces some of them."""
    table = tmp_path / "t"
    write_deltalake(str(table), pa.table({"p": ["a/b", "c d", None, "x"],
                                          "v": pa.array([1, 2, 3, 4], pa.int64())}),
                    partition_by=["p"])
    deltaline.write(table, pa.table({"p": ["a/b", None], "v": pa.array([10, 30], pa.int64())}),
                    tmp_path, "--replace-partitions")
    expected = pa.table({"p": ["a/b", "c d", None, "x"], "v": pa.array([10, 2, 30, 4], pa.int64())})
    assert_same_rows(DeltaTable(str(table)).to_pyarrow_table(), expected)
    assert_same_rows(deltaline.read(table), expected)


def test_predicate_overwrite_and_delete_read_by_deltars(deltaline, tmp_path):
    table = tmp_path / "t"
    data = pa.table({"p": ["a", "a", "b", "b", None],
                     "x": pa.array([1, 7, 2, 8, 9], pa.int64())})
    deltaline.write(table, data, tmp_path, "--partition-by", "p")
    # A data-column predicate: files partly inside are rewritten.
    new = pa.table({"p": ["a", "c"], "x": pa.array([100, 200], pa.int64())})
    result = deltaline.write(table, new, tmp_path, "--mode", "overwrite",
                             "--predicate", "x > 5")
    assert result["rowsCopied"] == 2
    expected = pa.table({"p": ["a", "b", "a", "c"], "x": pa.array([1, 2, 100, 200], pa.int64())})
    assert_same_rows(DeltaTable(str(table)).to_pyarrow_table(), expected)
    # Violating rows: typed error, nothing committed.
    before = DeltaTable(str(table)).version()
    bad = pa.table({"p": ["a"], "x": pa.array([1], pa.int64())})
    src = tmp_path / "bad.arrow"
    import pyarrow.ipc as ipc
    with ipc.new_file(str(src), bad.schema) as writer:
        writer.write_table(bad)
    proc = deltaline.run("write", table, "--input", src, "--mode", "overwrite",
                         "--predicate", "x > 5", check=False)
    assert proc.returncode == 1 and b"InvalidInput" in proc.stderr
    assert DeltaTable(str(table)).version() == before
    # Delete by partition and by data column in one predicate.
    out = json.loads(deltaline.run("delete", table, "--predicate", "p = 'c' OR x = 1",
                                   "--json").stdout)
    assert out["committed"] and out["rowsDeleted"] == 2
    assert_same_rows(DeltaTable(str(table)).to_pyarrow_table(),
                     pa.table({"p": ["b", "a"], "x": pa.array([2, 100], pa.int64())}))
