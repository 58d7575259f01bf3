#!/usr/bin/env bash
# Before the first `pulumi up` of a version in which Spark owns the tables (functions/transform/ddl.ts):
# removes the Glue tables earlier versions declared (aws:glue/catalogTable:CatalogTable) from the stack's
# state WITHOUT deleting them. Pulumi would otherwise delete each one it no longer sees in the program
# (glue:DeleteTable), and although Glue leaves the S3 data and metadata files, the catalog entry is the only
# pointer to an Iceberg table's current metadata file: the next run would start an empty table. Protected
# stacks' tables are `protect`ed, so `pulumi up` without this step fails before deleting anything.
# `pulumi state delete --force` drops a resource from the state only, protected or not (Pulumi CLI reference).
# Usage: scripts/retire-catalog-tables.sh --stack <name> [--yes]   (without --yes: list only)
set -euo pipefail
stack="" yes=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --stack) stack="${2:?--stack needs a name}"; shift 2 ;;
    --yes) yes=1; shift ;;
    *) echo "usage: $0 --stack <name> [--yes]" >&2; exit 2 ;;
  esac
done
[[ -n "$stack" ]] || { echo "usage: $0 --stack <name> [--yes]" >&2; exit 2; }
urns="$(pulumi stack export --stack "$stack" | node -e '
  let text = "";
  process.stdin.on("data", (c) => (text += c)).on("end", () => {
    const resources = JSON.parse(text).deployment?.resources ?? [];
    for (const r of resources) if (r.type === "aws:glue/catalogTable:CatalogTable") console.log(r.urn);
  });')"
if [[ -z "$urns" ]]; then
  echo "$stack: no Glue table in the state, nothing to retire"
  exit 0
fi
count="$(wc -l <<< "$urns" | tr -d ' ')"
echo "$stack: $count Glue table(s) to drop from the state (kept in AWS, owned by Spark from now on):"
echo "$urns"
[[ -n "$yes" ]] || { echo "(list only: pass --yes to drop them from the state)"; exit 0; }
while read -r urn; do
  pulumi state delete --stack "$stack" --force --yes "$urn"
done <<< "$urns"
echo "$stack: $count Glue table(s) retired from the state; \`pulumi up\` deletes none of them"
