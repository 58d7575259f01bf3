import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../../components/spec";
import { parseCli, runAsMain } from "../cli";
import { diffPlans, formatDiff } from "./diff";
import { parsePlan } from "./plan";
import { previewStack } from "./preview";
import { StackFileError } from "./stack-file";
import { formatTree } from "./tree";

const USAGE = `usage: npm run preview -- --stack <name> [--out plan.json] [--diff old-plan.json] [--quiet]

Runs the stack's real Pulumi program under the mock runtime (no cloud, no Pulumi CLI) and prints
the resource tree. --out writes the plan JSON; --diff prints what changed against an earlier plan.`;

/** Exit codes: 0 ok, 1 invalid stack config or program error, 2 usage error. */
export async function main(argv: readonly string[], root = process.cwd()): Promise<number> {
  const parsed = parseCli(
    argv,
    {
      stack: { type: "string", short: "s" },
      out: { type: "string", short: "o" },
      diff: { type: "string", short: "d" },
      quiet: { type: "boolean", short: "q", default: false },
    },
    USAGE,
  );
  if ("exit" in parsed) return parsed.exit;
  const args = parsed.values;
  if (!args.stack) {
    console.error(`--stack is required\n\n${USAGE}`);
    return 2;
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
  if (!args.quiet) console.log(formatTree(plan));
  if (placeholders.length > 0) {
    console.log(
      `\nnote: ${placeholders.join(", ")} hold secure values; the offline preview cannot decrypt them and used "[secret]".`,
    );
  }
  if (args.out) {
    fs.mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
    fs.writeFileSync(args.out, `${JSON.stringify(plan, null, 2)}\n`);
    console.log(`\nplan written to ${args.out} (${plan.resources.length} resources)`);
  }
  if (args.diff) {
    let before;
    try {
      before = parsePlan(fs.readFileSync(args.diff, "utf8"), args.diff);
    } catch (error) {
      console.error(`error: ${(error as Error).message}`);
      return 2;
    }
    console.log(`\ndiff against ${args.diff}:\n${formatDiff(diffPlans(before, plan))}`);
  }
  return 0;
}

if (require.main === module) runAsMain(main);
