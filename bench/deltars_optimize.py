"""Optimize bench child: compact a Delta table with delta-rs.

Called by deltaline_bench_optimize on an identical copy of the table deltaline
compacts. Times DeltaTable.optimize.compact(target_size=...) alone (the import and
the table load are not timed) and prints key=value lines: seconds, then the sizes of
the live files afterwards as sizes=<comma-separated bytes>.
"""

import argparse
import os
import sys
import time

import pyarrow as pa
from deltalake import DeltaTable


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--table", required=True)
    parser.add_argument("--target-size", type=int, required=True)
    args = parser.parse_args()
    table = DeltaTable(args.table)
    start = time.monotonic()
    table.optimize.compact(target_size=args.target_size)
    seconds = time.monotonic() - start
    table = DeltaTable(args.table)
    actions = pa.table(table.get_add_actions(flatten=True))  # arro3 -> pyarrow
    sizes = actions.column("size_bytes").to_pylist()
    print(f"seconds={seconds:.6f}")
    print("sizes=" + ",".join(str(size) for size in sizes))
    sys.stdout.flush()
    os._exit(0)  # deltalake may abort at interpreter shutdown (see deltars_reader.h)


if __name__ == "__main__":
    main()
