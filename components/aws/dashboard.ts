import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as pulumi from "@pulumi/pulumi";
import {
  DATA_METRICS,
  DATA_METRICS_NAMESPACE,
  METRICS_NAMESPACE,
  METRICS_SCOPE_DIMENSION,
  PULL_METRICS,
} from "../../functions/lib/telemetry";
import type { TableSpec } from "../spec/schema";
import { dashedResourceName } from "../naming";

/** A resource the dashboard charts, by the label its widget shows and the name CloudWatch knows it by. */
export interface Charted {
  readonly label: string;
  readonly name: pulumi.Input<string>;
}

/** A handler metric of `functions/lib/telemetry.ts` (`service` + `function` dimensions). */
export interface ChartedHandlerMetric {
  readonly label: string;
  readonly service: string;
  readonly scope: pulumi.Input<string>;
  readonly metricName: string;
}

export interface AwsDashboardArgs {
  readonly product: string;
  readonly environment: string;
  /** The `pipeline` dimension of the data metrics. */
  readonly pipeline: string;
  readonly region: pulumi.Input<string>;
  readonly tables: readonly TableSpec[];
  /** Step Functions state machines, by ARN. */
  readonly workflows: readonly Charted[];
  /** Lambda functions, by function name. */
  readonly functions: readonly Charted[];
  /** Handler metrics (objects converted, skipped, records failed...). */
  readonly handlerMetrics: readonly ChartedHandlerMetric[];
  /** Dead-letter queues, by queue name. */
  readonly deadLetterQueues: readonly Charted[];
  /** Firehose delivery streams, by name. @default none */
  readonly deliveryStreams?: readonly Charted[];
  /** Glue jobs, by job name. */
  readonly glueJobs: readonly Charted[];
}

type MetricRow = (string | pulumi.Input<string> | Record<string, unknown>)[];
type Widget = Record<string, unknown>;

const WIDTH = 24;
const HALF = 12;

/**
 * The stack's CloudWatch dashboard, generated from the spec: workflows, ingestion, per-table rows in each
 * layer, transforms and API pulls. Every widget reads a metric the stack emits or a service publishes, with
 * the dimension set it is published under (checked by test/dashboard.test.ts).
 */
export function awsDashboard(
  name: string,
  args: AwsDashboardArgs,
  parent: pulumi.Resource,
): cloudwatch.Dashboard {
  const graph = (title: string, metrics: MetricRow[], width = HALF, stat = "Sum"): Widget => ({
    type: "metric",
    width,
    height: 6,
    properties: { title, region: args.region, stat, period: 300, view: "timeSeries", metrics },
  });
  const text = (markdown: string): Widget => ({
    type: "text",
    width: WIDTH,
    height: 1,
    properties: { markdown },
  });
  const data = (metricName: string, layer: string, table: string): MetricRow => [
    DATA_METRICS_NAMESPACE,
    metricName,
    "pipeline",
    args.pipeline,
    "layer",
    layer,
    "table",
    table,
    { label: `${layer} ${metricName}` },
  ];
  const widgets: Widget[] = [
    text(`# ${args.product} ${args.environment}\nWorkflows, ingestion, tables, transforms, API pulls.`),
    text("## Workflows"),
    ...args.workflows.flatMap((w) => [
      graph(
        `${w.label}: executions`,
        ["ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut"].map((m) => [
          "AWS/States",
          m,
          "StateMachineArn",
          w.name,
        ]),
      ),
      graph(
        `${w.label}: duration (ms)`,
        [["AWS/States", "ExecutionTime", "StateMachineArn", w.name]],
        HALF,
        "Average",
      ),
    ]),
    text("## Ingestion"),
    ...(args.deliveryStreams ?? []).flatMap((s) => [
      graph(
        `${s.label}: freshness (s)`,
        [["AWS/Firehose", "DeliveryToS3.DataFreshness", "DeliveryStreamName", s.name]],
        HALF,
        "Maximum",
      ),
      graph(
        `${s.label}: delivery success`,
        [["AWS/Firehose", "DeliveryToS3.Success", "DeliveryStreamName", s.name]],
        HALF,
        "Average",
      ),
    ]),
    graph(
      "Handlers: objects converted, skipped, records failed",
      args.handlerMetrics.map((m) => [
        METRICS_NAMESPACE,
        m.metricName,
        "service",
        m.service,
        METRICS_SCOPE_DIMENSION,
        m.scope,
        { label: m.label },
      ]),
      WIDTH,
    ),
    graph(
      "Lambda errors",
      args.functions.map((f) => ["AWS/Lambda", "Errors", "FunctionName", f.name, { label: f.label }]),
    ),
    graph(
      "Lambda throttles",
      args.functions.map((f) => ["AWS/Lambda", "Throttles", "FunctionName", f.name, { label: f.label }]),
    ),
    graph(
      "Lambda duration (ms, p95)",
      args.functions.map((f) => ["AWS/Lambda", "Duration", "FunctionName", f.name, { label: f.label }]),
      HALF,
      "p95",
    ),
    graph(
      "Dead-letter queue depth",
      args.deadLetterQueues.map((q) => [
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "QueueName",
        q.name,
        { label: q.label },
      ]),
      HALF,
      "Maximum",
    ),
    text("## Tables: rows in, written and quarantined per layer"),
    ...args.tables.flatMap((t) =>
      (["bronze", "silver"] as const).map((layer) =>
        graph(
          `${t.name} (${layer})`,
          [DATA_METRICS.rowsIn, DATA_METRICS.rowsWritten, DATA_METRICS.rowsQuarantined].map((m) =>
            data(m, layer, t.name),
          ),
        ),
      ),
    ),
    text("## Transforms"),
    ...args.glueJobs.flatMap((j) => [
      graph(
        `${j.label}: elapsed time (ms)`,
        [
          [
            "Glue",
            "glue.driver.aggregate.elapsedTime",
            "JobName",
            j.name,
            "JobRunId",
            "ALL",
            "Type",
            "count",
          ],
        ],
        HALF,
        "Maximum",
      ),
      graph(`${j.label}: tasks`, [
        [
          "Glue",
          "glue.driver.aggregate.numCompletedTasks",
          "JobName",
          j.name,
          "JobRunId",
          "ALL",
          "Type",
          "count",
        ],
        [
          "Glue",
          "glue.driver.aggregate.numFailedTasks",
          "JobName",
          j.name,
          "JobRunId",
          "ALL",
          "Type",
          "count",
        ],
      ]),
    ]),
  ];
  const apiTables = args.tables.filter((t) => t.source.kind === "api");
  if (apiTables.length > 0) {
    widgets.push(
      text("## API pulls"),
      ...apiTables.flatMap((t) => [
        graph(
          `${t.name}: pulls and failures`,
          [PULL_METRICS.pulls, PULL_METRICS.pullsFailed].map((m) => data(m, "raw", t.name)),
        ),
        graph(
          `${t.name}: watermark lag (s)`,
          [data(PULL_METRICS.watermarkLagSeconds, "raw", t.name)],
          HALF,
          "Maximum",
        ),
      ]),
    );
  }
  return new cloudwatch.Dashboard(
    name,
    {
      dashboardName: dashedResourceName([args.product, args.environment], 255),
      dashboardBody: pulumi.jsonStringify({ widgets }),
    },
    { parent },
  );
}
