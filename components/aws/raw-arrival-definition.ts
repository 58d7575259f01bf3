import type { TableSpec } from "../spec";

/** What the raw → bronze workflow's definition refers to (resolved values, not Outputs). */
export interface RawToBronzeTargets {
  readonly controlTable: string;
  readonly converterFunctionArn: string;
  readonly clusterArn: string;
  readonly taskDefinitionArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly assignPublicIp: boolean;
  readonly alertTopicArn: string;
}

export interface RawToBronzeRouting {
  /** Estimated records above which a file converts on ECS (the spec's `routing.lambdaMaxRecords`). */
  readonly lambdaMaxRecords: number;
  /** The tables; a table's `overrides.lambdaMaxRecords` replaces the default for its files. */
  readonly tables: readonly TableSpec[];
}

/** Container name in the converter task definition (container overrides name it). */
export const CONVERTER_CONTAINER = "converter";
/** Seconds: the Lambda converter's own limit, a Fargate conversion, and the whole workflow. */
export const LAMBDA_CONVERT_TIMEOUT_SECONDS = 900;
export const ECS_CONVERT_TIMEOUT_SECONDS = 3 * 3600;
export const WORKFLOW_TIMEOUT_SECONDS = 4 * 3600;

type State = Record<string, unknown>;

/** Transient service errors worth retrying quickly, then everything once more with a longer backoff. */
const LAMBDA_RETRY = [
  {
    ErrorEquals: [
      "Lambda.ServiceException",
      "Lambda.AWSLambdaException",
      "Lambda.SdkClientException",
      "Lambda.TooManyRequestsException",
    ],
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    JitterStrategy: "FULL",
  },
  { ErrorEquals: ["States.ALL"], IntervalSeconds: 30, MaxAttempts: 2, BackoffRate: 2 },
];
const ECS_RETRY = [
  {
    ErrorEquals: ["ECS.AmazonECSException", "ECS.ServerException"],
    IntervalSeconds: 10,
    MaxAttempts: 4,
    BackoffRate: 2,
    JitterStrategy: "FULL",
  },
  { ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 60, MaxAttempts: 2, BackoffRate: 2 },
];
const SERVICE_RETRY = [
  { ErrorEquals: ["States.ALL"], IntervalSeconds: 1, MaxAttempts: 5, BackoffRate: 2, JitterStrategy: "FULL" },
];
const TO_FAILED = [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "MarkFailed" }];

/**
 * The raw → bronze workflow (Amazon States Language, JSONPath). Input: `{ controlId, bucket, key, table,
 * format, estimatedRecords }` from the control-record function. The control record is marked CONVERTING,
 * a Choice routes the file (files of unknown size go to ECS, which has no time or memory ceiling), the
 * converter runs, the record is marked CONVERTED (with the counts the Lambda returns; the ECS task
 * writes its own). Every Task retries with backoff and catches into MarkFailed → NotifyFailure → Fail,
 * so a failure always ends in a FAILED record and an alert.
 */
