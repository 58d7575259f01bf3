import * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "./context";

/** The confused-deputy context keys a service sends when it assumes a role (IAM global condition keys). */
export type SourceKey = "aws:SourceAccount" | "aws:SourceArn";

/** How one service assumes the roles it is given, as its documentation shows the trust policy. */
export interface ServiceTrust {
  /** The service principal, e.g. `states.amazonaws.com`. */
  readonly principal: string;
  /**
   * The keys its documented trust policy conditions on. Empty: the documentation shows no condition, and a
   * condition on a key the service does not send makes every AssumeRole fail (the role is never usable).
   */
  readonly keys: readonly SourceKey[];
  /** `aws:SourceArn` pattern after `arn:<partition>:`, with `{region}` and `{account}` (when `keys` has it). */
  readonly sourceArn?: string;
  /** The page that shows the trust policy. */
  readonly doc: string;
}

/**
 * Every service that assumes a role of this stack (and DMS, for the CDC sources to come), keyed by what the
 * role is for. Only keys a service's own documentation puts in its trust policy are used: the services
 * below whose documented trust policy carries no condition are given none. A role can only be passed to a
 * service by a principal of its own account with iam:PassRole, so those roles stay confined to the account.
 */
export const SERVICE_TRUST = {
  // "Prevent cross-service confused deputy issue":
  // https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html
  "step-functions": {
    principal: "states.amazonaws.com",
    keys: ["aws:SourceAccount", "aws:SourceArn"],
    sourceArn: "states:{region}:{account}:stateMachine:*",
    doc: "https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html",
  },
  // Task role: aws:SourceAccount, and aws:SourceArn with a wildcard for the cluster ("specifying a specific
  // cluster is not currently supported"): https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
  "ecs-task": {
    principal: "ecs-tasks.amazonaws.com",
    keys: ["aws:SourceAccount", "aws:SourceArn"],
    sourceArn: "ecs:{region}:{account}:*",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html",
  },
  // The execution role's documented trust policy has no condition.
  "ecs-task-execution": {
    principal: "ecs-tasks.amazonaws.com",
    keys: [],
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html",
  },
  // "Set up the execution role": aws:SourceAccount (the schedule group's aws:SourceArn was not confirmed).
  scheduler: {
    principal: "scheduler.amazonaws.com",
    keys: ["aws:SourceAccount"],
    doc: "https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role",
  },
  // The execution role's trust policy has no condition; Lambda documents only lambda:SourceFunctionArn,
  // which it puts on the requests the function's credentials make, not on AssumeRole
  // (https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html).
  lambda: {
    principal: "lambda.amazonaws.com",
    keys: [],
    doc: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
  },
  // "Allow Firehose to assume an IAM role": no condition.
  firehose: {
    principal: "firehose.amazonaws.com",
    keys: [],
    doc: "https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#firehose-assume-role",
  },
  // "Create an IAM role for AWS Glue": no condition.
  glue: {
    principal: "glue.amazonaws.com",
    keys: [],
    doc: "https://docs.aws.amazon.com/glue/latest/dg/create-an-iam-role.html",
  },
  // "Requirements for roles used to register locations": no condition.
  "lake-formation": {
    principal: "lakeformation.amazonaws.com",
    keys: [],
    doc: "https://docs.aws.amazon.com/lake-formation/latest/dg/registration-role.html",
  },
  // DMS sends both from engine 3.4.7 (endpoint roles: endpoint:*):
  // https://docs.aws.amazon.com/dms/latest/userguide/cross-service-confused-deputy-prevention.html
  dms: {
    principal: "dms.amazonaws.com",
    keys: ["aws:SourceAccount", "aws:SourceArn"],
    sourceArn: "dms:{region}:{account}:endpoint:*",
    doc: "https://docs.aws.amazon.com/dms/latest/userguide/cross-service-confused-deputy-prevention.html",
  },
} as const satisfies Record<string, ServiceTrust>;

export type TrustedUse = keyof typeof SERVICE_TRUST;

/** What a trust policy's conditions are built from. */
export type TrustContext = Pick<AwsContext, "accountId" | "partition" | "region">;

/** The trust policy of a role that `use`'s service assumes: its principal, with exactly its documented keys. */
export function serviceTrustPolicy(use: TrustedUse, context: TrustContext): pulumi.Output<string> {
  const trust: ServiceTrust = SERVICE_TRUST[use];
  return pulumi
    .all([context.accountId, context.partition, context.region])
    .apply(([account, partition, region]) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: trust.principal },
            Action: "sts:AssumeRole",
            ...(trust.keys.length > 0
              ? { Condition: trustConditions(trust, { account, partition, region }) }
              : {}),
          },
        ],
      }),
    );
}

/** The condition block of a documented trust policy, for known account, partition and region. */
export function trustConditions(
  trust: ServiceTrust,
  at: { readonly account: string; readonly partition: string; readonly region: string },
): Record<string, Record<string, string>> {
  const condition: Record<string, Record<string, string>> = {};
  if (trust.keys.includes("aws:SourceAccount")) condition.StringEquals = { "aws:SourceAccount": at.account };
  if (trust.keys.includes("aws:SourceArn") && trust.sourceArn) {
    const arn = trust.sourceArn.replace("{region}", at.region).replace("{account}", at.account);
    condition.ArnLike = { "aws:SourceArn": `arn:${at.partition}:${arn}` };
  }
  return condition;
}
