import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import * as pulumi from "@pulumi/pulumi";

/** Account, partition and region of the provider a component runs under, for ARNs and conditions. */
export interface AwsContext {
  readonly accountId: pulumi.Output<string>;
  readonly partition: pulumi.Output<string>;
  readonly region: pulumi.Output<string>;
  /** e.g. `amazonaws.com` (differs in China partitions). */
  readonly dnsSuffix: pulumi.Output<string>;
}

/** Looks the context up through the component's provider (invokes follow `parent`). */
export function awsContext(parent: pulumi.Resource): AwsContext {
  const opts = { parent };
  const identity = getCallerIdentityOutput({}, opts);
  const partition = getPartitionOutput({}, opts);
  const region = getRegionOutput({}, opts);
  return {
    accountId: identity.accountId,
    partition: partition.partition,
    region: region.region,
    dnsSuffix: partition.dnsSuffix,
  };
}
