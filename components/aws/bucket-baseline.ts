import * as s3 from "@pulumi/aws/s3";
import type * as inputs from "@pulumi/aws/types/input";
import * as pulumi from "@pulumi/pulumi";
import { s3BucketName } from "../naming";
import type { AwsContext } from "./context";
import { denyInsecureTransport, policyJson, type Statement } from "./policy-documents";

/**
 * A bucket named `<nameParts...>-<account>-<region>` (globally unique, stable across stacks), never force-destroyed,
 * protected and retained on delete when `protect`. Give it `addBucketBaseline` next.
 */
export function accountBucket(
  parent: pulumi.Resource,
  name: string,
  args: {
    nameParts: readonly string[];
    context: AwsContext;
    tags?: Record<string, string>;
    protect: boolean;
  },
): s3.Bucket {
  return new s3.Bucket(
    name,
    {
      bucket: pulumi
        .all([args.context.accountId, args.context.region])
        .apply(([account, region]) => s3BucketName([...args.nameParts, account, region])),
      forceDestroy: false,
      tags: { ...args.tags },
    },
    { parent, protect: args.protect, retainOnDelete: args.protect },
  );
}

/** How a bucket's objects are encrypted at rest. */
export type BucketEncryption =
  | { readonly kind: "kms"; readonly keyArn: pulumi.Input<string> }
  /** SSE-S3, only for targets of S3 server access logging, which cannot deliver to SSE-KMS buckets. */
  | { readonly kind: "s3-managed" };

export interface BucketBaselineArgs {
  readonly bucket: s3.Bucket;
  readonly encryption: BucketEncryption;
  /** Statements added to the bucket policy after the TLS-only deny. @default none */
  readonly extraPolicyStatements?: readonly Statement[];
  /** Where server access logs go; omitted only for the log bucket itself. */
  readonly accessLogs?: { readonly bucket: pulumi.Input<string>; readonly prefix: string };
  readonly lifecycleRules: pulumi.Input<inputs.s3.BucketLifecycleConfigurationRule>[];
}

/** The children every bucket gets, returned so callers can depend on them. */
export interface BucketBaseline {
  readonly publicAccessBlock: s3.BucketPublicAccessBlock;
  readonly ownership: s3.BucketOwnershipControls;
  readonly versioning: s3.BucketVersioning;
  readonly encryption: s3.BucketServerSideEncryptionConfiguration;
  readonly policy: s3.BucketPolicy;
  readonly logging?: s3.BucketLogging;
  readonly lifecycle: s3.BucketLifecycleConfiguration;
}

/**
 * The hardening every bucket in the lakehouse shares: all four public-access blocks, ACLs disabled
 * (bucket owner enforced), versioning, default encryption with bucket keys, a TLS-only bucket policy,
 * server access logs and a lifecycle. Children are named `${name}-<purpose>` under `parent`.
 */
export function addBucketBaseline(
  parent: pulumi.Resource,
  name: string,
  args: BucketBaselineArgs,
): BucketBaseline {
  const opts = { parent };
  const bucket = args.bucket.id;
  const publicAccessBlock = new s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    opts,
  );
  const ownership = new s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
    opts,
  );
  const versioning = new s3.BucketVersioning(
    `${name}-versioning`,
    { bucket, versioningConfiguration: { status: "Enabled" } },
    opts,
  );
  const encryption = new s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    {
      bucket,
      rules: [
        args.encryption.kind === "kms"
          ? {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: "aws:kms",
                kmsMasterKeyId: args.encryption.keyArn,
              },
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    },
    opts,
  );
  const objects = pulumi.interpolate`${args.bucket.arn}/*`;
  const policy = new s3.BucketPolicy(
    `${name}-policy`,
    {
      bucket,
      policy: policyJson([
        denyInsecureTransport("s3:*", [args.bucket.arn, objects]),
        ...(args.extraPolicyStatements ?? []),
      ]),
    },
    // The public-access block must exist first, or a policy with service principals may be rejected.
    { parent, dependsOn: [publicAccessBlock] },
  );
  const logging = args.accessLogs
    ? new s3.BucketLogging(
        `${name}-logging`,
        {
          bucket,
          targetBucket: args.accessLogs.bucket,
          targetPrefix: args.accessLogs.prefix,
          targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
        },
        opts,
      )
    : undefined;
  const lifecycle = new s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    { bucket, rules: args.lifecycleRules },
    // Lifecycle rules on noncurrent versions need versioning on first.
    { parent, dependsOn: [versioning] },
  );
  return { publicAccessBlock, ownership, versioning, encryption, policy, logging, lifecycle };
}

/** Aborts multipart uploads left incomplete after `days`; every bucket carries it. */
export function abortIncompleteUploadsRule(days = 7): inputs.s3.BucketLifecycleConfigurationRule {
  return {
    id: "abort-incomplete-multipart-uploads",
    status: "Enabled",
    filter: {},
    abortIncompleteMultipartUpload: { daysAfterInitiation: days },
  };
}

/** Expires non-current object versions after `days` so versioning does not grow storage forever. */
export function expireNoncurrentVersionsRule(days: number): inputs.s3.BucketLifecycleConfigurationRule {
  return {
    id: "expire-noncurrent-versions",
    status: "Enabled",
    filter: {},
    noncurrentVersionExpiration: { noncurrentDays: days },
  };
}
