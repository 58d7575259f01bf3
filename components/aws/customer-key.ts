import * as kms from "@pulumi/aws/kms";
import * as pulumi from "@pulumi/pulumi";
import { kmsAliasName } from "../naming";
import type { AwsContext } from "./context";
import { KMS_LOGS_SERVICE_ACTIONS, KMS_SERVICE_PUBLISH_ACTIONS } from "./perms";
import { policyJson, type Statement } from "./policy-documents";

export interface AwsCustomerKeyArgs {
  /** Alias path parts, e.g. `["brewery", "dev", "raw"]` → `alias/brewery/dev/raw`. */
  readonly aliasParts: readonly string[];
  readonly description: string;
  readonly context: AwsContext;
  /**
   * AWS service principals (e.g. `cloudwatch.amazonaws.com`) that may generate data keys and decrypt,
   * limited to this account by `aws:SourceAccount`. @default none
   */
  readonly servicePrincipals?: readonly pulumi.Input<string>[];
  /** Keep the key on `pulumi destroy` and refuse deletion. @default false */
  readonly protect?: boolean;
  /** Days a scheduled deletion waits (7-30). @default 30 */
  readonly deletionWindowInDays?: number;
  /**
   * CloudWatch Logs log groups of this account and region are encrypted with the key: the key policy then
   * admits `logs.<region>.amazonaws.com` with the actions and the `kms:EncryptionContext:aws:logs:arn`
   * condition the Logs guide requires. @default false
   */
  readonly encryptsLogs?: boolean;
  /** Extra key-policy statements for services with their own rules. @default none */
  readonly extraStatements?: readonly Statement[];
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * A symmetric customer-managed KMS key with yearly automatic rotation and an alias. The key policy
 * delegates to IAM in the owning account (the AWS default), so access is granted by the identity
 * policies the components write, and adds named service principals only when asked.
 */
export class AwsCustomerKey extends pulumi.ComponentResource {
  readonly key: kms.Key;
  readonly alias: kms.Alias;
  /** Key ARN, for policies and encryption settings. */
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: AwsCustomerKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:CustomerKey", name, {}, opts);
    const protect = args.protect ?? false;
    const deletionWindowInDays = args.deletionWindowInDays ?? 30;
    const servicePrincipals = args.servicePrincipals ?? [];
    if (deletionWindowInDays < 7 || deletionWindowInDays > 30) {
      throw new Error(
        `AwsCustomerKey ${name}: deletionWindowInDays must be 7-30, got ${deletionWindowInDays}`,
      );
    }

    this.key = new kms.Key(
      name,
      {
        description: args.description,
        enableKeyRotation: true,
        rotationPeriodInDays: 365,
        deletionWindowInDays,
        policy: policyJson([
          ...keyPolicy(args.context, servicePrincipals),
          ...(args.encryptsLogs ? [logsStatement(args.context)] : []),
          ...(args.extraStatements ?? []),
        ]),
        tags: { ...args.tags },
      },
      { parent: this, protect, retainOnDelete: protect },
    );
    this.alias = new kms.Alias(
      `${name}-alias`,
      { name: kmsAliasName(args.aliasParts), targetKeyId: this.key.keyId },
      { parent: this },
    );
    this.arn = this.key.arn;
    this.registerOutputs({ arn: this.arn });
  }
}

function keyPolicy(context: AwsContext, servicePrincipals: readonly pulumi.Input<string>[]): Statement[] {
  const statements: Statement[] = [
    {
      Sid: "EnableIamPolicies",
      Effect: "Allow",
      Principal: { AWS: pulumi.interpolate`arn:${context.partition}:iam::${context.accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ];
  if (servicePrincipals.length > 0) {
    statements.push({
      Sid: "AllowServicesInThisAccount",
      Effect: "Allow",
      Principal: { Service: [...servicePrincipals] },
      Action: [...KMS_SERVICE_PUBLISH_ACTIONS],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": context.accountId } },
    });
  }
  return statements;
}

/**
 * CloudWatch Logs encrypts a log group's data with the key only if the key policy allows it these actions
 * for that log group's ARN (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
 */
function logsStatement(context: AwsContext): Statement {
  return {
    Sid: "AllowCloudWatchLogs",
    Effect: "Allow",
    Principal: { Service: pulumi.interpolate`logs.${context.region}.${context.dnsSuffix}` },
    Action: [...KMS_LOGS_SERVICE_ACTIONS],
    Resource: "*",
    Condition: {
      ArnLike: {
        "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${context.partition}:logs:${context.region}:${context.accountId}:log-group:*`,
      },
    },
  };
}
