import type { FirehoseTransformationEvent, FirehoseTransformationResult } from "aws-lambda";
import type { TableSpec } from "../../components/spec/schema";
import { transformCdcBatch } from "./cdc-batch";

export interface TransformOutcome {
  result: FirehoseTransformationResult;
  processed: number;
  failed: { recordId: string; reason: string }[];
}

/**
 * Firehose data transformation over Kinesis-sourced CDC records (the Firehose side of the CDC port in
 * cdc-batch.ts): each good record becomes one newline-terminated JSON row partitioned by `table_name`; a bad
 * one is `ProcessingFailed` (Firehose writes it to the error output prefix) with its original data.
 */
export function transformFirehoseEvent(
  event: FirehoseTransformationEvent,
  cdcTables: ReadonlyMap<string, TableSpec>,
  now: Date = new Date(),
): TransformOutcome {
  const outcomes = transformCdcBatch(
    event.records.map((r) => ({ id: r.recordId, text: Buffer.from(r.data, "base64").toString("utf8") })),
    cdcTables,
    now,
  );
  const failed: TransformOutcome["failed"] = [];
  const records = outcomes.map((outcome, i) => {
    if (!outcome.ok) {
      failed.push({ recordId: outcome.id, reason: outcome.reason });
      return { recordId: outcome.id, result: "ProcessingFailed" as const, data: event.records[i]!.data };
    }
    return {
      recordId: outcome.id,
      result: "Ok" as const,
      data: Buffer.from(JSON.stringify(outcome.row) + "\n").toString("base64"),
      metadata: { partitionKeys: { table_name: outcome.table } },
    };
  });
  return { result: { records }, processed: records.length - failed.length, failed };
}
