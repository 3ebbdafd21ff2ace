"""P3 child: open the latest version of a Delta table with delta-rs.

Called by `deltaline_bench_open run`. Times DeltaTable(uri) alone (imports are done
before the clock starts) and prints key=value lines. With --baseline it only imports
deltalake, so the caller can tell the interpreter's own footprint apart.
"""

import argparse
import time

from deltalake import DeltaTable


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("table")
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()
    if args.baseline:
        print("seconds=0\nversion=-1\nfiles=0")
        return
    start = time.perf_counter()
    table = DeltaTable(args.table)
    seconds = time.perf_counter() - start
    print(f"seconds={seconds:.6f}")
    print(f"version={table.version()}")
    print(f"files={len(table.file_uris())}")


if __name__ == "__main__":
    main()
