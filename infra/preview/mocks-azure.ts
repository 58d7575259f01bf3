import { createHash } from "node:crypto";

/** The fake subscription and tenant the offline preview runs in. */
export const PREVIEW_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000";
export const PREVIEW_TENANT_ID = "11111111-1111-4111-a111-111111111111";
/** Object ID of the identity running the offline preview. */
export const PREVIEW_DEPLOYER_OBJECT_ID = "22222222-2222-4222-a222-222222222222";

/** What getClientConfig returns offline. */
export const AZURE_CLIENT_CONFIG = {
  clientId: "33333333-3333-4333-a333-333333333333",
  objectId: PREVIEW_DEPLOYER_OBJECT_ID,
  subscriptionId: PREVIEW_SUBSCRIPTION_ID,
  tenantId: PREVIEW_TENANT_ID,
};

/** ARM type path and the input holding the physical name, per top-level azure-native resource type. */
const ARM_TYPES: Record<string, { readonly path: string; readonly nameInput: string }> = {
  "azure-native:storage:StorageAccount": {
    path: "Microsoft.Storage/storageAccounts",
    nameInput: "accountName",
  },
  "azure-native:keyvault:Vault": { path: "Microsoft.KeyVault/vaults", nameInput: "vaultName" },
  "azure-native:databricks:Workspace": {
    path: "Microsoft.Databricks/workspaces",
    nameInput: "workspaceName",
  },
  "azure-native:databricks:AccessConnector": {
    path: "Microsoft.Databricks/accessConnectors",
    nameInput: "connectorName",
  },
  "azure-native:operationalinsights:Workspace": {
    path: "Microsoft.OperationalInsights/workspaces",
    nameInput: "workspaceName",
  },
  "azure-native:monitor:ActionGroup": {
    path: "Microsoft.Insights/actionGroups",
    nameInput: "actionGroupName",
  },
  "azure-native:monitor:ScheduledQueryRule": {
    path: "Microsoft.Insights/scheduledQueryRules",
    nameInput: "ruleName",
  },
  "azure-native:managedidentity:UserAssignedIdentity": {
    path: "Microsoft.ManagedIdentity/userAssignedIdentities",
    nameInput: "resourceName",
  },
  "azure-native:app:ManagedEnvironment": {
    path: "Microsoft.App/managedEnvironments",
    nameInput: "environmentName",
  },
  "azure-native:app:Job": { path: "Microsoft.App/jobs", nameInput: "jobName" },
  "azure-native:network:VirtualNetwork": {
    path: "Microsoft.Network/virtualNetworks",
    nameInput: "virtualNetworkName",
  },
  "azure-native:network:NetworkSecurityGroup": {
    path: "Microsoft.Network/networkSecurityGroups",
    nameInput: "networkSecurityGroupName",
  },
  "azure-native:network:NatGateway": { path: "Microsoft.Network/natGateways", nameInput: "natGatewayName" },
  "azure-native:network:PublicIPAddress": {
    path: "Microsoft.Network/publicIPAddresses",
    nameInput: "publicIpAddressName",
  },
  "azure-native:containerregistry:Registry": {
    path: "Microsoft.ContainerRegistry/registries",
    nameInput: "registryName",
  },
  "azure-native:eventhub:Namespace": { path: "Microsoft.EventHub/namespaces", nameInput: "namespaceName" },
  "azure-native:servicebus:Namespace": {
    path: "Microsoft.ServiceBus/namespaces",
    nameInput: "namespaceName",
  },
  "azure-native:monitor:MetricAlert": { path: "Microsoft.Insights/metricAlerts", nameInput: "ruleName" },
};

/** Entities under a messaging namespace: ARM path segment and the input holding the physical name. */
const NAMESPACE_CHILDREN: Record<
  string,
  { readonly provider: string; readonly segments: (i: Record<string, unknown>, physical: string) => string }
> = {
  "azure-native:eventhub:EventHub": {
    provider: "Microsoft.EventHub",
    segments: (i, physical) => `eventhubs/${String(i.eventHubName ?? physical)}`,
  },
  "azure-native:eventhub:ConsumerGroup": {
    provider: "Microsoft.EventHub",
    segments: (i, physical) =>
      `eventhubs/${String(i.eventHubName)}/consumergroups/${String(i.consumerGroupName ?? physical)}`,
  },
  "azure-native:eventhub:NamespaceNetworkRuleSet": {
    provider: "Microsoft.EventHub",
    segments: () => "networkRuleSets/default",
  },
  "azure-native:servicebus:Queue": {
    provider: "Microsoft.ServiceBus",
    segments: (i, physical) => `queues/${String(i.queueName ?? physical)}`,
  },
};

