"""Writing a 2 GB generated stream from Python keeps the process's peak RSS under
512 MB: the rows are pulled batch by batch through the Arrow C stream and written out
as they come. Measured in a child process of its own, so the test runner's memory does
not count."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from deltaline import open_delta_table

TOTAL_BYTES = 2 * 1024**3
LIMIT_BYTES = 512 * 1024**2

CHILD = textwrap.dedent("""
    import json, resource, sys
    import pyarrow as pa
    import pyarrow.compute as pc
    import deltaline

    path, total = sys.argv[1], int(sys.argv[2])
    rows = 64 * 1024
    ids = pa.array(range(rows), pa.int64())
    # A few base batches, varied per batch with cheap compute: generation is not the
    # cost being measured, and the data is not so repetitive that it encodes to nothing.
    bases = []
    for seed in range(4):
        floats = pc.random(rows, initializer=seed)
        words = pc.binary_join_element_wise(
            pc.cast(pc.multiply(ids, seed + 7), pa.string()), "payload-",
            pc.cast(pc.cast(pc.multiply(floats, 1e9), pa.int64(), safe=False), pa.string()), "/")
        bases.append((floats, words))
    schema = pa.schema([("id", pa.int64()), ("x", pa.float64()), ("s", pa.string()),
                        ("k", pa.int32())])
    produced = {"bytes": 0, "rows": 0, "batches": 0}

    def batches():
        n = 0
        while produced["bytes"] < total:
            floats, words = bases[n % len(bases)]
            batch = pa.record_batch([
                pc.add(ids, n * rows), pc.add(floats, n), words,
                pa.array([n % 1000] * 1, pa.int32()).take(pa.array([0] * rows))],
                schema=schema)
            produced["bytes"] += batch.nbytes
            produced["rows"] += batch.num_rows
            produced["batches"] += 1
            n += 1
            yield batch

    reader = pa.RecordBatchReader.from_batches(schema, batches())
    result = deltaline.write_dataset_delta(reader, path, options=deltaline.DeltaWriteOptions(
        mode="error", writer_properties=deltaline.WriterProperties(compression="lz4")))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_bytes": peak_kb * 1024, "rows_added": result.rows_added,
                      "files_added": result.files_added, "bytes_added": result.bytes_added,
                      "version": result.version, **produced}))
""")


def test_two_gigabyte_stream_stays_under_512_mb(tmp_path):
    path = tmp_path / "big"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    child = subprocess.run([sys.executable, "-c", CHILD, str(path), str(TOTAL_BYTES)],
                           capture_output=True, text=True, env=env, timeout=600)
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout.strip().splitlines()[-1])
    print(report)
    assert report["bytes"] >= TOTAL_BYTES
    assert report["rows_added"] == report["rows"]
    assert report["version"] == 0 and report["files_added"] >= 1
    assert report["peak_bytes"] < LIMIT_BYTES, report
    # The count from the table's own statistics, without reading 2 GB back.
    assert open_delta_table(path).num_records == report["rows"]
