"""Every type deltaline writes survives write_table_delta -> open_delta_table, and
delta-rs reads the same rows; the types Delta has no counterpart for are refused with
a typed error naming the column, or converted only when asked to."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable as RsTable

from deltaline import (
    DeltaWriteOptions,
    InvalidInput,
    SchemaMismatch,
    UnsupportedFeature,
    open_delta_table,
    write_table_delta,
)

UTC = dt.timezone.utc


def all_types(n: int = 9) -> pa.Table:
    """n rows of every supported type; every third row is null in every column (and
    the nested values hold nulls of their own)."""
    def nulls(values):
        return [None if i % 3 == 2 else v for i, v in enumerate(values)]

    ids = list(range(n))
    return pa.table({
        "id": pa.array(ids, pa.int64()),
        "b": pa.array(nulls([i % 2 == 0 for i in ids]), pa.bool_()),
        "i8": pa.array(nulls([(-1) ** i * (i * 13 % 128) for i in ids]), pa.int8()),
        "i16": pa.array(nulls([-32768 + i for i in ids]), pa.int16()),
        "i32": pa.array(nulls([2**31 - 1 - i for i in ids]), pa.int32()),
        "i64": pa.array(nulls([-(2**63) + i for i in ids]), pa.int64()),
        "f32": pa.array(nulls([i * 0.5 for i in ids]), pa.float32()),
        "f64": pa.array(nulls([float(i) / 3 if i != 1 else float("inf") for i in ids]),
                        pa.float64()),
        "dec": pa.array(nulls([decimal.Decimal(f"{i}123456789.12345") * (-1) ** i
                               for i in ids]), pa.decimal128(20, 5)),
        "s": pa.array(nulls([f"héllo {i} ✓" for i in ids]), pa.string()),
        "bin": pa.array(nulls([bytes([i, 0, 255]) for i in ids]), pa.binary()),
        "d": pa.array(nulls([dt.date(1969, 12, 31) + dt.timedelta(days=i * 400)
                             for i in ids]), pa.date32()),
        "ts": pa.array(nulls([dt.datetime(2024, 1, 1, tzinfo=UTC)
                              + dt.timedelta(microseconds=i * 1_000_001) for i in ids]),
                       pa.timestamp("us", tz="UTC")),
        "ntz": pa.array(nulls([dt.datetime(1999, 12, 31, 23, 59, 59, i) for i in ids]),
                        pa.timestamp("us")),
        "st": pa.array(nulls([{"x": i, "y": None if i % 2 else f"y{i}"} for i in ids]),
                       pa.struct([("x", pa.int32()), ("y", pa.string())])),
        "lst": pa.array(nulls([[i, None, i * 2][: i % 4] for i in ids]),
                        pa.list_(pa.int64())),
        "mp": pa.array(nulls([[(f"k{i}", i), ("z", None)] for i in ids]),
                       pa.map_(pa.string(), pa.int32())),
        "deep": pa.array(nulls([[{"a": [1.5, None]}] if i % 2 else [] for i in ids]),
                         pa.list_(pa.struct([("a", pa.list_(pa.float64()))]))),
    })


def sort(table: pa.Table) -> pa.Table:
    return table.sort_by("id")


def test_every_type_round_trips(table_path):
    data = all_types()
    result = write_table_delta(data, table_path, options=DeltaWriteOptions(mode="error"))
    assert (result.version, result.rows_added, result.committed) == (0, data.num_rows, True)

    table = open_delta_table(table_path)
    assert table.schema == data.schema
    got = table.to_pyarrow_table()
    assert sort(got).equals(data), (sort(got).to_pylist(), data.to_pylist())
    assert table.num_records == data.num_rows

    # delta-rs reads the very rows; it gives nested columns its own field names, so the
    # values are compared as Python objects.
    theirs = sort(RsTable(str(table_path)).to_pyarrow_table())
    assert theirs.column_names == data.column_names
    for name in data.column_names:
        assert theirs[name].to_pylist() == data[name].to_pylist(), name


def test_all_null_columns_and_empty_tables(table_path):
    data = all_types(4)
    nulls = pa.table({name: pa.nulls(4, col.type) for name, col in
                      zip(data.column_names, data.columns)})
    write_table_delta(nulls, table_path)
    got = open_delta_table(table_path).to_pyarrow_table()
    assert got.equals(nulls)
    assert RsTable(str(table_path)).to_pyarrow_table().num_rows == 4

    empty_path = table_path.parent / "empty"
    result = write_table_delta(data.slice(0, 0), empty_path)
    assert result.rows_added == 0 and result.version == 0
    empty = open_delta_table(empty_path)
    assert empty.schema == data.schema
    assert empty.to_pyarrow_table().num_rows == 0


def test_large_and_view_types_come_back_as_their_delta_type(table_path):
    # Delta has one string, one binary and one array type: the large and view Arrow
    # types are written as those and read back as the plain Arrow types.
    data = pa.table({
        "ls": pa.array(["a", None, "ccc"], pa.large_string()),
        "lb": pa.array([b"\x00", b"", None], pa.large_binary()),
        "ll": pa.array([[1], None, [2, 3]], pa.large_list(pa.int32())),
        "sv": pa.array(["x", "y", None], pa.string_view()),
    })
    write_table_delta(data, table_path)
    got = open_delta_table(table_path).to_pyarrow_table()
    assert got.schema == pa.schema([("ls", pa.string()), ("lb", pa.binary()),
                                    ("ll", pa.list_(pa.int32())), ("sv", pa.string())])
    for name in data.column_names:
        assert got[name].to_pylist() == data[name].to_pylist(), name
    assert RsTable(str(table_path)).to_pyarrow_table()["ls"].to_pylist() == ["a", None, "ccc"]


def test_time_zones_are_read_back_as_utc(table_path):
    # Delta's timestamp is an instant: the zone is not stored, the instant is.
    instants = [dt.datetime(2024, 3, 31, 1, 30, tzinfo=UTC), None]
    data = pa.table({"t": pa.array(instants, pa.timestamp("us", tz="Europe/Paris"))})
    write_table_delta(data, table_path)
    got = open_delta_table(table_path).to_pyarrow_table()
    assert got.schema.field("t").type == pa.timestamp("us", tz="UTC")
    assert got["t"].to_pylist() == instants


def test_nanosecond_timestamps_are_refused_unless_coerced(table_path):
    data = pa.table({"id": [1, 2], "at": pa.array([1_000, 2_000], pa.timestamp("ns"))})
    with pytest.raises(UnsupportedFeature) as err:
        write_table_delta(data, table_path)
    assert "at" in str(err.value) and "timestamp[ns]" in str(err.value)
    assert "coerce_timestamps" in str(err.value)
    assert err.value.feature == "type:timestamp[ns]"
    assert not (table_path / "_delta_log").exists()

    result = write_table_delta(data, table_path,
                               options=DeltaWriteOptions(coerce_timestamps=True))
    assert result.rows_added == 2
    got = open_delta_table(table_path).to_pyarrow_table()
    assert got.schema.field("at").type == pa.timestamp("us")
    assert got["at"].to_pylist() == [dt.datetime(1970, 1, 1, 0, 0, 0, 1),
                                     dt.datetime(1970, 1, 1, 0, 0, 0, 2)]

    # A value that is not a whole microsecond cannot be coerced without loss.
    lossy = pa.table({"id": [3], "at": pa.array([1_500], pa.timestamp("ns"))})
    with pytest.raises(InvalidInput) as err:
        write_table_delta(lossy, table_path, options=DeltaWriteOptions(
            mode="append", coerce_timestamps=True))
    assert "'at'" in str(err.value) and "1500" in str(err.value)
    assert open_delta_table(table_path).version == 0


@pytest.mark.parametrize("arrow_type,delta_type", [
    (pa.uint8(), pa.int16()), (pa.uint16(), pa.int32()), (pa.uint32(), pa.int64()),
    (pa.uint64(), pa.int64()),
])
def test_unsigned_is_refused_unless_widened(tmp_path, arrow_type, delta_type):
    data = pa.table({"u": pa.array([0, 7, None], arrow_type)})
    with pytest.raises(UnsupportedFeature) as err:
        write_table_delta(data, tmp_path / "t")
    assert "'u'" in str(err.value)
    assert "DeltaWriteOptions(widen_unsigned=True)" in str(err.value)

    write_table_delta(data, tmp_path / "t", options=DeltaWriteOptions(widen_unsigned=True))
    got = open_delta_table(tmp_path / "t").to_pyarrow_table()
    assert got.schema.field("u").type == delta_type
    assert got["u"].to_pylist() == [0, 7, None]


def test_uint64_beyond_long_is_refused(tmp_path):
    data = pa.table({"u": pa.array([2**64 - 1], pa.uint64())})
    with pytest.raises(InvalidInput) as err:
        write_table_delta(data, tmp_path / "t", options=DeltaWriteOptions(widen_unsigned=True))
    assert "'u'" in str(err.value) and str(2**64 - 1) in str(err.value)
    assert not (tmp_path / "t" / "_delta_log").exists() or \
        not list((tmp_path / "t" / "_delta_log").glob("*.json"))


@pytest.mark.parametrize("column,hint", [
    (pa.array([1.5], pa.float16()), ""),
    (pa.array([1], pa.time64("us")), ""),
    (pa.array([1], pa.duration("s")), ""),
    (pa.array(["a", "b", "a"]).dictionary_encode(), "decode it"),
    (pa.nulls(2), "cast it to a concrete type"),
    (pa.array([86_400_000], pa.date64()), "cast it to date32"),
])
def test_types_without_a_delta_counterpart_are_refused(tmp_path, column, hint):
    with pytest.raises(UnsupportedFeature) as err:
        write_table_delta(pa.table({"odd": column}), tmp_path / "t")
    assert "column 'odd'" in str(err.value) and hint in str(err.value)
    assert err.value.feature.startswith("type:")
    assert not (tmp_path / "t" / "_delta_log").exists()


def test_polars_categoricals_are_refused_naming_the_column(tmp_path):
    import polars as pl

    df = pl.DataFrame({"c": ["a", "b"]}, schema={"c": pl.Categorical})
    with pytest.raises(UnsupportedFeature, match="column 'c'.*decode it"):
        write_table_delta(df, tmp_path / "t")
    write_table_delta(df.with_columns(pl.col("c").cast(pl.String)), tmp_path / "t")
    assert open_delta_table(tmp_path / "t").to_pyarrow_table()["c"].to_pylist() == ["a", "b"]


def test_wider_arrow_types_are_written_as_delta_types(table_path):
    data = pa.table({"d": pa.array([decimal.Decimal("1.25")], pa.decimal256(20, 2)),
                     "f": pa.array([b"ab"], pa.binary(2))})
    write_table_delta(data, table_path)
    got = open_delta_table(table_path).to_pyarrow_table()
    assert got.schema == pa.schema([("d", pa.decimal128(20, 2)), ("f", pa.binary())])
    assert got.to_pylist() == [{"d": decimal.Decimal("1.25"), "f": b"ab"}]


def test_appending_other_types_is_a_schema_mismatch(table_path):
    write_table_delta(pa.table({"id": pa.array([1], pa.int64())}), table_path)
    with pytest.raises(SchemaMismatch) as err:
        write_table_delta(pa.table({"id": pa.array(["x"])}), table_path,
                          options=DeltaWriteOptions(mode="append"))
    assert "id" in str(err.value)
    assert open_delta_table(table_path).version == 0


def test_many_batches_and_chunked_columns(table_path):
    base = pa.table({"id": pa.array(range(1000), pa.int64()),
                     "s": pc.cast(pa.array(range(1000)), pa.string())})
    chunked = pa.concat_tables([base.slice(i * 100, 100) for i in range(10)])
    assert chunked["id"].num_chunks == 10
    write_table_delta(chunked, table_path)
    got = open_delta_table(table_path).to_pyarrow_table()
    assert sort(got).equals(base)
