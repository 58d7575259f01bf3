import type { Plan, PlanResource } from "../infra/preview/plan";
import { REDACTED } from "../infra/preview/harness";
import { checkKeyServices } from "../infra/policy/key-services";
import { named, ofType, policyOf, preview } from "./helpers";

const ACCOUNT = "123456789012";
const GLUE = `arn:aws:glue:us-east-1:${ACCOUNT}`;
const LOGS = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group`;
const SILVER_JOB = "brewery-transform-bronze-to-silver";
const GOLD_JOB = "brewery-transform-silver-to-gold";
const RUNTIME = "brewery-transform-runtime";

type Statement = Record<string, unknown>;
const arguments_ = (job: PlanResource) => ({
  ...(job.inputs.defaultArguments as Record<string, string>),
  ...(job.inputs.nonOverridableArguments as Record<string, string>),
});
const statement = (policy: PlanResource, sid: string): Statement => {
  const found = policyOf(policy).Statement.find((s) => s.Sid === sid);
  if (!found) throw new Error(`${policy.name} has no statement ${sid}`);
  return found;
};
const urnOf = (plan: Plan, name: string, type?: string) => named(plan, name, type).urn;

describe("the Glue jobs at run time (dev, offline preview)", () => {
  let plan: Plan;
  beforeAll(async () => {
    ({ plan } = await preview("dev"));
  }, 180_000);

  describe("the hash key of `hash` masks (silver failed on profile.username without it)", () => {
    it("passes the environment's secret to the silver job, fixed per run, and to no other job", () => {
      const secret = named(plan, "brewery-hash-key-secret", "aws:secretsmanager/secret:Secret");
      const silver = named(plan, SILVER_JOB).inputs.nonOverridableArguments as Record<string, string>;
      // spark_runner.py's reference form: aws-secretsmanager:<secret id or ARN> (the mock suffixes ARNs).
      expect(silver["--hash-key-secret"]).toMatch(
        new RegExp(
          `^aws-secretsmanager:arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:brewery/dev/hash-key-`,
        ),
      );
      expect(named(plan, SILVER_JOB).dependencies?.nonOverridableArguments).toContain(secret.urn);
      expect(arguments_(named(plan, GOLD_JOB))["--hash-key-secret"]).toBeUndefined();
    });

    it("keeps the value a Pulumi secret, generated, never in the plan in clear", () => {
      const version = named(plan, "brewery-hash-key-value");
      expect(version.inputs.secretString).toBe(REDACTED);
      // The offline mock answers GetRandomPassword with 64 × "x"; it must appear nowhere in the plan.
      expect(JSON.stringify(plan)).not.toContain("x".repeat(64));
    });

    it("is under its own rotating customer key, tagged rotation=external and never rotated", () => {
      const secret = named(plan, "brewery-hash-key-secret");
      const key = named(plan, "brewery-hash-key-key", "aws:kms/key:Key");
      expect(secret.dependencies?.kmsKeyId).toEqual([key.urn]);
      expect(key.inputs.enableKeyRotation).toBe(true);
      expect(secret.inputs.tags).toMatchObject({ rotation: "external" });
      const rotations = ofType(plan, "aws:secretsmanager/secretRotation:SecretRotation");
      expect(rotations.filter((r) => r.dependencies?.secretId?.includes(secret.urn))).toEqual([]);
    });

    it("lets the job role read only that secret, and decrypt it only through Secrets Manager", () => {
      const grant = named(plan, "brewery-hash-key-read-transform-job");
      expect(grant.inputs.role).toBe("brewery-dev-transform-job");
      const secret = named(plan, "brewery-hash-key-secret");
      expect(grant.dependencies?.policy).toEqual(expect.arrayContaining([secret.urn]));
      const read = statement(grant, "ReadHashKey");
      expect(read.Action).toEqual(expect.arrayContaining(["secretsmanager:GetSecretValue"]));
      expect(typeof read.Resource).toBe("string");
      const decrypt = statement(grant, "DecryptHashKeyThroughSecretsManager");
      expect(decrypt).toMatchObject({
        Action: ["kms:Decrypt"],
        Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
      });
      expect(named(plan, SILVER_JOB).dependsOn).toEqual(expect.arrayContaining([grant.urn]));
    });
  });

  describe("Glue 5.0 logging (the jobs had Glue 4.0 continuous-logging arguments)", () => {
    const prefix = "/aws-glue/jobs/brewery-dev-transform";
    const groups = [`${prefix}/error-brewery-dev-transform`, `${prefix}/output-brewery-dev-transform`];

    it("sets Glue 5.0's log group prefix and none of Glue 4.0's continuous-logging arguments", () => {
      for (const job of ofType(plan, "aws:glue/job:Job")) {
        const args = arguments_(job);
        expect(args["--enable-continuous-cloudwatch-log"]).toBeUndefined();
        expect(args["--continuous-log-logGroup"]).toBeUndefined();
        expect(
          (job.inputs.nonOverridableArguments as Record<string, string>)["--custom-logGroup-prefix"],
        ).toBe(prefix);
      }
    });

    it("creates the groups Glue writes under the security configuration, encrypted, with a retention", () => {
      const created = ofType(plan, "aws:cloudwatch/logGroup:LogGroup").filter((g) =>
        String(g.inputs.name).startsWith(`${prefix}/`),
      );
      expect(created.map((g) => g.inputs.name).sort()).toEqual(groups);
      const artifactsKey = urnOf(plan, "brewery-artifacts-key", "aws:kms/key:Key");
      for (const group of created) {
        expect(group.dependencies?.kmsKeyId).toEqual([artifactsKey]);
        expect(group.inputs.retentionInDays).toBe(30);
      }
    });

    it("lets the role write those groups and associate their key, and CloudWatch Logs use the key", async () => {
      const logs = statement(named(plan, RUNTIME), "EncryptedJobLogs");
      expect(logs.Action).toEqual(
        expect.arrayContaining(["logs:AssociateKmsKey", "logs:CreateLogStream", "logs:PutLogEvents"]),
      );
      expect(logs.Resource).toEqual(
        expect.arrayContaining(groups.flatMap((g) => [`${LOGS}:${g}`, `${LOGS}:${g}:*`])),
      );
      const findings = await checkKeyServices(plan);
      expect(findings.filter((f) => f.message.includes("/aws-glue/") || f.urn.includes("transform"))).toEqual(
        [],
      );
    });

    it("lets the jobs publish --enable-metrics metrics to the Glue namespace only", () => {
      expect(statement(named(plan, RUNTIME), "JobMetrics")).toEqual({
        Sid: "JobMetrics",
        Effect: "Allow",
        Action: ["cloudwatch:PutMetricData"],
        Resource: "*",
        Condition: { StringEquals: { "cloudwatch:namespace": "Glue" } },
      });
    });
  });

  describe("the job role's size (it named every table twice: 54,906 characters at 100 tables)", () => {
    it("grants the tables of its three databases, one ARN each, and names no table", () => {
      const databases = ["brewery_dev_silver", "brewery_dev_gold", "brewery_dev_quarantine"];
      const expected = [
        `${GLUE}:catalog`,
        ...databases.map((db) => `${GLUE}:database/${db}`),
        ...databases.map((db) => `${GLUE}:table/${db}/*`),
      ];
      for (const sid of ["ReadCatalog", "CommitTables"]) {
        expect(statement(named(plan, RUNTIME), sid).Resource).toEqual(expected);
      }
    });
  });
});

describe("failure alarms of the transformations (dev, offline preview)", () => {
  let plan: Plan;
  beforeAll(async () => {
    ({ plan } = await preview("dev"));
  }, 180_000);

  // workflow-definitions.ts said "the failed-execution alarm still fires" when no such alarm existed.
  it.each(["bronze-to-silver", "silver-to-gold"])(
    "alarms on ExecutionsFailed of the %s state machine, to the alert topic",
    (stage) => {
      const machine = named(plan, `brewery-workflows-machines-${stage}`, "aws:sfn/stateMachine:StateMachine");
      const alarm = named(
        plan,
        `brewery-workflows-machines-${stage}-failed`,
        "aws:cloudwatch/metricAlarm:MetricAlarm",
      );
      expect(alarm.inputs).toMatchObject({
        namespace: "AWS/States",
        metricName: "ExecutionsFailed",
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        alarmActions: [`arn:aws:sns:us-east-1:${ACCOUNT}:brewery-dev-alerts`],
      });
      expect(alarm.dependencies?.dimensions).toEqual([machine.urn]);
    },
  );

  it("sends every failed, timed-out or errored run of both Glue jobs to the alert topic, with a DLQ", () => {
    const rule = named(plan, "brewery-workflows-job-failed-rule", "aws:cloudwatch/eventRule:EventRule");
    expect(JSON.parse(rule.inputs.eventPattern as string)).toEqual({
      source: ["aws.glue"],
      "detail-type": ["Glue Job State Change"],
      detail: {
        jobName: ["brewery-dev-bronze-to-silver", "brewery-dev-silver-to-gold"],
        state: ["FAILED", "TIMEOUT", "ERROR"],
      },
    });
    const target = named(
      plan,
      "brewery-workflows-job-failed-alert",
      "aws:cloudwatch/eventTarget:EventTarget",
    );
    const dlq = named(plan, "brewery-workflows-job-failed-dlq", "aws:sqs/queue:Queue");
    expect(target.inputs.arn).toBe(`arn:aws:sns:us-east-1:${ACCOUNT}:brewery-dev-alerts`);
    expect(target.dependencies?.deadLetterConfig).toEqual([dlq.urn]);
    // EventBridge encrypts what it sends to the DLQ with the queue's key: the alert key admits it.
    const alertKey = plan.resources.find(
      (r) => r.type === "aws:kms/key:Key" && r.name === "brewery-alerts-key",
    );
    expect(dlq.dependencies?.kmsMasterKeyId).toEqual([alertKey?.urn]);
    const queuePolicy = plan.resources.find(
      (r) => r.type === "aws:sqs/queuePolicy:QueuePolicy" && r.dependencies?.queueUrl?.includes(dlq.urn),
    );
    const sender = policyOf(queuePolicy!).Statement.find((s) => s.Sid === "AllowServiceSender");
    expect(sender).toMatchObject({ Principal: { Service: "events.amazonaws.com" } });
  });
});

describe("the hash key in a protected environment (prod, offline preview)", () => {
  it("protects and retains the secret, its value and its key", async () => {
    const { plan } = await preview("prod");
    for (const name of ["brewery-hash-key-secret", "brewery-hash-key-value", "brewery-hash-key-key"]) {
      const resource = plan.resources.find((r) => r.name === name && r.custom);
      expect({ name, protect: resource?.protect, retainOnDelete: resource?.retainOnDelete }).toEqual({
        name,
        protect: true,
        retainOnDelete: true,
      });
    }
  }, 180_000);
});
