"""`deltaline migrate-parquet` on legacy Parquet trees generated here with pyarrow:
flat and Hive-partitioned (int, escaped string, date and null partitions), mismatched
schemas, inconsistent layouts; copy and in-place give the same rows, which delta-rs
reads too; footer stats equal the writer's; --dry-run writes nothing; --report JSON.
"""

import datetime
import json
import pathlib
import shutil
import urllib.parse

import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable

from conftest import assert_same_rows

HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"

# (n, s, d) partition values → directory text, Spark-escaped (`/`, `=`, `%` as %XX;
# space and non-ASCII as is), and one pyarrow-style %20/%C3%A9 escape too.
PARTITIONS = [
    (1, "a b", datetime.date(2024, 1, 5), "a b"),
    (2, "x/y", datetime.date(2024, 2, 29), "x%2Fy"),
    (-3, "k=v", None, "k%3Dv"),
    (None, "50%", datetime.date(1999, 12, 31), "50%25"),
    (4, "é中文", datetime.date(2024, 1, 5), "é中文"),
    (5, None, datetime.date(2024, 1, 6), HIVE_NULL),
    (6, "café", datetime.date(2024, 1, 7), "caf%C3%A9"),
]


def data(seed: int, num_rows: int = 4) -> pa.Table:
    return pa.table({
        "id": pa.array([seed * 100 + i for i in range(num_rows)], pa.int64()),
        "name": pa.array([None if i == 1 else f"n{seed}-{i}" for i in range(num_rows)]),
        "score": pa.array([float(i) / 3 for i in range(num_rows)], pa.float64()),
        "flag": pa.array([i % 2 == 0 for i in range(num_rows)]),
    })


def write_file(path: pathlib.Path, table: pa.Table, **kwargs) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, str(path), **kwargs)


def flat_tree(root: pathlib.Path) -> pa.Table:
    parts = [data(seed) for seed in range(3)]
    for seed, part in enumerate(parts):
        write_file(root / f"part-{seed}.parquet", part)
    (root / "_SUCCESS").write_text("")
    (root / ".part-0.parquet.crc").write_text("crc")
    return pa.concat_tables(parts)


def hive_tree(root: pathlib.Path) -> pa.Table:
    expected = []
    for seed, (n, s, d, s_dir) in enumerate(PARTITIONS):
        n_dir = HIVE_NULL if n is None else str(n)
        d_dir = HIVE_NULL if d is None else d.isoformat()
        part = data(seed)
        write_file(root / f"n={n_dir}" / f"s={s_dir}" / f"d={d_dir}" / "part-0.parquet", part)
        rows = part.num_rows
        expected.append(part.append_column("n", pa.array([n] * rows, pa.int32()))
                        .append_column("s", pa.array([s] * rows, pa.string()))
                        .append_column("d", pa.array([d] * rows, pa.date32())))
    (root / "_SUCCESS").write_text("")
    return pa.concat_tables(expected)


def adds(table: pathlib.Path) -> list:
    out = []
    for path in sorted((table / "_delta_log").glob("*.json")):
        for line in path.read_text().splitlines():
            action = json.loads(line)
            if "add" in action:
                out.append(action["add"])
    return out


def commit_info(table: pathlib.Path) -> dict:
    for line in (table / "_delta_log" / f"{0:020d}.json").read_text().splitlines():
        action = json.loads(line)
        if "commitInfo" in action:
            return action["commitInfo"]
    raise AssertionError("no commitInfo")


def read_deltars(table: pathlib.Path) -> pa.Table:
    return DeltaTable(str(table)).to_pyarrow_table()


def test_flat_copy_and_in_place(deltaline, tmp_path):
    src = tmp_path / "flat"
    expected = flat_tree(src)
    dst = tmp_path / "copy"
    deltaline.run("migrate-parquet", src, dst, "--verify")
    assert_same_rows(deltaline.read(dst), expected)
    assert_same_rows(read_deltars(dst), expected)
    deltaline.run("migrate-parquet", src, "--in-place", "--verify")
    assert sorted(p.name for p in src.iterdir()) == sorted(
        ["_delta_log", "_SUCCESS", ".part-0.parquet.crc"] +
        [f"part-{i}.parquet" for i in range(3)])
    assert_same_rows(deltaline.read(src), expected)
    assert_same_rows(read_deltars(src), expected)
    info = commit_info(src)
    assert info["operation"] == "CONVERT"
    assert info["operationParameters"] == {
        "numFiles": "3", "partitionedBy": "[]", "collectStats": "true",
        "sourceFormat": "parquet"}
    # Converting twice is refused: the log exists.
    again = deltaline.run("migrate-parquet", src, "--in-place", check=False)
    assert again.returncode != 0 and b"_delta_log" in again.stderr


