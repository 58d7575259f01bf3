import { ResourceGroup } from "@pulumi/azure-native/resources/resourceGroup";
import { Provider as DatabricksProvider } from "@pulumi/databricks/provider";
import { Schema } from "@pulumi/databricks/schema";
import { Grants } from "@pulumi/databricks/grants";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { Lakehouse, LakehouseArgs } from "../contracts";
import { azureResourceName, LAYERS, storageAccountName, unityCatalogName, type LayerName } from "../naming";
import { standardTags } from "../aws/tags";
import { azureContext, type AzureContext } from "./context";
import { AzureApiIngestion } from "./api-ingestion";
import { AzureDatabricksWorkspace } from "./databricks-workspace";
import { AzureIngestionNetwork } from "./ingestion-network";
import { AzureLakehouseJob } from "./lakehouse-job";
import { AzureMedallionLayer } from "./medallion-layer";
import { AzureMonitoring } from "./monitoring";
import { UC_PRIVILEGES } from "./perms";
import { runnerScriptPath } from "../../functions/transform";
import { jobPlanFiles } from "./plans";
import type { AzurePrincipal } from "./principal";
import { AzureSecretStore } from "./secret-store";
import { AzureStorageAccount } from "./storage-account";
import { AzureUnityCatalog } from "./unity-catalog";
import { assignRole } from "./role-assignment";

export interface AzureLakehouseArgs extends LakehouseArgs {
  /** Azure region of every resource (`azure-native:location`). */
  readonly location: string;
  /**
   * Object ID of the AzureDatabricks first-party application's service principal in this tenant, which
   * reads Key Vault secrets for the backed secret scope (see `AZURE_DATABRICKS_APP_ID`).
   */
  readonly azureDatabricksObjectId: pulumi.Input<string>;
  /** Databricks account ID: the gold-only consumer group is an account-level group (Unity Catalog grants need one). */
  readonly databricksAccountId: pulumi.Input<string>;
  /** Local path of the Spark runner the job tasks execute. @default the package's own spark_runner.py */
  readonly runnerPath?: string;
  /** Tag of the api-pull image the ingestion job runs. @default "latest" */
  readonly ingestionImageTag?: string;
  /** Tenant and subscription; looked up through the provider when omitted. */
  readonly context?: AzureContext;
}

/**
 * The whole lakehouse on Azure + Databricks, from the same spec as `AwsLakehouse`: a resource group, the
 * hardened ADLS Gen2 account with one container per layer, Unity Catalog (credential, catalog, a schema
 * and external location per layer, grants with a gold-only consumer group), the Key Vault secret store
 * with a backed scope, Log Analytics with diagnostic settings and an action group, and the medallion
 * job. Pass an explicit azure-native provider through `opts.providers` or `opts.provider`.
 */
export class AzureLakehouse extends pulumi.ComponentResource implements Lakehouse<AzurePrincipal> {
  readonly resourceGroup: ResourceGroup;
  readonly storage: AzureStorageAccount;
  readonly databricks: AzureDatabricksWorkspace;
  readonly catalog: AzureUnityCatalog;
  readonly layers: Readonly<Record<LayerName, AzureMedallionLayer>>;
  readonly secrets: AzureSecretStore;
  readonly monitoring: AzureMonitoring;
  readonly job: AzureLakehouseJob;
  /** The scheduled API pulls into raw, when the spec has API sources. */
  readonly ingestion?: AzureApiIngestion;

