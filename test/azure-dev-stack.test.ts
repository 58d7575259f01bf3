import type { Plan } from "../infra/preview/plan";
import { countsByType, named, ofType, preview } from "./helpers";

const LAYERS = ["raw", "bronze", "silver", "gold"];
const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000";
const RG = `${SUB}/resourceGroups/brewery-dev-lakehouse`;
const ACCOUNT_ID = `${RG}/providers/Microsoft.Storage/storageAccounts/brewerydevlake`;
const VAULT_ID = `${RG}/providers/Microsoft.KeyVault/vaults/brewery-dev-kv`;
const WORKSPACE_ID = `${RG}/providers/Microsoft.Databricks/workspaces/brewery-dev-dbw`;
const CONNECTOR_ID = `${RG}/providers/Microsoft.Databricks/accessConnectors/brewery-dev-uc-connector`;
const LOGS_ID = `${RG}/providers/Microsoft.OperationalInsights/workspaces/brewery-dev-logs`;
const SUBNET_ID = `${RG}/providers/Microsoft.Network/virtualNetworks/brewery-dev-ingestion-vnet/subnets/container-apps`;
const EMAILS = ["data-platform@example.com", "oncall-data@example.com"];
const role = (guid: string) => `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const BLOB_CONTRIBUTOR = role("ba92f5b4-2d11-453d-a403-e96b0029c9fe");
const SECRETS_USER = role("4633458b-17de-408a-b874-0445c86b69e6");

describe("the azure-dev stack under the offline preview", () => {
  let plan: Plan;
  let outputs: Record<string, unknown>;

  beforeAll(async () => {
    ({ plan, outputs } = await preview("azure-dev"));
  });

  it("creates exactly the expected resources", () => {
    expect(countsByType(plan)).toEqual({
      "pulumi:providers:azure-native": 1,
      "pulumi:providers:databricks": 2,
      "azure-native:resources:ResourceGroup": 1,
      "azure-native:storage:StorageAccount": 1,
      "azure-native:storage:BlobServiceProperties": 1,
      "azure-native:storage:ManagementPolicy": 1,
      "azure-native:storage:BlobContainer": 6,
      "azure-native:storage:Table": 1,
      "azure-native:keyvault:Vault": 1,
      "azure-native:keyvault:Secret": 2,
      "azure-native:authorization:RoleAssignment": 15,
      "azure-native:operationalinsights:Workspace": 1,
      "azure-native:monitor:ActionGroup": 1,
      // Observability (issue 16): the consumption budget and the workbook.
      "azure-native:consumption:Budget": 1,
      "azure-native:applicationinsights:Workbook": 1,
      "azure-native:monitor:DiagnosticSetting": 6,
      "azure-native:monitor:ScheduledQueryRule": 4,
      "azure-native:eventhub:Namespace": 1,
      "azure-native:eventhub:NamespaceNetworkRuleSet": 1,
      "azure-native:eventhub:EventHub": 1,
      "azure-native:eventhub:ConsumerGroup": 1,
      "azure-native:databricks:Workspace": 1,
      "azure-native:databricks:AccessConnector": 1,
      "azure-native:network:VirtualNetwork": 2,
      "azure-native:network:Subnet": 3,
      "azure-native:network:NatGateway": 2,
      "azure-native:network:PublicIPAddress": 2,
      "azure-native:network:NetworkSecurityGroup": 1,
      "azure-native:managedidentity:UserAssignedIdentity": 2,
      "azure-native:containerregistry:Registry": 1,
      "azure-native:app:ManagedEnvironment": 1,
      "azure-native:app:Job": 3,
      "docker-build:index:Image": 2,
      "databricks:index/storageCredential:StorageCredential": 1,
      "databricks:index/catalog:Catalog": 1,
      "databricks:index/externalLocation:ExternalLocation": 5,
      "databricks:index/schema:Schema": 5,
      "databricks:index/grants:Grants": 9,
      "databricks:index/servicePrincipal:ServicePrincipal": 1,
      "databricks:index/group:Group": 1,
      "databricks:index/mwsPermissionAssignment:MwsPermissionAssignment": 1,
      "databricks:index/secretScope:SecretScope": 1,
      "databricks:index/workspaceFile:WorkspaceFile": 4,
      "databricks:index/job:Job": 2,
      "databricks:index/secretAcl:SecretAcl": 1,
    });
    expect(
      plan.resources
        .filter((r) => !r.custom)
        .map((r) => r.type)
        .sort(),
    ).toEqual([
      "medallion:azure:ApiIngestion",
      "medallion:azure:ConsumerJob",
      "medallion:azure:DatabricksNetwork",
      "medallion:azure:DatabricksWorkspace",
      "medallion:azure:EventHubsCdc",
      "medallion:azure:IngestionNetwork",
      "medallion:azure:JobPlatform",
      "medallion:azure:Lakehouse",
      "medallion:azure:LakehouseJob",
      "medallion:azure:LakehouseJob",
      ...Array(4).fill("medallion:azure:MedallionLayer"),
      "medallion:azure:Monitoring",
      "medallion:azure:SecretStore",
      "medallion:azure:SourceIngestion",
      "medallion:azure:StorageAccount",
      "medallion:azure:UnityCatalog",
      "pulumi:pulumi:Stack",
    ]);
  });

  it("hardens the storage account: HNS, TLS 1.2, HTTPS, no public or shared-key access, double encryption", () => {
    expect(named(plan, "brewery-lake", "azure-native:storage:StorageAccount").inputs).toMatchObject({
      accountName: "brewerydevlake",
      kind: "StorageV2",
      isHnsEnabled: true,
      minimumTlsVersion: "TLS1_2",
      enableHttpsTrafficOnly: true,
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
      defaultToOAuthAuthentication: true,
      allowCrossTenantReplication: false,
      encryption: {
        keySource: "Microsoft.Storage",
        requireInfrastructureEncryption: true,
        services: { blob: { enabled: true, keyType: "Account" } },
      },
    });
  });

  it("denies the storage network by default, letting in only the access connector, the ingestion subnet and the workspace's subnets", () => {
    expect(named(plan, "brewery-lake", "azure-native:storage:StorageAccount").inputs.networkRuleSet).toEqual({
      defaultAction: "Deny",
      bypass: "Logging, Metrics",
      // medallion:azureSources.allowedIpRanges: the batch writers' network.
      ipRules: [{ iPAddressOrRange: "203.0.113.0/24", action: "Allow" }],
      resourceAccessRules: [{ resourceId: CONNECTOR_ID, tenantId: "11111111-1111-4111-a111-111111111111" }],
      virtualNetworkRules: [
        { virtualNetworkResourceId: SUBNET_ID, action: "Allow" },
        ...["host", "container"].map((role) => ({
          virtualNetworkResourceId: `${RG}/providers/Microsoft.Network/virtualNetworks/brewery-dev-databricks-vnet/subnets/databricks-${role}`,
          action: "Allow",
        })),
      ],
    });
  });

  it("creates the four private layer containers (and the catalog's) and soft-deletes blobs and containers for 30 days", () => {
    expect(
      ofType(plan, "azure-native:storage:BlobContainer")
        .map((c) => [c.inputs.containerName, c.inputs.publicAccess, c.inputs.accountName])
        .sort(),
    ).toEqual(
      [...LAYERS, "catalog", "eventhub-checkpoints"].map((c) => [c, "None", "brewerydevlake"]).sort(),
    );
    expect(named(plan, "brewery-lake-blob-service").inputs).toMatchObject({
      deleteRetentionPolicy: { enabled: true, days: 30, allowPermanentDelete: false },
      containerDeleteRetentionPolicy: { enabled: true, days: 30 },
    });
  });

  it("moves raw blobs to cool and deletes them on the spec's retention", () => {
    expect(named(plan, "brewery-lake-lifecycle").inputs.policy).toEqual({
      rules: [
        {
          name: "raw-retention",
          enabled: true,
          type: "Lifecycle",
          definition: {
            filters: { blobTypes: ["blockBlob"], prefixMatch: ["raw/"] },
            actions: {
              baseBlob: {
                tierToCool: { daysAfterModificationGreaterThan: 30 },
                delete: { daysAfterModificationGreaterThan: 180 },
              },
            },
          },
        },
      ],
    });
  });

  it("keeps secrets in an RBAC-mode vault with soft delete and a default-deny firewall", () => {
    const vault = named(plan, "brewery-secrets", "azure-native:keyvault:Vault").inputs;
    expect(vault).toMatchObject({
      vaultName: "brewery-dev-kv",
      properties: {
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        softDeleteRetentionInDays: 90,
        enabledForDeployment: false,
        enabledForTemplateDeployment: false,
        networkAcls: {
          defaultAction: "Deny",
          bypass: "AzureServices",
          ipRules: [],
          virtualNetworkRules: [{ id: SUBNET_ID }],
        },
      },
    });
    expect(vault.properties).not.toHaveProperty("accessPolicies");
    // Purge protection is irreversible, so the unprotected dev stack leaves it off.
    expect(vault.properties).not.toHaveProperty("enablePurgeProtection");
    expect(named(plan, "brewery-secrets-brewery-api").inputs.properties).toMatchObject({ value: "[secret]" });
  });

  it("backs a Databricks secret scope with the vault, readable by the AzureDatabricks application only", () => {
    expect(named(plan, "brewery-secrets-scope").inputs).toEqual({
      name: "brewery-dev",
      backendType: "AZURE_KEYVAULT",
      keyvaultMetadata: { resourceId: VAULT_ID, dnsName: "https://brewery-dev-kv.vault.azure.net/" },
    });
    expect(named(plan, "brewery-secrets-read-azure-databricks").inputs).toMatchObject({
      scope: VAULT_ID,
      roleDefinitionId: SECRETS_USER,
      principalId: "00000000-0000-0000-0000-0000000000db",
      principalType: "ServicePrincipal",
    });
  });

  it("creates a premium workspace without public IPs and a Databricks-created managed resource group", () => {
    expect(named(plan, "brewery-databricks", "azure-native:databricks:Workspace").inputs).toMatchObject({
      workspaceName: "brewery-dev-dbw",
      sku: { name: "premium" },
      parameters: { enableNoPublicIp: { value: true }, requireInfrastructureEncryption: { value: true } },
      managedResourceGroupId: `${SUB}/resourceGroups/brewery-dev-databricks-managed`,
    });
    expect(named(plan, "brewery-databricks-provider", "pulumi:providers:databricks").inputs).toEqual({
      host: expect.stringMatching(/^https:\/\/adb-\d+\.\d+\.azuredatabricks\.net$/),
      azureWorkspaceResourceId: WORKSPACE_ID,
      authType: "azure-cli",
    });
  });

  it("lets Unity Catalog reach storage only through the access connector's identity", () => {
    expect(named(plan, "brewery-databricks-access-connector").inputs.identity).toEqual({
      type: "SystemAssigned",
    });
    expect(named(plan, "brewery-lake-contributor-uc-connector").inputs).toMatchObject({
      scope: ACCOUNT_ID,
      roleDefinitionId: BLOB_CONTRIBUTOR,
      principalType: "ServicePrincipal",
    });
    expect(named(plan, "brewery-catalog-credential").inputs).toMatchObject({
      name: "brewery_dev_lake",
      azureManagedIdentity: { accessConnectorId: CONNECTOR_ID },
      isolationMode: "ISOLATION_MODE_ISOLATED",
    });
  });

  it("gives the catalog its own managed location, created before it", () => {
    expect(named(plan, "brewery-catalog-external-location").inputs).toMatchObject({
      name: "brewery_dev_catalog",
      url: "abfss://catalog@brewerydevlake.dfs.core.windows.net/",
      credentialName: "brewery_dev_lake",
    });
    expect(named(plan, "brewery-catalog-catalog").inputs.storageRoot).toBe(
      "abfss://catalog@brewerydevlake.dfs.core.windows.net/",
    );
  });

  it("creates an external location and a schema per layer in the environment's catalog", () => {
    expect(named(plan, "brewery-catalog-catalog").inputs).toMatchObject({
      name: "brewery_dev",
      isolationMode: "ISOLATED",
    });
    for (const layer of LAYERS) {
      expect(named(plan, `brewery-${layer}-external-location`).inputs).toMatchObject({
        name: `brewery_dev_${layer}`,
        url: `abfss://${layer}@brewerydevlake.dfs.core.windows.net/`,
        credentialName: "brewery_dev_lake",
      });
      expect(named(plan, `brewery-${layer}-schema`).inputs).toMatchObject({
        catalogName: "brewery_dev",
        name: layer,
      });
    }
  });

  it("grants the gold-only consumer group the catalog and gold, and nothing else", () => {
    const grantsTo = (principal: string) =>
      ofType(plan, "databricks:index/grants:Grants")
        .flatMap((g) =>
          (g.inputs.grants as { principal: string; privileges: string[] }[])
            .filter((entry) => entry.principal === principal)
            .map((entry) => [
              g.inputs.catalog ?? g.inputs.schema ?? g.inputs.externalLocation,
              entry.privileges,
            ]),
        )
        .sort();
    expect(grantsTo("brewery-dev-gold-readers")).toEqual([
      ["brewery_dev", ["USE_CATALOG"]],
      ["brewery_dev.gold", ["USE_SCHEMA", "SELECT"]],
    ]);
  });

  it("assigns the account-level consumer group to the workspace as a user, never an admin", () => {
    const workspaceId = /adb-(\d+)\./.exec(String(outputs.workspaceUrl))?.[1];
    expect(named(plan, "brewery-catalog-gold-readers-workspace").inputs).toEqual({
      workspaceId,
      principalId: expect.stringMatching(/^\d+$/),
      permissions: ["USER"],
    });
    expect(named(plan, "brewery-catalog-gold-readers").parent).toContain("UnityCatalog");
  });

  it("has one Grants resource per securable", () => {
    const securables = ofType(plan, "databricks:index/grants:Grants").map((g) =>
      JSON.stringify([g.inputs.catalog, g.inputs.schema, g.inputs.externalLocation]),
    );
    expect(new Set(securables).size).toBe(securables.length);
  });

  it("sends storage, blob, vault, workspace and ingestion logs to Log Analytics with the spec's retention", () => {
    expect(named(plan, "brewery-monitoring-logs").inputs).toMatchObject({
      retentionInDays: 30,
      sku: { name: "PerGB2018" },
    });
    expect(
      ofType(plan, "azure-native:monitor:DiagnosticSetting")
        .map((d) => [d.inputs.resourceUri, d.inputs.workspaceId])
        .sort(),
    ).toEqual(
      [
        ACCOUNT_ID,
        `${ACCOUNT_ID}/blobServices/default`,
        VAULT_ID,
        WORKSPACE_ID,
        `${RG}/providers/Microsoft.App/managedEnvironments/brewery-dev-ingestion`,
        `${RG}/providers/Microsoft.EventHub/namespaces/brewery-dev-cdc`,
      ]
        .map((id) => [id, LOGS_ID])
        .sort(),
    );
    expect(named(plan, "brewery-monitoring-diag-databricks").inputs.logs).toContainEqual({
      category: "jobs",
      enabled: true,
    });
  });

  it("alerts the spec's e-mails through one action group on failed job runs and failed API pulls", () => {
    const group = named(plan, "brewery-monitoring-action-group").inputs;
    expect((group.emailReceivers as { emailAddress: string }[]).map((r) => r.emailAddress)).toEqual(EMAILS);
    const alerts = ofType(plan, "azure-native:monitor:ScheduledQueryRule");
    expect(alerts.map((a) => a.name).sort()).toEqual([
      "brewery-monitoring-api-pull-failed",
      "brewery-monitoring-cdc-failed",
      "brewery-monitoring-cdc-records-failed",
      "brewery-monitoring-job-failed",
    ]);
    for (const alert of alerts) {
      expect(alert.inputs).toMatchObject({
        enabled: true,
        scopes: [LOGS_ID],
        actions: { actionGroups: [outputs.actionGroupId] },
      });
    }
    expect(JSON.stringify(named(plan, "brewery-monitoring-job-failed").inputs.criteria)).toContain(
      "runFailed",
    );
  });

  it("tags every taggable Azure resource with project, environment, layer and managed-by", () => {
    const taggable = plan.resources.filter(
      (r) => r.custom && r.type.startsWith("azure-native:") && "tags" in r.inputs,
    );
    expect(taggable).toHaveLength(29);
    for (const r of taggable) {
      expect(Object.keys(r.inputs.tags as object).sort()).toEqual([
        "environment",
        "layer",
        "managed-by",
        "project",
      ]);
    }
  });

  it("does not protect dev data", () => {
    expect(plan.resources.filter((r) => r.protect || r.retainOnDelete)).toEqual([]);
  });

  it("exports each layer's abfss location and Unity Catalog schema, the workspace URL and the job", () => {
    expect(outputs).toMatchObject({
      cloud: "azure",
      layers: {
        raw: {
          location: "abfss://raw@brewerydevlake.dfs.core.windows.net/",
          catalogNamespace: "brewery_dev.raw",
        },
        gold: {
          location: "abfss://gold@brewerydevlake.dfs.core.windows.net/",
          catalogNamespace: "brewery_dev.gold",
        },
      },
      secretUris: { "brewery-api": "https://brewery-dev-kv.vault.azure.net/secrets/brewery-api" },
      workspaceUrl: expect.stringMatching(/^https:\/\/adb-/),
      goldConsumerGroup: "brewery-dev-gold-readers",
    });
  });
});

describe("a protected Azure environment", () => {
  it("turns purge protection on and protects and retains the data stores", async () => {
    const { readStackConfig } = await import("../infra/preview/stack-file");
    const { ROOT } = await import("./helpers");
    const lakehouse = JSON.parse(readStackConfig(ROOT, "azure-dev").config["medallion:lakehouse"]) as object;
    const { plan } = await preview("azure-dev", {
      overrides: { "medallion:lakehouse": JSON.stringify({ ...lakehouse, protect: true }) },
    });
    expect(named(plan, "brewery-secrets", "azure-native:keyvault:Vault").inputs.properties).toMatchObject({
      enablePurgeProtection: true,
    });
    const kept = plan.resources
      .filter((r) => r.protect && r.retainOnDelete)
      .map((r) => r.name)
      .sort();
    expect(kept).toEqual(
      [
        "brewery-lake",
        "brewery-secrets",
        "brewery-secrets-brewery-api",
        "brewery-secrets-hash-key",
        "brewery-databricks",
        "brewery-catalog-catalog",
        "brewery-catalog-container",
        ...LAYERS.flatMap((l) => [`brewery-${l}`, `brewery-${l}-schema`]),
      ].sort(),
    );
  });
});
