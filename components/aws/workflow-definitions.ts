/**
 * The Amazon States Language of the transformation workflows, as pure functions so tests validate them
 * with asl-validator and assert their shape without the Pulumi runtime.
 */

export interface RetrySettings {
  /** Attempts after the first failure of a job run. */
  readonly maxAttempts: number;
  readonly intervalSeconds: number;
  readonly backoffRate: number;
}

export interface MapWorkflowInput {
  readonly description: string;
  /** The spec's tables (bronze → silver) or gold models (silver → gold). */
  readonly items: readonly string[];
  /** Names the Map and its states (`Table`, `Model`). */
  readonly itemLabel: string;
  readonly jobName: string;
  /** Optional step after the Map: the same job run once with another plan (the flat views). */
  readonly after?: {
    readonly name: string;
    readonly jobName: string;
    readonly arguments: Record<string, string>;
  };
  readonly alertTopicArn: string;
  /** Subject of the alert (ASCII, SNS's rule). */
  readonly alertSubject: string;
  readonly maxConcurrency: number;
  readonly retry: RetrySettings;
  /** Limit of one job run, Glue's own retries included. */
  readonly taskTimeoutSeconds: number;
  /** Limit of the whole execution. */
  readonly timeoutSeconds: number;
}

const GLUE_RUN_SYNC = "arn:aws:states:::glue:startJobRun.sync";
const SNS_PUBLISH = "arn:aws:states:::sns:publish";
/** Glue API errors worth retrying quickly, before the job-failure retry. */
const GLUE_TRANSIENT = [
  "Glue.ConcurrentRunsExceededException",
  "Glue.ThrottlingException",
  "Glue.InternalServiceException",
];

/**
 * Pass (the list) → Map over it running the job per item (`--name`), each run with Retry (backoff) and
 * Catch → Fail naming the item → [optional after-step] → end. Any failure is caught, published to the
 * alert topic, and ends in Fail, so the execution is FAILED and the alarm and the message agree.
 */
export function mapWorkflowDefinition(input: MapWorkflowInput): Record<string, unknown> {
  const label = input.itemLabel;
  const retry = [
    { ErrorEquals: GLUE_TRANSIENT, IntervalSeconds: 30, MaxAttempts: 5, BackoffRate: 2 },
    {
      ErrorEquals: ["States.TaskFailed", "States.Timeout"],
      IntervalSeconds: input.retry.intervalSeconds,
      MaxAttempts: input.retry.maxAttempts,
      BackoffRate: input.retry.backoffRate,
    },
  ];
  const catchToAlert = [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "NotifyFailure" }];
  const mapName = `${label}Map`;
  const states: Record<string, unknown> = {
    [`List${label}s`]: { Type: "Pass", Result: [...input.items], ResultPath: "$.items", Next: mapName },
    [mapName]: {
      Type: "Map",
      ItemsPath: "$.items",
      ItemSelector: { "name.$": "$$.Map.Item.Value" },
      MaxConcurrency: input.maxConcurrency,
      ItemProcessor: {
        ProcessorConfig: { Mode: "INLINE" },
        StartAt: `Run${label}Job`,
        States: {
          [`Run${label}Job`]: {
            Type: "Task",
            Resource: GLUE_RUN_SYNC,
            Parameters: { JobName: input.jobName, Arguments: { "--name.$": "$.name" } },
            TimeoutSeconds: input.taskTimeoutSeconds,
            Retry: retry,
            Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: `${label}Failed` }],
            End: true,
          },
          [`${label}Failed`]: {
            Type: "Fail",
            Error: `${label}Failed`,
            CausePath: `States.Format('${label.toLowerCase()} {} failed: {}', $.name, $.error.Cause)`,
          },
        },
      },
      ResultPath: null,
      Catch: catchToAlert,
      ...(input.after ? { Next: input.after.name } : { End: true }),
    },
  };
  if (input.after) {
    states[input.after.name] = {
      Type: "Task",
      Resource: GLUE_RUN_SYNC,
      Parameters: { JobName: input.after.jobName, Arguments: { ...input.after.arguments } },
      TimeoutSeconds: input.taskTimeoutSeconds,
      Retry: retry,
      Catch: catchToAlert,
      ResultPath: null,
      End: true,
    };
  }
  states.NotifyFailure = {
    Type: "Task",
    Resource: SNS_PUBLISH,
    Parameters: {
      TopicArn: input.alertTopicArn,
      Subject: input.alertSubject,
      "Message.$": "States.JsonToString($.error)",
    },
    Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 5, MaxAttempts: 3, BackoffRate: 2 }],
    // The alert could not be sent: fail anyway; the failed-execution alarm still fires.
    Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.alertError", Next: "Failed" }],
    ResultPath: null,
    Next: "Failed",
  };
  states.Failed = {
    Type: "Fail",
    Error: "TransformFailed",
    Cause: `${input.description} failed; see the alert`,
  };
  return {
    Comment: input.description,
    StartAt: `List${label}s`,
    TimeoutSeconds: input.timeoutSeconds,
    States: states,
  };
}
