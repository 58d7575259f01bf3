import { AccessConnector } from "@pulumi/azure-native/databricks/accessConnector";
import { Workspace } from "@pulumi/azure-native/databricks/workspace";
import { Provider } from "@pulumi/databricks/provider";
import * as pulumi from "@pulumi/pulumi";
import { azureResourceName } from "../naming";
import type { AzureDatabricksNetwork } from "./databricks-network";

export interface AzureDatabricksWorkspaceArgs {
  readonly product: string;
  readonly environment: string;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  /**
   * The stack's network to inject the workspace into (its host and container subnets), so classic
   * clusters reach the lake through its firewall. @default the Databricks-managed network
   */
  readonly network?: AzureDatabricksNetwork;
  /** Keep the workspace on `pulumi destroy`. @default false */
  readonly protect?: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * A premium Databricks workspace with secure cluster connectivity (no public IP on cluster nodes), the
 * managed resource group Databricks creates itself (its ID computed from a name chosen here), an access
 * connector whose system-assigned identity Unity Catalog uses to reach storage, and a Databricks provider
 * pointed at the workspace by URL and ARM resource ID. Nothing here looks anything up in the workspace,
 * so the first preview (before the workspace exists) sees the whole plan.
 */
export class AzureDatabricksWorkspace extends pulumi.ComponentResource {
  readonly workspace: Workspace;
  readonly accessConnector: AccessConnector;
  readonly provider: Provider;
  /** `https://adb-<id>.<n>.azuredatabricks.net` */
  readonly workspaceUrl: pulumi.Output<string>;
  readonly workspaceResourceId: pulumi.Output<string>;
  readonly accessConnectorId: pulumi.Output<string>;
  /** Object ID of the access connector's system-assigned identity. */
  readonly accessConnectorPrincipalId: pulumi.Output<string>;

  constructor(name: string, args: AzureDatabricksWorkspaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:azure:DatabricksWorkspace", name, {}, opts);
    const protect = args.protect ?? false;
    const managedResourceGroupName = azureResourceName(
      [args.product, args.environment, "databricks-managed"],
      90,
    );

    this.accessConnector = new AccessConnector(
      `${name}-access-connector`,
      {
        connectorName: azureResourceName([args.product, args.environment, "uc-connector"]),
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        identity: { type: "SystemAssigned" },
        tags: { ...args.tags },
      },
      { parent: this },
    );
    this.workspace = new Workspace(
      name,
      {
        workspaceName: azureResourceName([args.product, args.environment, "dbw"]),
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        sku: { name: "premium" },
        managedResourceGroupId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${managedResourceGroupName}`,
        // No public IPs on cluster nodes; the workspace's own (DBFS) storage double-encrypted too.
        parameters: {
          enableNoPublicIp: { value: true },
          requireInfrastructureEncryption: { value: true },
          ...(args.network
            ? {
                customVirtualNetworkId: { value: args.network.networkId },
                customPublicSubnetName: { value: args.network.subnetNames.host },
                customPrivateSubnetName: { value: args.network.subnetNames.container },
              }
            : {}),
        },
        publicNetworkAccess: "Enabled",
        requiredNsgRules: "AllRules",
        tags: { ...args.tags },
      },
      { parent: this, protect, retainOnDelete: protect },
    );
    this.workspaceUrl = pulumi.interpolate`https://${this.workspace.workspaceUrl}`;
    this.workspaceResourceId = this.workspace.id;
    this.provider = new Provider(
      `${name}-provider`,
      // Azure CLI auth, locally and in CI after azure/login (see AzureLakehouse's account provider).
      { host: this.workspaceUrl, azureWorkspaceResourceId: this.workspace.id, authType: "azure-cli" },
      { parent: this },
    );
    this.accessConnectorId = this.accessConnector.id;
    this.accessConnectorPrincipalId = this.accessConnector.identity.apply((identity) => {
      if (!identity?.principalId)
        throw new Error(`${name}: the access connector has no system-assigned identity`);
      return identity.principalId;
    });
    this.registerOutputs({
      workspaceUrl: this.workspaceUrl,
      workspaceResourceId: this.workspaceResourceId,
      accessConnectorId: this.accessConnectorId,
    });
  }
}