  constructor(name: string, args: AzureLakehouseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:azure:Lakehouse", name, {}, opts);
    const { spec, environment, location } = args;
    const product = spec.name;
    const protect = spec.protect;
    const context = args.context ?? azureContext(this);
    // Found from the package's location (functions/transform's __dirname), recorded relative to the program.
    const runnerPath =
      args.runnerPath ?? (path.relative(process.cwd(), runnerScriptPath()) || runnerScriptPath());
    const tagsFor = (layer: string) => standardTags({ project: product, environment, layer });
    const accountName = storageAccountName([product, environment, "lake"]);
    const catalogName = unityCatalogName([product, environment]);
    const layerUri = (layer: string) => `abfss://${layer}@${accountName}.dfs.core.windows.net/`;

    this.resourceGroup = new ResourceGroup(
      `${name}-rg`,
      {
        resourceGroupName: azureResourceName([product, environment, "lakehouse"], 90),
        location,
        tags: tagsFor("lakehouse"),
      },
      { parent: this, protect },
    );
    const resourceGroupName = this.resourceGroup.name;
    this.monitoring = new AzureMonitoring(
      `${name}-monitoring`,
      {
        product,
        environment,
        resourceGroupName,
        location,
        emails: spec.alerts.emails,
        webhooks: spec.alerts.webhooks,
        retentionDays: spec.retention.logDays,
        tags: tagsFor("alerts"),
      },
      { parent: this },
    );
    this.databricks = new AzureDatabricksWorkspace(
      `${name}-databricks`,
      {
        product,
        environment,
        resourceGroupName,
        location,
        subscriptionId: context.subscriptionId,
        protect,
        tags: tagsFor("compute"),
      },
      { parent: this },
    );
    const apiTables = spec.tables.filter((t) => t.source.kind === "api");
    const network =
      apiTables.length > 0
        ? new AzureIngestionNetwork(
            `${name}-ingestion-network`,
            {
              product,
              environment,
              resourceGroupName,
              location,
              subscriptionId: context.subscriptionId,
              tags: tagsFor("ingestion"),
            },
            { parent: this },
          )
        : undefined;
    const allowedSubnetIds = network ? [network.subnetId] : [];
    this.storage = new AzureStorageAccount(
      `${name}-lake`,
      {
        product,
        environment,
        resourceGroupName,
        location,
        tenantId: context.tenantId,
        allowedResourceIds: [this.databricks.accessConnectorId],
        allowedSubnetIds,
        retention: [
          {
            container: "raw",
            coolAfterDays: spec.retention.rawTransitionDays,
            deleteAfterDays: spec.retention.rawExpirationDays,
          },
        ],
        protect,
        tags: tagsFor("storage"),
      },
      { parent: this },
    );
    // Unity Catalog reaches every layer through the access connector's identity, on the account.
    const connector: AzurePrincipal = {
      name: "uc-connector",
      principalId: this.databricks.accessConnectorPrincipalId,
    };
    this.monitoring.diagnose("storage", this.storage.accountId, { logCategories: [] });
    this.monitoring.diagnose("blob", this.storage.blobServiceId);
    this.monitoring.diagnose("databricks", this.databricks.workspaceResourceId, {
      logCategories: ["jobs", "clusters", "accounts", "secrets", "unityCatalog", "workspace"],
      metrics: false,
    });

    const accountProvider = new DatabricksProvider(
      `${name}-databricks-account`,
      { host: "https://accounts.azuredatabricks.net", accountId: args.databricksAccountId },
      { parent: this },
    );
    this.catalog = new AzureUnityCatalog(
      `${name}-catalog`,
      {
        product,
        environment,
        provider: this.databricks.provider,
        accountProvider,
        accessConnectorId: this.databricks.accessConnectorId,
        workspaceId: this.databricks.workspace.workspaceId,
        storage: this.storage,
        resourceGroupName,
        protect,
      },
      { parent: this, dependsOn: [this.storageRole(name, connector, context)] },
    );
    const jobPrincipal = this.catalog.jobPrincipalName;
    const layers = {} as Record<LayerName, AzureMedallionLayer>;
    for (const layer of LAYERS) {
      layers[layer] = new AzureMedallionLayer(
        `${name}-${layer}`,
        {
          layer,
          storage: this.storage,
          resourceGroupName,
          subscriptionId: context.subscriptionId,
          databricks: {
            provider: this.databricks.provider,
            catalogName: this.catalog.catalogName,
            storageCredentialName: this.catalog.storageCredentialName,
            managedTables: layer !== "raw",
          },
          // The job reads raw files and writes the three table layers; the consumer group reads gold only.
          access:
            layer === "raw"
              ? { fileReaders: [jobPrincipal] }
              : {
                  writers: [jobPrincipal],
                  readers: layer === "gold" ? [this.catalog.consumerGroupName] : [],
                },
          protect,
        },
        { parent: this },
      );
    }
    this.layers = layers;
    const quarantine = new Schema(
      `${name}-quarantine-schema`,
      {
        catalogName: this.catalog.catalogName,
        name: "quarantine",
        comment: "rows that failed a quality rule, with the reason",
        storageRoot: `${layerUri("silver")}quarantine/`,
        forceDestroy: false,
      },
      { parent: this, provider: this.databricks.provider, dependsOn: [layers.silver.externalLocation] },
    );
    new Grants(
      `${name}-quarantine-grants`,
      {
        schema: pulumi.interpolate`${this.catalog.catalogName}.${quarantine.name}`,
        grants: [{ principal: jobPrincipal, privileges: [...UC_PRIVILEGES.writeSchema] }],
      },
      { parent: this, provider: this.databricks.provider },
    );

    this.secrets = new AzureSecretStore(
      `${name}-secrets`,
      {
        product,
        environment,
        resourceGroupName,
        location,
        tenantId: context.tenantId,
        subscriptionId: context.subscriptionId,
        secrets: spec.secrets,
        values: args.secretValues,
        purgeProtection: protect,
        allowedSubnetIds,
        databricksScope: {
          provider: this.databricks.provider,
          azureDatabricksObjectId: args.azureDatabricksObjectId,
        },
        protect,
        tags: tagsFor("secrets"),
      },
      { parent: this },
    );
    this.monitoring.diagnose("key-vault", this.secrets.vaultId, { logCategories: ["audit"] });
    if (network) {
      this.ingestion = new AzureApiIngestion(
        `${name}-ingestion`,
        {
          product,
          environment,
          resourceGroupName,
          location,
          subscriptionId: context.subscriptionId,
          tables: apiTables,
          schedules: { hourly: spec.schedules.ingestion, daily: spec.schedules.daily },
          raw: layers.raw,
          storage: this.storage,
          secrets: this.secrets,
          network,
          monitoring: this.monitoring,
          ...(args.ingestionImageTag ? { imageTag: args.ingestionImageTag } : {}),
          tags: tagsFor("ingestion"),
        },
        { parent: this },
      );
    }

    const plans = jobPlanFiles(spec, {
      namespaces: {
        bronze: `${catalogName}.bronze`,
        silver: `${catalogName}.silver`,
        gold: `${catalogName}.gold`,
        quarantine: `${catalogName}.quarantine`,
      },
      rawRoot: layerUri("raw"),
      checkpointRoot: `${layerUri("bronze")}_checkpoints/`,
    });
    this.job = new AzureLakehouseJob(
      `${name}-job`,
      {
        product,
        environment,
        provider: this.databricks.provider,
        settings: spec.databricks,
        schedule: spec.schedules.bronzeToSilver,
        rawLocation: layers.raw.location,
        emails: spec.alerts.emails,
        webhooks: spec.alerts.webhooks,
        runAs: jobPrincipal,
        runnerPath,
        plans,
        tags: tagsFor("jobs"),
      },
      { parent: this, dependsOn: [quarantine, ...Object.values(layers)] },
    );
    this.registerOutputs({});
  }

  /** The access connector's Storage Blob Data Contributor on the account (Unity Catalog's only path in). */
  private storageRole(name: string, connector: AzurePrincipal, context: AzureContext): pulumi.Resource {
    return assignRole(
      `${name}-lake-contributor-uc-connector`,
      {
        scope: this.storage.accountId,
        role: "storageBlobDataContributor",
        principal: connector,
        subscriptionId: context.subscriptionId,
        description: "Unity Catalog reads and writes every layer through the access connector",
      },
      { parent: this },
    );
  }
}
