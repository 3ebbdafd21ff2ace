"""The Spark session and helpers every Spark interop test shares (tests/interop/spark/).

One local Spark session with Delta (pyspark from the venv, the delta-spark jars from
Maven Central, fetched by scripts/fetch-spark-jars.sh) serves the whole pytest run:
starting the JVM is most of the cost. A test module imports the `spark` fixture and
the helpers it uses from here:

    from spark_support import spark, sql, ident, assert_same_as_spark
"""

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pyarrow as pa
import pytest

from conftest import assert_same_rows

_SOURCE_DIR = pathlib.Path(__file__).resolve().parents[3]
_FETCH_JARS = _SOURCE_DIR / "scripts" / "fetch-spark-jars.sh"


def _jar_dir() -> pathlib.Path:
    """The jars live beside the venv that runs the tests (bootstrap fetches them)."""
    env = os.environ.get("DELTALINE_SPARK_JARS")
    return pathlib.Path(env) if env else pathlib.Path(sys.prefix) / "spark-jars"


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """One local Spark session with Delta, for the whole test run."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.fail("Spark interop needs Java 17+ (java on PATH or JAVA_HOME)")
    jar_dir = _jar_dir()
    fetched = subprocess.run(["bash", str(_FETCH_JARS), str(jar_dir)], capture_output=True,
                             text=True)
    if fetched.returncode != 0:
        pytest.fail(f"scripts/fetch-spark-jars.sh failed:\n{fetched.stderr}")
    jars = fetched.stdout.split()

    from pyspark.sql import SparkSession

    # The driver and its py4j gateway stay on loopback.
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"

    scratch = tmp_path_factory.mktemp("spark")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("deltaline-interop")
        .config("spark.jars", ",".join(jars))
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.driver.memory", "1g")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        # Startup and tiny jobs dominate: C1 only, serial GC, no whole-stage codegen.
        .config("spark.driver.extraJavaOptions", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.databricks.delta.snapshotPartitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.local.dir", str(scratch / "local"))
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def spark_read(spark, table, version=None) -> pa.Table:
    """Spark's rows of `table` (at `version`), from a fresh DeltaLog: no cached state."""
    spark._jvm.org.apache.spark.sql.delta.DeltaLog.clearCache()
    reader = spark.read.format("delta")
    if version is not None:
        reader = reader.option("versionAsOf", version)
    return reader.load(str(table)).toArrow()


def sql(spark, statement: str):
    return spark.sql(statement).collect()


def ident(table) -> str:
    return f"delta.`{table}`"


def assert_same_as_spark(deltaline, spark, table, version=None) -> pa.Table:
    """deltaline reads the rows Spark reads, at `version` (default latest)."""
    extra = [] if version is None else ["--version", version]
    ours = deltaline.read(table, *extra)
    theirs = spark_read(spark, table, version)
    assert_same_rows(ours, theirs)
    return ours


_REFUSAL = re.compile(r"^deltaline: error: UnsupportedFeature \[([^\]]+)\]: .+")


def assert_refused(deltaline, table, feature, *extra) -> None:
    """`deltaline read` fails cleanly with a typed refusal that names `feature`."""
    proc = deltaline.run("read", table, "--format", "ipc", *extra, check=False)
    stderr = proc.stderr.decode(errors="replace").strip()
    assert proc.returncode == 1, f"exit {proc.returncode}: {stderr}"
    assert proc.stdout == b"", "a refused read must not print rows"
    match = _REFUSAL.match(stderr)
    assert match, stderr
    assert match.group(1) == feature, stderr


def log_dir(table) -> pathlib.Path:
    return pathlib.Path(table) / "_delta_log"


def commit_versions(table) -> list:
    return sorted(int(p.name.split(".")[0]) for p in log_dir(table).glob("*.json"))


def checkpoint_files(table) -> list:
    return sorted(p.name for p in log_dir(table).glob("*.checkpoint*.parquet"))


def drop_commits_before(table, version) -> None:
    """Deletes the commits (and Spark's version checksums) before `version`."""
    for path in log_dir(table).iterdir():
        match = re.fullmatch(r"(\d{20})\.(json|crc)", path.name)
        if match and int(match.group(1)) < version:
            path.unlink()


def protocol_of(table) -> dict:
    """The newest protocol action in the commit files (works where deltaline refuses)."""
    protocol = None
    for path in sorted(log_dir(table).glob("*.json")):
        for line in path.read_text().splitlines():
            action = json.loads(line) if line.strip() else {}
            protocol = action.get("protocol", protocol)
    return protocol
