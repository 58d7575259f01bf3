/** What the event-job workflow refers to (resolved values, not Outputs). */
export interface EventJobTargets {
  readonly jobName: string;
  readonly alertTopicArn: string;
  /** Limit of the job run, Glue's own retries included. */
  readonly taskTimeoutSeconds: number;
}

/**
 * Errors of StartJobRun that mean no run started, so retrying cannot start a second one. A failed run is not
 * retried here (a new run for the same transaction); Glue's own MaxRetries applies, then the alert.
 */
export const EVENT_JOB_NOT_STARTED = ["Glue.ConcurrentRunsExceededException", "Glue.ThrottlingException"];

/**
 * The event-job workflow (Standard, JSONPath): input `{ table, transactionId, arguments }` from the trigger,
 * `arguments` already holding `--name` and `--transaction_id`. One Task runs the Glue job and waits for it
 * (`glue:startJobRun.sync`); Standard workflows run a Task once unless it has a Retry
 * (https://docs.aws.amazon.com/step-functions/latest/dg/express-at-least-once-execution.html), and it retries
 * only errors that started nothing. Any failure is published to the alert topic and ends in Fail.
 */
export function eventJobDefinition(targets: EventJobTargets): Record<string, unknown> {
  return {
    Comment: "event job: one Glue job run per transaction id (the execution is named by it)",
    StartAt: "RunJob",
    TimeoutSeconds: targets.taskTimeoutSeconds + 3600,
    States: {
      RunJob: {
        Type: "Task",
        Resource: "arn:aws:states:::glue:startJobRun.sync",
        Parameters: { JobName: targets.jobName, "Arguments.$": "$.arguments" },
        ResultPath: null,
        TimeoutSeconds: targets.taskTimeoutSeconds,
        Retry: [
          {
            ErrorEquals: EVENT_JOB_NOT_STARTED,
            IntervalSeconds: 30,
            MaxAttempts: 6,
            BackoffRate: 2,
            JitterStrategy: "FULL",
          },
        ],
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "NotifyFailure" }],
        End: true,
      },
      NotifyFailure: {
        Type: "Task",
        Resource: "arn:aws:states:::sns:publish",
        Parameters: {
          TopicArn: targets.alertTopicArn,
          Subject: "event job failed",
          "Message.$": "States.JsonToString($)",
        },
        ResultPath: null,
        TimeoutSeconds: 60,
        Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 5, MaxAttempts: 3, BackoffRate: 2 }],
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.alertError", Next: "JobFailed" }],
        Next: "JobFailed",
      },
      JobFailed: { Type: "Fail", Error: "EventJobFailed", Cause: "see the alert and the Glue job run" },
    },
  };
}
