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
export TZ=UTC
echo "--- spark_runner.py unit tests (fake session)"
"$venv/bin/python" -m unittest functions/transform/test_spark_runner.py
echo "--- Spark conformance (real spark_runner.py, Iceberg and Delta, against DuckDB)"
npx tsx test/spark/conformance.ts "$venv/bin/python" "$cache"
