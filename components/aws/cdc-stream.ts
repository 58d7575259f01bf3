import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as iam from "@pulumi/aws/iam";
import * as kinesis from "@pulumi/aws/kinesis";
import * as pulumi from "@pulumi/pulumi";
import { alertAlarm } from "./alarms";
import { awsResourceName } from "../naming";
import type { TableSpec } from "../spec";
import { viaService } from "./context";
import { AwsCustomerKey } from "./customer-key";
import { AwsFunction, functionCommon, type AwsFunctionCommon } from "./function";
import { serviceTrustPolicy } from "./service-trust";
import type { AwsMedallionLayer } from "./medallion-layer";
import {
  FIREHOSE_LAMBDA_ACTIONS,
  KINESIS_READ_ACTIONS,
  KMS_KINESIS_READ_ACTIONS,
  LOGS_WRITE_ACTIONS,
  S3_FIREHOSE_BUCKET_ACTIONS,
} from "./perms";
import { policyJson } from "./policy-documents";

/** The log stream Firehose writes destination-delivery errors to (the console's name for it). */
const FIREHOSE_DELIVERY_LOG_STREAM = "DestinationDelivery";

/** Raw key layout of CDC records: one folder per table, one per ingestion day (the runtime contract). */
export const CDC_PREFIX = "!{partitionKeyFromLambda:table_name}/ingest_date=!{timestamp:yyyy-MM-dd}/";
/** Where Firehose puts records the transformer marked `ProcessingFailed` (and other delivery errors). */
export const CDC_ERROR_PREFIX = "_errors/!{firehose:error-output-type}/ingest_date=!{timestamp:yyyy-MM-dd}/";

export interface AwsCdcStreamArgs extends AwsFunctionCommon {
  readonly product: string;
  readonly environment: string;
  /** The CDC tables (source kind `cdc`); bundled for the transformer. At least one. */
  readonly tables: readonly TableSpec[];
  /** The raw layer Firehose writes to. */
  readonly raw: AwsMedallionLayer;
  /** Shards of a provisioned stream; omit for on-demand capacity. @default on-demand */
  readonly shardCount?: number;
  /** Hours the stream keeps records (24-8760). @default 24 */
  readonly retentionHours?: number;
  /** Seconds of delivery lag before the freshness alarm fires. @default 900 */
  readonly freshnessAlarmSeconds?: number;
  readonly protect?: boolean;
}

/**
 * CDC into raw (seed 001): a Kinesis Data Stream under its own customer key → a Firehose delivery
 * stream reading it, with the transformer function as processor (validates, adds `operation` and the
 * ingestion time, sets `table_name` as the dynamic partition key, marks bad records
 * `ProcessingFailed`) → gzip objects under `<table>/ingest_date=.../` in raw, failures under `_errors/`.
 *
 * Firehose's own server-side encryption cannot be turned on for a Kinesis-sourced delivery stream (AWS
 * rejects it): records at rest are encrypted by the source stream's key, in flight by TLS, and objects
 * in S3 by the raw layer's key (`kmsKeyArn` below). Alarms: delivery freshness, failed processor
 * invocations, failed S3 deliveries, and the transformer's errors.
 */
export class AwsCdcStream extends pulumi.ComponentResource {
  readonly stream: kinesis.Stream;
  readonly deliveryStream: kinesis.FirehoseDeliveryStream;
  readonly transformer: AwsFunction;
  readonly key: AwsCustomerKey;
  readonly streamName: pulumi.Output<string>;