def test_hive_partitions_copy_equals_in_place(deltaline, tmp_path):
    src = tmp_path / "hive"
    expected = hive_tree(src)
    dst = tmp_path / "copy"
    deltaline.run("migrate-parquet", src, dst, "--verify")
    deltaline.run("migrate-parquet", src, "--in-place", "--verify")
    for table in (dst, src):
        got = deltaline.read(table)
        # Partition columns are there, with their inferred types.
        assert got.schema.field("n").type == pa.int32()
        assert got.schema.field("s").type == pa.string()
        assert got.schema.field("d").type == pa.date32()
        assert_same_rows(got, expected)
        assert_same_rows(read_deltars(table), expected)
    assert deltaline.describe(src)["metadata"]["partitionColumns"] == ["n", "s", "d"]
    # In place: each add points at the file as it is, URI-encoded, with typed values.
    by_id = {a["partitionValues"]["n"]: a for a in adds(src)}
    assert by_id["2"]["path"] == "n=2/s=x%252Fy/d=2024-02-29/part-0.parquet"
    assert by_id["2"]["partitionValues"] == {"n": "2", "s": "x/y", "d": "2024-02-29"}
    assert by_id["5"]["partitionValues"]["s"] is None
    assert by_id["-3"]["partitionValues"]["d"] is None
    assert by_id[None]["partitionValues"]["s"] == "50%"
    assert by_id["6"]["partitionValues"]["s"] == "café"
    for add in adds(src):
        on_disk = src / urllib.parse.unquote(add["path"])
        assert on_disk.stat().st_size == add["size"]


def test_footer_stats_equal_writer_stats(deltaline, tmp_path):
    src = tmp_path / "hive"
    hive_tree(src)
    dst = tmp_path / "copy"
    deltaline.run("migrate-parquet", src, dst)
    deltaline.run("migrate-parquet", src, "--in-place")
    key = lambda a: json.dumps(a["partitionValues"], sort_keys=True)  # noqa: E731
    copied = {key(a): json.loads(a["stats"]) for a in adds(dst)}
    converted = {key(a): json.loads(a["stats"]) for a in adds(src)}
    assert copied.keys() == converted.keys()
    for part, stats in converted.items():
        writer = copied[part]
        assert stats["numRecords"] == writer["numRecords"]
        # Exact footer stats for the int, string and boolean columns...
        assert {"id", "name", "flag"} <= set(stats["nullCount"])
        assert {"id", "name"} <= set(stats["minValues"])
        # ...equal to what deltaline's writer computed from the data.
        for kind in ("minValues", "maxValues", "nullCount"):
            for column, value in stats[kind].items():
                assert writer[kind][column] == value, (part, kind, column)
        # Float min/max are left out (a footer cannot tell whether NaN was there).
        assert "score" not in stats["minValues"]


