import { evaluatePlan } from "../infra/policy/evaluate";
import type { Plan } from "../infra/preview/plan";
import { readStackConfig } from "../infra/preview/stack-file";
import { named, ofType, preview, ROOT } from "./helpers";

/**
 * azure-dev with an event table added (dev's spec has none): the Service Bus path of issue 14 Build item 3
 * as a deploy would create it, and the policy pack over the whole plan.
 */
const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000";
const NS = `${SUB}/resourceGroups/brewery-dev-lakehouse/providers/Microsoft.ServiceBus/namespaces/brewery-dev-events`;
const QUEUE_ID = `${NS}/queues/events`;
const role = (guid: string) => `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const WRITERS = "00000000-0000-0000-0000-0000000000a1";

let plan: Plan;

beforeAll(async () => {
  const lakehouse = JSON.parse(readStackConfig(ROOT, "azure-dev").config["medallion:lakehouse"]) as {
    tables: object[];
  };
  lakehouse.tables.push({
    name: "payments",
    description: "Payment events; each message names a transaction and starts the job once.",
    source: { kind: "event" },
    format: "json",
    columns: [
      { name: "transaction_id", type: "string", nullable: false },
      { name: "amount", type: "decimal(10,2)" },
    ],
    primaryKey: ["transaction_id"],
  });
  ({ plan } = await preview("azure-dev", {
    overrides: { "medallion:lakehouse": JSON.stringify(lakehouse) },
  }));
});

describe("the Service Bus event path on azure-dev", () => {
  it("has a Standard namespace with TLS 1.2 and local auth off, and a queue that dead-letters", () => {
    expect(named(plan, "brewery-sources-events-namespace").inputs).toMatchObject({
      sku: { name: "Standard" },
      minimumTlsVersion: "1.2",
      disableLocalAuth: true,
    });
    expect(named(plan, "brewery-sources-events-queue").inputs).toMatchObject({
      maxDeliveryCount: 10,
      deadLetteringOnMessageExpiration: true,
      requiresDuplicateDetection: true,
    });
  });

  it("starts the medallion job by run-now from a KEDA-started job, as a principal that may only run that job", () => {
    const job = named(plan, "brewery-sources-events-consumer", "azure-native:app:Job").inputs as {
      configuration: {
        triggerType: string;
        eventTriggerConfig: { scale: { rules: Record<string, unknown>[] } };
      };
      template: { containers: { env: { name: string; value: string }[] }[] };
    };
    expect(job.configuration.triggerType).toBe("Event");
    expect(job.configuration.eventTriggerConfig.scale.rules[0]).toMatchObject({
      type: "azure-servicebus",
      metadata: { queueName: "events", namespace: "brewery-dev-events" },
    });
    expect(String(job.configuration.eventTriggerConfig.scale.rules[0].identity)).toContain(
      "userAssignedIdentities/brewery-dev-events",
    );
    const env = Object.fromEntries(job.template.containers[0]!.env.map((e) => [e.name, e.value]));
    expect(JSON.parse(env.TABLES!).map((t: { name: string }) => t.name)).toEqual(["payments"]);
    expect(env.DATABRICKS_HOST).toMatch(/^https:\/\/adb-\d+\.\d+\.azuredatabricks\.net$/);
    expect(named(plan, "brewery-sources-events-run-job").inputs.accessControls).toEqual([
      expect.objectContaining({ permissionLevel: "CAN_MANAGE_RUN" }),
    ]);
    // The medallion job takes the transaction as a job parameter and queues runs instead of skipping them.
    expect(named(plan, "brewery-job", "databricks:index/job:Job").inputs).toMatchObject({
      parameters: [
        { name: "event_table", default: "" },
        { name: "transaction_id", default: "" },
      ],
      queue: { enabled: true },
    });
  });

  it("scopes every Service Bus role to the queue, never the namespace", () => {
    const onBus = ofType(plan, "azure-native:authorization:RoleAssignment").filter((a) =>
      String(a.inputs.scope).includes("Microsoft.ServiceBus"),
    );
    expect(
      onBus.map((a) => [a.inputs.scope, a.inputs.roleDefinitionId, a.inputs.principalType]).sort(),
    ).toEqual(
      [
        [QUEUE_ID, role("69a216fc-b8fb-44d8-bc22-1f3c2cd27a39"), "Group"],
        [QUEUE_ID, role("090c5cfd-751d-490a-894a-3ce6f1109419"), "ServicePrincipal"],
      ].sort(),
    );
    expect(onBus.find((a) => a.inputs.principalType === "Group")?.inputs.principalId).toBe(WRITERS);
  });

  it("alerts on every dead-lettered message and on every failed execution of the consumer", () => {
    expect(named(plan, "brewery-sources-events-dead-letters").inputs).toMatchObject({
      scopes: [NS],
      criteria: {
        allOf: [
          {
            metricName: "DeadletteredMessages",
            dimensions: [{ name: "EntityName", operator: "Include", values: ["events"] }],
            operator: "GreaterThan",
            threshold: 0,
          },
        ],
      },
    });
    expect(JSON.stringify(named(plan, "brewery-monitoring-events-failed").inputs.criteria)).toContain(
      "brewery-dev-events",
    );
  });

  it("passes the policy pack", () => {
    expect(evaluatePlan(plan, false).map((v) => `${v.rule} ${v.urn} ${v.message}`)).toEqual([]);
  });
});
