#!/usr/bin/env bash
# npm run test:spark: installs the pinned local Spark when missing (spark/requirements.lock, hashes required),
# then runs the Spark conformance suite (test/spark/conformance.ts) and the runner's Python unit tests.
# Everything it downloads stays in the project, git-ignored: .venv-spark/ and .spark-cache/ (pip's cache,
# the Iceberg and Delta JARs Spark resolves from Maven Central through Ivy).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
venv="$root/.venv-spark"
cache="$root/.spark-cache"
lock="spark/requirements.lock"
mkdir -p "$cache"
stamp="$venv/.installed-$(sha256sum "$lock" | cut -c1-16)"
if [[ ! -f "$stamp" ]]; then
  echo "--- installing the local Spark ($lock)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  PIP_CACHE_DIR="$cache/pip" "$venv/bin/pip" install --quiet --disable-pip-version-check \
    --require-hashes -r "$lock"
  touch "$stamp"
fi
command -v java > /dev/null || { echo "test:spark needs Java 17 (Spark 3.5)"; exit 1; }
# The Iceberg and Delta JARs are pinned by sha256 (spark/jars.sha256): every JAR Ivy has resolved must be listed
# and match, checked before Spark loads any (a cached one) and after the run (the ones a cold run downloaded).
jars="$cache/ivy/jars"
verify_jars() {
  local expect_all="$1" jar name sum listed
  mkdir -p "$jars"
  for jar in "$jars"/*.jar; do
    [[ -e "$jar" ]] || continue
    name="$(basename "$jar")"
    listed="$(awk -v n="$name" '!/^#/ && $2 == n { print $1 }' spark/jars.sha256)"
    [[ -n "$listed" ]] || { echo "test:spark: $name is not pinned in spark/jars.sha256"; exit 1; }
    sum="$(sha256sum "$jar" | cut -d' ' -f1)"
    [[ "$sum" == "$listed" ]] || { echo "test:spark: $name has sha256 $sum, spark/jars.sha256 pins $listed"; exit 1; }
  done
  if [[ "$expect_all" == all ]]; then
    while read -r _ name; do
      [[ -f "$jars/$name" ]] || { echo "test:spark: pinned $name was not resolved"; exit 1; }
    done < <(grep -v '^#' spark/jars.sha256)
  fi
  return 0
}
verify_jars some
# npm run bench:transform: the same pinned Spark, installed (and its cached JARs checked) only.
[[ "${1:-}" == "--install-only" ]] && exit 0
export TZ=UTC
echo "--- spark_runner.py unit tests (fake session)"
"$venv/bin/python" -m unittest functions/transform/test_spark_runner.py functions/transform/test_spark_ddl.py
echo "--- Spark conformance (real spark_runner.py, Iceberg and Delta, against DuckDB)"
npx tsx test/spark/conformance.ts "$venv/bin/python" "$cache"
verify_jars all
echo "--- Spark owns table DDL (real spark_runner.py evolves Iceberg and Delta tables as the spec changes)"
npx tsx test/spark/evolution.ts "$venv/bin/python" "$cache"
verify_jars all
echo "--- pinned JARs verified (spark/jars.sha256)"
