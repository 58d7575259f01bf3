import { ConsumerGroup } from "@pulumi/azure-native/eventhub/consumerGroup";
import { EventHub } from "@pulumi/azure-native/eventhub/eventHub";
import { Namespace } from "@pulumi/azure-native/eventhub/namespace";
import { NamespaceNetworkRuleSet } from "@pulumi/azure-native/eventhub/namespaceNetworkRuleSet";
import { BlobContainer } from "@pulumi/azure-native/storage/blobContainer";
import * as pulumi from "@pulumi/pulumi";
import { azureResourceName } from "../naming";
import type { TableSpec } from "../spec";
import { AzureConsumerJob } from "./consumer-job";
import type { AzureJobPlatform } from "./job-platform";
import type { AzureMedallionLayer } from "./medallion-layer";
import type { AzureMonitoring } from "./monitoring";
import type { AzurePrincipal } from "./principal";
import { assignRole } from "./role-assignment";
import type { AzureStorageAccount } from "./storage-account";

/** The consumer group the raw writer reads with (never `$Default`, which producers' tools tend to use). */
export const CDC_CONSUMER_GROUP = "raw";
/** The container of the consumer group's checkpoints (the SDK's BlobCheckpointStore; KEDA reads it too). */
export const CHECKPOINT_CONTAINER = "eventhub-checkpoints";
/** Where records that failed validation go in raw (Firehose's `_errors/<type>/` on AWS). */
export const CDC_ERROR_PREFIX = "_errors";

