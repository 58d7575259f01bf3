import { workbookQueryProblems } from "../../../components/azure/workbook";
import { DATA_METRICS, DATA_METRICS_NAMESPACE } from "../../../functions/lib/telemetry";
import { asList, at, jsonInput, statementsOf } from "../stack-view";
import type { Rule, RuleResource } from "../types";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const CATALOG_TABLE = "aws:glue/catalogTable:CatalogTable";
const BUDGET = "aws:budgets/budget:Budget";
const TOPIC = "aws:sns/topic:Topic";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const WORKBOOK = "azure-native:applicationinsights:Workbook";

interface QueryMetric {
  readonly namespace?: string;
  readonly metricName?: string;
  readonly period?: number;
  readonly dimensions?: Record<string, string>;
}

const queryMetrics = (alarm: RuleResource): QueryMetric[] =>
  (Array.isArray(alarm.inputs.metricQueries) ? alarm.inputs.metricQueries : [])
    .map((q) => (q as { metric?: QueryMetric }).metric)
    .filter((m): m is QueryMetric => m !== undefined);

/** PutMetricAlarm's limits (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html). */
export const alarmEvaluationRange: Rule = {
  id: "aws-alarm-evaluation-range",
  kind: "resource",
  types: [ALARM],
  description:
    "Every CloudWatch alarm's period is 10, 20, 30 or a multiple of 60 seconds, and period × evaluation periods is at most 7 days, and at most 1 day for periods under an hour: PutMetricAlarm refuses anything else at `pulumi up`, which the offline mocks accept.",
  sources: [{ source: "medallion", id: "ALARM-RANGE" }],
  enforcement: "mandatory",
  check(alarm) {
    const periods = [alarm.inputs.period, ...queryMetrics(alarm).map((m) => m.period)].filter(
      (p): p is number => typeof p === "number",
    );
    const evaluations = Number(alarm.inputs.evaluationPeriods ?? 1);
    const problems: string[] = [];
    for (const period of new Set(periods)) {
      if (![10, 20, 30].includes(period) && period % 60 !== 0)
        problems.push(`alarm ${alarm.name}: period ${period} s is not 10, 20, 30 or a multiple of 60`);
      const limit = period < 3600 ? 86_400 : 604_800;
      if (period * evaluations > limit)
        problems.push(
          `alarm ${alarm.name}: ${evaluations} periods of ${period} s exceed ${limit / 86_400} day(s) of evaluation`,
        );
    }
    return problems;
  },
};

/** What a data alarm of one table reads: its table and whether it is a quarantine-ratio or a freshness alarm. */
function dataAlarmOf(alarm: RuleResource): { table: string; kind: "ratio" | "freshness" } | undefined {
  const metrics = queryMetrics(alarm).filter((m) => m.namespace === DATA_METRICS_NAMESPACE);
  const table = metrics[0]?.dimensions?.table;
  if (!table) return undefined;
  const names = new Set(metrics.map((m) => m.metricName));
  if (names.has(DATA_METRICS.rowsQuarantined) && names.has(DATA_METRICS.rowsIn))
    return { table, kind: "ratio" };
  if (
    names.has(DATA_METRICS.rowsWritten) &&
    alarm.inputs.treatMissingData === "breaching" &&
    alarm.inputs.comparisonOperator === "LessThanThreshold"
  )
    return { table, kind: "freshness" };
  return undefined;
}

export const tableDataAlarms: Rule = {
  id: "medallion-table-data-alarms",
  kind: "stack",
  description:
    "Every table of the lakehouse (a table with a quarantine table in the catalog) has a quarantine-ratio alarm (rows quarantined over rows in) and a freshness alarm (no rows written, missing data breaching) on its data metrics, both with an action: a table that silently stops arriving or fills its quarantine otherwise goes unnoticed.",
  sources: [{ source: "medallion", id: "TABLE-ALARMS" }],
  enforcement: "mandatory",
  check(stack) {
    const alarms = stack
      .ofType(ALARM)
      .filter(
        (a) => asList(a.inputs.alarmActions).length > 0 || (a.dependencies.alarmActions ?? []).length > 0,
      )
      .map(dataAlarmOf)
      .filter((a) => a !== undefined);
    const out: { urn: string; message: string }[] = [];
    for (const table of stack.ofType(CATALOG_TABLE)) {
      if (!String(table.inputs.databaseName ?? "").endsWith("_quarantine")) continue;
      const name = String(table.inputs.name);
      for (const kind of ["ratio", "freshness"] as const) {
        if (!alarms.some((a) => a.table === name && a.kind === kind))
          out.push({
            urn: table.urn,
            message: `table ${name} has no ${kind === "ratio" ? "quarantine-ratio" : "freshness"} alarm with an action`,
          });
      }
    }
    return out;
  },
};

export const budgetNotifiesTopic: Rule = {
  id: "medallion-budget-alerts",
  kind: "stack",
  description:
    "Every AWS budget notifies an SNS topic of the stack whose policy lets budgets.amazonaws.com publish (the statement the Budgets guide gives, budgets-sns-policy): without it AWS Budgets cannot deliver and the alert is lost. The topic's key is checked by the key-services check.",
  sources: [{ source: "medallion", id: "BUDGET-ALERTS" }],
  enforcement: "mandatory",
  check(stack) {
    const out: { urn: string; message: string }[] = [];
    for (const budget of stack.ofType(BUDGET)) {
      const notifications = Array.isArray(budget.inputs.notifications) ? budget.inputs.notifications : [];
      if (notifications.length === 0) {
        out.push({ urn: budget.urn, message: `budget ${budget.name} has no notification` });
        continue;
      }
      const topics = (budget.dependencies.notifications ?? [])
        .map((urn) => stack.byUrn(urn))
        .filter((r): r is RuleResource => r?.type === TOPIC);
      if (topics.length === 0)
        out.push({ urn: budget.urn, message: `budget ${budget.name} notifies no SNS topic of the stack` });
      for (const topic of topics) {
        const admits = stack
          .dependents(topic, TOPIC_POLICY, "arn")
          .some((policy) =>
            statementsOf(jsonInput(policy, "policy")).some(
              (s) =>
                s.Effect === "Allow" &&
                asList(at(s, "Principal", "Service")).includes("budgets.amazonaws.com") &&
                asList(s.Action).some((a) => a.toLowerCase() === "sns:publish"),
            ),
          );
        if (!admits)
          out.push({
            urn: budget.urn,
            message: `budget ${budget.name} notifies topic ${topic.name}, whose policy does not let budgets.amazonaws.com publish`,
          });
      }
    }
    return out;
  },
};

export const azureWorkbookQuerySchema: Rule = {
  id: "azure-workbook-query-schema",
  kind: "resource",
  types: [WORKBOOK],
  description:
    "Every Log Analytics query of a workbook reads a documented table and documented columns (Microsoft Learn azure-monitor/reference/tables): a workbook saves any query, and a wrong column only shows as an error on its chart.",
  sources: [{ source: "Microsoft Learn", id: "azure-monitor/reference/tables" }],
  enforcement: "mandatory",
  check(workbook) {
    const data = jsonInput(workbook, "serializedData") as
      { items?: { type?: number; content?: { query?: unknown } }[] } | undefined;
    return (data?.items ?? [])
      .filter((item) => item.type === 3 && typeof item.content?.query === "string")
      .flatMap((item) =>
        workbookQueryProblems(item.content!.query as string).map((p) => `workbook ${workbook.name}: ${p}`),
      );
  },
};