/**
 * Computed outputs of azure-native resources: ARM IDs under the preview subscription
 * (`/subscriptions/<sub>/resourceGroups/<rg>/providers/<namespace>/<type>/<name>`), endpoints, URIs and
 * identities, derived from a hash of type and name so plans are deterministic.
 */
export function azureState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  const seed = hex(`${type}::${name}`);
  const autoname = `${name}${seed.slice(0, 7)}`;
  const rg = String(inputs.resourceGroupName ?? "rg");
  const rgId = `/subscriptions/${PREVIEW_SUBSCRIPTION_ID}/resourceGroups/${rg}`;
  const arm = ARM_TYPES[type];
  if (arm) {
    const physical = String(inputs[arm.nameInput] ?? autoname);
    const id = `${rgId}/providers/${arm.path}/${physical}`;
    return { ...inputs, id, name: physical, ...armExtras(type, physical, id, seed, inputs) };
  }
  const child = NAMESPACE_CHILDREN[type];
  if (child) {
    const path = child.segments(inputs, autoname);
    const physical = path.split("/").pop() ?? autoname;
    const id = `${rgId}/providers/${child.provider}/namespaces/${String(inputs.namespaceName)}/${path}`;
    return { ...inputs, id, name: physical };
  }
  switch (type) {
    case "azure-native:resources:ResourceGroup": {
      const physical = String(inputs.resourceGroupName ?? autoname);
      return {
        ...inputs,
        id: `/subscriptions/${PREVIEW_SUBSCRIPTION_ID}/resourceGroups/${physical}`,
        name: physical,
      };
    }
    case "azure-native:storage:BlobContainer": {
      const physical = String(inputs.containerName ?? autoname);
      const id = `${rgId}/providers/Microsoft.Storage/storageAccounts/${String(inputs.accountName)}/blobServices/default/containers/${physical}`;
      return { ...inputs, id, name: physical };
    }
    case "azure-native:storage:Table": {
      const physical = String(inputs.tableName ?? autoname);
      const id = `${rgId}/providers/Microsoft.Storage/storageAccounts/${String(inputs.accountName)}/tableServices/default/tables/${physical}`;
      return { ...inputs, id, name: physical, tableName: physical };
    }
    case "azure-native:storage:BlobServiceProperties":
      return {
        ...inputs,
        id: `${rgId}/providers/Microsoft.Storage/storageAccounts/${String(inputs.accountName)}/blobServices/default`,
        name: "default",
      };
    case "azure-native:storage:ManagementPolicy":
      return {
        ...inputs,
        id: `${rgId}/providers/Microsoft.Storage/storageAccounts/${String(inputs.accountName)}/managementPolicies/default`,
        name: "default",
      };
    case "azure-native:keyvault:Secret": {
      const physical = String(inputs.secretName ?? autoname);
      const vault = String(inputs.vaultName);
      const id = `${rgId}/providers/Microsoft.KeyVault/vaults/${vault}/secrets/${physical}`;
      const secretUri = `https://${vault}.vault.azure.net/secrets/${physical}`;
      return {
        ...inputs,
        id,
        name: physical,
        properties: {
          ...((inputs.properties as object | undefined) ?? {}),
          secretUri,
          secretUriWithVersion: `${secretUri}/${seed.slice(0, 32)}`,
        },
      };
    }
    case "azure-native:authorization:RoleAssignment": {
      const assignment = uuid(seed);
      return {
        ...inputs,
        id: `${String(inputs.scope)}/providers/Microsoft.Authorization/roleAssignments/${assignment}`,
        name: assignment,
      };
    }
    case "azure-native:monitor:DiagnosticSetting": {
      const physical = String(inputs.name ?? autoname);
      return {
        ...inputs,
        id: `${String(inputs.resourceUri)}/providers/Microsoft.Insights/diagnosticSettings/${physical}`,
        name: physical,
      };
    }
    case "azure-native:network:Subnet": {
      const physical = String(inputs.subnetName ?? autoname);
      return {
        ...inputs,
        id: `${rgId}/providers/Microsoft.Network/virtualNetworks/${String(inputs.virtualNetworkName)}/subnets/${physical}`,
        name: physical,
      };
    }
    default:
      return { ...inputs, id: `${rgId}/providers/Unknown/${autoname}`, name: autoname };
  }
}

