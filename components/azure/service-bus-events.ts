import { MetricAlert } from "@pulumi/azure-native/monitor/metricAlert";
import { Namespace } from "@pulumi/azure-native/servicebus/namespace";
import { Queue } from "@pulumi/azure-native/servicebus/queue";
import { Permissions } from "@pulumi/databricks/permissions";
import type { Provider as DatabricksProvider } from "@pulumi/databricks/provider";
import { ServicePrincipal } from "@pulumi/databricks/servicePrincipal";
import * as pulumi from "@pulumi/pulumi";
import { azureResourceName } from "../naming";
import type { TableSpec } from "../spec";
import { AzureConsumerJob } from "./consumer-job";
import type { AzureJobPlatform } from "./job-platform";
import type { AzureMonitoring } from "./monitoring";
import type { AzurePrincipal } from "./principal";
import { assignRole } from "./role-assignment";

/** Deliveries before Service Bus dead-letters a message whose run-now keeps failing. */
export const MAX_DELIVERY_COUNT = 10;

export interface AzureServiceBusEventsArgs {
  readonly product: string;
  readonly environment: string;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  /** The spec's tables with an `event` source (one or more). */
  readonly tables: readonly TableSpec[];
  readonly platform: AzureJobPlatform;
  readonly monitoring: AzureMonitoring;
  /** The group that may send event messages (Azure Service Bus Data Sender on the queue only). */
  readonly writers: AzurePrincipal;
  /** The workspace the job runs in, its URL and the job an event starts. */
  readonly databricks: {
    readonly provider: DatabricksProvider;
    readonly workspaceUrl: pulumi.Input<string>;
    readonly jobId: pulumi.Input<string>;
  };
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Event messages into the Databricks job on Azure, the counterpart of SNS → SQS → the idempotent trigger
 * Lambda: a Service Bus namespace (Standard; TLS 1.2; local auth off; platform-managed encryption, because
 * customer-managed keys need Premium: learn.microsoft.com/azure/service-bus-messaging/configure-customer-managed-key),
 * a queue with dead-lettering (expired messages and after MAX_DELIVERY_COUNT deliveries) and duplicate
 * detection, a Container Apps job that KEDA starts when the queue has messages and that starts one run per
 * transaction (the Databricks idempotency token, functions/azure/event-job.ts), as a workspace service
 * principal that may only run the job (CAN_MANAGE_RUN), and an alert on every dead-lettered message.
 */
export class AzureServiceBusEvents extends pulumi.ComponentResource {
  readonly namespace: Namespace;
  readonly queue: Queue;
  readonly consumer: AzureConsumerJob;
  readonly deadLetterAlert: MetricAlert;
  /** `<namespace>.servicebus.windows.net`, what producers connect to. */
  readonly endpoint: pulumi.Output<string>;

