import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { z } from "zod";
import type { ApiPullResult } from "../lib/api-pull";
import { DynamoWatermarkStore, S3RawWriter, SecretsManagerReader } from "../lib/aws/api-pull-stores";
import { documentClient } from "../lib/clients";
import { pullDatabase } from "../lib/db-pull/pull";
import { jsonVariable, parseEnv, required } from "../lib/env";
import { loadTables } from "../lib/tables";
import { telemetry } from "../lib/telemetry";

/**
 * Scheduled database pulls (spec `source: { kind: database, capture: pull }`): EventBridge Scheduler invokes
 * with `{ table, mode: "hourly" | "daily" }`; the function runs in the database's subnets and reads the
 * connection from Secrets Manager.
 */
const env = parseEnv(
  z.object({
    WATERMARK_TABLE: required,
    RAW_BUCKET: required,
    SECRET_ARNS: jsonVariable(z.record(z.string(), z.string())),
  }),
);
const tables = loadTables();
const ports = {
  raw: new S3RawWriter(new S3Client({}), env.RAW_BUCKET),
  watermarks: new DynamoWatermarkStore(documentClient(), env.WATERMARK_TABLE),
  secrets: new SecretsManagerReader(new SecretsManagerClient({}), env.SECRET_ARNS),
};
const { logger, metrics } = telemetry("db-pull");
const input = z.object({ table: z.string().min(1), mode: z.enum(["hourly", "daily"]) });

export const handler = async (event: unknown): Promise<ApiPullResult> => {
  try {
    const request = input.parse(event);
    const table = tables.get(request.table);
    if (!table) throw new Error(`"${request.table}" is not in the bundled specs`);
    const result = await pullDatabase(ports, table, request.mode);
    metrics.addMetric("RowsPulled", "Count", result.rows);
    logger.info("pulled", { ...result });
    return result;
  } catch (error) {
    metrics.addMetric("PullsFailed", "Count", 1);
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
};