def test_schema_mismatch_strict_and_merge(deltaline, tmp_path):
    src = tmp_path / "mixed"
    write_file(src / "a.parquet", data(0))
    write_file(src / "b.parquet", data(1).append_column("extra", pa.array([1, 2, 3, 4])))
    proc = deltaline.run("migrate-parquet", src, tmp_path / "strict", check=False)
    assert proc.returncode == 1
    assert b"b.parquet" in proc.stderr and b"extra" in proc.stderr
    assert not (tmp_path / "strict").exists()
    deltaline.run("migrate-parquet", src, tmp_path / "merged", "--schema-mode", "merge",
                  "--verify")
    got = deltaline.read(tmp_path / "merged")
    assert got.num_rows == 8
    extra = {row["id"]: row["extra"] for row in got.to_pylist()}
    assert [extra[i] for i in range(4)] == [None] * 4
    assert [extra[100 + i] for i in range(4)] == [1, 2, 3, 4]
    # In place too: the file without `extra` reads it as null.
    in_place = tmp_path / "in_place"
    shutil.copytree(src, in_place)
    deltaline.run("migrate-parquet", in_place, "--in-place", "--schema-mode", "merge",
                  "--verify")
    assert_same_rows(deltaline.read(in_place), got)
    assert_same_rows(read_deltars(in_place), got)
    # Incompatible types are an error even when merging, naming the file and column.
    write_file(src / "c.parquet", data(2).set_column(0, "id", pa.array(["x"] * 4)))
    proc = deltaline.run("migrate-parquet", src, tmp_path / "bad", "--schema-mode", "merge",
                         check=False)
    assert proc.returncode == 1
    assert b"c.parquet" in proc.stderr and b"'id'" in proc.stderr


def test_inconsistent_layout_lists_paths(deltaline, tmp_path):
    src = tmp_path / "bad"
    write_file(src / "a=1" / "b=x" / "f1.parquet", data(0))
    write_file(src / "a=2" / "f2.parquet", data(1))
    write_file(src / "b=y" / "a=3" / "f3.parquet", data(2))
    proc = deltaline.run("migrate-parquet", src, tmp_path / "out", check=False)
    assert proc.returncode == 1
    for path in (b"a=1/b=x/f1.parquet", b"a=2/f2.parquet", b"b=y/a=3/f3.parquet"):
        assert path in proc.stderr
    assert not (tmp_path / "out").exists()
    # --partition-by must match the directories.
    good = tmp_path / "good"
    write_file(good / "a=1" / "f.parquet", data(0))
    proc = deltaline.run("migrate-parquet", good, tmp_path / "o2", "--partition-by", "b",
                         check=False)
    assert proc.returncode == 1 and b"partitioned by a" in proc.stderr
    deltaline.run("migrate-parquet", good, tmp_path / "o3", "--partition-by", "a")
    assert deltaline.describe(tmp_path / "o3")["metadata"]["partitionColumns"] == ["a"]


def test_partition_column_inside_files_refused(deltaline, tmp_path):
    src = tmp_path / "dup"
    write_file(src / "id=1" / "f.parquet", data(0))
    proc = deltaline.run("migrate-parquet", src, tmp_path / "out", check=False)
    assert proc.returncode == 1
    assert b"'id'" in proc.stderr and b"id=1/f.parquet" in proc.stderr


def test_types_delta_cannot_hold_in_place(deltaline, tmp_path):
    src = tmp_path / "odd"
    table = pa.table({
        "u": pa.array([1, 2**32 - 1], pa.uint32()),
        "ts": pa.array([datetime.datetime(2024, 1, 1, 12, 0, 0, 123456)] * 2,
                       pa.timestamp("us")),
    })
    write_file(src / "f.parquet", table, use_deprecated_int96_timestamps=True)
    proc = deltaline.run("migrate-parquet", src, "--in-place", check=False)
    assert proc.returncode == 1 and b"INT96" in proc.stderr and b"'ts'" in proc.stderr
    assert not (src / "_delta_log").exists()
    # The copy converts both exactly: uint32 → long, INT96 → timestamp (UTC).
    dst = tmp_path / "copy"
    deltaline.run("migrate-parquet", src, dst, "--verify")
    got = deltaline.read(dst)
    assert got.schema.field("u").type == pa.int64()
    assert got.column("u").to_pylist() == [1, 2**32 - 1]
    assert got.schema.field("ts").type == pa.timestamp("us", tz="UTC")
    assert got.column("ts").to_pylist()[0].replace(tzinfo=None) == datetime.datetime(
        2024, 1, 1, 12, 0, 0, 123456)
    src2 = tmp_path / "unsigned"
    write_file(src2 / "f.parquet", table.select(["u"]))
    proc = deltaline.run("migrate-parquet", src2, "--in-place", check=False)
    assert proc.returncode == 1 and b"'u'" in proc.stderr and b"uint32" in proc.stderr


def listing(root: pathlib.Path) -> list:
    return sorted((str(p.relative_to(root)), p.stat().st_size) for p in root.rglob("*"))


