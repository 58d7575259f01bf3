import * as lambda from "@pulumi/aws/lambda";
import * as sfn from "@pulumi/aws/sfn";
import * as sns from "@pulumi/aws/sns";
import * as sqs from "@pulumi/aws/sqs";
import * as pulumi from "@pulumi/pulumi";
import { awsResourceName } from "../naming";
import type { TableSpec } from "../spec";
import { viaService } from "./context";
import type { AwsCustomerKey } from "./customer-key";
import { AwsDeadLetterQueue } from "./dead-letter-queue";
import { eventJobDefinition } from "./event-jobs-definition";
import { AwsFunction, functionCommon, type AwsFunctionCommon } from "./function";
import { AwsStateMachine } from "./state-machine";
import {
  GLUE_RUN_JOB_ACTIONS,
  KMS_SNS_PUBLISH_ACTIONS,
  KMS_SQS_CONSUME_ACTIONS,
  SNS_PUBLISH_ACTIONS,
  SQS_CONSUME_ACTIONS,
} from "./perms";
import { denyInsecureTransport, policyJson } from "./policy-documents";

/** SQS redelivers a message this many times before it moves to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;
/** The queue hides a message this many times the trigger's timeout (AWS's guidance for Lambda consumers). */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export interface AwsEventJobsArgs extends AwsFunctionCommon {
  readonly product: string;
  readonly environment: string;
  /** The event tables (source kind `event`); at least one. Bundled for the trigger. */
  readonly tables: readonly TableSpec[];
  /** The Glue job each transaction runs (`--name <table> --transaction_id <id>`): the stack's bronze → silver job unless named. */
  readonly glueJobName: pulumi.Input<string>;
  /** Customer key of the topic, the queue and its dead-letter queue. */
  readonly messagesKey: AwsCustomerKey;
  /** Customer key of the alert topic (the workflow publishes failures through SNS). */
  readonly alertKeyArn: pulumi.Input<string>;
  /** Seconds a trigger invocation may run. @default 30 */
  readonly triggerTimeoutSeconds?: number;
  /** Concurrent trigger invocations at most (protects Glue's concurrent-run quota). @default 5 */
  readonly maxConcurrency?: number;
  /** Seconds one job run may take, Glue's own retries included. @default 7200 */
  readonly jobTimeoutSeconds?: number;
}

/**
 * Event-driven jobs (seed 003), built only for a spec with event tables: an SNS topic (KMS, TLS-only) → an SQS
 * queue (KMS, TLS-only, only that topic may send; redrive to a dead-letter queue after 5 receives; visibility
 * 6x the trigger's timeout) → the trigger function (partial batch responses) → one Standard Step Functions
 * execution per transaction id, named by it, so Step Functions itself refuses a second one for 90 days →
 * `glue:startJobRun.sync` with `--name <table>` and `--transaction_id <id>`; a failure alerts. Alarms:
 * dead-letter depth > 0, failed and timed-out executions, the trigger's errors.
 */
export class AwsEventJobs extends pulumi.ComponentResource {
  readonly topic: sns.Topic;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: AwsDeadLetterQueue;
  readonly workflowMachine: AwsStateMachine;
  readonly stateMachine: sfn.StateMachine;
  readonly trigger: AwsFunction;
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: AwsEventJobsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:EventJobs", name, {}, opts);
    const tables = args.tables;
    const triggerTimeoutSeconds = args.triggerTimeoutSeconds ?? 30;
    const maxConcurrency = args.maxConcurrency ?? 5;
    const jobTimeoutSeconds = args.jobTimeoutSeconds ?? 7200;
    validateEventJobsArgs(name, args, { triggerTimeoutSeconds, maxConcurrency, jobTimeoutSeconds });
    const { context, product, environment } = args;
    const messagesKeyArn = args.messagesKey.arn;

