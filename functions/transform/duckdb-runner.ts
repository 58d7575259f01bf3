import type { DuckDBConnection } from "@duckdb/node-api";
import { hmacPads } from "./hmac";
import { rebuildStatement, schemaChanges } from "./ddl";
import { HASH_KEY_RELATION, type Namespaces, type PlanStep, type TransformPlan } from "./plan";

/**
 * The hash key of local runs when none is given: local lakes hold development data, and a fixed key keeps
 * their hashes deterministic across runs. Cloud runs take the environment's secret (spark_runner.py).
 */
export const LOCAL_HASH_KEY = "medallion-local-development-hash-key";

export interface RunOptions {
  /** The secret `hash` masks are keyed with (HMAC-SHA256). @default LOCAL_HASH_KEY */
  readonly hashKey?: string;
}

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
  options: RunOptions = {},
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  let keyed = false;
  for (const plan of plans) {
    for (const step of plan.steps) {
      if ((step.kind !== "sql" && step.kind !== "create_table") || !step.sql)
        throw new Error(
          `transform: step ${plan.name}/${step.name} is ${step.kind}; DuckDB runs sql and create_table steps only`,
        );
      // A temporary step's query is kept as a TEMP table: this connection's own, gone when it closes.
      const sql = step.temporary ? `CREATE OR REPLACE TEMP TABLE ${step.temporary} AS ${step.sql}` : step.sql;
      const target = step.temporary ?? step.target;
      let rows: number;
      try {
        if (step.inputs?.includes("hash_key") && !keyed) {
          await createHashKey(connection, options.hashKey ?? LOCAL_HASH_KEY);
          keyed = true;
        }
        const reader = await connection.runAndReadAll(sql);
        if (step.kind === "create_table") await evolveTable(connection, step);
        rows = target ? await countRows(connection, target) : reader.currentRowCount;
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

/**
 * After a create_table step's CREATE TABLE IF NOT EXISTS: brings a table that already existed to the step's
 * columns, as spark_runner.py's ensure_table does (ddl.ts).
 */
async function evolveTable(connection: DuckDBConnection, step: PlanStep): Promise<void> {
  const target = step.target as string;
  const wanted = step.columns ?? [];
  const described = await connection.runAndReadAll(`DESCRIBE ${target}`);
  const existing = described.getRowObjects().map((r) => ({
    name: String(r.column_name),
    type: String(r.column_type),
  }));
  const changes = schemaChanges(target, existing, wanted, step.migrations ?? []);
  if (changes.drop.length + changes.recast.length > 0) {
    await connection.run(rebuildStatement(target, step.options ?? "", wanted, changes));
    return;
  }
  for (const column of changes.add)
    await connection.run(`ALTER TABLE ${target} ADD COLUMN ${column.name} ${column.type}`);
}

/** The session's HASH_KEY_RELATION: bound parameters, so the key never appears in SQL text. */
async function createHashKey(connection: DuckDBConnection, key: string): Promise<void> {
  const { inner, outer } = hmacPads(key);
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${HASH_KEY_RELATION} AS SELECT unhex($inner) AS _hash_inner_pad, unhex($outer) AS _hash_outer_pad`,
    { inner: inner.toString("hex"), outer: outer.toString("hex") },
  );
}

export async function countRows(connection: DuckDBConnection, table: string): Promise<number> {
  const reader = await connection.runAndReadAll(`SELECT count(*) AS n FROM ${table}`);
  return Number(reader.getRows()[0][0]);
}
