/**
 * Every Azure built-in role the components assign, in one file, so a reviewer sees the whole surface at
 * once. IDs are the built-in role definition GUIDs (the same in every tenant); assignments are always
 * scoped to the narrowest resource (a container, a table, a vault), never a subscription.
 */
export const ROLES = {
  /** Read and list blobs (a layer's `grantRead`). */
  storageBlobDataReader: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
  /** Read, write and delete blobs (a layer's `grantWrite`, the Databricks access connector). */
  storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  /** Read and write table entities (the ingestion watermark table). */
  storageTableDataContributor: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  /** Read secret values (Key Vault in RBAC mode). */
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  /** Pull images from a container registry. */
  acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
  /** Send events to an event hub (the CDC producers' group, on the hub only). */
  eventHubsDataSender: "2b629674-e913-4c01-ae53-ef4638d8f975",
  /** Receive events from an event hub (the CDC consumer and its KEDA scaler, on the hub only). */
  eventHubsDataReceiver: "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
  /** Send messages to a queue (the event producers' group, on the queue only). */
  serviceBusDataSender: "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
  /**
   * Receive and read a queue's runtime properties: KEDA's azure-servicebus scaler needs Manage rights to
   * read the message count (kedacore/keda#806, microsoft/azure-container-apps#1138), so the event consumer
   * holds Data Owner, scoped to its one queue.
   */
  serviceBusDataOwner: "090c5cfd-751d-490a-894a-3ce6f1109419",
} as const;

export type RoleName = keyof typeof ROLES;

/** The subscription-scoped ARM ID of a built-in role definition. */
export function roleDefinitionId(subscriptionId: string, role: RoleName): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ROLES[role]}`;
}

/**
 * Application (client) ID of the AzureDatabricks first-party application, the same in every tenant. A
 * Key Vault-backed secret scope reads secrets as this application; its object ID differs per tenant
 * (`az ad sp show --id 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d --query id -o tsv`).
 */
export const AZURE_DATABRICKS_APP_ID = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d";

/** Unity Catalog privileges the components grant, by intent. */
export const UC_PRIVILEGES = {
  /** Browse a catalog (needed before any schema privilege applies). */
  useCatalog: ["USE_CATALOG"],
  /** Read tables of a schema. */
  readSchema: ["USE_SCHEMA", "SELECT"],
  /** Create and write tables of a schema (the job's service principal). */
  writeSchema: ["USE_SCHEMA", "SELECT", "MODIFY", "CREATE_TABLE"],
  /** Read files under an external location (Auto Loader on raw). */
  readFiles: ["READ_FILES"],
  /** Read and write files under an external location (checkpoints, Delta files). */
  writeFiles: ["READ_FILES", "WRITE_FILES"],
} as const;
