"""PY: the Python bindings vs delta-rs, from Python, in one run (issue 15).

  write  deltaline.write_table_delta vs deltalake.write_deltalake on the same pyarrow
         table (--rows, 10M), same settings: zstd, row groups of at most 1 Mi rows,
         1 MiB pages, 128 MiB target files;
  read   deltaline.open_delta_table(p).to_pyarrow_table() vs
         deltalake.DeltaTable(p).to_pyarrow_table() on one table of about --read-mb
         (1024) MiB in Arrow, written once by deltaline (not timed).

Each measurement runs in a fresh child process (the data is made there, untimed), so
its peak RSS (ru_maxrss) is its own: for a write it includes the input table. Prints
best and median wall and CPU seconds of --repeat runs and the ratios deltaline /
delta-rs (below 1: deltaline is faster). `--quick` is a smoke run (200k rows, 64 MiB).

    python bench/python_bench.py [--rows 10M] [--read-mb 1024] [--repeat 3] [--dir D]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROW_GROUP = 1 << 20
PAGE = 1 << 20
TARGET_FILE = 128 << 20


def parse_count(text: str) -> int:
    text = text.strip().upper()
    scale = {"K": 10**3, "M": 10**6, "G": 10**9}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def make_table(rows: int):
    """rows rows of int64, float64, a short string and an int32 key (about 40 bytes a
    row in Arrow), made with pyarrow.compute (no numpy here)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chunk = min(rows, 1 << 20)
    ids = pa.array(range(chunk), pa.int64())
    floats = pc.random(chunk, initializer=42)
    words = pc.binary_join_element_wise(
        "item-", pc.cast(pc.cast(pc.multiply(floats, 1e6), pa.int64(), safe=False), pa.string()), "")
    keys = pc.cast(pc.bit_wise_and(ids, 1023), pa.int32())
    batches, done = [], 0
    while done < rows:
        n = min(chunk, rows - done)
        batches.append(pa.record_batch(
            [pc.add(ids.slice(0, n), done), pc.add(floats.slice(0, n), done % 7),
             words.slice(0, n), keys.slice(0, n)], names=["id", "x", "s", "k"]))
        done += n
    return pa.Table.from_batches(batches)


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(args) -> None:
    """One timed operation in this process; prints one JSON line."""
    out: dict = {}
    if args.child in ("write-deltaline", "write-deltars", "make-read-table"):
        table = make_table(args.rows)
        out["arrow_bytes"] = table.nbytes
        shutil.rmtree(args.table, ignore_errors=True)
        cpu0, start = cpu(), time.perf_counter()
        if args.child == "write-deltars":
            from deltalake import WriterProperties, write_deltalake
            write_deltalake(args.table, table, mode="append", target_file_size=TARGET_FILE,
                            writer_properties=WriterProperties(
                                compression="ZSTD", max_row_group_size=ROW_GROUP,
                                data_page_size_limit=PAGE))
        else:
            import deltaline
            deltaline.write_table_delta(table, args.table, options=deltaline.DeltaWriteOptions(
                mode="append", target_file_size=TARGET_FILE,
                writer_properties=deltaline.WriterProperties(
                    compression="zstd", max_rows_per_row_group=ROW_GROUP,
                    data_page_size=PAGE)))
    else:
        cpu0, start = cpu(), time.perf_counter()
        if args.child == "read-deltars":
            from deltalake import DeltaTable
            table = DeltaTable(args.table).to_pyarrow_table()
        else:
            import deltaline
            table = deltaline.open_delta_table(args.table).to_pyarrow_table()
        out["rows_read"] = table.num_rows
        out["arrow_bytes"] = table.nbytes
    out["seconds"] = time.perf_counter() - start
    out["cpu_seconds"] = cpu() - cpu0
    out["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    out["files_bytes"] = sum(
        os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(args.table)
        for f in fs if f.endswith(".parquet"))
    print(json.dumps(out))


