import { asList, deniesInsecureTransport, jsonInput, statementsOf } from "../stack-view";
import type { Rule, RuleResource, StackView } from "../types";

export const BUCKET = "aws:s3/bucket:Bucket";
const LOGGING = "aws:s3/bucketLogging:BucketLogging";
const PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const PUBLIC_ACCESS_FLAGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
] as const;

/** Buckets other buckets send their access logs to: they cannot log to themselves. */
function logTargets(stack: StackView): Set<string> {
  return new Set(stack.ofType(LOGGING).flatMap((l) => [...(l.dependencies.targetBucket ?? [])]));
}

export const s3AccessLogs: Rule = {
  id: "aws-s3-access-logs",
  kind: "stack",
  description:
    "Every S3 bucket sends server access logs to a log bucket (the log bucket itself is exempt). Mirrors cdk-nag AwsSolutions-S1 and Checkov CKV_AWS_18.",
  sources: [
    { source: "cdk-nag AwsSolutions", id: "S1" },
    { source: "Checkov", id: "CKV_AWS_18" },
  ],
  enforcement: "mandatory",
  check(stack) {
    const targets = logTargets(stack);
    return stack
      .ofType(BUCKET)
      .filter((b) => !targets.has(b.urn) && stack.dependents(b, LOGGING, "bucket").length === 0)
      .map((b) => ({
        urn: b.urn,
        message: `bucket ${b.name} has no server access logging (aws.s3.BucketLogging)`,
      }));
  },
};

export const s3PublicAccessBlocked: Rule = {
  id: "aws-s3-public-access-blocked",
  kind: "stack",
  description:
    "Every S3 bucket has a public-access block with all four settings on. Mirrors cdk-nag AwsSolutions-S2 and Checkov CKV_AWS_53/54/55/56.",
  sources: [
    { source: "cdk-nag AwsSolutions", id: "S2" },
    { source: "Checkov", id: "CKV_AWS_53" },
  ],
  enforcement: "mandatory",
  check(stack) {
    const out: { urn: string; message: string }[] = [];
    for (const bucket of stack.ofType(BUCKET)) {
      const blocks = stack.dependents(bucket, PUBLIC_ACCESS_BLOCK, "bucket");
      if (blocks.length === 0) {
        out.push({ urn: bucket.urn, message: `bucket ${bucket.name} has no public-access block` });
        continue;
      }
      for (const block of blocks) {
        const off = PUBLIC_ACCESS_FLAGS.filter((flag) => block.inputs[flag] !== true);
        if (off.length > 0) {
          out.push({
            urn: block.urn,
            message: `public-access block of bucket ${bucket.name} does not set ${off.join(", ")} to true`,
          });
        }
      }
    }
    return out;
  },
};

export const s3TlsOnly: Rule = {
  id: "aws-s3-tls-only",
  kind: "stack",
  description:
    "Every S3 bucket's policy denies requests without TLS (aws:SecureTransport false) on the bucket and its objects. Mirrors cdk-nag AwsSolutions-S10.",
  sources: [{ source: "cdk-nag AwsSolutions", id: "S10" }],
  enforcement: "mandatory",
  check(stack) {
    const out: { urn: string; message: string }[] = [];
    for (const bucket of stack.ofType(BUCKET)) {
      const policies = stack.dependents(bucket, BUCKET_POLICY, "bucket");
      if (!policies.some((p) => coversBucketAndObjects(p, bucket))) {
        out.push({
          urn: bucket.urn,
          message: `bucket ${bucket.name} has no policy denying non-TLS requests to the bucket and its objects`,
        });
      }
    }
    return out;
  },
};

function coversBucketAndObjects(policy: RuleResource, bucket: RuleResource): boolean {
  const name = bucket.inputs.bucket;
  return statementsOf(jsonInput(policy, "policy")).some((s) => {
    if (!deniesInsecureTransport(s)) return false;
    const actions = asList(s.Action);
    if (!actions.includes("s3:*")) return false;
    const resources = asList(s.Resource);
    // Without a known name (autonamed under CrossGuard), trust the dependency and require both shapes.
    if (typeof name !== "string")
      return resources.some((r) => r.endsWith("/*")) && resources.some((r) => !r.endsWith("/*"));
    return resources.includes(`arn:aws:s3:::${name}`) && resources.includes(`arn:aws:s3:::${name}/*`);
  });
}

export const kmsRotation: Rule = {
  id: "aws-kms-rotation",
  kind: "resource",
  types: ["aws:kms/key:Key"],
  description:
    "Symmetric customer-managed KMS keys rotate automatically (an absent setting means off). Mirrors cdk-nag AwsSolutions-KMS5 and Checkov CKV_AWS_7.",
  sources: [
    { source: "cdk-nag AwsSolutions", id: "KMS5" },
    { source: "Checkov", id: "CKV_AWS_7" },
  ],
  enforcement: "mandatory",
  check(key) {
    const spec = key.inputs.customerMasterKeySpec ?? key.inputs.keySpec;
    if (spec !== undefined && spec !== "SYMMETRIC_DEFAULT") return [];
    return key.inputs.enableKeyRotation === true
      ? []
      : [`key ${key.name} does not enable automatic rotation`];
  },
};

/** Exported for the encryption rule: which key a bucket's default encryption uses, if any. */
export function bucketEncryption(stack: StackView, bucket: RuleResource): RuleResource[] {
  return stack.dependents(
    bucket,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "bucket",
  );
}
