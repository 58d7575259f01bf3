import { BlobContainer } from "@pulumi/azure-native/storage/blobContainer";
import { Catalog } from "@pulumi/databricks/catalog";
import { ExternalLocation } from "@pulumi/databricks/externalLocation";
import { Grants } from "@pulumi/databricks/grants";
import { Group } from "@pulumi/databricks/group";
import { MwsPermissionAssignment } from "@pulumi/databricks/mwsPermissionAssignment";
import type { Provider } from "@pulumi/databricks/provider";
import { ServicePrincipal } from "@pulumi/databricks/servicePrincipal";
import { StorageCredential } from "@pulumi/databricks/storageCredential";
import * as pulumi from "@pulumi/pulumi";
import { unityCatalogName } from "../naming";
import { UC_PRIVILEGES } from "./perms";

export interface AzureUnityCatalogArgs {
  readonly product: string;
  readonly environment: string;
  /** The workspace's Databricks provider (catalog, credential, service principal). */
  readonly provider: Provider;
  /** An account-level Databricks provider: Unity Catalog grants need account-level groups. */
  readonly accountProvider: Provider;
  /** The workspace's numeric ID (the consumer group is assigned to it as a user). */
  readonly workspaceId: pulumi.Input<string>;
  /** ARM ID of the access connector whose identity reaches the storage account. */
  readonly accessConnectorId: pulumi.Input<string>;
  /** The hardened account; the catalog's own managed storage is a `catalog` container in it. */
  readonly storage: { readonly accountName: pulumi.Input<string> };
  readonly resourceGroupName: pulumi.Input<string>;
  /** Keep the catalog on `pulumi destroy`. @default false */
  readonly protect?: boolean;
  /**
   * What the storage credential waits for: Unity Catalog validates it against storage on create, so the
   * connector's role must exist and have propagated. @default nothing
   */
  readonly credentialDependsOn?: pulumi.Input<pulumi.Input<pulumi.Resource>[]>;
}

/**
 * The environment's Unity Catalog objects that are not per layer: the storage credential on the access
 * connector, the catalog, the service principal the job runs as, the gold-only consumer group (the
 * counterpart of the AWS consumer role), and the catalog's grants (one Grants resource per securable,
 * so Databricks and Pulumi never fight over the same privilege list).
 */
export class AzureUnityCatalog extends pulumi.ComponentResource {
  readonly storageCredential: StorageCredential;
  /** Managed storage of the catalog itself (tables created outside the layer schemas). */
  readonly catalogContainer: BlobContainer;
  readonly catalogLocation: ExternalLocation;
  readonly catalog: Catalog;
  readonly jobPrincipal: ServicePrincipal;
  readonly consumerGroup: Group;
  readonly catalogGrants: Grants;
  readonly catalogName: pulumi.Output<string>;
  readonly storageCredentialName: pulumi.Output<string>;
  /** Application ID of the job's service principal (what `run_as` and grants name). */
  readonly jobPrincipalName: pulumi.Output<string>;
  /** Display name of the gold-only consumer group. */
  readonly consumerGroupName: pulumi.Output<string>;

  constructor(name: string, args: AzureUnityCatalogArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:azure:UnityCatalog", name, {}, opts);
    const protect = args.protect ?? false;
    const baseName = unityCatalogName([args.product, args.environment]);
    const workspace = { parent: this, provider: args.provider };

    this.storageCredential = new StorageCredential(
      `${name}-credential`,
      {
        name: `${baseName}_lake`,
        comment: `Access connector identity for the ${args.product} (${args.environment}) lakehouse storage`,
        azureManagedIdentity: { accessConnectorId: args.accessConnectorId },
        isolationMode: "ISOLATION_MODE_ISOLATED",
      },
      { ...workspace, ...(args.credentialDependsOn ? { dependsOn: args.credentialDependsOn } : {}) },
    );
    // A catalog's managed location must lie in an external location that exists first; the layers'
    // locations are created with their schemas, which need the catalog, so the catalog gets its own.
    this.catalogContainer = new BlobContainer(
      `${name}-container`,
      {
        accountName: args.storage.accountName,
        resourceGroupName: args.resourceGroupName,
        containerName: "catalog",
        publicAccess: "None",
      },
      { parent: this, protect, retainOnDelete: protect },
    );
    const catalogRoot = pulumi.interpolate`abfss://${this.catalogContainer.name}@${args.storage.accountName}.dfs.core.windows.net/`;
    this.catalogLocation = new ExternalLocation(
      `${name}-external-location`,
      {
        name: `${baseName}_catalog`,
        url: catalogRoot,
        credentialName: this.storageCredential.name,
        comment: "managed storage of the catalog",
        isolationMode: "ISOLATION_MODE_ISOLATED",
        forceDestroy: false,
      },
      workspace,
    );
    this.catalog = new Catalog(
      `${name}-catalog`,
      {
        name: baseName,
        comment: `${args.product} lakehouse (${args.environment})`,
        storageRoot: catalogRoot,
        isolationMode: "ISOLATED",
        forceDestroy: false,
      },
      { ...workspace, dependsOn: [this.catalogLocation], protect, retainOnDelete: protect },
    );
    this.jobPrincipal = new ServicePrincipal(
      `${name}-job-principal`,
      {
        displayName: `${args.product}-${args.environment}-lakehouse-jobs`,
        allowClusterCreate: false,
        workspaceAccess: true,
      },
      workspace,
    );
    this.consumerGroup = new Group(
      `${name}-gold-readers`,
      { displayName: `${args.product}-${args.environment}-gold-readers` },
      { parent: this, provider: args.accountProvider },
    );
    // Account groups reach a workspace only through an assignment; USER, never ADMIN.
    new MwsPermissionAssignment(
      `${name}-gold-readers-workspace`,
      { workspaceId: args.workspaceId, principalId: this.consumerGroup.id, permissions: ["USER"] },
      { parent: this, provider: args.accountProvider },
    );
    this.jobPrincipalName = this.jobPrincipal.applicationId;
    this.consumerGroupName = this.consumerGroup.displayName;
    this.catalogGrants = new Grants(
      `${name}-catalog-grants`,
      {
        catalog: this.catalog.name,
        grants: [
          { principal: this.jobPrincipalName, privileges: [...UC_PRIVILEGES.useCatalog] },
          { principal: this.consumerGroupName, privileges: [...UC_PRIVILEGES.useCatalog] },
        ],
      },
      workspace,
    );
    this.catalogName = this.catalog.name;
    this.storageCredentialName = this.storageCredential.name;
    this.registerOutputs({ catalogName: this.catalogName, consumerGroupName: this.consumerGroupName });
  }
}
