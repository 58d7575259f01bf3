#!/usr/bin/env bash
# The suites that run against a real PostgreSQL server (the Debian package; the tests start their own
# cluster in a temp directory). Installs the server when it is missing and this user may.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "--- installing the PostgreSQL server (Debian package)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  else
    echo "PostgreSQL server binaries not found: apt-get install postgresql" >&2
    exit 1
  fi
fi
MEDALLION_POSTGRES=1 npx jest --testPathPatterns '\.postgres\.test\.ts$' -w 1 "$@"
