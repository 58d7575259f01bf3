import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as iam from "@pulumi/aws/iam";
import * as lambda from "@pulumi/aws/lambda";
import * as pulumi from "@pulumi/pulumi";
import { alertAlarm, emittedMetricAlarm } from "./alarms";
import type { TableSpec } from "../spec";
import { functionArchive } from "./bundle";
import type { AwsContext } from "./context";
import type { AwsDeadLetterQueue } from "./dead-letter-queue";
import type { AwsPrincipal } from "./medallion-layer";
import { LOGS_WRITE_ACTIONS } from "./perms";
import { policyJson, type Statement } from "./policy-documents";
import { serviceTrustPolicy } from "./service-trust";

/** What every ingestion function shares: where its logs and alarms go. */
export interface AwsFunctionCommon {
  /** Days a function's logs are kept (the spec's `retention.logDays`). */
  readonly logRetentionDays: number;
  /** Customer key that encrypts the log group (its policy must let CloudWatch Logs use it). */
  readonly logKeyArn: pulumi.Input<string>;
  /** The alert topic every alarm notifies. */
  readonly alertTopicArn: pulumi.Input<string>;
  readonly context: AwsContext;
  readonly tags: Readonly<Record<string, string>>;
}

export interface AwsFunctionArgs extends AwsFunctionCommon {
  /** Entry file under `functions/` exporting `handler`, e.g. `control-record/handler.ts`. */
  readonly entry: string;
  /** Physical function name (from `awsResourceName(..., 64)`). */
  readonly functionName: string;
  readonly description: string;
  /** Short stable name used in grant names (`converter`). */
  readonly principalName: string;
  /** The tables bundled as `tables.json` next to `index.js`. @default [] */
  readonly tables?: readonly TableSpec[];
  /** Environment variables (validated by the handler at cold start). @default {} */
  readonly environment?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Seconds before an invocation is stopped (1-900). @default 60 */
  readonly timeoutSeconds?: number;
  /** MiB of memory (128-10240; 1769 MiB is one vCPU). @default 512 */
  readonly memorySizeMb?: number;
  /** Concurrency reserved (and capped) for this function, to protect what it calls. @default unreserved */
  readonly reservedConcurrency?: number;
  /**
   * Runs the function in these subnets with these security groups (to reach a database in a VPC); the
   * subnets need routes to every AWS service the function calls (endpoints or NAT). @default no VPC
   */
  readonly vpc?: {
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  };
}

/**
 * What Lambda needs to attach a function to a VPC: the EC2 network-interface actions of the
 * AWSLambdaVPCAccessExecutionRole managed policy
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions).
 * The Describe actions take no resource; the others are scoped to network interfaces and to the function's
 * own subnets and security groups (Service Authorization Reference, Amazon EC2).
 */
export const LAMBDA_VPC_DESCRIBE_ACTIONS = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"] as const;
export const LAMBDA_VPC_INTERFACE_ACTIONS = [
  "ec2:AssignPrivateIpAddresses",
  "ec2:CreateNetworkInterface",
  "ec2:DeleteNetworkInterface",
  "ec2:UnassignPrivateIpAddresses",
] as const;

/**
 * A hardened Lambda function: its code bundled with esbuild when the program runs, nodejs22.x, its own
 * role (trusted by Lambda in this account only) that starts with nothing but writing its own log group,
 * a KMS-encrypted log group with finite retention, JSON logs, and an alarm on errors that notifies the
 * alert topic. Grants come from the components that own the data (`layer.grantRead(fn)`), so the
 * function is an `AwsPrincipal`.
 */
export class AwsFunction extends pulumi.ComponentResource implements AwsPrincipal {
  readonly name: string;
  readonly role: iam.Role;
  readonly function: lambda.Function;
  readonly logGroup: cloudwatch.LogGroup;
  readonly errorAlarm: cloudwatch.MetricAlarm;
  readonly arn: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  readonly timeoutSeconds: number;

