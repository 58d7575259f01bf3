import type { Rule, RuleResource } from "../types";

const EVENT_HUBS = "azure-native:eventhub:Namespace";
const SERVICE_BUS = "azure-native:servicebus:Namespace";
const QUEUE = "azure-native:servicebus:Queue";
const METRIC_ALERT = "azure-native:monitor:MetricAlert";

const kind = (r: RuleResource) => (r.type === EVENT_HUBS ? "Event Hubs" : "Service Bus");
const sku = (r: RuleResource) => String((r.inputs.sku as { name?: string } | undefined)?.name ?? "Standard");

function resourceRule(
  id: string,
  types: string[],
  description: string,
  sources: Rule["sources"],
  failing: (r: RuleResource) => string | undefined,
): Rule {
  return {
    id,
    kind: "resource",
    types,
    description,
    sources,
    enforcement: "mandatory",
    check: (resource) => {
      const message = failing(resource);
      return message ? [message] : [];
    },
  };
}

/**
 * What Azure enforces or recommends on the messaging namespaces the CDC and event paths use (issue 14
 * Build item 3). The offline mocks accept any SKU with any encryption, so the tier constraint is encoded here.
 */
export const azureMessagingRules: Rule[] = [
  resourceRule(
    "azure-messaging-local-auth-disabled",
    [EVENT_HUBS, SERVICE_BUS],
    'Event Hubs and Service Bus namespaces disable local (SAS key) authentication, so only Entra identities with a role get in. Mirrors Azure Policy "Event Hub namespaces should have local authentication methods disabled" and "Azure Service Bus namespaces should have local authentication methods disabled".',
    [
      {
        source: "Azure Policy",
        id: "Event Hub namespaces should have local authentication methods disabled",
      },
      {
        source: "Azure Policy",
        id: "Azure Service Bus namespaces should have local authentication methods disabled",
      },
    ],
    (r) =>
      r.inputs.disableLocalAuth === true
        ? undefined
        : `${kind(r)} namespace ${r.name} allows SAS keys (disableLocalAuth is not true)`,
  ),
  resourceRule(
    "azure-messaging-min-tls",
    [EVENT_HUBS, SERVICE_BUS],
    'Event Hubs and Service Bus namespaces require TLS 1.2 or later. Mirrors Azure Policy "Event Hub namespaces should have a minimum TLS version of 1.2" and "Service Bus namespaces should have a minimum TLS version of 1.2".',
    [
      { source: "Azure Policy", id: "Event Hub namespaces should have a minimum TLS version of 1.2" },
      { source: "Azure Policy", id: "Service Bus namespaces should have a minimum TLS version of 1.2" },
    ],
    (r) =>
      r.inputs.minimumTlsVersion === "1.2" || r.inputs.minimumTlsVersion === "1.3"
        ? undefined
        : `${kind(r)} namespace ${r.name} allows TLS below 1.2 (minimumTlsVersion ${String(r.inputs.minimumTlsVersion ?? "unset")})`,
  ),
  resourceRule(
    "azure-messaging-cmk-tier",
    [EVENT_HUBS, SERVICE_BUS],
    "Customer-managed keys are set only on a tier that supports them: Premium or Dedicated for Event Hubs (learn.microsoft.com/azure/event-hubs/configure-customer-managed-key), Premium for Service Bus (learn.microsoft.com/azure/service-bus-messaging/configure-customer-managed-key); ARM refuses them elsewhere. Our rule (medallion).",
    [{ source: "medallion", id: "azure-messaging-cmk-tier" }],
    (r) => {
      const encryption = r.inputs.encryption as
        { keySource?: string; keyVaultProperties?: unknown[] } | undefined;
      const cmk =
        encryption?.keySource === "Microsoft.KeyVault" || (encryption?.keyVaultProperties?.length ?? 0) > 0;
      const allowed = r.type === EVENT_HUBS ? ["Premium", "Dedicated"] : ["Premium"];
      return cmk && !allowed.includes(sku(r))
        ? `${kind(r)} namespace ${r.name} sets a customer-managed key on ${sku(r)}, which supports only platform keys (${allowed.join(" or ")} needed)`
        : undefined;
    },
  ),
  resourceRule(
    "azure-servicebus-dead-lettering",
    [QUEUE],
    "Service Bus queues bound redelivery (maxDeliveryCount 1-100) and dead-letter expired messages, so a message that cannot be processed ends in the dead-letter queue instead of cycling or vanishing. Our rule (medallion), the counterpart of cdk-nag SQS3.",
    [
      { source: "medallion", id: "azure-servicebus-dead-lettering" },
      { source: "cdk-nag AwsSolutions", id: "SQS3" },
    ],
    (r) => {
      const count = r.inputs.maxDeliveryCount;
      if (typeof count !== "number" || count < 1 || count > 100)
        return `queue ${r.name} sets no maxDeliveryCount of 1-100 (got ${String(count ?? "unset")})`;
      return r.inputs.deadLetteringOnMessageExpiration === true
        ? undefined
        : `queue ${r.name} drops expired messages (deadLetteringOnMessageExpiration is not true)`;
    },
  ),
  {
    id: "azure-servicebus-dead-letter-alert",
    kind: "stack",
    description:
      "Every Service Bus queue has a metric alert on its DeadletteredMessages (split by EntityName) with an action group, so no dead-lettered message goes unseen (learn.microsoft.com/azure/service-bus-messaging/monitor-service-bus-reference). Our rule (medallion).",
    sources: [{ source: "medallion", id: "azure-servicebus-dead-letter-alert" }],
    enforcement: "mandatory",
    check: (stack) => {
      const alerts = stack.ofType(METRIC_ALERT);
      return stack
        .ofType(QUEUE)
        .filter((queue) => {
          const name = String(queue.inputs.queueName ?? queue.name);
          return !alerts.some((alert) => {
            const criteria = JSON.stringify(alert.inputs.criteria ?? {});
            const actions = (alert.inputs.actions as unknown[] | undefined) ?? [];
            return (
              criteria.includes('"DeadletteredMessages"') &&
              criteria.includes(`"${name}"`) &&
              actions.length > 0
            );
          });
        })
        .map((queue) => ({
          urn: queue.urn,
          message: `queue ${queue.name} has no DeadletteredMessages alert with an action group`,
        }));
    },
  },
];
