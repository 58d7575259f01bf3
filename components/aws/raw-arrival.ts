import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as lambda from "@pulumi/aws/lambda";
import * as s3 from "@pulumi/aws/s3";
import * as sfn from "@pulumi/aws/sfn";
import * as pulumi from "@pulumi/pulumi";
import { CONTROL_RECORD_SERVICE, SKIPPED_OBJECTS_METRIC } from "../../functions/lib/control";
import { METRICS_NAMESPACE, metricsPipeline } from "../../functions/lib/telemetry";
import { alertAlarm, emittedMetricAlarm } from "./alarms";
import { awsResourceName } from "../naming";
import type { TableSpec } from "../spec";
import { AwsConverterTask, type ConverterNetwork } from "./converter-task";
import type { AwsCustomerKey } from "./customer-key";
import { AwsDeadLetterQueue } from "./dead-letter-queue";
import { AwsDynamoTable } from "./dynamo-table";
import { AwsFunction, functionCommon, type AwsFunctionCommon } from "./function";
import type { AwsMedallionLayer } from "./medallion-layer";
import { DYNAMODB_CONTROL_ACTIONS, DYNAMODB_CONVERTER_ACTIONS, DYNAMODB_UPDATE_ACTIONS } from "./perms";
import { rawToBronzeDefinition } from "./raw-arrival-definition";
import { workflowRoleStatements } from "./raw-arrival-role";
import { AwsStateMachine } from "./state-machine";

/** Raw objects under this prefix are Firehose failures, not data: they alert instead of converting. */
export const RAW_ERRORS_PREFIX = "_errors/";

export interface AwsRawArrivalArgs extends AwsFunctionCommon {
  readonly product: string;
  readonly environment: string;
  /** Every table that lands in raw (`<table>/...`); bundled for the control-record function and the converter. */
  readonly tables: readonly TableSpec[];
  readonly raw: AwsMedallionLayer;
  readonly bronze: AwsMedallionLayer;
  /** Customer key of the ingestion's DynamoDB tables. */
  readonly stateKey: AwsCustomerKey;
  /** Customer key of the ingestion's queues (the rule's dead-letter queue). */
  readonly messagesKeyArn: pulumi.Input<string>;
  /** Customer key of the alert topic (the workflow publishes failures through SNS). */
  readonly alertKeyArn: pulumi.Input<string>;
  /** Estimated records above which a file converts on ECS (the spec's `routing.lambdaMaxRecords`). */
  readonly lambdaMaxRecords: number;
  /** Where the Fargate converter runs. @default the default VPC (see `AwsConverterTask`) */
  readonly converterNetwork?: ConverterNetwork;
  readonly protect?: boolean;
}

/**
 * Raw arrival → bronze (seed 001). S3 sends Object Created events to EventBridge; a rule (everything but
 * `_errors/`) invokes the control-record function, which writes a control record (once per object: a
 * re-delivered event finds it) in a KMS-encrypted table with point-in-time recovery and starts the
 * raw → bronze workflow. The workflow routes each file by its estimated records to the converter on
 * Lambda or on ECS Fargate (`.sync`), updates the control record at each step, and on any failure marks
 * it FAILED and alerts. Firehose failures under `_errors/` alert through a second rule. Alarms: failed and
 * timed-out executions, the functions' errors, the rule's dead-letter queue.
 */
export class AwsRawArrival extends pulumi.ComponentResource {
  readonly controlTable: AwsDynamoTable;
  readonly controlRecord: AwsFunction;
  /** Objects that landed outside every table's prefix (the control-record function's ObjectsSkipped). */
  readonly skippedObjectsAlarm: cloudwatch.MetricAlarm;
  readonly converter: AwsFunction;
  readonly converterTask: AwsConverterTask;
  readonly workflow: AwsStateMachine;
  readonly stateMachine: sfn.StateMachine;
  readonly definition: pulumi.Output<string>;
  readonly stateMachineArn: pulumi.Output<string>;