def test_dry_run_writes_nothing_and_reports(deltaline, tmp_path):
    src = tmp_path / "hive"
    hive_tree(src)
    before = listing(tmp_path)
    for extra in ([tmp_path / "dst"], ["--in-place"]):
        proc = deltaline.run("migrate-parquet", src, *extra, "--dry-run")
        assert b"partition columns: n (int32) s (string) d (date32[day])" in proc.stdout
        assert listing(tmp_path) == before
    proc = deltaline.run("migrate-parquet", src, tmp_path / "dst", "--dry-run", "--json")
    plan = json.loads(proc.stdout)["plan"]
    assert listing(tmp_path) == before
    assert plan["numFiles"] == len(PARTITIONS)
    assert plan["partitionColumns"] == [{"name": "n", "type": "int32"},
                                        {"name": "s", "type": "string"},
                                        {"name": "d", "type": "date32[day]"}]
    assert plan["skipped"] == ["_SUCCESS"]
    assert plan["statsAvailability"]["id"] == {"filesWithExactStats": 7, "files": 7}
    assert "n=2/s=x%2Fy/d=2024-02-29" in plan["partitions"]
    assert [f["name"] for f in plan["schema"]] == ["id", "name", "score", "flag", "n", "s",
                                                   "d"]


def test_report_json(deltaline, tmp_path):
    src = tmp_path / "hive"
    hive_tree(src)
    report_path = tmp_path / "report.json"
    deltaline.run("migrate-parquet", src, tmp_path / "dst", "--verify", "--report",
                  report_path)
    report = json.loads(report_path.read_text())
    assert report["mode"] == "copy" and report["dryRun"] is False
    assert report["plan"]["totalRows"] == 4 * len(PARTITIONS)
    assert report["result"]["version"] == 0
    assert report["result"]["rows"] == 4 * len(PARTITIONS)
    verification = report["verification"]
    assert verification["ok"] is True and verification["mismatches"] == []
    assert verification["source"]["rows"] == verification["result"]["rows"] == 28
    assert verification["source"]["partitionRows"]["n=2/s=x%2Fy/d=2024-02-29"] == 4
    assert verification["source"]["columns"] == verification["result"]["columns"]
    assert set(verification["source"]["columns"]) == {"id", "name", "score", "flag", "n",
                                                      "s", "d"}


def test_strict_accepts_nullability_differences(deltaline, tmp_path):
    src = tmp_path / "nulls"
    schema = data(0).schema
    required = data(0).cast(schema.set(0, schema.field("id").with_nullable(False)))
    write_file(src / "a.parquet", required)
    write_file(src / "b.parquet", data(1))
    deltaline.run("migrate-parquet", src, tmp_path / "out", "--verify")
    assert deltaline.read(tmp_path / "out").num_rows == 8


def test_partition_type_inference(deltaline, tmp_path):
    src = tmp_path / "types"
    dirs = [("5000000000", "007", "2024-02-30", "2024-01-01"),
            ("1", "7", "2024-01-01", HIVE_NULL),
            (HIVE_NULL, "8", "x", "2023-12-31")]
    for seed, (big, padded, notdate, day) in enumerate(dirs):
        write_file(src / f"big={big}" / f"padded={padded}" / f"notdate={notdate}" /
                   f"day={day}" / "f.parquet", data(seed, 1))
    plan = json.loads(deltaline.run("migrate-parquet", src, tmp_path / "out", "--dry-run",
                                    "--json").stdout)["plan"]
    # A long, a string (007 would lose its zeros as an int), a string (2024-02-30 is
    # no date), a date (nulls decide nothing).
    assert plan["partitionColumns"] == [{"name": "big", "type": "int64"},
                                        {"name": "padded", "type": "string"},
                                        {"name": "notdate", "type": "string"},
                                        {"name": "day", "type": "date32[day]"}]
    deltaline.run("migrate-parquet", src, tmp_path / "out", "--verify")
    got = {r["id"]: r for r in deltaline.read(tmp_path / "out").to_pylist()}
    assert got[0]["big"] == 5000000000 and got[0]["padded"] == "007"
    assert got[200]["big"] is None and got[100]["day"] is None
