import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../../components/spec";
import { parseCli, runAsMain } from "../cli";
import { parsePlan, type Plan } from "../preview/plan";
import { previewStack } from "../preview/preview";
import { StackFileError } from "../preview/stack-file";
import { evaluatePlan, formatViolations } from "./evaluate";
import { toSarif } from "./sarif";

export const POLICY_USAGE = `usage: medallion policy --stack <name> | --plan <plan.json> [--protected] [--matrix] [--json] [--sarif <file>]
       (in this repository also: npm run policy -- <options>)

Runs the policy pack offline: over the offline preview of a stack (--stack), or over a plan written by
\`medallion preview --out\` (--plan). Prints each violation (rule, resource, message); exits 1 if any is
mandatory. It also simulates every use of a customer key by a service (a log group or an SNS topic encrypted with it)
against the key's policy, and fails on a refusal. A plan records whether its stack is protected; --protected forces the protected-environment rules.

  -s, --stack <name>   preview this stack of the project in the current folder, then check it
  -p, --plan <file>    check a plan file instead
      --protected      apply the protected-environment rules whatever the plan says
      --matrix         also print the IAM access matrix: every role × every encrypted bucket × read/write, as an
                       IAM policy simulator decides it from the plan's identity, bucket and key policies
      --json           print one JSON document: { subject, resources, mandatory, advisory, keyServiceCheck, violations }
      --sarif <file>   also write the results as SARIF 2.1.0 (GitHub code scanning: upload-sarif)
      --sarif-uri <p>  the file SARIF results point at (default Pulumi.<stack>.yaml)

Exit codes: 0 compliant, 1 mandatory violations or unreadable input, 2 usage error.`;

/** Exit codes: 0 compliant, 1 mandatory violations or unreadable input, 2 usage error. */
export async function main(argv: readonly string[], root = process.cwd()): Promise<number> {
  const parsed = parseCli(
    argv,
    {
      stack: { type: "string", short: "s" },
      plan: { type: "string", short: "p" },
      protected: { type: "boolean", default: false },
      matrix: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      sarif: { type: "string" },
      "sarif-uri": { type: "string" },
    },
    POLICY_USAGE,
  );
  if ("exit" in parsed) return parsed.exit;
  const args = parsed.values;
  if (Boolean(args.stack) === Boolean(args.plan)) {
    console.error(`give exactly one of --stack or --plan\n\n${POLICY_USAGE}`);
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
  const simulation = await loadSimulator();
  if (!simulation) console.error(SIMULATOR_MISSING); // stderr: stdout stays the JSON document
  if (!simulation && args.matrix) return 1;
  const keyFindings = simulation ? await simulation.keys.checkKeyServices(plan) : [];
  const subject = `${plan.project}/${plan.stack}${plan.protected || args.protected ? " (protected)" : ""}`;
  if (args.sarif) {
    fs.mkdirSync(path.dirname(path.resolve(args.sarif)), { recursive: true });
    const sarif = toSarif(plan, violations, keyFindings, { artifactUri: args["sarif-uri"] });
    fs.writeFileSync(args.sarif, `${JSON.stringify(sarif, null, 2)}\n`);
  }
  const matrix = simulation?.matrix;
  const cells =
    args.matrix && matrix
      ? await matrix.accessMatrix(matrix.planPrincipals(plan), matrix.planLocations(plan))
      : undefined;
  if (args.json) {
    const keyViolations = keyFindings.map((f) => ({
      rule: "key-service-access",
      enforcement: "mandatory",
      urn: f.urn,
      message: f.message,
    }));
    console.log(
      JSON.stringify(
        {
          subject,
          resources: plan.resources.length,
          mandatory: mandatory.length + keyFindings.length,
          advisory: violations.length - mandatory.length,
          keyServiceCheck: simulation ? "run" : "not run: @cloud-copilot/iam-simulate is not installed",
          violations: [...violations, ...keyViolations],
          ...(cells ? { matrix: cells } : {}),
        },
        null,
        2,
      ),
    );
    return mandatory.length + keyFindings.length > 0 ? 1 : 0;
  }
  for (const finding of keyFindings)
    console.log(`[mandatory] key-service-access  ${finding.urn}\n  ${finding.message}`);
  if (violations.length > 0) console.log(formatViolations(violations));
  console.log(
    `\npolicy: ${plan.resources.length} resources in ${subject}: ${mandatory.length + keyFindings.length} mandatory, ${violations.length - mandatory.length} advisory violation(s)`,
  );
  if (args.sarif) console.log(`SARIF written to ${args.sarif}`);
  if (cells && matrix)
    console.log(
      cells.length > 0 ? `\n${matrix.formatMatrix(cells)}` : "\naccess matrix: the plan has no roles",
    );
  return mandatory.length + keyFindings.length > 0 ? 1 : 0;
}

const SIMULATOR_MISSING =
  "note: the key-service check and --matrix run the IAM policy simulator @cloud-copilot/iam-simulate (AGPL-3.0, so the package does not ship it): install it beside the package (npm install --save-dev @cloud-copilot/iam-simulate@0.1.173) to run them. The key-service check was NOT run.";

/**
 * The IAM simulation (key-service check, access matrix), loaded only when used: it needs
 * @cloud-copilot/iam-simulate, a dev dependency here that the published package does not carry.
 */
async function loadSimulator() {
  try {
    return { keys: await import("./key-services"), matrix: await import("./access-matrix") };
  } catch (error) {
    if (/@cloud-copilot\//.test(String((error as Error).message))) return undefined;
    throw error;
  }
}

if (require.main === module) runAsMain(main);
