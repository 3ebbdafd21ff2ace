#!/usr/bin/env bash
# Runs the deltaline benchmarks (make bench): scripts/bench.sh [BUILD_DIR]
#   P1  delta::WriteBatches vs bare parquet::arrow::FileWriter (same data, same files)
#   P2  the same append through delta-rs write_deltalake
#   P3  opening the latest snapshot of a 10 000-commit table vs delta-rs, fresh processes
#   P3-v2 opening a table whose V2 checkpoint keeps its files in sidecars vs delta-rs
#         (and the same files in a classic checkpoint, for reference)
#   I1  inserting a generated stream through engine::InsertInto (streaming delta_write
#       node) vs straight through storage::WriteDatasetDelta (BENCH_INSERT_BYTES, 200M;
#       the goal is stated at 2G)
#   P5  reading a table whose deletion vectors delete 10 % of its rows vs a table holding
#       the same live rows without DVs (BENCH_ROWS rows; the goal is stated at 10M)
#   P5/P6 (anatomy) the full code-anatomy run over this machine's Python standard library
#        vs tree-sitter parsing the same files alone; an incremental run after one edit
#        vs the full run (BENCH_ANATOMY_RUNS, 3)
#   PY  the Python bindings vs delta-rs from Python: write 10M rows, read a 1 GB table
#       (BENCH_PY_ROWS, BENCH_PY_READ_MB)
#   SCAN the engine's Delta scan (full scan, filtered aggregate) vs delta-rs + pyarrow
#        (BENCH_SCAN_ROWS rows, 2M; 28M make the 1 GB table of issue 11)
# Modest defaults finish in a few minutes on 2 cores; the full size is
#   BENCH_ROWS=10M scripts/bench.sh build
# Knobs (environment): BENCH_ROWS (2M), BENCH_REPEAT (5), BENCH_COMMITS (10000),
# BENCH_INTERVAL (100), BENCH_RUNS (5), BENCH_V2_FILES (20000; 100000 for the full
# size), BENCH_DIR (BUILD_DIR/bench-work).
# The P3 table is kept in BENCH_DIR and reused while it matches.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build="$(cd "${1:-$root/build}" && pwd)"

python="$(sed -n 's/^DELTALINE_PYTHON:FILEPATH=//p' "$build/CMakeCache.txt" 2>/dev/null || true)"
[ -x "${python:-}" ] || python="$root/.venv/bin/python"
"$python" -c 'import deltalake, pyarrow' || {
  echo "bench: $python cannot import deltalake/pyarrow (run scripts/bootstrap.sh)" >&2; exit 1; }

write_bench="$build/bench/deltaline_bench_write"
open_bench="$build/bench/deltaline_bench_open"
dv_bench="$build/bench/deltaline_bench_dv"
insert_bench="$build/bench/deltaline_bench_engine_insert"
for bin in "$write_bench" "$open_bench" "$dv_bench" "$insert_bench"; do
  [ -x "$bin" ] || { echo "bench: $bin missing (build with -DDELTALINE_BENCH=ON)" >&2; exit 1; }
done

work="${BENCH_DIR:-$build/bench-work}"
mkdir -p "$work"
rows="${BENCH_ROWS:-2M}"
repeat="${BENCH_REPEAT:-5}"
commits="${BENCH_COMMITS:-10000}"
interval="${BENCH_INTERVAL:-100}"
runs="${BENCH_RUNS:-5}"

echo "== P1/P2: append $rows rows (deltaline vs bare Parquet vs delta-rs) =="
"$write_bench" --rows "$rows" --repeat "$repeat" --dir "$work/write" \
  --python "$python" --deltars-script "$root/bench/deltars_write.py"

echo
echo "== P3: open the latest snapshot of a $commits-commit table (checkpoint every $interval) =="
table="$work/log-$commits-$interval"
"$open_bench" build "$table" --commits "$commits" --interval "$interval"
"$open_bench" run "$table" --runs "$runs" \
  --python "$python" --deltars-script "$root/bench/deltars_open.py"

