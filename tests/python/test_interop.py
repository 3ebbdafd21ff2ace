"""deltaline with Polars, DuckDB and delta-rs: writes from their results, their queries
over a deltaline scan (more than once on one scan object), pushdown, and delta-rs
reading what the bindings wrote."""

from __future__ import annotations

import gc

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable as RsTable

from deltaline import (
    DeltaError,
    DeltaScan,
    DeltaWriteOptions,
    InvalidInput,
    WriterProperties,
    open_delta_table,
    write_table_delta,
)

N = 10_000


@pytest.fixture
def numbers(tmp_path):
    """A 10 000-row table partitioned by g (4 values), written in two commits."""
    path = tmp_path / "numbers"
    ids = pa.array(range(N), pa.int64())
    table = pa.table({"x": ids, "g": pc.cast(pc.bit_wise_and(ids, 3), pa.int32()),
                      "s": pc.cast(ids, pa.string())})
    write_table_delta(table.slice(0, N // 2), path,
                      options=DeltaWriteOptions(partition_by=["g"]))
    write_table_delta(table.slice(N // 2), path, options=DeltaWriteOptions(mode="append"))
    return path


def test_write_from_polars(tmp_path):
    df = pl.DataFrame({"id": [1, 2, 3], "name": ["a", None, "c"],
                       "score": [1.5, 2.5, None]})
    result = write_table_delta(df, tmp_path / "t")
    assert result.rows_added == 3
    got = pl.from_arrow(open_delta_table(tmp_path / "t").to_pyarrow_table())
    assert got.sort("id").equals(df)
    # Polars' default string type is a string view: stored as Delta string.
    assert open_delta_table(tmp_path / "t").schema.field("name").type == pa.string()
    assert RsTable(str(tmp_path / "t")).to_pyarrow_table().num_rows == 3


def test_write_from_duckdb_relation_and_connection(tmp_path):
    rel = duckdb.sql("select range as id, 'n' || range::varchar as name "
                     "from range(1000)")
    assert write_table_delta(rel, tmp_path / "rel").rows_added == 1000
    got = open_delta_table(tmp_path / "rel").to_pyarrow_table()
    assert sorted(got["id"].to_pylist()) == list(range(1000))
    assert got.schema.field("name").type == pa.string()

    con = duckdb.connect()
    con.execute("select range * 2 as even from range(500)")
    assert write_table_delta(con, tmp_path / "con").rows_added == 500
    got = open_delta_table(tmp_path / "con").to_pyarrow_table()
    assert sorted(got["even"].to_pylist()) == list(range(0, 1000, 2))
    assert RsTable(str(tmp_path / "con")).to_pyarrow_table().num_rows == 500


def test_duckdb_queries_a_scan_directly(numbers):
    scan = open_delta_table(numbers).scan()
    assert isinstance(scan, DeltaScan)
    # DuckDB's replacement scan finds the local variable by name, more than once: each
    # query exports the scan again and reads it from the start.
    for _ in range(2):
        assert duckdb.sql("select sum(x), count(*) from scan").fetchall() == [
            (N * (N - 1) // 2, N)]
    # The documented explicit form too.
    assert duckdb.from_arrow(scan).aggregate("count(*)").fetchall() == [(N,)]
    con = duckdb.connect()
    con.register("deltatable", scan)
    assert con.sql("select max(x) from deltatable").fetchall() == [(N - 1,)]
    by_g = duckdb.sql("select g, count(*) from scan group by g order by g").fetchall()
    assert by_g == [(g, N // 4) for g in range(4)]


def test_polars_reads_a_scan(numbers):
    scan = open_delta_table(numbers).scan(columns=["x", "s"])
    first = pl.DataFrame(scan)
    assert first.shape == (N, 2) and first.columns == ["x", "s"]
    assert first.schema == pl.Schema({"x": pl.Int64, "s": pl.String})
    assert first["x"].sum() == N * (N - 1) // 2
    assert scan.to_polars().sort("x").equals(first.sort("x"))
    # Polars' from_arrow makes one struct Series of a stream that is not pyarrow's (as
    # for a DuckDB relation); unnested, it is the same frame.
    series = pl.from_arrow(scan)
    assert isinstance(series, pl.Series)
    assert series.struct.unnest().sort("x").equals(first.sort("x"))
    lazy = pl.DataFrame(scan).lazy().filter(pl.col("x") < 10).collect()
    assert lazy.height == 10
    # pyarrow too, again from the start.
    assert pa.table(scan).num_rows == N
    assert scan.to_pyarrow().num_rows == N
    assert scan.schema == pa.schema([("x", pa.int64()), ("s", pa.string())])


def test_columns_and_filter_pushdown(numbers):
    table = open_delta_table(numbers)
    got = table.to_pyarrow_table(columns=["s", "x"], filter="g = 2 and x < 100")
    assert got.column_names == ["s", "x"]
    assert sorted(got["x"].to_pylist()) == [x for x in range(100) if x % 4 == 2]
    assert got["s"].to_pylist() == [str(x) for x in got["x"].to_pylist()]
    # Through DuckDB as well.
    scan = table.scan(columns=["x"], filter="x >= 9990")
    assert duckdb.sql("select count(*), min(x) from scan").fetchall() == [(10, 9990)]
    assert table.to_pyarrow_table(filter="x < 0").num_rows == 0
    with pytest.raises(Exception) as err:
        table.scan(columns=["nope"])
    assert "nope" in str(err.value)


def test_a_scan_keeps_its_version(numbers):
    table = open_delta_table(numbers)
    scan = table.scan()
    write_table_delta(pa.table({"x": pa.array([-1], pa.int64()),
                                "g": pa.array([0], pa.int32()), "s": ["m"]}),
                      numbers, options=DeltaWriteOptions(mode="append"))
    assert pa.table(scan).num_rows == N
    assert open_delta_table(numbers).to_pyarrow_table().num_rows == N + 1


def test_deltars_reads_partitioned_writes(numbers):
    dt = RsTable(str(numbers))
    assert dt.version() == 1
    assert dt.metadata().partition_columns == ["g"]
    theirs = dt.to_pyarrow_table()
    ours = open_delta_table(numbers).to_pyarrow_table()
    assert theirs.num_rows == N
    assert sorted(theirs["x"].to_pylist()) == sorted(ours["x"].to_pylist())
    for row in theirs.filter(pc.equal(theirs["x"], 4242)).to_pylist():
        assert row == {"x": 4242, "g": 2, "s": "4242"}


def test_a_scan_read_in_part_then_dropped_and_a_missing_file(tmp_path):
    path = tmp_path / "t"
    write_table_delta(pa.table({"x": pa.array(range(50_000), pa.int64())}), path,
                      options=DeltaWriteOptions(writer_properties=WriterProperties(
                          max_rows_per_row_group=5_000)))
    scan = open_delta_table(path).scan(batch_size=1_000)
    reader = scan.to_reader()
    assert reader.read_next_batch().num_rows == 1_000
    del reader
    gc.collect()
    assert scan.to_pyarrow().num_rows == 50_000

    for data_file in path.glob("*.parquet"):
        data_file.unlink()
    # Read in C++: the library's error, typed and naming the file.
    with pytest.raises(DeltaError) as err:
        scan.to_pyarrow()
    assert ".parquet" in str(err.value) and err.value.kind == "IOError"
    # Read by a consumer: its own error class, with the same message.
    with pytest.raises(Exception, match="cannot be opened"):
        pa.table(scan)
    with pytest.raises(Exception, match="cannot be opened"):
        duckdb.sql("select count(*) from scan").fetchall()


def test_an_empty_scan_keeps_its_columns(numbers):
    got = open_delta_table(numbers).to_pyarrow_table(columns=["s", "g"], filter="x < 0")
    assert got.num_rows == 0 and got.schema == pa.schema([("s", pa.string()),
                                                          ("g", pa.int32())])
    assert pl.DataFrame(open_delta_table(numbers).scan(filter="x < 0")).shape == (0, 3)


def test_arro3_tables_and_readers_both_ways(tmp_path):
    from arro3.core import RecordBatchReader, Table

    path = tmp_path / "t"
    assert write_table_delta(Table.from_arrow(pa.table({"x": [1, 2, 3]})), path).rows_added == 3
    reader = RecordBatchReader.from_arrow(pa.table({"x": [4]}))
    assert write_table_delta(reader, path).rows_added == 1
    scan = open_delta_table(path).scan()
    assert Table.from_arrow(scan).num_rows == Table.from_arrow(scan).num_rows == 4


def test_the_table_object_itself_is_a_stream(numbers):
    events = open_delta_table(numbers)
    assert duckdb.sql("select count(*) from events").fetchall() == [(N,)]
    assert pl.DataFrame(events).height == N
    assert pa.table(events).num_rows == N
    assert open_delta_table(numbers).to_pyarrow_table(columns="x").column_names == ["x"]
    with pytest.raises(InvalidInput):
        events.scan(batch_size=0)
