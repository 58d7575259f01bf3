import * as glue from "@pulumi/aws/glue";
import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import type * as inputs from "@pulumi/aws/types/input";
import * as pulumi from "@pulumi/pulumi";
import type { GrantOptions, MedallionLayer } from "../contracts";
import { glueName, type LayerName } from "../naming";
import type { AwsAccessLogBucket } from "./access-log-bucket";
import {
  abortIncompleteUploadsRule,
  accountBucket,
  addBucketBaseline,
  expireNoncurrentVersionsRule,
} from "./bucket-baseline";
import { awsContext, type AwsContext } from "./context";
import { AwsCustomerKey } from "./customer-key";
import { grantOnBucket, type GrantAccess } from "./layer-grants";
import type { Statement } from "./policy-documents";

/** An IAM role that grants attach to; `name` keeps the grant's logical name stable. */
export interface AwsPrincipal {
  /** Short stable name used in the grant's logical name (e.g. `converter`). */
  readonly name: string;
  readonly role: iam.Role;
}

export interface AwsMedallionLayerArgs {
  readonly layer: LayerName;
  /** Product name (the spec's `name`). */
  readonly product: string;
  readonly environment: string;
  /** Where the bucket's server access logs go. */
  readonly accessLogs: AwsAccessLogBucket;
  /** Days before objects move to STANDARD_IA (at least 30). @default never */
  readonly transitionToInfrequentAccessDays?: number;
  /** Days before current objects expire. @default never */
  readonly expirationDays?: number;
  /** Days before non-current versions expire. @default 90 */
  readonly noncurrentVersionDays?: number;
  /** Keep bucket, key and database on `pulumi destroy` and refuse their deletion. @default false */
  readonly protect?: boolean;
  /** Account, partition and region; looked up through the provider when omitted. */
  readonly context?: AwsContext;
  /**
   * What the layer's Glue database waits for: the account's Lake Formation settings, whose defaults a
   * database gets when it is created. @default nothing
   */
  readonly databaseDependsOn?: readonly pulumi.Resource[];
  /** Tags for every taggable child (the standard set, including `layer`). */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * One medallion layer on AWS: an S3 bucket encrypted under its own customer-managed key (so a grant on
 * one layer never decrypts another), hardened by the shared bucket baseline, with a Glue database, and
 * intent methods that write least-privilege inline policies on a role.
 */
export class AwsMedallionLayer extends pulumi.ComponentResource implements MedallionLayer<AwsPrincipal> {
  readonly layer: LayerName;
  readonly bucket: s3.Bucket;
  readonly key: AwsCustomerKey;
  readonly database: glue.CatalogDatabase;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly location: pulumi.Output<string>;
  readonly catalogNamespace: pulumi.Output<string>;
  readonly encryptionKeyId: pulumi.Output<string>;

  private readonly logicalName: string;
  private readonly context: AwsContext;

  constructor(name: string, args: AwsMedallionLayerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:MedallionLayer", name, {}, opts);
    validateLayerArgs(name, args);
    const protect = args.protect ?? false;
    const noncurrentVersionDays = args.noncurrentVersionDays ?? 90;
    const context = args.context ?? awsContext(this);
    this.layer = args.layer;
    this.logicalName = name;
    this.context = context;

    this.key = new AwsCustomerKey(
      `${name}-key`,
      {
        aliasParts: [args.product, args.environment, args.layer],
        description: `${args.product} ${args.environment} ${args.layer} layer data`,
        context,
        protect,
        tags: args.tags,
      },
      { parent: this },
    );
    this.bucket = accountBucket(this, name, {
      nameParts: [args.product, args.environment, args.layer],
      context,
      tags: args.tags,
      protect,
    });
    addBucketBaseline(this, name, {
      bucket: this.bucket,
      encryption: { kind: "kms", keyArn: this.key.arn },
      extraPolicyStatements: denyOtherEncryption(this.bucket, this.key.arn),
      accessLogs: { bucket: args.accessLogs.bucketName, prefix: `${args.layer}/` },
      lifecycleRules: lifecycleRules(args, noncurrentVersionDays),
    });
    this.database = new glue.CatalogDatabase(
      `${name}-database`,
      {
        name: glueName([args.product, args.environment, args.layer]),
        description: `${args.layer} layer of ${args.product} (${args.environment})`,
        locationUri: pulumi.interpolate`s3://${this.bucket.bucket}/`,
        tags: { ...args.tags },
      },
      { parent: this, protect, dependsOn: [...(args.databaseDependsOn ?? [])] },
    );

    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;
    this.location = pulumi.interpolate`s3://${this.bucket.bucket}/`;
    this.catalogNamespace = this.database.name;
    this.encryptionKeyId = this.key.arn;
    this.registerOutputs({
      bucketName: this.bucketName,
      location: this.location,
      catalogNamespace: this.catalogNamespace,
      encryptionKeyId: this.encryptionKeyId,
    });
  }

