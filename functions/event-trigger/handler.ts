import { SFNClient } from "@aws-sdk/client-sfn";
import { z } from "zod";
import { parseEnv, required } from "../lib/env";
import { createEventTrigger } from "../lib/event-trigger";
import { loadTables } from "../lib/tables";
import { telemetry } from "../lib/telemetry";

/** SNS → SQS → one event-job execution (and so one Glue job run) per transaction id (seed 003). */
const env = parseEnv(z.object({ STATE_MACHINE_ARN: required }));
const tables = new Map([...loadTables()].filter(([, t]) => t.source.kind === "event"));
const { logger, metrics } = telemetry("event-trigger");

const trigger = createEventTrigger({
  sfn: new SFNClient({}),
  stateMachineArn: env.STATE_MACHINE_ARN,
  tables,
  onStarted: (request, executionArn) => {
    metrics.addMetric("JobRunsStarted", "Count", 1);
    logger.info("event job started", { table: request.table, id: request.id, executionArn });
  },
  onDuplicate: (request) => {
    metrics.addMetric("DuplicateMessages", "Count", 1);
    logger.info("duplicate transaction: its execution exists", { table: request.table, id: request.id });
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
