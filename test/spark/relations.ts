import type { DuckDBConnection } from "@duckdb/node-api";
import type { Relation } from "./spark-process";

/**
 * Both engines' relations in one shape, so silver, quarantine, views and gold compare row for row and
 * type for type: DuckDB's types under Spark's names, cells as the JSON spark/conformance.py writes.
 */

/** Processing times (when a run happened), which no two runs share; every other column must match. */
export const PROCESSING_TIME = new Set(["_created_at", "_updated_at", "_quarantined_at", "_consumed_at"]);

const DUCKDB_TO_SPARK: Record<string, string> = {
  VARCHAR: "string",
  INTEGER: "int",
  BIGINT: "bigint",
  DOUBLE: "double",
  BOOLEAN: "boolean",
  DATE: "date",
  TIMESTAMP: "timestamp",
  BLOB: "binary",
};

/** A DuckDB type under its Spark name (`DECIMAL(12,2)` → `decimal(12,2)`). */
export function sparkTypeName(duckdbType: string): string {
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(duckdbType);
  if (decimal) return `decimal(${decimal[1]},${decimal[2]})`;
  return DUCKDB_TO_SPARK[duckdbType] ?? `duckdb:${duckdbType}`;
}

/** A DuckDB query's result in the shared shape (types from DESCRIBE, cells formatted in SQL). */
export async function duckdbRelation(connection: DuckDBConnection, query: string): Promise<Relation> {
  const described = (await connection.runAndReadAll(`DESCRIBE ${query}`)).getRows();
  const columns = described.map(([name, type]) => [String(name), String(type)] as const);
  const cells = columns.map(([name, type]) => {
    const quoted = `"${name}"`;
    if (type === "TIMESTAMP") return `strftime(${quoted}, '%Y-%m-%d %H:%M:%S.%f')`;
    if (type === "BLOB") return `to_base64(${quoted})`;
    if (type === "DATE" || type.startsWith("DECIMAL")) return `CAST(${quoted} AS VARCHAR)`;
    return quoted;
  });
  const reader = await connection.runAndReadAll(`SELECT ${cells.join(", ")} FROM (${query}) AS q`);
  const rows = reader
    .getRows()
    .map((row) => row.map((cell) => (typeof cell === "bigint" ? Number(cell) : cell)));
  return { columns: columns.map(([name, type]) => [name, sparkTypeName(type)]), rows };
}

/** Doubles to 12 significant digits: the engines sum in different orders (last-bit differences only). */
function cell(value: unknown, type: string): unknown {
  if (type === "double" && typeof value === "number")
    return Number.isFinite(value) ? Number(value.toPrecision(12)) : String(value);
  return value ?? null;
}

/** The relation's rows as sorted canonical JSON lines, processing-time columns left out. */
export function canonicalRows(relation: Relation): string[] {
  const kept = relation.columns
    .map(([name, type], i) => ({ name, type, i }))
    .filter((c) => !PROCESSING_TIME.has(c.name));
  return relation.rows.map((row) => JSON.stringify(kept.map((c) => cell(row[c.i], c.type)))).sort();
}

/** Human-readable differences between two relations (empty when they match), `left` being DuckDB. */
export function differences(left: Relation | null, right: Relation | null): string[] {
  if (!left || !right) return left === right ? [] : [`exists: duckdb ${!!left}, spark ${!!right}`];
  const out: string[] = [];
  const types = (r: Relation) => r.columns.map(([n, t]) => `${n} ${t}`).join(", ");
  if (types(left) !== types(right)) out.push(`columns: duckdb (${types(left)}) spark (${types(right)})`);
  const a = canonicalRows(left);
  const b = canonicalRows(right);
  const onlyLeft = a.filter((row) => !b.includes(row));
  const onlyRight = b.filter((row) => !a.includes(row));
  if (a.length !== b.length) out.push(`rows: duckdb ${a.length}, spark ${b.length}`);
  for (const row of onlyLeft.slice(0, 5)) out.push(`only in duckdb: ${row}`);
  for (const row of onlyRight.slice(0, 5)) out.push(`only in spark:  ${row}`);
  return out;
}
