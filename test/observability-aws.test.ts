import * as fs from "node:fs";
import * as path from "node:path";
import { AWS_SERVICE_METRICS } from "../components/aws/service-metrics";
import { DEFAULT_MAX_QUARANTINE_RATIO } from "../components/aws/table-alarms";
import { parseLakehouseSpec, type LakehouseSpecInput } from "../components/spec";
import {
  DATA_METRIC_DIMENSIONS,
  DATA_METRICS,
  DATA_METRICS_NAMESPACE,
  METRICS_NAMESPACE,
  METRICS_SCOPE_DIMENSION,
  PULL_METRICS,
} from "../functions/lib/telemetry";
import type { Plan, PlanResource } from "../infra/preview/plan";
import { readStackConfig } from "../infra/preview/stack-file";
import { named, ofType, policyOf, preview, ROOT } from "./helpers";

/** A metric as CloudWatch identifies it: namespace, name and the set of dimension names. */
type MetricKey = string;
const key = (namespace: string, metric: string, dimensions: readonly string[]): MetricKey =>
  `${namespace} | ${metric} | ${[...dimensions].sort().join(",")}`;

/**
 * Every metric something in the stack emits, read from the code that emits it:
 * - the handlers' Powertools metrics (`addMetric` in functions/<dir>/handler.ts|task.ts), under `service`+`function`;
 * - the data metrics: converter rows (bronze, `publishTableRows`), API pulls (raw, `publishPull`), the Spark
 *   runner's silver rows (its `TableMetrics` step → metric table), each under pipeline+layer+table (the EMF
 *   each prints is checked in functions/lib/data-metrics.test.ts);
 * - the services' own metrics, from the cited table in components/aws/service-metrics.ts.
 */
function emittedMetrics(): {
  keys: Set<MetricKey>;
  services: Set<string>;
  dataByLayer: Record<string, Set<string>>;
} {
  const keys = new Set<MetricKey>();
  const services = new Set<string>();
  const functionsDir = path.join(ROOT, "functions");
  const control = fs.readFileSync(path.join(functionsDir, "lib", "control.ts"), "utf8");
  const constants = Object.fromEntries(
    [...control.matchAll(/export const ([A-Z_]+) = "([^"]+)"/g)].map((m) => [m[1], m[2]]),
  );
  const value = (token: string) => (token.startsWith('"') ? token.slice(1, -1) : constants[token]);
  for (const dir of fs.readdirSync(functionsDir)) {
    for (const file of ["handler.ts", "task.ts"]) {
      const source = path.join(functionsDir, dir, file);
      if (!fs.existsSync(source)) continue;
      const text = fs.readFileSync(source, "utf8");
      const service = /telemetry\(("[\w-]+"|[A-Z_]+)\)/.exec(text)?.[1];
      if (!service) continue;
      services.add(value(service));
      for (const m of text.matchAll(
        /addMetric\(\s*(?:[^,]*\?\s*)?("[A-Za-z]+"|[A-Z_]+)(?:\s*:\s*("[A-Za-z]+"))?/g,
      )) {
        for (const token of [m[1], m[2]].filter(Boolean)) {
          keys.add(key(METRICS_NAMESPACE, value(token), ["service", METRICS_SCOPE_DIMENSION]));
        }
      }
    }
  }
  const runner = fs.readFileSync(path.join(functionsDir, "transform", "spark_runner.py"), "utf8");
  const runnerNamespace = /^DATA_METRICS_NAMESPACE = "([^"]+)"/m.exec(runner)?.[1];
  expect(runnerNamespace).toBe(DATA_METRICS_NAMESPACE);
  const stepMetrics = /\{"stage": "(\w+)", "quarantine": "(\w+)", "merge": "(\w+)"\}/.exec(runner);
  expect(stepMetrics).not.toBeNull();
  const dataByLayer: Record<string, Set<string>> = {
    raw: new Set(Object.values(PULL_METRICS)),
    bronze: new Set([DATA_METRICS.rowsIn, DATA_METRICS.rowsWritten, DATA_METRICS.rowsQuarantined]),
    silver: new Set(stepMetrics!.slice(1)),
  };
  for (const names of Object.values(dataByLayer)) {
    for (const n of names) keys.add(key(DATA_METRICS_NAMESPACE, n, DATA_METRIC_DIMENSIONS));
  }
  for (const [namespace, { dimensions, metrics }] of Object.entries(AWS_SERVICE_METRICS)) {
    for (const m of metrics) keys.add(key(namespace, m, dimensions));
  }
  return { keys, services, dataByLayer };
}

