import type { ConfigProblem } from "./spec/errors";
import type { LakehouseSpec, TableSpec } from "./spec";

/** The clouds a spec deploys to. */
export type Cloud = "aws" | "azure";

/** A spec feature whose support differs by cloud, or that a reader would ask about. */
export type SpecFeature =
  | "source.cdc"
  | "source.batch"
  | "source.api"
  | "source.event"
  | "source.database.pull"
  | "source.database.cdc"
  | "views"
  | "gold"
  | "schedules.ingestion"
  | "schedules.daily"
  | "schedules.bronzeToSilver"
  | "schedules.silverToGold"
  | "tables.monitoring"
  | "observability.budget"
  | "observability.costReport"
  | "observability.grafana";

/** How a cloud honours a feature: what builds it, or why it cannot yet (the spec error's reason). */
export type Support =
  { readonly supported: true; readonly by: string } | { readonly supported: false; readonly reason: string };

const yes = (by: string): Support => ({ supported: true, by });
const no = (reason: string): Support => ({ supported: false, reason });

/**
 * Every spec feature × cloud: a pure table, read by both stacks before any resource registers, so a
 * feature a cloud cannot honour is a spec error there instead of being silently dropped.
 */
export const CAPABILITIES: Readonly<Record<SpecFeature, Readonly<Record<Cloud, Support>>>> = {
  "source.cdc": {
    aws: yes("Kinesis Data Stream → Firehose with the transformer Lambda, partitioned by table"),
    azure: yes(
      "Event Hubs → a KEDA-started Container Apps job running the Firehose transformer's code into raw/<table>/",
    ),
  },
  "source.batch": {
    aws: yes("S3 drops under raw/<table>/, converted by Lambda or Fargate"),
    azure: yes(
      "drops under raw/<table>/ uploaded with Entra ID by the writers' group (az storage blob upload --auth-mode login), read by Auto Loader",
    ),
  },
  "source.api": {
    aws: yes("scheduled Lambda with a DynamoDB watermark"),
    azure: yes("scheduled Container Apps jobs with a Table storage watermark"),
  },
  "source.event": {
    aws: yes("SNS → SQS → idempotent trigger Lambda"),
    azure: yes(
      "Service Bus → a KEDA-started Container Apps job → Databricks run-now with an idempotency token",
    ),
  },
  "source.database.pull": {
    aws: yes("scheduled Lambda in the database's VPC subnets with a DynamoDB watermark"),
    azure: yes("scheduled Container Apps jobs with a Table storage watermark"),
  },
  "source.database.cdc": {
    aws: no("no AWS DMS replication is built yet (use capture: pull)"),
    azure: no("no database change capture on Azure yet (use capture: pull)"),
  },
  views: { aws: yes("Glue job, silver stage"), azure: yes("Databricks job, silver task") },
  gold: { aws: yes("Glue job, gold stage"), azure: yes("the Databricks gold job") },
  "schedules.ingestion": { aws: yes("EventBridge Scheduler"), azure: yes("Container Apps schedule") },
  "schedules.daily": { aws: yes("EventBridge Scheduler"), azure: yes("Container Apps schedule") },
  "schedules.bronzeToSilver": {
    aws: yes("EventBridge Scheduler"),
    azure: yes("the medallion job's schedule"),
  },
  "schedules.silverToGold": { aws: yes("EventBridge Scheduler"), azure: yes("the gold job's schedule") },
  "tables.monitoring": {
    aws: yes("CloudWatch quarantine-ratio and freshness alarms on the per-table data metrics"),
    azure: no(
      "the Databricks job's per-table rows reach no Azure Monitor table yet, so no alarm can read them",
    ),
  },
  "observability.budget": {
    aws: yes("AWS Budgets filtered by the stack's tags, notifying the alert topic"),
    azure: yes("a consumption budget on the resource group, notifying the action group"),
  },
  "observability.costReport": {
    aws: no(
      "the Cost and Usage Report export and its Athena table are not built yet (issue 16, Build item 4)",
    ),
    azure: no("no Cost Management export is built on Azure yet; the workbook shows cost against the budget"),
  },
  "observability.grafana": {
    aws: no("the Amazon Managed Grafana workspace is not built yet (issue 16, Build item 3)"),
    azure: no("no Azure Managed Grafana is built yet; the Azure Monitor workbook is the stack's dashboard"),
  },
};

/**
 * Where the spec uses a feature the cloud cannot honour: one problem per use, naming the field
 * (`medallion:lakehouse.tables[3].source.kind: "cdc" is not supported on azure yet (...)`).
 */
export function capabilityProblems(spec: LakehouseSpec, cloud: Cloud): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  spec.tables.forEach((table, i) => {
    const feature = sourceFeature(table);
    const support = CAPABILITIES[feature][cloud];
    if (!support.supported) {
      const field = feature === "source.database.cdc" ? "capture" : "kind";
      const value = feature === "source.database.cdc" ? "cdc" : table.source.kind;
      problems.push({
        path: `medallion:lakehouse.tables[${i}].source.${field}`,
        message: `"${value}" is not supported on ${cloud} yet: ${support.reason}`,
      });
    }
  });
  const refuse = (feature: SpecFeature, path: string, what: string) => {
    const support = CAPABILITIES[feature][cloud];
    if (!support.supported) {
      problems.push({ path, message: `${what} is not supported on ${cloud} yet: ${support.reason}` });
    }
  };
  spec.tables.forEach((table, i) => {
    if (table.monitoring)
      refuse("tables.monitoring", `medallion:lakehouse.tables[${i}].monitoring`, "monitoring");
  });
  if (spec.observability.costReport) {
    refuse("observability.costReport", "medallion:lakehouse.observability.costReport", "costReport");
  }
  if (spec.observability.grafana) {
    refuse("observability.grafana", "medallion:lakehouse.observability.grafana", "grafana");
  }
  return problems;
}

/**
 * The spec without the tables a cloud cannot ingest, and without the views and gold models built on
 * them (directly or through a view): what a stack of that cloud can run from a shared spec.
 */
export function supportedSubset(spec: LakehouseSpec, cloud: Cloud): LakehouseSpec {
  const dropped = new Set(
    spec.tables.filter((t) => !CAPABILITIES[sourceFeature(t)][cloud].supported).map((t) => t.name),
  );
  const views = spec.views.filter((v) => !dropped.has(v.from) && !v.joins.some((j) => dropped.has(j.table)));
  const keptViews = new Set(views.map((v) => v.name));
  const droppedViews = new Set(spec.views.filter((v) => !keptViews.has(v.name)).map((v) => v.name));
  const kept = (feature: SpecFeature) => CAPABILITIES[feature][cloud].supported;
  return {
    ...spec,
    observability: {
      ...spec.observability,
      costReport: spec.observability.costReport && kept("observability.costReport"),
      grafana: spec.observability.grafana && kept("observability.grafana"),
    },
    tables: spec.tables
      .filter((t) => !dropped.has(t.name))
      .map((t) => (t.monitoring && !kept("tables.monitoring") ? { ...t, monitoring: undefined } : t)),
    views,
    gold: spec.gold.filter((g) => !dropped.has(g.from) && !droppedViews.has(g.from)),
  };
}

/** The capability a table's source needs: its kind, and for a database how it is captured. */
export function sourceFeature(table: TableSpec): SpecFeature {
  return table.source.kind === "database"
    ? `source.database.${table.source.capture}`
    : `source.${table.source.kind}`;
}
