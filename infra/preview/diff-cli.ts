import * as fs from "node:fs";
import { parseCli, runAsMain, usageExit } from "../cli";
import { diffJson, diffPlans, formatDiff, hasChanges } from "./diff";
import { parsePlan, type Plan } from "./plan";

export const DIFF_USAGE = `usage: medallion diff <before-plan.json> <after-plan.json> [--json] [--detailed-exitcode]

Compares two plans written by \`medallion preview --out\`: a spec-level summary first (tables, columns and
their types with breaking changes flagged, masking, quality rules, schedules), then each resource added
(+), removed (-), changed (~) or replaced (+-, -/+) with every changed input by its path. Lists are
matched by identity (tables and columns by name, policy statements by Sid or content, resources by URN);
long strings (SQL, scripts) are shown as line or word diffs in full; code assets by content hash. The
removal of a protected or retained resource is flagged first; plans of two different stacks get a warning.

      --json               print the diff as one JSON document
      --detailed-exitcode  exit 0 when nothing changes, 2 when something does, 1 on error

Exit codes: 0 ok, 1 unreadable plan, 2 usage error (1 under --detailed-exitcode).`;

export function main(argv: readonly string[]): number {
  const parsed = parseCli(
    argv,
    { json: { type: "boolean", default: false }, "detailed-exitcode": { type: "boolean", default: false } },
    DIFF_USAGE,
    { positionals: true },
  );
  if ("exit" in parsed) return parsed.exit;
  if (parsed.positionals.length !== 2) {
    console.error(`give two plan files, before and after\n\n${DIFF_USAGE}`);
    return usageExit(argv);
  }
  let plans: Plan[];
  try {
    plans = parsed.positionals.map((file) => parsePlan(fs.readFileSync(file, "utf8"), file));
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
  const diff = diffPlans(plans[0], plans[1]);
  console.log(parsed.values.json ? JSON.stringify(diffJson(diff), null, 2) : formatDiff(diff));
  if (parsed.values["detailed-exitcode"]) return hasChanges(diff) ? 2 : 0;
  return 0;
}

if (require.main === module) runAsMain(main);
