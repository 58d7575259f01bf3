import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import type { AwsAccessLogBucket } from "./access-log-bucket";
import {
  abortIncompleteUploadsRule,
  accountBucket,
  addBucketBaseline,
  expireNoncurrentVersionsRule,
} from "./bucket-baseline";
import type { AwsContext } from "./context";
import { AwsCustomerKey } from "./customer-key";
import { grantOnBucket, type GrantAccess } from "./layer-grants";
import type { AwsPrincipal } from "./medallion-layer";

/** Prefixes of the artifact bucket, each with its own lifecycle. */
export const ARTIFACT_PREFIXES = {
  /** The Spark runner and the generated plans. */
  transform: "transform/",
  /** Spark scratch space (`--TempDir`). */
  scratch: "tmp/",
  /** Athena query results. */
  athenaResults: "athena-results/",
} as const;

export interface AwsArtifactBucketArgs {
  readonly product: string;
  readonly environment: string;
  /** Where the bucket's server access logs go. */
  readonly accessLogs: AwsAccessLogBucket;
  readonly context: AwsContext;
  /** Days before scratch files and Athena results expire. @default 7 and 30 */
  readonly scratchDays?: number;
  readonly resultDays?: number;
  /** Keep bucket and key on `pulumi destroy`. @default false */
  readonly protect?: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The transformations' own bucket: the runner script and generated plans, Spark scratch space and Athena
 * results, under a customer key that also encrypts the jobs' and workflows' log groups (CloudWatch Logs may
 * use it in this account). Kept apart from the layers so the jobs can read their code but never rewrite it.
 */
export class AwsArtifactBucket extends pulumi.ComponentResource {
  readonly bucket: s3.Bucket;
  readonly key: AwsCustomerKey;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;

  private readonly logicalName: string;
  private readonly context: AwsContext;

  constructor(name: string, args: AwsArtifactBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:ArtifactBucket", name, {}, opts);
    const protect = args.protect ?? false;
    const scratchDays = args.scratchDays ?? 7;
    const resultDays = args.resultDays ?? 30;
    const context = args.context;
    this.logicalName = name;
    this.context = context;

    this.key = new AwsCustomerKey(
      `${name}-key`,
      {
        aliasParts: [args.product, args.environment, "transform"],
        description: `${args.product} ${args.environment} transformation artifacts, logs and query results`,
        context,
        encryptsLogs: true,
        protect,
        tags: args.tags,
      },
      { parent: this },
    );
    this.bucket = accountBucket(this, name, {
      nameParts: [args.product, args.environment, "artifacts"],
      context,
      tags: args.tags,
      protect,
    });
    addBucketBaseline(this, name, {
      bucket: this.bucket,
      encryption: { kind: "kms", keyArn: this.key.arn },
      accessLogs: { bucket: args.accessLogs.bucketName, prefix: "artifacts/" },
      lifecycleRules: [
        abortIncompleteUploadsRule(),
        expireNoncurrentVersionsRule(30),
        expirePrefix("expire-scratch", ARTIFACT_PREFIXES.scratch, scratchDays),
        expirePrefix("expire-athena-results", ARTIFACT_PREFIXES.athenaResults, resultDays),
      ],
    });
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, keyArn: this.key.arn });
  }

  /** `s3://<bucket>/<prefix>`. */
  uri(prefix: string): pulumi.Output<string> {
    return pulumi.interpolate`s3://${this.bucket.bucket}/${prefix}`;
  }

  /** Lets the role read objects under `prefix` and decrypt them through S3. */
  grantRead(principal: AwsPrincipal, prefix: string): iam.RolePolicy {
    return this.grant("read", principal, prefix);
  }

  /** Lets the role write objects under `prefix` encrypted with the bucket's key through S3. */
  grantWrite(principal: AwsPrincipal, prefix: string): iam.RolePolicy {
    return this.grant("write", principal, prefix);
  }

  private grant(access: GrantAccess, principal: AwsPrincipal, prefix: string): iam.RolePolicy {
    const target = {
      owner: this.logicalName,
      bucketArn: this.bucketArn,
      keyArn: this.key.arn,
      via: this.context,
      parent: this,
    };
    return grantOnBucket(target, access, principal, prefix);
  }
}

function expirePrefix(id: string, prefix: string, days: number) {
  return { id, status: "Enabled", filter: { prefix }, expiration: { days } };
}
