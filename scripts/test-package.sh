#!/usr/bin/env bash
# npm run test:package: the package as published is what CI tests (issue 15). Packs the tarball (prepack
# builds it), writes a fresh consumer Pulumi TypeScript project in a temporary folder (test/package: its
# own package.json on the tarball and this lockfile's @pulumi versions, installed by `npm ci` from the
# npm cache), compiles it against the shipped types, and previews an AwsLakehouse and an AzureLakehouse
# offline through the shipped `medallion-lakehouse/testing` harness (test/package/check.ts asserts).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/medallion-package.XXXXXX")
finish() {
  status=$?
  rm -rf "$work"
  echo "--- test:package $([ "$status" = 0 ] && echo passed || echo FAILED) in $(($(date +%s) - start))s (cleanup included)"
}
trap finish EXIT

echo "--- npm pack"
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "$(basename "$tarball"): $(du -k "$tarball" | cut -f1) KiB"
contents=$(tar -tzf "$tarball")
if grep -E '\.test\.|/test/|test-support' <<<"$contents"; then echo "the tarball ships tests"; exit 1; fi
grep -qx 'package/LICENSE' <<<"$contents" || { echo "the tarball has no LICENSE"; exit 1; }

echo "--- consumer project"
mkdir "$work/consumer"
cp test/package/Pulumi.yaml test/package/tsconfig.json test/package/*.ts "$work/consumer/"
npx tsx scripts/package-consumer.ts "$work/consumer" "$tarball"
cd "$work/consumer"
npm ci --prefer-offline --no-audit --no-fund --loglevel=error
npx tsc -p .
node bin/check.js aws
node bin/check.js azure
