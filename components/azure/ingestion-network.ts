import { NatGateway } from "@pulumi/azure-native/network/natGateway";
import { PublicIPAddress } from "@pulumi/azure-native/network/publicIPAddress";
import { Subnet } from "@pulumi/azure-native/network/subnet";
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
 * for Storage, Key Vault and Event Hubs, so the storage account and the vault can keep a default-deny firewall and
 * let in this subnet, and a NAT gateway as its only way out (default outbound access is off).
 */
export class AzureIngestionNetwork extends pulumi.ComponentResource {
  readonly network: VirtualNetwork;
  readonly subnet: Subnet;
  readonly natGateway: NatGateway;
  readonly egressIp: PublicIPAddress;
  /**
   * ARM ID of the Container Apps subnet, from the subnet resource: whatever names it in a firewall rule
   * waits until the subnet and its service endpoints exist (ARM refuses a rule on a subnet without them,
   * `SubnetsHaveNoServiceEndpointsConfigured`).
   */
  readonly subnetId: pulumi.Output<string>;

  constructor(
    name: string,
    args: AzureIngestionNetworkArgs & { readonly subscriptionId: pulumi.Input<string> },
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("medallion:azure:IngestionNetwork", name, {}, opts);
    const addressSpace = args.addressSpace ?? "10.20.0.0/16";
    const subnetPrefix = args.subnetPrefix ?? "10.20.0.0/23";
    const common = {
      resourceGroupName: args.resourceGroupName,
      location: args.location,
      tags: { ...args.tags },
    };

    // Subnets are separate resources, never inline: inline and standalone subnets fight over the network.
    this.network = new VirtualNetwork(
      name,
      {
        virtualNetworkName: azureResourceName([args.product, args.environment, "ingestion-vnet"]),
        addressSpace: { addressPrefixes: [addressSpace] },
        ...common,
      },
      { parent: this, ignoreChanges: ["subnets"] },
    );
    // learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access: with default outbound
    // access off, a subnet reaches the internet (the source API, Entra ID) only through explicit egress.
    this.egressIp = new PublicIPAddress(
      `${name}-egress-ip`,
      {
        publicIpAddressName: azureResourceName([args.product, args.environment, "ingestion-egress"]),
        sku: { name: "Standard", tier: "Regional" },
        publicIPAllocationMethod: "Static",
        publicIPAddressVersion: "IPv4",
        ...common,
      },
      { parent: this },
    );
    this.natGateway = new NatGateway(
      `${name}-nat`,
      {
        natGatewayName: azureResourceName([args.product, args.environment, "ingestion-nat"]),
        sku: { name: "Standard" },
        publicIpAddresses: [{ id: this.egressIp.id }],
        idleTimeoutInMinutes: 4,
        ...common,
      },
      { parent: this },
    );
    this.subnet = new Subnet(
      `${name}-container-apps`,
      {
        subnetName: "container-apps",
        virtualNetworkName: this.network.name,
        resourceGroupName: args.resourceGroupName,
        addressPrefix: subnetPrefix,
        defaultOutboundAccess: false,
        natGateway: { id: this.natGateway.id },
        delegations: [{ name: "container-apps", serviceName: "Microsoft.App/environments" }],
        // Microsoft.EventHub: the CDC namespace's firewall admits this subnet by a virtual network rule.
        serviceEndpoints: [
          { service: "Microsoft.Storage" },
          { service: "Microsoft.KeyVault" },
          { service: "Microsoft.EventHub" },
        ],
      },
      { parent: this },
    );
    this.subnetId = this.subnet.id.apply((id) => {
      if (!id) throw new Error(`${name}: the subnet has no ID`);
      return id;
    });
    this.registerOutputs({ subnetId: this.subnetId });
  }
}
