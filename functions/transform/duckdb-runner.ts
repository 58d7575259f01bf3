import type { DuckDBConnection } from "@duckdb/node-api";
import type { Namespaces, TransformPlan } from "./plan";

/** What the local runner did for one step (the same line spark_runner.py logs). */
export interface StepResult {
  readonly plan: string;
  readonly step: string;
  /** Rows in the step's target after it ran, or rows the statement returned. */
  readonly rows: number;
}

/** Creates the layer schemas a DuckDB run writes to (namespaces are plain schema names locally). */
export async function createNamespaces(connection: DuckDBConnection, namespaces: Namespaces): Promise<void> {
  for (const schema of new Set(Object.values(namespaces))) {
    await connection.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  }
}

/**
 * Runs plans' SQL steps in order on DuckDB, the local twin of spark_runner.py. A failing step throws an
 * error naming the plan and step.
 */
export async function runPlans(
  connection: DuckDBConnection,
  plans: readonly TransformPlan[],
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const plan of plans) {
    for (const step of plan.steps) {
      if (step.kind !== "sql" || !step.sql)
        throw new Error(
          `transform: step ${plan.name}/${step.name} is ${step.kind}; DuckDB runs sql steps only`,
        );
      let rows: number;
      try {
        const reader = await connection.runAndReadAll(step.sql);
        rows = step.target ? await countRows(connection, step.target) : reader.currentRowCount;
      } catch (error) {
        throw new Error(`transform: step ${plan.name}/${step.name} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      results.push({ plan: plan.name, step: step.name, rows });
    }
  }
  return results;
}

export async function countRows(connection: DuckDBConnection, table: string): Promise<number> {
  const reader = await connection.runAndReadAll(`SELECT count(*) AS n FROM ${table}`);
  return Number(reader.getRows()[0][0]);
}
