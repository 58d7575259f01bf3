import { BlobCheckpointStore } from "@azure/eventhubs-checkpointstore-blob";
import { ManagedIdentityCredential } from "@azure/identity";
import { ContainerClient } from "@azure/storage-blob";
import { z } from "zod";
import { cdcTables } from "../lib/cdc";
import { jsonVariable, parseEnv, required } from "../lib/env";
import { jsonLog } from "../lib/azure/api-pull-job";
import { BlobRawWriter } from "../lib/azure/api-pull-stores";
import { consumeCdc } from "../lib/azure/cdc-consumer";
import { EventHubsBatchSource } from "../lib/azure/event-hubs-source";
import { tablesByName } from "../lib/tables";

/**
 * CDC from Event Hubs into raw (the Azure counterpart of Kinesis → Firehose with the transformer Lambda): a
 * Container Apps job that KEDA's azure-eventhub scaler starts when the consumer group has unprocessed events,
 * as its user-assigned managed identity (no shared keys anywhere). It runs the same transformer code as the
 * Firehose Lambda (functions/lib/cdc-batch.ts) and exits non-zero when a batch could not be written, so the
 * execution is marked failed, the failed-job alert fires and the next execution resumes at the checkpoint.
 */
const env = parseEnv(
  z.object({
    AZURE_CLIENT_ID: required,
    EVENTHUB_NAMESPACE: required,
    EVENTHUB_NAME: required,
    CONSUMER_GROUP: required,
    CHECKPOINT_URL: z.url(),
    RAW_URL: z.url(),
    TABLES: jsonVariable(z.array(z.unknown()).min(1)),
  }),
);

async function main(): Promise<number> {
  const credential = new ManagedIdentityCredential({ clientId: env.AZURE_CLIENT_ID });
  const outcome = await consumeCdc({
    source: new EventHubsBatchSource({
      fullyQualifiedNamespace: env.EVENTHUB_NAMESPACE,
      eventHubName: env.EVENTHUB_NAME,
      consumerGroup: env.CONSUMER_GROUP,
      checkpointStore: new BlobCheckpointStore(new ContainerClient(env.CHECKPOINT_URL, credential)),
      credential,
    }),
    raw: new BlobRawWriter(new ContainerClient(env.RAW_URL, credential)),
    tables: cdcTables(tablesByName(env.TABLES, "TABLES")),
    log: jsonLog,
  });
  jsonLog({ level: "INFO", message: "run finished", service: "cdc", ...outcome, keys: outcome.keys.length });
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    jsonLog({
      level: "ERROR",
      message: "run failed",
      service: "cdc",
      error: error instanceof Error ? error.message : String(error),
    });
    process.exitCode = 1;
  },
);
