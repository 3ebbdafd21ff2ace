"""P3-v2 table builder: a table whose state lives in a checkpoint of N files, in one of
three layouts, for `deltaline_bench_open run` (deltaline vs delta-rs open time/RSS):

  v2       UUID-named JSON top-level checkpoint + Parquet sidecars under
           _delta_log/_sidecars/ (50 000 adds per sidecar, Spark's default partSize),
           and a `_last_checkpoint` whose v2Checkpoint field embeds them, as Spark
           writes it
  classic  the same N adds in one classic `n.checkpoint.parquet`

    python make_v2_checkpoint_table.py TABLE --files 100000 --layout v2

Version 1 is the checkpoint (commit 0 is cleaned up, as after log cleanup), version 2
appends one more file. Data files are not written: opening a snapshot does not read
them. A table that already matches is kept.
"""

import argparse
import json
import pathlib
import shutil
import uuid

import pyarrow as pa
import pyarrow.parquet as pq

PER_SIDECAR = 50_000
SCHEMA = json.dumps({"type": "struct", "fields": [
    {"name": "id", "type": "long", "nullable": True, "metadata": {}},
    {"name": "value", "type": "double", "nullable": True, "metadata": {}},
    {"name": "name", "type": "string", "nullable": True, "metadata": {}}]})
PROTOCOL = {"minReaderVersion": 3, "minWriterVersion": 7,
            "readerFeatures": ["v2Checkpoint"], "writerFeatures": ["v2Checkpoint"]}
METADATA = {"id": "5fba94ed-9794-4965-ba6e-6ee3c0d22af9",
            "format": {"provider": "parquet", "options": {}}, "schemaString": SCHEMA,
            "partitionColumns": [], "createdTime": 1700000000000,
            "configuration": {"delta.checkpointPolicy": "v2"}}

STR_MAP = pa.map_(pa.string(), pa.string())
DV = pa.struct([("storageType", pa.string()), ("pathOrInlineDv", pa.string()),
                ("offset", pa.int32()), ("sizeInBytes", pa.int32()),
                ("cardinality", pa.int64())])
ADD = pa.struct([("path", pa.string()), ("partitionValues", STR_MAP), ("size", pa.int64()),
                 ("modificationTime", pa.int64()), ("dataChange", pa.bool_()),
                 ("tags", STR_MAP), ("deletionVector", DV), ("stats", pa.string())])
REMOVE = pa.struct([("path", pa.string()), ("deletionTimestamp", pa.int64()),
                    ("dataChange", pa.bool_())])
PROTOCOL_T = pa.struct([("minReaderVersion", pa.int32()), ("minWriterVersion", pa.int32()),
                        ("readerFeatures", pa.list_(pa.string())),
                        ("writerFeatures", pa.list_(pa.string()))])
METADATA_T = pa.struct([("id", pa.string()),
                        ("format", pa.struct([("provider", pa.string()),
                                              ("options", STR_MAP)])),
                        ("schemaString", pa.string()),
                        ("partitionColumns", pa.list_(pa.string())),
                        ("configuration", STR_MAP), ("createdTime", pa.int64())])


def file_name(i: int) -> str:
    return f"part-00000-{i:08x}-0000-4000-8000-{i:012x}-c000.zstd.parquet"


def add_row(i: int) -> dict:
    stats = json.dumps({"numRecords": 1000,
                        "minValues": {"id": i * 1000, "value": 0.01, "name": "aaaa"},
                        "maxValues": {"id": i * 1000 + 999, "value": 999.9, "name": "zzzz"},
                        "nullCount": {"id": 0, "value": 0, "name": 0}})
    return {"path": file_name(i), "partitionValues": [], "size": (1 << 20) + i,
            "modificationTime": 1700000000000 + i, "dataChange": False, "tags": None,
            "deletionVector": None, "stats": stats}


