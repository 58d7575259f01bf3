import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { z } from "zod";
import { pullApi, type ApiPullInput, type ApiPullResult } from "../lib/api-pull";
import { documentClient } from "../lib/clients";
import { jsonVariable, parseEnv, required } from "../lib/env";
import { loadTables } from "../lib/tables";
import { publishPull, telemetry } from "../lib/telemetry";

/** Scheduled API pulls (seed 004): EventBridge Scheduler invokes with `{ table, mode: "hourly" | "daily" }`. */
const env = parseEnv(
  z.object({
    WATERMARK_TABLE: required,
    RAW_BUCKET: required,
    SECRET_ARNS: jsonVariable(z.record(z.string(), z.string())),
  }),
);
const tables = loadTables();
const s3 = new S3Client({});
const dynamo = documentClient();
const secrets = new SecretsManagerClient({});
const { logger, metrics } = telemetry("api-pull");
const input = z.object({ table: z.string().min(1), mode: z.enum(["hourly", "daily"]) });

export const handler = async (event: ApiPullInput): Promise<ApiPullResult> => {
  try {
    const request = input.parse(event);
    const result = await pullApi(
      {
        s3,
        dynamo,
        secrets,
        tables,
        watermarkTable: env.WATERMARK_TABLE,
        rawBucket: env.RAW_BUCKET,
        secretArns: env.SECRET_ARNS,
      },
      request,
    );
    metrics.addMetric("RowsPulled", "Count", result.rows);
    publishPull(result.table, { failed: false, watermark: result.watermark });
    logger.info("pulled", { ...result });
    return result;
  } catch (error) {
    metrics.addMetric("PullsFailed", "Count", 1);
    if (typeof event?.table === "string") publishPull(event.table, { failed: true });
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
};