  constructor(name: string, args: AzureServiceBusEventsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:azure:ServiceBusEvents", name, {}, opts);
    const events = args.tables.filter((t) => t.source.kind === "event");
    if (events.length === 0 || events.length !== args.tables.length)
      throw new Error(
        `AzureServiceBusEvents ${name}: tables must be one or more tables with an event source`,
      );
    const group = { resourceGroupName: args.resourceGroupName };
    this.namespace = new Namespace(
      `${name}-namespace`,
      {
        namespaceName: azureResourceName([args.product, args.environment, "events"], 50),
        ...group,
        location: args.location,
        sku: { name: "Standard", tier: "Standard" },
        minimumTlsVersion: "1.2",
        disableLocalAuth: true,
        // Standard has no IP or VNet rules (Premium only: learn.microsoft.com/azure/service-bus-messaging/
        // network-security); with local auth off only Entra identities holding a role on the queue get in.
        publicNetworkAccess: "Enabled",
        tags: { ...args.tags },
      },
      { parent: this },
    );
    this.queue = new Queue(
      `${name}-queue`,
      {
        ...group,
        namespaceName: this.namespace.name,
        queueName: "events",
        maxDeliveryCount: MAX_DELIVERY_COUNT,
        deadLetteringOnMessageExpiration: true,
        defaultMessageTimeToLive: "P14D",
        lockDuration: "PT1M",
        // A producer that sets MessageId to the transaction id is deduplicated at the door as well.
        requiresDuplicateDetection: true,
        duplicateDetectionHistoryTimeWindow: "PT1H",
        requiresSession: false,
      },
      { parent: this },
    );
    assignRole(
      `${name}-send-writers`,
      {
        scope: this.queue.id,
        role: "serviceBusDataSender",
        principal: args.writers,
        subscriptionId: args.subscriptionId,
        description: "the source writers' group sends event messages to the queue",
      },
      { parent: this },
    );
    args.monitoring.diagnose("events-namespace", this.namespace.id, "microsoft.servicebus/namespaces", {
      logCategories: ["OperationalLogs", "VNetAndIPFilteringLogs", "DiagnosticErrorLogs"],
    });
    this.endpoint = pulumi.interpolate`${this.namespace.name}.servicebus.windows.net`;

    this.consumer = new AzureConsumerJob(
      `${name}-consumer`,
      {
        product: args.product,
        environment: args.environment,
        part: "events",
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        subscriptionId: args.subscriptionId,
        entry: "azure/event-job.ts",
        platform: args.platform,
        monitoring: args.monitoring,
        // keda.sh/docs/2.x/scalers/azure-service-bus: one execution while the queue holds messages.
        rule: {
          type: "azure-servicebus",
          metadata: { namespace: this.namespace.name, queueName: this.queue.name, messageCount: "1" },
        },
        roles: (principal) => [
          assignRole(
            `${name}-receive-events`,
            {
              scope: this.queue.id,
              role: "serviceBusDataOwner",
              principal,
              subscriptionId: args.subscriptionId,
              description: "the event consumer receives from its queue; its scaler reads the queue's count",
            },
            { parent: this },
          ),
        ],
        env: {
          SERVICEBUS_NAMESPACE: this.endpoint,
          QUEUE_NAME: this.queue.name,
          // The workspace component's URL already carries its scheme; a bare host gets one.
          DATABRICKS_HOST: pulumi
            .output(args.databricks.workspaceUrl)
            .apply((url) => (url.startsWith("https://") ? url : `https://${url}`)),
          JOB_ID: args.databricks.jobId,
          TABLES: JSON.stringify(events),
        },
        tags: args.tags,
      },
      { parent: this },
    );
    // The job's managed identity is a workspace service principal that may start and see runs of one job.
    const servicePrincipal = new ServicePrincipal(
      `${name}-trigger-principal`,
      {
        applicationId: this.consumer.identity.clientId,
        displayName: `${args.product}-${args.environment}-events`,
        workspaceAccess: false,
        databricksSqlAccess: false,
      },
      { parent: this, provider: args.databricks.provider },
    );
    new Permissions(
      `${name}-run-job`,
      {
        jobId: args.databricks.jobId,
        accessControls: [
          { servicePrincipalName: servicePrincipal.applicationId, permissionLevel: "CAN_MANAGE_RUN" },
        ],
      },
      { parent: this, provider: args.databricks.provider },
    );
    // learn.microsoft.com/azure/service-bus-messaging/monitor-service-bus-reference: DeadletteredMessages,
    // split by EntityName.
    this.deadLetterAlert = new MetricAlert(
      `${name}-dead-letters`,
      {
        ...group,
        ruleName: azureResourceName([args.product, args.environment, "events-dead-letters"]),
        location: "global",
        description: `${args.product} ${args.environment}: an event message was dead-lettered (invalid, or its run could not start)`,
        severity: 1,
        enabled: true,
        scopes: [this.namespace.id],
        evaluationFrequency: "PT5M",
        windowSize: "PT5M",
        criteria: {
          odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
          allOf: [
            {
              criterionType: "StaticThresholdCriterion",
              name: "dead-lettered",
              metricName: "DeadletteredMessages",
              metricNamespace: "Microsoft.ServiceBus/namespaces",
              dimensions: [{ name: "EntityName", operator: "Include", values: [this.queue.name] }],
              operator: "GreaterThan",
              threshold: 0,
              timeAggregation: "Maximum",
            },
          ],
        },
        actions: [{ actionGroupId: args.monitoring.alertChannel }],
        autoMitigate: true,
        tags: { ...args.tags },
      },
      { parent: this },
    );
    this.registerOutputs({ endpoint: this.endpoint, queueName: this.queue.name });
  }
}
