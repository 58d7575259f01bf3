import { ManagedEnvironment } from "@pulumi/azure-native/app/managedEnvironment";
import { Registry } from "@pulumi/azure-native/containerregistry/registry";
import * as pulumi from "@pulumi/pulumi";
import { azureResourceName, storageAccountName } from "../naming";
import type { AzureIngestionNetwork } from "./ingestion-network";
import type { AzureMonitoring } from "./monitoring";

export interface AzureJobPlatformArgs {
  readonly product: string;
  readonly environment: string;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly network: AzureIngestionNetwork;
  readonly monitoring: AzureMonitoring;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * What every Container Apps job of the stack shares (API pulls, the CDC consumer, the event trigger): one
 * registry without an admin user or anonymous pull, and one internal managed environment in the ingestion
 * subnet, so the storage, vault and Event Hubs firewalls admit the jobs by subnet.
 */
export class AzureJobPlatform extends pulumi.ComponentResource {
  readonly registry: Registry;
  readonly environment: ManagedEnvironment;

  constructor(name: string, args: AzureJobPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:azure:JobPlatform", name, {}, opts);
    // Before issue 14 the API ingestion component owned both (same logical names): keep their state.
    const formerParent = pulumi.createUrn(name, "medallion:azure:ApiIngestion", opts?.parent);
    const moved = { parent: this, aliases: [{ parent: formerParent }] };
    const common = {
      resourceGroupName: args.resourceGroupName,
      location: args.location,
      tags: { ...args.tags },
    };
    this.registry = new Registry(
      `${name}-registry`,
      {
        registryName: storageAccountName([args.product, args.environment, "images"]),
        sku: { name: "Standard" },
        adminUserEnabled: false,
        anonymousPullEnabled: false,
        ...common,
      },
      moved,
    );
    this.environment = new ManagedEnvironment(
      `${name}-environment`,
      {
        environmentName: azureResourceName([args.product, args.environment, "ingestion"]),
        vnetConfiguration: { infrastructureSubnetId: args.network.subnetId, internal: true },
        workloadProfiles: [{ name: "Consumption", workloadProfileType: "Consumption" }],
        appLogsConfiguration: { destination: "azure-monitor" },
        publicNetworkAccess: "Disabled",
        zoneRedundant: false,
        ...common,
      },
      { ...moved, dependsOn: [args.network] },
    );
    args.monitoring.diagnose("ingestion", this.environment.id, "microsoft.app/managedenvironments", {
      metrics: false,
    });
    this.registerOutputs({ registryId: this.registry.id, environmentId: this.environment.id });
  }
}
