import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from "@aws-sdk/client-sfn";
import { GetCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { executionName } from "./control";

/** A control record's status while its replay is being started (FAILED → REPLAY_REQUESTED → CONVERTING …). */
export const REPLAY_REQUESTED = "REPLAY_REQUESTED";

export interface ReplayDeps {
  dynamo: DynamoDBDocumentClient;
  sfn: SFNClient;
  controlTable: string;
  /** The raw → bronze state machine. @default the one that ran the record's last execution */
  stateMachineArn?: string;
  now?: () => Date;
}

/** Which file to replay: its raw key (and bucket, when several share a key), or its control id. */
export interface ReplayTarget {
  key?: string;
  bucket?: string;
  controlId?: string;
}

export interface ReplayOutcome {
  status: "started" | "already-started";
  controlId: string;
  replay: number;
  executionName: string;
  stateMachineArn: string;
}

type ControlRecord = Record<string, unknown> & { pk: string; status?: string };

/**
 * Replays a FAILED raw file: marks its control record REPLAY_REQUESTED (conditionally, so two operators
 * cannot start two replays) with `replays + 1`, then starts the raw → bronze workflow again with the same
 * input under the name `executionName(table, id, replays)`, which no earlier execution used. The conversion
 * reads the same object version and writes the same bronze keys, so files already converted are rewritten
 * identically; silver picks up every bronze file it has not consumed. Run again after a crash between the
 * two steps, it finds REPLAY_REQUESTED and starts the same name (ExecutionAlreadyExists = already started).
 */
export async function replayFailed(deps: ReplayDeps, target: ReplayTarget): Promise<ReplayOutcome> {
  let record = await findRecord(deps, target);
  if (record.status === "FAILED") {
    try {
      const updated = await deps.dynamo.send(
        new UpdateCommand({
          TableName: deps.controlTable,
          Key: { pk: record.pk },
          UpdateExpression:
            "SET #status = :requested, replays = if_not_exists(replays, :zero) + :one, updatedAt = :now",
          ConditionExpression: "#status = :failed",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":requested": REPLAY_REQUESTED,
            ":failed": "FAILED",
            ":zero": 0,
            ":one": 1,
            ":now": (deps.now ?? (() => new Date()))().toISOString(),
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      record = updated.Attributes as ControlRecord;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      record = await getRecord(deps, record.pk);
      if (record.status !== REPLAY_REQUESTED) throw new Error(notReplayable(record), { cause: error });
    }
  }
  const replay = Number(record.replays);
  const table = String(record.table);
  const stateMachineArn = deps.stateMachineArn ?? stateMachineOf(record);
  const name = executionName(table, record.pk, replay);
  try {
    await deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        name,
        input: JSON.stringify({
          controlId: record.pk,
          bucket: record.bucket,
          key: record.key,
          ...(typeof record.versionId === "string" ? { versionId: record.versionId } : {}),
          table,
          format: record.format,
          ...(typeof record.estimatedRecords === "number"
            ? { estimatedRecords: record.estimatedRecords }
            : {}),
          replay,
        }),
      }),
    );
    return { status: "started", controlId: record.pk, replay, executionName: name, stateMachineArn };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists || (error as Error).name === "ExecutionAlreadyExists")
      return {
        status: "already-started",
        controlId: record.pk,
        replay,
        executionName: name,
        stateMachineArn,
      };
    throw error;
  }
}

/** The one record to replay: FAILED, or REPLAY_REQUESTED by a replay that did not get to start. */
async function findRecord(deps: ReplayDeps, target: ReplayTarget): Promise<ControlRecord> {
  if (target.controlId) {
    const record = await getRecord(deps, target.controlId);
    if (record.status !== "FAILED" && record.status !== REPLAY_REQUESTED)
      throw new Error(notReplayable(record));
    return record;
  }
  if (!target.key) throw new Error("name the file to replay: its raw key, or its control id");
  const records: ControlRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    // An operator's one-off: a scan with a filter, so the table needs no index for it.
    const page = await deps.dynamo.send(
      new ScanCommand({
        TableName: deps.controlTable,
        FilterExpression: target.bucket ? "#key = :key AND #bucket = :bucket" : "#key = :key",
        ExpressionAttributeNames: { "#key": "key", ...(target.bucket ? { "#bucket": "bucket" } : {}) },
        ExpressionAttributeValues: {
          ":key": target.key,
          ...(target.bucket ? { ":bucket": target.bucket } : {}),
        },
        ExclusiveStartKey: start,
      }),
    );
    records.push(...((page.Items ?? []) as ControlRecord[]));
    start = page.LastEvaluatedKey;
  } while (start);
  const where = `${target.bucket ? `s3://${target.bucket}/` : ""}${target.key}`;
  if (records.length === 0) throw new Error(`no control record for ${where}`);
  const candidates = records.filter((r) => r.status === "FAILED" || r.status === REPLAY_REQUESTED);
  if (candidates.length === 0)
    throw new Error(
      `nothing to replay for ${where}: ${records.map((r) => `${r.pk} is ${r.status}`).join("; ")}`,
    );
  if (candidates.length > 1)
    throw new Error(
      `${candidates.length} failed versions of ${where}; pass --control-id with one of: ${candidates.map((r) => r.pk).join(", ")}`,
    );
  return candidates[0]!;
}

async function getRecord(deps: ReplayDeps, controlId: string): Promise<ControlRecord> {
  const found = await deps.dynamo.send(
    new GetCommand({ TableName: deps.controlTable, Key: { pk: controlId } }),
  );
  if (!found.Item) throw new Error(`no control record ${controlId}`);
  return found.Item as ControlRecord;
}

function notReplayable(record: ControlRecord): string {
  return `${record.pk} is ${record.status}; only a FAILED file is replayed`;
}

/** `arn:…:execution:<machine>:<name>` (the record's last execution) → `arn:…:stateMachine:<machine>`. */
function stateMachineOf(record: ControlRecord): string {
  const match =
    typeof record.executionArn === "string"
      ? /^(arn:[^:]+:states:[^:]+:\d+):execution:([^:]+):/.exec(record.executionArn)
      : null;
  if (!match)
    throw new Error(`${record.pk} records no execution; pass the state machine (--state-machine-arn)`);
  return `${match[1]}:stateMachine:${match[2]}`;
}