  private readonly logicalName: string;
  private readonly alertTopicArn: pulumi.Input<string>;
  private readonly tags: Readonly<Record<string, string>>;

  constructor(name: string, args: AwsFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:Function", name, {}, opts);
    validateFunctionArgs(name, args);
    const timeoutSeconds = args.timeoutSeconds ?? 60;
    const memorySizeMb = args.memorySizeMb ?? 512;
    const tables = args.tables ?? [];
    const { context } = args;
    this.logicalName = name;
    this.alertTopicArn = args.alertTopicArn;
    this.tags = args.tags;
    this.name = args.principalName;
    this.timeoutSeconds = timeoutSeconds;

    this.role = new iam.Role(
      `${name}-role`,
      {
        description: `Runs the ${args.functionName} function`,
        assumeRolePolicy: serviceTrustPolicy("lambda", context),
        tags: { ...args.tags },
      },
      { parent: this },
    );
    this.logGroup = new cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: `/aws/lambda/${args.functionName}`,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.logKeyArn,
        tags: { ...args.tags },
      },
      { parent: this },
    );
    const logsPolicy = new iam.RolePolicy(
      `${name}-logs-write`,
      {
        role: this.role.name,
        policy: policyJson([
          {
            Sid: "WriteOwnLogs",
            Effect: "Allow",
            Action: [...LOGS_WRITE_ACTIONS],
            Resource: pulumi.interpolate`${this.logGroup.arn}:log-stream:*`,
          },
        ]),
      },
      { parent: this },
    );
    const vpcAccess = args.vpc
      ? [
          new iam.RolePolicy(
            `${name}-vpc-access`,
            {
              role: this.role.name,
              policy: policyJson([
                {
                  Sid: "DescribeVpcAttachments",
                  Effect: "Allow",
                  Action: [...LAMBDA_VPC_DESCRIBE_ACTIONS],
                  Resource: "*",
                },
                {
                  Sid: "ManageOwnNetworkInterfaces",
                  Effect: "Allow",
                  Action: [...LAMBDA_VPC_INTERFACE_ACTIONS],
                  Resource: pulumi
                    .all([
                      context.partition,
                      context.region,
                      context.accountId,
                      args.vpc.subnetIds,
                      args.vpc.securityGroupIds,
                    ])
                    .apply(([partition, region, account, subnets, groups]) => {
                      const arn = (type: string, id: string) =>
                        `arn:${partition}:ec2:${region}:${account}:${type}/${id}`;
                      return [
                        arn("network-interface", "*"),
                        ...subnets.map((id) => arn("subnet", id)),
                        ...groups.map((id) => arn("security-group", id)),
                      ];
                    }),
                },
              ]),
            },
            { parent: this },
          ),
        ]
      : [];
    this.function = new lambda.Function(
      name,
      {
        name: args.functionName,
        description: args.description,
        runtime: "nodejs22.x",
        handler: "index.handler",
        code: functionArchive(args.entry, tables),
        role: this.role.arn,
        timeout: timeoutSeconds,
        memorySize: memorySizeMb,
        ...(args.reservedConcurrency !== undefined
          ? { reservedConcurrentExecutions: args.reservedConcurrency }
          : {}),
        environment: {
          variables: { NODE_OPTIONS: "--enable-source-maps", ...(args.environment ?? {}) },
        },
        loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
        ...(args.vpc
          ? { vpcConfig: { subnetIds: args.vpc.subnetIds, securityGroupIds: args.vpc.securityGroupIds } }
          : {}),
        tags: { ...args.tags },
      },
      // The log group exists before the first invocation, so Lambda never creates an unencrypted one;
      // CreateFunction checks the role may create network interfaces before it accepts a VPC.
      { parent: this, dependsOn: [this.logGroup, logsPolicy, ...vpcAccess] },
    );
    this.errorAlarm = alertAlarm(
      `${name}-errors`,
      {
        description: `${args.functionName} raised errors`,
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: this.function.name },
        alertTopicArn: args.alertTopicArn,
        tags: args.tags,
      },
      this,
    );
    this.arn = this.function.arn;
    this.functionName = this.function.name;
    this.registerOutputs({ arn: this.arn, functionName: this.functionName });
  }

  /**
   * Events invoked asynchronously (EventBridge, Scheduler) that still fail after Lambda's two retries go
   * to `queue` instead of being dropped; the queue's depth alarm then fires.
   */
  sendAsyncFailuresTo(queue: AwsDeadLetterQueue): lambda.FunctionEventInvokeConfig {
    const send = queue.grantSend(this);
    return new lambda.FunctionEventInvokeConfig(
      `${this.logicalName}-async-failures`,
      {
        functionName: this.function.name,
        maximumRetryAttempts: 2,
        maximumEventAgeInSeconds: 3600,
        destinationConfig: { onFailure: { destination: queue.arn } },
      },
      { parent: this, dependsOn: [send] },
    );
  }

  /**
   * Alarms on a failure metric the handler emits through `telemetry(service)` (any occurrence notifies
   * the alert topic); `test/failure-metrics.test.ts` checks every emitted failure metric has one.
   */
  alarmOnMetric(metricName: string, service: string, description: string): cloudwatch.MetricAlarm {
    return emittedMetricAlarm(
      `${this.logicalName}-${metricName.replace(/[A-Z]/g, (c, i: number) => (i ? "-" : "") + c.toLowerCase())}`,
      {
        description: pulumi.interpolate`${this.functionName}: ${description}`,
        metricName,
        emitter: { service, scope: this.functionName },
        alertTopicArn: this.alertTopicArn,
        tags: this.tags,
      },
      this,
    );
  }

  /** Adds a narrow inline policy (DynamoDB items, a state machine, a Glue job) named for its purpose. */
  allow(purpose: string, statements: readonly Statement[]): iam.RolePolicy {
    return new iam.RolePolicy(
      `${this.logicalName}-${purpose}`,
      { role: this.role.name, policy: policyJson(statements) },
      { parent: this },
    );
  }
}

