#!/usr/bin/env bash
# npm run test:package: the package as published is what CI tests (issue 15). Packs the tarball (prepack
# builds it), writes a fresh consumer Pulumi TypeScript project in a temporary folder (test/package: its
# own package.json on the tarball and this lockfile's @pulumi versions, installed by `npm ci` from the
# npm cache), compiles it against the shipped types, and previews an AwsLakehouse and an AzureLakehouse
# offline through the shipped `medallion-lakehouse/testing` harness (test/package/check.ts asserts); then
# runs the shipped `medallion` bin with plain node: preview, diff and policy of the compiled program, and
# preview of a TypeScript project from source (test/package/ts-project).
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
cp -r test/package/ts-project "$work/consumer/ts-project"
npx tsx scripts/package-consumer.ts "$work/consumer" "$tarball"
cd "$work/consumer"
npm ci --prefer-offline --no-audit --no-fund --loglevel=error
npx tsc -p .
node bin/check.js aws
node bin/check.js azure

echo "--- medallion bin (the tarball's dist/bin/medallion.js, plain node)"
printf 'config:\n  aws:region: eu-west-1\n' >Pulumi.aws.yaml
npx --no-install medallion --help >/dev/null
npx --no-install medallion preview --stack aws --quiet --out plan-aws.json
npx --no-install medallion diff plan-aws.json plan-aws.json --detailed-exitcode
status=0
npx --no-install medallion policy --plan plan-aws.json --json --sarif policy.sarif >policy.json || status=$?
[[ $status -le 1 ]] || { echo "medallion policy crashed ($status)"; exit 1; }
node -e '
  const fs = require("node:fs");
  const policy = require("./policy.json"), sarif = JSON.parse(fs.readFileSync("policy.sarif", "utf8"));
  if (sarif.version !== "2.1.0" || sarif.runs[0].results.length !== policy.violations.length) process.exit(1);
  console.log(`policy: ${policy.resources} resources, ${policy.mandatory} mandatory, ${policy.advisory} advisory, key-service check ${policy.keyServiceCheck}; SARIF written`);'
cd ts-project
node ../node_modules/medallion-lakehouse/dist/bin/medallion.js preview --stack dev --quiet --out plan.json
node -e '
  const plan = require("./plan.json");
  const ok = plan.project === "medallion-ts-consumer" && plan.resources.length > 300;
  console.log(`ts-project: ${plan.resources.length} resources previewed from index.ts`);
  process.exit(ok ? 0 : 1);'
