/**
 * What Azure Monitor accepts, per resource type and per Log Analytics table, as documented. The
 * components build diagnostic settings and log alerts from these tables, and the policy pack checks
 * every plan against them (the offline mocks accept anything, so these tables are the only offline
 * stand-in for what ARM refuses at `pulumi up`).
 */

/** Diagnostic categories one resource type supports. */
export interface DiagnosticCategories {
  /** Metric categories (`AllMetrics` only where the type documents it). */
  readonly metrics: readonly string[];
  /** Log categories. */
  readonly logs: readonly string[];
  /** Log category groups (`allLogs`, `audit`). */
  readonly logGroups: readonly string[];
}

/**
 * Diagnostic categories by ARM resource type (lower case). Metric categories are the "Category" column
 * of the supported-metrics reference; log categories the supported-logs reference.
 */
export const DIAGNOSTIC_CATEGORIES: Readonly<Record<string, DiagnosticCategories>> = {
  // learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-storage-storageaccounts-metrics: categories Capacity and Transaction; no resource logs on the account itself.
  "microsoft.storage/storageaccounts": { metrics: ["Capacity", "Transaction"], logs: [], logGroups: [] },
  // .../supported-metrics/microsoft-storage-storageaccounts-blobservices-metrics and supported-logs/microsoft-storage-storageaccounts-blobservices-logs.
  "microsoft.storage/storageaccounts/blobservices": {
    metrics: ["Capacity", "Transaction"],
    logs: ["StorageRead", "StorageWrite", "StorageDelete"],
    logGroups: ["allLogs", "audit"],
  },
  // .../supported-metrics/microsoft-keyvault-vaults-metrics (AllMetrics) and supported-logs/microsoft-keyvault-vaults-logs.
  "microsoft.keyvault/vaults": {
    metrics: ["AllMetrics"],
    logs: ["AuditEvent", "AzurePolicyEvaluationDetails"],
    logGroups: ["allLogs", "audit"],
  },
  // .../supported-logs/microsoft-databricks-workspaces-logs; the workspace publishes no platform metrics.
  "microsoft.databricks/workspaces": {
    metrics: [],
    logs: [
      "accounts",
      "clusters",
      "dbfs",
      "instancePools",
      "jobs",
      "notebook",
      "secrets",
      "sqlPermissions",
      "ssh",
      "unityCatalog",
      "workspace",
    ],
    logGroups: ["allLogs"],
  },
  // .../supported-metrics/microsoft-app-managedenvironments-metrics and supported-logs/microsoft-app-managedenvironments-logs.
  "microsoft.app/managedenvironments": {
    metrics: ["AllMetrics"],
    logs: ["ContainerAppConsoleLogs", "ContainerAppSystemLogs", "AppEnvSpringAppConsoleLogs"],
    logGroups: ["allLogs", "audit"],
  },
  // Event Hubs and Service Bus namespaces (learn.microsoft.com/azure/azure-monitor/reference/supported-logs/
  // microsoft-eventhub-namespaces-logs and microsoft-servicebus-namespaces-logs; supported-metrics/
  // microsoft-eventhub-namespaces-metrics and microsoft-servicebus-namespaces-metrics, category AllMetrics).
  // RuntimeAuditLogs and ApplicationMetricsLogs are documented for Premium/Dedicated, so the components send the
  // operational and network-filter logs by name on Standard namespaces.
  "microsoft.eventhub/namespaces": {
    metrics: ["AllMetrics"],
    logs: [
      "ApplicationMetricsLogs",
      "ArchiveLogs",
      "AutoScaleLogs",
      "CustomerManagedKeyUserLogs",
      "DiagnosticErrorLogs",
      "EventHubVNetConnectionEvent",
      "KafkaCoordinatorLogs",
      "KafkaUserErrorLogs",
      "OperationalLogs",
      "RuntimeAuditLogs",
    ],
    logGroups: ["allLogs", "audit"],
  },
  "microsoft.servicebus/namespaces": {
    metrics: ["AllMetrics"],
    logs: [
      "ApplicationMetricsLogs",
      "DiagnosticErrorLogs",
      "OperationalLogs",
      "RuntimeAuditLogs",
      "VNetAndIPFilteringLogs",
    ],
    logGroups: ["allLogs", "audit"],
  },
};

/**
 * The ARM resource type of a resource ID (`/subscriptions/…/providers/Microsoft.Storage/storageAccounts/a/
 * blobServices/default` → `microsoft.storage/storageaccounts/blobservices`), lower case; undefined when
 * the ID has no provider segment.
 */
export function armTypeOf(resourceId: string): string | undefined {
  const parts = resourceId.split("/").filter((p) => p.length > 0);
  const at = parts.map((p) => p.toLowerCase()).lastIndexOf("providers");
  if (at < 0 || at + 2 >= parts.length) return undefined;
  const namespace = parts[at + 1];
  const types: string[] = [];
  for (let i = at + 2; i < parts.length; i += 2) types.push(parts[i]);
  return [namespace, ...types].join("/").toLowerCase();
}

