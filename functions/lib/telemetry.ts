import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";

/** Namespace for every custom metric; the alarms in components/aws read the same one. */
export const METRICS_NAMESPACE = "Medallion/Ingestion";

/**
 * Where a metric comes from beyond its service: the Lambda function's name, or for the ECS task the
 * `METRICS_SCOPE` its task definition sets. The alarms name it, so stacks sharing an account (dev and
 * prod) do not share a metric.
 */
export const METRICS_SCOPE_DIMENSION = "function";

/**
 * One Powertools logger and metrics pair per function (service name = the function's role); metrics carry
 * `service` and {@link METRICS_SCOPE_DIMENSION}, the dimensions the stack's alarms select on.
 */
export function telemetry(service: string): { logger: Logger; metrics: Metrics } {
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
    serviceName: service,
  });
  const scope = process.env.AWS_LAMBDA_FUNCTION_NAME ?? process.env.METRICS_SCOPE;
  if (scope) metrics.setDefaultDimensions({ [METRICS_SCOPE_DIMENSION]: scope });
  return { logger: new Logger({ serviceName: service }), metrics };
}

/** Namespace of the per-table data metrics every path emits (converter, Spark runner). */
export const DATA_METRICS_NAMESPACE = "Medallion/Data";

/**
 * The one dimension set of every data metric, the same from Lambda, ECS, Glue and Databricks, so a
 * dashboard widget or alarm reads one metric per table and layer whatever path the rows took.
 * `pipeline` is `<product>-<environment>` (the stack sets `METRICS_PIPELINE`).
 */
export const DATA_METRIC_DIMENSIONS = ["pipeline", "layer", "table"] as const;

/** The data metrics, by what they count; the Spark runner (`spark_runner.py`) emits the same names. */
export const DATA_METRICS = {
  rowsIn: "RowsIn",
  rowsWritten: "RowsWritten",
  rowsQuarantined: "RowsQuarantined",
  rowsDeleted: "RowsDeleted",
} as const;

/** The API-pull metrics of one source (layer `raw`, table = the API table). */
export const PULL_METRICS = {
  pulls: "Pulls",
  pullsFailed: "PullsFailed",
  watermarkLagSeconds: "WatermarkLagSeconds",
} as const;

/** Rows one run of one table moved through one layer. */
export interface TableRows {
  readonly rowsIn: number;
  readonly rowsWritten: number;
  readonly rowsQuarantined: number;
  readonly rowsDeleted?: number;
}

/**
 * Publishes one run's rows for one table as its own EMF document (Powertools), with exactly
 * {@link DATA_METRIC_DIMENSIONS}: the default `service`/`function` dimensions are cleared, since CloudWatch
 * matches a metric by its whole dimension set and the Lambda and ECS converters must land on one metric.
 * Without `METRICS_PIPELINE` (a local run) nothing is published.
 */
export function publishTableRows(
  layer: "bronze" | "silver",
  table: string,
  rows: TableRows,
  pipeline = process.env.METRICS_PIPELINE,
): void {
  const values = Object.entries(DATA_METRICS).map(
    ([key, name]) => [name, rows[key as keyof TableRows]] as const,
  );
  publishData(
    pipeline,
    layer,
    table,
    values.map(([name, value]) => [name, "Count", value]),
  );
}

/**
 * Publishes one API pull of one source: a pull (or a failed one) and, on success, how far its watermark
 * lags behind now, so a source whose pulls succeed without advancing shows.
 */
export function publishPull(
  table: string,
  outcome: { readonly failed: boolean; readonly watermark?: string; readonly now?: Date },
  pipeline = process.env.METRICS_PIPELINE,
): void {
  const now = (outcome.now ?? new Date()).getTime();
  const lag = outcome.watermark
    ? Math.max(0, Math.round((now - Date.parse(outcome.watermark)) / 1000))
    : undefined;
  publishData(pipeline, "raw", table, [
    [PULL_METRICS.pulls, "Count", 1],
    [PULL_METRICS.pullsFailed, "Count", outcome.failed ? 1 : 0],
    [PULL_METRICS.watermarkLagSeconds, "Seconds", Number.isFinite(lag) ? lag : undefined],
  ]);
}

function publishData(
  pipeline: string | undefined,
  layer: string,
  table: string,
  values: readonly (readonly [string, "Count" | "Seconds", number | undefined])[],
): void {
  if (!pipeline) return;
  const metrics = new Metrics({ namespace: DATA_METRICS_NAMESPACE, serviceName: "data" });
  metrics.clearDefaultDimensions();
  metrics.addDimensions({ pipeline, layer, table });
  for (const [name, unit, value] of values) if (value !== undefined) metrics.addMetric(name, unit, value);
  metrics.publishStoredMetrics();
}

/** The `pipeline` dimension of a stack's data metrics. */
export function metricsPipeline(product: string, environment: string): string {
  return `${product}-${environment}`;
}
