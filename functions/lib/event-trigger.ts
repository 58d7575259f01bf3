import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import type { BasePersistenceLayer } from "@aws-lambda-powertools/idempotency/persistence";
import { StartJobRunCommand, type GlueClient } from "@aws-sdk/client-glue";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

/** The part of an event message the trigger uses: its idempotency key and the job's arguments. */
export interface JobRequest {
  id: string;
  arguments: Record<string, string>;
}

export interface EventTriggerDeps {
  glue: GlueClient;
  /** Powertools persistence (DynamoDB in the cloud): a conditional put per key makes the claim atomic. */
  persistenceStore: BasePersistenceLayer;
  jobName: string;
  /** Message field holding the idempotency key. @default "transaction_id" */
  idField?: string;
  /** How long a completed key blocks duplicates (the table's TTL attribute). @default 3 days */
  expiresAfterSeconds?: number;
  /** Called once per job run actually started (metrics, logs). */
  onJobStarted?: (request: JobRequest, jobRunId: string | undefined) => void;
}

/** A message that can never succeed; it fails its record and ends in the queue's DLQ after maxReceiveCount. */
export class InvalidMessageError extends Error {}

/**
 * SQS (from SNS) → Glue job runs, with partial batch responses. Each message is claimed by its transaction id
 * through Powertools idempotency (an atomic conditional put, never check-then-put): a duplicate delivery gets the
 * stored result (or, while the first is in flight, fails and is redelivered later), so one id starts exactly one
 * run. A failed StartJobRun removes the claim and fails the record, so the redelivery retries it.
 */
export function createEventTrigger(
  deps: EventTriggerDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const idField = deps.idField ?? "transaction_id";
  const config = new IdempotencyConfig({
    eventKeyJmesPath: "id",
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: deps.expiresAfterSeconds ?? 3 * 24 * 3600,
  });
  const startJob = makeIdempotent(
    async (request: JobRequest) => {
      const run = await deps.glue.send(
        new StartJobRunCommand({ JobName: deps.jobName, Arguments: request.arguments }),
      );
      deps.onJobStarted?.(request, run.JobRunId);
      return { id: request.id, jobRunId: run.JobRunId };
    },
    { persistenceStore: deps.persistenceStore, config },
  );
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord) => startJob(parseJobRequest(record.body, idField));
  return async (event, context) => {
    config.registerLambdaContext(context);
    // Every record failing is still a per-record answer: SQS redelivers exactly those, then the DLQ takes them.
    return processPartialResponse(event, recordHandler, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
  };
}

/** Reads an SQS body: an SNS envelope (`{ Type: "Notification", Message }`) or, with raw delivery, the message. */
export function parseJobRequest(body: string, idField: string): JobRequest {
  let message = parseJson(body);
  if (message.Type === "Notification" && typeof message.Message === "string")
    message = parseJson(message.Message);
  const id = Object.hasOwn(message, idField) ? message[idField] : undefined;
  if ((typeof id !== "string" && typeof id !== "number") || id === "") {
    throw new InvalidMessageError(`message has no ${idField}`);
  }
  const raw = message.arguments ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new InvalidMessageError("arguments must be an object of --key: value");
  }
  const args = Object.fromEntries(
    Object.entries(raw).map(([key, value]) => [
      key.startsWith("--") ? key : `--${key}`,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
  return { id: String(id), arguments: args };
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new InvalidMessageError("message is not a JSON object");
}
