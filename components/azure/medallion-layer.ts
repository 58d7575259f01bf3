import { BlobContainer } from "@pulumi/azure-native/storage/blobContainer";
import type { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";
import { ExternalLocation } from "@pulumi/databricks/externalLocation";
import { Grants } from "@pulumi/databricks/grants";
import type { Provider } from "@pulumi/databricks/provider";
import { Schema } from "@pulumi/databricks/schema";
import * as pulumi from "@pulumi/pulumi";
import type { GrantOptions, MedallionLayer } from "../contracts";
import type { LayerName } from "../naming";
import { UC_PRIVILEGES } from "./perms";
import type { AzurePrincipal } from "./principal";
import { assignRole } from "./role-assignment";
import type { AzureStorageAccount } from "./storage-account";

/** Who may use the layer through Unity Catalog (principal names: application IDs or group names). */
export interface LayerCatalogAccess {
  /** May read the layer's tables. @default none */
  readonly readers?: readonly pulumi.Input<string>[];
  /** May create and write the layer's tables and files. @default none */
  readonly writers?: readonly pulumi.Input<string>[];
  /** May read the layer's files directly (Auto Loader on raw), without table access. @default none */
  readonly fileReaders?: readonly pulumi.Input<string>[];
}

export interface AzureMedallionLayerArgs {
  readonly layer: LayerName;
  /** The hardened account the layer's container lives in. */
  readonly storage: AzureStorageAccount;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  /** Unity Catalog: the workspace provider, the catalog and the storage credential. */
  readonly databricks: {
    readonly provider: Provider;
    readonly catalogName: pulumi.Input<string>;
    readonly storageCredentialName: pulumi.Input<string>;
    /** Whether tables live here (bronze, silver, gold); raw holds files only. @default true */
    readonly managedTables?: boolean;
  };
  /** Unity Catalog grants on the layer's schema and external location. @default none */
  readonly access?: LayerCatalogAccess;
  /** Keep the container and schema on `pulumi destroy`. @default false */
  readonly protect?: boolean;
}

/**
 * One medallion layer on Azure: a private container in the hardened ADLS Gen2 account, a Unity Catalog
 * external location over it and a schema holding its tables (managed Delta under the container), the
 * schema's and location's grants (one Grants resource each), and intent methods that assign
 * Storage Blob Data roles scoped to the container.
 */
export class AzureMedallionLayer extends pulumi.ComponentResource implements MedallionLayer<AzurePrincipal> {
  readonly layer: LayerName;
  readonly container: BlobContainer;
  readonly externalLocation: ExternalLocation;
  readonly schema: Schema;
  readonly location: pulumi.Output<string>;
  readonly catalogNamespace: pulumi.Output<string>;
  readonly encryptionKeyId: pulumi.Output<string>;
  readonly containerId: pulumi.Output<string>;

  private readonly logicalName: string;
  private readonly subscriptionId: pulumi.Input<string>;

  constructor(name: string, args: AzureMedallionLayerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:azure:MedallionLayer", name, {}, opts);
    const protect = args.protect ?? false;
    const managedTables = args.databricks.managedTables ?? true;
    const readers = args.access?.readers ?? [];
    const writers = args.access?.writers ?? [];
    const fileReaders = args.access?.fileReaders ?? [];
    const uc = { parent: this, provider: args.databricks.provider };
    this.layer = args.layer;
    this.logicalName = name;
    this.subscriptionId = args.subscriptionId;

    this.container = new BlobContainer(
      name,
      {
        accountName: args.storage.accountName,
        resourceGroupName: args.resourceGroupName,
        containerName: args.layer,
        publicAccess: "None",
      },
      { parent: this, protect, retainOnDelete: protect },
    );
    this.location = pulumi.interpolate`abfss://${this.container.name}@${args.storage.accountName}.dfs.core.windows.net/`;
    this.externalLocation = new ExternalLocation(
      `${name}-external-location`,
      {
        name: pulumi.interpolate`${args.databricks.catalogName}_${args.layer}`,
        url: this.location,
        credentialName: args.databricks.storageCredentialName,
        comment: `${args.layer} layer container`,
        isolationMode: "ISOLATION_MODE_ISOLATED",
        forceDestroy: false,
      },
      uc,
    );
    this.schema = new Schema(
      `${name}-schema`,
      {
        catalogName: args.databricks.catalogName,
        name: args.layer,
        comment: `${args.layer} layer`,
        ...(managedTables ? { storageRoot: pulumi.interpolate`${this.location}tables/` } : {}),
        forceDestroy: false,
      },
      { ...uc, dependsOn: [this.externalLocation], protect, retainOnDelete: protect },
    );
    if (readers.length + writers.length > 0) {
      new Grants(
        `${name}-schema-grants`,
        {
          schema: pulumi.interpolate`${args.databricks.catalogName}.${this.schema.name}`,
          grants: [
            ...writers.map((principal) => ({ principal, privileges: [...UC_PRIVILEGES.writeSchema] })),
            ...readers.map((principal) => ({ principal, privileges: [...UC_PRIVILEGES.readSchema] })),
          ],
        },
        uc,
      );
    }
    if (writers.length + fileReaders.length > 0) {
      new Grants(
        `${name}-location-grants`,
        {
          externalLocation: this.externalLocation.name,
          grants: [
            ...writers.map((principal) => ({ principal, privileges: [...UC_PRIVILEGES.writeFiles] })),
            ...fileReaders.map((principal) => ({ principal, privileges: [...UC_PRIVILEGES.readFiles] })),
          ],
        },
        uc,
      );
    }
    this.catalogNamespace = pulumi.interpolate`${args.databricks.catalogName}.${this.schema.name}`;
    // Microsoft-managed keys under infrastructure (double) encryption: the account's key source.
    this.encryptionKeyId = pulumi.interpolate`${args.storage.accountId}/encryption/Microsoft.Storage`;
    this.containerId = this.container.id;
    this.registerOutputs({
      location: this.location,
      catalogNamespace: this.catalogNamespace,
      encryptionKeyId: this.encryptionKeyId,
    });
  }

  /** Assigns Storage Blob Data Reader on this layer's container, nothing wider. */
  grantRead(principal: AzurePrincipal, options?: GrantOptions): RoleAssignment {
    return this.grant("read", principal, options);
  }

  /** Assigns Storage Blob Data Contributor on this layer's container, nothing wider. */
  grantWrite(principal: AzurePrincipal, options?: GrantOptions): RoleAssignment {
    return this.grant("write", principal, options);
  }

  private grant(access: "read" | "write", principal: AzurePrincipal, options?: GrantOptions): RoleAssignment {
    const prefix = (options?.prefix ?? "").replace(/^\/+|\/+$/g, "");
    if (/[*?]/.test(prefix)) throw new Error(`grant prefix "${prefix}" must not contain wildcards (* or ?)`);
    const suffix = prefix ? `-${prefix.replace(/[^A-Za-z0-9]+/g, "-")}` : "";
    return assignRole(
      `${this.logicalName}-${access}-${principal.name}${suffix}`,
      {
        scope: this.container.id,
        role: access === "read" ? "storageBlobDataReader" : "storageBlobDataContributor",
        principal,
        subscriptionId: this.subscriptionId,
        description: `${access} on the ${this.layer} layer${prefix ? ` under ${prefix}/` : ""}`,
        // A prefix narrows the container-scoped role with an ABAC condition on the blob path.
        ...(prefix ? { condition: prefixCondition(access, this.layer, prefix) } : {}),
      },
      { parent: this },
    );
  }
}

/** An ABAC condition limiting blob data actions to paths under `prefix/` in the container. */
export function prefixCondition(access: "read" | "write", container: string, prefix: string): string {
  const actions =
    access === "read"
      ? ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"]
      : [
          "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
          "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
          "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action",
          "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
        ];
  const notActions = actions.map((a) => `!(ActionMatches{'${a}'})`).join(" AND ");
  return `((${notActions}) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals '${container}' AND @Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringStartsWith '${prefix}/'))`;
}