    this.topic = new sns.Topic(
      `${name}-topic`,
      {
        name: awsResourceName([product, environment, "job-events"], 256),
        kmsMasterKeyId: messagesKeyArn,
        tags: { ...args.tags },
      },
      { parent: this },
    );
    new sns.TopicPolicy(
      `${name}-topic-policy`,
      {
        arn: this.topic.arn,
        policy: policyJson([
          denyInsecureTransport("sns:Publish", [this.topic.arn]),
          {
            Sid: "PublishersInThisAccount",
            Effect: "Allow",
            Principal: { AWS: pulumi.interpolate`arn:${context.partition}:iam::${context.accountId}:root` },
            Action: "sns:Publish",
            Resource: this.topic.arn,
          },
        ]),
      },
      { parent: this },
    );
    this.deadLetterQueue = new AwsDeadLetterQueue(
      `${name}-dlq`,
      {
        queueName: awsResourceName([product, environment, "job-events-dlq"], 80),
        keyArn: messagesKeyArn,
        alertTopicArn: args.alertTopicArn,
        purpose: "job events the trigger failed 5 times",
        via: context,
        tags: args.tags,
      },
      { parent: this },
    );
    this.queue = new sqs.Queue(
      `${name}-queue`,
      {
        name: awsResourceName([product, environment, "job-events"], 80),
        kmsMasterKeyId: messagesKeyArn,
        kmsDataKeyReusePeriodSeconds: 300,
        visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_FACTOR * triggerTimeoutSeconds,
        messageRetentionSeconds: 345_600,
        redrivePolicy: pulumi.jsonStringify({
          deadLetterTargetArn: this.deadLetterQueue.arn,
          maxReceiveCount: MAX_RECEIVE_COUNT,
        }),
        tags: { ...args.tags },
      },
      { parent: this },
    );
    new sqs.QueuePolicy(
      `${name}-queue-policy`,
      {
        queueUrl: this.queue.url,
        policy: policyJson([
          denyInsecureTransport("sqs:*", [this.queue.arn]),
          {
            Sid: "OnlyTheJobEventsTopic",
            Effect: "Allow",
            Principal: { Service: "sns.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: this.queue.arn,
            Condition: { ArnEquals: { "aws:SourceArn": this.topic.arn } },
          },
        ]),
      },
      { parent: this },
    );
    new sns.TopicSubscription(
      `${name}-subscription`,
      { topic: this.topic.arn, protocol: "sqs", endpoint: this.queue.arn, rawMessageDelivery: true },
      { parent: this },
    );

    this.workflowMachine = this.workflow(name, args, jobTimeoutSeconds);
    this.stateMachine = this.workflowMachine.machine("event-jobs");
    this.trigger = new AwsFunction(
      `${name}-trigger`,
      {
        ...functionCommon(args),
        entry: "event-trigger/handler.ts",
        functionName: awsResourceName([product, environment, "job-trigger"], 64),
        description: "Starts one event-job execution per transaction id",
        principalName: "job-trigger",
        tables,
        environment: { STATE_MACHINE_ARN: this.stateMachine.arn },
        timeoutSeconds: triggerTimeoutSeconds,
        memorySizeMb: 256,
      },
      { parent: this },
    );
    this.trigger.alarmOnMetric(
      "MessagesFailed",
      "event-trigger",
      "job events failed to start a run (retried, then dead-lettered)",
    );
    const consume = this.trigger.allow("consume", [
      {
        Sid: "ConsumeJobEvents",
        Effect: "Allow",
        Action: [...SQS_CONSUME_ACTIONS],
        Resource: this.queue.arn,
      },
      {
        Sid: "DecryptThroughSqs",
        Effect: "Allow",
        Action: [...KMS_SQS_CONSUME_ACTIONS],
        Resource: messagesKeyArn,
        Condition: {
          StringEquals: { "kms:ViaService": viaService(context, "sqs") },
        },
      },
    ]);
    this.trigger.allow("start-workflow", [this.workflowMachine.startStatement("StartEventJobs")]);
    new lambda.EventSourceMapping(
      `${name}-trigger-source`,
      {
        eventSourceArn: this.queue.arn,
        functionName: this.trigger.arn,
        batchSize: 10,
        maximumBatchingWindowInSeconds: 5,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: { maximumConcurrency: maxConcurrency },
        tags: { ...args.tags },
      },
      { parent: this, dependsOn: [consume] },
    );
    this.topicArn = this.topic.arn;
    this.registerOutputs({ topicArn: this.topicArn, stateMachineArn: this.stateMachine.arn });
  }

