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

/** What a service's regional endpoint is built from. */
export type ServiceEndpoints = Pick<AwsContext, "region" | "dnsSuffix">;

/**
 * A service's regional endpoint host, the value `kms:ViaService` compares with: `<service>.<region>.<dnsSuffix>`
 * (`amazonaws.com`, `amazonaws.com.cn` in China), so conditions hold in every partition.
 */
export function viaService(context: ServiceEndpoints, service: string): pulumi.Output<string> {
  return pulumi.interpolate`${service}.${context.region}.${context.dnsSuffix}`;
}

/**
 * A VPC endpoint's service name, `<reverse dnsSuffix>.<region>.<service>` (`com.amazonaws.us-east-1.s3`,
 * `cn.com.amazonaws.cn-north-1.s3`).
 */
export function vpcEndpointService(context: AwsContext, service: string): pulumi.Output<string> {
  return pulumi
    .all([context.dnsSuffix, context.region])
    .apply(([suffix, region]) => `${suffix.split(".").reverse().join(".")}.${region}.${service}`);
}