/** The shared part of a component's args, to pass on to each of its functions. */
export function functionCommon(args: AwsFunctionCommon): AwsFunctionCommon {
  const { logRetentionDays, logKeyArn, alertTopicArn, context, tags } = args;
  return { logRetentionDays, logKeyArn, alertTopicArn, context, tags };
}

/** The retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Collects every problem with the args and throws one error naming the component and each field. */
export function validateFunctionArgs(name: string, args: AwsFunctionArgs): void {
  const problems: string[] = [];
  const { timeoutSeconds, memorySizeMb, reservedConcurrency, logRetentionDays } = args;
  if (
    timeoutSeconds !== undefined &&
    (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 900)
  )
    problems.push(`timeoutSeconds: must be a whole number of 1-900, got ${timeoutSeconds}`);
  if (
    memorySizeMb !== undefined &&
    (!Number.isInteger(memorySizeMb) || memorySizeMb < 128 || memorySizeMb > 10240)
  )
    problems.push(`memorySizeMb: must be a whole number of 128-10240, got ${memorySizeMb}`);
  if (
    reservedConcurrency !== undefined &&
    (!Number.isInteger(reservedConcurrency) || reservedConcurrency < 1)
  )
    problems.push(`reservedConcurrency: must be a positive whole number, got ${reservedConcurrency}`);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays))
    problems.push(
      `logRetentionDays: CloudWatch Logs accepts ${LOG_RETENTION_DAYS.join(", ")}; got ${logRetentionDays}`,
    );
  if (!/^[A-Za-z0-9-_]{1,64}$/.test(args.functionName))
    problems.push(`functionName: 1-64 letters, digits, - or _, got "${args.functionName}"`);
  if (problems.length > 0) {
    throw new Error(`AwsFunction ${name} has invalid args:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}