  /** The Standard workflow that runs the job once per execution: role, encrypted logs, tracing, alarms. */
  private workflow(name: string, args: AwsEventJobsArgs, jobTimeoutSeconds: number): AwsStateMachine {
    const { context, product, environment } = args;
    const machineName = awsResourceName([product, environment, "event-jobs"], 80);
    const { partition, region, accountId } = context;
    const jobArn = pulumi.interpolate`arn:${partition}:glue:${region}:${accountId}:job/${args.glueJobName}`;
    const definition = pulumi
      .all([pulumi.output(args.glueJobName), pulumi.output(args.alertTopicArn)])
      .apply(([jobName, alertTopicArn]) =>
        JSON.stringify(eventJobDefinition({ jobName, alertTopicArn, taskTimeoutSeconds: jobTimeoutSeconds })),
      );
    // One AwsStateMachine; its children keep the logical names and state they had under this component.
    return new AwsStateMachine(
      `${name}-workflow`,
      {
        context,
        machines: { "event-jobs": { name: machineName, definition } },
        statements: [
          { Sid: "RunEventJob", Effect: "Allow", Action: [...GLUE_RUN_JOB_ACTIONS], Resource: jobArn },
          {
            Sid: "PublishFailures",
            Effect: "Allow",
            Action: [...SNS_PUBLISH_ACTIONS],
            Resource: args.alertTopicArn,
          },
          {
            Sid: "EncryptAlertsThroughSns",
            Effect: "Allow",
            Action: [...KMS_SNS_PUBLISH_ACTIONS],
            Resource: args.alertKeyArn,
            Condition: {
              StringEquals: { "kms:ViaService": viaService(context, "sns") },
            },
          },
        ],
        roleDescription: `Runs the ${machineName} workflow`,
        logGroupName: `/aws/vendedlogs/states/${machineName}`,
        logKeyArn: args.logKeyArn,
        logRetentionDays: args.logRetentionDays,
        alertTopicArn: args.alertTopicArn,
        tags: args.tags,
        formerly: {
          parent: this,
          logs: `${name}-workflow-logs`,
          role: `${name}-workflow-role`,
          rolePolicy: `${name}-workflow-access`,
          machines: { "event-jobs": `${name}-workflow` },
        },
      },
      { parent: this },
    );
  }
}

/** Collects every problem with the args and throws one error naming the component and each field. */
export function validateEventJobsArgs(
  name: string,
  args: AwsEventJobsArgs,
  resolved: { triggerTimeoutSeconds: number; maxConcurrency: number; jobTimeoutSeconds: number },
): void {
  const problems: string[] = [];
  const { triggerTimeoutSeconds, maxConcurrency, jobTimeoutSeconds } = resolved;
  if (args.tables.length === 0 || args.tables.some((t) => t.source.kind !== "event"))
    problems.push("tables: one or more tables, every one with source kind event");
  // A name known now is checked now; an Output (the stack's own job) is valid by construction.
  if (typeof args.glueJobName === "string" && !/^[A-Za-z0-9_.-]{1,255}$/.test(args.glueJobName))
    problems.push(`glueJobName: 1-255 letters, digits, _ . or -, got "${args.glueJobName}"`);
  if (!Number.isInteger(triggerTimeoutSeconds) || triggerTimeoutSeconds < 1 || triggerTimeoutSeconds > 900)
    problems.push(
      `triggerTimeoutSeconds: must be a whole number of 1-900 (a Lambda timeout), got ${triggerTimeoutSeconds}`,
    );
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000)
    problems.push(`maxConcurrency: SQS event sources allow 2-1000, got ${maxConcurrency}`);
  if (!Number.isInteger(jobTimeoutSeconds) || jobTimeoutSeconds < 60)
    problems.push(`jobTimeoutSeconds: must be a whole number of at least 60, got ${jobTimeoutSeconds}`);
  if (problems.length > 0) {
    throw new Error(`AwsEventJobs ${name} has invalid args:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}