interface WidgetMetric {
  readonly widget: string;
  readonly namespace: string;
  readonly metric: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

function dashboardMetrics(plan: Plan): WidgetMetric[] {
  const [dashboard] = ofType(plan, "aws:cloudwatch/dashboard:Dashboard");
  const body = JSON.parse(dashboard.inputs.dashboardBody as string) as {
    widgets: { type: string; properties: { title?: string; metrics?: unknown[][] } }[];
  };
  return body.widgets
    .filter((w) => w.type === "metric")
    .flatMap((w) =>
      (w.properties.metrics ?? []).map((row) => {
        const fields = row.filter((f): f is string => typeof f === "string");
        const [namespace, metric, ...pairs] = fields;
        const dimensions: Record<string, string> = {};
        for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i]] = pairs[i + 1];
        return { widget: w.properties.title ?? "", namespace, metric, dimensions };
      }),
    );
}

/** The dev spec with an event table as well, so every workflow and handler is deployed. */
function everySourceKind(): LakehouseSpecInput {
  const spec = JSON.parse(
    readStackConfig(ROOT, "dev").config["medallion:lakehouse"] ?? "null",
  ) as LakehouseSpecInput;
  const payments = {
    name: "payments",
    source: { kind: "event" as const, idField: "payment_id" },
    columns: [{ name: "payment_id", type: "string" as const }],
    primaryKey: ["payment_id"],
    monitoring: { maxQuarantineRatio: 0.2, expectedEvery: "90m" },
  };
  return { ...spec, tables: [...spec.tables, payments] };
}

