import { VirtualNetwork } from "@pulumi/azure-native/network/virtualNetwork";
import * as pulumi from "@pulumi/pulumi";
import { azureResourceName } from "../naming";

export interface AzureIngestionNetworkArgs {
  readonly product: string;
  readonly environment: string;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  /** Address space of the network. @default "10.20.0.0/16" */
  readonly addressSpace?: string;
  /** The Container Apps subnet (at least /27). @default "10.20.0.0/23" */
  readonly subnetPrefix?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The network the ingestion job runs in: one subnet delegated to Container Apps with service endpoints
 * for Storage and Key Vault, so the storage account and the vault can keep a default-deny firewall and
 * let in this subnet by name (no public IP allow-lists, no account keys).
 */
export class AzureIngestionNetwork extends pulumi.ComponentResource {
  readonly network: VirtualNetwork;
  /** ARM ID of the Container Apps subnet (known before the network exists: it is built from names). */
  readonly subnetId: pulumi.Output<string>;

  constructor(
    name: string,
    args: AzureIngestionNetworkArgs & { readonly subscriptionId: pulumi.Input<string> },
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("medallion:azure:IngestionNetwork", name, {}, opts);
    const addressSpace = args.addressSpace ?? "10.20.0.0/16";
    const subnetPrefix = args.subnetPrefix ?? "10.20.0.0/23";
    const networkName = azureResourceName([args.product, args.environment, "ingestion-vnet"]);
    const subnetName = "container-apps";

    this.network = new VirtualNetwork(
      name,
      {
        virtualNetworkName: networkName,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        addressSpace: { addressPrefixes: [addressSpace] },
        subnets: [
          {
            name: subnetName,
            addressPrefix: subnetPrefix,
            defaultOutboundAccess: false,
            delegations: [{ name: "container-apps", serviceName: "Microsoft.App/environments" }],
            serviceEndpoints: [{ service: "Microsoft.Storage" }, { service: "Microsoft.KeyVault" }],
          },
        ],
        tags: { ...args.tags },
      },
      { parent: this },
    );
    this.subnetId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}/providers/Microsoft.Network/virtualNetworks/${networkName}/subnets/${subnetName}`;
    this.registerOutputs({ subnetId: this.subnetId });
  }
}
