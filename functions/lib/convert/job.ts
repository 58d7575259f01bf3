import type { Readable } from "node:stream";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { TableSpec } from "../../../components/spec/schema";
import { convert, type ConvertResult } from "./convert";
import { S3Sink } from "./sinks";

/** What Step Functions passes the converter (Lambda payload, or ECS task environment). */
export interface ConversionInput {
  controlId: string;
  bucket: string;
  key: string;
  table: string;
}

export interface ConversionOutput {
  rowsIn: number;
  rowsWritten: number;
  rowsQuarantined: number;
  outputs: string[];
}

export interface ConversionDeps {
  s3: S3Client;
  dynamo: DynamoDBDocumentClient;
  tables: ReadonlyMap<string, TableSpec>;
  controlTable: string;
  bronzeBucket: string;
  batchRows?: number;
}

/**
 * Converts one raw object into bronze and records the outcome on its control record (status CONVERTED,
 * the three counts, attempts + 1). `_ingested_at` and the default partition come from the control record's
 * createdAt, so a retry on another day writes the same keys and overwrites. An input with no record says
 * so in `emptyInput` (`ConvertResult.empty`).
 */
export async function runConversion(deps: ConversionDeps, input: ConversionInput): Promise<ConversionOutput> {
  const table = deps.tables.get(input.table);
  if (!table) throw new Error(`table "${input.table}" is not in the bundled table specs`);
  const control = await deps.dynamo.send(
    new GetCommand({ TableName: deps.controlTable, Key: { pk: input.controlId } }),
  );
  const createdAt =
    typeof control.Item?.createdAt === "string" ? new Date(control.Item.createdAt) : new Date();
  const object = await deps.s3.send(new GetObjectCommand({ Bucket: input.bucket, Key: input.key }));
  const result: ConvertResult = await convert({
    table,
    source: object.Body as Readable,
    sink: new S3Sink(deps.s3, deps.bronzeBucket),
    controlId: input.controlId,
    ingestedAt: createdAt,
    batchRows: deps.batchRows,
  });
  await deps.dynamo.send(
    new UpdateCommand({
      TableName: deps.controlTable,
      Key: { pk: input.controlId },
      UpdateExpression:
        "SET #status = :converted, rowsIn = :in, rowsWritten = :written, rowsQuarantined = :quarantined, " +
        "outputs = :outputs, updatedAt = :now" +
        (result.empty ? ", emptyInput = :empty" : "") +
        " ADD attempts :one",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: {
        ":converted": "CONVERTED",
        ":in": result.rowsIn,
        ":written": result.rowsWritten,
        ":quarantined": result.rowsQuarantined,
        ":outputs": result.outputs.length,
        ":now": new Date().toISOString(),
        ":one": 1,
        ...(result.empty ? { ":empty": result.empty } : {}),
      },
    }),
  );
  return {
    rowsIn: result.rowsIn,
    rowsWritten: result.rowsWritten,
    rowsQuarantined: result.rowsQuarantined,
    outputs: result.outputs,
  };
}