describe("the dev stack's dashboard and data alarms (issue 16 items 1, 2)", () => {
  let plan: Plan;
  const specInput = everySourceKind();
  const spec = parseLakehouseSpec(specInput);
  const emitted = emittedMetrics();

  beforeAll(async () => {
    ({ plan } = await preview("dev", { overrides: { "medallion:lakehouse": JSON.stringify(specInput) } }));
  });

  const names = (type: string, input = "name") =>
    new Set(ofType(plan, type).map((r) => String(r.inputs[input])));

  it("reads only metrics the stack emits, under the exact dimension set they are emitted with", () => {
    const metrics = dashboardMetrics(plan);
    expect(metrics.length).toBeGreaterThan(50);
    const unknown = metrics
      .filter((m) => !emitted.keys.has(key(m.namespace, m.metric, Object.keys(m.dimensions))))
      .map((m) => `${m.widget}: ${key(m.namespace, m.metric, Object.keys(m.dimensions))}`);
    expect(unknown).toEqual([]);
    // A data metric is read only in a layer whose emitter emits it (no silver RowsDeleted, no bronze Pulls).
    const wrongLayer = metrics
      .filter(
        (m) =>
          m.namespace === DATA_METRICS_NAMESPACE && !emitted.dataByLayer[m.dimensions.layer]?.has(m.metric),
      )
      .map((m) => `${m.widget}: ${m.dimensions.layer} ${m.metric}`);
    expect(wrongLayer).toEqual([]);
  });

  it("names only resources of this stack in every dimension", () => {
    const machines = names("aws:sfn/stateMachine:StateMachine");
    const lambdas = names("aws:lambda/function:Function");
    const scopes = new Set([...lambdas, ...names("aws:ecs/taskDefinition:TaskDefinition", "family")]);
    const resolves: Record<string, (v: string) => boolean> = {
      StateMachineArn: (v) => machines.has(v.replace(/^arn:aws:states:[^:]+:\d+:stateMachine:/, "")),
      FunctionName: (v) => lambdas.has(v),
      [METRICS_SCOPE_DIMENSION]: (v) => scopes.has(v),
      service: (v) => emitted.services.has(v),
      QueueName: (v) => names("aws:sqs/queue:Queue").has(v),
      DeliveryStreamName: (v) => names("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").has(v),
      JobName: (v) => names("aws:glue/job:Job").has(v),
      JobRunId: (v) => v === "ALL",
      Type: (v) => v === "count",
      pipeline: (v) => v === "brewery-dev",
      layer: (v) => ["raw", "bronze", "silver"].includes(v),
      table: (v) => spec.tables.some((t) => t.name === v),
    };
    const unresolved = dashboardMetrics(plan).flatMap((m) =>
      Object.entries(m.dimensions)
        .filter(([d, v]) => !resolves[d]?.(v))
        .map(([d, v]) => `${m.widget}: ${d}=${v}`),
    );
    expect(unresolved).toEqual([]);
  });

  it("has a widget for every workflow, Lambda function, Glue job, table (bronze and silver) and API source", () => {
    const metrics = dashboardMetrics(plan);
    const charted = (dimension: string) =>
      new Set(metrics.map((m) => m.dimensions[dimension]).filter(Boolean));
    const arns = [...charted("StateMachineArn")].map((a) => a.replace(/^.*:stateMachine:/, "")).sort();
    expect(arns).toEqual([...names("aws:sfn/stateMachine:StateMachine")].sort());
    expect(arns).toHaveLength(4);
    expect([...charted("FunctionName")].sort()).toEqual([...names("aws:lambda/function:Function")].sort());
    expect([...charted("JobName")].sort()).toEqual([...names("aws:glue/job:Job")].sort());
    for (const table of spec.tables) {
      for (const layer of ["bronze", "silver"]) {
        const rows = metrics.filter((m) => m.dimensions.table === table.name && m.dimensions.layer === layer);
        expect([table.name, layer, rows.map((m) => m.metric).sort()]).toEqual([
          table.name,
          layer,
          [DATA_METRICS.rowsIn, DATA_METRICS.rowsQuarantined, DATA_METRICS.rowsWritten],
        ]);
      }
    }
    const pulled = new Set(
      metrics.filter((m) => m.dimensions.layer === "raw").map((m) => m.dimensions.table),
    );
    expect([...pulled]).toEqual(spec.tables.filter((t) => t.source.kind === "api").map((t) => t.name));
    expect(charted("DeliveryStreamName").size).toBe(1);
  });

  it("gives every table a quarantine-ratio alarm and a freshness alarm on its data metrics, both to the alert topic", () => {
    const topic = named(plan, "brewery-alerts", "aws:sns/topic:Topic");
    for (const table of spec.tables) {
      const ratio = named(plan, `brewery-table-${table.name}-quarantine-ratio`);
      const freshness = named(plan, `brewery-table-${table.name}-freshness`);
      for (const alarm of [ratio, freshness]) {
        expect(alarm.dependencies?.alarmActions).toContain(topic.urn);
        const queries = alarm.inputs.metricQueries as {
          metric?: { namespace: string; metricName: string; dimensions: Record<string, string> };
        }[];
        for (const q of queries.filter((x) => x.metric)) {
          const m = q.metric!;
          expect(emitted.keys.has(key(m.namespace, m.metricName, Object.keys(m.dimensions)))).toBe(true);
          expect(emitted.dataByLayer[m.dimensions.layer].has(m.metricName)).toBe(true);
          expect(m.dimensions).toMatchObject({ pipeline: "brewery-dev", table: table.name });
        }
      }
      expect(ratio.inputs.threshold).toBe(
        table.monitoring?.maxQuarantineRatio ?? DEFAULT_MAX_QUARANTINE_RATIO,
      );
      expect(freshness.inputs.treatMissingData).toBe("breaching");
    }
    const payments = named(plan, "brewery-table-payments-freshness");
    // 90 minutes is not whole hours: minute periods, all of them must be empty to alarm.
    expect([payments.inputs.evaluationPeriods, payments.inputs.datapointsToAlarm]).toEqual([90, 90]);
    expect(named(plan, "brewery-table-beer-freshness").inputs.evaluationPeriods).toBe(24);
    expect(named(plan, "brewery-table-payments-quarantine-ratio").inputs.threshold).toBe(0.2);
  });

  it("budgets the stack's tagged cost monthly, alerting the topic, which admits AWS Budgets (item 4)", () => {
    const [budget] = ofType(plan, "aws:budgets/budget:Budget");
    expect(budget.inputs).toMatchObject({
      budgetType: "COST",
      timeUnit: "MONTHLY",
      limitAmount: "100.00",
      limitUnit: "USD",
      filterExpression: {
        ands: [
          { tags: { key: "project", values: ["brewery"], matchOptions: ["EQUALS"] } },
          { tags: { key: "environment", values: ["dev"], matchOptions: ["EQUALS"] } },
        ],
      },
    });
    const notifications = budget.inputs.notifications as { notificationType: string; threshold: number }[];
    expect(notifications.map((n) => `${n.notificationType} ${n.threshold}`)).toEqual([
      "FORECASTED 100",
      "ACTUAL 80",
      "ACTUAL 100",
    ]);
    const topic = named(plan, "brewery-alerts", "aws:sns/topic:Topic");
    expect(budget.dependencies?.notifications).toContain(topic.urn);
    const topicPolicy = policyOf(named(plan, "brewery-alerts-policy"));
    const budgets = topicPolicy.Statement.find((s) => s.Sid === "AllowBudgetNotifications");
    expect(budgets).toMatchObject({
      Principal: { Service: "budgets.amazonaws.com" },
      Action: "sns:Publish",
      Condition: {
        StringEquals: { "aws:SourceAccount": "123456789012" },
        ArnLike: { "aws:SourceArn": "arn:aws:budgets::123456789012:*" },
      },
    });
  });
});

export type { PlanResource };
