import { NatGateway } from "@pulumi/azure-native/network/natGateway";
import { NetworkSecurityGroup } from "@pulumi/azure-native/network/networkSecurityGroup";
import { PublicIPAddress } from "@pulumi/azure-native/network/publicIPAddress";
import { Subnet } from "@pulumi/azure-native/network/subnet";
import { VirtualNetwork } from "@pulumi/azure-native/network/virtualNetwork";
import * as pulumi from "@pulumi/pulumi";
import { azureResourceName } from "../naming";

export interface AzureDatabricksNetworkArgs {
  readonly product: string;
  readonly environment: string;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  /** Address space of the network. @default "10.30.0.0/16" */
  readonly addressSpace?: string;
  /** The host (public) subnet; Databricks needs at least a /26 per subnet. @default "10.30.0.0/22" */
  readonly hostPrefix?: string;
  /** The container (private) subnet. @default "10.30.4.0/22" */
  readonly containerPrefix?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The two subnet roles of a VNet-injected workspace, with their ARM parameter names. */
export const DATABRICKS_SUBNETS = ["host", "container"] as const;
export type DatabricksSubnet = (typeof DATABRICKS_SUBNETS)[number];

/**
 * The network a VNet-injected Databricks workspace runs its classic clusters in
 * (learn.microsoft.com/azure/databricks/security/network/classic/vnet-inject): a host and a container
 * subnet, both delegated to Microsoft.Databricks/workspaces and associated with one network security
 * group (whose rules Databricks manages, `requiredNsgRules: AllRules`), with a Microsoft.Storage service
 * endpoint so the lake's firewall can admit them, and a NAT gateway as their only egress (secure cluster
 * connectivity leaves nodes without public IPs; default outbound access is off).
 */
export class AzureDatabricksNetwork extends pulumi.ComponentResource {
  readonly network: VirtualNetwork;
  readonly securityGroup: NetworkSecurityGroup;
  readonly natGateway: NatGateway;
  readonly subnets: Readonly<Record<DatabricksSubnet, Subnet>>;
  /** ARM ID of the network (the workspace's `customVirtualNetworkId`). */
  readonly networkId: pulumi.Output<string>;
  /** ARM IDs of both subnets, from the subnet resources (what the storage firewall admits). */
  readonly subnetIds: readonly pulumi.Output<string>[];
  /** Names of the subnets, from the resources (the workspace waits for them). */
  readonly subnetNames: Readonly<Record<DatabricksSubnet, pulumi.Output<string>>>;

  constructor(name: string, args: AzureDatabricksNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:azure:DatabricksNetwork", name, {}, opts);
    const prefixes: Record<DatabricksSubnet, string> = {
      host: args.hostPrefix ?? "10.30.0.0/22",
      container: args.containerPrefix ?? "10.30.4.0/22",
    };
    const common = {
      resourceGroupName: args.resourceGroupName,
      location: args.location,
      tags: { ...args.tags },
    };
    const physical = (part: string) => azureResourceName([args.product, args.environment, part]);

    this.network = new VirtualNetwork(
      name,
      {
        virtualNetworkName: physical("databricks-vnet"),
        addressSpace: { addressPrefixes: [args.addressSpace ?? "10.30.0.0/16"] },
        ...common,
      },
      { parent: this, ignoreChanges: ["subnets"] },
    );
    // Databricks adds and maintains its own rules in the group once the workspace exists.
    this.securityGroup = new NetworkSecurityGroup(
      `${name}-nsg`,
      { networkSecurityGroupName: physical("databricks-nsg"), ...common },
      { parent: this, ignoreChanges: ["securityRules"] },
    );
    const egressIp = new PublicIPAddress(
      `${name}-egress-ip`,
      {
        publicIpAddressName: physical("databricks-egress"),
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
        natGatewayName: physical("databricks-nat"),
        sku: { name: "Standard" },
        publicIpAddresses: [{ id: egressIp.id }],
        idleTimeoutInMinutes: 4,
        ...common,
      },
      { parent: this },
    );
    const subnets = {} as Record<DatabricksSubnet, Subnet>;
    let previous: Subnet | undefined;
    for (const role of DATABRICKS_SUBNETS) {
      subnets[role] = new Subnet(
        `${name}-${role}`,
        {
          subnetName: `databricks-${role}`,
          virtualNetworkName: this.network.name,
          resourceGroupName: args.resourceGroupName,
          addressPrefix: prefixes[role],
          defaultOutboundAccess: false,
          networkSecurityGroup: { id: this.securityGroup.id },
          natGateway: { id: this.natGateway.id },
          delegations: [{ name: "databricks", serviceName: "Microsoft.Databricks/workspaces" }],
          serviceEndpoints: [{ service: "Microsoft.Storage" }],
        },
        // ARM updates a network's subnets one at a time (AnotherOperationInProgress otherwise).
        { parent: this, ...(previous ? { dependsOn: [previous] } : {}) },
      );
      previous = subnets[role];
    }
    this.subnets = subnets;
    this.networkId = this.network.id;
    this.subnetIds = DATABRICKS_SUBNETS.map((role) => subnets[role].id);
    this.subnetNames = {
      host: subnets.host.name.apply((n) => n ?? "databricks-host"),
      container: subnets.container.name.apply((n) => n ?? "databricks-container"),
    };
    this.registerOutputs({ networkId: this.networkId });
  }
}
