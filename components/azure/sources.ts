import * as pulumi from "@pulumi/pulumi";
import type { LakehouseSpec } from "../spec";
import { ConfigError } from "../spec/errors";
import { AzureEventHubsCdc } from "./event-hubs-cdc";
import type { AzureJobPlatform } from "./job-platform";
import type { AzureMedallionLayer } from "./medallion-layer";
import type { AzureMonitoring } from "./monitoring";
import type { AzurePrincipal } from "./principal";
import { AzureServiceBusEvents } from "./service-bus-events";
import type { AzureSourcesConfig } from "./sources-config";
import type { AzureStorageAccount } from "./storage-account";
import type { Provider as DatabricksProvider } from "@pulumi/databricks/provider";
import type { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";

/** The source kinds written from outside the stack (everything but API pulls, which the stack runs itself). */
export const WRITTEN_KINDS = ["batch", "cdc", "event"] as const;

/**
 * The writers' configuration a spec needs: required (with the field named) as soon as one table is written
 * from outside, because with shared keys off and the firewall on nobody could write it otherwise.
 */
export function requireSourcesConfig(
  component: string,
  spec: LakehouseSpec,
  sources: AzureSourcesConfig | undefined,
): void {
  const written = spec.tables.filter((t) => (WRITTEN_KINDS as readonly string[]).includes(t.source.kind));
  if (written.length > 0 && !sources) {
    throw new ConfigError(component, [
      {
        path: "medallion:azureSources",
        message: `is required when tables are written from outside (${written.map((t) => t.name).join(", ")}): the writers' Entra group and networks`,
      },
    ]);
  }
}

export interface AzureSourceIngestionArgs {
  readonly product: string;
  readonly environment: string;
  readonly spec: LakehouseSpec;
  readonly sources: AzureSourcesConfig;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  readonly raw: AzureMedallionLayer;
  readonly storage: AzureStorageAccount;
  readonly monitoring: AzureMonitoring;
  /** Needed with cdc or event tables (their consumers are Container Apps jobs). */
  readonly platform?: AzureJobPlatform;
  readonly ingestionSubnetId?: pulumi.Input<string>;
  readonly databricks: {
    readonly provider: DatabricksProvider;
    readonly workspaceUrl: pulumi.Input<string>;
    readonly jobId: pulumi.Input<string>;
  };
  readonly tagsFor: (layer: string) => Readonly<Record<string, string>>;
}

/**
 * Every externally written source kind of the spec on Azure, each through an authenticated path that works
 * with shared keys off and the firewall on: batch drops as blobs the writers' group uploads with its Entra
 * identity (Storage Blob Data Contributor on the raw container, narrowed by an ABAC condition to the batch
 * tables' folders: a container is the narrowest scope an Azure role assignment takes,
 * learn.microsoft.com/azure/storage/blobs/assign-azure-role-data-access#determine-resource-scope), CDC
 * through Event Hubs, event messages through Service Bus.
 */
export class AzureSourceIngestion extends pulumi.ComponentResource {
  readonly writers: AzurePrincipal;
  readonly landingGrants: readonly RoleAssignment[];
  readonly cdc?: AzureEventHubsCdc;
  readonly events?: AzureServiceBusEvents;

  constructor(name: string, args: AzureSourceIngestionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:azure:SourceIngestion", name, {}, opts);
    const common = {
      product: args.product,
      environment: args.environment,
      resourceGroupName: args.resourceGroupName,
      location: args.location,
      subscriptionId: args.subscriptionId,
      monitoring: args.monitoring,
    };
    this.writers = { name: "writers", principalId: args.sources.writerGroupObjectId, principalType: "Group" };
    const of = (kind: string) => args.spec.tables.filter((t) => t.source.kind === kind);
    this.landingGrants = of("batch").map((table) =>
      args.raw.grantWrite(this.writers, { prefix: table.name }),
    );
    const needsJobs = of("cdc").length + of("event").length > 0;
    if (needsJobs && (!args.platform || !args.ingestionSubnetId))
      throw new Error(`AzureSourceIngestion ${name}: cdc and event tables need the job platform and subnet`);
    if (of("cdc").length > 0 && args.platform && args.ingestionSubnetId) {
      this.cdc = new AzureEventHubsCdc(
        `${name}-cdc`,
        {
          ...common,
          tables: of("cdc"),
          raw: args.raw,
          storage: args.storage,
          platform: args.platform,
          writers: this.writers,
          allowedIpRanges: args.sources.allowedIpRanges,
          allowedSubnetIds: args.sources.allowedSubnetIds,
          ingestionSubnetId: args.ingestionSubnetId,
          tags: args.tagsFor("ingestion"),
        },
        { parent: this },
      );
    }
    if (of("event").length > 0 && args.platform) {
      this.events = new AzureServiceBusEvents(
        `${name}-events`,
        {
          ...common,
          tables: of("event"),
          platform: args.platform,
          writers: this.writers,
          databricks: args.databricks,
          tags: args.tagsFor("ingestion"),
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}
