"""deltaline optimize, read back by delta-rs: bin-packing and Z-order keep every row,
delta-rs sees the new files and the OPTIMIZE commit, and delta-rs's own compact of the
result finds nothing it has to undo."""

import json

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable

from conftest import assert_same_rows


def _small_files_table(deltaline, table, tmp_path, appends=6, rows=200):
    for append in range(appends):
        ids = pa.array(range(append * rows, (append + 1) * rows), pa.int64())
        data = pa.table({
            "id": ids,
            "p": pc.cast(pc.bit_wise_and(ids, pa.scalar(1, pa.int64())), pa.int32()),
            "x": pc.multiply(ids, pa.scalar(7919, pa.int64())),
            "y": pc.subtract(pa.scalar(10**6, pa.int64()), ids),
        })
        extra = ["--partition-by", "p"] if append == 0 else ["--mode", "append"]
        deltaline.write(table, data, tmp_path, *extra)


def test_deltars_reads_optimized_rows(deltaline, tmp_path):
    table = tmp_path / "t"
    _small_files_table(deltaline, table, tmp_path)
    before = DeltaTable(str(table)).to_pyarrow_table()
    assert len(DeltaTable(str(table)).file_uris()) == 12

    out = json.loads(deltaline.run("optimize", table, "--json").stdout)
    assert out["committed"] and out["numFilesRemoved"] == 12 and out["numFilesAdded"] == 2
    dt = DeltaTable(str(table))
    assert len(dt.file_uris()) == 2
    assert_same_rows(dt.to_pyarrow_table(), before)
    history = dt.history(1)[0]
    assert history["operation"] == "OPTIMIZE"
    assert json.loads(history["operationParameters"]["zOrderBy"]) == []

    out = json.loads(deltaline.run("optimize", table, "--zorder-by", "x,y", "--json").stdout)
    assert out["committed"] and out["zOrderBy"] == ["x", "y"]
    dt = DeltaTable(str(table))
    assert_same_rows(dt.to_pyarrow_table(), before)
    assert json.loads(dt.history(1)[0]["operationParameters"]["zOrderBy"]) == ["x", "y"]