  constructor(name: string, args: AwsRawArrivalArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:RawArrival", name, {}, opts);
    const protect = args.protect ?? false;
    const { context, product, environment } = args;
    const common = functionCommon(args);
    const machineName = awsResourceName([product, environment, "raw-to-bronze"], 80);

    this.controlTable = new AwsDynamoTable(
      `${name}-control`,
      {
        tableName: awsResourceName([product, environment, "raw-control"], 255),
        hashKey: "pk",
        key: args.stateKey,
        protect,
        context,
        tags: args.tags,
      },
      { parent: this },
    );
    this.converter = new AwsFunction(
      `${name}-converter`,
      {
        ...common,
        entry: "converter/handler.ts",
        functionName: awsResourceName([product, environment, "converter"], 64),
        description: "Converts a raw JSON/CSV(.gz) file into Parquet in bronze",
        principalName: "converter",
        tables: args.tables,
        environment: {
          CONTROL_TABLE: this.controlTable.tableName,
          BRONZE_BUCKET: args.bronze.bucketName,
          METRICS_PIPELINE: metricsPipeline(product, environment),
        },
        timeoutSeconds: 900,
        // 1769 MiB is one full vCPU; the converter's memory is bounded by batch size, not file size. Its worker
        // threads are off (CONVERTER_WORKERS); with them, two vCPUs need 3,538 MB
        // (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
        memorySizeMb: 2048,
      },
      { parent: this },
    );
    args.raw.grantRead(this.converter);
    args.bronze.grantWrite(this.converter);
    this.converter.alarmOnMetric(
      "RowsQuarantined",
      "converter",
      "rows were quarantined (see the quarantine prefix)",
    );
    this.controlTable.grant(this.converter, DYNAMODB_CONVERTER_ACTIONS);

    this.converterTask = new AwsConverterTask(
      `${name}-converter-task`,
      {
        ...common,
        product,
        environment,
        tables: args.tables,
        raw: args.raw,
        bronze: args.bronze,
        environmentVariables: {
          CONTROL_TABLE: this.controlTable.tableName,
          BRONZE_BUCKET: args.bronze.bucketName,
          METRICS_PIPELINE: metricsPipeline(product, environment),
        },
        ...(args.converterNetwork ? { network: args.converterNetwork } : {}),
        protect,
      },
      { parent: this },
    );
    this.controlTable.grant(this.converterTask.principal, DYNAMODB_CONVERTER_ACTIONS);
    emittedMetricAlarm(
      `${name}-converter-task-rows-quarantined`,
      {
        description: pulumi.interpolate`${this.converterTask.metricsScope}: rows were quarantined (see the quarantine prefix)`,
        metricName: "RowsQuarantined",
        emitter: { service: "converter-task", scope: this.converterTask.metricsScope },
        alertTopicArn: args.alertTopicArn,
        tags: args.tags,
      },
      this,
    );

    this.definition = pulumi
      .all([
        this.controlTable.tableName,
        this.converter.arn,
        this.converterTask.cluster.arn,
        this.converterTask.taskDefinition.arn,
        this.converterTask.subnetIds,
        this.converterTask.securityGroupIds,
        pulumi.output(args.alertTopicArn),
      ])
      .apply(
        ([
          controlTable,
          converterFunctionArn,
          clusterArn,
          taskDefinitionArn,
          subnetIds,
          securityGroupIds,
          alertTopicArn,
        ]) =>
          JSON.stringify(
            rawToBronzeDefinition(
              {
                controlTable,
                converterFunctionArn,
                clusterArn,
                taskDefinitionArn,
                subnetIds,
                securityGroupIds,
                assignPublicIp: this.converterTask.assignPublicIp,
                alertTopicArn,
              },
              { lambdaMaxRecords: args.lambdaMaxRecords, tables: args.tables },
            ),
          ),
      );
    // One AwsStateMachine; its children keep the logical names and state they had under this component.
    this.workflow = new AwsStateMachine(
      `${name}-workflow`,
      {
        context,
        machines: { "raw-to-bronze": { name: machineName, definition: this.definition } },
        statements: workflowRoleStatements({
          converterFunctionArn: this.converter.arn,
          clusterArn: this.converterTask.cluster.arn,
          clusterName: this.converterTask.cluster.name,
          taskDefinitionArn: this.converterTask.taskDefinition.arnWithoutRevision,
          passRoleArns: [this.converterTask.taskRole.arn, this.converterTask.executionRole.arn],
          alertTopicArn: args.alertTopicArn,
          alertKeyArn: args.alertKeyArn,
          context,
        }),
        grants: ({ role }) => [
          this.controlTable.grant({ name: "raw-to-bronze", role }, DYNAMODB_UPDATE_ACTIONS),
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
          machines: { "raw-to-bronze": `${name}-workflow` },
        },
      },
      { parent: this },
    );
    this.stateMachine = this.workflow.machine("raw-to-bronze");
    this.stateMachineArn = this.stateMachine.arn;

    this.controlRecord = new AwsFunction(
      `${name}-control-record`,
      {
        ...common,
        entry: "control-record/handler.ts",
        functionName: awsResourceName([product, environment, "control-record"], 64),
        description: "Writes a control record for each raw object and starts the raw → bronze workflow",
        principalName: "control-record",
        tables: args.tables,
        environment: { CONTROL_TABLE: this.controlTable.tableName, STATE_MACHINE_ARN: this.stateMachine.arn },
        timeoutSeconds: 30,
        memorySizeMb: 256,
      },
      { parent: this },
    );
    this.controlTable.grant(this.controlRecord, DYNAMODB_CONTROL_ACTIONS);
    // The function's Powertools metric, with the dimensions it publishes (service + its function name).
    this.skippedObjectsAlarm = alertAlarm(
      `${name}-skipped-objects`,
      {
        description: pulumi.interpolate`${this.controlRecord.functionName}: raw objects under no table prefix were not converted (see its logs)`,
        namespace: METRICS_NAMESPACE,
        metricName: SKIPPED_OBJECTS_METRIC,
        dimensions: { service: CONTROL_RECORD_SERVICE, function: this.controlRecord.functionName },
        alertTopicArn: args.alertTopicArn,
        tags: args.tags,
      },
      this,
    );
    this.controlRecord.allow("start-workflow", [this.workflow.startStatement("StartRawToBronze")]);

    this.wireArrivalEvents(name, args);
    this.registerOutputs({
      stateMachineArn: this.stateMachineArn,
      controlTable: this.controlTable.tableName,
    });
  }

