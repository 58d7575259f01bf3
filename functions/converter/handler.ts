import { S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import { documentClient } from "../lib/clients";
import { runConversion, type ConversionInput, type ConversionOutput } from "../lib/convert/job";
import { parseEnv, required } from "../lib/env";
import { loadTables } from "../lib/tables";
import { publishTableRows, telemetry } from "../lib/telemetry";

/** The raw → bronze converter on Lambda, invoked by the workflow with `{ controlId, bucket, key, table }`. */
const env = parseEnv(z.object({ CONTROL_TABLE: required, BRONZE_BUCKET: required }));
const tables = loadTables();
const s3 = new S3Client({});
const dynamo = documentClient();
const { logger, metrics } = telemetry("converter");

export const handler = async (input: ConversionInput): Promise<ConversionOutput> => {
  logger.appendKeys({ controlId: input.controlId, table: input.table });
  try {
    const result = await runConversion(
      {
        s3,
        dynamo,
        tables,
        controlTable: env.CONTROL_TABLE,
        bronzeBucket: env.BRONZE_BUCKET,
        source: {
          onRetry: ({ attempt, offset, error }) => {
            metrics.addMetric("SourceReadsResumed", "Count", 1);
            logger.warn("raw body broke off; resuming", { attempt, offset, error: error.message });
          },
        },
      },
      input,
    );
    metrics.addMetric("RowsWritten", "Count", result.rowsWritten);
    metrics.addMetric("RowsQuarantined", "Count", result.rowsQuarantined);
    publishTableRows("bronze", input.table, result);
    logger.info("converted", { ...result, outputs: result.outputs.length });
    return result;
  } finally {
    metrics.publishStoredMetrics();
  }
};
