import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GlueClient } from "@aws-sdk/client-glue";
import { z } from "zod";
import { parseEnv, required } from "../lib/env";
import { createEventTrigger } from "../lib/event-trigger";
import { telemetry } from "../lib/telemetry";

/** SNS → SQS → Glue job runs, one per transaction id (seed 003). */
const env = parseEnv(
  z.object({
    IDEMPOTENCY_TABLE: required,
    GLUE_JOB_NAME: required,
    ID_FIELD: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a field name")
      .default("transaction_id"),
    IDEMPOTENCY_TTL_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .default(3 * 24 * 3600),
  }),
);

const { logger, metrics } = telemetry("event-trigger");

const trigger = createEventTrigger({
  glue: new GlueClient({}),
  persistenceStore: new DynamoDBPersistenceLayer({
    tableName: env.IDEMPOTENCY_TABLE,
    awsSdkV3Client: new DynamoDBClient({}),
  }),
  jobName: env.GLUE_JOB_NAME,
  idField: env.ID_FIELD,
  expiresAfterSeconds: env.IDEMPOTENCY_TTL_SECONDS,
  onJobStarted: (request, jobRunId) => {
    metrics.addMetric("JobRunsStarted", "Count", 1);
    logger.info("job run started", { id: request.id, jobRunId });
  },
});

export const handler: typeof trigger = async (event, context) => {
  try {
    const response = await trigger(event, context);
    metrics.addMetric("MessagesFailed", "Count", response.batchItemFailures.length);
    if (response.batchItemFailures.length > 0)
      logger.warn("messages failed", { failures: response.batchItemFailures });
    return response;
  } finally {
    metrics.publishStoredMetrics();
  }
};
