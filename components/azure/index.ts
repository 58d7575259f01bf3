export { AzureLakehouse, type AzureLakehouseArgs } from "./lakehouse";
export {
  AzureMedallionLayer,
  type AzureMedallionLayerArgs,
  type LayerCatalogAccess,
} from "./medallion-layer";
export {
  AzureStorageAccount,
  type AzureStorageAccountArgs,
  type ContainerRetention,
} from "./storage-account";
export { AzureSecretStore, type AzureSecretStoreArgs } from "./secret-store";
export { AzureMonitoring, type AzureMonitoringArgs, type DiagnosticSelection } from "./monitoring";
export { AzureDatabricksWorkspace, type AzureDatabricksWorkspaceArgs } from "./databricks-workspace";
export { AzureUnityCatalog, type AzureUnityCatalogArgs } from "./unity-catalog";
export { AzureLakehouseJob, type AzureLakehouseJobArgs, JOB_TASKS, DELTA_SPARK_CONF } from "./lakehouse-job";
export { azureContext, type AzureContext } from "./context";
export { quartzFromCron } from "./quartz";
export { ROLES, AZURE_DATABRICKS_APP_ID } from "./perms";
export type { AzurePrincipal } from "./principal";
export { azureSourcesConfig, type AzureSourcesConfig } from "./sources-config";
export { AzureSourceIngestion, type AzureSourceIngestionArgs } from "./sources";
export { AzureEventHubsCdc, type AzureEventHubsCdcArgs } from "./event-hubs-cdc";
export { AzureServiceBusEvents, type AzureServiceBusEventsArgs } from "./service-bus-events";