export function rawToBronzeDefinition(
  targets: RawToBronzeTargets,
  routing: RawToBronzeRouting,
): Record<string, unknown> {
  // The control table's partition key is `pk` (the runtime's control records), holding the control id.
  const key = { pk: { "S.$": "$.controlId" } };
  const mark = (
    status: string,
    extra: { set: string; values: Record<string, unknown> } | undefined,
    next: string,
  ): State => ({
    Type: "Task",
    Resource: "arn:aws:states:::dynamodb:updateItem",
    Parameters: {
      TableName: targets.controlTable,
      Key: key,
      UpdateExpression: `SET #status = :status, updatedAt = :now${extra ? `, ${extra.set}` : ""}`,
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: {
        ":status": { S: status },
        ":now": { "S.$": "$$.State.EnteredTime" },
        ...(extra?.values ?? {}),
      },
    },
    ResultPath: null,
    TimeoutSeconds: 60,
    Retry: SERVICE_RETRY,
    Catch: TO_FAILED,
    Next: next,
  });

  const states: Record<string, State> = {
    MarkConverting: mark(
      "CONVERTING",
      { set: "executionArn = :execution", values: { ":execution": { "S.$": "$$.Execution.Id" } } },
      "Route",
    ),
    Route: {
      Type: "Choice",
      Choices: routeChoices(routing),
      Default: "ConvertOnLambda",
    },
    ConvertOnLambda: {
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke",
      Parameters: {
        FunctionName: targets.converterFunctionArn,
        Payload: {
          "controlId.$": "$.controlId",
          "bucket.$": "$.bucket",
          "key.$": "$.key",
          "table.$": "$.table",
        },
      },
      ResultSelector: {
        "rowsIn.$": "$.Payload.rowsIn",
        "rowsWritten.$": "$.Payload.rowsWritten",
        "rowsQuarantined.$": "$.Payload.rowsQuarantined",
      },
      ResultPath: "$.result",
      TimeoutSeconds: LAMBDA_CONVERT_TIMEOUT_SECONDS,
      Retry: LAMBDA_RETRY,
      Catch: TO_FAILED,
      Next: "MarkConvertedOnLambda",
    },
    ConvertOnEcs: {
      Type: "Task",
      Resource: "arn:aws:states:::ecs:runTask.sync",
      Parameters: {
        LaunchType: "FARGATE",
        Cluster: targets.clusterArn,
        TaskDefinition: targets.taskDefinitionArn,
        NetworkConfiguration: {
          AwsvpcConfiguration: {
            Subnets: targets.subnetIds,
            SecurityGroups: targets.securityGroupIds,
            AssignPublicIp: targets.assignPublicIp ? "ENABLED" : "DISABLED",
          },
        },
        Overrides: {
          ContainerOverrides: [
            {
              Name: CONVERTER_CONTAINER,
              Environment: [
                { Name: "CONTROL_ID", "Value.$": "$.controlId" },
                { Name: "SOURCE_BUCKET", "Value.$": "$.bucket" },
                { Name: "SOURCE_KEY", "Value.$": "$.key" },
                { Name: "TABLE", "Value.$": "$.table" },
              ],
            },
          ],
        },
      },
      ResultPath: null,
      TimeoutSeconds: ECS_CONVERT_TIMEOUT_SECONDS,
      Retry: ECS_RETRY,
      Catch: TO_FAILED,
      Next: "MarkConvertedOnEcs",
    },
    MarkConvertedOnLambda: mark(
      "CONVERTED",
      {
        set: "rowsIn = :rowsIn, rowsWritten = :rowsWritten, rowsQuarantined = :rowsQuarantined",
        values: {
          ":rowsIn": { "N.$": "States.Format('{}', $.result.rowsIn)" },
          ":rowsWritten": { "N.$": "States.Format('{}', $.result.rowsWritten)" },
          ":rowsQuarantined": { "N.$": "States.Format('{}', $.result.rowsQuarantined)" },
        },
      },
      "Converted",
    ),
    MarkConvertedOnEcs: mark("CONVERTED", undefined, "Converted"),
    Converted: { Type: "Succeed" },
    MarkFailed: {
      Type: "Task",
      Resource: "arn:aws:states:::dynamodb:updateItem",
      Parameters: {
        TableName: targets.controlTable,
        Key: key,
        UpdateExpression: "SET #status = :status, updatedAt = :now, failure = :failure",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: {
          ":status": { S: "FAILED" },
          ":now": { "S.$": "$$.State.EnteredTime" },
          ":failure": { "S.$": "States.JsonToString($.error)" },
        },
      },
      ResultPath: null,
      TimeoutSeconds: 60,
      Retry: SERVICE_RETRY,
      // Even when the record cannot be marked, the alert still goes out.
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.markError", Next: "NotifyFailure" }],
      Next: "NotifyFailure",
    },
    NotifyFailure: {
      Type: "Task",
      Resource: "arn:aws:states:::sns:publish",
      Parameters: {
        TopicArn: targets.alertTopicArn,
        Subject: "raw to bronze conversion failed",
        "Message.$": "States.JsonToString($)",
      },
      ResultPath: null,
      TimeoutSeconds: 60,
      Retry: SERVICE_RETRY,
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.notifyError", Next: "ConversionFailed" }],
      Next: "ConversionFailed",
    },
    ConversionFailed: {
      Type: "Fail",
      Error: "ConversionFailed",
      Cause: "see the control record and the alert",
    },
  };
  return {
    Comment: "raw → bronze: control record, Lambda-or-ECS routing, Parquet conversion",
    StartAt: "MarkConverting",
    TimeoutSeconds: WORKFLOW_TIMEOUT_SECONDS,
    States: states,
  };
}

/**
 * Choice rules, first match wins: files of unknown size → ECS; each table with its own threshold →
 * ECS above it, else Lambda; every other file → ECS above the spec's threshold (Default: Lambda).
 */
export function routeChoices(routing: RawToBronzeRouting): Record<string, unknown>[] {
  const overridden = routing.tables
    .filter((t) => t.overrides.lambdaMaxRecords !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
  return [
    { Not: { Variable: "$.estimatedRecords", IsPresent: true }, Next: "ConvertOnEcs" },
    { Not: { Variable: "$.estimatedRecords", IsNumeric: true }, Next: "ConvertOnEcs" },
    ...overridden.flatMap((t) => [
      {
        And: [
          { Variable: "$.table", StringEquals: t.name },
          { Variable: "$.estimatedRecords", NumericGreaterThan: t.overrides.lambdaMaxRecords },
        ],
        Next: "ConvertOnEcs",
      },
      { Variable: "$.table", StringEquals: t.name, Next: "ConvertOnLambda" },
    ]),
    { Variable: "$.estimatedRecords", NumericGreaterThan: routing.lambdaMaxRecords, Next: "ConvertOnEcs" },
  ];
}
