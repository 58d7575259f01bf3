import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { previewStack } from "../preview/preview";
import type { Plan, PlanResource } from "../preview/plan";
import AjvDraft04 from "ajv-draft-04";
import { main } from "./cli";

const ROOT = path.resolve(__dirname, "..", "..");

function captureConsole() {
  const out: string[] = [];
  jest.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  jest.spyOn(console, "error").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  return () => out.join("\n");
}

afterEach(() => jest.restoreAllMocks());

let dev: Plan;
beforeAll(async () => {
  ({ plan: dev } = await previewStack({ root: ROOT, stack: "dev" }));
});

/** Writes `plan` with `edit` applied to a copy, returning the file path. */
function planFile(edit: (resources: PlanResource[]) => PlanResource[]): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "medallion-policy-")), "plan.json");
  fs.writeFileSync(file, JSON.stringify({ ...dev, resources: edit(structuredClone(dev.resources)) }));
  return file;
}

function editInputs(name: string, edit: (inputs: Record<string, unknown>) => void) {
  return (resources: PlanResource[]) => {
    const target = resources.find((r) => r.name === name);
    if (!target) throw new Error(`no ${name} in the dev plan`);
    edit(target.inputs);
    return resources;
  };
}

describe("npm run policy", () => {
  it.each(["dev", "prod"])("passes the shipped %s stack", async (stack) => {
    const output = captureConsole();
    expect(await main(["--stack", stack], ROOT)).toBe(0);
    expect(output()).toMatch(/: 0 mandatory, 0 advisory violation\(s\)$/);
  });

  it("fails a plan whose key rotation is turned off, naming the rule", async () => {
    const output = captureConsole();
    const file = planFile(editInputs("brewery-gold-key", (i) => (i.enableKeyRotation = false)));
    expect(await main(["--plan", file])).toBe(1);
    expect(output()).toContain(
      "[mandatory] aws-kms-rotation  medallion:aws:CustomerKey$aws:kms/key:Key::brewery-gold-key\n    key brewery-gold-key does not enable automatic rotation",
    );
  });

  it("fails a plan whose public-access block is loosened", async () => {
    const output = captureConsole();
    const file = planFile(editInputs("brewery-raw-public-access", (i) => (i.blockPublicPolicy = false)));
    expect(await main(["--plan", file])).toBe(1);
    expect(output()).toContain(
      "public-access block of bucket brewery-raw does not set blockPublicPolicy to true",
    );
    expect(output()).toContain("[mandatory] aws-s3-public-access-blocked");
  });

  it("fails a plan with a wildcard IAM statement added", async () => {
    const output = captureConsole();
    const file = planFile((resources) => [
      ...resources,
      {
        urn: "urn:pulumi:dev::medallion::aws:iam/rolePolicy:RolePolicy::sneaky",
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "sneaky",
        parent: null,
        custom: true,
        protect: false,
        retainOnDelete: false,
        inputs: {
          role: "x",
          policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
        },
        dependencies: {},
      },
    ]);
    expect(await main(["--plan", file])).toBe(1);
    expect(output()).toContain(
      '[mandatory] aws-iam-no-wildcards  aws:iam/rolePolicy:RolePolicy::sneaky\n    policy sneaky statement 0 allows wildcard action "*"',
    );
  });

  it("fails a plan with a queue whose redrive policy was removed", async () => {
    const output = captureConsole();
    const queue: PlanResource = {
      urn: "urn:pulumi:dev::medallion::aws:sqs/queue:Queue::jobs",
      type: "aws:sqs/queue:Queue",
      name: "jobs",
      parent: null,
      custom: true,
      protect: false,
      retainOnDelete: false,
      inputs: {
        kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/k",
        tags: { project: "p", environment: "dev", "managed-by": "m" },
      },
      dependencies: {},
    };
    const policy: PlanResource = {
      ...queue,
      urn: "urn:pulumi:dev::medallion::aws:sqs/queuePolicy:QueuePolicy::jobs-policy",
      type: "aws:sqs/queuePolicy:QueuePolicy",
      name: "jobs-policy",
      inputs: {
        policy: JSON.stringify({
          Statement: [
            {
              Effect: "Deny",
              Principal: "*",
              Action: "sqs:*",
              Resource: "*",
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      },
      dependencies: { queueUrl: [queue.urn] },
    };
    const file = planFile((resources) => [...resources, queue, policy]);
    expect(await main(["--plan", file])).toBe(1);
    expect(output()).toContain(
      "[mandatory] aws-sqs-dlq  aws:sqs/queue:Queue::jobs\n    queue jobs is not a dead-letter queue and has no redrive policy",
    );
  });

  it("applies the protected-environment rules to a plan that records it, or when asked", async () => {
    const output = captureConsole();
    const unprotectedBucket = planFile(editInputs("brewery-raw", () => undefined));
    expect(await main(["--plan", unprotectedBucket])).toBe(0);
    expect(await main(["--plan", unprotectedBucket, "--protected"])).toBe(1);
    expect(output()).toContain("[mandatory] medallion-protected-data-stores");
  });

  it("exits 2 on usage errors and 1 on an unreadable plan", async () => {
    const output = captureConsole();
    expect(await main([])).toBe(2);
    expect(await main(["--stack", "dev", "--plan", "x.json"])).toBe(2);
    expect(await main(["--plan", "/nonexistent/plan.json"])).toBe(1);
    expect(output()).toContain("give exactly one of --stack or --plan");
  });

  it("writes SARIF 2.1.0 that validates against the OASIS schema, one result per violation", async () => {
    const output = captureConsole();
    const file = planFile(editInputs("brewery-gold-key", (i) => (i.enableKeyRotation = false)));
    const sarifFile = path.join(path.dirname(file), "out", "policy.sarif");
    expect(await main(["--plan", file, "--sarif", sarifFile])).toBe(1);
    expect(output()).toContain(`SARIF written to ${sarifFile}`);
    const sarif = JSON.parse(fs.readFileSync(sarifFile, "utf8"));
    // The schema as OASIS publishes it (sarif-spec sarif-2.1/schema/sarif-schema-2.1.0.json, draft-04).
    const ajv = new AjvDraft04({ allErrors: true, strict: false });
    const validate = ajv.compile(
      JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "sarif-schema-2.1.0.json"), "utf8")),
    );
    expect(validate(sarif) ? [] : validate.errors).toEqual([]);
    const [run] = sarif.runs;
    expect(run.results).toEqual([
      expect.objectContaining({
        ruleId: "aws-kms-rotation",
        level: "error",
        message: { text: expect.stringContaining("key brewery-gold-key does not enable automatic rotation") },
        locations: [
          expect.objectContaining({
            physicalLocation: { artifactLocation: { uri: "Pulumi.dev.yaml" }, region: { startLine: 1 } },
          }),
        ],
      }),
    ]);
    expect(run.tool.driver.rules[run.results[0].ruleIndex].id).toBe("aws-kms-rotation");
    // Not schema-valid without a rule list: a broken document must fail the validation above.
    expect(validate({ ...sarif, version: "2.0.0" })).toBe(false);
  });

  it("prints one JSON document with --json", async () => {
    const output = captureConsole();
    const file = planFile(editInputs("brewery-gold-key", (i) => (i.enableKeyRotation = false)));
    expect(await main(["--plan", file, "--json"])).toBe(1);
    const report = JSON.parse(output());
    expect(report).toEqual({
      subject: "medallion/dev",
      resources: dev.resources.length,
      mandatory: 1,
      advisory: 0,
      keyServiceCheck: "run",
      violations: [expect.objectContaining({ rule: "aws-kms-rotation", enforcement: "mandatory" })],
    });
  });
});
