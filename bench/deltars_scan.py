"""Scan benchmark child: the same two queries as deltaline_bench_engine_scan, through
delta-rs' pyarrow dataset, scanned by pyarrow (both on all cores).

Prints key=value lines: the median seconds of each query over --repeat runs (after one
untimed warm-up run of each) and the results, so the caller can check both sides agree.
Each timed run opens the table (DeltaTable(path).to_pyarrow_dataset()), as the engine
side opens its snapshot.
"""

import argparse
import statistics
import time

import pyarrow.compute as pc
from deltalake import DeltaTable


def full_scan(path):
    return DeltaTable(path).to_pyarrow_dataset().to_table()


def filtered_aggregate(path, low):
    dataset = DeltaTable(path).to_pyarrow_dataset()
    rows = dataset.to_table(
        filter=(pc.field("id") >= low) & (pc.field("value") > 500000.0),
        columns=["bucket", "value"])
    return rows.group_by("bucket").aggregate([("value", "sum"), ("value", "count")])


def timed(fn, repeat):
    fn()  # warm-up: page cache and lazy imports
    times, cpus, result = [], [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(times), statistics.median(cpus), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("table")
    parser.add_argument("--low", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    seconds, cpu, table = timed(lambda: full_scan(args.table), args.repeat)
    print(f"full_seconds={seconds:.6f}")
    print(f"full_cpu_seconds={cpu:.6f}")
    print(f"full_rows={table.num_rows}")
    del table
    seconds, cpu, groups = timed(lambda: filtered_aggregate(args.table, args.low),
                                 args.repeat)
    print(f"agg_seconds={seconds:.6f}")
    print(f"agg_cpu_seconds={cpu:.6f}")
    print(f"agg_groups={groups.num_rows}")
    print(f"agg_count={pc.sum(groups['value_count']).as_py()}")
    print(f"agg_sum={pc.sum(groups['value_sum']).as_py():.6f}")


if __name__ == "__main__":
    main()
