import { BlobServiceProperties } from "@pulumi/azure-native/storage/blobServiceProperties";
import { ManagementPolicy } from "@pulumi/azure-native/storage/managementPolicy";
import { StorageAccount } from "@pulumi/azure-native/storage/storageAccount";
import * as pulumi from "@pulumi/pulumi";
import { storageAccountName } from "../naming";
import { storageIpRuleProblem } from "./sources-config";

/** A lifecycle rule for one container (raw's retention). */
export interface ContainerRetention {
  readonly container: string;
  /** Days after modification before blobs move to the cool tier. @default never */
  readonly coolAfterDays?: number;
  /** Days after modification before blobs are deleted. @default never */
  readonly deleteAfterDays?: number;
}

export interface AzureStorageAccountArgs {
  readonly product: string;
  readonly environment: string;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly tenantId: pulumi.Input<string>;
  /**
   * ARM IDs of resource instances allowed through the firewall (the Databricks access connector), by
   * resource-instance rules; everything else is denied. @default none
   */
  readonly allowedResourceIds?: readonly pulumi.Input<string>[];
  /** Subnets (with a Microsoft.Storage service endpoint) allowed through the firewall. @default none */
  readonly allowedSubnetIds?: readonly pulumi.Input<string>[];
  /**
   * Public IPv4 addresses or ranges allowed through the firewall (the batch writers'); checked with
   * `storageIpRuleProblem`, since Azure refuses /31, /32 and private ranges. @default none
   */
  readonly allowedIpRanges?: readonly string[];
  /** Days deleted blobs and containers can be restored (1-365). @default 30 */
  readonly softDeleteDays?: number;
  /** Lifecycle rules per container. @default none */
  readonly retention?: readonly ContainerRetention[];
  /** Keep the account on `pulumi destroy` and refuse its deletion. @default false */
  readonly protect?: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The lakehouse's ADLS Gen2 account, hardened: StorageV2 with hierarchical namespace, TLS 1.2 and HTTPS
 * only, no public blob access, no shared keys (Entra ID only, so every access is a role assignment),
 * infrastructure (double) encryption with Microsoft-managed keys, a default-deny firewall that lets in
 * only named resource instances and subnets, blob and container soft delete, lifecycle rules.
 */
export class AzureStorageAccount extends pulumi.ComponentResource {
  readonly account: StorageAccount;
  readonly blobService: BlobServiceProperties;
  readonly lifecycle?: ManagementPolicy;
  readonly accountName: pulumi.Output<string>;
  readonly accountId: pulumi.Output<string>;
  /** `https://<account>.dfs.core.windows.net/` */
  readonly dfsEndpoint: pulumi.Output<string>;

