#!/bin/sh
# Runs one libFuzzer target for a bounded time (ctest's fuzz_<target>).
#   run_fuzzer.sh FUZZER WORK_DIR SEED_DIR SECONDS [DICT]
# New inputs go to WORK_DIR/corpus (the seeds in the repository stay as they are);
# a crashing input is written to WORK_DIR/artifacts/ — add it to
# fuzz/regressions/<target>/ once fixed. The final line gives the executions.
set -eu
fuzzer=$1 work=$2 seeds=$3 seconds=$4 dict=${5:-}
mkdir -p "$work/corpus" "$work/artifacts"
set -- -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/"
if [ -n "$dict" ]; then set -- "$@" -dict="$dict"; fi
"$fuzzer" "$@" "$work/corpus" "$seeds" 2>"$work/fuzz.log" || {
  status=$?
  tail -n 60 "$work/fuzz.log"
  exit $status
}
grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' "$work/fuzz.log" || true
