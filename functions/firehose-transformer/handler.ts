import type { FirehoseTransformationEvent, FirehoseTransformationResult } from "aws-lambda";
import { cdcTables } from "../lib/cdc";
import { transformFirehoseEvent } from "../lib/firehose";
import { loadTables } from "../lib/tables";
import { telemetry } from "../lib/telemetry";

/** Firehose transformer for the CDC stream (seed 001): validates, tags operation + _ingested_at, partitions. */
const tables = cdcTables(loadTables());
const { logger, metrics } = telemetry("firehose-transformer");

export const handler = async (event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> => {
  const { result, processed, failed } = transformFirehoseEvent(event, tables);
  metrics.addMetric("RecordsProcessed", "Count", processed);
  metrics.addMetric("RecordsFailed", "Count", failed.length);
  metrics.publishStoredMetrics();
  // Reasons are logged here; Firehose keeps the failed records themselves under the error output prefix.
  for (const failure of failed.slice(0, 20)) logger.warn("record failed", failure);
  return result;
};