def file_actions(start: int, end: int) -> pa.Table:
    adds = pa.array([add_row(i) for i in range(start, end)], type=ADD)
    removes = pa.nulls(len(adds), type=REMOVE)
    return pa.table({"add": adds, "remove": removes})


def commit(log: pathlib.Path, version: int, actions: list) -> None:
    (log / f"{version:020d}.json").write_text("".join(json.dumps(a) + "\n" for a in actions))


def build_v2(log: pathlib.Path, files: int) -> None:
    sidecars = []
    (log / "_sidecars").mkdir()
    for start in range(0, files, PER_SIDECAR):
        name = f"{1:020d}.checkpoint.{uuid.uuid4()}.parquet"
        path = log / "_sidecars" / name
        pq.write_table(file_actions(start, min(files, start + PER_SIDECAR)), path)
        sidecars.append({"path": name, "sizeInBytes": path.stat().st_size,
                         "modificationTime": int(path.stat().st_mtime * 1000), "tags": {}})
    checkpoint_metadata = {"checkpointMetadata": {"version": 1, "tags": {
        "numOfAddFiles": str(files), "sidecarNumActions": str(files)}}}
    non_file = [{"protocol": PROTOCOL}, {"metaData": METADATA}]
    top = log / f"{1:020d}.checkpoint.{uuid.uuid4()}.json"
    top.write_text("".join(json.dumps(a) + "\n" for a in
                           [checkpoint_metadata] + non_file +
                           [{"sidecar": s} for s in sidecars]))
    (log / "_last_checkpoint").write_text(json.dumps({
        "version": 1, "size": files + 3, "sizeInBytes": top.stat().st_size,
        "numOfAddFiles": files,
        "v2Checkpoint": {"path": top.name, "sizeInBytes": top.stat().st_size,
                         "modificationTime": int(top.stat().st_mtime * 1000),
                         "nonFileActions": non_file + [checkpoint_metadata],
                         "sidecarFiles": sidecars}}))


def build_classic(log: pathlib.Path, files: int) -> None:
    body = file_actions(0, files)
    n = body.num_rows
    meta = dict(METADATA, format={"provider": "parquet", "options": []},
                configuration=[(k, v) for k, v in METADATA["configuration"].items()])
    head = pa.table({"add": pa.nulls(2, ADD), "remove": pa.nulls(2, REMOVE),
                     "protocol": pa.array([PROTOCOL, None], PROTOCOL_T),
                     "metaData": pa.array([None, meta], METADATA_T)})
    body = body.append_column("protocol", pa.nulls(n, PROTOCOL_T))
    body = body.append_column("metaData", pa.nulls(n, METADATA_T))
    path = log / f"{1:020d}.checkpoint.parquet"
    pq.write_table(pa.concat_tables([head, body]), path)
    (log / "_last_checkpoint").write_text(json.dumps({
        "version": 1, "size": files + 2, "sizeInBytes": path.stat().st_size,
        "numOfAddFiles": files}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("table")
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--layout", choices=["v2", "classic"], default="v2")
    args = parser.parse_args()
    table = pathlib.Path(args.table)
    stamp = table / ".bench-spec"
    spec = f"{args.layout} {args.files}"
    if stamp.exists() and stamp.read_text() == spec:
        print(f"reusing {table} ({spec})")
        return
    shutil.rmtree(table, ignore_errors=True)
    log = table / "_delta_log"
    log.mkdir(parents=True)
    (build_v2 if args.layout == "v2" else build_classic)(log, args.files)
    commit(log, 1, [{"commitInfo": {"timestamp": 1700000000000, "operation": "WRITE"}}])
    extra = add_row(args.files)
    extra["dataChange"] = True
    extra.pop("tags"), extra.pop("deletionVector")
    extra["partitionValues"] = {}
    commit(log, 2, [{"commitInfo": {"timestamp": 1700000001000, "operation": "WRITE"}},
                    {"add": extra}])
    stamp.write_text(spec)
    print(f"built {table} ({spec})")


if __name__ == "__main__":
    main()
