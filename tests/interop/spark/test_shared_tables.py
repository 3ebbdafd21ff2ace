"""Reader conformance, Spark side: the shared real tables delta-rs cannot read.

tests/interop/test_conformance.py compares deltaline with delta-rs on every table in
<repo>/../shared/delta-tables. delta-rs 1.6.6 refuses some reader features (deletion
vectors, v2 checkpoints, shredded variants), so for the tables listed there in
SPARK_ORACLE the oracle is Spark: at the latest version and at every version the log
can rebuild, deltaline reads exactly Spark's rows (ignoring order) and `describe`
counts Spark's files and rows. A table EXPECTED to be refused must still be refused by
that name, so the two files cannot drift apart.
"""

import json

import pyarrow as pa
import pytest

from conftest import assert_same_rows
from spark_support import spark, sql  # noqa: F401  (spark is a fixture)
from test_conformance import (EXPECTED, READ, SPARK_ORACLE, TABLES_DIR, _log_versions,
                              _rebuildable, _table_root)


def _cases() -> list:
    cases = []
    for name in sorted(SPARK_ORACLE):
        root = _table_root(TABLES_DIR / name)
        if not root.is_dir():
            continue
        cases.append(pytest.param(name, None, id=f"{name}@latest"))
        for version in _rebuildable(*_log_versions(root)):
            cases.append(pytest.param(name, version, id=f"{name}@v{version}"))
    return cases


def _spark_frame(spark, root, version):
    spark._jvm.org.apache.spark.sql.delta.DeltaLog.clearCache()
    reader = spark.read.format("delta")
    if version is not None:
        reader = reader.option("versionAsOf", version)
    return reader.load(str(root))


def _variant_columns(frame) -> list:
    return [f.name for f in frame.schema.fields if f.dataType.typeName() == "variant"]


def _spark_rows(frame) -> pa.Table:
    """Spark's rows; a VARIANT column as its JSON text (how deltaline renders it)."""
    variants = _variant_columns(frame)
    if variants:
        frame = frame.selectExpr(*[f"to_json(`{c}`) AS `{c}`" if c in variants else f"`{c}`"
                                   for c in frame.columns])
    return frame.toArrow()


def _deltaline_rows(deltaline, root, version, variants) -> pa.Table:
    extra = [] if version is None else ["--version", version]
    if not variants:
        return deltaline.read(root, *extra)
    # Variant values compare as JSON text: the jsonl output renders them so.
    out = deltaline.run("read", root, "--format", "jsonl", *extra).stdout.decode()
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    for record in records:
        for column in variants:
            if record.get(column) is not None:
                record[column] = json.dumps(record[column], separators=(",", ":"))
    return pa.Table.from_pylist(records)


@pytest.mark.parametrize("name,version", _cases())
def test_shared_table_reads_like_spark(deltaline, spark, name, version):
    root = _table_root(TABLES_DIR / name)
    expected = EXPECTED[name]
    extra = [] if version is None else ["--version", str(version)]
    if expected != READ:
        proc = deltaline.run("read", root, "--format", "ipc", *extra, check=False)
        assert proc.returncode == 1, proc.stderr
        assert f"UnsupportedFeature [{expected}]" in proc.stderr.decode(), proc.stderr
        return
    frame = _spark_frame(spark, root, version)
    theirs = _spark_rows(frame)
    ours = _deltaline_rows(deltaline, root, version, _variant_columns(frame))
    assert_same_rows(ours, theirs)

    described = deltaline.describe(root, *extra)
    detail = sql(spark, f"DESCRIBE DETAIL delta.`{root}`") if version is None else None
    if detail:
        assert described["numFiles"] == detail[0]["numFiles"]
    assert described["numRecords"] == theirs.num_rows