  constructor(name: string, args: AzureStorageAccountArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:azure:StorageAccount", name, {}, opts);
    const softDeleteDays = args.softDeleteDays ?? 30;
    const retention = args.retention ?? [];
    const protect = args.protect ?? false;
    validateStorageArgs(name, softDeleteDays, retention, args.allowedIpRanges ?? []);

    this.account = new StorageAccount(
      name,
      {
        accountName: storageAccountName([args.product, args.environment, "lake"]),
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        kind: "StorageV2",
        sku: { name: "Standard_ZRS" },
        accessTier: "Hot",
        isHnsEnabled: true,
        minimumTlsVersion: "TLS1_2",
        enableHttpsTrafficOnly: true,
        allowBlobPublicAccess: false,
        allowSharedKeyAccess: false,
        defaultToOAuthAuthentication: true,
        allowCrossTenantReplication: false,
        publicNetworkAccess: "Enabled",
        encryption: {
          keySource: "Microsoft.Storage",
          requireInfrastructureEncryption: true,
          services: {
            blob: { enabled: true, keyType: "Account" },
            file: { enabled: true, keyType: "Account" },
            queue: { enabled: true, keyType: "Account" },
            table: { enabled: true, keyType: "Account" },
          },
        },
        networkRuleSet: {
          defaultAction: "Deny",
          bypass: "Logging, Metrics",
          resourceAccessRules: (args.allowedResourceIds ?? []).map((resourceId) => ({
            resourceId,
            tenantId: args.tenantId,
          })),
          virtualNetworkRules: (args.allowedSubnetIds ?? []).map((id) => ({
            virtualNetworkResourceId: id,
            action: "Allow",
          })),
          ipRules: (args.allowedIpRanges ?? []).map((value) => ({
            iPAddressOrRange: value,
            action: "Allow" as const,
          })),
        },
        tags: { ...args.tags },
      },
      { parent: this, protect, retainOnDelete: protect },
    );
    this.blobService = new BlobServiceProperties(
      `${name}-blob-service`,
      {
        accountName: this.account.name,
        resourceGroupName: args.resourceGroupName,
        blobServicesName: "default",
        deleteRetentionPolicy: { enabled: true, days: softDeleteDays, allowPermanentDelete: false },
        containerDeleteRetentionPolicy: { enabled: true, days: softDeleteDays },
      },
      { parent: this },
    );
    if (retention.length > 0) {
      this.lifecycle = new ManagementPolicy(
        `${name}-lifecycle`,
        {
          accountName: this.account.name,
          resourceGroupName: args.resourceGroupName,
          managementPolicyName: "default",
          policy: { rules: retention.map(lifecycleRule) },
        },
        { parent: this },
      );
    }
    this.accountName = this.account.name;
    this.accountId = this.account.id;
    this.dfsEndpoint = pulumi.interpolate`https://${this.account.name}.dfs.core.windows.net/`;
    this.registerOutputs({ accountName: this.accountName, accountId: this.accountId });
  }

  /** ARM ID of the blob service (diagnostic settings for blob reads and writes attach here). */
  get blobServiceId(): pulumi.Output<string> {
    return pulumi.interpolate`${this.account.id}/blobServices/default`;
  }
}

function lifecycleRule(rule: ContainerRetention) {
  return {
    name: `${rule.container}-retention`,
    enabled: true,
    type: "Lifecycle",
    definition: {
      filters: { blobTypes: ["blockBlob"], prefixMatch: [`${rule.container}/`] },
      actions: {
        baseBlob: {
          ...(rule.coolAfterDays !== undefined
            ? { tierToCool: { daysAfterModificationGreaterThan: rule.coolAfterDays } }
            : {}),
          ...(rule.deleteAfterDays !== undefined
            ? { delete: { daysAfterModificationGreaterThan: rule.deleteAfterDays } }
            : {}),
        },
      },
    },
  };
}

/** Collects every problem with the args and throws one error naming the component and each field. */
export function validateStorageArgs(
  name: string,
  softDeleteDays: number,
  retention: readonly ContainerRetention[],
  allowedIpRanges: readonly string[] = [],
): void {
  const problems: string[] = [];
  allowedIpRanges.forEach((range, i) => {
    const problem = storageIpRuleProblem(range);
    if (problem) problems.push(`allowedIpRanges[${i}]: ${JSON.stringify(range)} ${problem}`);
  });
  if (!Number.isInteger(softDeleteDays) || softDeleteDays < 1 || softDeleteDays > 365) {
    problems.push(`softDeleteDays: must be a whole number of 1-365, got ${softDeleteDays}`);
  }
  retention.forEach((rule, i) => {
    if (rule.coolAfterDays === undefined && rule.deleteAfterDays === undefined) {
      problems.push(`retention[${i}]: needs coolAfterDays, deleteAfterDays or both`);
    }
    if (
      rule.coolAfterDays !== undefined &&
      rule.deleteAfterDays !== undefined &&
      rule.deleteAfterDays <= rule.coolAfterDays
    ) {
      problems.push(
        `retention[${i}].deleteAfterDays: must be later than coolAfterDays (${rule.deleteAfterDays} <= ${rule.coolAfterDays})`,
      );
    }
  });
  if (problems.length > 0) {
    throw new Error(
      `AzureStorageAccount ${name} has invalid args:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
}
