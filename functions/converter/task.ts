import { isMainThread } from "node:worker_threads";
import { S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import { documentClient } from "../lib/clients";
import { runConversion } from "../lib/convert/job";
import { parseEnv, required } from "../lib/env";
import { loadTables } from "../lib/tables";
import { publishTableRows, telemetry } from "../lib/telemetry";

/**
 * The same converter as an ECS Fargate task (the workflow's `.sync` route for large files): input from the
 * environment the state machine sets as container overrides; exit code 1 fails the task (and the Catch).
 * Metrics go out as embedded metric format on stdout: the awslogs driver ships it to CloudWatch Logs,
 * which extracts EMF from any log event (PutLogEvents' `x-amzn-logs-format` header is optional:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Generation_PutLogEvents.html).
 */
const { logger, metrics } = telemetry("converter-task");

async function main(): Promise<void> {
  const env = parseEnv(
    z.object({
      CONTROL_TABLE: required,
      BRONZE_BUCKET: required,
      CONTROL_ID: required,
      SOURCE_BUCKET: required,
      SOURCE_KEY: required,
      TABLE: required,
    }),
  );
  const result = await runConversion(
    {
      s3: new S3Client({}),
      dynamo: documentClient(),
      tables: loadTables(),
      controlTable: env.CONTROL_TABLE,
      bronzeBucket: env.BRONZE_BUCKET,
      source: {
        onRetry: ({ attempt, offset, error }) => {
          metrics.addMetric("SourceReadsResumed", "Count", 1);
          logger.warn("raw body broke off; resuming", { attempt, offset, error: error.message });
        },
      },
    },
    { controlId: env.CONTROL_ID, bucket: env.SOURCE_BUCKET, key: env.SOURCE_KEY, table: env.TABLE },
  );
  metrics.addMetric("RowsWritten", "Count", result.rowsWritten);
  metrics.addMetric("RowsQuarantined", "Count", result.rowsQuarantined);
  publishTableRows("bronze", env.TABLE, result);
  logger.info("converted", { ...result, outputs: result.outputs.length });
}

// The bundle is also what the converter's worker threads run (functions/lib/convert/workers.ts): they convert,
// only the main thread runs the task.
if (isMainThread)
  main()
    .catch((error: unknown) => {
      logger.error("conversion failed", error as Error);
      process.exitCode = 1;
    })
    .finally(() => metrics.publishStoredMetrics());
