"""deltaline.query and deltaline.insert_into: Substrait plans from a real producer
(ibis-substrait, as tests/interop/test_substrait_producer.py makes them) over Delta
tables written by the bindings, read by pyarrow, Polars and DuckDB, and written into
Delta tables that delta-rs reads back."""

from __future__ import annotations

import json

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable as RsTable

import deltaline
from deltaline import DeltaWriteOptions

ibis = pytest.importorskip("ibis")
compiler_core = pytest.importorskip("ibis_substrait.compiler.core")
from google.protobuf.json_format import MessageToJson  # noqa: E402

SALES = pa.table({
    "id": pa.array(range(1, 41), pa.int64()),
    "region": pa.array(["north", "south", "east", "west"] * 10),
    "amount": pc.multiply(pa.array(range(1, 41), pa.float64()), 2.5),
})
SCHEMA = [("id", "int64"), ("region", "string"), ("amount", "float64")]


def compile_plan(expr):
    # A fresh compiler per plan: one instance keeps its function anchors across plans.
    return compiler_core.SubstraitCompiler().compile(expr)


@pytest.fixture
def sales(tmp_path):
    path = tmp_path / "sales"
    deltaline.write_table_delta(SALES.slice(0, 25), path,
                                options=DeltaWriteOptions(mode="error"))
    deltaline.write_table_delta(SALES.slice(25), path)
    return path


def filter_plan():
    t = ibis.table(SCHEMA, name="t")
    return compile_plan(t.filter(t.amount > 50))


EXPECTED_FILTER = SALES.filter(pc.greater(SALES["amount"], 50))


@pytest.mark.parametrize("form", ["message", "binary", "json_text", "dict", "path"])
def test_query_filter_every_plan_form(sales, tmp_path, form):
    plan = filter_plan()
    given = {
        "message": lambda: plan,
        "binary": plan.SerializeToString,
        "json_text": lambda: MessageToJson(plan),
        "dict": lambda: json.loads(MessageToJson(plan)),
        "path": lambda: _write(tmp_path / "plan.pb", plan.SerializeToString()),
    }[form]()
    result = deltaline.query(given, tables={"t": sales})
    got = result.to_pyarrow().sort_by("id")
    assert got.to_pylist() == EXPECTED_FILTER.to_pylist()
    assert any("version 1" in b for b in result.bindings), result.bindings


def _write(path, data):
    path.write_bytes(data)
    return path


def test_group_by_sum_matches_pyarrow(sales):
    t = ibis.table(SCHEMA, name="t")
    plan = compile_plan(t.group_by("region").aggregate(total=t.amount.sum()))
    got = deltaline.query(plan, tables={"t": str(sales)}).to_pyarrow()
    expected = SALES.group_by("region").aggregate([("amount", "sum")])
    assert got.column_names == ["region", "total"]
    assert dict(zip(got["region"].to_pylist(), got["total"].to_pylist())) == dict(
        zip(expected["region"].to_pylist(), expected["amount_sum"].to_pylist()))


def test_polars_and_duckdb_read_the_result_and_each_export_reruns(sales):
    result = deltaline.query(filter_plan(), tables={"t": sales})
    expected = EXPECTED_FILTER.to_pylist()
    assert pa.table(result).sort_by("id").to_pylist() == expected
    assert pl.DataFrame(result).sort("id").to_arrow().to_pylist() == expected
    rel = duckdb.sql("select id, region, amount from result order by id")
    assert rel.to_arrow_table().to_pylist() == expected
    # Once more: a re-openable stream, not a one-shot reader.
    assert duckdb.sql("select count(*) from result").fetchall()[0][0] == len(expected)
    assert result.schema == pa.schema([("id", pa.int64()), ("region", pa.string()),
                                       ("amount", pa.float64())])


def test_tables_pinned_at_query_time_and_by_version(sales):
    result = deltaline.query(filter_plan(), tables={"t": sales})
    deltaline.write_table_delta(pa.table({"id": [99], "region": ["x"], "amount": [999.0]})
                                .cast(SALES.schema), sales)
    # The result still reads version 1: the binding pinned it.
    assert result.to_pyarrow().num_rows == EXPECTED_FILTER.num_rows
    latest = deltaline.query(filter_plan(), tables={"t": sales}).to_pyarrow()
    assert latest.num_rows == EXPECTED_FILTER.num_rows + 1
    at0 = deltaline.query(filter_plan(), tables={"t": f"{sales}@0"}).to_pyarrow()
    assert at0.num_rows == pc.sum(pc.greater(SALES.slice(0, 25)["amount"], 50)).as_py()
    opened = deltaline.open_delta_table(sales, version=0)
    assert deltaline.query(filter_plan(), tables={"t": opened}).to_pyarrow().num_rows == \
        at0.num_rows


