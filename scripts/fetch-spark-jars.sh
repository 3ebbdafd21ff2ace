#!/usr/bin/env bash
# Fetches the Delta Lake jars for the Spark interop tests from Maven Central into
# one directory (default: .venv/spark-jars). Idempotent: when every pinned jar is
# present with the pinned SHA-256, it does nothing. Maven's own cache lives beside
# the jars, never in ~/.m2. Prints the pinned jars' paths, one a line, on stdout.
#
# The pair pinned here must match scripts/requirements.txt: delta-spark 4.0.1 is
# built against Apache Spark 4.0.1 (its POM depends on spark-sql_2.13:4.0.1), and
# Delta's compatibility table lists Delta 4.0.x with Spark 4.0.x. Spark 4 needs Java 17+.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
dest="${1:-$root/.venv/spark-jars}"

DELTA_VERSION=4.0.1
# artifact (groupId:artifactId:version) and the SHA-256 of its jar.
jars=(
  "io.delta:delta-spark_2.13:$DELTA_VERSION a1e76860b19fe1e6b205a4ea7a9099a2f9575d39bb71d49b3e679b299d0efb91"
  "io.delta:delta-storage:$DELTA_VERSION ecc42c5aaa51c423312d9e4e48aa4a12b34740bf2c37de0e8f279277ec3d12e4"
)

log() { printf '[fetch-spark-jars] %s\n' "$*" >&2; }

jar_name() { local a="${1#*:}"; printf '%s-%s.jar' "${a%%:*}" "${a##*:}"; }

complete() {
  local entry artifact sum
  for entry in "${jars[@]}"; do
    read -r artifact sum <<<"$entry"
    [ -f "$dest/$(jar_name "$artifact")" ] || return 1
    [ "$(sha256sum "$dest/$(jar_name "$artifact")" | cut -d' ' -f1)" = "$sum" ] || return 1
  done
}

print_paths() {
  local entry artifact sum
  for entry in "${jars[@]}"; do
    read -r artifact sum <<<"$entry"
    printf '%s\n' "$dest/$(jar_name "$artifact")"
  done
}

if complete; then print_paths; exit 0; fi

command -v mvn >/dev/null || { log "mvn not found (apt-get install maven)"; exit 1; }
mkdir -p "$dest"
for entry in "${jars[@]}"; do
  read -r artifact sum <<<"$entry"
  log "mvn dependency:copy $artifact"
  # (Debian's Maven prints colour resets even in batch mode: strip them.)
  mvn -q -B --strict-checksums -Dmaven.repo.local="$dest/.m2" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
    -Dartifact="$artifact" -DoutputDirectory="$dest" -Dmdep.overWriteReleases=true 2>&1 |
    sed 's/\x1b\[[0-9;]*m//g' >&2
  got="$(sha256sum "$dest/$(jar_name "$artifact")" | cut -d' ' -f1)"
  if [ "$got" != "$sum" ]; then
    log "checksum mismatch for $artifact: got $got, pinned $sum"
    exit 1
  fi
done
log "ok: $dest"
print_paths
