"""Reader conformance, Spark side: the shared real tables delta-rs cannot read.

tests/interop/test_conformance.py compares deltaline with delta-rs on every table in
<repo>/../shared/delta-tables. delta-rs 1.6.6 refuses some reader features (deletion
vectors, v2 checkpoints, shredded variants), so for the tables listed there in
SPARK_ORACLE the oracle is Spark: at the latest version and at every version the log
can rebuild, deltaline reads exactly Spark's rows (ignoring order) and `describe`
counts Spark's files and rows. Variant values
(at any depth) compare as the JSON they hold. A table EXPECTED to be refused must still be refused by
that name, so the two files cannot drift apart.
"""

import json

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


def _has_variant(frame) -> bool:
    return "variant" in frame.schema.simpleString()


def _spark_json_rows(frame) -> list:
    """Spark's rows as JSON values (variants, also nested ones, as the JSON they hold)."""
    text = frame.selectExpr("to_json(struct(*), map('ignoreNullFields', 'false'))")
    return sorted(json.dumps(json.loads(r[0]), sort_keys=True) for r in text.collect())


def _from_jsonl(value, delta_type):
    """deltaline's jsonl value as Spark's to_json shows it: a variant's JSON text parsed,
    a map's key/value pairs as an object."""
    if value is None:
        return None
    if delta_type == "variant":
        return json.loads(value)
    if isinstance(delta_type, dict):
        kind = delta_type["type"]
        if kind == "struct":
            return {f["name"]: _from_jsonl(value.get(f["name"]), f["type"])
                    for f in delta_type["fields"]}
        if kind == "array":
            return [_from_jsonl(v, delta_type["elementType"]) for v in value]
        if kind == "map":
            return {kv["key"]: _from_jsonl(kv["value"], delta_type["valueType"])
                    for kv in value}
    return value


def _deltaline_json_rows(deltaline, root, extra) -> list:
    schema = deltaline.describe(root, *extra)["schema"]
    out = deltaline.run("read", root, "--format", "jsonl", *extra).stdout.decode()
    rows = []
    for line in out.splitlines():
        if line.strip():
            record = _from_jsonl(json.loads(line), schema)
            rows.append(json.dumps(record, sort_keys=True))
    return sorted(rows)


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
    if _has_variant(frame):
        # Variants (at any depth) compare as the JSON they hold: the jsonl output shows
        # each as JSON text, Spark's to_json embeds it.
        theirs_json = _spark_json_rows(frame)
        assert _deltaline_json_rows(deltaline, root, extra) == theirs_json
        num_rows = len(theirs_json)
    else:
        assert_same_rows(deltaline.read(root, *extra), frame.toArrow())
        num_rows = frame.count()

    described = deltaline.describe(root, *extra)
    detail = sql(spark, f"DESCRIBE DETAIL delta.`{root}`") if version is None else None
    if detail:
        assert described["numFiles"] == detail[0]["numFiles"]
    assert described["numRecords"] == num_rows
