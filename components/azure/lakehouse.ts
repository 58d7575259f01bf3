import type { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";
import { ResourceGroup } from "@pulumi/azure-native/resources/resourceGroup";
import { MetastoreAssignment } from "@pulumi/databricks/metastoreAssignment";
import { Provider as DatabricksProvider } from "@pulumi/databricks/provider";
import { Schema } from "@pulumi/databricks/schema";
import { Grants } from "@pulumi/databricks/grants";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { capabilityProblems } from "../capabilities";
import type { Lakehouse, LakehouseArgs } from "../contracts";
import { ConfigError } from "../spec/errors";
import { azureResourceName, LAYERS, storageAccountName, unityCatalogName, type LayerName } from "../naming";
import { standardTags } from "../aws/tags";
import { azureContext, type AzureContext } from "./context";
import { AzureApiIngestion, isPulledTable } from "./api-ingestion";
import { AzureDatabricksNetwork } from "./databricks-network";
import { AzureDatabricksWorkspace } from "./databricks-workspace";
import { AzureIngestionNetwork } from "./ingestion-network";
import { AzureJobPlatform } from "./job-platform";
import { AzureSourceIngestion, requireSourcesConfig } from "./sources";
import type { AzureSourcesConfig } from "./sources-config";
import type { AzureLakehouseJob } from "./lakehouse-job";
import { AzureMedallionLayer } from "./medallion-layer";
import { AzureMonitoring } from "./monitoring";
import { addAzureObservability, type AzureObservability } from "./observability";
import { UC_PRIVILEGES } from "./perms";
import { runnerScriptPath } from "../../functions/transform";
import { medallionJobs } from "./lakehouse-jobs";
import type { AzurePrincipal } from "./principal";
import { AzureSecretStore } from "./secret-store";
import { AzureStorageAccount } from "./storage-account";
import { AzureUnityCatalog } from "./unity-catalog";
import { afterPropagation, assignRole } from "./role-assignment";

/** Name of the generated per-environment HMAC key of `hash` masks, in Key Vault and the secret scope. */
export const HASH_KEY_SECRET = "hash-key";

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
  /**
   * Unity Catalog metastore to assign the workspace to (`medallion:databricksMetastoreId`). Without it the
   * workspace must already have one (automatic assignment, or an account admin). @default none
   */
  readonly metastoreId?: pulumi.Input<string>;
  /** Local path of the Spark runner the job tasks execute. @default the package's own spark_runner.py */
  readonly runnerPath?: string;
  /** Tag of the api-pull image the ingestion job runs. @default "latest" */
  readonly ingestionImageTag?: string;
  /**
   * Who writes batch files, CDC events and event messages, and from which networks
   * (`medallion:azureSources`); required when the spec has batch, cdc or event tables. @default none
   */
  readonly sources?: AzureSourcesConfig;
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
  /** The network the workspace is injected into (classic clusters reach the lake through its subnets). */
  readonly databricksNetwork: AzureDatabricksNetwork;
  readonly catalog: AzureUnityCatalog;
  readonly layers: Readonly<Record<LayerName, AzureMedallionLayer>>;
  readonly secrets: AzureSecretStore;
  readonly monitoring: AzureMonitoring;
  /** The consumption budget and the workbook. */
  readonly observability: AzureObservability;
  readonly job: AzureLakehouseJob;
  /** The gold job, on the spec's `schedules.silverToGold`. */
  readonly goldJob: AzureLakehouseJob;
  /** The metastore assignment, when `metastoreId` is given. */
  readonly metastoreAssignment?: MetastoreAssignment;
  /** The scheduled API pulls into raw, when the spec has API sources. */
  readonly ingestion?: AzureApiIngestion;
  /** Batch landing grants, the Event Hubs CDC path and the Service Bus event path, per the spec. */
  readonly sourceIngestion?: AzureSourceIngestion;

  constructor(name: string, args: AzureLakehouseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:azure:Lakehouse", name, {}, opts);
    const { spec, environment, location } = args;
    const unsupported = capabilityProblems(spec, "azure");
    if (unsupported.length > 0) throw new ConfigError(`AzureLakehouse ${name} spec`, unsupported);
    requireSourcesConfig(`AzureLakehouse ${name}`, spec, args.sources);
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
    this.databricksNetwork = new AzureDatabricksNetwork(
      `${name}-databricks-network`,
      { product, environment, resourceGroupName, location, tags: tagsFor("compute") },
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
        network: this.databricksNetwork,
        protect,
        tags: tagsFor("compute"),
      },
      { parent: this },
    );
    const apiTables = spec.tables.filter(isPulledTable);
    // API pulls, the CDC consumer and the event trigger are Container Apps jobs in the ingestion subnet.
    const network = spec.tables.some((t) => t.source.kind !== "batch")
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
    // Classic clusters in the injected subnets read and write the lake (issue 14 defect 8).
    const allowedSubnetIds = [
      ...(network ? [network.subnetId] : []),
      ...this.databricksNetwork.subnetIds,
      ...(args.sources?.allowedSubnetIds ?? []),
    ];
    const vaultSubnetIds = network ? [network.subnetId] : [];
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
        allowedIpRanges: args.sources?.allowedIpRanges ?? [],
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
    this.monitoring.diagnose("storage", this.storage.accountId, "microsoft.storage/storageaccounts");
    this.monitoring.diagnose(
      "blob",
      this.storage.blobServiceId,
      "microsoft.storage/storageaccounts/blobservices",
    );
    this.monitoring.diagnose(
      "databricks",
      this.databricks.workspaceResourceId,
      "microsoft.databricks/workspaces",
      {
        logCategories: ["jobs", "clusters", "accounts", "secrets", "unityCatalog", "workspace"],
        metrics: false,
      },
    );

    // Azure CLI auth (also in CI after azure/login): it sends the ARM management token with the Entra one,
    // so a deploying service principal that is not yet a workspace user is added as admin on first use
    // (docs.databricks.com/dev-tools/auth/azure-cli; OIDC-only auth sends no management token).
    const accountProvider = new DatabricksProvider(
      `${name}-databricks-account`,
      {
        host: "https://accounts.azuredatabricks.net",
        accountId: args.databricksAccountId,
        authType: "azure-cli",
      },
      { parent: this },
    );
    if (args.metastoreId) {
      this.metastoreAssignment = new MetastoreAssignment(
        `${name}-metastore`,
        { workspaceId: this.databricks.workspace.workspaceId, metastoreId: args.metastoreId },
        { parent: this, provider: accountProvider },
      );
    }
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
        // Unity Catalog validates the storage credential on create: wait until the connector's role works.
        credentialDependsOn: afterPropagation(
          [this.storageRole(name, connector, context)],
          this.metastoreAssignment ? [this.metastoreAssignment] : [],
        ),
      },
      { parent: this },
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
        generated: [
          { name: HASH_KEY_SECRET, description: "HMAC key of the hash masks (generated; never shown)" },
        ],
        values: args.secretValues,
        purgeProtection: protect,
        allowedSubnetIds: vaultSubnetIds,
        databricksScope: {
          provider: this.databricks.provider,
          azureDatabricksObjectId: args.azureDatabricksObjectId,
          readers: [jobPrincipal],
        },
        protect,
        tags: tagsFor("secrets"),
      },
      { parent: this },
    );
    this.monitoring.diagnose("key-vault", this.secrets.vaultId, "microsoft.keyvault/vaults", {
      logCategories: ["audit"],
    });
    const platform = network
      ? new AzureJobPlatform(
          `${name}-ingestion`,
          {
            product,
            environment,
            resourceGroupName,
            location,
            network,
            monitoring: this.monitoring,
            tags: tagsFor("ingestion"),
          },
          { parent: this },
        )
      : undefined;
    if (platform && apiTables.length > 0) {
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
          platform,
          monitoring: this.monitoring,
          ...(args.ingestionImageTag ? { imageTag: args.ingestionImageTag } : {}),
          tags: tagsFor("ingestion"),
        },
        { parent: this },
      );
    }

    const scopeName = this.secrets.scopeName;
    if (!scopeName) throw new Error(`AzureLakehouse ${name}: the secret store has no Databricks scope`);
    ({ job: this.job, goldJob: this.goldJob } = medallionJobs(this, name, {
      spec,
      environment,
      catalogName,
      layerUri,
      provider: this.databricks.provider,
      runAs: jobPrincipal,
      runnerPath,
      layers,
      // The runner reads the key through the Key Vault-backed scope (spark_runner.py resolve_secret).
      hashKeySecret: pulumi.interpolate`databricks:${scopeName}/${HASH_KEY_SECRET}`,
      waitFor: [quarantine, this.secrets],
      tags: tagsFor("jobs"),
    }));
    if (args.sources) {
      this.sourceIngestion = new AzureSourceIngestion(
        `${name}-sources`,
        {
          product,
          environment,
          spec,
          sources: args.sources,
          resourceGroupName,
          location,
          subscriptionId: context.subscriptionId,
          raw: layers.raw,
          storage: this.storage,
          monitoring: this.monitoring,
          ...(platform && network ? { platform, ingestionSubnetId: network.subnetId } : {}),
          databricks: {
            provider: this.databricks.provider,
            workspaceUrl: this.databricks.workspaceUrl,
            jobId: this.job.jobId,
          },
          tagsFor,
        },
        { parent: this },
      );
    }
    this.observability = addAzureObservability(this, name, {
      spec,
      environment,
      subscriptionId: context.subscriptionId,
      resourceGroupName,
      location,
      monitoring: this.monitoring,
      tags: tagsFor("observability"),
    });
    this.registerOutputs({});
  }

  /** The access connector's Storage Blob Data Contributor on the account (Unity Catalog's only path in). */
  private storageRole(name: string, connector: AzurePrincipal, context: AzureContext): RoleAssignment {
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
