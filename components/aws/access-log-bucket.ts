import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import {
  abortIncompleteUploadsRule,
  accountBucket,
  addBucketBaseline,
  expireNoncurrentVersionsRule,
} from "./bucket-baseline";
import { awsContext, type AwsContext } from "./context";

export interface AwsAccessLogBucketArgs {
  /** Physical-name parts before account and region, e.g. `["brewery", "dev"]`. */
  readonly nameParts: readonly string[];
  /** Account, partition and region; looked up through the provider when omitted. */
  readonly context?: AwsContext;
  /** Days access-log objects are kept. @default 365 */
  readonly expirationDays?: number;
  /** Days non-current versions are kept. @default 30 */
  readonly noncurrentVersionDays?: number;
  /** Keep the bucket on `pulumi destroy` and refuse deletion. @default false */
  readonly protect?: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The shared target of S3 server access logs, hardened like the data buckets except for one
 * documented difference: S3 server access logging cannot deliver to SSE-KMS buckets, so it uses SSE-S3.
 * Delivery is allowed to the logging service for this account only (ACLs stay disabled).
 */
export class AwsAccessLogBucket extends pulumi.ComponentResource {
  readonly bucket: s3.Bucket;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;

  constructor(name: string, args: AwsAccessLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:AccessLogBucket", name, {}, opts);
    const expirationDays = args.expirationDays ?? 365;
    const noncurrentVersionDays = args.noncurrentVersionDays ?? 30;
    const protect = args.protect ?? false;
    const context = args.context ?? awsContext(this);

    this.bucket = accountBucket(this, name, {
      nameParts: [...args.nameParts, "access-logs"],
      context,
      tags: args.tags,
      protect,
    });
    addBucketBaseline(this, name, {
      bucket: this.bucket,
      encryption: { kind: "s3-managed" },
      extraPolicyStatements: [
        {
          Sid: "AllowServerAccessLogDelivery",
          Effect: "Allow",
          Principal: { Service: "logging.s3.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: pulumi.interpolate`${this.bucket.arn}/*`,
          Condition: { StringEquals: { "aws:SourceAccount": context.accountId } },
        },
      ],
      lifecycleRules: [
        abortIncompleteUploadsRule(),
        expireNoncurrentVersionsRule(noncurrentVersionDays),
        { id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: expirationDays } },
      ],
    });
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }
}
