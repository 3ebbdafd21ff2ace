#!/usr/bin/env bash
# make demo: the main job. The code-anatomy pipeline over this machine's Python standard
# library (found through python3) into ./lake, then `describe` of the graph's nodes, the
# most-called functions (a shipped Substrait query), and an incremental re-run after
# editing one file in a copy of the tree, with its run summary. Wall times are shown.
#   scripts/demo.sh [DELTALINE] [SOURCE_DIR]
set -euo pipefail
dl="${1:-build/deltaline}"
root="$(cd "$(dirname "$0")/.." && pwd)"
src="${2:-$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')}"
lake="$root/lake"
work="$root/out/demo"

bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }
step() {
  bold "\$ $*"
  local start ms
  start=$(date +%s%N)
  "$@"
  ms=$((($(date +%s%N) - start) / 1000000))
  printf '\033[2m(%d.%03d s)\033[0m\n' $((ms / 1000)) $((ms % 1000))
}

[ -d "$src" ] || { echo "demo: no source tree at $src" >&2; exit 1; }
# The demo owns ./lake and out/demo: each run starts from scratch, so it is repeatable.
rm -rf "$lake" "$work"
mkdir -p "$work"
files=$(find "$src" -name '*.py' -not -path '*/site-packages/*' -not -path '*/dist-packages/*' | wc -l)
bold "Code anatomy of the Python standard library: $src ($files .py files) into $lake"

step "$dl" anatomy "$src" --lake "$lake"
step "$dl" describe "$lake/cpg_nodes"
step "$dl" query --plan "$root/queries/most_called_functions.json" \
  --table "call_targets=$lake/call_targets" --table "definitions=$lake/definitions"

# A copy of the tree (same relative paths, same bytes, so the same ids) with one file
# edited: the re-run finds the one changed file and replaces only its rows.
bold "Copying the tree to $work/stdlib and editing one file"
mkdir -p "$work/stdlib"
tar -C "$src" --exclude=site-packages --exclude=dist-packages --exclude=__pycache__ -cf - . |
  tar -C "$work/stdlib" -xf -
edited="$work/stdlib/json/encoder.py"
printf '\n\ndef _demo_encode_twice(o):\n    return JSONEncoder().encode(JSONEncoder().encode(o))\n' >> "$edited"
echo "appended a function to json/encoder.py"

step "$dl" anatomy "$work/stdlib" --lake "$lake"
step "$dl" runs "$lake"
printf '\nThe lake is at %s; `deltaline query --plan queries/<q>.json --table T=%s/T ...` runs the other shipped queries (queries/README.md).\n' "$lake" "$lake"