function armExtras(
  type: string,
  physical: string,
  id: string,
  seed: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  switch (type) {
    case "azure-native:storage:StorageAccount":
      return {
        primaryEndpoints: {
          blob: `https://${physical}.blob.core.windows.net/`,
          dfs: `https://${physical}.dfs.core.windows.net/`,
          table: `https://${physical}.table.core.windows.net/`,
          queue: `https://${physical}.queue.core.windows.net/`,
          web: `https://${physical}.z6.web.core.windows.net/`,
        },
      };
    case "azure-native:keyvault:Vault":
      return {
        properties: {
          ...((inputs.properties as object | undefined) ?? {}),
          vaultUri: `https://${physical}.vault.azure.net/`,
        },
      };
    case "azure-native:databricks:Workspace": {
      const workspaceId = String(BigInt(`0x${seed.slice(0, 13)}`));
      return {
        workspaceId,
        workspaceUrl: `adb-${workspaceId}.${parseInt(seed.slice(13, 14), 16) % 20}.azuredatabricks.net`,
      };
    }
    case "azure-native:databricks:AccessConnector":
    case "azure-native:app:Job":
      return {
        identity: {
          ...((inputs.identity as object | undefined) ?? {}),
          principalId: uuid(seed),
          tenantId: PREVIEW_TENANT_ID,
        },
      };
    case "azure-native:managedidentity:UserAssignedIdentity":
      return { principalId: uuid(seed), clientId: uuid(hex(seed)), tenantId: PREVIEW_TENANT_ID };
    case "azure-native:operationalinsights:Workspace":
      return { customerId: uuid(seed) };
    case "azure-native:containerregistry:Registry":
      return { loginServer: `${physical}.azurecr.io` };
    case "azure-native:app:ManagedEnvironment":
      return {
        defaultDomain: `${seed.slice(0, 12)}.westeurope.azurecontainerapps.io`,
        staticIp: "10.20.0.10",
      };
    default:
      return { id };
  }
}

/** Computed outputs of Databricks workspace and account objects. */
export function databricksState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  const seed = hex(`${type}::${name}`);
  const numericId = String(BigInt(`0x${seed.slice(0, 12)}`));
  switch (type) {
    case "databricks:index/servicePrincipal:ServicePrincipal":
      return {
        ...inputs,
        id: numericId,
        applicationId: uuid(seed),
        aclPrincipalId: `servicePrincipals/${uuid(seed)}`,
      };
    case "databricks:index/group:Group":
      return { ...inputs, id: numericId, aclPrincipalId: `groups/${String(inputs.displayName)}` };
    case "databricks:index/workspaceFile:WorkspaceFile": {
      const filePath = String(inputs.path);
      return {
        ...inputs,
        id: filePath,
        objectId: Number(numericId.slice(0, 12)),
        workspacePath: `/Workspace${filePath}`,
        url: `https://preview.azuredatabricks.net/#workspace${filePath}`,
      };
    }
    case "databricks:index/job:Job":
      return { ...inputs, id: numericId, url: `https://preview.azuredatabricks.net/#job/${numericId}` };
    case "databricks:index/storageCredential:StorageCredential":
    case "databricks:index/externalLocation:ExternalLocation":
    case "databricks:index/catalog:Catalog":
    case "databricks:index/secretScope:SecretScope":
      return { ...inputs, id: String(inputs.name), metastoreId: uuid(hex("metastore")) };
    case "databricks:index/schema:Schema":
      return {
        ...inputs,
        id: `${String(inputs.catalogName)}.${String(inputs.name)}`,
        metastoreId: uuid(hex("metastore")),
      };
    case "databricks:index/notificationDestination:NotificationDestination":
      return { ...inputs, id: uuid(seed), destinationType: "WEBHOOK" };
    case "databricks:index/grants:Grants":
      return { ...inputs, id: `grants/${seed.slice(0, 12)}` };
    default:
      return { ...inputs, id: numericId };
  }
}

function hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function uuid(seed: string): string {
  return `${seed.slice(0, 8)}-${seed.slice(8, 12)}-4${seed.slice(13, 16)}-a${seed.slice(17, 20)}-${seed.slice(20, 32)}`;
}