  /** S3 → EventBridge → control-record function (with retries and a DLQ); `_errors/` → alert topic. */
  private wireArrivalEvents(name: string, args: AwsRawArrivalArgs): void {
    const { product, environment } = args;
    const notification = new s3.BucketNotification(
      `${name}-raw-events`,
      { bucket: args.raw.bucketName, eventbridge: true },
      { parent: this },
    );
    const objectCreated = (keyFilter: Record<string, unknown>) =>
      JSON.stringify({
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: { bucket: { name: ["BUCKET"] }, object: { key: [keyFilter] } },
      });
    const pattern = (keyFilter: Record<string, unknown>) =>
      args.raw.bucketName.apply((bucket) =>
        objectCreated(keyFilter).replace('"BUCKET"', JSON.stringify(bucket)),
      );

    const arrivalRule = new cloudwatch.EventRule(
      `${name}-arrival-rule`,
      {
        name: awsResourceName([product, environment, "raw-arrival"], 64),
        description: "A data file landed in raw: write its control record and convert it",
        eventPattern: pattern({ "anything-but": { prefix: RAW_ERRORS_PREFIX } }),
        tags: { ...args.tags },
      },
      { parent: this, dependsOn: [notification] },
    );
    const dlq = new AwsDeadLetterQueue(
      `${name}-arrival-dlq`,
      {
        queueName: awsResourceName([product, environment, "raw-arrival-dlq"], 80),
        keyArn: args.messagesKeyArn,
        serviceSender: { service: "events.amazonaws.com", sourceArns: [arrivalRule.arn] },
        alertTopicArn: args.alertTopicArn,
        purpose:
          "raw arrival events that could not be delivered to, or failed in, the control-record function",
        via: args.context,
        tags: args.tags,
      },
      { parent: this },
    );
    const permission = new lambda.Permission(
      `${name}-arrival-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: this.controlRecord.functionName,
        principal: "events.amazonaws.com",
        sourceArn: arrivalRule.arn,
        sourceAccount: args.context.accountId,
      },
      { parent: this },
    );
    this.controlRecord.sendAsyncFailuresTo(dlq);
    new cloudwatch.EventTarget(
      `${name}-arrival-target`,
      {
        rule: arrivalRule.name,
        arn: this.controlRecord.arn,
        retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 10 },
        deadLetterConfig: { arn: dlq.arn },
      },
      { parent: this, dependsOn: [permission] },
    );

    const errorsRule = new cloudwatch.EventRule(
      `${name}-errors-rule`,
      {
        name: awsResourceName([product, environment, "raw-delivery-errors"], 64),
        description: "Firehose wrote failed records under _errors/ in raw",
        eventPattern: pattern({ prefix: RAW_ERRORS_PREFIX }),
        tags: { ...args.tags },
      },
      { parent: this, dependsOn: [notification] },
    );
    // A publish EventBridge cannot make (topic policy, key policy) would otherwise be dropped silently.
    const errorsDlq = new AwsDeadLetterQueue(
      `${name}-errors-alert-dlq`,
      {
        queueName: awsResourceName([product, environment, "raw-errors-alert-dlq"], 80),
        keyArn: args.messagesKeyArn,
        serviceSender: { service: "events.amazonaws.com", sourceArns: [errorsRule.arn] },
        alertTopicArn: args.alertTopicArn,
        purpose: "_errors/ alerts EventBridge could not publish to the alert topic",
        via: args.context,
        tags: args.tags,
      },
      { parent: this },
    );
    new cloudwatch.EventTarget(
      `${name}-errors-alert`,
      {
        rule: errorsRule.name,
        arn: args.alertTopicArn,
        retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 10 },
        deadLetterConfig: { arn: errorsDlq.arn },
        inputTransformer: {
          inputPaths: { bucket: "$.detail.bucket.name", key: "$.detail.object.key" },
          inputTemplate: '"CDC records failed processing or delivery: s3://<bucket>/<key>"',
        },
      },
      { parent: this },
    );
  }
}
