import type { TableSpec } from "../../../components/spec/schema";
import { InvalidMessageError, parseJobRequest, transactionKey, type JobRequest } from "../event-trigger";

/** A message received in peek-lock mode: settled by exactly one of complete, abandon or dead-letter. */
export interface LockedMessage {
  readonly messageId: string;
  readonly body: string;
  /** Deliveries so far, this one included (1 on the first). */
  readonly deliveryCount: number;
}

/**
 * The Service Bus port (the SDK's ServiceBusReceiver in peek-lock mode in production, an in-memory queue in
 * tests): `receive` locks up to `max` messages; `abandon` releases the lock (the service redelivers with a
 * higher delivery count and dead-letters once it reaches the queue's maxDeliveryCount); `deadLetter` moves the
 * message to the queue's dead-letter sub-queue with a reason.
 */
export interface PeekLockReceiver {
  receive(max: number): Promise<LockedMessage[]>;
  complete(message: LockedMessage): Promise<void>;
  abandon(message: LockedMessage): Promise<void>;
  deadLetter(message: LockedMessage, reason: string, description: string): Promise<void>;
}

/** The Databricks Jobs port: `POST /api/2.2/jobs/run-now`. */
export interface JobRunStarter {
  runNow(request: {
    readonly jobId: string;
    readonly idempotencyToken: string;
    readonly jobParameters: Readonly<Record<string, string>>;
  }): Promise<{ readonly runId: number }>;
}

export interface EventConsumerDeps {
  readonly receiver: PeekLockReceiver;
  readonly jobs: JobRunStarter;
  /** The Databricks job an event starts (the medallion job). */
  readonly jobId: string;
  /** The event tables (source kind `event`), by name. */
  readonly tables: ReadonlyMap<string, TableSpec>;
  /** Messages received per call. @default 10 */
  readonly batchSize?: number;
  /** Stop after this many messages, so one execution stays bounded. @default 1000 */
  readonly maxMessages?: number;
  readonly log?: (entry: Record<string, unknown>) => void;
}

export interface EventConsumerOutcome {
  readonly started: { readonly table: string; readonly id: string; readonly runId: number }[];
  readonly deadLettered: number;
  readonly abandoned: number;
}

/** Dead-letter reason of a message that can never start a run (not JSON, no id, bad arguments). */
export const INVALID_MESSAGE_REASON = "InvalidMessage";

/**
 * Service Bus → one Databricks run per transaction, the Azure side of the SNS → SQS → Lambda trigger, with
 * the same message parsing (`parseJobRequest`) and the same idempotency key (`transactionKey`). The key is
 * the run's `idempotency_token`: "If a run with the provided token already exists, the request does not create
 * a new run but returns the ID of the existing run instead … Databricks guarantees that exactly one run is
 * launched with that idempotency token" (docs.databricks.com/api/azure/workspace/jobs/runnow), so a redelivered
 * message, or a retry after a lost response, cannot start a second run. A message is completed only after
 * run-now answered; a failed call abandons it (redelivered, then dead-lettered by the service after
 * maxDeliveryCount); a message that can never succeed is dead-lettered at once with its reason.
 */
export async function consumeEvents(deps: EventConsumerDeps): Promise<EventConsumerOutcome> {
  const batchSize = deps.batchSize ?? 10;
  const maxMessages = deps.maxMessages ?? 1000;
  const outcome = { started: [] as EventConsumerOutcome["started"][number][], deadLettered: 0, abandoned: 0 };
  let seen = 0;
  while (seen < maxMessages) {
    const messages = await deps.receiver.receive(Math.min(batchSize, maxMessages - seen));
    if (messages.length === 0) break;
    seen += messages.length;
    for (const message of messages) {
      let request: JobRequest;
      try {
        request = parseJobRequest(message.body, deps.tables);
      } catch (error) {
        if (!(error instanceof InvalidMessageError)) throw error;
        await deps.receiver.deadLetter(message, INVALID_MESSAGE_REASON, error.message);
        outcome.deadLettered += 1;
        deps.log?.({
          level: "WARN",
          message: "dead-lettered",
          messageId: message.messageId,
          error: error.message,
        });
        continue;
      }
      try {
        const { runId } = await deps.jobs.runNow({
          jobId: deps.jobId,
          idempotencyToken: transactionKey(request.table, request.id),
          jobParameters: { event_table: request.table, transaction_id: request.id },
        });
        await deps.receiver.complete(message);
        outcome.started.push({ table: request.table, id: request.id, runId });
        deps.log?.({ level: "INFO", message: "run started", table: request.table, id: request.id, runId });
      } catch (error) {
        await deps.receiver.abandon(message);
        outcome.abandoned += 1;
        deps.log?.({
          level: "ERROR",
          message: "run-now failed; message abandoned for redelivery",
          messageId: message.messageId,
          deliveryCount: message.deliveryCount,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
  return outcome;
}
