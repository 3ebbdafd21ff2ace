"""`deltaline validate`: one Substrait plan (hand-written, tests/engine/validate/) run over
a Delta table written by `deltaline write` and over the same rows as an Arrow IPC file,
a Parquet file and JSON lines; equal results exit 0, a wrong expected result is a
mismatch (exit 4 with --fail-on-mismatch) whose report names the differing row."""

import json
import pathlib

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from conftest import write_ipc_file

PLANS = pathlib.Path(__file__).resolve().parents[1] / "engine" / "validate"
FILTER_PROJECT = PLANS / "filter_project.json"  # amount > 1.0, doubled = amount * 2
SUM_BY_REGION = PLANS / "sum_by_region.json"  # region, total = sum(amount)
MISMATCH_EXIT = 4

SCHEMA = pa.schema([("id", pa.int64()), ("region", pa.string()), ("amount", pa.float64())])
ROWS = pa.table({"id": [1, 2, 3, 4, 5, 6],
                 "region": ["eu", "us", "eu", "ap", "us", "us"],
                 "amount": [0.5, 2.25, 3.5, 10.0, 0.1, 0.2]}, schema=SCHEMA)


def write_file(path: pathlib.Path, table: pa.Table) -> pathlib.Path:
    if path.suffix == ".arrow":
        write_ipc_file(path, table)
    elif path.suffix == ".parquet":
        pq.write_table(table, path)
    else:
        with open(path, "w") as out:
            for row in table.to_pylist():
                out.write(json.dumps(row) + "\n")
    return path


@pytest.fixture
def delta_table(deltaline, tmp_path) -> pathlib.Path:
    """Version 0: ROWS; version 1 appends one more row (id 7)."""
    table = tmp_path / "sales"
    deltaline.write(table, ROWS, tmp_path)
    extra = pa.table({"id": [7], "region": ["ap"], "amount": [5.0]}, schema=SCHEMA)
    deltaline.write(table, extra, tmp_path, "--mode", "append")
    return table


def validate(deltaline, plan, left, right, *extra):
    args = ["validate", "--plan", plan]
    for binding in left:
        args += ["--left", binding]
    for binding in right:
        args += ["--right", binding]
    return deltaline.run(*args, *extra, check=False)


@pytest.mark.parametrize("plan", [FILTER_PROJECT, SUM_BY_REGION], ids=["filter", "sum"])
@pytest.mark.parametrize("suffix", [".arrow", ".parquet", ".jsonl"])
def test_delta_at_a_version_equals_the_same_rows_in_a_file(
        deltaline, delta_table, tmp_path, plan, suffix):
    expected = write_file(tmp_path / f"expected{suffix}", ROWS)
    report = tmp_path / "report.json"
    proc = validate(deltaline, plan, [f"sales={delta_table}@0"], [f"sales={expected}"],
                    "--fail-on-mismatch", "--report", report)
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    assert "result: equal" in out
    result = json.loads(report.read_text())
    assert result["equal"] is True
    assert result["left_bindings"] == [
        {"name": "sales", "kind": "delta", "uri": str(delta_table), "version": 0}]
    assert result["right_bindings"][0]["uri"] == str(expected)
    assert result["rows"]["left"] == result["rows"]["right"] > 0
    if plan == SUM_BY_REGION:
        assert [f["name"] for f in result["schema"]["left"]] == ["region", "total"]
    else:
        assert [f["name"] for f in result["schema"]["left"]] == ["id", "region", "doubled"]
        assert result["rows"]["left"] == 3  # 2.25, 3.5 and 10.0 pass the filter