  /** Lets the role list and read this layer's objects (under `prefix`) and decrypt them through S3. */
  grantRead(principal: AwsPrincipal, options?: GrantOptions): iam.RolePolicy {
    return this.grant("read", principal, options);
  }

  /** Lets the role write objects (under `prefix`) encrypted with this layer's key through S3. */
  grantWrite(principal: AwsPrincipal, options?: GrantOptions): iam.RolePolicy {
    return this.grant("write", principal, options);
  }

  private grant(access: GrantAccess, principal: AwsPrincipal, options?: GrantOptions): iam.RolePolicy {
    const target = {
      owner: this.logicalName,
      bucketArn: this.bucketArn,
      keyArn: this.key.arn,
      via: this.context,
      parent: this,
    };
    return grantOnBucket(target, access, principal, options?.prefix);
  }
}

/** Collects every problem with the args and throws one error naming the component and each field. */
export function validateLayerArgs(name: string, args: AwsMedallionLayerArgs): void {
  const problems: string[] = [];
  const transition = args.transitionToInfrequentAccessDays;
  const expiration = args.expirationDays;
  if (transition !== undefined && (!Number.isInteger(transition) || transition < 30)) {
    problems.push(
      `transitionToInfrequentAccessDays: S3 needs a whole number of at least 30, got ${transition}`,
    );
  }
  if (expiration !== undefined && (!Number.isInteger(expiration) || expiration < 1)) {
    problems.push(`expirationDays: must be a positive whole number, got ${expiration}`);
  }
  if (transition !== undefined && expiration !== undefined && expiration <= transition) {
    problems.push(
      `expirationDays: must be later than transitionToInfrequentAccessDays (${expiration} <= ${transition})`,
    );
  }
  if (problems.length > 0) {
    throw new Error(
      `AwsMedallionLayer ${name} has invalid args:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
}

function lifecycleRules(
  args: AwsMedallionLayerArgs,
  noncurrentVersionDays: number,
): inputs.s3.BucketLifecycleConfigurationRule[] {
  const rules = [abortIncompleteUploadsRule(), expireNoncurrentVersionsRule(noncurrentVersionDays)];
  if (args.transitionToInfrequentAccessDays !== undefined || args.expirationDays !== undefined) {
    rules.push({
      id: `${args.layer}-retention`,
      status: "Enabled",
      filter: {},
      ...(args.transitionToInfrequentAccessDays !== undefined
        ? { transitions: [{ days: args.transitionToInfrequentAccessDays, storageClass: "STANDARD_IA" }] }
        : {}),
      ...(args.expirationDays !== undefined ? { expiration: { days: args.expirationDays } } : {}),
    });
  }
  return rules;
}

/** Objects may only be written under this layer's key: no SSE-S3 and no other KMS key. */
function denyOtherEncryption(bucket: s3.Bucket, keyArn: pulumi.Output<string>): Statement[] {
  const objects = pulumi.interpolate`${bucket.arn}/*`;
  return [
    {
      Sid: "DenyOtherEncryption",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:PutObject",
      Resource: objects,
      Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" } },
    },
    {
      Sid: "DenyOtherKmsKeys",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:PutObject",
      Resource: objects,
      Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn } },
    },
  ];
}
