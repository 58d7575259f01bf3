import { armTypeOf, queryProblems, unsupportedCategories } from "../../../components/azure/monitor-catalog";
import { at } from "../stack-view";
import type { Rule, RuleResource } from "../types";

const STORAGE_ACCOUNT = "azure-native:storage:StorageAccount";
const KEY_VAULT = "azure-native:keyvault:Vault";
const DATABRICKS_WORKSPACE = "azure-native:databricks:Workspace";
const LOG_ANALYTICS = "azure-native:operationalinsights:Workspace";
const DIAGNOSTIC_SETTINGS = [
  "azure-native:insights:DiagnosticSetting",
  "azure-native:monitor:DiagnosticSetting",
];

/** One resource rule per requirement keeps messages and fixtures one-to-one. */
function requirement(
  id: string,
  type: string,
  description: string,
  sources: Rule["sources"],
  failing: (r: RuleResource, protectedEnvironment: boolean) => string | undefined,
): Rule {
  return {
    id,
    kind: "resource",
    types: [type],
    description,
    sources,
    enforcement: "mandatory",
    check: (resource, context) => {
      const message = failing(resource, context.protectedEnvironment);
      return message ? [message] : [];
    },
  };
}

export const azureStorageRules: Rule[] = [
  requirement(
    "azure-storage-https-only",
    STORAGE_ACCOUNT,
    "Storage accounts accept HTTPS only (explicitly set). Mirrors Checkov CKV_AZURE_3.",
    [{ source: "Checkov", id: "CKV_AZURE_3" }],
    (r) =>
      r.inputs.enableHttpsTrafficOnly === true
        ? undefined
        : `storage account ${r.name} does not set enableHttpsTrafficOnly to true`,
  ),
  requirement(
    "azure-storage-min-tls",
    STORAGE_ACCOUNT,
    "Storage accounts require TLS 1.2 or later. Mirrors Checkov CKV_AZURE_44.",
    [{ source: "Checkov", id: "CKV_AZURE_44" }],
    (r) =>
      r.inputs.minimumTlsVersion === "TLS1_2" || r.inputs.minimumTlsVersion === "TLS1_3"
        ? undefined
        : `storage account ${r.name} allows TLS below 1.2 (minimumTlsVersion ${String(r.inputs.minimumTlsVersion ?? "unset")})`,
  ),
  requirement(
    "azure-storage-no-public-blobs",
    STORAGE_ACCOUNT,
    "Storage accounts forbid anonymous public blob access. Mirrors Checkov CKV_AZURE_190.",
    [{ source: "Checkov", id: "CKV_AZURE_190" }],
    (r) =>
      r.inputs.allowBlobPublicAccess === false
        ? undefined
        : `storage account ${r.name} does not set allowBlobPublicAccess to false`,
  ),
  requirement(
    "azure-storage-no-shared-key",
    STORAGE_ACCOUNT,
    "Storage accounts disable shared key authorization (Entra ID only). Mirrors Checkov CKV2_AZURE_40.",
    [{ source: "Checkov", id: "CKV2_AZURE_40" }],
    (r) =>
      r.inputs.allowSharedKeyAccess === false
        ? undefined
        : `storage account ${r.name} does not set allowSharedKeyAccess to false`,
  ),
  requirement(
    "azure-storage-infrastructure-encryption",
    STORAGE_ACCOUNT,
    'Storage accounts use infrastructure (double) encryption. Mirrors Azure Policy "Storage accounts should have infrastructure encryption".',
    [{ source: "Azure Policy", id: "Storage accounts should have infrastructure encryption" }],
    (r) =>
      at(r.inputs, "encryption", "requireInfrastructureEncryption") === true
        ? undefined
        : `storage account ${r.name} does not require infrastructure encryption`,
  ),
  requirement(
    "azure-storage-network-deny",
    STORAGE_ACCOUNT,
    "Storage account firewalls deny by default. Mirrors Checkov CKV_AZURE_35.",
    [{ source: "Checkov", id: "CKV_AZURE_35" }],
    (r) =>
      at(r.inputs, "networkRuleSet", "defaultAction") === "Deny"
        ? undefined
        : `storage account ${r.name} network rules do not default to Deny`,
  ),
];