echo
v2_files="${BENCH_V2_FILES:-20000}"
echo "== P3-v2: open a table whose V2 checkpoint holds $v2_files files in sidecars =="
for layout in v2 classic; do
  table="$work/v2cp-$layout-$v2_files"
  "$python" "$root/bench/make_v2_checkpoint_table.py" "$table" --files "$v2_files" \
    --layout "$layout"
  "$open_bench" run "$table" --runs "$runs" --label "P3-v2 ($layout checkpoint)" \
    --python "$python" --deltars-script "$root/bench/deltars_open.py"
done

echo
echo "== P5: read $rows rows with deletion vectors on 10 % of them vs the same live rows without =="
"$dv_bench" --rows "$rows" --repeat "$repeat" --dir "$work/dv"

echo
insert_bytes="${BENCH_INSERT_BYTES:-200M}"
echo "== I1: insert a $insert_bytes generated stream: InsertInto vs WriteDatasetDelta =="
"$insert_bench" --bytes "$insert_bytes" --dir "$work/insert"

echo
# Issue 11: the engine's Delta scan vs delta-rs' pyarrow dataset (BENCH_SCAN_ROWS, 2M by
# default; about 28M rows make the 1 GB table of the issue's goal).
scan_bench="$build/bench/deltaline_bench_engine_scan"
[ -x "$scan_bench" ] || { echo "bench: $scan_bench missing (build with -DDELTALINE_BENCH=ON)" >&2; exit 1; }
scan_rows="${BENCH_SCAN_ROWS:-2M}"
echo "== Engine scan: full scan and filtered aggregate of $scan_rows rows, deltaline vs delta-rs + pyarrow =="
"$scan_bench" --rows "$scan_rows" --repeat "$repeat" --dir "$work/engine-scan" \
  --python "$python" --deltars-script "$root/bench/deltars_scan.py"

echo
# Issue 13: the code-anatomy pipeline over this machine's Python standard library.
anatomy_bench="$build/bench/deltaline_bench_anatomy"
[ -x "$anatomy_bench" ] || { echo "bench: $anatomy_bench missing (build with -DDELTALINE_BENCH=ON)" >&2; exit 1; }
stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
echo "== P5/P6: code anatomy of $stdlib (full vs tree-sitter alone; incremental vs full) =="
"$anatomy_bench" --source "$stdlib" --dir "$work/anatomy" --runs "${BENCH_ANATOMY_RUNS:-3}"

echo
# Issue 14: Z-order pruning and compaction file sizes vs delta-rs.
optimize_bench="$build/bench/deltaline_bench_optimize"
[ -x "$optimize_bench" ] || { echo "bench: $optimize_bench missing (build with -DDELTALINE_BENCH=ON)" >&2; exit 1; }
echo "== Optimize: Z-order pruning (1 % filter on the second column) and compaction sizes vs delta-rs =="
"$optimize_bench" --dir "$work/optimize" --python "$python" \
  --deltars-script "$root/bench/deltars_optimize.py"

echo
# Issue 15: the Python bindings vs delta-rs from Python (BENCH_PY_ROWS, 10M; the read
# table is BENCH_PY_READ_MB, 1024 MiB in Arrow).
if [ -d "$build/python/deltaline" ]; then
  echo "== PY: write_table_delta vs write_deltalake; to_pyarrow_table vs delta-rs =="
  PYTHONPATH="$build/python" "$python" "$root/bench/python_bench.py" \
    --rows "${BENCH_PY_ROWS:-10M}" --read-mb "${BENCH_PY_READ_MB:-1024}" \
    --repeat "$repeat" --dir "$work/python"
else
  echo "bench: $build/python/deltaline missing (the Python package was not built); PY skipped" >&2
fi
