import { ManagedIdentityCredential } from "@azure/identity";
import { ServiceBusClient } from "@azure/service-bus";
import { z } from "zod";
import { jsonVariable, parseEnv, required } from "../lib/env";
import { jsonLog } from "../lib/azure/api-pull-job";
import { DatabricksJobsClient } from "../lib/azure/databricks-jobs";
import { consumeEvents } from "../lib/azure/event-consumer";
import { ServiceBusPeekLockReceiver } from "../lib/azure/service-bus-receiver";
import { tablesByName } from "../lib/tables";

/**
 * Event messages from Service Bus into the Databricks job (the Azure counterpart of SNS → SQS → the trigger
 * Lambda): a Container Apps job that KEDA's azure-servicebus scaler starts when the queue has messages, as
 * its user-assigned managed identity. One run per transaction (the Databricks idempotency token); exits
 * non-zero when a message had to be abandoned, so the execution is marked failed and alerts fire.
 */
const env = parseEnv(
  z.object({
    AZURE_CLIENT_ID: required,
    SERVICEBUS_NAMESPACE: required,
    QUEUE_NAME: required,
    DATABRICKS_HOST: z.url(),
    JOB_ID: z.string().regex(/^\d+$/),
    TABLES: jsonVariable(z.array(z.unknown()).min(1)),
  }),
);

async function main(): Promise<number> {
  const credential = new ManagedIdentityCredential({ clientId: env.AZURE_CLIENT_ID });
  const client = new ServiceBusClient(env.SERVICEBUS_NAMESPACE, credential);
  const receiver = client.createReceiver(env.QUEUE_NAME, { receiveMode: "peekLock" });
  try {
    const tables = new Map(
      [...tablesByName(env.TABLES, "TABLES")].filter(([, t]) => t.source.kind === "event"),
    );
    const outcome = await consumeEvents({
      receiver: new ServiceBusPeekLockReceiver(receiver),
      jobs: new DatabricksJobsClient(env.DATABRICKS_HOST, credential),
      jobId: env.JOB_ID,
      tables,
      log: jsonLog,
    });
    jsonLog({
      level: outcome.abandoned > 0 ? "ERROR" : "INFO",
      message: "run finished",
      service: "event-trigger",
      started: outcome.started.length,
      deadLettered: outcome.deadLettered,
      abandoned: outcome.abandoned,
    });
    return outcome.abandoned > 0 ? 1 : 0;
  } finally {
    await receiver.close();
    await client.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    jsonLog({
      level: "ERROR",
      message: "run failed",
      service: "event-trigger",
      error: error instanceof Error ? error.message : String(error),
    });
    process.exitCode = 1;
  },
);
