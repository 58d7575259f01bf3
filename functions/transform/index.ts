import * as path from "node:path";
import type { LakehouseSpec, TableSpec } from "../../components/spec";
import { dialectFor, type Engine } from "./dialect";
import { goldPlan } from "./gold";
import type { Namespaces, TransformPlan } from "./plan";
import { silverPlan } from "./silver";
import { goldColumns } from "./schema";
import { viewPlan } from "./views";

/**
 * Spec → transformation plans: the SQL every table, flat view and gold model needs, in the dialect of
 * the engine that runs it (Spark SQL on Iceberg for Glue, on Delta for Databricks, DuckDB locally).
 * Plans are plain JSON; spark_runner.py and the local runner execute their steps in order.
 */

export type { Engine } from "./dialect";
export { dialectFor } from "./dialect";
export type { Namespaces, PlanStep, TransformPlan } from "./plan";

export interface TransformOptions {
  /**
   * Read bronze from Parquet files under `<bronzeRoot>/<table>/` (Hive partitions, as the converter
   * writes them) instead of from the catalog table `<namespaces.bronze>.<table>`. @default catalog tables
   */
  readonly bronzeRoot?: string;
}

export function buildTransformPlans(
  spec: LakehouseSpec,
  engine: Engine,
  namespaces: Namespaces,
  options: TransformOptions = {},
): { bronzeToSilver: TransformPlan[]; views: TransformPlan[]; silverToGold: TransformPlan[] } {
  const dialect = dialectFor(engine);
  const tables = new Map(spec.tables.map((t) => [t.name, t]));
  const bronzeOf = (table: string) =>
    options.bronzeRoot
      ? dialect.readParquet(`${options.bronzeRoot.replace(/\/$/, "")}/${table}`)
      : `${namespaces.bronze}.${table}`;
  return {
    bronzeToSilver: spec.tables.map((t) => silverPlan(t, dialect, namespaces, bronzeOf(t.name))),
    views: spec.views.map((v) => viewPlan(v, tables, dialect, namespaces)),
    silverToGold: spec.gold.map((m) =>
      goldPlan(
        m,
        tables.has(m.from),
        dialect,
        namespaces,
        new Map(goldColumns(spec, m).map((c) => [c.name, c.type])),
      ),
    ),
  };
}

/**
 * Databricks bronze: one Auto Loader step per table streaming `<rawRoot>/<table>/` (availableNow, with the
 * spec's raw schema) into `<namespaces.bronze>.<table>`, with its checkpoint under `<checkpointRoot>/<table>`.
 */
export function autoloaderPlans(
  spec: LakehouseSpec,
  rawRoot: string,
  checkpointRoot: string,
  namespaces: Namespaces,
): TransformPlan[] {
  const root = rawRoot.replace(/\/$/, "");
  const checkpoints = checkpointRoot.replace(/\/$/, "");
  return spec.tables.map((table) => ({
    name: table.name,
    stage: "bronze",
    steps: [
      {
        name: `${table.name}.autoload`,
        kind: "autoloader",
        source: `${root}/${table.name}/`,
        format: table.format,
        schema: rawSchema(table),
        target: `${namespaces.bronze}.${table.name}`,
        checkpoint: `${checkpoints}/${table.name}`,
      },
    ],
  }));
}

/**
 * The raw schema the Databricks bronze stream reads with (no inference: an empty folder reads, a column
 * the data lacks is NULL): every spec column, and a CDC table's operation field, as STRING, so nothing is
 * lost before silver types each value and quarantines what does not fit, as on AWS.
 */
export function rawSchema(table: TableSpec): string {
  const fields = [
    ...table.columns.map((c) => c.name),
    ...(table.source.kind === "cdc" ? [table.source.operationField] : []),
  ];
  return fields.map((name) => `\`${name}\` STRING`).join(", ");
}

/** Path of spark_runner.py, which the Glue and Databricks jobs upload and run. */
export function runnerScriptPath(): string {
  return path.join(__dirname, "spark_runner.py");
}
