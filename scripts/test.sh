#!/usr/bin/env bash
# `make test`: every test, in two stages that run side by side to save wall time.
#   1. the main build's ctest (unit, CLI, concurrency, crash-kill, interop);
#   2. the sanitizer stage: a clang build with AddressSanitizer + UBSan in BUILD_ASAN
#      (library, unit tests, fuzz targets), its unit tests, the fuzz corpus replays and
#      each libFuzzer target for DELTALINE_FUZZ_SECONDS (default 60).
# The sanitizer build compiles while stage 1 mostly waits on child processes (Spark,
# delta-rs, writers racing); it runs at a lower CPU priority so stage 1 is not slowed
# much. Each stage's output goes to a log, printed when the stage ends.
#   scripts/test.sh BUILD_DIR BUILD_ASAN JOBS
# DELTALINE_SANITIZE_STAGE=0 skips stage 2.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-build}"
asan="${2:-build-asan}"
jobs="${3:-$(nproc)}"
cd "$root"
now() { date +%s; }

run_main() {
  cd "$build" && ctest --output-on-failure -j "$jobs" --timeout 900
}

run_sanitize() {
  local t0 t1 t2
  t0=$(now)
  cmake -S . -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" \
    -DDELTALINE_SANITIZE=ON -DDELTALINE_BENCH=OFF \
    -DDELTALINE_FUZZ_SECONDS="${DELTALINE_FUZZ_SECONDS:-60}" >/dev/null || return 1
  nice -n 10 cmake --build "$asan" -j "$jobs" || return 1
  t1=$(now)
  echo "[sanitize] build took $((t1 - t0)) s"
  # Leak checking stays off until every unit test has been seen clean under LSan
  # (the fuzzers and schema_test are); Arrow's pools and threads outlive main().
  export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:${ASAN_OPTIONS:-}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
  (cd "$asan" && ctest --output-on-failure -j "$jobs" --timeout 900) || return 1
  t2=$(now)
  echo "[sanitize] tests and fuzzing took $((t2 - t1)) s"
}

start=$(now)
mkdir -p "$build" "$asan"
run_main >"$build/test.log" 2>&1 &
main_pid=$!
if [ "${DELTALINE_SANITIZE_STAGE:-1}" != 0 ]; then
  run_sanitize >"$asan/test.log" 2>&1 &
  asan_pid=$!
fi

wait "$main_pid"
main_rc=$?
echo "=== main tests ($build), exit $main_rc, after $(( $(now) - start )) s"
cat "$build/test.log"
asan_rc=0
if [ -n "${asan_pid:-}" ]; then
  wait "$asan_pid"
  asan_rc=$?
  echo "=== sanitizer build, unit tests and fuzzing ($asan), exit $asan_rc, after $(( $(now) - start )) s"
  cat "$asan/test.log"
fi
[ "$main_rc" -eq 0 ] && [ "$asan_rc" -eq 0 ]
