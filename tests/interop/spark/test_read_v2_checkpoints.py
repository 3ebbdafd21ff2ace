"""deltaline reads tables whose checkpoints Spark writes as V2 checkpoints
(`delta.checkpointPolicy=v2`): a UUID-named top-level file (JSON or Parquet) that
names sidecar files under `_delta_log/_sidecars/`. Rows must equal Spark's at the
latest and earlier versions, also once the commits before the checkpoint are gone
and only the checkpoint can rebuild the state."""

import json
import re

import pytest

from spark_support import (assert_same_as_spark, drop_commits_before, ident, log_dir,
                           spark, spark_read, sql)  # noqa: F401 (spark is a fixture)
from conftest import assert_same_rows

_UUID_CHECKPOINT = r"(\d{20})\.checkpoint\.[0-9a-f-]{36}\.(json|parquet)"

# Session settings the tests change, restored afterwards so that other test files see
# Spark's defaults: the top-level file's format, and partSize=1, which puts every
# file action in a sidecar of its own.
_FORMAT = "spark.databricks.delta.checkpointV2.topLevelFileFormat"
_PART_SIZE = "spark.databricks.delta.checkpoint.partSize"


@pytest.fixture
def v2_conf(spark):
    saved = {key: spark.conf.get(key, None) for key in (_FORMAT, _PART_SIZE)}

    def set_format(top_level):
        spark.conf.set(_FORMAT, top_level)
        spark.conf.set(_PART_SIZE, "1")

    yield set_format
    for key, value in saved.items():
        if value is None:
            spark.conf.unset(key)
        else:
            spark.conf.set(key, value)


def _uuid_checkpoints(table) -> dict:
    """version -> top-level file names of the UUID-named checkpoints."""
    out = {}
    for path in log_dir(table).iterdir():
        match = re.fullmatch(_UUID_CHECKPOINT, path.name)
        if match:
            out.setdefault(int(match.group(1)), []).append(path.name)
    return out


def _build(spark, table):
    """v0 create, v1..v5: inserts and a delete; checkpoints at 2 and 4."""
    sql(spark, f"CREATE TABLE {ident(table)} (id INT, s STRING) USING delta TBLPROPERTIES "
               "('delta.checkpointPolicy' = 'v2', 'delta.checkpointInterval' = '2')")
    sql(spark, f"INSERT INTO {ident(table)} VALUES (1, 'a'), (2, 'b')")
    sql(spark, f"INSERT INTO {ident(table)} VALUES (3, 'c')")
    sql(spark, f"DELETE FROM {ident(table)} WHERE id = 1")
    sql(spark, f"INSERT INTO {ident(table)} VALUES (4, 'd'), (5, NULL)")
    sql(spark, f"INSERT INTO {ident(table)} VALUES (6, 'f')")


@pytest.mark.parametrize("top_level", ["json", "parquet"])
def test_reads_v2_checkpoints_with_sidecars(deltaline, spark, v2_conf, tmp_path, top_level):
    v2_conf(top_level)
    table = tmp_path / "t"
    _build(spark, table)
    checkpoints = _uuid_checkpoints(table)
    assert sorted(checkpoints) == [2, 4], checkpoints
    assert all(name.endswith("." + top_level) for names in checkpoints.values()
               for name in names), checkpoints
    sidecars = list((log_dir(table) / "_sidecars").glob("*.parquet"))
    assert len(sidecars) >= 4, sidecars  # partSize=1: one per file action
    hint = json.loads((log_dir(table) / "_last_checkpoint").read_text())
    assert hint["version"] == 4 and "v2Checkpoint" in hint, hint

    for version in [None, 1, 2, 3, 4, 5]:
        assert_same_as_spark(deltaline, spark, table, version)
    described = json.loads(deltaline.run("describe", table, "--json").stdout)
    assert described["version"] == 5

    # Only the checkpoint of version 4 can rebuild 4 and 5 now.
    expected = {v: spark_read(spark, table, v) for v in (4, 5)}
    drop_commits_before(table, 5)
    assert_same_rows(deltaline.read(table), expected[5])
    assert_same_rows(deltaline.read(table, "--version", 4), expected[4])
    assert_same_as_spark(deltaline, spark, table)
    proc = deltaline.run("read", table, "--version", "3", check=False)
    assert proc.returncode == 1
    assert b"VersionNotFound" in proc.stderr, proc.stderr

    # Without _last_checkpoint the listing finds the same checkpoint.
    (log_dir(table) / "_last_checkpoint").unlink()
    assert_same_rows(deltaline.read(table), expected[5])


def test_v2_checkpoint_hint_refused_writes_and_missing_sidecar(deltaline, spark, v2_conf, tmp_path):
    v2_conf("json")
    table = tmp_path / "t"
    _build(spark, table)
    latest = spark_read(spark, table)
    [top_level] = _uuid_checkpoints(table)[4]
    hint = json.loads((log_dir(table) / "_last_checkpoint").read_text())["v2Checkpoint"]
    assert hint["path"] == top_level and hint.get("sidecarFiles"), hint

    # Spark's _last_checkpoint embeds the top-level file's actions and sidecars: with
    # the top-level file torn, deltaline still rebuilds the state from the hint.
    path = log_dir(table) / top_level
    original = path.read_bytes()
    path.write_bytes(b"torn")
    assert_same_rows(deltaline.read(table), latest)
    path.write_bytes(original)

    # deltaline writes neither V2 checkpoints nor commits to such a table: refused by
    # name, and the log is left as it was.
    before = sorted(p.name for p in log_dir(table).iterdir())
    for args in (["checkpoint", table], ["delete", table, "--predicate", "id = 2"]):
        proc = deltaline.run(*args, check=False)
        stderr = proc.stderr.decode()
        assert proc.returncode == 1, stderr
        assert stderr.startswith("deltaline: error: UnsupportedFeature [v2Checkpoint]"), stderr
    assert sorted(p.name for p in log_dir(table).iterdir()) == before

    # A sidecar that is gone is a typed protocol error naming it, never fewer rows.
    sidecar = log_dir(table) / "_sidecars" / hint["sidecarFiles"][0]["path"]
    sidecar.unlink()
    proc = deltaline.run("read", table, "--format", "ipc", check=False)
    stderr = proc.stderr.decode()
    assert proc.returncode == 1 and proc.stdout == b"", stderr
    assert stderr.startswith("deltaline: error: ProtocolError"), stderr
    assert sidecar.name in stderr, stderr
