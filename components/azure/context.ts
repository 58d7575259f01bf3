import { getClientConfigOutput } from "@pulumi/azure-native/authorization/getClientConfig";
import type * as pulumi from "@pulumi/pulumi";

/** Tenant, subscription and deployer of the provider a component runs under. */
export interface AzureContext {
  readonly tenantId: pulumi.Output<string>;
  readonly subscriptionId: pulumi.Output<string>;
  /** Object ID of the identity running Pulumi. */
  readonly deployerObjectId: pulumi.Output<string>;
}

/** Looks the context up through the component's provider (invokes follow `parent`). */
export function azureContext(parent: pulumi.Resource): AzureContext {
  const config = getClientConfigOutput({ parent });
  return {
    tenantId: config.tenantId,
    subscriptionId: config.subscriptionId,
    deployerObjectId: config.objectId,
  };
}
