"""P2 child: append the rows of an Arrow IPC file to a Delta table with delta-rs.

Called by deltaline_bench_write. The IPC file is read into memory first (not timed);
the table is created empty first (not timed), then one write_deltalake append is
timed, with the settings deltaline uses: zstd (default level), row groups of at most
1Mi rows, 1 MiB data pages, 128 MiB target files. Prints key=value lines.
"""

import argparse
import resource
import shutil
import time

import pyarrow as pa
import pyarrow.ipc as ipc
from deltalake import WriterProperties, write_deltalake


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ipc", required=True)
    parser.add_argument("--table", required=True)
    args = parser.parse_args()

    with pa.OSFile(args.ipc, "rb") as source:
        data = ipc.open_file(source).read_all()
    shutil.rmtree(args.table, ignore_errors=True)
    write_deltalake(args.table, data.schema.empty_table())

    properties = WriterProperties(compression="ZSTD", max_row_group_size=1 << 20,
                                  data_page_size_limit=1 << 20)
    cpu0 = cpu_seconds()
    start = time.perf_counter()
    write_deltalake(args.table, data, mode="append", writer_properties=properties,
                    target_file_size=128 << 20)
    seconds = time.perf_counter() - start
    print(f"seconds={seconds:.6f}")
    print(f"cpu_seconds={cpu_seconds() - cpu0:.6f}")
    print(f"rows={data.num_rows}")


if __name__ == "__main__":
    main()
