import * as lambda from "@pulumi/aws/lambda";
import * as sns from "@pulumi/aws/sns";
import * as sqs from "@pulumi/aws/sqs";
import * as pulumi from "@pulumi/pulumi";
import { awsResourceName } from "../naming";
import type { TableSpec } from "../spec";
import type { AwsCustomerKey } from "./customer-key";
import { AwsDeadLetterQueue } from "./dead-letter-queue";
import { AwsDynamoTable } from "./dynamo-table";
import { AwsFunction, functionCommon, type AwsFunctionCommon } from "./function";
import {
  DYNAMODB_IDEMPOTENCY_ACTIONS,
  GLUE_START_JOB_ACTIONS,
  KMS_SQS_CONSUME_ACTIONS,
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
  /** The event tables (source kind `event`), bundled for the trigger. @default [] */
  readonly tables?: readonly TableSpec[];
  /** Glue job the trigger starts (created by the transformation stack). */
  readonly glueJobName: string;
  /** Message field that carries the idempotency key. @default the first event table's `idField`, else "transaction_id" */
  readonly idField?: string;
  /** Customer key of the topic, the queue and its dead-letter queue. */
  readonly messagesKey: AwsCustomerKey;
  /** Customer key of the idempotency table. */
  readonly stateKey: AwsCustomerKey;
  /** Seconds a trigger invocation may run. @default 30 */
  readonly triggerTimeoutSeconds?: number;
  /** Concurrent trigger invocations at most (protects Glue's concurrent-run quota). @default 5 */
  readonly maxConcurrency?: number;
  /** Days an idempotency record lives (a duplicate later than that starts a new run). @default 7 */
  readonly idempotencyDays?: number;
  readonly protect?: boolean;
}

/**
 * Event-driven jobs (seed 003): an SNS topic (KMS, TLS-only) → an SQS queue (KMS, TLS-only, only that
 * topic may send; redrive to a dead-letter queue after 5 receives; visibility 6x the trigger's timeout)
 * → the trigger function (partial batch responses) → `glue:StartJobRun` on one job, idempotent on the
 * message's id through a DynamoDB table (KMS, point-in-time recovery, TTL). Alarm: dead-letter depth > 0.
 */
export class AwsEventJobs extends pulumi.ComponentResource {
  readonly topic: sns.Topic;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: AwsDeadLetterQueue;
  readonly idempotencyTable: AwsDynamoTable;
  readonly trigger: AwsFunction;
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: AwsEventJobsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:EventJobs", name, {}, opts);
    const tables = args.tables ?? [];
    const triggerTimeoutSeconds = args.triggerTimeoutSeconds ?? 30;
    const maxConcurrency = args.maxConcurrency ?? 5;
    const idempotencyDays = args.idempotencyDays ?? 7;
    const firstEvent = tables.find((t) => t.source.kind === "event")?.source;
    const idField = args.idField ?? (firstEvent?.kind === "event" ? firstEvent.idField : "transaction_id");
    validateEventJobsArgs(name, args, { triggerTimeoutSeconds, maxConcurrency, idempotencyDays });
    const protect = args.protect ?? false;
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
        region: context.region,
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

    this.idempotencyTable = new AwsDynamoTable(
      `${name}-idempotency`,
      {
        tableName: awsResourceName([product, environment, "job-idempotency"], 255),
        // Powertools idempotency's default key and expiry attributes.
        hashKey: "id",
        ttlAttribute: "expiration",
        key: args.stateKey,
        protect,
        context,
        tags: args.tags,
      },
      { parent: this },
    );
    this.trigger = new AwsFunction(
      `${name}-trigger`,
      {
        ...functionCommon(args),
        entry: "event-trigger/handler.ts",
        functionName: awsResourceName([product, environment, "job-trigger"], 64),
        description: `Starts the ${args.glueJobName} Glue job once per message id`,
        principalName: "job-trigger",
        tables,
        environment: {
          IDEMPOTENCY_TABLE: this.idempotencyTable.tableName,
          GLUE_JOB_NAME: args.glueJobName,
          ID_FIELD: idField,
          IDEMPOTENCY_TTL_SECONDS: String(idempotencyDays * 86_400),
        },
        timeoutSeconds: triggerTimeoutSeconds,
        memorySizeMb: 256,
      },
      { parent: this },
    );
    this.idempotencyTable.grant(this.trigger, DYNAMODB_IDEMPOTENCY_ACTIONS);
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
          StringEquals: { "kms:ViaService": pulumi.interpolate`sqs.${context.region}.amazonaws.com` },
        },
      },
    ]);
    this.trigger.allow("start-job", [
      {
        Sid: "StartOneJob",
        Effect: "Allow",
        Action: [...GLUE_START_JOB_ACTIONS],
        Resource: pulumi.interpolate`arn:${context.partition}:glue:${context.region}:${context.accountId}:job/${args.glueJobName}`,
      },
    ]);
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
    this.registerOutputs({ topicArn: this.topicArn });
  }
}

/** Collects every problem with the args and throws one error naming the component and each field. */
export function validateEventJobsArgs(
  name: string,
  args: AwsEventJobsArgs,
  resolved: { triggerTimeoutSeconds: number; maxConcurrency: number; idempotencyDays: number },
): void {
  const problems: string[] = [];
  const { triggerTimeoutSeconds, maxConcurrency, idempotencyDays } = resolved;
  if (!/^[A-Za-z0-9_.-]{1,255}$/.test(args.glueJobName))
    problems.push(`glueJobName: 1-255 letters, digits, _ . or -, got "${args.glueJobName}"`);
  if (!Number.isInteger(triggerTimeoutSeconds) || triggerTimeoutSeconds < 1 || triggerTimeoutSeconds > 900)
    problems.push(
      `triggerTimeoutSeconds: must be a whole number of 1-900 (a Lambda timeout), got ${triggerTimeoutSeconds}`,
    );
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000)
    problems.push(`maxConcurrency: SQS event sources allow 2-1000, got ${maxConcurrency}`);
  if (!Number.isInteger(idempotencyDays) || idempotencyDays < 1)
    problems.push(`idempotencyDays: must be a positive whole number, got ${idempotencyDays}`);
  if (problems.length > 0) {
    throw new Error(`AwsEventJobs ${name} has invalid args:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}