  constructor(name: string, args: AwsCdcStreamArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:CdcStream", name, {}, opts);
    validateCdcArgs(name, args);
    const retentionHours = args.retentionHours ?? 24;
    const freshnessAlarmSeconds = args.freshnessAlarmSeconds ?? 900;
    const protect = args.protect ?? false;
    const { context, product, environment } = args;
    const streamName = awsResourceName([product, environment, "cdc"], 128);
    const deliveryName = awsResourceName([product, environment, "cdc-to-raw"], 64);

    this.key = new AwsCustomerKey(
      `${name}-key`,
      {
        aliasParts: [product, environment, "cdc"],
        description: `${product} ${environment} CDC stream`,
        context,
        protect,
        tags: args.tags,
      },
      { parent: this },
    );
    this.stream = new kinesis.Stream(
      name,
      {
        name: streamName,
        encryptionType: "KMS",
        kmsKeyId: this.key.arn,
        retentionPeriod: retentionHours,
        streamModeDetails: { streamMode: args.shardCount === undefined ? "ON_DEMAND" : "PROVISIONED" },
        ...(args.shardCount === undefined ? {} : { shardCount: args.shardCount }),
        tags: { ...args.tags },
      },
      { parent: this, protect, retainOnDelete: protect },
    );
    this.transformer = new AwsFunction(
      `${name}-transformer`,
      {
        ...functionCommon(args),
        entry: "firehose-transformer/handler.ts",
        functionName: awsResourceName([product, environment, "cdc-transformer"], 64),
        description: "Validates CDC records and sets their table partition key",
        principalName: "cdc-transformer",
        tables: args.tables,
        // Firehose waits up to 5 minutes for a processor; the transformer is pure CPU on 1-3 MB batches.
        timeoutSeconds: 120,
        memorySizeMb: 512,
      },
      { parent: this },
    );
    this.transformer.alarmOnMetric(
      "RecordsFailed",
      "firehose-transformer",
      "CDC records failed validation (kept under the stream's error prefix)",
    );
    const firehoseLogs = new cloudwatch.LogGroup(
      `${name}-delivery-logs`,
      {
        name: `/aws/kinesisfirehose/${deliveryName}`,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.logKeyArn,
        tags: { ...args.tags },
      },
      { parent: this },
    );
    // Firehose writes delivery errors to a stream it does not create outside the console
    // (https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-logs.html).
    const deliveryLogStream = new cloudwatch.LogStream(
      `${name}-delivery-log-stream`,
      { name: FIREHOSE_DELIVERY_LOG_STREAM, logGroupName: firehoseLogs.name },
      { parent: this },
    );
    const role = new iam.Role(
      `${name}-delivery-role`,
      {
        description: `Lets ${deliveryName} read the CDC stream, call the transformer and write raw`,
        assumeRolePolicy: serviceTrustPolicy("firehose", context),
        tags: { ...args.tags },
      },
      { parent: this },
    );
    const principal = { name: "cdc-delivery", role };
    const policies = [
      args.raw.grantWrite(principal),
      new iam.RolePolicy(
        `${name}-delivery-access`,
        {
          role: role.name,
          policy: policyJson([
            {
              Sid: "ReadStream",
              Effect: "Allow",
              Action: [...KINESIS_READ_ACTIONS],
              Resource: this.stream.arn,
            },
            {
              Sid: "DecryptStreamThroughKinesis",
              Effect: "Allow",
              Action: [...KMS_KINESIS_READ_ACTIONS],
              Resource: this.key.arn,
              Condition: {
                StringEquals: {
                  "kms:ViaService": viaService(context, "kinesis"),
                },
              },
            },
            {
              Sid: "CallTransformer",
              Effect: "Allow",
              Action: [...FIREHOSE_LAMBDA_ACTIONS],
              Resource: [this.transformer.arn, pulumi.interpolate`${this.transformer.arn}:$LATEST`],
            },
            {
              Sid: "RawBucketChecks",
              Effect: "Allow",
              Action: [...S3_FIREHOSE_BUCKET_ACTIONS],
              Resource: args.raw.bucketArn,
            },
            {
              Sid: "WriteDeliveryLogs",
              Effect: "Allow",
              Action: [...LOGS_WRITE_ACTIONS],
              Resource: pulumi.interpolate`${firehoseLogs.arn}:log-stream:*`,
            },
          ]),
        },
        { parent: this },
      ),
    ];
    this.deliveryStream = new kinesis.FirehoseDeliveryStream(
      `${name}-delivery`,
      {
        name: deliveryName,
        destination: "extended_s3",
        kinesisSourceConfiguration: { kinesisStreamArn: this.stream.arn, roleArn: role.arn },
        extendedS3Configuration: {
          roleArn: role.arn,
          bucketArn: args.raw.bucketArn,
          kmsKeyArn: args.raw.encryptionKeyId,
          prefix: CDC_PREFIX,
          errorOutputPrefix: CDC_ERROR_PREFIX,
          compressionFormat: "GZIP",
          // Dynamic partitioning needs a buffer of at least 64 MiB.
          bufferingSize: 64,
          bufferingInterval: 60,
          dynamicPartitioningConfiguration: { enabled: true, retryDuration: 300 },
          processingConfiguration: {
            enabled: true,
            processors: [
              {
                type: "Lambda",
                parameters: [
                  {
                    parameterName: "LambdaArn",
                    parameterValue: pulumi.interpolate`${this.transformer.arn}:$LATEST`,
                  },
                  { parameterName: "BufferSizeInMBs", parameterValue: "1" },
                  { parameterName: "BufferIntervalInSeconds", parameterValue: "60" },
                ],
              },
            ],
          },
          cloudwatchLoggingOptions: {
            enabled: true,
            logGroupName: firehoseLogs.name,
            logStreamName: deliveryLogStream.name,
          },
        },
        tags: { ...args.tags },
      },
      { parent: this, dependsOn: policies },
    );
    const alarm = (
      suffix: string,
      description: string,
      metricName: string,
      statistic: string,
      comparisonOperator: string,
      threshold: number,
    ) =>
      alertAlarm(
        `${name}-${suffix}`,
        {
          description: pulumi.interpolate`${deliveryName}: ${description}`,
          namespace: "AWS/Firehose",
          metricName,
          dimensions: { DeliveryStreamName: this.deliveryStream.name },
          statistic,
          comparisonOperator,
          threshold,
          alertTopicArn: args.alertTopicArn,
          tags: args.tags,
        },
        this,
      );
    alarm(
      "freshness",
      `records older than ${freshnessAlarmSeconds}s wait for delivery to raw`,
      "DeliveryToS3.DataFreshness",
      "Maximum",
      "GreaterThanThreshold",
      freshnessAlarmSeconds,
    );
    alarm(
      "processing-failed",
      "transformer invocations failed",
      "ExecuteProcessing.Success",
      "Minimum",
      "LessThanThreshold",
      1,
    );
    alarm(
      "delivery-failed",
      "deliveries to raw failed",
      "DeliveryToS3.Success",
      "Minimum",
      "LessThanThreshold",
      1,
    );

    this.streamName = this.stream.name;
    this.registerOutputs({ streamName: this.streamName });
  }
}

