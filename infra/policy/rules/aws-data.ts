import { at } from "../stack-view";
import type { Rule, RuleResource } from "../types";

const GLUE_JOB = "aws:glue/job:Job";
const GLUE_SECURITY_CONFIGURATION = "aws:glue/securityConfiguration:SecurityConfiguration";
const SECRET = "aws:secretsmanager/secret:Secret";
const SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";

/** Tag value on a secret whose credential is issued by a third party with no rotator to run. */
export const EXTERNAL_ROTATION_TAG = { key: "rotation", value: "external" } as const;

export const dynamoDbPointInTimeRecovery: Rule = {
  id: "aws-dynamodb-pitr",
  kind: "resource",
  types: ["aws:dynamodb/table:Table"],
  description:
    "Every DynamoDB table has point-in-time recovery on. Mirrors cdk-nag AwsSolutions-DDB3 and Checkov CKV_AWS_28.",
  sources: [
    { source: "cdk-nag AwsSolutions", id: "DDB3" },
    { source: "Checkov", id: "CKV_AWS_28" },
  ],
  enforcement: "mandatory",
  check(table) {
    return at(table.inputs, "pointInTimeRecovery", "enabled") === true
      ? []
      : [`table ${table.name} does not enable point-in-time recovery`];
  },
};

export const kinesisEncryption: Rule = {
  id: "aws-kinesis-encryption",
  kind: "resource",
  types: ["aws:kinesis/stream:Stream"],
  description:
    "Every Kinesis data stream is encrypted with KMS. Mirrors cdk-nag AwsSolutions-KDS1 and Checkov CKV_AWS_43.",
  sources: [
    { source: "cdk-nag AwsSolutions", id: "KDS1" },
    { source: "Checkov", id: "CKV_AWS_43" },
  ],
  enforcement: "mandatory",
  check(stream) {
    return stream.inputs.encryptionType === "KMS" ? [] : [`stream ${stream.name} is not encrypted with KMS`];
  },
};

export const firehoseEncryption: Rule = {
  id: "aws-firehose-encryption",
  kind: "resource",
  types: ["aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"],
  description:
    "Every Firehose delivery stream enables server-side encryption, except Kinesis-sourced streams: their records stay encrypted by the source stream and Firehose refuses SSE for them (documented exception). Mirrors cdk-nag AwsSolutions-KDF1.",
  sources: [{ source: "cdk-nag AwsSolutions", id: "KDF1" }],
  enforcement: "mandatory",
  check(stream) {
    if (stream.inputs.kinesisSourceConfiguration) return [];
    return at(stream.inputs, "serverSideEncryption", "enabled") === true
      ? []
      : [`delivery stream ${stream.name} does not enable server-side encryption`];
  },
};

export const glueSecurityConfiguration: Rule = {
  id: "aws-glue-security-configuration",
  kind: "stack",
  description:
    "Every Glue job runs under a security configuration that encrypts S3 output (SSE-KMS), CloudWatch logs (SSE-KMS) and job bookmarks (CSE-KMS). Mirrors cdk-nag AwsSolutions-GL1 and GL3.",
  sources: [
    { source: "cdk-nag AwsSolutions", id: "GL1" },
    { source: "cdk-nag AwsSolutions", id: "GL3" },
  ],
  enforcement: "mandatory",
  check(stack) {
    const out: { urn: string; message: string }[] = [];
    const configurations = stack.ofType(GLUE_SECURITY_CONFIGURATION);
    for (const job of stack.ofType(GLUE_JOB)) {
      const configuration = configurations.find(
        (c) =>
          (job.dependencies.securityConfiguration ?? []).includes(c.urn) ||
          (typeof job.inputs.securityConfiguration === "string" &&
            c.inputs.name === job.inputs.securityConfiguration),
      );
      if (!configuration) {
        out.push({ urn: job.urn, message: `Glue job ${job.name} has no security configuration` });
        continue;
      }
      const missing = glueEncryptionGaps(configuration);
      if (missing.length > 0) {
        out.push({
          urn: configuration.urn,
          message: `security configuration ${configuration.name} of Glue job ${job.name} does not encrypt ${missing.join(", ")}`,
        });
      }
    }
    return out;
  },
};

function glueEncryptionGaps(configuration: RuleResource): string[] {
  const encryption = at(configuration.inputs, "encryptionConfiguration");
  const gaps: string[] = [];
  if (at(encryption, "s3Encryption", "s3EncryptionMode") !== "SSE-KMS") gaps.push("S3 output (SSE-KMS)");
  if (at(encryption, "cloudwatchEncryption", "cloudwatchEncryptionMode") !== "SSE-KMS")
    gaps.push("CloudWatch logs (SSE-KMS)");
  if (at(encryption, "jobBookmarksEncryption", "jobBookmarksEncryptionMode") !== "CSE-KMS")
    gaps.push("job bookmarks (CSE-KMS)");
  return gaps;
}

export const athenaWorkgroup: Rule = {
  id: "aws-athena-workgroup",
  kind: "resource",
  types: ["aws:athena/workgroup:Workgroup"],
  description:
    "Every Athena workgroup enforces its configuration (clients cannot override it) and encrypts query results with KMS. Mirrors Checkov CKV_AWS_82 and cdk-nag AwsSolutions-ATH1.",
  sources: [
    { source: "Checkov", id: "CKV_AWS_82" },
    { source: "cdk-nag AwsSolutions", id: "ATH1" },
  ],
  enforcement: "mandatory",
  check(workgroup) {
    const problems: string[] = [];
    const configuration = at(workgroup.inputs, "configuration");
    if (at(configuration, "enforceWorkgroupConfiguration") !== true) {
      problems.push(`workgroup ${workgroup.name} does not enforce its configuration`);
    }
    const option = at(configuration, "resultConfiguration", "encryptionConfiguration", "encryptionOption");
    if (option !== "SSE_KMS" && option !== "CSE_KMS") {
      problems.push(`workgroup ${workgroup.name} does not encrypt query results with KMS`);
    }
    return problems;
  },
};

export const secretRotation: Rule = {
  id: "aws-secret-rotation",
  kind: "stack",
  description: `Every Secrets Manager secret rotates, unless it holds a third-party credential with no rotator, declared by the tag ${EXTERNAL_ROTATION_TAG.key}=${EXTERNAL_ROTATION_TAG.value}. Mirrors cdk-nag AwsSolutions-SMG4.`,
  sources: [{ source: "cdk-nag AwsSolutions", id: "SMG4" }],
  enforcement: "mandatory",
  check(stack) {
    return stack
      .ofType(SECRET)
      .filter(
        (s) =>
          at(s.inputs, "tags", EXTERNAL_ROTATION_TAG.key) !== EXTERNAL_ROTATION_TAG.value &&
          stack.dependents(s, SECRET_ROTATION, "secretId").length === 0,
      )
      .map((s) => ({
        urn: s.urn,
        message: `secret ${s.name} has no rotation and is not tagged ${EXTERNAL_ROTATION_TAG.key}=${EXTERNAL_ROTATION_TAG.value}`,
      }));
  },
};
