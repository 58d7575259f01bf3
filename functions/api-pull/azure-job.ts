import { TableClient } from "@azure/data-tables";
import { ManagedIdentityCredential } from "@azure/identity";
import { ContainerClient } from "@azure/storage-blob";
import { azureJobEnv, jsonLog, runAzurePulls, tableEndpoint } from "../lib/azure/api-pull-job";
import { keyVaultReferences, readKeyVaultSecrets } from "../lib/azure/key-vault-secrets";

/**
 * Scheduled API pulls on Azure (seed 004): a Container Apps job runs this once per schedule with
 * PULL_MODE hourly or daily; it pulls every source in SOURCES with the same code as the AWS Lambda, as
 * the job's user-assigned managed identity (AZURE_CLIENT_ID; never account keys), and exits non-zero if
 * any source failed, so the execution is marked failed and the failed-pull alert fires.
 */
async function main(): Promise<number> {
  const credential = new ManagedIdentityCredential({ clientId: process.env.AZURE_CLIENT_ID ?? "" });
  // Source credentials come from Key Vault through the subnet, read here with the job's identity.
  const secrets = await readKeyVaultSecrets(keyVaultReferences(process.env.KEY_VAULT_SECRETS), credential);
  Object.assign(process.env, secrets);
  const env = azureJobEnv();
  const { endpoint, tableName } = tableEndpoint(env.WATERMARK_TABLE_URL);
  const outcome = await runAzurePulls({
    mode: env.PULL_MODE,
    sources: env.SOURCES,
    clients: {
      raw: new ContainerClient(env.RAW_URL, credential),
      watermarks: new TableClient(endpoint, tableName, credential),
    },
  });
  jsonLog({
    level: outcome.failed.length > 0 ? "ERROR" : "INFO",
    message: "run finished",
    mode: env.PULL_MODE,
    pulled: outcome.pulled.length,
    failed: outcome.failed.map((f) => f.table),
  });
  return outcome.failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    jsonLog({
      level: "ERROR",
      message: "run failed",
      error: error instanceof Error ? error.message : String(error),
    });
    process.exitCode = 1;
  },
);