def test_in_memory_table(sales):
    got = deltaline.query(filter_plan(), tables={"t": SALES}).to_pyarrow().sort_by("id")
    assert got.to_pylist() == EXPECTED_FILTER.to_pylist()


def test_unbound_table_is_invalid_input_naming_it(sales):
    u = ibis.table(SCHEMA, name="missing_orders")
    plan = compile_plan(u.filter(u.amount > 1))
    with pytest.raises(deltaline.InvalidInput, match="missing_orders"):
        deltaline.query(plan, tables={"t": sales})


def test_missing_delta_table_is_table_not_found(tmp_path):
    with pytest.raises(deltaline.TableNotFound, match="nowhere"):
        deltaline.query(filter_plan(), tables={"t": tmp_path / "nowhere"})


def test_bad_plan_argument_is_invalid_input(sales):
    with pytest.raises(deltaline.InvalidInput, match="plan"):
        deltaline.query(12, tables={"t": sales})


@pytest.mark.parametrize("insert_path", ["auto", "streaming", "fallback"])
def test_insert_into_creates_then_appends(sales, tmp_path, insert_path):
    target = tmp_path / "big"
    created = deltaline.insert_into(filter_plan(), target, tables={"t": sales},
                                    options=DeltaWriteOptions(mode="error"),
                                    insert_path=insert_path)
    assert isinstance(created, deltaline.WriteResult)
    assert (created.version, created.rows_added) == (0, EXPECTED_FILTER.num_rows)
    appended = deltaline.insert_into(filter_plan(), target, tables={"t": sales},
                                     insert_path=insert_path)
    assert (appended.version, appended.operation) == (1, "WRITE")
    got = RsTable(str(target)).to_pyarrow_table().sort_by("id")
    doubled = pa.concat_tables([EXPECTED_FILTER, EXPECTED_FILTER]).sort_by("id")
    assert got.to_pylist() == doubled.to_pylist()


def test_insert_into_overwrite_and_replace_where(sales, tmp_path):
    target = tmp_path / "copy"
    deltaline.write_table_delta(SALES, target,
                                options=DeltaWriteOptions(partition_by=["region"]))
    t = ibis.table(SCHEMA, name="t")
    # Given as binary: Arrow re-encodes this plan a byte longer (ibis packs the
    # project's emit mapping, Arrow writes it unpacked), which loses nothing.
    north = compile_plan(t.filter(t.region == "north").mutate(amount=t.amount * 0))
    binary = north.SerializeToString()
    rows = deltaline.query(binary, tables={"t": sales}).to_pyarrow().sort_by("id")
    north_ids = SALES.filter(pc.equal(SALES["region"], "north"))["id"].to_pylist()
    assert rows["id"].to_pylist() == north_ids
    assert rows["amount"].to_pylist() == [0.0] * len(north_ids)
    written = deltaline.insert_into(
        binary, target, tables={"t": sales},
        options=DeltaWriteOptions(mode="overwrite", predicate="region = 'north'"))
    assert written.committed and written.version == 1
    got = RsTable(str(target)).to_pyarrow_table()
    zero = pc.equal(got["amount"], 0.0)
    assert pc.all(pc.equal(pc.filter(got["region"], zero), "north")).as_py()
    assert got.num_rows == SALES.num_rows
    assert pc.sum(zero).as_py() == 10
    replaced = deltaline.insert_into(filter_plan(), target, tables={"t": sales},
                                     options=DeltaWriteOptions(mode="overwrite"))
    got = RsTable(str(target)).to_pyarrow_table().sort_by("id")
    assert replaced.version == 2
    assert got.select(["id", "region", "amount"]).to_pylist() == \
        EXPECTED_FILTER.to_pylist()


def test_insert_into_refused_mode_commits_nothing(sales, tmp_path):
    target = tmp_path / "t2"
    deltaline.insert_into(filter_plan(), target, tables={"t": sales})
    with pytest.raises(deltaline.TableAlreadyExists):
        deltaline.insert_into(filter_plan(), target, tables={"t": sales},
                              options=DeltaWriteOptions(mode="error"))
    assert RsTable(str(target)).version() == 0


def test_insert_into_under_a_non_delta_policy_is_refused(sales, tmp_path):
    target = tmp_path / "refused"
    policy = deltaline.OutputStoragePolicy(format="parquet")
    with pytest.raises(deltaline.PolicyViolation, match="parquet"):
        deltaline.insert_into(filter_plan(), target, tables={"t": sales},
                              options=DeltaWriteOptions(policy=policy))
    assert not target.exists() or not any(target.iterdir())