/** The diagnostic selection a type's setting may send that the type does not support; empty when valid. */
export function unsupportedCategories(
  armType: string,
  selection: {
    readonly metrics: readonly string[];
    readonly logs: readonly string[];
    readonly logGroups: readonly string[];
  },
): string[] {
  const supported = DIAGNOSTIC_CATEGORIES[armType];
  if (!supported) return [`${armType} has no documented diagnostic categories`];
  return [
    ...selection.metrics.filter((m) => !supported.metrics.includes(m)).map((m) => `metric category ${m}`),
    ...selection.logs.filter((l) => !supported.logs.includes(l)).map((l) => `log category ${l}`),
    ...selection.logGroups
      .filter((g) => !supported.logGroups.includes(g))
      .map((g) => `log category group ${g}`),
  ];
}

/** A Log Analytics table: its columns, and whether it exists before the first record arrives. */
export interface LogTable {
  readonly columns: readonly string[];
  /**
   * Created by the first record a diagnostic setting sends (a resource-specific table of a resource
   * that may not have logged yet): a query rule over it must skip query validation.
   */
  readonly createdOnFirstRecord: boolean;
}

/** Standard columns every Log Analytics table has (learn.microsoft.com/azure/azure-monitor/logs/log-standard-columns). */
const STANDARD_COLUMNS = [
  "TimeGenerated",
  "Type",
  "TenantId",
  "_ResourceId",
  "_SubscriptionId",
  "_IsBillable",
  "_BilledSize",
];

/** The tables the lakehouse's log alerts read, with their documented columns. */
export const LOG_TABLES: Readonly<Record<string, LogTable>> = {
  // learn.microsoft.com/azure/azure-monitor/reference/tables/containerappsystemlogs (no ExecutionName column).
  ContainerAppSystemLogs: {
    columns: [
      ...STANDARD_COLUMNS,
      "ComponentName",
      "ComponentType",
      "ContainerAppName",
      "ContainerName",
      "Count",
      "EnvironmentName",
      "EventSource",
      "JobName",
      "Location",
      "Log",
      "OperationName",
      "Reason",
      "ReplicaName",
      "RevisionName",
      "SourceSystem",
    ],
    createdOnFirstRecord: true,
  },
  // learn.microsoft.com/azure/azure-monitor/reference/tables/containerappconsolelogs: stdout/stderr of jobs.
  ContainerAppConsoleLogs: {
    columns: [
      ...STANDARD_COLUMNS,
      "ContainerAppName",
      "ContainerGroupId",
      "ContainerGroupName",
      "ContainerId",
      "ContainerImage",
      "ContainerName",
      "EnvironmentName",
      "JobName",
      "Location",
      "Log",
      "OperationName",
      "RevisionName",
      "SourceSystem",
      "Stream",
    ],
    createdOnFirstRecord: true,
  },
  // learn.microsoft.com/azure/azure-monitor/reference/tables/databricksjobs; created by the first `jobs` log record.
  DatabricksJobs: {
    columns: [
      ...STANDARD_COLUMNS,
      "ActionName",
      "Category",
      "Identity",
      "LogId",
      "OperationName",
      "OperationVersion",
      "RequestId",
      "RequestParams",
      "Response",
      "ServiceName",
      "SessionId",
      "SourceIPAddress",
      "SourceSystem",
      "UserAgent",
    ],
    createdOnFirstRecord: true,
  },
};

/** Tables the stack's workbook reads (components/azure/workbook.ts), beyond the alert tables above. */
export const WORKBOOK_LOG_TABLES: Readonly<Record<string, LogTable>> = {
  // learn.microsoft.com/azure/azure-monitor/reference/tables/storagebloblogs (the blob service's StorageRead/Write/Delete logs).
  StorageBlobLogs: {
    columns: [
      ...STANDARD_COLUMNS,
      "AccessTier",
      "AccountName",
      "AuthenticationType",
      "CallerIpAddress",
      "Category",
      "CorrelationId",
      "DurationMs",
      "Location",
      "ObjectKey",
      "OperationName",
      "Protocol",
      "RequestBodySize",
      "ResponseBodySize",
      "ServerLatencyMs",
      "StatusCode",
      "StatusText",
      "Uri",
    ],
    createdOnFirstRecord: true,
  },
};

/**
 * The table a KQL query reads and the columns it names in `where`, `project` and `summarize … by`
 * (the simple single-table pipelines the components write). Unknown syntax yields no columns.
 */
export function queryReferences(query: string): { table: string; columns: string[] } {
  const [head, ...stages] = query.split("\n").map((l) => l.trim());
  const columns = new Set<string>();
  for (const stage of stages) {
    const where = /^\|\s*where\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(stage);
    if (where) columns.add(where[1]);
    const project = /^\|\s*project\s+(.+)$/.exec(stage);
    if (project) for (const c of project[1].split(",")) columns.add(c.trim());
  }
  return { table: head.replace(/^\|/, "").trim(), columns: [...columns] };
}

/** Problems of a query against the table catalog: unknown table, unknown columns, validation on a table that may not exist. */
export function queryProblems(query: string, skipQueryValidation: boolean): string[] {
  const { table, columns } = queryReferences(query);
  const schema = LOG_TABLES[table];
  if (!schema) return [`table ${table} is not in the documented table catalog`];
  const problems = columns
    .filter((c) => !schema.columns.includes(c))
    .map((c) => `table ${table} has no column ${c}`);
  if (schema.createdOnFirstRecord && !skipQueryValidation) {
    problems.push(`table ${table} exists only after its first record: set skipQueryValidation`);
  }
  return problems;
}
