#!/usr/bin/env bash
# Installs everything deltaline needs on a fresh Debian machine. Idempotent:
# each step checks before it acts, so a second run costs a few seconds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
venv="$root/.venv"

log() { printf '[bootstrap] %s\n' "$*" >&2; }

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. Debian packages: the list lives in one file.
mapfile -t pkgs < <(grep -vE '^\s*(#|$)' "$here/apt-packages.txt")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  sudo_if_needed apt-get update -qq
  sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. Project-local virtualenv with the pinned wheels (Arrow C++ comes from pyarrow).
py="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  log "creating $venv"
  "$py" -m venv "$venv"
fi
stamp="$venv/.requirements.sha"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "pip install -r scripts/requirements.txt"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
  echo "$want" > "$stamp"
fi
# The wheel ships libarrow.so.NNNN only; CMake and the linker want libarrow.so.
"$venv/bin/python" -c 'import pyarrow; pyarrow.create_library_symlinks()'

# 3. The delta-spark jars for the Spark interop tests, from Maven Central into the venv.
# Not fatal here: the build doesn't need them, and the Spark tests fetch again (and fail
# with Maven's message) if they are still missing.
"$here/fetch-spark-jars.sh" "$venv/spark-jars" >/dev/null ||
  log "warning: could not fetch the delta-spark jars; the Spark interop tests will retry"
log "ok"
