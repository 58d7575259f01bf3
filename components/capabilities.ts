import type { ConfigProblem } from "./spec/errors";
import type { LakehouseSpec } from "./spec";

/** The clouds a spec deploys to. */
export type Cloud = "aws" | "azure";

/** A spec feature whose support differs by cloud, or that a reader would ask about. */
export type SpecFeature =
  | "source.cdc"
  | "source.batch"
  | "source.api"
  | "source.event"
  | "views"
  | "gold"
  | "schedules.ingestion"
  | "schedules.daily"
  | "schedules.bronzeToSilver"
  | "schedules.silverToGold";

/** How a cloud honours a feature: what builds it, or why it cannot yet (the spec error's reason). */
export type Support =
  { readonly supported: true; readonly by: string } | { readonly supported: false; readonly reason: string };

const yes = (by: string): Support => ({ supported: true, by });

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
  views: { aws: yes("Glue job, silver stage"), azure: yes("Databricks job, silver task") },
  gold: { aws: yes("Glue job, gold stage"), azure: yes("the Databricks gold job") },
  "schedules.ingestion": { aws: yes("EventBridge Scheduler"), azure: yes("Container Apps schedule") },
  "schedules.daily": { aws: yes("EventBridge Scheduler"), azure: yes("Container Apps schedule") },
  "schedules.bronzeToSilver": {
    aws: yes("EventBridge Scheduler"),
    azure: yes("the medallion job's schedule"),
  },
  "schedules.silverToGold": { aws: yes("EventBridge Scheduler"), azure: yes("the gold job's schedule") },
};

/**
 * Where the spec uses a feature the cloud cannot honour: one problem per use, naming the field
 * (`medallion:lakehouse.tables[3].source.kind: "cdc" is not supported on azure yet (...)`).
 */
export function capabilityProblems(spec: LakehouseSpec, cloud: Cloud): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  spec.tables.forEach((table, i) => {
    const support = CAPABILITIES[`source.${table.source.kind}`][cloud];
    if (!support.supported) {
      problems.push({
        path: `medallion:lakehouse.tables[${i}].source.kind`,
        message: `"${table.source.kind}" is not supported on ${cloud} yet: ${support.reason}`,
      });
    }
  });
  return problems;
}

/**
 * The spec without the tables a cloud cannot ingest, and without the views and gold models built on
 * them (directly or through a view): what a stack of that cloud can run from a shared spec.
 */
export function supportedSubset(spec: LakehouseSpec, cloud: Cloud): LakehouseSpec {
  const dropped = new Set(
    spec.tables.filter((t) => !CAPABILITIES[`source.${t.source.kind}`][cloud].supported).map((t) => t.name),
  );
  const views = spec.views.filter((v) => !dropped.has(v.from) && !v.joins.some((j) => dropped.has(j.table)));
  const keptViews = new Set(views.map((v) => v.name));
  const droppedViews = new Set(spec.views.filter((v) => !keptViews.has(v.name)).map((v) => v.name));
  return {
    ...spec,
    tables: spec.tables.filter((t) => !dropped.has(t.name)),
    views,
    gold: spec.gold.filter((g) => !dropped.has(g.from) && !droppedViews.has(g.from)),
  };
}
