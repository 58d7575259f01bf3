import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from "@aws-sdk/client-sfn";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { TableSpec } from "../../components/spec/schema";
import { controlId, estimateRecords, executionName, isGzipKey, tableOfKey } from "./control";

/** The part of an EventBridge S3 "Object Created" event the control record needs. */
export interface ObjectCreatedDetail {
  bucket: { name: string };
  /** `version-id` is present when the bucket is versioned (the layer buckets are). */
  object: { key: string; size: number; etag: string; sequencer?: string; "version-id"?: string };
}

export interface RegisterDeps {
  dynamo: DynamoDBDocumentClient;
  sfn: SFNClient;
  tables: ReadonlyMap<string, TableSpec>;
  controlTable: string;
  stateMachineArn: string;
  now?: () => Date;
}

export type RegisterOutcome =
  | { status: "started" | "already-started"; controlId: string; executionName: string; newRecord: boolean }
  | { status: "skipped"; reason: string };

/**
 * Registers a raw object: a control record (conditional put, so a re-delivered event for the same object
 * version changes nothing) and the raw → bronze execution, named from the control id so Step Functions itself
 * refuses a second one (ExecutionAlreadyExists = already started). The start is attempted even when the record
 * existed: a crash between the put and the start is then repaired by the re-delivery.
 */
export async function registerObject(
  deps: RegisterDeps,
  detail: ObjectCreatedDetail,
): Promise<RegisterOutcome> {
  const { key, size, etag } = detail.object;
  const versionId = detail.object["version-id"];
  const bucket = detail.bucket.name;
  const tableName = tableOfKey(key);
  const table = tableName ? deps.tables.get(tableName) : undefined;
  if (!table) return { status: "skipped", reason: `s3://${bucket}/${key} is not under a known table prefix` };

  const id = controlId(bucket, key, etag);
  const estimatedRecords = estimateRecords(size, table.format, isGzipKey(key));
  const now = (deps.now ?? (() => new Date()))().toISOString();
  let newRecord = true;
  try {
    await deps.dynamo.send(
      new PutCommand({
        TableName: deps.controlTable,
        Item: {
          pk: id,
          table: table.name,
          bucket,
          key,
          size,
          etag,
          // The converter reads exactly this version, whatever overwrote the key since.
          versionId,
          sequencer: detail.object.sequencer,
          format: table.format,
          estimatedRecords,
          attempts: 0,
          status: "RECEIVED",
          createdAt: now,
          updatedAt: now,
        },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    newRecord = false;
  }

  const name = executionName(table.name, id);
  try {
    await deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: deps.stateMachineArn,
        name,
        input: JSON.stringify({
          controlId: id,
          bucket,
          key,
          ...(versionId ? { versionId } : {}),
          table: table.name,
          format: table.format,
          estimatedRecords,
        }),
      }),
    );
    return { status: "started", controlId: id, executionName: name, newRecord };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists || (error as Error).name === "ExecutionAlreadyExists") {
      return { status: "already-started", controlId: id, executionName: name, newRecord };
    }
    throw error;
  }
}