/** Collects every problem with the args and throws one error naming the component and each field. */
export function validateCdcArgs(name: string, args: AwsCdcStreamArgs): void {
  const problems: string[] = [];
  if (args.tables.length === 0) problems.push("tables: at least one CDC table is required");
  const notCdc = args.tables.filter((t) => t.source.kind !== "cdc").map((t) => t.name);
  if (notCdc.length > 0) problems.push(`tables: not CDC tables: ${notCdc.join(", ")}`);
  const { shardCount, retentionHours, freshnessAlarmSeconds } = args;
  if (shardCount !== undefined && (!Number.isInteger(shardCount) || shardCount < 1))
    problems.push(`shardCount: must be a positive whole number, got ${shardCount}`);
  if (
    retentionHours !== undefined &&
    (!Number.isInteger(retentionHours) || retentionHours < 24 || retentionHours > 8760)
  )
    problems.push(`retentionHours: must be a whole number of 24-8760, got ${retentionHours}`);
  if (
    freshnessAlarmSeconds !== undefined &&
    (!Number.isInteger(freshnessAlarmSeconds) || freshnessAlarmSeconds < 60)
  )
    problems.push(
      `freshnessAlarmSeconds: must be a whole number of at least 60, got ${freshnessAlarmSeconds}`,
    );
  if (problems.length > 0) {
    throw new Error(`AwsCdcStream ${name} has invalid args:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}
