#!/usr/bin/env bash
# The demo until the pipeline exists: write a sample table, append to it, read an
# old version, then describe it and show its history.
set -euo pipefail
dl="${1:-build/deltaline}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/out/demo"
rm -rf "$work"
mkdir -p "$work"
table="$work/events"

cat > "$work/day1.csv" <<'CSV'
event_id,user,amount,at
1,alice,12.50,2024-05-01T09:00:00Z
2,bob,7.25,2024-05-01T09:05:00Z
3,carol,99.99,2024-05-01T10:30:00Z
CSV
cat > "$work/day2.jsonl" <<'JSONL'
{"event_id": 4, "user": "alice", "amount": 3.10, "at": "2024-05-02T08:00:00Z"}
{"event_id": 5, "user": "dave", "amount": 42.00, "at": "2024-05-02T11:45:00Z"}
JSONL

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
step "$dl" write "$table" --input "$work/day1.csv" --metadata source=day1.csv
step "$dl" write "$table" --input "$work/day2.jsonl" --mode append --metadata source=day2.jsonl
step "$dl" read "$table" --format csv
step "$dl" read "$table" --version 0 --format csv
step "$dl" describe "$table"
step "$dl" history "$table"
printf '\nThe table is at %s\n' "$table"
