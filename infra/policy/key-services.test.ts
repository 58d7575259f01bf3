import type { Plan, PlanResource } from "../preview/plan";
import { checkKeyServices, keyServiceUses } from "./key-services";

const ACCOUNT = "123456789012";
const ROOT_STATEMENT = {
  Sid: "EnableIamPolicies",
  Effect: "Allow",
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: "kms:*",
  Resource: "*",
};
/** What the artifacts key had before issue 13: Logs under aws:SourceAccount, two actions only. */
const PUBLISH_ONLY = {
  Sid: "AllowServicesInThisAccount",
  Effect: "Allow",
  Principal: { Service: ["logs.us-east-1.amazonaws.com"] },
  Action: ["kms:GenerateDataKey", "kms:Decrypt"],
  Resource: "*",
  Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
};
const logsStatement = (logGroupArn: string) => ({
  Sid: "AllowCloudWatchLogs",
  Effect: "Allow",
  Principal: { Service: "logs.us-east-1.amazonaws.com" },
  Action: [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
  ],
  Resource: "*",
  Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": logGroupArn } },
});

function resource(type: string, name: string, inputs: Record<string, unknown>, deps = {}): PlanResource {
  return {
    urn: `urn:pulumi:dev::medallion::${type}::${name}`,
    type,
    name,
    parent: null,
    custom: true,
    protect: false,
    retainOnDelete: false,
    inputs,
    dependencies: deps,
  };
}

/** A plan with one key (its policy statements given) and one log group encrypted with it. */
function planWith(statements: unknown[], groupName = "/aws-glue/jobs/brewery-dev-transform"): Plan {
  const key = resource("aws:kms/key:Key", "artifacts-key", {
    policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
  });
  const group = resource(
    "aws:cloudwatch/logGroup:LogGroup",
    "transform-logs",
    { name: groupName, kmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/abc` },
    { kmsKeyId: [key.urn] },
  );
  return { project: "medallion", stack: "dev", resources: [key, group] };
}

describe("customer keys admit the services that encrypt with them", () => {
  it("finds each log group encrypted with a key, with the KMS calls CloudWatch Logs makes", () => {
    const uses = keyServiceUses(planWith([ROOT_STATEMENT]));
    expect(uses).toHaveLength(1);
    expect(uses[0]!.service).toBe("logs.us-east-1.amazonaws.com");
    expect(uses[0]!.requests.map((r) => r.action)).toContain("kms:Encrypt");
    expect(uses[0]!.requests[0]!.context).toEqual({
      "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws-glue/jobs/brewery-dev-transform`,
    });
  });

  it("fails if the key admits Logs only for publishing (issue 13 item 1: the artifacts key)", async () => {
    // Logs' requests carry no aws:SourceAccount (its guide conditions on the encryption context only),
    // so the statement admits none of them.
    const findings = await checkKeyServices(planWith([ROOT_STATEMENT, PUBLISH_ONLY]));
    expect(findings).toEqual([
      {
        urn: "urn:pulumi:dev::medallion::aws:cloudwatch/logGroup:LogGroup::transform-logs",
        message:
          "transform-logs is encrypted with artifacts-key, whose key policy refuses logs.us-east-1.amazonaws.com: " +
          "kms:Encrypt, kms:Decrypt, kms:ReEncryptFrom, kms:ReEncryptTo, kms:GenerateDataKey, kms:GenerateDataKeyWithoutPlaintext, kms:DescribeKey",
      },
    ]);
  });

  it("fails if the key delegates to IAM only (a service is no IAM principal of the account)", async () => {
    expect(await checkKeyServices(planWith([ROOT_STATEMENT]))).toHaveLength(1);
  });

  it("fails if the encryption-context condition names another log group", async () => {
    const other = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/*`;
    expect(await checkKeyServices(planWith([ROOT_STATEMENT, logsStatement(other)]))).toHaveLength(1);
  });

  it("passes with the Logs guide's statement for the account's log groups", async () => {
    const all = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:*`;
    expect(await checkKeyServices(planWith([ROOT_STATEMENT, logsStatement(all)]))).toEqual([]);
  });

  describe("for alert topics", () => {
    /** A topic under a key, whose topic policy lets CloudWatch and EventBridge publish. */
    function topicPlan(keyStatements: unknown[]): Plan {
      const key = resource("aws:kms/key:Key", "alerts-key", {
        policy: JSON.stringify({ Version: "2012-10-17", Statement: keyStatements }),
      });
      const topic = resource(
        "aws:sns/topic:Topic",
        "alerts",
        { kmsMasterKeyId: "arn" },
        { kmsMasterKeyId: [key.urn] },
      );
      const policy = resource(
        "aws:sns/topicPolicy:TopicPolicy",
        "alerts-policy",
        {
          policy: JSON.stringify({
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
                Action: "sns:Publish",
                Resource: "arn",
              },
            ],
          }),
        },
        { arn: [topic.urn] },
      );
      return { project: "medallion", stack: "dev", resources: [key, topic, policy] };
    }
    const publishers = (services: string[], condition?: unknown) => ({
      Effect: "Allow",
      Principal: { Service: services },
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: "*",
      ...(condition ? { Condition: condition } : {}),
    });

    it("fails if EventBridge is admitted only under aws:SourceAccount (issue 13 item 8)", async () => {
      const sourceAccount = { StringEquals: { "aws:SourceAccount": ACCOUNT } };
      const findings = await checkKeyServices(
        topicPlan([
          ROOT_STATEMENT,
          publishers(["cloudwatch.amazonaws.com", "events.amazonaws.com"], sourceAccount),
        ]),
      );
      expect(findings.map((f) => f.message)).toEqual([
        "alerts is encrypted with alerts-key, whose key policy refuses events.amazonaws.com: kms:GenerateDataKey, kms:Decrypt",
      ]);
    });

    it("passes when each publisher is admitted with what its calls carry", async () => {
      const sourceAccount = { StringEquals: { "aws:SourceAccount": ACCOUNT } };
      const plan = topicPlan([
        ROOT_STATEMENT,
        publishers(["cloudwatch.amazonaws.com"], sourceAccount),
        publishers(["events.amazonaws.com"]),
      ]);
      expect(await checkKeyServices(plan)).toEqual([]);
    });
  });
});
