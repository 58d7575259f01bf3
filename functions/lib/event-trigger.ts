import { createHash } from "node:crypto";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from "@aws-sdk/client-sfn";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { TableSpec } from "../../components/spec/schema";

/** One job request read from a message: the event table, its transaction id and the job's arguments. */
export interface JobRequest {
  table: string;
  id: string;
  /** What the Glue job receives: the message's arguments, then `--name <table>` and `--transaction_id <id>`. */
  arguments: Record<string, string>;
}

export interface EventTriggerDeps {
  sfn: SFNClient;
  /** The event-job workflow: one Standard execution per transaction id runs the Glue job once. */
  stateMachineArn: string;
  /** The event tables (source kind `event`), by name. */
  tables: ReadonlyMap<string, TableSpec>;
  /** Called once per execution actually started (metrics, logs). */
  onStarted?: (request: JobRequest, executionArn: string | undefined) => void;
  /** Called for a transaction id whose execution exists already (a duplicate delivery). */
  onDuplicate?: (request: JobRequest) => void;
}

/** A message that can never succeed; it fails its record and ends in the queue's DLQ after maxReceiveCount. */
export class InvalidMessageError extends Error {}

/** Job arguments the trigger sets itself; a message may not. */
export const RESERVED_ARGUMENTS = ["--name", "--plan", "--transaction_id", "--conf", "--class"] as const;

/**
 * SQS (from SNS) → one event-job execution per transaction id, with partial batch responses. The execution is
 * named from the table and the id, and Step Functions refuses a Standard execution whose name was used in
 * the last 90 days (an open one with the same input answers with it, idempotently:
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html). So a duplicate
 * delivery, a retry after a crash between the start and anything after it, or a throttled write can never
 * start the job twice: the guarantee lives in the service, not in a record this function must write.
 * Glue's StartJobRun takes no client token (https://docs.aws.amazon.com/glue/latest/webapi/API_StartJobRun.html),
 * which is why the workflow, not this function, starts the run. A failed StartExecution fails the record,
 * so SQS redelivers it.
 */
export function createEventTrigger(
  deps: EventTriggerDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord) => {
    const request = parseJobRequest(record.body, deps.tables);
    try {
      const started = await deps.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: deps.stateMachineArn,
          name: eventExecutionName(request.table, request.id),
          input: JSON.stringify({
            table: request.table,
            transactionId: request.id,
            arguments: request.arguments,
          }),
        }),
      );
      deps.onStarted?.(request, started.executionArn);
      return { id: request.id, executionArn: started.executionArn };
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists) && (error as Error).name !== "ExecutionAlreadyExists")
        throw error;
      deps.onDuplicate?.(request);
      return { id: request.id, duplicate: true };
    }
  };
  return async (event, context) =>
    // Every record failing is still a per-record answer: SQS redelivers exactly those, then the DLQ takes them.
    processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
}

/**
 * The execution name of a transaction: `<table>-<sha-256 of table and id>`, at most 80 characters of
 * [A-Za-z0-9_-] (Step Functions' rule), the same for every delivery of the id.
 */
export function eventExecutionName(table: string, id: string): string {
  const digest = transactionKey(table, id).slice(0, 40);
  return `${table.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 39)}-${digest}`;
}

/**
 * The transaction's idempotency key on every cloud: the hex SHA-256 of the table and the id (64 characters),
 * the same for every delivery. Step Functions names the execution after it (AWS); Databricks takes it whole
 * as the run's `idempotency_token` (at most 64 characters, Azure).
 */
export function transactionKey(table: string, id: string): string {
  return createHash("sha256").update(`${table}\n${id}`).digest("hex");
}

/**
 * Reads an SQS body: an SNS envelope (`{ Type: "Notification", Message }`) or, with raw delivery, the message.
 * The message names its event table (`table`, optional when there is one) and carries the table's id field
 * and `arguments` (`--key: value`; keys are lowercase snake_case, so none is one of Glue's own parameters,
 * which are spelled with hyphens or capitals, and none is reserved).
 */
export function parseJobRequest(body: string, tables: ReadonlyMap<string, TableSpec>): JobRequest {
  let message = parseJson(body);
  if (message.Type === "Notification" && typeof message.Message === "string")
    message = parseJson(message.Message);
  const table = eventTable(message, tables);
  const idField = table.source.kind === "event" ? table.source.idField : "transaction_id";
  const id = Object.hasOwn(message, idField) ? message[idField] : undefined;
  if ((typeof id !== "string" && typeof id !== "number") || id === "") {
    throw new InvalidMessageError(`message has no ${idField}`);
  }
  const raw = Object.hasOwn(message, "arguments") ? message.arguments : {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new InvalidMessageError("arguments must be an object of --key: value");
  }
  const args: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = key.startsWith("--") ? key : `--${key}`;
    if (!/^--[a-z][a-z0-9_]*$/.test(name) || (RESERVED_ARGUMENTS as readonly string[]).includes(name))
      throw new InvalidMessageError(
        `argument ${JSON.stringify(key)} is not allowed (lowercase snake_case, not ${RESERVED_ARGUMENTS.join(", ")})`,
      );
    args[name] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return {
    table: table.name,
    id: String(id),
    arguments: { ...args, "--name": table.name, "--transaction_id": String(id) },
  };
}

function eventTable(message: Record<string, unknown>, tables: ReadonlyMap<string, TableSpec>): TableSpec {
  const named = Object.hasOwn(message, "table") ? message.table : undefined;
  if (named === undefined) {
    if (tables.size === 1) return [...tables.values()][0]!;
    throw new InvalidMessageError(`message names no table (one of: ${[...tables.keys()].join(", ")})`);
  }
  const table = typeof named === "string" ? tables.get(named) : undefined;
  if (!table || table.source.kind !== "event")
    throw new InvalidMessageError(`table ${JSON.stringify(named)} is not an event table`);
  return table;
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
