import type { FirehoseTransformationEvent, FirehoseTransformationResult } from "aws-lambda";
import type { TableSpec } from "../../components/spec/schema";
import { transformCdcRecord } from "./cdc";

export interface TransformOutcome {
  result: FirehoseTransformationResult;
  processed: number;
  failed: { recordId: string; reason: string }[];
}

/**
 * Firehose data transformation over Kinesis-sourced CDC records: each good record becomes one
 * newline-terminated JSON row partitioned by `table_name`; a bad one is `ProcessingFailed` (Firehose writes it
 * to the error output prefix) with its original data.
 */
export function transformFirehoseEvent(
  event: FirehoseTransformationEvent,
  cdcTables: ReadonlyMap<string, TableSpec>,
  now: Date = new Date(),
): TransformOutcome {
  const ingestedAt = now.toISOString();
  const failed: TransformOutcome["failed"] = [];
  const records = event.records.map((record) => {
    const outcome = transformCdcRecord(
      Buffer.from(record.data, "base64").toString("utf8"),
      cdcTables,
      ingestedAt,
    );
    if (!outcome.ok) {
      failed.push({ recordId: record.recordId, reason: outcome.reason });
      return { recordId: record.recordId, result: "ProcessingFailed" as const, data: record.data };
    }
    return {
      recordId: record.recordId,
      result: "Ok" as const,
      data: Buffer.from(JSON.stringify(outcome.row) + "\n").toString("base64"),
      metadata: { partitionKeys: { table_name: outcome.table } },
    };
  });
  return { result: { records }, processed: records.length - failed.length, failed };
}
