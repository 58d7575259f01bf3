import type { ColumnMigrationSpec } from "../../components/spec";
import type { Dialect } from "./dialect";
import type { PlanColumn, PlanStep } from "./plan";
import type { TableColumn } from "./schema";

/**
 * Table DDL is the runners' job, not the catalog's: a `create_table` step creates its table when missing
 * and otherwise brings it to the spec's columns. A column the spec adds is added (`ALTER TABLE … ADD
 * COLUMNS`, NULL in the rows already there); a column the spec no longer has, or whose type changed, is a
 * breaking change, refused naming the table and column, unless the table's `migrations` say what to do
 * (`drop` it, or `recast` its values to the new type). A migration rewrites the table in one atomic
 * statement (`CREATE OR REPLACE TABLE t … AS SELECT … FROM t`: one Iceberg snapshot or Delta commit, so a
 * failed run leaves the old table whole, and its history stays for time travel); Delta's DROP/RENAME
 * COLUMN would first need column mapping, a protocol upgrade older readers refuse. spark_runner.py
 * (`ensure_table`) and the DuckDB runner apply the same {@link schemaChanges} and {@link rebuildStatement}.
 */

export function createTableStep(
  name: string,
  target: string,
  columns: readonly TableColumn[],
  dialect: Dialect,
  partitionBy: readonly string[] = [],
  migrations: readonly ColumnMigrationSpec[] = [],
): PlanStep {
  const planColumns = columns.map((c) => ({ name: c.name, type: dialect.type(c.type) }));
  return {
    name,
    kind: "create_table",
    target,
    sql: [
      `CREATE TABLE IF NOT EXISTS ${target} (${planColumns.map((c) => `${c.name} ${c.type}`).join(", ")})`,
      dialect.tableSuffix(partitionBy),
    ]
      .filter(Boolean)
      .join(" "),
    columns: planColumns,
    options: dialect.tableSuffix(partitionBy),
    ...(partitionBy.length ? { partitionBy: [...partitionBy] } : {}),
    ...(migrations.length ? { migrations: migrations.map((m) => ({ ...m })) } : {}),
  };
}

/** What bringing an existing table to its step's columns takes. */
export interface SchemaChanges {
  readonly add: PlanColumn[];
  readonly drop: string[];
  readonly recast: PlanColumn[];
}

/** A removed or retyped column with no migration saying what to do: the run stops before it writes. */
export class BreakingSchemaChange extends Error {
  constructor(
    readonly table: string,
    readonly column: string,
    detail: string,
  ) {
    super(`breaking schema change on ${table}, column ${column}: ${detail}`);
    this.name = "BreakingSchemaChange";
  }
}

/** Type names compared as the engines report them (`DECIMAL(12, 2)` = `decimal(12,2)`, `INTEGER` = `int`). */
export function normaliseType(type: string): string {
  const t = type.toLowerCase().replace(/\s+/g, "");
  return { integer: "int", varchar: "string", long: "bigint" }[t] ?? t;
}

/**
 * The changes from the table's `existing` columns to the step's `wanted` ones, or a {@link BreakingSchemaChange}.
 * Same rules as spark_runner.py's `schema_changes` (test_spark_ddl.py and ddl.test.ts check the two agree).
 */
export function schemaChanges(
  table: string,
  existing: readonly PlanColumn[],
  wanted: readonly PlanColumn[],
  migrations: readonly ColumnMigrationSpec[] = [],
): SchemaChanges {
  const has = new Map(existing.map((c) => [c.name.toLowerCase(), normaliseType(c.type)]));
  const wants = new Set(wanted.map((c) => c.name.toLowerCase()));
  const migration = new Map(migrations.map((m) => [m.column.toLowerCase(), m.change]));
  const changes: SchemaChanges = { add: [], drop: [], recast: [] };
  for (const column of wanted) {
    const current = has.get(column.name.toLowerCase());
    if (current === undefined) changes.add.push(column);
    else if (current !== normaliseType(column.type)) {
      if (migration.get(column.name.toLowerCase()) !== "recast")
        throw new BreakingSchemaChange(
          table,
          column.name,
          `the table has ${current}, the spec says ${normaliseType(column.type)}; ` +
            `add { column: "${column.name}", change: "recast" } to the table's migrations to convert its values`,
        );
      changes.recast.push(column);
    }
  }
  for (const column of existing) {
    if (wants.has(column.name.toLowerCase())) continue;
    if (migration.get(column.name.toLowerCase()) !== "drop")
      throw new BreakingSchemaChange(
        table,
        column.name,
        `the spec no longer has it; add { column: "${column.name}", change: "drop" } to the table's ` +
          "migrations to delete it and its values",
      );
    changes.drop.push(column.name);
  }
  return changes;
}

/**
 * The statement that rewrites `target` with exactly the `wanted` columns: kept values as they are, recast
 * ones through `try_cast` (a value that does not fit the new type becomes NULL), added ones NULL.
 */
export function rebuildStatement(
  target: string,
  options: string,
  wanted: readonly PlanColumn[],
  changes: SchemaChanges,
): string {
  const added = new Set(changes.add.map((c) => c.name));
  const recast = new Set(changes.recast.map((c) => c.name));
  const select = wanted.map((c) =>
    added.has(c.name)
      ? `CAST(NULL AS ${c.type}) AS ${c.name}`
      : recast.has(c.name)
        ? `try_cast(${c.name} AS ${c.type}) AS ${c.name}`
        : c.name,
  );
  return [`CREATE OR REPLACE TABLE ${target}`, options, `AS SELECT ${select.join(", ")} FROM ${target}`]
    .filter(Boolean)
    .join(" ");
}
