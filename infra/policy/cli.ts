import * as fs from "node:fs";
import { ConfigError } from "../../components/spec";
import { parseCli, runAsMain } from "../cli";
import { parsePlan, type Plan } from "../preview/plan";
import { previewStack } from "../preview/preview";
import { StackFileError } from "../preview/stack-file";
import { accessMatrix, formatMatrix, planLocations, planPrincipals } from "./access-matrix";
import { evaluatePlan, formatViolations } from "./evaluate";
import { checkKeyServices } from "./key-services";

const USAGE = `usage: npm run policy -- --stack <name> | --plan <plan.json> [--protected] [--matrix]

Runs the policy pack offline: over the offline preview of a stack (--stack), or over a plan written by
\`npm run preview -- --out\` (--plan). Prints each violation (rule, resource, message); exits 1 if any is
mandatory. It also simulates every use of a customer key by a service (a log group or an SNS topic encrypted with it)
against the key's policy, and fails on a refusal. A plan records whether its stack is protected; --protected forces the protected-environment rules.
--matrix also prints the IAM access matrix: every role × every encrypted bucket × read/write, as an IAM
policy simulator decides it from the plan's identity, bucket and key policies.`;

/** Exit codes: 0 compliant, 1 mandatory violations or unreadable input, 2 usage error. */
export async function main(argv: readonly string[], root = process.cwd()): Promise<number> {
  const parsed = parseCli(
    argv,
    {
      stack: { type: "string", short: "s" },
      plan: { type: "string", short: "p" },
      protected: { type: "boolean", default: false },
      matrix: { type: "boolean", default: false },
    },
    USAGE,
  );
  if ("exit" in parsed) return parsed.exit;
  const args = parsed.values;
  if (Boolean(args.stack) === Boolean(args.plan)) {
    console.error(`give exactly one of --stack or --plan\n\n${USAGE}`);
    return 2;
  }
  let plan: Plan;
  try {
    plan = args.plan
      ? parsePlan(fs.readFileSync(args.plan, "utf8"), args.plan)
      : (await previewStack({ root, stack: args.stack as string })).plan;
  } catch (error) {
    const known =
      error instanceof ConfigError ||
      error instanceof StackFileError ||
      (error as NodeJS.ErrnoException).code === "ENOENT";
    console.error(`error: ${known ? (error as Error).message : String((error as Error).stack ?? error)}`);
    return 1;
  }
  const violations = evaluatePlan(plan, args.protected || plan.protected === true);
  const mandatory = violations.filter((v) => v.enforcement === "mandatory");
  const keyFindings = await checkKeyServices(plan);
  for (const finding of keyFindings)
    console.log(`[mandatory] key-service-access  ${finding.urn}\n  ${finding.message}`);
  const subject = `${plan.project}/${plan.stack}${plan.protected || args.protected ? " (protected)" : ""}`;
  if (violations.length > 0) console.log(formatViolations(violations));
  console.log(
    `\npolicy: ${plan.resources.length} resources in ${subject}: ${mandatory.length + keyFindings.length} mandatory, ${violations.length - mandatory.length} advisory violation(s)`,
  );
  if (args.matrix) {
    const cells = await accessMatrix(planPrincipals(plan), planLocations(plan));
    console.log(cells.length > 0 ? `\n${formatMatrix(cells)}` : "\naccess matrix: the plan has no roles");
  }
  return mandatory.length + keyFindings.length > 0 ? 1 : 0;
}

if (require.main === module) runAsMain(main);