export const azureKeyVaultRules: Rule[] = [
  requirement(
    "azure-keyvault-purge-protection",
    KEY_VAULT,
    "Key Vaults have purge protection; only a non-protected environment (dev) may switch it off. Mirrors Checkov CKV_AZURE_110.",
    [{ source: "Checkov", id: "CKV_AZURE_110" }],
    (r, protectedEnvironment) =>
      !protectedEnvironment || at(r.inputs, "properties", "enablePurgeProtection") === true
        ? undefined
        : `key vault ${r.name} does not enable purge protection in a protected environment`,
  ),
  requirement(
    "azure-keyvault-soft-delete",
    KEY_VAULT,
    "Key Vaults keep soft delete on (explicitly set). Mirrors Checkov CKV_AZURE_42.",
    [{ source: "Checkov", id: "CKV_AZURE_42" }],
    (r) =>
      at(r.inputs, "properties", "enableSoftDelete") === true
        ? undefined
        : `key vault ${r.name} does not set enableSoftDelete to true`,
  ),
  requirement(
    "azure-keyvault-rbac",
    KEY_VAULT,
    'Key Vaults use the RBAC permission model, not access policies. Mirrors Azure Policy "Azure Key Vault should use RBAC permission model".',
    [{ source: "Azure Policy", id: "Azure Key Vault should use RBAC permission model" }],
    (r) =>
      at(r.inputs, "properties", "enableRbacAuthorization") === true
        ? undefined
        : `key vault ${r.name} does not use RBAC authorization`,
  ),
  requirement(
    "azure-keyvault-network",
    KEY_VAULT,
    "Key Vaults disable public network access or deny it by default through network ACLs. Mirrors Checkov CKV_AZURE_109 and CKV_AZURE_189.",
    [
      { source: "Checkov", id: "CKV_AZURE_109" },
      { source: "Checkov", id: "CKV_AZURE_189" },
    ],
    (r) =>
      at(r.inputs, "properties", "publicNetworkAccess") === "Disabled" ||
      at(r.inputs, "properties", "networkAcls", "defaultAction") === "Deny"
        ? undefined
        : `key vault ${r.name} is reachable from public networks (neither publicNetworkAccess Disabled nor networkAcls defaulting to Deny)`,
  ),
];

export const azureDatabricksRules: Rule[] = [
  requirement(
    "azure-databricks-no-public-ip",
    DATABRICKS_WORKSPACE,
    "Databricks workspaces use secure cluster connectivity (no public IPs on cluster nodes). Mirrors PSRule for Azure Azure.Databricks.SecureConnectivity.",
    [{ source: "PSRule for Azure", id: "Azure.Databricks.SecureConnectivity" }],
    (r) =>
      at(r.inputs, "parameters", "enableNoPublicIp", "value") === true
        ? undefined
        : `databricks workspace ${r.name} does not enable no-public-IP (secure cluster connectivity)`,
  ),
  requirement(
    "azure-databricks-premium",
    DATABRICKS_WORKSPACE,
    'Databricks workspaces are on the premium tier (Unity Catalog, private link, customer-managed keys). Mirrors Azure Policy "Azure Databricks Workspaces should be Premium SKU that supports features like private link, customer-managed key for encryption".',
    [{ source: "Azure Policy", id: "Azure Databricks Workspaces should be Premium SKU" }],
    (r) =>
      at(r.inputs, "sku", "name") === "premium"
        ? undefined
        : `databricks workspace ${r.name} is not on the premium tier`,
  ),
  requirement(
    "azure-log-analytics-retention",
    LOG_ANALYTICS,
    "Log Analytics workspaces keep logs a finite time of at least 30 days (Microsoft cloud security benchmark, MCSB LT-6).",
    [{ source: "Azure Policy", id: "MCSB LT-6" }],
    (r) => {
      const days = Number(r.inputs.retentionInDays);
      return days >= 30 && days <= 730
        ? undefined
        : `log analytics workspace ${r.name} retention is ${String(r.inputs.retentionInDays ?? "unset")}, not 30-730 days`;
    },
  ),
];