def test_a_changed_value_is_a_mismatch_naming_the_row(deltaline, delta_table, tmp_path):
    wrong = ROWS.set_column(2, "amount", pa.array([0.5, 2.25, 3.75, 10.0, 0.1, 0.2]))
    expected = write_file(tmp_path / "expected.arrow", wrong)
    report = tmp_path / "report.json"
    proc = validate(deltaline, FILTER_PROJECT, [f"sales={delta_table}@0"],
                    [f"sales={expected}"], "--fail-on-mismatch", "--report", report)
    assert proc.returncode == MISMATCH_EXIT, proc.stderr.decode()
    assert "result: mismatch" in proc.stdout.decode()
    assert "the results differ" in proc.stderr.decode()
    result = json.loads(report.read_text())
    assert result["equal"] is False
    assert result["rows"]["unmatched_left"] == 1
    assert result["rows"]["unmatched_right"] == 1
    assert result["first_differences"]["left"] == [
        {"row": 1, "values": {"id": 3, "region": "eu", "doubled": 7.0}}]
    assert result["first_differences"]["right"] == [
        {"row": 1, "values": {"id": 3, "region": "eu", "doubled": 7.5}}]

    # Without --fail-on-mismatch the same report, exit 0.
    proc = validate(deltaline, FILTER_PROJECT, [f"sales={delta_table}@0"],
                    [f"sales={expected}"], "--json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["first_differences"] == result["first_differences"]


def test_a_missing_row_is_a_mismatch_naming_the_row(deltaline, delta_table, tmp_path):
    missing = ROWS.filter(pc.not_equal(ROWS["id"], 4))
    expected = write_file(tmp_path / "expected.parquet", missing)
    proc = validate(deltaline, FILTER_PROJECT, [f"sales={delta_table}@0"],
                    [f"sales={expected}"], "--fail-on-mismatch", "--json")
    assert proc.returncode == MISMATCH_EXIT
    result = json.loads(proc.stdout)
    assert result["rows"] == {"left": 3, "right": 2, "compared": True,
                              "unmatched_left": 1, "unmatched_right": 0,
                              "pairing_exhaustive": True}
    assert result["first_differences"]["left"][0]["values"] == {
        "id": 4, "region": "ap", "doubled": 20.0}
    assert result["first_differences"]["right"] == []


def test_an_aggregate_differing_by_float_noise_is_equal(deltaline, delta_table, tmp_path):
    # us: 2.25 + 0.1 + 0.2, whose last bits depend on the order of addition; the
    # expected total is 2.55 off by a relative 1e-12: inside the default tolerance
    # (relative 1e-9), never bit-equal to any order's sum.
    expected_sums = pa.table({"id": [1, 2, 3], "region": ["eu", "us", "ap"],
                              "amount": [4.0, 2.55 * (1 + 1e-12), 10.0]}, schema=SCHEMA)
    expected = write_file(tmp_path / "sums.arrow", expected_sums)
    proc = validate(deltaline, SUM_BY_REGION, [f"sales={delta_table}@0"],
                    [f"sales={expected}"], "--fail-on-mismatch", "--json")
    assert proc.returncode == 0, proc.stdout.decode()
    # With no tolerance the difference counts, and it is the us row.
    proc = validate(deltaline, SUM_BY_REGION, [f"sales={delta_table}@0"],
                    [f"sales={expected}"], "--fail-on-mismatch", "--json",
                    "--relative-tolerance", "0", "--absolute-tolerance", "0")
    assert proc.returncode == MISMATCH_EXIT
    result = json.loads(proc.stdout)
    assert [row["values"]["region"] for row in result["first_differences"]["left"]] == ["us"]
    assert result["tolerance"] == {"relative": 0.0, "absolute": 0.0, "nans_equal": True}


def test_an_old_version_differs_from_the_latest(deltaline, delta_table):
    proc = validate(deltaline, FILTER_PROJECT, [f"sales={delta_table}@0"],
                    [f"sales={delta_table}"], "--fail-on-mismatch", "--json")
    assert proc.returncode == MISMATCH_EXIT
    result = json.loads(proc.stdout)
    assert result["left_bindings"][0]["version"] == 0
    assert result["right_bindings"][0]["version"] == 1
    assert result["first_differences"]["right"][0]["values"] == {
        "id": 7, "region": "ap", "doubled": 10.0}
    assert result["rows"]["unmatched_left"] == 0


def test_a_column_type_differing_from_the_plans_read_is_refused_by_name(
        deltaline, delta_table, tmp_path):
    # The plan declares its read's types; a binding holding id as int32 cannot run it
    # as written (both sides run one plan, so result schemas cannot differ otherwise:
    # result_compare_test covers schema differences of results).
    narrow = ROWS.cast(pa.schema([("id", pa.int32()), ("region", pa.string()),
                                  ("amount", pa.float64())]))
    expected = write_file(tmp_path / "narrow.arrow", narrow)
    proc = validate(deltaline, FILTER_PROJECT, [f"sales={delta_table}@0"],
                    [f"sales={expected}"], "--fail-on-mismatch", "--json")
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "right" in err and "'id'" in err and "int32" in err and "int64" in err

def test_a_filter_inside_a_named_read_is_applied(deltaline, delta_table, tmp_path):
    # Arrow's consumer would ignore it and return every row; the normalising pass moves
    # it above the read, so only the rows with amount > 1.0 come back.
    plan = json.loads(FILTER_PROJECT.read_text())
    project = plan["relations"][0]["root"]["input"]["project"]
    filter_rel = project["input"]["filter"]
    filter_rel["input"]["read"]["filter"] = filter_rel["condition"]
    project["input"] = filter_rel["input"]
    path = tmp_path / "read_filter.json"
    path.write_text(json.dumps(plan))
    expected = write_file(tmp_path / "rows.arrow", ROWS)
    proc = validate(deltaline, path, [f"sales={delta_table}@0"], [f"sales={expected}"],
                    "--fail-on-mismatch", "--json")
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    result = json.loads(proc.stdout)
    assert result["rows"]["left"] == result["rows"]["right"] == 3

def test_bad_command_lines(deltaline, delta_table, tmp_path):
    proc = validate(deltaline, FILTER_PROJECT, [f"sales={delta_table}"], [])
    assert proc.returncode == 2  # --right is required
    proc = validate(deltaline, FILTER_PROJECT, [f"sales={delta_table}"],
                    [f"sales={tmp_path / 'nowhere.arrow'}"])
    assert proc.returncode == 1
    assert "--right" in proc.stderr.decode()
    proc = validate(deltaline, FILTER_PROJECT, [f"other={delta_table}"],
                    [f"sales={delta_table}"])
    assert proc.returncode == 1
    assert "left" in proc.stderr.decode() and "sales" in proc.stderr.decode()


def test_a_table_with_columns_in_another_order_is_bound_by_name(
        deltaline, delta_table, tmp_path):
    # The plan's field references are positions: the runner binds the plan's read to
    # the table by column name, so reordered columns still give the same rows.
    reordered = write_file(tmp_path / "reordered.arrow", ROWS.select(["region", "id", "amount"]))
    proc = validate(deltaline, FILTER_PROJECT, [f"sales={delta_table}@0"],
                    [f"sales={reordered}"], "--fail-on-mismatch")
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()


def test_a_field_unknown_to_the_consumer_is_refused_not_ignored(
        deltaline, delta_table, tmp_path):
    # A field Arrow 26's consumer (Substrait 0.44) does not read: running the plan
    # without it could give a different answer than its producer meant.
    plan = json.loads(SUM_BY_REGION.read_text())
    plan["relations"][0]["root"]["input"]["aggregate"]["aNewerField"] = []
    path = tmp_path / "newer.json"
    path.write_text(json.dumps(plan))
    proc = validate(deltaline, path, [f"sales={delta_table}"], [f"sales={delta_table}"])
    assert proc.returncode == 1
    assert "aNewerField" in proc.stderr.decode()


def test_a_binary_plan_runs_as_its_json_form(deltaline, delta_table, tmp_path):
    from google.protobuf import json_format
    from substrait.gen.proto import plan_pb2

    binary = tmp_path / "sum_by_region.pb"
    plan = json_format.Parse(SUM_BY_REGION.read_text(), plan_pb2.Plan())
    binary.write_bytes(plan.SerializeToString())
    expected = write_file(tmp_path / "expected.parquet", ROWS)
    proc = validate(deltaline, binary, [f"sales={delta_table}@0"], [f"sales={expected}"],
                    "--fail-on-mismatch", "--json")
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout)["rows"]["left"] == 3
