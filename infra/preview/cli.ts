import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../../components/spec";
import { parseCli, runAsMain, usageExit } from "../cli";
import { diffJson, diffPlans, formatDiff, hasChanges } from "./diff";
import { parsePlan } from "./plan";
import { previewStack } from "./preview";
import { StackFileError } from "./stack-file";
import { formatTree } from "./tree";

export const PREVIEW_USAGE = `usage: medallion preview --stack <name> [--out plan.json] [--diff old-plan.json] [--quiet] [--json] [--detailed-exitcode]
       (in this repository also: npm run preview -- <options>)

Runs the Pulumi TypeScript or JavaScript project in the current folder offline: its Pulumi.yaml (name,
main), its Pulumi.<stack>.yaml config and its program, under Pulumi's mock runtime with mocks that compute
what the AWS, Azure and Databricks providers would (no cloud, no credentials, no Pulumi CLI). Prints the
resource tree grouped by component.

  -s, --stack <name>       the stack (Pulumi.<name>.yaml)
  -o, --out <file>         write the plan JSON (the input of medallion diff and medallion policy --plan)
  -d, --diff <file>        print what changed against an earlier plan (spec summary first, then resources)
  -q, --quiet              no resource tree
      --json               print one JSON document instead: { plan, placeholders, diff? }
      --detailed-exitcode  with --diff: exit 0 when nothing changes, 2 when something does, 1 on error

Exit codes: 0 ok, 1 invalid stack config or program error, 2 usage error (1 under --detailed-exitcode).`;

/** Exit codes: 0 ok (or no changes), 1 config/program error, 2 usage error, or changes under --detailed-exitcode. */
export async function main(argv: readonly string[], root = process.cwd()): Promise<number> {
  const parsed = parseCli(
    argv,
    {
      stack: { type: "string", short: "s" },
      out: { type: "string", short: "o" },
      diff: { type: "string", short: "d" },
      quiet: { type: "boolean", short: "q", default: false },
      json: { type: "boolean", default: false },
      "detailed-exitcode": { type: "boolean", default: false },
    },
    PREVIEW_USAGE,
  );
  if ("exit" in parsed) return parsed.exit;
  const args = parsed.values;
  if (!args.stack) {
    console.error(`--stack is required\n\n${PREVIEW_USAGE}`);
    return usageExit(argv);
  }
  if (args["detailed-exitcode"] && !args.diff) {
    console.error(`--detailed-exitcode needs --diff <plan.json> to compare with\n\n${PREVIEW_USAGE}`);
    return 1;
  }
  // Read the earlier plan first: a wrong path fails before a minute of preview.
  let before;
  if (args.diff) {
    try {
      before = parsePlan(fs.readFileSync(args.diff, "utf8"), args.diff);
    } catch (error) {
      console.error(`error: ${(error as Error).message}`);
      return args["detailed-exitcode"] ? 1 : 2;
    }
  }
  let result;
  try {
    result = await previewStack({ root, stack: args.stack });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StackFileError) {
      console.error(`error: ${error.message}\nNo plan was written.`);
    } else {
      console.error(
        `error: the program failed under the offline preview: ${(error as Error).message ?? error}\nNo plan was written.`,
      );
    }
    return 1;
  }
  const { plan, placeholders } = result;
  // Under --json, stdout is the JSON document only; notes go to stderr.
  const say = args.json ? console.error : console.log;
  if (!args.quiet && !args.json) console.log(formatTree(plan));
  if (placeholders.length > 0) {
    say(
      `\nnote: ${placeholders.join(", ")} hold secure values; the offline preview cannot decrypt them and used "[secret]".`,
    );
  }
  if (args.out) {
    fs.mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
    fs.writeFileSync(args.out, `${JSON.stringify(plan, null, 2)}\n`);
    say(`\nplan written to ${args.out} (${plan.resources.length} resources)`);
  }
  const diff = before ? diffPlans(before, plan) : undefined;
  if (args.json) {
    console.log(JSON.stringify({ plan, placeholders, ...(diff ? { diff: diffJson(diff) } : {}) }, null, 2));
  } else if (diff) {
    console.log(`\ndiff against ${args.diff}:\n${formatDiff(diff)}`);
  }
  if (args["detailed-exitcode"] && diff) return hasChanges(diff) ? 2 : 0;
  return 0;
}

if (require.main === module) runAsMain(main);