export const azureDiagnostics: Rule = {
  id: "azure-diagnostic-settings",
  kind: "stack",
  description:
    'Storage accounts, Key Vaults and Databricks workspaces send resource logs to Log Analytics through a diagnostic setting. Mirrors Azure Policy "Resource logs in Key Vault should be enabled" and MCSB LT-3.',
  sources: [{ source: "Azure Policy", id: "Resource logs in Key Vault should be enabled" }],
  enforcement: "mandatory",
  check(stack) {
    const settings = DIAGNOSTIC_SETTINGS.flatMap((t) => stack.ofType(t));
    return [STORAGE_ACCOUNT, KEY_VAULT, DATABRICKS_WORKSPACE]
      .flatMap((t) => stack.ofType(t))
      .filter((target) => !settings.some((s) => (s.dependencies.resourceUri ?? []).includes(target.urn)))
      .map((target) => ({ urn: target.urn, message: `${target.name} has no diagnostic setting` }));
  },
};

const SCHEDULED_QUERY_RULES = [
  "azure-native:monitor:ScheduledQueryRule",
  "azure-native:insights:ScheduledQueryRule",
];

function names(list: unknown, key: "category" | "categoryGroup"): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) => {
    const value = (entry as Record<string, unknown> | null)?.[key];
    return typeof value === "string" ? [value] : [];
  });
}

/** Defect 1 of issue 14: ARM refuses a category the resource type does not publish (AllMetrics on storage). */
export const azureDiagnosticCategories: Rule = {
  id: "azure-diagnostic-categories",
  kind: "resource",
  types: DIAGNOSTIC_SETTINGS,
  description:
    "Diagnostic settings ask only for the metric and log categories the target's resource type documents (storage accounts and blob services take Capacity/Transaction, not AllMetrics); ARM refuses any other. Mirrors Microsoft Learn azure-monitor/reference/supported-metrics.",
  sources: [{ source: "Microsoft Learn", id: "azure-monitor/reference/supported-metrics" }],
  enforcement: "mandatory",
  check(resource) {
    const uri = resource.inputs.resourceUri;
    if (typeof uri !== "string") return [];
    const armType = armTypeOf(uri);
    if (!armType)
      return [`diagnostic setting ${resource.name} targets ${uri}, which is not an ARM resource ID`];
    const problems = unsupportedCategories(armType, {
      metrics: names(resource.inputs.metrics, "category"),
      logs: names(resource.inputs.logs, "category"),
      logGroups: names(resource.inputs.logs, "categoryGroup"),
    });
    return problems.length > 0
      ? [`diagnostic setting ${resource.name}: ${armType} does not support ${problems.join(", ")}`]
      : [];
  },
};

/** Defect 2 of issue 14: a log alert's query is validated against the table's schema when the rule is created. */
export const azureLogQuerySchema: Rule = {
  id: "azure-log-query-schema",
  kind: "resource",
  types: SCHEDULED_QUERY_RULES,
  description:
    "Log alert queries read documented tables and columns only, and skip query validation over a resource-specific table that exists only after its first record (DatabricksJobs, ContainerAppSystemLogs in a fresh workspace). Mirrors Microsoft Learn azure-monitor/reference/tables.",
  sources: [{ source: "Microsoft Learn", id: "azure-monitor/reference/tables" }],
  enforcement: "mandatory",
  check(resource) {
    const criteria = at(resource.inputs, "criteria", "allOf");
    if (!Array.isArray(criteria)) return [];
    const skip = resource.inputs.skipQueryValidation === true;
    return criteria.flatMap((c) => {
      const query = (c as Record<string, unknown> | null)?.query;
      return typeof query === "string"
        ? queryProblems(query, skip).map((p) => `log alert ${resource.name}: ${p}`)
        : [];
    });
  },
};
