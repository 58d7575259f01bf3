import { SFNClient } from "@aws-sdk/client-sfn";
import type { EventBridgeEvent } from "aws-lambda";
import { z } from "zod";
import { documentClient } from "../lib/clients";
import { parseEnv, required } from "../lib/env";
import { registerObject, type ObjectCreatedDetail } from "../lib/register";
import { loadTables } from "../lib/tables";
import { telemetry } from "../lib/telemetry";
import { CONTROL_RECORD_SERVICE, SKIPPED_OBJECTS_METRIC } from "../lib/control";

/** Raw-bucket "Object Created" events → control record + raw → bronze workflow (seed 001). */
const env = parseEnv(z.object({ CONTROL_TABLE: required, STATE_MACHINE_ARN: required }));
const tables = loadTables();
const dynamo = documentClient();
const sfn = new SFNClient({});
const { logger, metrics } = telemetry(CONTROL_RECORD_SERVICE);
// The alarm on ObjectsSkipped (components/aws/raw-arrival.ts) names this function, so stacks sharing an
// account do not share the metric.
metrics.setDefaultDimensions({ function: process.env.AWS_LAMBDA_FUNCTION_NAME ?? CONTROL_RECORD_SERVICE });

export const handler = async (
  event: EventBridgeEvent<"Object Created", ObjectCreatedDetail>,
): Promise<void> => {
  try {
    const outcome = await registerObject(
      { dynamo, sfn, tables, controlTable: env.CONTROL_TABLE, stateMachineArn: env.STATE_MACHINE_ARN },
      event.detail,
    );
    metrics.addMetric(
      outcome.status === "skipped" ? SKIPPED_OBJECTS_METRIC : "ObjectsRegistered",
      "Count",
      1,
    );
    if (outcome.status === "skipped") logger.error("object not converted", { reason: outcome.reason });
    else logger.info("object registered", outcome);
  } finally {
    metrics.publishStoredMetrics();
  }
};
