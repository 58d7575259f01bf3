import { availableParallelism } from "node:os";
import type { S3Client } from "@aws-sdk/client-s3";
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { TableSpec } from "../../../components/spec/schema";
import { ResumableObjectBody, type ResumableBodyOptions } from "../aws/object-body";
import { convert, type ConvertResult } from "./convert";
import { S3Sink, type OutputSink } from "./sinks";

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
  /** Worker threads (see `ConvertOptions.workers`). @default converterWorkers() */
  workers?: number;
  /** How the raw body survives broken connections (attempts, backoff, a retry hook). */
  source?: ResumableBodyOptions;
}

/**
 * Converts one raw object into bronze and records the outcome on its control record (status CONVERTED,
 * the three counts, attempts + 1). It reads the object version the control record names (`versionId`, else
 * the record's ETag is checked), through a body that resumes after a broken connection, so a reset is
 * retried and never becomes quarantined input; when the reads give up, the conversion fails (nothing more
 * is written, the record is not touched) and Step Functions retries or alerts. `_ingested_at` and the default
 * partition come from the control record's createdAt, so a retry or a replay writes the same keys. An input
 * with no record says so in `emptyInput` (`ConvertResult.empty`).
 */
export async function runConversion(deps: ConversionDeps, input: ConversionInput): Promise<ConversionOutput> {
  const table = deps.tables.get(input.table);
  if (!table) throw new Error(`table "${input.table}" is not in the bundled table specs`);
  const control = await deps.dynamo.send(
    new GetCommand({ TableName: deps.controlTable, Key: { pk: input.controlId } }),
  );
  const record = control.Item ?? {};
  const createdAt = typeof record.createdAt === "string" ? new Date(record.createdAt) : new Date();
  const body = new ResumableObjectBody(
    deps.s3,
    {
      bucket: input.bucket,
      key: input.key,
      ...(typeof record.versionId === "string" ? { versionId: record.versionId } : {}),
      ...(typeof record.etag === "string" ? { etag: record.etag.replace(/"/g, "") } : {}),
    },
    deps.source,
  );
  const result: ConvertResult = await convert({
    table,
    source: body,
    sink: new GuardedSink(new S3Sink(deps.s3, deps.bronzeBucket), () => body.failure),
    controlId: input.controlId,
    ingestedAt: createdAt,
    batchRows: deps.batchRows,
    workers: deps.workers ?? converterWorkers(),
  });
  // A reader that turned the source's error into an input error must not make the file CONVERTED.
  if (body.failure) throw body.failure;
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

/**
 * Worker threads of a conversion: `CONVERTER_WORKERS` (0 when unset), never more than the cores seen.
 * Off by default: with two workers the converter's peak RSS measured 388-421 MiB at 1M rows, over the
 * 256 MiB bound one thread keeps, and the two-core speed-up is not measured yet (docs/BENCHMARKS.md).
 */
export function converterWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const asked = Number(env.CONVERTER_WORKERS ?? 0);
  if (!Number.isInteger(asked) || asked < 0)
    throw new Error(`CONVERTER_WORKERS must be a whole number, got ${env.CONVERTER_WORKERS}`);
  return Math.min(asked, availableParallelism());
}

/**
 * Refuses every write once the source failed: a reader that reports the broken source as a bad row (and
 * flushes it to the quarantine) writes nothing, and the conversion fails instead.
 */
class GuardedSink implements OutputSink {
  constructor(
    private readonly sink: OutputSink,
    private readonly failure: () => Error | undefined,
  ) {}

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    const failure = this.failure();
    if (failure) throw failure;
    await this.sink.put(key, body, contentType);
  }

  describe(key: string): string {
    return this.sink.describe(key);
  }
}