export interface AzureEventHubsCdcArgs {
  readonly product: string;
  readonly environment: string;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  /** The spec's tables with a `cdc` source (one or more). */
  readonly tables: readonly TableSpec[];
  readonly raw: AzureMedallionLayer;
  readonly storage: AzureStorageAccount;
  readonly platform: AzureJobPlatform;
  readonly monitoring: AzureMonitoring;
  /** The group that may send change events (Azure Event Hubs Data Sender on the hub only). */
  readonly writers: AzurePrincipal;
  /** Subnets allowed through the namespace firewall besides the ingestion subnet (the producers'). */
  readonly allowedSubnetIds: readonly pulumi.Input<string>[];
  /** Public IP ranges allowed through the namespace firewall (the producers'). */
  readonly allowedIpRanges: readonly string[];
  /** The ingestion subnet the consumer job runs in (with the Microsoft.EventHub service endpoint). */
  readonly ingestionSubnetId: pulumi.Input<string>;
  /** Partitions of the hub (fixed after creation on Standard). @default 2 */
  readonly partitionCount?: number;
  /** Days events are retained (1-7 on Standard). @default 7 */
  readonly retentionDays?: number;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * CDC into raw on Azure, the counterpart of Kinesis → Firehose → the transformer Lambda: an Event Hubs
 * namespace (Standard; TLS 1.2; local auth off, so only Entra identities send or receive; platform-managed
 * encryption, because customer-managed keys need Premium or Dedicated:
 * learn.microsoft.com/azure/event-hubs/configure-customer-managed-key; a default-deny firewall that admits
 * the ingestion subnet and the configured producers' networks), one hub, a consumer group, and a Container Apps
 * job that KEDA starts on unprocessed events and that runs the Firehose transformer's code
 * (functions/azure/cdc-job.ts). The job may write only its tables' folders and `_errors/` in raw.
 */
export class AzureEventHubsCdc extends pulumi.ComponentResource {
  readonly namespace: Namespace;
  readonly hub: EventHub;
  readonly consumer: AzureConsumerJob;
  /** `<namespace>.servicebus.windows.net`, what producers connect to. */
  readonly endpoint: pulumi.Output<string>;

  constructor(name: string, args: AzureEventHubsCdcArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:azure:EventHubsCdc", name, {}, opts);
    const cdc = args.tables.filter((t) => t.source.kind === "cdc");
    if (cdc.length === 0 || cdc.length !== args.tables.length)
      throw new Error(`AzureEventHubsCdc ${name}: tables must be one or more tables with a cdc source`);
    const retentionDays = args.retentionDays ?? 7;
    if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 7)
      throw new Error(
        `AzureEventHubsCdc ${name}: retentionDays must be 1-7 on Standard, got ${retentionDays}`,
      );
    const group = { resourceGroupName: args.resourceGroupName };
    this.namespace = new Namespace(
      `${name}-namespace`,
      {
        namespaceName: azureResourceName([args.product, args.environment, "cdc"], 50),
        ...group,
        location: args.location,
        sku: { name: "Standard", tier: "Standard", capacity: 1 },
        minimumTlsVersion: "1.2",
        disableLocalAuth: true,
        publicNetworkAccess: "Enabled",
        kafkaEnabled: true,
        zoneRedundant: true,
        tags: { ...args.tags },
      },
      { parent: this },
    );
    new NamespaceNetworkRuleSet(
      `${name}-firewall`,
      {
        ...group,
        namespaceName: this.namespace.name,
        defaultAction: "Deny",
        publicNetworkAccess: "Enabled",
        trustedServiceAccessEnabled: false,
        ipRules: args.allowedIpRanges.map((ipMask) => ({ ipMask, action: "Allow" })),
        virtualNetworkRules: [args.ingestionSubnetId, ...args.allowedSubnetIds].map((id) => ({
          subnet: { id },
          ignoreMissingVnetServiceEndpoint: false,
        })),
      },
      { parent: this },
    );
    this.hub = new EventHub(
      `${name}-hub`,
      {
        ...group,
        namespaceName: this.namespace.name,
        eventHubName: "cdc",
        partitionCount: args.partitionCount ?? 2,
        retentionDescription: { cleanupPolicy: "Delete", retentionTimeInHours: retentionDays * 24 },
      },
      { parent: this },
    );
    const consumerGroup = new ConsumerGroup(
      `${name}-consumer-group`,
      {
        ...group,
        namespaceName: this.namespace.name,
        eventHubName: this.hub.name,
        consumerGroupName: CDC_CONSUMER_GROUP,
      },
      { parent: this },
    );
    const checkpoints = new BlobContainer(
      `${name}-checkpoints`,
      {
        ...group,
        accountName: args.storage.accountName,
        containerName: CHECKPOINT_CONTAINER,
        publicAccess: "None",
      },
      { parent: this },
    );
    assignRole(
      `${name}-send-writers`,
      {
        scope: this.hub.id,
        role: "eventHubsDataSender",
        principal: args.writers,
        subscriptionId: args.subscriptionId,
        description: "the source writers' group sends change events to the CDC hub",
      },
      { parent: this },
    );
    args.monitoring.diagnose("cdc-namespace", this.namespace.id, "microsoft.eventhub/namespaces", {
      logCategories: ["OperationalLogs", "EventHubVNetConnectionEvent", "DiagnosticErrorLogs"],
    });

    this.endpoint = pulumi.interpolate`${this.namespace.name}.servicebus.windows.net`;
    const accountName = args.storage.accountName;
    this.consumer = new AzureConsumerJob(
      `${name}-consumer`,
      {
        product: args.product,
        environment: args.environment,
        part: "cdc",
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        subscriptionId: args.subscriptionId,
        entry: "azure/cdc-job.ts",
        platform: args.platform,
        monitoring: args.monitoring,
        // keda.sh/docs/2.x/scalers/azure-event-hub: blobMetadata is the checkpoint layout of the JS SDK's
        // BlobCheckpointStore; with a managed identity the scaler reads the hub and the checkpoint blobs itself.
        rule: {
          type: "azure-eventhub",
          metadata: {
            eventHubNamespace: this.namespace.name,
            eventHubName: this.hub.name,
            consumerGroup: CDC_CONSUMER_GROUP,
            storageAccountName: accountName,
            blobContainer: CHECKPOINT_CONTAINER,
            checkpointStrategy: "blobMetadata",
            unprocessedEventThreshold: "1",
          },
        },
        roles: (principal) => [
          assignRole(
            `${name}-receive-cdc`,
            {
              scope: this.hub.id,
              role: "eventHubsDataReceiver",
              principal,
              subscriptionId: args.subscriptionId,
              description: "the CDC consumer (and its scaler) reads the CDC hub",
            },
            { parent: this, dependsOn: [consumerGroup] },
          ),
          assignRole(
            `${name}-checkpoints-cdc`,
            {
              scope: checkpoints.id,
              role: "storageBlobDataContributor",
              principal,
              subscriptionId: args.subscriptionId,
              description: "the CDC consumer keeps its checkpoints",
            },
            { parent: this },
          ),
          ...[...cdc.map((t) => t.name), CDC_ERROR_PREFIX].map((prefix) =>
            args.raw.grantWrite(principal, { prefix }),
          ),
        ],
        env: {
          EVENTHUB_NAMESPACE: this.endpoint,
          EVENTHUB_NAME: this.hub.name,
          CONSUMER_GROUP: CDC_CONSUMER_GROUP,
          CHECKPOINT_URL: pulumi.interpolate`https://${accountName}.blob.core.windows.net/${CHECKPOINT_CONTAINER}`,
          RAW_URL: pulumi.interpolate`https://${accountName}.blob.core.windows.net/raw`,
          TABLES: JSON.stringify(cdc),
        },
        tags: args.tags,
      },
      { parent: this },
    );
    args.monitoring.alertOnQuery(
      "cdc-records-failed",
      `${args.product} ${args.environment}: CDC records failed validation (kept under raw/_errors/)`,
      recordsFailedQuery(this.consumer.jobName),
    );
    this.registerOutputs({ endpoint: this.endpoint, hubName: this.hub.name });
  }
}

/** Lines the CDC job logs for records that failed validation (consumeCdc's `records failed`). */
export function recordsFailedQuery(jobName: string): string {
  return [
    "ContainerAppConsoleLogs",
    `| where JobName startswith "${jobName}"`,
    '| where Log has "records failed"',
    "| project TimeGenerated, JobName, Log",
  ].join("\n");
}