def run_child(kind: str, table: str, rows: int) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, "--table", table,
                           "--rows", str(rows)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"bench: {kind} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def summary(label: str, runs: list[dict]) -> str:
    wall = [r["seconds"] for r in runs]
    cpus = [r["cpu_seconds"] for r in runs]
    return (f"  {label:<44} best {min(wall):7.3f} s  median {statistics.median(wall):7.3f} s"
            f"  cpu {statistics.median(cpus):7.3f} s  peak RSS "
            f"{max(r['peak_rss'] for r in runs) / 2**20:7.0f} MiB"
            f"  files {runs[0]['files_bytes'] / 2**20:7.1f} MiB")


def ratios(name: str, ours: list[dict], theirs: list[dict]) -> str:
    def med(runs, key):
        return statistics.median(r[key] for r in runs)
    best = min(r["seconds"] for r in ours) / min(r["seconds"] for r in theirs)
    return (f"PY {name} ratio deltaline / delta-rs: wall best {best:.3f}, wall median "
            f"{med(ours, 'seconds') / med(theirs, 'seconds'):.3f}, cpu median "
            f"{med(ours, 'cpu_seconds') / med(theirs, 'cpu_seconds'):.3f}, peak RSS "
            f"{max(r['peak_rss'] for r in ours) / max(r['peak_rss'] for r in theirs):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="10M", help="rows of the write table (10M)")
    parser.add_argument("--read-mb", type=int, default=1024,
                        help="Arrow size of the read table in MiB (1024)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="smoke run: 200k rows, 64 MiB")
    parser.add_argument("--dir", default=None, help="work directory (a temporary one)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--table", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.rows = parse_count(args.rows)
        child(args)
        return
    rows = 200_000 if args.quick else parse_count(args.rows)
    read_mb = 64 if args.quick else args.read_mb
    repeat = 1 if args.quick else args.repeat
    work = args.dir or tempfile.mkdtemp(prefix="deltaline-pybench-")
    os.makedirs(work, exist_ok=True)

    ours, theirs = [], []
    for rep in range(repeat):
        ours.append(run_child("write-deltaline", f"{work}/w-deltaline", rows))
        theirs.append(run_child("write-deltars", f"{work}/w-deltars", rows))
        print(f"  run {rep + 1}: write deltaline {ours[-1]['seconds']:.3f} s, delta-rs "
              f"{theirs[-1]['seconds']:.3f} s", file=sys.stderr)
    print(f"PY write: {rows} rows, {ours[0]['arrow_bytes'] / 2**20:.1f} MiB in Arrow, "
          f"{repeat} run(s) each")
    print(summary("deltaline write_table_delta", ours))
    print(summary("delta-rs write_deltalake", theirs))
    print(ratios("write", ours, theirs))

    # About 40 bytes a row in Arrow: size the read table from one measured write.
    per_row = ours[0]["arrow_bytes"] / rows
    read_rows = int(read_mb * 2**20 / per_row)
    read_table = f"{work}/r-{read_rows}"
    made = run_child("make-read-table", read_table, read_rows)
    ours, theirs = [], []
    for rep in range(repeat):
        ours.append(run_child("read-deltaline", read_table, 0))
        theirs.append(run_child("read-deltars", read_table, 0))
        assert ours[-1]["rows_read"] == theirs[-1]["rows_read"] == read_rows
        print(f"  run {rep + 1}: read deltaline {ours[-1]['seconds']:.3f} s, delta-rs "
              f"{theirs[-1]['seconds']:.3f} s", file=sys.stderr)
    print(f"PY read: {read_rows} rows, {made['arrow_bytes'] / 2**20:.0f} MiB in Arrow, "
          f"{made['files_bytes'] / 2**20:.0f} MiB of Parquet, {repeat} run(s) each")
    print(summary("deltaline open_delta_table().to_pyarrow_table", ours))
    print(summary("delta-rs DeltaTable().to_pyarrow_table", theirs))
    print(ratios("read", ours, theirs))
    loads = os.getloadavg()
    print(f"load average at the end: {loads[0]:.2f} {loads[1]:.2f} {loads[2]:.2f} "
          f"({os.cpu_count()} cores)")
    if not args.dir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
